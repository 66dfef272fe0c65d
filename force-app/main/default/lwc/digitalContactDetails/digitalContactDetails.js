import { LightningElement, api } from "lwc";

const MAX_NOTE = 10000;

/**
 * Contact details of the open interaction's customer, and the agent's own private notes on them
 * (only this agent ever sees them; they are written to Salesforce as private records).
 */
export default class DigitalContactDetails extends LightningElement {
  @api bridge;

  details;
  error;
  noteError;
  draft = "";
  adding = false;
  _id;

  @api
  get interactionId() {
    return this._id;
  }
  set interactionId(value) {
    if (value !== this._id) {
      this._id = value;
      this.draft = "";
      if (this._connected && value) {
        this.load();
      }
    }
  }

  connectedCallback() {
    this._connected = true;
    if (this._id) {
      this.load();
    }
  }

  disconnectedCallback() {
    this._connected = false;
  }

  get maxNote() {
    return MAX_NOTE;
  }

  get notes() {
    return (this.details ? this.details.notes : []).map((note) => ({
      ...note,
      when: new Date(note.created_at).toLocaleString()
    }));
  }

  get hasNotes() {
    return this.notes.length > 0;
  }

  get nameText() {
    const link = this.details && this.details.name;
    return link ? `${link.type} ${link.id}` : "Not linked";
  }

  get relatesToText() {
    const link = this.details && this.details.relates_to;
    return link ? `${link.type} ${link.id}` : "Not linked";
  }

  get addDisabled() {
    return this.adding || !this.draft.trim();
  }

  @api
  async load() {
    try {
      this.details = await this.bridge.call(
        "GET",
        `/api/v1/interactions/${encodeURIComponent(this._id)}/contact`
      );
      this.error = undefined;
    } catch (error) {
      this.error = error.message;
    }
  }

  handleDraft(event) {
    this.draft = event.detail.value;
  }

  async handleAdd() {
    this.adding = true;
    this.noteError = undefined;
    try {
      const note = await this.bridge.call(
        "POST",
        `/api/v1/interactions/${encodeURIComponent(this._id)}/notes`,
        { text: this.draft.trim() }
      );
      this.details = { ...this.details, notes: [note, ...this.details.notes] };
      this.draft = "";
    } catch (error) {
      this.noteError = error.message; // the draft stays
    } finally {
      this.adding = false;
    }
  }

  handleRetry() {
    this.load();
  }
}
