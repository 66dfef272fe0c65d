// lightning/platformShowToastEvent as the org defines it: a bubbling, composed event the page
// turns into a toast. The stand-in page (main.js) listens for it and shows an SLDS toast.
export class ShowToastEvent extends CustomEvent {
  constructor(toast) {
    super("lightning__showtoast", {
      bubbles: true,
      composed: true,
      cancelable: true,
      detail: toast
    });
  }
}
