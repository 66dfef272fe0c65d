import { createElement } from "lwc";
import DigitalDisposition from "c/digitalDisposition";
import { FakeBridge, FakeBridgeError, flush, removeAll } from "test/fakeBridge";

const CASE = {
  id: "500000000000001AAA",
  type: "Case",
  label: "00001001 Delivery arrived damaged",
  detail: "",
  url: "/lightning/r/Case/500000000000001AAA/view"
};
const LEAD = {
  id: "00Q000000000001AAA",
  type: "Lead",
  label: "Maria Santos",
  detail: "",
  url: "/lightning/r/Lead/00Q000000000001AAA/view"
};

function mount(
  bridge,
  start = { case_number: "44", name_id: null, relates_to_id: null }
) {
  const element = createElement("c-digital-disposition", {
    is: DigitalDisposition
  });
  element.bridge = bridge;
  element.interactionId = "44";
  element.caseNumber = "44";
  element.start = start;
  document.body.appendChild(element);
  return element;
}

afterEach(removeAll);

describe("c-digital-disposition", () => {
  it("saves Name, Relates To and notes, then says it is being written to Salesforce", async () => {
    const save = jest.fn((body) => ({
      id: "d1",
      case_number: "44",
      name: { type: "Lead", id: body.name_id },
      relates_to: { type: "Case", id: body.relates_to_id },
      notes: body.notes,
      writeback_status: "pending",
      created_at: "2026-11-30T10:00:00Z"
    }));
    const bridge = new FakeBridge({
      "PUT /api/v1/interactions/44/disposition": save
    });
    const element = mount(bridge);
    const saved = jest.fn();
    element.addEventListener("saved", saved);
    await flush();
    const [name, relates] = element.shadowRoot.querySelectorAll(
      "c-digital-record-picker"
    );
    expect([name.kind, relates.kind]).toEqual(["name", "case"]);
    name.dispatchEvent(
      new CustomEvent("recordchange", { detail: { record: LEAD } })
    );
    // The search input's own change event reaching the form must not clear the choice.
    name.dispatchEvent(new CustomEvent("change", { detail: { value: "Mar" } }));
    relates.dispatchEvent(
      new CustomEvent("recordchange", { detail: { record: CASE } })
    );
    element.shadowRoot
      .querySelector("lightning-textarea.notes")
      .dispatchEvent(
        new CustomEvent("change", { detail: { value: "Replacement sent" } })
      );
    element.shadowRoot.querySelector("lightning-button.save").click();
    await flush();
    expect(save.mock.calls[0][0]).toEqual({
      name_id: LEAD.id,
      relates_to_id: CASE.id,
      notes: "Replacement sent"
    });
    expect(saved).toHaveBeenCalled();
    expect(element.shadowRoot.querySelector(".saved").textContent).toContain(
      "being written to Salesforce"
    );
  });

  it("starts from the links already set on the interaction", async () => {
    const element = mount(new FakeBridge(), {
      case_number: "44",
      name_id: "001000000000001AAA",
      relates_to_id: "500000000000001AAA"
    });
    await flush();
    const [name, relates] = element.shadowRoot.querySelectorAll(
      "c-digital-record-picker"
    );
    expect(name.record).toMatchObject({
      type: "Account",
      id: "001000000000001AAA"
    });
    expect(relates.record).toMatchObject({
      type: "Case",
      id: "500000000000001AAA"
    });
  });

  it("keeps what was typed when saving fails", async () => {
    const bridge = new FakeBridge({
      "PUT /api/v1/interactions/44/disposition": new FakeBridgeError(
        400,
        "invalid_id",
        "Name must be an Account or Lead id."
      )
    });
    const element = mount(bridge);
    await flush();
    element.shadowRoot
      .querySelector("lightning-textarea.notes")
      .dispatchEvent(
        new CustomEvent("change", { detail: { value: "keep me" } })
      );
    element.shadowRoot.querySelector("lightning-button.save").click();
    await flush();
    expect(element.shadowRoot.querySelector(".error").textContent).toBe(
      "Name must be an Account or Lead id."
    );
    expect(
      element.shadowRoot.querySelector("lightning-textarea.notes").value
    ).toBe("keep me");
  });
});
