import { createElement } from "lwc";
import DigitalRecordPicker from "c/digitalRecordPicker";
import { FakeBridge, FakeBridgeError, removeAll } from "test/fakeBridge";

const GLOBEX = {
  id: "001000000000001AAA",
  type: "Account",
  label: "Globex Corporation",
  detail: "Account · GX-1",
  url: "https://acme.lightning.force.com/lightning/r/Account/001000000000001AAA/view"
};

function mount(bridge, kind = "name") {
  const element = createElement("c-digital-record-picker", {
    is: DigitalRecordPicker
  });
  element.bridge = bridge;
  element.kind = kind;
  element.label = "Name";
  document.body.appendChild(element);
  return element;
}

function typeSearch(element, text) {
  const input = element.shadowRoot.querySelector("lightning-input.search");
  input.value = text;
  input.dispatchEvent(new CustomEvent("input"));
}

afterEach(() => {
  removeAll();
  jest.useRealTimers();
});

describe("c-digital-record-picker", () => {
  it("searches Salesforce after a pause, picks a record and links to it", async () => {
    jest.useFakeTimers();
    const bridge = new FakeBridge({
      "GET /api/v1/salesforce/search": { items: [GLOBEX] }
    });
    const element = mount(bridge);
    const change = jest.fn();
    element.addEventListener("recordchange", change);
    typeSearch(element, "G");
    typeSearch(element, "Glo");
    typeSearch(element, "Globex");
    jest.advanceTimersByTime(300);
    expect(bridge.calls.map((c) => c.path)).toEqual([
      "/api/v1/salesforce/search?kind=name&q=Globex"
    ]);
    await Promise.resolve();
    await Promise.resolve();
    const option = element.shadowRoot.querySelector("button.pick");
    expect(option.getAttribute("aria-label")).toBe(
      "Account: Globex Corporation"
    );
    option.click();
    await Promise.resolve();
    expect(change.mock.calls[0][0].detail.record).toEqual(GLOBEX);
    const link = element.shadowRoot.querySelector("a.open-record");
    expect(link.href).toBe(GLOBEX.url);
    expect(link.target).toBe("_blank");
    element.shadowRoot
      .querySelector("lightning-pill")
      .dispatchEvent(new CustomEvent("remove"));
    await Promise.resolve();
    expect(change.mock.calls[1][0].detail.record).toBeNull();
    expect(
      element.shadowRoot.querySelector("lightning-input.search")
    ).not.toBeNull();
  });

  it("says when nothing matches and when Salesforce refuses", async () => {
    jest.useFakeTimers();
    const answers = { "GET /api/v1/salesforce/search": { items: [] } };
    const bridge = new FakeBridge(answers);
    const element = mount(bridge, "case");
    typeSearch(element, "zzz");
    jest.advanceTimersByTime(300);
    await Promise.resolve();
    await Promise.resolve();
    expect(
      element.shadowRoot.querySelector(".search-message").textContent
    ).toContain("zzz");
    answers["GET /api/v1/salesforce/search"] = new FakeBridgeError(
      429,
      "salesforce_limit",
      "Salesforce's API limit is reached."
    );
    typeSearch(element, "zzzz");
    jest.advanceTimersByTime(300);
    await Promise.resolve();
    await Promise.resolve();
    expect(
      element.shadowRoot.querySelector(".search-message").textContent
    ).toBe("Salesforce's API limit is reached.");
  });
});
