import { createElement } from "lwc";
import DigitalTransfer from "c/digitalTransfer";
import { FakeBridge, FakeBridgeError, flush, removeAll } from "test/fakeBridge";

function mount(bridge) {
  const element = createElement("c-digital-transfer", { is: DigitalTransfer });
  element.bridge = bridge;
  element.interactionId = "44";
  document.body.appendChild(element);
  return element;
}

afterEach(removeAll);

describe("c-digital-transfer", () => {
  it("lists the queues and transfers to the chosen one", async () => {
    const transfer = jest.fn(() => ({
      interaction: {},
      transfer_count: 1,
      master_contact_id: null,
      came_back: false
    }));
    const bridge = new FakeBridge({
      "GET /api/v1/transfer-targets": {
        items: [{ id: "q2", name: "Billing" }]
      },
      "POST /api/v1/interactions/44/transfer": transfer
    });
    const element = mount(bridge);
    const transferred = jest.fn();
    element.addEventListener("transferred", transferred);
    await flush();
    const queue = element.shadowRoot.querySelector("lightning-combobox.queue");
    expect(queue.options).toEqual([{ label: "Billing", value: "q2" }]);
    expect(
      element.shadowRoot.querySelector("lightning-button.confirm").disabled
    ).toBe(true);
    queue.dispatchEvent(new CustomEvent("change", { detail: { value: "q2" } }));
    await flush();
    element.shadowRoot.querySelector("lightning-button.confirm").click();
    await flush();
    expect(transfer.mock.calls[0][0]).toEqual({ routing_queue_id: "q2" });
    expect(transferred.mock.calls[0][0].detail.queueName).toBe("Billing");
  });

  it("says why a transfer was refused and stays open; Escape cancels", async () => {
    const bridge = new FakeBridge({
      "GET /api/v1/transfer-targets": {
        items: [{ id: "q2", name: "Billing" }]
      },
      "POST /api/v1/interactions/44/transfer": new FakeBridgeError(
        409,
        "not_assigned",
        "It is no longer yours."
      )
    });
    const element = mount(bridge);
    const cancel = jest.fn();
    element.addEventListener("cancel", cancel);
    await flush();
    element.shadowRoot
      .querySelector("lightning-combobox.queue")
      .dispatchEvent(new CustomEvent("change", { detail: { value: "q2" } }));
    await flush();
    element.shadowRoot.querySelector("lightning-button.confirm").click();
    await flush();
    expect(element.shadowRoot.querySelector(".error").textContent).toBe(
      "It is no longer yours."
    );
    element.shadowRoot
      .querySelector("section")
      .dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    expect(cancel).toHaveBeenCalled();
  });
});
