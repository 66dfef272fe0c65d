import { LightningElement, api } from "lwc";

const SEARCH_DELAY_MS = 300;
const MIN_CHARS = 2;

/**
 * Finds a Salesforce record as the agent (GET /api/v1/salesforce/search): kind "name" for an
 * Account or Lead, "case" for a Case. Shows the choice with a link that opens the record.
 * Fires `recordchange` with detail {record} (null when cleared); not `change`, which the search
 * input's own change events would be mistaken for.
 */
export default class DigitalRecordPicker extends LightningElement {
  @api bridge;
  @api kind = "name";
  @api label = "Record";
  @api placeholder = "Search…";

  results = [];
  term = "";
  error;
  searching = false;
  _record = null;
  _timer;
  _latest = 0;

  @api
  get record() {
    return this._record;
  }
  set record(value) {
    this._record = value || null;
  }

  get hasResults() {
    return this.results.length > 0 && !this._record;
  }

  get listboxId() {
    return `${this.kind}-results`;
  }

  get options() {
    return this.results.map((r) => ({
      ...r,
      optionLabel: `${r.type}: ${r.label}`,
      icon:
        r.type === "Case"
          ? "standard:case"
          : r.type === "Lead"
            ? "standard:lead"
            : "standard:account"
    }));
  }

  get chosenIcon() {
    const type = this._record && this._record.type;
    return type === "Case"
      ? "standard:case"
      : type === "Lead"
        ? "standard:lead"
        : "standard:account";
  }

  disconnectedCallback() {
    clearTimeout(this._timer);
  }

  handleInput(event) {
    this.term = event.target.value;
    clearTimeout(this._timer);
    if (this.term.trim().length < MIN_CHARS) {
      this.results = [];
      return;
    }
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    this._timer = setTimeout(() => this.search(), SEARCH_DELAY_MS);
  }

  async search() {
    const ticket = ++this._latest;
    this.searching = true;
    this.error = undefined;
    const query = new URLSearchParams({ kind: this.kind, q: this.term.trim() });
    try {
      const answer = await this.bridge.call(
        "GET",
        `/api/v1/salesforce/search?${query}`
      );
      if (ticket === this._latest) {
        this.results = answer.items;
        if (!answer.items.length) {
          this.error = `Nothing found for “${this.term.trim()}”.`;
        }
      }
    } catch (error) {
      if (ticket === this._latest) {
        this.results = [];
        this.error = error.message;
      }
    } finally {
      if (ticket === this._latest) {
        this.searching = false;
      }
    }
  }

  handlePick(event) {
    const picked = this.results.find(
      (r) => r.id === event.currentTarget.dataset.id
    );
    this._record = picked;
    this.results = [];
    this.dispatchEvent(
      new CustomEvent("recordchange", { detail: { record: picked } })
    );
  }

  handleClear() {
    this._record = null;
    this.term = "";
    this.dispatchEvent(
      new CustomEvent("recordchange", { detail: { record: null } })
    );
  }
}
