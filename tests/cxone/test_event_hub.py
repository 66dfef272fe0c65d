"""The Event Hub consumer against the sandbox's real WebSocket: registration, heartbeats,
events, drops with reconciliation, rate limits, malformed payloads."""

from __future__ import annotations

import json
import threading
import time

import pytest

from server.cxone.client import CxoneClient
from server.cxone.event_hub import RECONCILED_STATUSES, EventHubConsumer
from server.cxone.events import CxoneEvent
from server.cxone.models import Contact
from tests.conftest import SpecCheckedSession, cxone_config, wait_until


class Mirror:
    """What a consumer of events would build: the active contacts and their statuses."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.contacts: dict[str, str | None] = {}
        self.events: list[CxoneEvent] = []
        self.reconciliations = 0

    def on_event(self, event: CxoneEvent) -> None:
        with self.lock:
            self.events.append(event)
            if event.contact is not None and "status" in event.contact_fields:
                if event.contact.status in RECONCILED_STATUSES:
                    self.contacts[event.contact.id] = event.contact.status
                else:
                    self.contacts.pop(event.contact.id, None)

    def on_reconcile(self, contacts: list[Contact]) -> None:
        with self.lock:
            self.contacts = {c.id: c.status for c in contacts}
            self.reconciliations += 1

    def types_for(self, contact_id: str) -> list[str]:
        with self.lock:
            return [e.event_type for e in self.events if e.contact_id == contact_id]


@pytest.fixture
def hub(fresh_cxone_sandbox):  # type: ignore[no-untyped-def]
    sandbox = fresh_cxone_sandbox(heartbeat=0.3)
    client = CxoneClient(cxone_config(sandbox.url), http=SpecCheckedSession())
    mirror = Mirror()
    consumer = EventHubConsumer(
        client,
        mirror.on_event,
        mirror.on_reconcile,
        silence_timeout_seconds=2,
        backoff_base_seconds=0.1,
        backoff_cap_seconds=0.5,
    )
    consumer.start()
    assert consumer.connected.wait(10)
    wait_until(lambda: mirror.reconciliations >= 1)
    yield sandbox, client, consumer, mirror
    consumer.stop()


def truth(client: CxoneClient) -> dict[str, str | None]:
    return {c.id: c.status for c in client.iter_contacts(statuses=RECONCILED_STATUSES)}


def test_connect_reconciles_then_streams_events(hub):
    sandbox, client, _consumer, mirror = hub
    assert mirror.contacts == truth(client)  # the first reconciliation is the whole active set
    contact_id = sandbox.customer_writes(channel="instagram", text="hello 👋")["contact"]["id"]
    wait_until(lambda: "MessageAddedIntoCase" in mirror.types_for(contact_id))
    assert mirror.types_for(contact_id) == ["CaseCreated", "MessageCreated", "MessageAddedIntoCase"]
    client.set_status(contact_id, "pending")
    wait_until(lambda: mirror.contacts.get(contact_id) == "pending")


def test_heartbeats_are_answered_and_the_connection_stays_up(hub):
    _, _, consumer, _ = hub
    time.sleep(1.5)  # five heartbeats; the hub drops clients that miss two
    assert consumer.stats.pongs >= 3
    assert consumer.connected.is_set() and consumer.stats.connects == 1


def test_slow_sinks_do_not_miss_heartbeats(fresh_cxone_sandbox):
    """Under load, applying events and reconciling took longer than two heartbeats and the hub
    dropped the consumer again and again (the 30-minute soak); heartbeats are answered apart."""
    sandbox = fresh_cxone_sandbox(heartbeat=0.3)
    client = CxoneClient(cxone_config(sandbox.url))
    mirror = Mirror()

    def slow_reconcile(contacts: list[Contact]) -> None:
        time.sleep(1.5)  # five heartbeats; the hub drops clients that miss two
        mirror.on_reconcile(contacts)

    def slow_event(event: CxoneEvent) -> None:
        time.sleep(0.5)
        mirror.on_event(event)

    consumer = EventHubConsumer(
        client, slow_event, slow_reconcile, reconcile_seconds=2, silence_timeout_seconds=2
    )
    consumer.start()
    try:
        assert consumer.connected.wait(10)
        written = sandbox.customer_writes(channel="chat", text="while you reconcile")
        contact_id = written["contact"]["id"]
        wait_until(lambda: mirror.reconciliations >= 2, 15)
        # In order, none lost, on the first connection all along.
        assert mirror.types_for(contact_id) == [
            "CaseCreated",
            "MessageCreated",
            "MessageAddedIntoCase",
        ]
        assert consumer.stats.connects == 1 and consumer.stats.pongs >= 5
    finally:
        consumer.stop()


def test_dropped_mid_stream_loses_no_change_once_reconciled(hub):
    sandbox, client, consumer, mirror = hub
    seen = sandbox.customer_writes(channel="chat")["contact"]["id"]
    wait_until(lambda: seen in mirror.contacts)
    # Drop the socket and change things before the consumer is back.
    consumer._backoff = lambda failures: 1.0  # a window during which changes are missed
    sandbox.control("/sandbox/event-hub/drop")
    wait_until(lambda: not consumer.connected.is_set(), 5)
    missed = sandbox.customer_writes(channel="sms", text="written while you were away")["contact"][
        "id"
    ]
    client.set_status(seen, "resolved")
    closed = next(c for c in truth(client) if c not in (seen, missed))
    client.set_status(closed, "closed")
    wait_until(lambda: consumer.stats.connects == 2)
    wait_until(lambda: mirror.contacts == truth(client))
    assert mirror.contacts[missed] == "new" and mirror.contacts[seen] == "resolved"
    assert closed not in mirror.contacts


def test_rate_limit_on_registration_is_respected(hub):
    sandbox, _, consumer, _ = hub
    sandbox.control("/sandbox/event-hub/rate-limit", {"count": 1, "retry_after": 1})
    sandbox.control("/sandbox/event-hub/drop")
    dropped_at = time.monotonic()
    wait_until(lambda: consumer.stats.rate_limited == 1, 5)
    wait_until(lambda: consumer.stats.connects == 2, 10)
    assert time.monotonic() - dropped_at >= 1.0


def test_malformed_and_unknown_payloads_do_not_stop_the_stream(hub):
    sandbox, _, consumer, mirror = hub
    import requests

    requests.post(sandbox.url + "/sandbox/event-hub/raw", data="{not json", timeout=5)
    requests.post(
        sandbox.url + "/sandbox/event-hub/raw", data=json.dumps({"hello": "world"}), timeout=5
    )
    unknown = {
        "eventId": "x-1",
        "eventType": "BrandNewThing",
        "data": {"case": {"id": "1", "status": None}},
    }
    for _ in range(2):  # the same eventId twice: delivered once
        requests.post(sandbox.url + "/sandbox/event-hub/raw", data=json.dumps(unknown), timeout=5)
    contact_id = sandbox.customer_writes(channel="email", title="Hi", text="still working?")[
        "contact"
    ]["id"]
    wait_until(lambda: "MessageAddedIntoCase" in mirror.types_for(contact_id))
    assert consumer.stats.unparseable == 2
    assert consumer.stats.duplicates == 1
    assert [e.event_type for e in mirror.events if not e.known] == ["BrandNewThing"]


def test_expired_token_on_reconnect_is_renewed(hub):
    sandbox, client, consumer, _ = hub
    sandbox.control("/sandbox/tokens/expire")
    sandbox.control("/sandbox/event-hub/drop")
    wait_until(lambda: consumer.stats.connects == 2, 10)
    assert client.tokens.tokens_issued == 2


def test_periodic_reconciliation(fresh_cxone_sandbox):
    sandbox = fresh_cxone_sandbox(heartbeat=0.3)
    client = CxoneClient(cxone_config(sandbox.url))
    mirror = Mirror()
    consumer = EventHubConsumer(client, mirror.on_event, mirror.on_reconcile, reconcile_seconds=0.5)
    consumer.start()
    try:
        wait_until(lambda: mirror.reconciliations >= 3, 10)
        assert consumer.stats.connects == 1
    finally:
        consumer.stop()


def test_an_unexpected_error_does_not_end_the_consumer(fresh_cxone_sandbox):
    """Seen in a run: a pong sent while the socket was closing raised a protocol error."""
    sandbox = fresh_cxone_sandbox(heartbeat=0.3)
    client = CxoneClient(cxone_config(sandbox.url))
    mirror = Mirror()
    consumer = EventHubConsumer(
        client,
        mirror.on_event,
        mirror.on_reconcile,
        backoff_base_seconds=0.1,
        backoff_cap_seconds=0.2,
    )
    real_session, calls = consumer._session, []

    def flaky_session() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Event TextMessage cannot be sent in state LOCAL_CLOSING")
        real_session()

    consumer._session = flaky_session
    consumer.start()
    try:
        wait_until(lambda: consumer.connected.is_set(), 10)
        assert len(calls) == 2 and consumer.stats.connects == 1
    finally:
        consumer.stop()


def test_a_drop_after_a_working_session_starts_the_backoff_afresh():
    """Many drops over a long life (heartbeats missed under load) must not each wait the cap."""
    import simple_websocket

    consumer = EventHubConsumer(None, lambda event: None, lambda contacts: None)  # type: ignore[arg-type]
    tried: list[int] = []

    def session() -> None:
        if len(tried) % 2 == 0:
            consumer.stats.connects += 1  # registered and working, then dropped
        raise simple_websocket.ConnectionClosed()

    def backoff(failures: int) -> float:
        tried.append(failures)
        if len(tried) == 6:
            consumer._stop.set()
        return 0.0

    consumer._session = session  # type: ignore[method-assign]
    consumer._backoff = backoff  # type: ignore[method-assign]
    consumer.run()
    # Drops of working sessions wait as a first failure; failed attempts in a row grow.
    assert tried == [1, 2, 1, 2, 1, 2]
