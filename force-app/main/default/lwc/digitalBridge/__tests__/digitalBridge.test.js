import { DigitalBridge, BridgeError } from "c/digitalBridge";

const BACKEND = "https://digital-tab.example.com";

function setup() {
  const frame = { postMessage: jest.fn() };
  const bridge = new DigitalBridge({
    frameWindow: frame,
    backendOrigin: BACKEND,
    timeoutMs: 50
  });
  const sent = () => frame.postMessage.mock.calls.map(([message]) => message);
  const answer = (data, origin = BACKEND, source = frame) =>
    window.dispatchEvent(new MessageEvent("message", { data, origin, source }));
  return { bridge, frame, sent, answer };
}

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

  it("matches each result to its call by request id", async () => {
    const { bridge, sent, answer } = setup();
    const first = bridge.call("GET", "/api/v1/inbox");
    const second = bridge.call("POST", "/api/v1/interactions/1/open");
    const [one, two] = sent();
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

  it("gives up on a call nobody answers", async () => {
    const { bridge } = setup();
    const lost = await bridge
      .call("GET", "/api/v1/tags")
      .catch((error) => error);
    expect(lost.code).toBe("timeout");
    bridge.disconnect();
  });

  it("hands live events to their subscribers only", () => {
    const { bridge, sent, answer } = setup();
    bridge.connect();
    const { nonce } = sent()[0];
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
