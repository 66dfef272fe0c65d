import { createElement } from "lwc";
import DigitalConversation from "c/digitalConversation";
import { FakeBridge, FakeBridgeError, flush, removeAll } from "test/fakeBridge";

function conversation(extra = {}) {
  return {
    interaction: {
      id: "44",
      case_number: "44",
      status: "open",
      assignee: { id: 101, name: "Ana Lima" },
      customer: { name: "Maria Santos", digital_id: "+15550100" },
      channel: { id: "sms-1", kind: "sms" }
    },
    channel: {
      id: "sms-1",
      kind: "sms",
      name: "SMS",
      attachments: true,
      rich_text: false,
      subject: false
    },
    messages: [
      {
        id: "m1",
        direction: "inbound",
        author: { type: "customer", name: "Maria Santos" },
        created_at: "2026-11-30T09:00:00Z",
        text: "My parcel arrived damaged",
        html: null,
        title: null,
        attachments: [{ name: "photo.jpg", url: "/x" }]
      }
    ],
    contact: {},
    ...extra
  };
}

function mount(bridge) {
  const element = createElement("c-digital-conversation", {
    is: DigitalConversation
  });
  element.bridge = bridge;
  element.interactionId = "44";
  document.body.appendChild(element);
  return element;
}

// What c-digital-attachments says after the agent picked files (its own tests check how).
function chooseFiles(element, files, error) {
  element.shadowRoot
    .querySelector("c-digital-attachments")
    .dispatchEvent(
      new CustomEvent("fileschange", { detail: { files, error } })
    );
}

function type(element, text) {
  const reply = element.shadowRoot.querySelector(".reply");
  reply.dispatchEvent(new CustomEvent("change", { detail: { value: text } }));
}

const file = (name, size) => {
  const f = new File(["x"], name, { type: "image/png" });
  Object.defineProperty(f, "size", { value: size });
  return f;
};

afterEach(removeAll);

