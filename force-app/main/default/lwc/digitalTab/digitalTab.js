import { LightningElement, api } from "lwc";
import { ShowToastEvent } from "lightning/platformShowToastEvent";
import { DigitalBridge } from "c/digitalBridge";

const HANDSHAKE_PATIENCE_MS = 15000;
const SESSION_OVER = [
  "token_expired",
  "session_revoked",
  "session_expired",
  "agent_not_linked"
];

/**
 * The Digital tab: switch list and inbox, the open conversation with its contact details and
 * private notes, the disposition form after End, new email and new SMS. Placed by the Aura host
 * (c:DigitalTabHost) beside the hidden canvas app whose page is the bridge.
 */
export default class DigitalTab extends LightningElement {
  /** The canvas app URL, as in the canvas settings (https://digital-tab.example.com/canvas). */
  @api backendUrl;

  bridge;
  agent;
  fatal;
  interrupted = false;
  selectedId;
  view = "conversation";
  ending;
  announcement = "";
  _unsubscribe = [];

  get ready() {
    return Boolean(this.agent) && !this.fatal;
  }

  get waiting() {
    return !this.agent && !this.fatal;
  }

  get agentLabel() {
    return this.agent
      ? `${this.agent.display_name} · ${this.agent.org_name || this.agent.org_id}`
      : "";
  }

  get showConversation() {
    return this.view === "conversation" && this.selectedId;
  }

  get showPlaceholder() {
    return this.view === "conversation" && !this.selectedId;
  }

  get showEmail() {
    return this.view === "email";
  }

  get showSms() {
    return this.view === "sms";
  }

  get showDisposition() {
    return this.view === "disposition";
  }

  connectedCallback() {
    let origin;
    try {
      origin = new URL(this.backendUrl).origin;
    } catch {
      this.fatal =
        "The Digital tab is not set up: an admin must set its Backend URL (the canvas app URL) on this page.";
      return;
    }
    this.bridge = new DigitalBridge({ backendOrigin: origin });
    this._unsubscribe = [
      this.bridge.on("bridge.welcome", (agent) => {
        this.agent = agent; // also after the canvas reloaded
        this.fatal = undefined;
      }),
      this.bridge.on("ready", () => {
        this.interrupted = false;
      }),
      this.bridge.on("connection.lost", () => {
        this.interrupted = true;
      }),
      this.bridge.on("connection.error", (error) =>
        this.handleConnectionError(error)
      ),
      this.bridge.on("session.renewal_failed", () => {
        this.interrupted = true;
      }),
      this.bridge.on("write.changed", (write) => this.handleWrite(write))
    ];
    // eslint-disable-next-line @lwc/lwc/no-async-operation
    this._patience = setTimeout(() => {
      if (!this.agent) {
        this.fatal =
          "The Digital tab server does not answer. Check that the canvas app is on this page and that its URL is right, then reload.";
      }
    }, HANDSHAKE_PATIENCE_MS);
    this.bridge.connect().then(() => clearTimeout(this._patience));
  }

  disconnectedCallback() {
    clearTimeout(this._patience);
    this._unsubscribe.forEach((unsubscribe) => unsubscribe());
    if (this.bridge) {
      this.bridge.disconnect();
    }
  }

  handleConnectionError(error) {
    if (SESSION_OVER.includes(error && error.code)) {
      this.fatal = `${error.message} Reload the page to sign in again.`;
    } else {
      this.interrupted = true;
    }
  }

  handleWrite(write) {
    if (write && write.state === "failed") {
      this.toast(
        "Not written to Salesforce",
        `${write.record.type} ${write.record.external_id}: ${write.last_error || "refused"}`,
        "error"
      );
    }
  }

  handleSelect(event) {
    this.selectedId = event.detail.id;
    this.view = "conversation";
  }

  handleNewEmail() {
    this.view = "email";
  }

  handleNewSms() {
    this.view = "sms";
  }

  handleOutboundCancel() {
    this.view = "conversation";
  }

  handleOutboundSent(event) {
    const { interaction, kind } = event.detail;
    this.toast(
      kind === "email" ? "Email sent" : "SMS sent",
      `Interaction ${interaction.case_number} is open.`,
      "success"
    );
    this.selectedId = interaction.id;
    this.view = "conversation";
  }

  handleEnded(event) {
    this.ending = event.detail;
    this.view = "disposition";
  }

  handleDispositionSaved() {
    this.toast(
      "Disposition saved",
      "It is written to Salesforce as you.",
      "success"
    );
  }

  handleDispositionClose() {
    this.ending = undefined;
    this.selectedId = undefined;
    this.view = "conversation";
  }

  handleTransferred(event) {
    const { result, queueName } = event.detail;
    this.toast(
      "Transferred",
      result.came_back
        ? `Transferred to ${queueName}; you are its only member, so it came back to you.`
        : `Transferred to ${queueName}.`,
      "success"
    );
    if (!result.came_back) {
      this.selectedId = undefined;
    }
  }

  handleNotify(event) {
    const { title, message, variant } = event.detail;
    this.toast(title, message, variant);
  }

  handleReload() {
    window.location.reload();
  }

  toast(title, message, variant) {
    this.announcement = `${title}. ${message}`;
    this.dispatchEvent(new ShowToastEvent({ title, message, variant }));
  }
}
