import { LightningElement, api } from "lwc";

const LIVE_EVENTS = [
  "unread.changed",
  "interaction.changed",
  "interaction.removed"
];

/**
 * The switch list: the interactions assigned to this agent, with unread counts. Fires `select`
 * ({id}) when the agent switches to one.
 */
export default class DigitalSwitchList extends LightningElement {
  @api bridge;
  @api selectedId;

  items = [];
  unreadTotal = 0;
  error;
  _unsubscribe = [];

  get rows() {
    return this.items.map((item) => {
      const selected = String(item.id) === String(this.selectedId);
      return {
        ...item,
        name: item.customer.name || item.customer.digital_id,
        rowClass: `slds-nav-vertical__item${selected ? " slds-is-active" : ""}`,
        current: selected ? "page" : null,
        hasUnread: item.unread > 0,
        unreadLabel: `${item.unread} unread`
      };
    });
  }

  get isEmpty() {
    return !this.error && this.items.length === 0;
  }

  get heading() {
    return this.unreadTotal
      ? `My interactions (${this.unreadTotal} unread)`
      : "My interactions";
  }

  connectedCallback() {
    this._unsubscribe = LIVE_EVENTS.map((name) =>
      this.bridge.on(name, () => this.load())
    );
    this._unsubscribe.push(this.bridge.on("ready", () => this.load()));
    this.load();
  }

  disconnectedCallback() {
    this._unsubscribe.forEach((unsubscribe) => unsubscribe());
  }

  @api
  async load() {
    try {
      const mine = await this.bridge.call("GET", "/api/v1/my-interactions");
      this.items = mine.items;
      this.unreadTotal = mine.unread_total;
      this.error = undefined;
    } catch (error) {
      this.error = error.message;
    }
  }

  handleSelect(event) {
    event.preventDefault();
    this.dispatchEvent(
      new CustomEvent("select", {
        detail: { id: event.currentTarget.dataset.id }
      })
    );
  }
}
