import { LightningElement, api } from "lwc";

// The backend's limits, checked here first so that nothing too big is sent at all.
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_FILES = 5;

/**
 * Choose files to send, see them, remove them. The parent keeps the list (files) and gets
 * `fileschange` with detail {files, error}; error says what was left out and why. (Not
 * `change`: the file input's own change event also reaches the parent.)
 */
export default class DigitalAttachments extends LightningElement {
  @api files = [];
  @api disabled = false;

  get rows() {
    return this.files.map((file, index) => ({
      key: `${index}-${file.name}`,
      index,
      label: `${file.name} (${Math.ceil(file.size / 1024)} KB)`
    }));
  }

  get hasFiles() {
    return this.files.length > 0;
  }

  handleFiles(event) {
    // lightning-input type=file hands its FileList in detail.files
    const chosen = Array.from(
      (event.detail && event.detail.files) || event.target.files || []
    );
    const tooBig = chosen.filter((file) => file.size > MAX_FILE_BYTES);
    const fitting = chosen.filter((file) => file.size <= MAX_FILE_BYTES);
    const files = [...this.files, ...fitting].slice(0, MAX_FILES);
    let error;
    if (tooBig.length) {
      error = `${tooBig.map((f) => f.name).join(", ")}: larger than 10 MB, not attached.`;
    } else if (files.length < this.files.length + fitting.length) {
      error = `At most ${MAX_FILES} files per message.`;
    }
    this.dispatchEvent(
      new CustomEvent("fileschange", { detail: { files, error } })
    );
  }

  handleRemove(event) {
    const index = Number(event.currentTarget.dataset.index);
    const files = this.files.filter((_, i) => i !== index);
    this.dispatchEvent(
      new CustomEvent("fileschange", { detail: { files, error: undefined } })
    );
  }
}
