import { LightningElement, api } from "lwc";

/** What went wrong, said where it happened, with Try again (fires `retry`). */
export default class DigitalErrorPanel extends LightningElement {
  @api message;

  handleRetry() {
    this.dispatchEvent(new CustomEvent("retry"));
  }
}
