import { createElement } from "lwc";
import DigitalAttachments from "c/digitalAttachments";
import { flush, removeAll } from "test/fakeBridge";

const file = (name, size) => {
  const f = new File(["x"], name, { type: "image/png" });
  Object.defineProperty(f, "size", { value: size });
  return f;
};

function mount(files = []) {
  const element = createElement("c-digital-attachments", {
    is: DigitalAttachments
  });
  element.files = files;
  document.body.appendChild(element);
  const changes = [];
  element.addEventListener("fileschange", (event) =>
    changes.push(event.detail)
  );
  return { element, changes };
}

function choose(element, files) {
  // As lightning-input type=file does: the FileList in detail.files.
  element.shadowRoot
    .querySelector("lightning-input.attach")
    .dispatchEvent(new CustomEvent("change", { detail: { files } }));
}

afterEach(removeAll);

describe("c-digital-attachments", () => {
  it("leaves out a file over 10 MB and says so; keeps the others", () => {
    const { element, changes } = mount();
    choose(element, [
      file("video.mp4", 10 * 1024 * 1024 + 1),
      file("ok.png", 10 * 1024 * 1024)
    ]);
    expect(changes[0].files.map((f) => f.name)).toEqual(["ok.png"]);
    expect(changes[0].error).toBe(
      "video.mp4: larger than 10 MB, not attached."
    );
  });

  it("takes five files at most", () => {
    const { element, changes } = mount([
      file("1.png", 1),
      file("2.png", 1),
      file("3.png", 1),
      file("4.png", 1)
    ]);
    choose(element, [file("5.png", 1), file("6.png", 1)]);
    expect(changes[0].files.map((f) => f.name)).toEqual([
      "1.png",
      "2.png",
      "3.png",
      "4.png",
      "5.png"
    ]);
    expect(changes[0].error).toBe("At most 5 files per message.");
  });

  it("shows the files and removes one", async () => {
    const { element, changes } = mount([
      file("a.png", 2048),
      file("b.pdf", 10)
    ]);
    await flush();
    const pills = element.shadowRoot.querySelectorAll("lightning-pill");
    expect(Array.from(pills, (p) => p.label)).toEqual([
      "a.png (2 KB)",
      "b.pdf (1 KB)"
    ]);
    pills[0].dispatchEvent(new CustomEvent("remove"));
    expect(changes[0]).toEqual({
      files: [expect.objectContaining({ name: "b.pdf" })],
      error: undefined
    });
  });
});
