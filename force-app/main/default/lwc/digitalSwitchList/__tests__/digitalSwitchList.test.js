import { createElement } from "lwc";
import DigitalSwitchList from "c/digitalSwitchList";
import { FakeBridge, flush, removeAll } from "test/fakeBridge";

const item = (id, unread) => ({
  id,
  customer: { name: `Customer ${id}`, digital_id: "d" },
  channel: { kind: "chat" },
  unread
});

function mount(bridge) {
  const element = createElement("c-digital-switch-list", {
    is: DigitalSwitchList
  });
  element.bridge = bridge;
  element.selectedId = "2";
  document.body.appendChild(element);
  return element;
}

afterEach(removeAll);

describe("c-digital-switch-list", () => {
  it("lists the agent's interactions with unread counts and marks the open one", async () => {
    const answers = {
      "GET /api/v1/my-interactions": {
        items: [item("1", 2), item("2", 0)],
        unread_total: 2
      }
    };
    const bridge = new FakeBridge(answers);
    const element = mount(bridge);
    await flush();
    const links = [...element.shadowRoot.querySelectorAll("a.switch")];
    // Read as "Customer 1, chat, 2 unread": the visible name first, the rest for screen readers.
    expect(links.map((a) => a.textContent.replace(/\s+/g, " ").trim())).toEqual(
      ["Customer 1, chat, 2 unread2", "Customer 2, chat"]
    );
    expect(links[1].getAttribute("aria-current")).toBe("page");
    expect(element.shadowRoot.querySelector(".heading").textContent).toBe(
      "My interactions (2 unread)"
    );

    answers["GET /api/v1/my-interactions"] = {
      items: [item("1", 3), item("2", 0)],
      unread_total: 3
    };
    bridge.emit("unread.changed", { id: "1", unread: 3, unread_total: 3 });
    await flush();
    expect(element.shadowRoot.querySelector(".heading").textContent).toBe(
      "My interactions (3 unread)"
    );
  });

  it("switches on click", async () => {
    const bridge = new FakeBridge({
      "GET /api/v1/my-interactions": { items: [item("1", 0)], unread_total: 0 }
    });
    const element = mount(bridge);
    const select = jest.fn();
    element.addEventListener("select", select);
    await flush();
    element.shadowRoot.querySelector("a.switch").click();
    expect(select.mock.calls[0][0].detail).toEqual({ id: "1" });
  });
});
