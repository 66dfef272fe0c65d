import { LightningElement, api } from "lwc";

const PHONE = /^\+[1-9][0-9]{7,14}$/;

/**
 * New email or new SMS (kind "email" or "sms") on one of the tenant's outbound channels, with
 * Name and Relates To. Fires `sent` ({interaction}) and `cancel`.
 */
export default class DigitalOutbound extends LightningElement {
  @api bridge;
  @api kind = "email";

  channels = [];
  channelId = "";
  to = "";
  subject = "";
  body = "";
  files = [];
  name = null;
  relatesTo = null;
  error;
  sending = false;

  get isEmail() {
    return this.kind === "email";
  }

  get heading() {
    return this.isEmail ? "New email" : "New SMS";
  }

  get icon() {
    return this.isEmail ? "standard:email" : "standard:sms";
  }

  get toLabel() {
    return this.isEmail
      ? "To (email address)"
      : "To (phone number, +15551234567)";
  }

  get toType() {
    return this.isEmail ? "email" : "tel";
  }

  get phonePattern() {
    return this.isEmail ? undefined : PHONE.source;
  }

  get channelOptions() {
    return this.channels.map((c) => ({ label: c.name, value: c.id }));
  }

  connectedCallback() {
    this.loadChannels();
  }

  async loadChannels() {
    try {
      const all = (await this.bridge.call("GET", "/api/v1/channels")).items;
      this.channels = all.filter((c) => c.outbound && c.kind === this.kind);
      if (this.channels.length) {
        this.channelId = this.channels[0].id;
      } else {
        this.error = `No ${this.isEmail ? "email" : "SMS"} channel can send outbound messages.`;
      }
    } catch (error) {
      this.error = error.message;
    }
  }

  handleField(event) {
    this[event.target.dataset.field] =
      event.detail.value !== undefined
        ? event.detail.value
        : event.target.value;
  }

  handleName(event) {
    this.name = event.detail.record;
  }

  handleCase(event) {
    this.relatesTo = event.detail.record;
  }

  handleFiles(event) {
    this.files = event.detail.files;
    this.error = event.detail.error;
  }

  handleCancel() {
    this.dispatchEvent(new CustomEvent("cancel"));
  }

  validate() {
    // Every field shows its own message; all of them are asked, not just the first invalid one.
    const fields = [
      ...this.template.querySelectorAll(
        "lightning-input, lightning-combobox, lightning-textarea"
      )
    ];
    const valid = fields
      .map((field) => !field.reportValidity || field.reportValidity() !== false)
      .every(Boolean);
    if (!this.isEmail && !PHONE.test(this.to.trim())) {
      this.error =
        "Enter the phone number in international form, for instance +15551234567.";
      return false;
    }
    if (this.isEmail && !this.body.trim()) {
      this.error = "Write the email's text.";
      return false;
    }
    return valid;
  }

  async handleSend() {
    this.error = undefined;
    if (!this.validate()) {
      return;
    }
    this.sending = true;
    const links = {
      name_id: this.name ? this.name.id : null,
      relates_to_id: this.relatesTo ? this.relatesTo.id : null
    };
    const body = this.isEmail
      ? {
          channel_id: this.channelId,
          to: this.to.trim(),
          subject: this.subject,
          body: this.body,
          ...links
        }
      : {
          channel_id: this.channelId,
          to: this.to.trim(),
          text: this.body,
          ...links
        };
    try {
      const answer = await this.bridge.call(
        "POST",
        `/api/v1/outbound/${this.kind}`,
        body,
        this.isEmail && this.files.length ? this.files : undefined
      );
      this.dispatchEvent(
        new CustomEvent("sent", {
          detail: { interaction: answer.interaction, kind: this.kind }
        })
      );
    } catch (error) {
      this.error = error.message; // the draft stays for another try
    } finally {
      this.sending = false;
    }
  }
}
