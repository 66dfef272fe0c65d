"""The projection on its own: what it keeps in memory for every contact it has seen (the 30-minute
soak saw the Event Hub leader's worker grow 14.5 % in 22 minutes; a worker lives for days), and
reconciliation against a read model that holds a long history."""

from __future__ import annotations

import copy
import gc
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from server.cxone.events import CxoneEvent, parse_event
from server.cxone.models import Contact, Message
from server.db import Database, upgrade
from server.digital.models import Interaction
from server.digital.projection import Projection

CASE_EVENT = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "cxone-events" / "CaseStatusChanged.json").read_text()
)


def event_of_contact(n: int) -> CxoneEvent:
    payload = copy.deepcopy(CASE_EVENT)
    payload["eventId"] = f"event-{n}"
    payload["data"]["case"]["id"] = f"contact-{n}"
    return parse_event(payload)


@pytest.fixture
def db(tmp_path) -> Iterator[Database]:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'read-model.db'}"
    upgrade(url)
    database = Database(url)
    yield database
    database.dispose()


def contact(n: int, status: str, preview: str = "Hello") -> Contact:
    payload = copy.deepcopy(CASE_EVENT)
    payload["data"]["case"].update(id=f"contact-{n}", status=status, preview=preview)
    found = parse_event(payload).contact
    assert found is not None
    return found


def not_expected(contact_id: str) -> None:
    raise AssertionError(f"full case events need no fetch ({contact_id})")


def test_memory_kept_per_contact_is_small_and_does_not_grow_with_the_case(db):
    projection = Projection(db, lambda channel_id: "chat", not_expected, not_expected)
    events = [event_of_contact(n) for n in range(1_300)]
    assert len(json.dumps(events[0].contact.raw)) > 2_000  # a real case: about 3 KB
    for event in events[:300]:  # warm-up: statement caches, connection pool
        projection.apply_event(event)
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for event in events[300:]:
            projection.apply_event(event)
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    per_contact = (after - before) / 1_000
    print(f"{per_contact:.0f} bytes kept per contact")
    assert per_contact < 600, f"{per_contact:.0f} bytes kept per contact"


def test_a_repeated_event_is_still_skipped_and_a_changed_one_applied(db):
    projection = Projection(db, lambda channel_id: "chat", not_expected, not_expected)
    projection.apply_event(event_of_contact(1))
    writes: list[object] = []
    projection._write = lambda change, forget=None: writes.append(change)  # type: ignore[method-assign]
    projection.apply_event(event_of_contact(1))  # the same case again, under another event id
    assert writes == []
    changed = copy.deepcopy(CASE_EVENT)
    changed["data"]["case"]["id"] = "contact-1"
    changed["data"]["case"]["status"] = "pending"
    projection.apply_event(parse_event(changed))
    assert len(writes) == 1


def test_reconcile_finds_what_changed_among_a_long_history(db):
    fetched_contacts: list[str] = []
    fetched_messages: list[str] = []
    now: dict[str, Contact] = {}

    def fetch_contact(contact_id: str) -> Contact:
        fetched_contacts.append(contact_id)
        return now[contact_id]

    def fetch_messages(contact_id: str) -> list[Message]:
        fetched_messages.append(contact_id)
        return []

    projection = Projection(db, lambda channel_id: "chat", fetch_contact, fetch_messages)
    history = [contact(n, "resolved" if n == 9 else "closed") for n in range(2_000)]
    projection.reconcile([*history[:1_000], contact(2_000, "open"), contact(2_001, "open")])
    for old in history[1_000:]:
        projection.apply_snapshot(old)
    fetched_contacts.clear()
    fetched_messages.clear()
    # CXone now: a long-closed contact came back (resolved, a new message), one open contact
    # was closed while nobody listened; the other open one and a resolved one are unchanged.
    now["contact-2001"] = contact(2_001, "closed")
    projection.reconcile(
        [contact(7, "resolved", "I am back"), contact(9, "resolved"), contact(2_000, "open")]
    )
    assert fetched_contacts == ["contact-2001"]
    assert fetched_messages == ["contact-7"]
    with db.transaction() as session:
        rows = dict(session.execute(select(Interaction.contact_id, Interaction.status)).all())
    assert (rows["contact-7"], rows["contact-2000"], rows["contact-2001"]) == (
        "resolved",
        "open",
        "closed",
    )
    assert rows["contact-8"] == "closed" and len(rows) == 2_002
