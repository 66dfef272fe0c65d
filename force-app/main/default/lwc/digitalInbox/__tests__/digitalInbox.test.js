import { createElement } from "lwc";
import DigitalInbox from "c/digitalInbox";

function item(id, extra = {}) {
  return {
    id,
    case_number: id,
    channel: { id: "c", kind: "chat" },
    customer: { name: `Customer ${id}`, digital_id: "d" },
    preview: `preview ${id}`,
    is_new: false,
    ...extra
  };
}

// A class, as c/digitalBridge is: LWC hands plain objects to @api as read-only proxies.
class FakeBridge {
  constructor(answers) {
    this.answers = answers;
    this.calls = [];
    this.handlers = {};
  }

  call(method, path) {
    this.calls.push(path);
    const key = Object.keys(this.answers).find((prefix) =>
      path.startsWith(prefix)
    );
    const answer = this.answers[key];
    return answer instanceof Error
      ? Promise.reject(answer)
      : Promise.resolve(answer);
  }

  on(name, handler) {
    this.handlers[name] = handler;
    return () => delete this.handlers[name];
  }

  emit(name, data) {
    this.handlers[name](data);
  }
}

function fakeBridge(answers) {
  return new FakeBridge(answers);
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function mount(bridge) {
  const element = createElement("c-digital-inbox", { is: DigitalInbox });
  element.bridge = bridge;
  document.body.appendChild(element);
  return element;
}

afterEach(() => {
  while (document.body.firstChild) {
    document.body.removeChild(document.body.firstChild);
  }
});

describe("c-digital-inbox", () => {
  it("lists the inbox with new items in bold and the unread count", async () => {
    const bridge = fakeBridge({
      "/api/v1/inbox": {
        items: [
          item("1", { is_new: true }),
          item("2", {
            tags: [{ id: 1, title: "Urgent" }],
            assignee: { id: 102, name: "Ben Okafor" }
          })
        ],
        next_cursor: null
      },
      "/api/v1/my-interactions": { items: [], unread_total: 3 },
      "/api/v1/tags": { items: [{ id: 1, title: "Urgent" }] }
    });
    const element = mount(bridge);
    await flush();
    const rows = element.shadowRoot.querySelectorAll("li");
    expect(
      Array.from(rows, (r) => r.className.includes("slds-text-title_bold"))
    ).toEqual([true, false]);
    expect(
      rows[0].querySelector("button").getAttribute("aria-label")
    ).toContain("new");
    expect(element.shadowRoot.querySelector("lightning-badge").label).toBe(
      "3 unread"
    );
    const tag = element.shadowRoot.querySelector("lightning-combobox.tag");
    expect(tag.options.map((o) => o.label)).toEqual(["All tags", "Urgent"]);
    // Channel, tags and who already holds it, readable before opening.
    expect(
      Array.from(
        element.shadowRoot.querySelectorAll(".meta"),
        (m) => m.textContent
      )
    ).toEqual(["chat", "chat · #Urgent · with Ben Okafor"]);
  });

  it("asks the API again when the agent sorts or filters by tag", async () => {
    const bridge = fakeBridge({
      "/api/v1/inbox": { items: [], next_cursor: null },
      "/api/v1/my-interactions": { items: [], unread_total: 0 },
      "/api/v1/tags": { items: [{ id: 1, title: "Urgent" }] }
    });
    const element = mount(bridge);
    await flush();
    const sort = element.shadowRoot.querySelector("lightning-combobox.sort");
    sort.dispatchEvent(
      new CustomEvent("change", { detail: { value: "channel" } })
    );
    await flush();
    const tag = element.shadowRoot.querySelector("lightning-combobox.tag");
    tag.dispatchEvent(new CustomEvent("change", { detail: { value: "1" } }));
    await flush();
    const inbox = bridge.calls.filter((p) => p.startsWith("/api/v1/inbox"));
    expect(inbox).toEqual([
      "/api/v1/inbox?sort=received&limit=50",
      "/api/v1/inbox?sort=channel&limit=50",
      "/api/v1/inbox?sort=channel&limit=50&tag=1"
    ]);
    expect(element.shadowRoot.querySelector(".empty")).not.toBeNull();
  });

  it("reloads on live events and announces new messages", async () => {
    const bridge = fakeBridge({
      "/api/v1/inbox": { items: [item("1")], next_cursor: null },
      "/api/v1/my-interactions": { items: [], unread_total: 0 },
      "/api/v1/tags": { items: [] }
    });
    const element = mount(bridge);
    await flush();
    bridge.emit("message.added", { seq: 9, id: "1" });
    await flush();
    expect(
      bridge.calls.filter((p) => p.startsWith("/api/v1/inbox"))
    ).toHaveLength(2);
    const live = element.shadowRoot.querySelector('[aria-live="polite"]');
    expect(live.textContent).toBe("New message on interaction 1");
  });

  it("shows an error a person can act on and tries again", async () => {
    const answers = {
      "/api/v1/inbox": new Error("The Digital tab server answered 503."),
      "/api/v1/my-interactions": { items: [], unread_total: 0 },
      "/api/v1/tags": { items: [] }
    };
    const bridge = fakeBridge(answers);
    const element = mount(bridge);
    await flush();
    const panel = element.shadowRoot.querySelector("c-digital-error-panel");
    expect(panel.message).toContain("answered 503");
    answers["/api/v1/inbox"] = { items: [item("5")], next_cursor: null };
    panel.dispatchEvent(new CustomEvent("retry"));
    await flush();
    expect(
      element.shadowRoot.querySelector("c-digital-error-panel")
    ).toBeNull();
    expect(element.shadowRoot.querySelectorAll("li")).toHaveLength(1);
  });

  it("tells the tab which interaction the agent opens", async () => {
    const bridge = fakeBridge({
      "/api/v1/inbox": { items: [item("7")], next_cursor: null },
      "/api/v1/my-interactions": { items: [], unread_total: 0 },
      "/api/v1/tags": { items: [] }
    });
    const element = mount(bridge);
    const selected = jest.fn();
    element.addEventListener("select", selected);
    await flush();
    element.shadowRoot.querySelector("button.open").click();
    expect(selected.mock.calls[0][0].detail).toEqual({ id: "7" });
  });
});
