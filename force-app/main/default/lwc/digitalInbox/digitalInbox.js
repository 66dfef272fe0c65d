import { LightningElement, api } from "lwc";

const SORTS = [
  { label: "Received", value: "received" },
  { label: "Priority", value: "priority" },
  { label: "Channel", value: "channel" }
];
const ALL_TAGS = "";
// ready: (re)connected, possibly after missing events; resync: too far behind to replay.
const LIVE_EVENTS = [
  "interaction.changed",
  "interaction.removed",
  "message.added",
  "ready",
  "resync"
];

/**
 * The inbox, through c/digitalBridge (passed in by the tab). Fires `select` with
 * detail {id} when the agent opens an item.
 */
export default class DigitalInbox extends LightningElement {
  @api bridge;

  sort = "received";
  tag = ALL_TAGS;
  tags = [];
  items = [];
  unreadTotal = 0;
  error;
  loading = false;
  announcement = "";
  _unsubscribe = [];

  get sortOptions() {
    return SORTS;
  }

  get tagOptions() {
    return [
      { label: "All tags", value: ALL_TAGS },
      ...this.tags.map((t) => ({ label: t.title, value: String(t.id) }))
    ];
  }

  get rows() {
    return this.items.map((item) => ({
      ...item,
      rowClass: item.is_new ? "slds-item slds-text-title_bold" : "slds-item",
      label: `${item.customer.name || item.customer.digital_id} · ${item.channel.kind}${
        item.is_new ? " · new" : ""
      }`,
      // What an agent scans before opening: channel, tags, and who holds it already.
      meta: [
        item.channel.kind,
        ...(item.tags || []).map((t) => `#${t.title}`),
        item.assignee ? `with ${item.assignee.name}` : ""
      ]
        .filter(Boolean)
        .join(" · ")
    }));
  }

  get isEmpty() {
    return !this.loading && !this.error && this.items.length === 0;
  }

  get unreadLabel() {
    return `${this.unreadTotal} unread`;
  }

  connectedCallback() {
    this._unsubscribe = LIVE_EVENTS.map((name) =>
      this.bridge.on(name, (event) => this.handleLive(name, event))
    );
    this.load();
    this.loadTags();
  }

  disconnectedCallback() {
    this._unsubscribe.forEach((unsubscribe) => unsubscribe());
  }

  async loadTags() {
    try {
      this.tags = (await this.bridge.call("GET", "/api/v1/tags")).items;
    } catch {
      this.tags = []; // the filter is optional; the inbox itself still loads
    }
  }

  async load() {
    this.loading = true;
    const query = new URLSearchParams({ sort: this.sort, limit: "50" });
    if (this.tag !== ALL_TAGS) {
      query.append("tag", this.tag);
    }
    try {
      const [page, mine] = await Promise.all([
        this.bridge.call("GET", `/api/v1/inbox?${query}`),
        this.bridge.call("GET", "/api/v1/my-interactions")
      ]);
      this.items = page.items;
      this.unreadTotal = mine.unread_total;
      this.error = undefined;
    } catch (error) {
      this.error = error.message;
    } finally {
      this.loading = false;
    }
  }

  handleSort(event) {
    this.sort = event.detail.value;
    this.load();
  }

  handleTag(event) {
    this.tag = event.detail.value;
    this.load();
  }

  handleRetry() {
    this.load();
  }

  handleOpen(event) {
    this.dispatchEvent(
      new CustomEvent("select", {
        detail: { id: event.currentTarget.dataset.id }
      })
    );
  }

  handleLive(name, event) {
    if (
      name === "message.added" ||
      (name === "interaction.changed" && event && event.status === "new")
    ) {
      this.announcement = `New message on interaction ${event.id}`;
    }
    this.load();
  }
}
