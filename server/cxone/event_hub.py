"""The Event Hub consumer: a WebSocket kept open with heartbeats and reconnects, plus
reconciliation against GET /contacts so that nothing missed while disconnected is lost.

Sinks:
- `on_event(event)` for each new (deduplicated) event;
- `on_reconcile(contacts)` with the complete set of contacts in `RECONCILED_STATUSES`, on every
  (re)connect and every `reconcile_seconds`: a contact of ours missing from it is no longer active.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import simple_websocket

from server.cxone.client import CxoneClient
from server.cxone.errors import CxoneError
from server.cxone.events import CxoneEvent, Deduplicator, EventParseError, parse_event
from server.cxone.models import Contact

log = logging.getLogger(__name__)
RECONCILED_STATUSES = ("new", "open", "pending", "escalated", "resolved")
_HEARTBEAT_MAX = 256  # bytes: {"type": "heartbeat"} with room for fields CXone may add


class _HubRefused(Exception):
    def __init__(self, code: str, retry_after: float | None) -> None:
        super().__init__(code)
        self.code = code
        self.retry_after = retry_after


@dataclass
class HubStats:
    connects: int = 0
    events: int = 0
    duplicates: int = 0
    unparseable: int = 0
    reconciliations: int = 0
    pongs: int = 0
    rate_limited: int = 0


class EventHubConsumer:
    def __init__(
        self,
        client: CxoneClient,
        on_event: Callable[[CxoneEvent], None],
        on_reconcile: Callable[[list[Contact]], None],
        *,
        reconcile_seconds: float = 300.0,
        silence_timeout_seconds: float = 75.0,
        backoff_base_seconds: float = 0.5,
        backoff_cap_seconds: float = 30.0,
    ) -> None:
        self._client = client
        self._on_event = on_event
        self._on_reconcile = on_reconcile
        self._reconcile_seconds = reconcile_seconds
        # Heartbeats come every 30 s; two missed means the connection is dead even if TCP says not.
        self._silence_timeout = silence_timeout_seconds
        self._backoff_base = backoff_base_seconds
        self._backoff_cap = backoff_cap_seconds
        self._dedup = Deduplicator()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ws: simple_websocket.Client | None = None
        self.connected = threading.Event()
        self.stats = HubStats()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="cxone-event-hub", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._ws is not None:
            with contextlib.suppress(Exception):  # already closed
                self._ws.close()
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            connects = self.stats.connects
            try:
                self._session()
                failures = 0
            except _HubRefused as refused:
                failures += 1
                if refused.code == "RATE_LIMIT_EXCEEDED":
                    self.stats.rate_limited += 1
                    self._wait(
                        refused.retry_after
                        if refused.retry_after is not None
                        else self._backoff(failures)
                    )
                    continue
                log.warning("Event Hub refused registration: %s", refused.code)
            except (
                CxoneError,
                simple_websocket.ConnectionError,
                simple_websocket.ConnectionClosed,
                OSError,
            ) as exc:
                failures += 1
                log.warning("Event Hub connection lost: %s", type(exc).__name__)
            except Exception:
                # Anything else (a protocol error while the socket closes, a bug in a sink) must
                # not end the thread: without it no event would ever arrive again.
                failures += 1
                log.exception("Event Hub session failed; reconnecting")
            finally:
                self.connected.clear()
            if self.stats.connects > connects:
                # It was registered and working: a drop after that starts the backoff afresh,
                # or every later drop in a long life would wait the full cap (30 s, no events).
                failures = 1
            self._wait(self._backoff(failures))

    def reconcile(self) -> None:
        contacts = list(self._client.iter_contacts(statuses=RECONCILED_STATUSES))
        self._on_reconcile(contacts)
        self.stats.reconciliations += 1

    def _session(self) -> None:
        url = self._client.event_hub_url()
        token = self._client.tokens.token()
        self._ws = ws = simple_websocket.Client.connect(url)
        reader: threading.Thread | None = None
        try:
            ws.send(json.dumps({"action": "register", "token": token}))
            reply = _json(ws.receive(timeout=10))
            if reply.get("type") != "authorized":
                code = str(reply.get("errorCode") or "NO_ANSWER")
                if code == "UNAUTHORIZED":
                    self._client.tokens.invalidate(token)
                retry_after = reply.get("retryAfter")
                raise _HubRefused(
                    code, float(retry_after) if isinstance(retry_after, (int, float)) else None
                )
            self.stats.connects += 1
            self.connected.set()
            received: queue.SimpleQueue[str | bytes | Exception] = queue.SimpleQueue()
            reader = threading.Thread(
                target=self._read, args=(ws, received), name="cxone-event-hub-reader", daemon=True
            )
            reader.start()
            # Reconcile after registering, so that changes made meanwhile arrive as events too.
            self.reconcile()
            next_reconcile = time.monotonic() + self._reconcile_seconds
            while not self._stop.is_set():
                with contextlib.suppress(queue.Empty):
                    item = received.get(timeout=1)
                    if isinstance(item, Exception):
                        raise item
                    self._handle(item)
                if time.monotonic() >= next_reconcile:
                    self.reconcile()
                    next_reconcile = time.monotonic() + self._reconcile_seconds
        finally:
            self._ws = None
            with contextlib.suppress(Exception):
                ws.close()
            if reader is not None:
                reader.join(5)

    def _read(
        self, ws: simple_websocket.Client, received: queue.SimpleQueue[str | bytes | Exception]
    ) -> None:
        """Receives for the session: answers heartbeats at once and hands the rest over in order.
        Apart, because applying events and reconciling can take longer than two heartbeats under
        load (seen in the soak), and CXone drops a client that misses two."""
        last_heard = time.monotonic()
        try:
            while not self._stop.is_set():
                text = ws.receive(timeout=1)
                if text is None:
                    if time.monotonic() - last_heard > self._silence_timeout:
                        raise simple_websocket.ConnectionClosed()
                    continue
                last_heard = time.monotonic()
                # Heartbeats are a few bytes; events (kilobytes) are parsed by the session, so
                # that a backlog under load is held as text, not as many times larger dicts.
                if len(text) < _HEARTBEAT_MAX and _json(text).get("type") == "heartbeat":
                    ws.send(json.dumps({"action": "pong"}))
                    self.stats.pongs += 1
                else:
                    received.put(text)
        except Exception as exc:  # handed to the session, which raises it
            received.put(exc)

    def _handle(self, text: str | bytes) -> None:
        message = _json(text)
        try:
            event = parse_event(message)
        except EventParseError:
            self.stats.unparseable += 1
            log.warning("ignored an Event Hub message that is not an event")
            return
        if not self._dedup.first_time(event.event_id):
            self.stats.duplicates += 1
            return
        self.stats.events += 1
        try:
            self._on_event(event)
        except Exception:
            log.exception("event handler failed for %s", event.event_type)

    def _backoff(self, failures: int) -> float:
        ceiling = min(self._backoff_cap, self._backoff_base * 2 ** max(0, failures - 1))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 (jitter)

    def _wait(self, seconds: float) -> None:
        self._stop.wait(seconds)


def _json(text: str | bytes | None) -> dict:
    try:
        value = json.loads(text) if text else {}
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


class EventHubFollower:
    """Starts and stops consumers on demand (a stopped consumer is not restarted: a new one is)."""

    def __init__(self, make: Callable[[], EventHubConsumer]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self.consumer: EventHubConsumer | None = None
        self.leadership: object | None = None  # set when several processes elect one follower

    def start(self) -> None:
        with self._lock:
            if self.consumer is None:
                self.consumer = self._make()
                self.consumer.start()

    def stop_consumer(self) -> None:
        with self._lock:
            consumer, self.consumer = self.consumer, None
        if consumer is not None:
            consumer.stop()

    def stop(self) -> None:
        """Shut down: step down from leadership (if any) and stop consuming."""
        leadership, self.leadership = self.leadership, None
        if leadership is not None:
            leadership.stop()  # type: ignore[attr-defined]
        self.stop_consumer()
