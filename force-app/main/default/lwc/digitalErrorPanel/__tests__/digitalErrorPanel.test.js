import { createElement } from "lwc";
import DigitalErrorPanel from "c/digitalErrorPanel";
import { flush, removeAll } from "test/fakeBridge";

afterEach(removeAll);

describe("c-digital-error-panel", () => {
  it("says what went wrong as an alert and offers Try again", async () => {
    const element = createElement("c-digital-error-panel", {
      is: DigitalErrorPanel
    });
    element.message = "CXone does not answer.";
    document.body.appendChild(element);
    const retry = jest.fn();
    element.addEventListener("retry", retry);
    await flush();
    const alert = element.shadowRoot.querySelector('[role="alert"]');
    expect(alert.textContent).toContain("CXone does not answer.");
    element.shadowRoot.querySelector("lightning-button.retry").click();
    expect(retry).toHaveBeenCalledTimes(1);
  });
});
