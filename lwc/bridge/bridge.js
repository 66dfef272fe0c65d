/*
 * The Digital tab bridge: runs in the Salesforce Canvas iframe, served by the backend.
 *
 * - The session token lives in this closure only (no cookies, no storage, no globals, never
 *   posted to the parent) and is renewed before it expires: a fresh signed request from
 *   Sfdc.canvas.client.refreshSignedRequest, exchanged at POST /canvas/renew.
 * - The Lightning side (c/digitalBridge) talks to it over window.postMessage, with the exact
 *   origin on both sides, a handshake nonce, and a request id per call:
 *     bridge -> parent  {type: "digital-tab:ready"}   (on load: say hello)
 *     parent -> bridge  {type: "digital-tab:hello", nonce}
 *     bridge -> parent  {type: "digital-tab:welcome", nonce, agent}
 *     parent -> bridge  {type: "digital-tab:call", nonce, id, method, path, body, files}
 *     bridge -> parent  {type: "digital-tab:result", nonce, id, status, body}
 *     bridge -> parent  {type: "digital-tab:event", nonce, name, data}
 *   Only /api/v1/ paths can be called; anything else is answered with a 400 result.
 * - It runs the Socket.IO client on /agents, remembers the newest `seq`, reconnects after
 *   network loss with `since` (the backend replays what was missed or says `resync`).
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.DigitalTabBridge = api;
    if (root.document && root.document.getElementById("bridge-boot")) {
      api.boot(root); // the bridge page served by POST /canvas
    }
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var PREFIX = "digital-tab:";
  var RENEW_BEFORE_MS = 60 * 1000;
  var MIN_RENEW_DELAY_MS = 5 * 1000;

  /**
   * start({window, boot, io, canvas, fetch, onEvent, now, setTimeout, clearTimeout})
   * boot: {token, token_expires_at, parent_origin, agent}; onEvent(name, data): every event,
   * also before the handshake (the page's own status line).
   * Returns a handle for tests and the page: {stop(), state()}.
   */
  function start(options) {
    var win = options.window;
    var boot = options.boot;
    var io = options.io;
    var canvas = options.canvas;
    var fetchImpl = options.fetch;
    var now = options.now || Date.now;
    var later = options.setTimeout || win.setTimeout.bind(win);
    var cancel = options.clearTimeout || win.clearTimeout.bind(win);

    var token = boot.token;
    var tokenExpiresAt = Date.parse(boot.token_expires_at);
    var parentOrigin = boot.parent_origin;
    var parent = null; // the window that completed the handshake
    var nonce = null;
    var lastSeq = null;
    var renewTimer = null;
    var stopped = false;

    function post(message) {
      if (parent && nonce) {
        message.nonce = nonce;
        parent.postMessage(message, parentOrigin);
      }
    }

    function emitEvent(name, data) {
      if (options.onEvent) {
        options.onEvent(name, data);
      }
      post({ type: PREFIX + "event", name: name, data: data });
    }

    // --- Socket.IO ---------------------------------------------------------------------------
    var socket = io("/agents", {
      transports: ["websocket"],
      // A function: every (re)connection sends the current token and the newest seq seen.
      auth: function (cb) {
        var auth = { token: token };
        if (lastSeq !== null) {
          auth.since = lastSeq;
        }
        cb(auth);
      },
    });

    socket.onAny(function (name, data) {
      if (data && typeof data.seq === "number" && (lastSeq === null || data.seq > lastSeq)) {
        lastSeq = data.seq;
      }
      if (name === "ready" && data && typeof data.latest === "number" && lastSeq === null) {
        lastSeq = data.latest;
      }
      if (name === "resync" && data && typeof data.latest === "number") {
        lastSeq = data.latest; // the parent refetches; later events follow from here
      }
      emitEvent(name, data);
    });
    socket.on("connect_error", function (error) {
      emitEvent("connection.error", {
        code: (error && error.data && error.data.code) || "unreachable",
        message: (error && error.data && error.data.message) || "The server cannot be reached.",
      });
    });
    socket.on("disconnect", function (reason) {
      emitEvent("connection.lost", { reason: reason });
    });

    function onOnline() {
      if (!socket.connected) {
        socket.connect();
      }
    }
    win.addEventListener("online", onOnline);

    // --- postMessage from the Lightning side -------------------------------------------------
    function onMessage(event) {
      if (event.origin !== parentOrigin) {
        return; // exact origin, nothing else
      }
      var message = event.data;
      if (!message || typeof message !== "object" || typeof message.type !== "string") {
        return;
      }
      if (message.type === PREFIX + "hello") {
        if (typeof message.nonce !== "string" || message.nonce.length < 16 || parent) {
          return; // one handshake per page; a second hello cannot take the bridge over
        }
        parent = event.source;
        nonce = message.nonce;
        post({ type: PREFIX + "welcome", agent: boot.agent });
        return;
      }
      if (event.source !== parent || message.nonce !== nonce) {
        return;
      }
      if (message.type === PREFIX + "call") {
        call(message);
      }
    }
    win.addEventListener("message", onMessage);

    function call(message) {
      var id = message.id;
      var method = String(message.method || "GET").toUpperCase();
      var path = String(message.path || "");
      if (path.indexOf("/api/v1/") !== 0 || path.indexOf("..") !== -1) {
        post({
          type: PREFIX + "result",
          id: id,
          status: 400,
          body: { error: { code: "invalid_path", message: "Only /api/v1/ can be called." } },
        });
        return;
      }
      var init = { method: method, headers: { Authorization: "Bearer " + token } };
      if (Array.isArray(message.files) && message.files.length && method !== "GET") {
        init.body = formData(message.body || {}, message.files); // the browser sets the boundary
      } else if (message.body !== undefined && method !== "GET") {
        init.headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(message.body);
      }
      fetchImpl(path, init)
        .then(function (response) {
          return response
            .json()
            .catch(function () {
              return null;
            })
            .then(function (body) {
              post({ type: PREFIX + "result", id: id, status: response.status, body: body });
            });
        })
        .catch(function () {
          post({
            type: PREFIX + "result",
            id: id,
            status: 0,
            body: { error: { code: "network", message: "The server cannot be reached." } },
          });
        });
    }

    /** multipart/form-data: the body's fields as text, the files as `attachments`. */
    function formData(fields, files) {
      var form = new win.FormData();
      Object.keys(fields).forEach(function (name) {
        var value = fields[name];
        if (value !== null && value !== undefined) {
          form.append(name, typeof value === "string" ? value : JSON.stringify(value));
        }
      });
      files.forEach(function (file) {
        form.append("attachments", file, file.name);
      });
      return form;
    }

    // --- token renewal -----------------------------------------------------------------------
    function scheduleRenewal() {
      if (stopped) {
        return;
      }
      var delay = Math.max(MIN_RENEW_DELAY_MS, tokenExpiresAt - RENEW_BEFORE_MS - now());
      renewTimer = later(renew, delay);
    }

    function renew() {
      if (!canvas || !canvas.client) {
        emitEvent("session.renewal_failed", { reason: "no_canvas_sdk" });
        return;
      }
      canvas.client.refreshSignedRequest(function (answer) {
        var signed = answer && answer.status === 200 && answer.payload && answer.payload.response;
        if (!signed) {
          emitEvent("session.renewal_failed", { reason: "no_signed_request" });
          renewTimer = later(renew, MIN_RENEW_DELAY_MS * 6);
          return;
        }
        fetchImpl("/canvas/renew", {
          method: "POST",
          headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" },
          body: JSON.stringify({ signed_request: signed }),
        })
          .then(function (response) {
            return response.json().then(function (body) {
              if (!response.ok) {
                throw new Error((body && body.error && body.error.code) || "renewal_refused");
              }
              token = body.token;
              tokenExpiresAt = Date.parse(body.token_expires_at);
              socket.emit("renew", { token: token });
              emitEvent("session.renewed", { token_expires_at: body.token_expires_at });
              scheduleRenewal();
            });
          })
          .catch(function (error) {
            emitEvent("session.renewal_failed", { reason: error.message });
            renewTimer = later(renew, MIN_RENEW_DELAY_MS * 6);
          });
      });
    }

    scheduleRenewal();
    // Tell the Lightning side this page is (again) ready for its hello: no nonce, no data.
    if (win.parent && win.parent !== win) {
      win.parent.postMessage({ type: PREFIX + "ready" }, parentOrigin);
    }

    return {
      stop: function () {
        stopped = true;
        if (renewTimer !== null) {
          cancel(renewTimer);
        }
        win.removeEventListener("message", onMessage);
        win.removeEventListener("online", onOnline);
        socket.disconnect();
      },
      state: function () {
        return { lastSeq: lastSeq, handshaken: parent !== null, tokenExpiresAt: tokenExpiresAt };
      },
    };
  }

  /** The page's own start: read the boot JSON once and remove it from the document. */
  function boot(win) {
    var element = win.document.getElementById("bridge-boot");
    var data = JSON.parse(element.textContent);
    element.parentNode.removeChild(element);
    var status = win.document.getElementById("status");
    return start({
      window: win,
      boot: data,
      io: win.io,
      canvas: win.Sfdc && win.Sfdc.canvas,
      fetch: win.fetch.bind(win),
      onEvent: function (name, event) {
        if (!status) {
          return;
        }
        if (name === "ready") {
          status.className = "muted";
          status.textContent = "Connected: live updates on.";
        } else if (name === "connection.error" || name === "connection.lost") {
          status.className = "error";
          status.textContent = "Live updates interrupted (" + (event.code || event.reason) + ").";
        } else if (name === "session.renewed") {
          status.className = "muted";
          status.textContent = "Connected: live updates on; session renewed.";
        } else if (name === "session.renewal_failed") {
          status.className = "error";
          status.textContent = "The session could not be renewed (" + event.reason + "); retrying.";
        }
      },
    });
  }

  return { start: start, boot: boot };
});
