import { DigitalBridge, BridgeError } from "c/digitalBridge";

const BACKEND = "https://digital-tab.example.com";

function setup(options = {}) {
  const frame = { postMessage: jest.fn() };
  const bridge = new DigitalBridge({
    frameWindow: options.discover ? null : frame,
    backendOrigin: BACKEND,
    timeoutMs: 50,
    win: options.win || window
  });
  const sent = () => frame.postMessage.mock.calls.map(([message]) => message);
  const answer = (data, origin = BACKEND, source = frame) =>
    window.dispatchEvent(new MessageEvent("message", { data, origin, source }));
  return { bridge, frame, sent, answer };
}

async function handshaken() {
  const harness = setup();
  const connected = harness.bridge.connect();
  const [hello] = harness.sent();
  harness.answer({
    type: "digital-tab:welcome",
    nonce: hello.nonce,
    agent: {}
  });
  await connected;
  harness.nonce = hello.nonce;
  return harness;
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("c-digital-bridge", () => {
  it("shakes hands with the backend's exact origin and a fresh nonce", async () => {
    const { bridge, frame, sent, answer } = setup();
    const connected = bridge.connect();
    const [hello] = sent();
    expect(hello.type).toBe("digital-tab:hello");
    expect(hello.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(frame.postMessage.mock.calls[0][1]).toBe(BACKEND);
    const welcome = {
      type: "digital-tab:welcome",
      nonce: hello.nonce,
      agent: { user_id: "005x" }
    };
    answer(
      { ...welcome, agent: { user_id: "forged" } },
      "https://evil.example"
    );
    answer({ ...welcome, nonce: "0".repeat(32) });
    answer(welcome);
    await expect(connected).resolves.toEqual({ user_id: "005x" });
    bridge.disconnect();
  });

  it("finds the canvas frame among the page's frames and pins the one that answers", async () => {
    const canvas = { postMessage: jest.fn() };
    const other = { postMessage: jest.fn() };
    const win = {
      frames: { length: 2, 0: other, 1: canvas },
      addEventListener: window.addEventListener.bind(window),
      removeEventListener: window.removeEventListener.bind(window)
    };
    const bridge = new DigitalBridge({
      backendOrigin: BACKEND,
      win,
      timeoutMs: 50
    });
    const connected = bridge.connect();
    // Both get the hello, addressed to the backend's exact origin only.
    expect(other.postMessage.mock.calls[0][1]).toBe(BACKEND);
    const [hello, target] = canvas.postMessage.mock.calls[0];
    expect(target).toBe(BACKEND);
    window.dispatchEvent(
      new MessageEvent("message", {
        data: { type: "digital-tab:welcome", nonce: hello.nonce, agent: {} },
        origin: BACKEND,
        source: canvas
      })
    );
    await connected;
    bridge.call("GET", "/api/v1/tags");
    await flush();
    expect(canvas.postMessage.mock.calls[1][0].type).toBe("digital-tab:call");
    expect(other.postMessage).toHaveBeenCalledTimes(1);
    bridge.disconnect();
  });

  it("says hello again when the bridge page reloads", async () => {
    const { bridge, sent, answer } = await handshaken();
    answer({ type: "digital-tab:ready" });
    answer({ type: "digital-tab:ready" }, "https://evil.example");
    const hellos = sent().filter((m) => m.type === "digital-tab:hello");
    expect(hellos).toHaveLength(2);
    bridge.disconnect();
  });

  it("waits for the handshake before calling", async () => {
    const { bridge, sent, answer } = setup();
    bridge.call("GET", "/api/v1/inbox").catch(() => {});
    await flush();
    expect(sent().map((m) => m.type)).toEqual(["digital-tab:hello"]);
    answer({ type: "digital-tab:welcome", nonce: sent()[0].nonce, agent: {} });
    await flush();
    expect(sent().map((m) => m.type)).toEqual([
      "digital-tab:hello",
      "digital-tab:call"
    ]);
    bridge.disconnect();
  });

  it("matches each result to its call by request id", async () => {
    const { bridge, sent, answer } = await handshaken();
    const first = bridge.call("GET", "/api/v1/inbox");
    const second = bridge.call("POST", "/api/v1/interactions/1/open");
    await flush();
    const [one, two] = sent().filter((m) => m.type === "digital-tab:call");
    expect(one.id).not.toBe(two.id);
    answer({
      type: "digital-tab:result",
      nonce: two.nonce,
      id: two.id,
      status: 409,
      body: { error: { code: "held_by_other", message: "Ben has it." } }
    });
    answer({
      type: "digital-tab:result",
      nonce: one.nonce,
      id: one.id,
      status: 200,
      body: { items: [] }
    });
    await expect(first).resolves.toEqual({ items: [] });
    const refused = await second.catch((error) => error);
    expect(refused).toBeInstanceOf(BridgeError);
    expect([refused.status, refused.code, refused.message]).toEqual([
      409,
      "held_by_other",
      "Ben has it."
    ]);
    bridge.disconnect();
  });

  it("carries files beside the body for a multipart call", async () => {
    const { bridge, sent } = await handshaken();
    const file = new File(["hello"], "note.txt", { type: "text/plain" });
    bridge.call("POST", "/api/v1/interactions/1/reply", { text: "Hi" }, [file]);
    await flush();
    const call = sent().find((m) => m.type === "digital-tab:call");
    expect(call.body).toEqual({ text: "Hi" });
    expect(call.files).toEqual([file]);
    bridge.disconnect();
  });

  it("gives up on a call nobody answers", async () => {
    const { bridge } = await handshaken();
    const lost = await bridge
      .call("GET", "/api/v1/tags")
      .catch((error) => error);
    expect(lost.code).toBe("timeout");
    bridge.disconnect();
  });

  it("hands live events to their subscribers only, from the pinned frame only", async () => {
    const { bridge, answer, nonce } = await handshaken();
    const changed = jest.fn();
    const unsubscribe = bridge.on("interaction.changed", changed);
    answer({
      type: "digital-tab:event",
      nonce,
      name: "interaction.changed",
      data: { seq: 3 }
    });
    answer({
      type: "digital-tab:event",
      nonce,
      name: "message.added",
      data: { seq: 4 }
    });
    answer(
      {
        type: "digital-tab:event",
        nonce,
        name: "interaction.changed",
        data: { seq: 5 }
      },
      BACKEND,
      {}
    );
    unsubscribe();
    answer({
      type: "digital-tab:event",
      nonce,
      name: "interaction.changed",
      data: { seq: 6 }
    });
    expect(changed.mock.calls).toEqual([[{ seq: 3 }]]);
    bridge.disconnect();
  });
});
