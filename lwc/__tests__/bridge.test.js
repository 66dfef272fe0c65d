/** The bridge in a jsdom window, with a fake Socket.IO client, Canvas SDK and fetch. */
const { start } = require("../bridge/bridge.js");

const PARENT = "https://acme.lightning.force.com";
const NONCE = "n0nce-0123456789abcdef";

function fakeSocket() {
  const handlers = {};
  const anyHandlers = [];
  return {
    connected: true,
    emitted: [],
    options: null,
    on(name, fn) {
      handlers[name] = fn;
    },
    onAny(fn) {
      anyHandlers.push(fn);
    },
    emit(name, data) {
      this.emitted.push([name, data]);
    },
    connect: jest.fn(),
    disconnect: jest.fn(),
    serverSends(name, data) {
      anyHandlers.forEach((fn) => fn(name, data));
      if (handlers[name]) handlers[name](data);
    },
    authNow() {
      let auth;
      this.options.auth((value) => (auth = value));
      return auth;
    },
  };
}

function setup(overrides = {}) {
  const socket = fakeSocket();
  const parent = { postMessage: jest.fn() };
  const timers = [];
  const fetch = jest.fn(() =>
    Promise.resolve({ ok: true, status: 200, json: () => Promise.resolve({ items: [] }) }),
  );
  const canvas = { client: { refreshSignedRequest: jest.fn() } };
  const handle = start({
    window,
    boot: {
      token: "secret-token-1",
      token_expires_at: new Date(Date.now() + 15 * 60 * 1000).toISOString(),
      parent_origin: PARENT,
      agent: { user_id: "005x", display_name: "Ana" },
    },
    io: (path, options) => {
      socket.path = path;
      socket.options = options;
      return socket;
    },
    canvas,
    fetch,
    setTimeout: (fn, delay) => timers.push({ fn, delay }) && timers.length,
    clearTimeout: () => {},
    ...overrides,
  });
  const send = (data, origin = PARENT, source = parent) =>
    window.dispatchEvent(new MessageEvent("message", { data, origin, source }));
  const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { handle, socket, parent, fetch, canvas, timers, send, flush };
}

afterEach(() => jest.restoreAllMocks());

test("only the exact parent origin may shake hands, once, and the token never leaves", () => {
  const { handle, parent, send } = setup();
  send({ type: "digital-tab:hello", nonce: NONCE }, "https://evil.example");
  send({ type: "digital-tab:hello", nonce: NONCE }, "https://acme.lightning.force.com.evil.example");
  send({ type: "digital-tab:hello", nonce: "short" });
  expect(parent.postMessage).not.toHaveBeenCalled();
  send({ type: "digital-tab:hello", nonce: NONCE });
  expect(parent.postMessage).toHaveBeenCalledWith(
    { type: "digital-tab:welcome", nonce: NONCE, agent: { user_id: "005x", display_name: "Ana" } },
    PARENT,
  );
  send({ type: "digital-tab:hello", nonce: "another-nonce-0123456789" });
  expect(parent.postMessage).toHaveBeenCalledTimes(1);
  expect(JSON.stringify(parent.postMessage.mock.calls)).not.toContain("secret-token-1");
  handle.stop();
});

test("a call with the nonce reaches the API with the token and answers with its id", async () => {
  const { handle, parent, fetch, send, flush } = setup();
  send({ type: "digital-tab:hello", nonce: NONCE });
  send({
    type: "digital-tab:call",
    nonce: NONCE,
    id: 7,
    method: "post",
    path: "/api/v1/interactions/12/notes",
    body: { text: "hi" },
  });
  await flush();
  expect(fetch).toHaveBeenCalledWith("/api/v1/interactions/12/notes", {
    method: "POST",
    headers: { Authorization: "Bearer secret-token-1", "Content-Type": "application/json" },
    body: JSON.stringify({ text: "hi" }),
  });
  expect(parent.postMessage).toHaveBeenLastCalledWith(
    { type: "digital-tab:result", nonce: NONCE, id: 7, status: 200, body: { items: [] } },
    PARENT,
  );
  handle.stop();
});

test("calls without the nonce, from another window or outside the API are refused", async () => {
  const { handle, parent, fetch, send, flush } = setup();
  send({ type: "digital-tab:hello", nonce: NONCE });
  send({ type: "digital-tab:call", nonce: "wrong-nonce-0123456789", id: 1, path: "/api/v1/tags" });
  send({ type: "digital-tab:call", nonce: NONCE, id: 2, path: "/api/v1/tags" }, PARENT, {
    postMessage: jest.fn(),
  });
  send({ type: "digital-tab:call", nonce: NONCE, id: 3, path: "/canvas/renew" });
  send({ type: "digital-tab:call", nonce: NONCE, id: 4, path: "/api/v1/../canvas" });
  await flush();
  expect(fetch).not.toHaveBeenCalled();
  const results = parent.postMessage.mock.calls.map(([m]) => m).filter((m) => m.id);
  expect(results.map((m) => [m.id, m.status])).toEqual([
    [3, 400],
    [4, 400],
  ]);
  handle.stop();
});

