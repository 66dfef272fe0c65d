/*
 * The Lightning stand-in page: what Lightning does around the Digital tab, locally.
 *  - renders the hidden canvas frame and POSTs the signed request into it (force:canvasApp);
 *  - answers the Canvas SDK's refreshSignedRequest with a fresh signed request (the org's job);
 *  - mounts c-digital-tab, as the Aura host DigitalTabHost does in an org;
 *  - shows lightning__showtoast events as SLDS toasts.
 */
import "@lwc/synthetic-shadow";
import { createElement } from "lwc";
import DigitalTab from "c/digitalTab";

const boot = JSON.parse(document.getElementById("lightning-boot").textContent);
const backendOrigin = new URL(boot.canvas_url).origin;
let signedRequest = boot.signed_request;

const frame = document.createElement("iframe");
frame.name = "canvas-frame";
frame.title = "Digital tab canvas";
document.getElementById("canvas-holder").appendChild(frame);

const post = document.createElement("form");
post.method = "post";
post.action = boot.canvas_url;
post.target = frame.name;
const field = document.createElement("input");
field.type = "hidden";
field.name = "signed_request";
field.value = signedRequest;
post.appendChild(field);
document.body.appendChild(post);
post.submit();
post.remove();

window.addEventListener("message", async (event) => {
  const message = event.data;
  if (
    event.source !== frame.contentWindow ||
    event.origin !== backendOrigin ||
    !message ||
    message.type !== "canvas:refreshSignedRequest"
  ) {
    return;
  }
  let status = 0;
  let payload = null;
  try {
    const response = await fetch(boot.refresh_url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ signed_request: signedRequest })
    });
    status = response.status;
    if (response.ok) {
      signedRequest = (await response.json()).signed_request;
      payload = { response: signedRequest };
    }
  } catch {
    status = 0;
  }
  frame.contentWindow.postMessage(
    { type: "canvas:signedRequest", id: message.id, status, payload },
    backendOrigin
  );
});

const toasts = document.getElementById("toasts");
document.addEventListener("lightning__showtoast", (event) => {
  const { title, message, variant = "info" } = event.detail;
  const toast = document.createElement("div");
  toast.className = `slds-notify slds-notify_toast slds-theme_${variant}`;
  toast.setAttribute("role", variant === "error" ? "alert" : "status");
  const content = document.createElement("div");
  content.className = "slds-notify__content";
  const heading = document.createElement("h2");
  heading.className = "slds-text-heading_small";
  heading.textContent = title;
  const text = document.createElement("p");
  text.textContent = message;
  content.append(heading, text);
  toast.appendChild(content);
  toasts.appendChild(toast);
  setTimeout(() => toast.remove(), variant === "error" ? 15000 : 6000);
});

const tab = createElement("c-digital-tab", { is: DigitalTab });
tab.backendUrl = boot.canvas_url;
document.getElementById("app").appendChild(tab);
