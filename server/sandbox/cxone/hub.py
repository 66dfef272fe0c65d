"""The sandbox's Event Hub: a WebSocket that sends every change as a CXone event envelope.

Protocol (as the connector speaks it): the client sends {"action": "register", "token"}; the
hub answers {"type": "authorized"} or {"type": "error", "errorCode": "UNAUTHORIZED" |
"RATE_LIMIT_EXCEEDED", "retryAfter"} and closes. Then events flow; every heartbeat interval the
hub sends {"type": "heartbeat"}, which the client answers with {"action": "pong"}; a client that
misses two heartbeats is disconnected.
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import simple_websocket
from flask import Response, request


@dataclass(eq=False)
class Subscriber:
    messages: queue.Queue[str] = field(default_factory=queue.Queue)
    dropped: threading.Event = field(default_factory=threading.Event)


class EventHub:
    def __init__(self) -> None:
        self._subscribers: set[Subscriber] = set()
        self._lock = threading.Lock()
        self._refusals: list[int] = []

    def subscribe(self) -> Subscriber:
        subscriber = Subscriber()
        with self._lock:
            self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)

    def publish(self, envelope: dict[str, Any]) -> None:
        self.publish_text(json.dumps(envelope))

    def publish_text(self, text: str) -> None:
        with self._lock:
            for subscriber in self._subscribers:
                subscriber.messages.put(text)

    def drop_all(self) -> int:
        with self._lock:
            for subscriber in self._subscribers:
                subscriber.dropped.set()
            return len(self._subscribers)

    def refuse_next(self, count: int, retry_after: int) -> None:
        with self._lock:
            self._refusals.extend([retry_after] * count)

    def take_refusal(self) -> int | None:
        with self._lock:
            return self._refusals.pop(0) if self._refusals else None

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)


class _Upgraded(Response):
    """The socket now belongs to the WebSocket; tell the server not to write a response."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self._mode = mode

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._mode == "werkzeug":
            raise ConnectionError()
        if self._mode == "gunicorn":
            raise StopIteration()
        return []


def serve_event_hub(
    hub: EventHub, token_valid: Callable[[str], bool], heartbeat_seconds: float
) -> Response:
    ws = simple_websocket.Server(request.environ)
    subscriber: Subscriber | None = None
    try:
        registration = _json(ws.receive(timeout=10))
        if registration.get("action") != "register" or not token_valid(
            str(registration.get("token", ""))
        ):
            ws.send(
                json.dumps(
                    {
                        "type": "error",
                        "errorCode": "UNAUTHORIZED",
                        "message": "register with a valid access token",
                    }
                )
            )
            return _Upgraded(ws.mode)
        retry_after = hub.take_refusal()
        if retry_after is not None:
            ws.send(
                json.dumps(
                    {"type": "error", "errorCode": "RATE_LIMIT_EXCEEDED", "retryAfter": retry_after}
                )
            )
            return _Upgraded(ws.mode)
        subscriber = hub.subscribe()
        ws.send(json.dumps({"type": "authorized"}))
        last_heartbeat = time.monotonic()
        unanswered_since: float | None = None
        while ws.connected and not subscriber.dropped.is_set():
            while (incoming := ws.receive(timeout=0)) is not None:
                if _json(incoming).get("action") == "pong":
                    unanswered_since = None
            try:
                ws.send(subscriber.messages.get(timeout=0.05))
                while True:
                    ws.send(subscriber.messages.get_nowait())
            except queue.Empty:
                pass
            moment = time.monotonic()
            if moment - last_heartbeat >= heartbeat_seconds:
                ws.send(json.dumps({"type": "heartbeat"}))
                last_heartbeat = moment
                unanswered_since = unanswered_since or moment
            if unanswered_since is not None and moment - unanswered_since > 2 * heartbeat_seconds:
                break  # the client stopped answering heartbeats
    except simple_websocket.ConnectionClosed:
        pass
    finally:
        if subscriber is not None:
            hub.unsubscribe(subscriber)
        with contextlib.suppress(Exception):  # already closed by the peer
            ws.close()
    return _Upgraded(ws.mode)


def _json(text: Any) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
