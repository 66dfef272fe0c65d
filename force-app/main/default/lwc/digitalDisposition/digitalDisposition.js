import { LightningElement, api } from "lwc";

const MAX_NOTES = 32000;

function linked(link) {
  return link
    ? {
        id: link.id,
        type: link.type,
        label: `${link.type} ${link.id}`,
        url: null
      }
    : null;
}

/**
 * The disposition form after End: Name (Account or Lead), Relates To (Case), notes. Saving keeps
 * it durably in the backend, which writes it to Salesforce (retrying when Salesforce cannot be
 * reached). Fires `saved` ({disposition}).
 */
export default class DigitalDisposition extends LightningElement {
  @api bridge;
  @api interactionId;
  @api caseNumber;

  name = null;
  relatesTo = null;
  notes = "";
  error;
  saving = false;
  saved;

  @api
  get start() {
    return this._start;
  }
  set start(value) {
    this._start = value;
    if (value) {
      this.name = value.name_id
        ? linked({
            id: value.name_id,
            type: value.name_id.startsWith("00Q") ? "Lead" : "Account"
          })
        : null;
      this.relatesTo = value.relates_to_id
        ? linked({ id: value.relates_to_id, type: "Case" })
        : null;
    }
  }

  get heading() {
    return `Disposition for interaction ${this.caseNumber || this.interactionId}`;
  }

  get maxNotes() {
    return MAX_NOTES;
  }

  get statusText() {
    if (!this.saved) {
      return "";
    }
    return this.saved.writeback_status === "written"
      ? "Saved and written to Salesforce."
      : "Saved. It is being written to Salesforce; if Salesforce cannot be reached now, it is retried.";
  }

  renderedCallback() {
    if (!this._focused) {
      this._focused = true;
      const heading = this.template.querySelector(".heading");
      if (heading) {
        heading.focus(); // screen readers announce the form that just opened
      }
    }
  }

  handleName(event) {
    this.name = event.detail.record;
  }

  handleCase(event) {
    this.relatesTo = event.detail.record;
  }

  handleNotes(event) {
    this.notes = event.detail.value;
  }

  async handleSave() {
    this.saving = true;
    this.error = undefined;
    try {
      this.saved = await this.bridge.call(
        "PUT",
        `/api/v1/interactions/${encodeURIComponent(this.interactionId)}/disposition`,
        {
          name_id: this.name ? this.name.id : null,
          relates_to_id: this.relatesTo ? this.relatesTo.id : null,
          notes: this.notes
        }
      );
      this.dispatchEvent(
        new CustomEvent("saved", { detail: { disposition: this.saved } })
      );
    } catch (error) {
      this.error = error.message; // the form keeps what was typed
    } finally {
      this.saving = false;
    }
  }

  handleClose() {
    this.dispatchEvent(new CustomEvent("close"));
  }
}
