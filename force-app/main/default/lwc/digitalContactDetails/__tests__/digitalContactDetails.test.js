import { createElement } from "lwc";
import DigitalContactDetails from "c/digitalContactDetails";
import { FakeBridge, FakeBridgeError, flush, removeAll } from "test/fakeBridge";

const DETAILS = {
  case_number: "44",
  channel_kind: "sms",
  digital_id: "+15550100",
  customer_name: "Maria Santos",
  name: { type: "Lead", id: "00Q000000000001AAA" },
  relates_to: null,
  master_contact_id: null,
  transfer_count: 1,
  notes: [{ id: "n1", text: "Prefers SMS", created_at: "2026-11-29T10:00:00Z" }]
};

function mount(bridge) {
  const element = createElement("c-digital-contact-details", {
    is: DigitalContactDetails
  });
  element.bridge = bridge;
  element.interactionId = "44";
  document.body.appendChild(element);
  return element;
}

afterEach(removeAll);

describe("c-digital-contact-details", () => {
  it("shows the customer, the links and the agent's private notes", async () => {
    const element = mount(
      new FakeBridge({ "GET /api/v1/interactions/44/contact": DETAILS })
    );
    await flush();
    const text = element.shadowRoot.querySelector(".details").textContent;
    expect(text).toContain("Maria Santos");
    expect(text).toContain("Lead 00Q000000000001AAA");
    expect(text).toContain("Not linked");
    const notes = [...element.shadowRoot.querySelectorAll(".note-text")].map(
      (n) => n.textContent
    );
    expect(notes).toEqual(["Prefers SMS"]);
  });

  it("adds a private note on top; a refused note keeps the draft", async () => {
    const answers = {
      "GET /api/v1/interactions/44/contact": DETAILS,
      "POST /api/v1/interactions/44/notes": (body) => ({
        id: "n2",
        text: body.text,
        created_at: "2026-11-30T10:00:00Z"
      })
    };
    const bridge = new FakeBridge(answers);
    const element = mount(bridge);
    await flush();
    const draft = element.shadowRoot.querySelector("lightning-textarea.note");
    draft.dispatchEvent(
      new CustomEvent("change", { detail: { value: "  Called back  " } })
    );
    await flush();
    element.shadowRoot.querySelector("lightning-button.add-note").click();
    await flush();
    expect(
      bridge.callsTo("POST", "/api/v1/interactions/44/notes")[0].body
    ).toEqual({ text: "Called back" });
    const notes = [...element.shadowRoot.querySelectorAll(".note-text")].map(
      (n) => n.textContent
    );
    expect(notes).toEqual(["Called back", "Prefers SMS"]);

    answers["POST /api/v1/interactions/44/notes"] = new FakeBridgeError(
      400,
      "too_long",
      "A note has at most 10,000 characters."
    );
    draft.dispatchEvent(
      new CustomEvent("change", { detail: { value: "again" } })
    );
    await flush();
    element.shadowRoot.querySelector("lightning-button.add-note").click();
    await flush();
    expect(
      element.shadowRoot.querySelector(".note-error").textContent
    ).toContain("10,000");
    expect(
      element.shadowRoot.querySelector("lightning-textarea.note").value
    ).toBe("again");
  });
});
