import { createElement } from "lwc";
import DigitalOutbound from "c/digitalOutbound";
import { FakeBridge, FakeBridgeError, flush, removeAll } from "test/fakeBridge";

const CHANNELS = {
  items: [
    {
      id: "sms-1",
      name: "SMS +1 555",
      kind: "sms",
      outbound: true,
      attachments: false,
      rich_text: false,
      subject: false
    },
    {
      id: "chat-1",
      name: "Web chat",
      kind: "chat",
      outbound: false,
      attachments: true,
      rich_text: false,
      subject: false
    },
    {
      id: "email-1",
      name: "Support email",
      kind: "email",
      outbound: true,
      attachments: true,
      rich_text: true,
      subject: true
    }
  ]
};

function mount(bridge, kind) {
  const element = createElement("c-digital-outbound", { is: DigitalOutbound });
  element.bridge = bridge;
  element.kind = kind;
  document.body.appendChild(element);
  return element;
}

function fill(element, selector, value) {
  element.shadowRoot
    .querySelector(selector)
    .dispatchEvent(new CustomEvent("change", { detail: { value } }));
}

afterEach(removeAll);

describe("c-digital-outbound", () => {
  it("sends a new SMS on the outbound SMS channel", async () => {
    const send = jest.fn(() => ({
      interaction: { id: "90", case_number: "90" },
      message: {}
    }));
    const bridge = new FakeBridge({
      "GET /api/v1/channels": CHANNELS,
      "POST /api/v1/outbound/sms": send
    });
    const element = mount(bridge, "sms");
    const sent = jest.fn();
    element.addEventListener("sent", sent);
    await flush();
    expect(
      element.shadowRoot.querySelector("lightning-combobox.channel").options
    ).toEqual([{ label: "SMS +1 555", value: "sms-1" }]);
    fill(element, "lightning-input.to", "+15550100");
    fill(element, "lightning-textarea.body", "Your replacement ships today");
    await flush();
    element.shadowRoot.querySelector("lightning-button.send").click();
    await flush();
    expect(send.mock.calls[0][0]).toEqual({
      channel_id: "sms-1",
      to: "+15550100",
      text: "Your replacement ships today",
      name_id: null,
      relates_to_id: null
    });
    expect(sent.mock.calls[0][0].detail).toEqual({
      interaction: { id: "90", case_number: "90" },
      kind: "sms"
    });
  });

  it("refuses a phone number that is not international before sending", async () => {
    const bridge = new FakeBridge({ "GET /api/v1/channels": CHANNELS });
    const element = mount(bridge, "sms");
    await flush();
    fill(element, "lightning-input.to", "555-0100");
    fill(element, "lightning-textarea.body", "Hi");
    await flush();
    element.shadowRoot.querySelector("lightning-button.send").click();
    await flush();
    expect(element.shadowRoot.querySelector(".error").textContent).toContain(
      "+15551234567"
    );
    expect(bridge.callsTo("POST", "/api/v1/outbound")).toHaveLength(0);
  });

  it("sends a new email with a subject, rich text and what the backend says when it refuses", async () => {
    const bridge = new FakeBridge({
      "GET /api/v1/channels": CHANNELS,
      "POST /api/v1/outbound/email": new FakeBridgeError(
        403,
        "not_in_outbound_queue",
        "You are not in an outbound email queue."
      )
    });
    const element = mount(bridge, "email");
    await flush();
    fill(element, "lightning-input.to", "maria.santos@example.net");
    fill(element, "lightning-input.subject", "Your order");
    fill(element, "lightning-input-rich-text.body", "<p>Hello</p>");
    await flush();
    element.shadowRoot.querySelector("lightning-button.send").click();
    await flush();
    expect(
      bridge.callsTo("POST", "/api/v1/outbound/email")[0].body
    ).toMatchObject({
      channel_id: "email-1",
      to: "maria.santos@example.net",
      subject: "Your order",
      body: "<p>Hello</p>"
    });
    expect(element.shadowRoot.querySelector(".error").textContent).toBe(
      "You are not in an outbound email queue."
    );
  });
});