test("events are forwarded, and a reconnect asks for what came after the newest seq", () => {
  const { handle, parent, socket, send } = setup();
  send({ type: "digital-tab:hello", nonce: NONCE });
  expect(socket.path).toBe("/agents");
  expect(socket.authNow()).toEqual({ token: "secret-token-1" });
  socket.serverSends("ready", { latest: 40, queue_ids: [], cxone_user_id: 101 });
  socket.serverSends("interaction.changed", { seq: 42, id: "12" });
  socket.serverSends("message.added", { seq: 41, id: "12" }); // older: does not move seq back
  expect(handle.state().lastSeq).toBe(42);
  expect(socket.authNow()).toEqual({ token: "secret-token-1", since: 42 });
  expect(parent.postMessage).toHaveBeenCalledWith(
    { type: "digital-tab:event", nonce: NONCE, name: "interaction.changed", data: { seq: 42, id: "12" } },
    PARENT,
  );
  socket.serverSends("resync", { reason: "too_far_behind", latest: 90 });
  expect(socket.authNow().since).toBe(90);
  socket.connected = false;
  window.dispatchEvent(new Event("online"));
  expect(socket.connect).toHaveBeenCalled();
  handle.stop();
});

test("the token is renewed before it expires and the socket is told", async () => {
  const renewed = new Date(Date.now() + 30 * 60 * 1000).toISOString();
  const fetch = jest.fn(() =>
    Promise.resolve({
      ok: true,
      status: 200,
      json: () => Promise.resolve({ token: "secret-token-2", token_expires_at: renewed }),
    }),
  );
  const { handle, socket, canvas, timers, flush } = setup({ fetch });
  expect(timers).toHaveLength(1);
  expect(timers[0].delay).toBeGreaterThan(13 * 60 * 1000); // about a minute before expiry
  expect(timers[0].delay).toBeLessThan(15 * 60 * 1000);
  canvas.client.refreshSignedRequest.mockImplementation((cb) =>
    cb({ status: 200, payload: { response: "fresh.signed-request" } }),
  );
  timers[0].fn();
  await flush();
  await flush();
  expect(fetch).toHaveBeenCalledWith("/canvas/renew", {
    method: "POST",
    headers: { Authorization: "Bearer secret-token-1", "Content-Type": "application/json" },
    body: JSON.stringify({ signed_request: "fresh.signed-request" }),
  });
  expect(socket.emitted).toEqual([["renew", { token: "secret-token-2" }]]);
  expect(socket.authNow().token).toBe("secret-token-2");
  expect(timers).toHaveLength(2); // the next renewal is scheduled
  handle.stop();
});

test("a refused renewal is reported and tried again later", async () => {
  const fetch = jest.fn(() =>
    Promise.resolve({
      ok: false,
      status: 401,
      json: () => Promise.resolve({ error: { code: "session_revoked" } }),
    }),
  );
  const { handle, parent, canvas, timers, send, flush } = setup({ fetch });
  send({ type: "digital-tab:hello", nonce: NONCE });
  canvas.client.refreshSignedRequest.mockImplementation((cb) =>
    cb({ status: 200, payload: { response: "fresh" } }),
  );
  timers[0].fn();
  await flush();
  await flush();
  expect(parent.postMessage).toHaveBeenLastCalledWith(
    {
      type: "digital-tab:event",
      nonce: NONCE,
      name: "session.renewal_failed",
      data: { reason: "session_revoked" },
    },
    PARENT,
  );
  expect(timers).toHaveLength(2);
  handle.stop();
});

test("a call with files goes as multipart: fields as text, files as attachments", async () => {
  const { fetch, send, flush } = setup();
  send({ type: "digital-tab:hello", nonce: NONCE });
  const file = new File(["%PDF"], "invoice.pdf", { type: "application/pdf" });
  send({
    type: "digital-tab:call",
    nonce: NONCE,
    id: 7,
    method: "POST",
    path: "/api/v1/interactions/44/reply",
    body: { text: "Here it is 🙂", html: false },
    files: [file],
  });
  await flush();
  const [path, init] = fetch.mock.calls[0];
  expect(path).toBe("/api/v1/interactions/44/reply");
  expect(init.headers["Content-Type"]).toBeUndefined(); // the browser adds the boundary
  expect(init.headers.Authorization).toBe("Bearer secret-token-1");
  expect(init.body).toBeInstanceOf(FormData);
  expect(init.body.get("text")).toBe("Here it is 🙂");
  expect(init.body.get("html")).toBe("false");
  expect(init.body.getAll("attachments").map((f) => f.name)).toEqual(["invoice.pdf"]);
});

test("on load it tells its parent, at the exact origin, that it is ready for a hello", () => {
  const parent = { postMessage: jest.fn() };
  const win = {
    parent,
    addEventListener: window.addEventListener.bind(window),
    removeEventListener: window.removeEventListener.bind(window),
    FormData: window.FormData,
  };
  const { handle } = setup({ window: win });
  expect(parent.postMessage).toHaveBeenCalledWith({ type: "digital-tab:ready" }, PARENT);
  handle.stop();
});
