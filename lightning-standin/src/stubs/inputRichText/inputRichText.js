import { LightningElement, api } from "lwc";

/*
 * lightning-input-rich-text exists only in an org (it is not in lightning-base-components on
 * npm). This stand-in keeps its public surface the tab uses (label, label-visible, value,
 * disabled, change with detail.value as HTML) over a contenteditable with Bold, Italic and a
 * bulleted list, so the formatting path can be driven in a browser.
 */
export default class InputRichText extends LightningElement {
  @api label;
  @api labelVisible = false;
  @api disabled = false;
  _value = "";

  @api
  get value() {
    return this._value;
  }
  set value(html) {
    this._value = html || "";
    const editor = this.template.querySelector(".editor");
    if (editor && editor.innerHTML !== this._value) {
      editor.innerHTML = this._value; // eslint-disable-line @lwc/lwc/no-inner-html
    }
  }

  get labelClass() {
    return this.labelVisible ? "slds-form-element__label" : "slds-assistive-text";
  }

  get editable() {
    return this.disabled ? "false" : "true";
  }

  renderedCallback() {
    const editor = this.template.querySelector(".editor");
    if (editor && !this._initialised) {
      this._initialised = true;
      editor.innerHTML = this._value; // eslint-disable-line @lwc/lwc/no-inner-html
    }
  }

  handleInput(event) {
    this._value = event.target.innerHTML;
    this.dispatchEvent(new CustomEvent("change", { detail: { value: this._value } }));
  }

  format(event) {
    event.preventDefault();
    document.execCommand(event.currentTarget.dataset.command); // what a minimal editor can do
    this.handleInput({ target: this.template.querySelector(".editor") });
  }
}
