import { createElement } from "lwc";
import DigitalTab from "c/digitalTab";
import { DigitalBridge } from "c/digitalBridge";
import { flush, removeAll } from "test/fakeBridge";

jest.mock("c/digitalBridge", () => {
  // eslint-disable-next-line no-undef
  const { FakeBridge: Fake } = require("test/fakeBridge");
  class Bridge extends Fake {
    constructor(options) {
      super(Bridge.answers);
      this.options = options;
      Bridge.last = this;
    }
    connect() {
      return new Promise((resolve) => {
        this.welcome = (agent) => {
          this.emit("bridge.welcome", agent);
          resolve(agent);
        };
      });
    }
    disconnect() {}
  }
  Bridge.answers = {};
  return { DigitalBridge: Bridge };
});

const ANA = {
  user_id: "005000000000001AAA",
  display_name: "Ana Silva",
  org_name: "Acme",
  org_id: "00D"
};

function mount(backendUrl = "https://digital-tab.example.com/canvas") {
  DigitalBridge.answers = {
    "GET /api/v1/my-interactions": { items: [], unread_total: 0 },
    "GET /api/v1/inbox": { items: [] },
    "GET /api/v1/tags": { items: [] }
  };
  const element = createElement("c-digital-tab", { is: DigitalTab });
  element.backendUrl = backendUrl;
  document.body.appendChild(element);
  return element;
}

afterEach(removeAll);

describe("c-digital-tab", () => {
  it("says an admin must set the backend URL when it is missing", () => {
    const element = mount("");
    expect(element.shadowRoot.querySelector(".fatal").textContent).toContain(
      "Backend URL"
    );
  });

  it("talks to the backend's origin only, and shows the tab once the bridge welcomes it", async () => {
    const element = mount();
    expect(DigitalBridge.last.options).toEqual({
      backendOrigin: "https://digital-tab.example.com"
    });
    expect(element.shadowRoot.querySelector(".waiting")).not.toBeNull();
    expect(element.shadowRoot.querySelector("c-digital-inbox")).toBeNull();
    DigitalBridge.last.welcome(ANA);
    await flush();
    expect(element.shadowRoot.querySelector(".agent").textContent).toBe(
      "Ana Silva · Acme"
    );
    expect(element.shadowRoot.querySelector("c-digital-inbox")).not.toBeNull();
    expect(
      element.shadowRoot.querySelector("c-digital-switch-list")
    ).not.toBeNull();
    expect(element.shadowRoot.querySelector(".placeholder")).not.toBeNull();
  });

  it("opens what the agent selects, then the disposition form after End", async () => {
    const element = mount();
    DigitalBridge.last.welcome(ANA);
    await flush();
    element.shadowRoot
      .querySelector("c-digital-inbox")
      .dispatchEvent(new CustomEvent("select", { detail: { id: "44" } }));
    await flush();
    const conversation = element.shadowRoot.querySelector(
      "c-digital-conversation"
    );
    expect(conversation.interactionId).toBe("44");
    expect(
      element.shadowRoot.querySelector("c-digital-contact-details")
        .interactionId
    ).toBe("44");
    conversation.dispatchEvent(
      new CustomEvent("ended", {
        detail: {
          id: "44",
          disposition: { case_number: "44", name_id: null, relates_to_id: null }
        }
      })
    );
    await flush();
    const form = element.shadowRoot.querySelector("c-digital-disposition");
    expect([form.interactionId, form.caseNumber]).toEqual(["44", "44"]);
    expect(
      element.shadowRoot.querySelector("c-digital-conversation")
    ).toBeNull();
  });

  it("opens new email and new SMS", async () => {
    const element = mount();
    DigitalBridge.last.welcome(ANA);
    await flush();
    element.shadowRoot.querySelector("lightning-button.new-sms").click();
    await flush();
    expect(element.shadowRoot.querySelector("c-digital-outbound").kind).toBe(
      "sms"
    );
    element.shadowRoot.querySelector("lightning-button.new-email").click();
    await flush();
    expect(element.shadowRoot.querySelector("c-digital-outbound").kind).toBe(
      "email"
    );
  });

  it("shows an interrupted connection and an ended session so a person can act", async () => {
    const element = mount();
    DigitalBridge.last.welcome(ANA);
    await flush();
    DigitalBridge.last.emit("connection.lost", { reason: "transport close" });
    await flush();
    expect(element.shadowRoot.querySelector(".interrupted")).not.toBeNull();
    DigitalBridge.last.emit("ready", { latest: 9 });
    await flush();
    expect(element.shadowRoot.querySelector(".interrupted")).toBeNull();
    DigitalBridge.last.emit("connection.error", {
      code: "session_revoked",
      message: "You were signed out."
    });
    await flush();
    expect(element.shadowRoot.querySelector(".fatal").textContent).toContain(
      "You were signed out."
    );
    expect(
      element.shadowRoot.querySelector("lightning-button.reload")
    ).not.toBeNull();
  });

  it("raises a toast when Salesforce refuses a write for good", async () => {
    const element = mount();
    const toasts = jest.fn();
    element.addEventListener("lightning__showtoast", toasts);
    DigitalBridge.last.welcome(ANA);
    await flush();
    DigitalBridge.last.emit("write.changed", {
      state: "failed",
      record: { type: "Digital_Interaction__c", external_id: "44" },
      last_error: "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    });
    expect(toasts.mock.calls[0][0].detail).toMatchObject({
      title: "Not written to Salesforce",
      variant: "error"
    });
  });
});
