import { LightningElement, api } from "lwc";

/**
 * The transfer dialog (inline in the conversation): the digital routing queues this agent may
 * transfer to. Fires `transferred` ({result}) or `cancel`.
 */
export default class DigitalTransfer extends LightningElement {
  @api bridge;
  @api interactionId;

  targets = [];
  queue = "";
  error;
  busy = false;

  get options() {
    return this.targets.map((t) => ({ label: t.name, value: t.id }));
  }

  get transferDisabled() {
    return this.busy || !this.queue;
  }

  connectedCallback() {
    this.load();
  }

  renderedCallback() {
    if (!this._focused && this.targets.length) {
      this._focused = true;
      const select = this.template.querySelector("lightning-combobox");
      if (select && select.focus) {
        select.focus(); // keyboard users land in the dialog
      }
    }
  }

  async load() {
    try {
      this.targets = (
        await this.bridge.call("GET", "/api/v1/transfer-targets")
      ).items;
      this.error = this.targets.length
        ? undefined
        : "There is no queue to transfer to.";
    } catch (error) {
      this.error = error.message;
    }
  }

  handleQueue(event) {
    this.queue = event.detail.value;
  }

  handleCancel() {
    this.dispatchEvent(new CustomEvent("cancel"));
  }

  handleKeydown(event) {
    if (event.key === "Escape") {
      this.handleCancel();
    }
  }

  async handleTransfer() {
    this.busy = true;
    this.error = undefined;
    try {
      const result = await this.bridge.call(
        "POST",
        `/api/v1/interactions/${encodeURIComponent(this.interactionId)}/transfer`,
        { routing_queue_id: this.queue }
      );
      const queue = this.targets.find((t) => t.id === this.queue);
      this.dispatchEvent(
        new CustomEvent("transferred", {
          detail: { result, queueName: queue ? queue.name : this.queue }
        })
      );
    } catch (error) {
      this.error = error.message;
    } finally {
      this.busy = false;
    }
  }
}
