/*
 * A stand-in for c/digitalBridge in the components' Jest tests: answers calls from a table of
 * path prefixes (longest first), records them, and lets a test push live events.
 * A class, as DigitalBridge is: LWC hands plain objects to @api as read-only proxies.
 */
export class FakeBridge {
  constructor(answers = {}) {
    this.answers = answers;
    this.calls = [];
    this.handlers = {};
  }

  call(method, path, body, files) {
    this.calls.push({ method, path, body, files });
    const key = Object.keys(this.answers)
      .filter((prefix) => `${method} ${path}`.startsWith(prefix))
      .sort((a, b) => b.length - a.length)[0];
    if (key === undefined) {
      return Promise.reject(new Error(`no answer for ${method} ${path}`));
    }
    const answer = this.answers[key];
    const value = typeof answer === "function" ? answer(body, files) : answer;
    return value instanceof Error
      ? Promise.reject(value)
      : Promise.resolve(value);
  }

  callsTo(method, path) {
    return this.calls.filter(
      (c) => c.method === method && c.path.startsWith(path)
    );
  }

  on(name, handler) {
    (this.handlers[name] = this.handlers[name] || new Set()).add(handler);
    return () => this.handlers[name].delete(handler);
  }

  emit(name, data) {
    (this.handlers[name] || []).forEach((handler) => handler(data));
  }
}

export class FakeBridgeError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

export function removeAll() {
  while (document.body.firstChild) {
    document.body.removeChild(document.body.firstChild);
  }
}
