/*
 * The only module that talks to the Digital tab bridge, the backend's page in the canvas
 * iframe (lwc/bridge/bridge.js). window.postMessage with the backend's exact origin both ways,
 * a nonce of ours for the handshake, a request id per call:
 *   bridge -> we     {type: "digital-tab:ready"}            (the page loaded; say hello)
 *   we     -> bridge {type: "digital-tab:hello", nonce}
 *   bridge -> we     {type: "digital-tab:welcome", nonce, agent}
 *   we     -> bridge {type: "digital-tab:call", nonce, id, method, path, body, files}
 *   bridge -> we     {type: "digital-tab:result", nonce, id, status, body}
 *   bridge -> we     {type: "digital-tab:event", nonce, name, data}
 *
 * The canvas iframe belongs to force:canvasApp, whose DOM a component of ours cannot reach
 * under Lightning Web Security. So the hello goes to every frame of the page with the backend's
 * exact origin as target: the browser delivers it only to a frame of that origin, and the frame
 * that answers (event.source) is pinned for everything after.
 */
const PREFIX = "digital-tab:";
const CALL_TIMEOUT_MS = 30000;

function makeNonce(crypto) {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class BridgeError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `The Digital tab server answered ${status}.`);
    this.status = status;
    this.code = error.code || "unexpected";
    this.field = error.field;
  }
}

export class DigitalBridge {
  /**
   * backendOrigin: the canvas app URL's origin; frameWindow: the canvas iframe's window when
   * the host knows it (tests, the local stand-in), otherwise every frame of win is asked.
   */
  constructor({
    backendOrigin,
    frameWindow = null,
    win = window,
    crypto = window.crypto,
    timeoutMs = CALL_TIMEOUT_MS
  }) {
    this._frame = frameWindow;
    this._origin = backendOrigin;
    this._win = win;
    this._nonce = makeNonce(crypto);
    this._timeoutMs = timeoutMs;
    this._nextId = 1;
    this._pending = new Map();
    this._handlers = new Map();
    this._welcome = null;
    this._onMessage = this._onMessage.bind(this);
    win.addEventListener("message", this._onMessage);
  }

  /** Resolves with the signed-in agent once the bridge answers the handshake. */
  connect() {
    if (!this._welcome) {
      this._welcome = new Promise((resolve) => {
        this._resolveWelcome = resolve;
      });
      this._candidates().forEach((frame) => this._hello(frame));
    }
    return this._welcome;
  }

  /**
   * An /api/v1/ call through the bridge: resolves with the body, rejects with BridgeError.
   * files (File objects) make it a multipart request, body's fields beside them.
   */
  call(method, path, body, files) {
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      // eslint-disable-next-line @lwc/lwc/no-async-operation
      const timer = setTimeout(() => {
        this._pending.delete(id);
        reject(
          new BridgeError(0, {
            error: { code: "timeout", message: "No answer in time." }
          })
        );
      }, this._timeoutMs);
      this._pending.set(id, { resolve, reject, timer });
      this.connect().then(() =>
        this._post({ type: `${PREFIX}call`, id, method, path, body, files })
      );
    });
  }

  /** handler(data) for a live event ("interaction.changed", …); returns an unsubscribe. */
  on(name, handler) {
    if (!this._handlers.has(name)) {
      this._handlers.set(name, new Set());
    }
    this._handlers.get(name).add(handler);
    return () => this._handlers.get(name).delete(handler);
  }

  disconnect() {
    this._win.removeEventListener("message", this._onMessage);
    this._pending.forEach(({ timer }) => clearTimeout(timer));
    this._pending.clear();
  }

  _candidates() {
    if (this._frame) {
      return [this._frame];
    }
    const frames = [];
    for (let i = 0; i < this._win.frames.length; i++) {
      frames.push(this._win.frames[i]);
    }
    return frames;
  }

  _hello(frame) {
    frame.postMessage(
      { type: `${PREFIX}hello`, nonce: this._nonce },
      this._origin
    );
  }

  _post(message) {
    this._frame.postMessage({ ...message, nonce: this._nonce }, this._origin);
  }

  _onMessage(event) {
    const message = event.data;
    if (event.origin !== this._origin || !message) {
      return;
    }
    if (message.type === `${PREFIX}ready`) {
      // A bridge page (re)loaded, after a canvas reload for instance: shake hands again.
      if (!this._frame || event.source === this._frame) {
        this._hello(event.source);
      }
      return;
    }
    if (message.nonce !== this._nonce) {
      return;
    }
    if (message.type === `${PREFIX}welcome`) {
      if (this._frame && event.source !== this._frame) {
        return;
      }
      this._frame = event.source;
      if (this._resolveWelcome) {
        this._resolveWelcome(message.agent);
        this._resolveWelcome = null;
      }
      this._dispatch("bridge.welcome", message.agent);
      return;
    }
    if (event.source !== this._frame) {
      return;
    }
    if (message.type === `${PREFIX}result`) {
      const waiting = this._pending.get(message.id);
      if (!waiting) {
        return;
      }
      this._pending.delete(message.id);
      clearTimeout(waiting.timer);
      if (message.status >= 200 && message.status < 300) {
        waiting.resolve(message.body);
      } else {
        waiting.reject(new BridgeError(message.status, message.body));
      }
    } else if (message.type === `${PREFIX}event`) {
      this._dispatch(message.name, message.data);
    }
  }

  _dispatch(name, data) {
    (this._handlers.get(name) || []).forEach((handler) => {
      try {
        handler(data);
      } catch (error) {
        // One component's failing handler must not keep the others from hearing the event.
        console.error(error);
      }
    });
  }
}
