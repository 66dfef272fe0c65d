import { LightningElement, api } from "lwc";

const EMOJI = ["🙂", "😀", "👍", "🙏", "🎉", "❤️", "😢", "👋", "✅", "⭐"];
const STATUS_LABELS = {
  new: "New",
  open: "Open",
  pending: "Pending",
  escalated: "Escalated",
  resolved: "Resolved",
  closed: "Closed",
  trashed: "Trashed"
};

function plainText(html) {
  const scratch = document.createElement("div");
  // eslint-disable-next-line @lwc/lwc/no-inner-html
  scratch.innerHTML = html;
  return scratch.textContent.trim();
}

/**
 * One interaction: the thread and the composer (emoji, attachments, rich text where the channel
 * allows it), Resolve, Transfer and End. Opening it claims it (POST …/open). Fires `ended`
 * ({id, disposition}), `transferred` ({result}) and `notify` ({title, message, variant}).
 */
export default class DigitalConversation extends LightningElement {
  @api bridge;

  conversation;
  error;
  sendError;
  loading = false;
  sending = false;
  text = "";
  files = [];
  transferring = false;
  announcement = "";
  _id;
  _unsubscribe = [];

  @api
  get interactionId() {
    return this._id;
  }
  set interactionId(value) {
    if (value !== this._id) {
      this._id = value;
      this.text = "";
      this.files = [];
      this.transferring = false;
      if (this._connected && value) {
        this.open();
      }
    }
  }

  connectedCallback() {
    this._connected = true;
    this._unsubscribe = [
      this.bridge.on("message.added", (e) => this.handleLive(e, true)),
      this.bridge.on("interaction.changed", (e) => this.handleLive(e, false)),
      this.bridge.on("interaction.removed", (e) => this.handleLive(e, false))
    ];
    if (this._id) {
      this.open();
    }
  }

  disconnectedCallback() {
    this._connected = false;
    this._unsubscribe.forEach((unsubscribe) => unsubscribe());
  }

  get interaction() {
    return this.conversation && this.conversation.interaction;
  }

  get channel() {
    return this.conversation && this.conversation.channel;
  }

  get title() {
    if (!this.interaction) {
      return "Conversation";
    }
    const customer = this.interaction.customer;
    return `${customer.name || customer.digital_id} · ${this.channel.name}`;
  }

  get statusLabel() {
    return this.interaction ? STATUS_LABELS[this.interaction.status] : "";
  }

  get statusClass() {
    const status = this.interaction && this.interaction.status;
    return status === "resolved" || status === "closed"
      ? "status slds-badge slds-theme_success"
      : "status slds-badge slds-badge_inverse";
  }

  get messages() {
    return (this.conversation ? this.conversation.messages : []).map((m) => ({
      ...m,
      key: m.id,
      itemClass:
        m.direction === "outbound"
          ? "slds-chat-listitem slds-chat-listitem_outbound"
          : "slds-chat-listitem slds-chat-listitem_inbound",
      bubbleClass:
        m.direction === "outbound"
          ? "slds-chat-message__text slds-chat-message__text_outbound"
          : "slds-chat-message__text slds-chat-message__text_inbound",
      meta: `${m.author.name}${m.created_at ? " · " + new Date(m.created_at).toLocaleString() : ""}`,
      hasAttachments: m.attachments.length > 0
    }));
  }

  get richText() {
    return Boolean(this.channel && this.channel.rich_text);
  }

  get canAttach() {
    return Boolean(this.channel && this.channel.attachments);
  }

  get emojiOptions() {
    return EMOJI.map((emoji) => ({ label: emoji, value: emoji }));
  }

  get sendDisabled() {
    return this.sending || !this.hasText;
  }

  get hasText() {
    return (this.richText ? plainText(this.text) : this.text.trim()).length > 0;
  }

  get isClosed() {
    const status = this.interaction && this.interaction.status;
    return status === "closed" || status === "trashed";
  }

  /** Opening claims; a resolved or closed one (a new SMS just sent, say) is only read. */
  async open() {
    this.loading = true;
    this.error = undefined;
    const path = `/api/v1/interactions/${encodeURIComponent(this._id)}`;
    try {
      this.conversation = await this.bridge.call("POST", `${path}/open`);
    } catch (error) {
      if (error.code === "not_open") {
        await this.reload();
      } else {
        this.conversation = undefined;
        this.error = error.message;
      }
    } finally {
      this.loading = false;
    }
  }