describe("c-digital-conversation", () => {
  it("claims the interaction by opening it and shows the thread", async () => {
    const bridge = new FakeBridge({
      "POST /api/v1/interactions/44/open": conversation()
    });
    const element = mount(bridge);
    await flush();
    expect(bridge.calls[0]).toMatchObject({
      method: "POST",
      path: "/api/v1/interactions/44/open"
    });
    const texts = [...element.shadowRoot.querySelectorAll(".message-text")].map(
      (n) => n.textContent
    );
    expect(texts).toEqual(["My parcel arrived damaged"]);
    expect(
      element.shadowRoot.querySelector(".attachments").textContent
    ).toContain("photo.jpg");
    expect(element.shadowRoot.querySelector(".status").textContent).toBe(
      "Open"
    );
    expect(element.shadowRoot.querySelector('[role="log"]')).not.toBeNull();
  });

  it("replies with an emoji and an attachment, then shows Resolved", async () => {
    const reply = jest.fn(() => ({
      message: {
        id: "m2",
        direction: "outbound",
        author: { type: "agent", name: "Ana" },
        created_at: null,
        text: "Sorry to hear that 🙏",
        html: null,
        title: null,
        attachments: [{ name: "label.png", url: "/y" }]
      },
      interaction: { ...conversation().interaction, status: "resolved" }
    }));
    const bridge = new FakeBridge({
      "POST /api/v1/interactions/44/open": conversation(),
      "POST /api/v1/interactions/44/reply": reply
    });
    const element = mount(bridge);
    await flush();
    type(element, "Sorry to hear that ");
    element.shadowRoot
      .querySelector("lightning-button-menu.emoji")
      .dispatchEvent(new CustomEvent("select", { detail: { value: "🙏" } }));
    chooseFiles(element, [file("label.png", 2048)]);
    await flush();
    element.shadowRoot.querySelector("lightning-button.send").click();
    await flush();
    const [body, files] = reply.mock.calls[0];
    expect(body).toEqual({ text: "Sorry to hear that 🙏", html: false });
    expect(files.map((f) => f.name)).toEqual(["label.png"]);
    expect(element.shadowRoot.querySelector(".status").textContent).toBe(
      "Resolved"
    );
    expect(element.shadowRoot.querySelectorAll(".message-text")).toHaveLength(
      2
    );
  });

  it("shows what the attachments picker left out, and passes the files back to it", async () => {
    const bridge = new FakeBridge({
      "POST /api/v1/interactions/44/open": conversation()
    });
    const element = mount(bridge);
    await flush();
    chooseFiles(
      element,
      [file("ok.png", 10)],
      "video.mp4: larger than 10 MB, not attached."
    );
    await flush();
    expect(
      element.shadowRoot.querySelector(".send-error").textContent
    ).toContain("video.mp4");
    const picker = element.shadowRoot.querySelector("c-digital-attachments");
    expect(picker.files.map((f) => f.name)).toEqual(["ok.png"]);
  });

  it("keeps the draft when sending fails, and says why", async () => {
    const bridge = new FakeBridge({
      "POST /api/v1/interactions/44/open": conversation(),
      "POST /api/v1/interactions/44/reply": new FakeBridgeError(
        503,
        "cxone_unavailable",
        "CXone does not answer; try again."
      )
    });
    const element = mount(bridge);
    await flush();
    type(element, "Hello");
    await flush();
    element.shadowRoot.querySelector("lightning-button.send").click();
    await flush();
    expect(element.shadowRoot.querySelector(".send-error").textContent).toBe(
      "CXone does not answer; try again."
    );
    expect(element.shadowRoot.querySelector(".reply").value).toBe("Hello");
  });

  it("writes rich text where the channel allows it", async () => {
    const email = conversation({
      channel: {
        id: "e",
        kind: "email",
        name: "Email",
        attachments: true,
        rich_text: true,
        subject: true
      }
    });
    const reply = jest.fn(() => ({
      message: { ...email.messages[0], id: "m9" },
      interaction: email.interaction
    }));
    const bridge = new FakeBridge({
      "POST /api/v1/interactions/44/open": email,
      "POST /api/v1/interactions/44/reply": reply
    });
    const element = mount(bridge);
    await flush();
    expect(
      element.shadowRoot.querySelector("lightning-input-rich-text.reply")
    ).not.toBeNull();
    type(element, "<p><b>Thanks</b></p>");
    await flush();
    element.shadowRoot.querySelector("lightning-button.send").click();
    await flush();
    expect(reply.mock.calls[0][0]).toEqual({
      text: "<p><b>Thanks</b></p>",
      html: true
    });
  });

  it("announces a new customer message and reloads the thread", async () => {
    const later = conversation();
    later.interaction = { ...later.interaction, status: "open" };
    const bridge = new FakeBridge({
      "POST /api/v1/interactions/44/open": conversation(),
      "GET /api/v1/interactions/44": later
    });
    const element = mount(bridge);
    await flush();
    bridge.emit("message.added", { id: "45" }); // another interaction: nothing happens
    bridge.emit("message.added", { id: "44" });
    await flush();
    expect(bridge.callsTo("GET", "/api/v1/interactions/44")).toHaveLength(1);
    expect(
      element.shadowRoot.querySelector('[aria-live="polite"]').textContent
    ).toBe("New message from Maria Santos");
  });

  it("ends the interaction and hands over what the disposition form starts from", async () => {
    const bridge = new FakeBridge({
      "POST /api/v1/interactions/44/open": conversation(),
      "POST /api/v1/interactions/44/end": {
        interaction: { ...conversation().interaction, status: "closed" },
        disposition: { case_number: "44", name_id: null, relates_to_id: null }
      }
    });
    const element = mount(bridge);
    const ended = jest.fn();
    element.addEventListener("ended", ended);
    await flush();
    element.shadowRoot.querySelector("lightning-button.end").click();
    await flush();
    expect(ended.mock.calls[0][0].detail).toEqual({
      id: "44",
      disposition: { case_number: "44", name_id: null, relates_to_id: null }
    });
  });

  it("claims again before acting when the customer wrote after a reply (unassigned)", async () => {
    const unassigned = conversation();
    unassigned.interaction = { ...unassigned.interaction, assignee: null };
    const bridge = new FakeBridge({
      "POST /api/v1/interactions/44/open": conversation(),
      "GET /api/v1/interactions/44": unassigned,
      "POST /api/v1/interactions/44/resolve": {
        interaction: { ...conversation().interaction, status: "resolved" }
      }
    });
    const element = mount(bridge);
    await flush();
    bridge.emit("message.added", { id: "44" });
    await flush();
    element.shadowRoot.querySelector("lightning-button.resolve").click();
    await flush();
    expect(bridge.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "POST /api/v1/interactions/44/open",
      "GET /api/v1/interactions/44",
      "POST /api/v1/interactions/44/open",
      "POST /api/v1/interactions/44/resolve"
    ]);
  });

  it("does not act when claiming again fails, and says who has it", async () => {
    const unassigned = conversation();
    unassigned.interaction = { ...unassigned.interaction, assignee: null };
    const answers = { "POST /api/v1/interactions/44/open": unassigned };
    const bridge = new FakeBridge(answers);
    const element = mount(bridge);
    await flush();
    answers["POST /api/v1/interactions/44/open"] = new FakeBridgeError(
      409,
      "held_by_other",
      "Ben Okafor has it."
    );
    element.shadowRoot.querySelector("lightning-button.end").click();
    await flush();
    expect(element.shadowRoot.querySelector(".send-error").textContent).toBe(
      "Ben Okafor has it."
    );
    expect(bridge.callsTo("POST", "/api/v1/interactions/44/end")).toHaveLength(
      0
    );
  });

  it("reads an interaction that cannot be claimed (resolved) instead of failing", async () => {
    const resolved = conversation();
    resolved.interaction = {
      ...resolved.interaction,
      status: "resolved",
      assignee: null
    };
    const bridge = new FakeBridge({
      "POST /api/v1/interactions/44/open": new FakeBridgeError(
        409,
        "not_open",
        "This interaction is resolved; it cannot be claimed."
      ),
      "GET /api/v1/interactions/44": resolved
    });
    const element = mount(bridge);
    await flush();
    expect(element.shadowRoot.querySelector(".error")).toBeNull();
    expect(element.shadowRoot.querySelector(".status").textContent).toBe(
      "Resolved"
    );
  });

  it("shows why it could not open, with a way to try again", async () => {
    const bridge = new FakeBridge({
      "POST /api/v1/interactions/44/open": new FakeBridgeError(
        409,
        "held_by_other",
        "Ben Okafor has it."
      )
    });
    const element = mount(bridge);
    await flush();
    const panel = element.shadowRoot.querySelector("c-digital-error-panel");
    expect(panel.message).toBe("Ben Okafor has it.");
    panel.dispatchEvent(new CustomEvent("retry"));
    await flush();
    expect(bridge.callsTo("POST", "/api/v1/interactions/44/open")).toHaveLength(
      2
    );
  });
});