  async reload() {
    try {
      this.conversation = await this.bridge.call(
        "GET",
        `/api/v1/interactions/${encodeURIComponent(this._id)}`
      );
    } catch (error) {
      this.error = error.message;
    }
  }

  handleLive(event, isMessage) {
    if (!this._id || !event || String(event.id) !== String(this._id)) {
      return;
    }
    if (isMessage) {
      this.announcement = `New message from ${this.interaction ? this.interaction.customer.name : "the customer"}`;
    }
    this.reload();
  }

  handleText(event) {
    this.text =
      event.detail.value !== undefined
        ? event.detail.value
        : event.target.value;
  }

  handleEmoji(event) {
    const emoji = event.detail.value;
    this.text =
      this.richText && this.text.endsWith("</p>")
        ? `${this.text.slice(0, -4)}${emoji}</p>`
        : `${this.text}${emoji}`;
  }

  handleFiles(event) {
    this.files = event.detail.files;
    this.sendError = event.detail.error;
  }

  /**
   * After a reply the interaction is Resolved and CXone unassigns it; when the customer writes
   * again it is back in the queue. Acting on it from this screen claims it again first (which
   * fails, saying who, if another agent took it meanwhile).
   */
  async ensureClaimed() {
    if (this.interaction && this.interaction.assignee) {
      return true;
    }
    try {
      this.conversation = await this.bridge.call(
        "POST",
        `/api/v1/interactions/${encodeURIComponent(this._id)}/open`
      );
      return true;
    } catch (error) {
      this.sendError = error.message;
      return false;
    }
  }

  async handleSend() {
    if (this.sendDisabled) {
      return;
    }
    this.sending = true;
    this.sendError = undefined;
    if (!(await this.ensureClaimed())) {
      this.sending = false;
      return;
    }
    const body = this.richText
      ? { text: this.text, html: true }
      : { text: this.text.trim(), html: false };
    try {
      const sent = await this.bridge.call(
        "POST",
        `/api/v1/interactions/${encodeURIComponent(this._id)}/reply`,
        body,
        this.files.length ? this.files : undefined
      );
      this.conversation = {
        ...this.conversation,
        interaction: sent.interaction,
        messages: [...this.conversation.messages, sent.message]
      };
      this.text = "";
      this.files = [];
      this.notify(
        "Sent",
        "Your reply was sent; the interaction is Resolved.",
        "success"
      );
    } catch (error) {
      this.sendError = error.message; // the draft and the files stay for another try
    } finally {
      this.sending = false;
    }
  }

  handleKeydown(event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      this.handleSend();
    }
  }

  async handleResolve() {
    await this.act("resolve", (answer) => {
      this.conversation = {
        ...this.conversation,
        interaction: answer.interaction
      };
      this.notify("Resolved", "The interaction is Resolved.", "success");
    });
  }

  async handleEnd() {
    await this.act("end", (answer) => {
      this.conversation = {
        ...this.conversation,
        interaction: answer.interaction
      };
      this.dispatchEvent(
        new CustomEvent("ended", {
          detail: { id: this._id, disposition: answer.disposition }
        })
      );
    });
  }

  async handleTransfer() {
    this.sendError = undefined;
    if (await this.ensureClaimed()) {
      this.transferring = true;
    }
  }

  handleTransferCancel() {
    this.transferring = false;
  }

  handleTransferred(event) {
    this.transferring = false;
    this.dispatchEvent(
      new CustomEvent("transferred", { detail: event.detail })
    );
  }

  handleRetry() {
    this.open();
  }

  async act(action, done) {
    this.sendError = undefined;
    if (!(await this.ensureClaimed())) {
      return;
    }
    try {
      done(
        await this.bridge.call(
          "POST",
          `/api/v1/interactions/${encodeURIComponent(this._id)}/${action}`
        )
      );
    } catch (error) {
      this.sendError = error.message;
    }
  }

  notify(title, message, variant) {
    this.dispatchEvent(
      new CustomEvent("notify", { detail: { title, message, variant } })
    );
  }
}
