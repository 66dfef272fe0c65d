"""What the projection keeps in memory for every contact it has seen. The 30-minute soak saw the
Event Hub leader's worker grow 14.5 % in 22 minutes; a worker lives for days."""

from __future__ import annotations

import copy
import gc
import json
import tracemalloc
from pathlib import Path

from server.cxone.events import CxoneEvent, parse_event
from server.db import Database, upgrade
from server.digital.projection import Projection

CASE_EVENT = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "cxone-events" / "CaseStatusChanged.json").read_text()
)


def event_of_contact(n: int) -> CxoneEvent:
    payload = copy.deepcopy(CASE_EVENT)
    payload["eventId"] = f"event-{n}"
    payload["data"]["case"]["id"] = f"contact-{n}"
    return parse_event(payload)


def not_expected(contact_id: str) -> None:
    raise AssertionError(f"full case events need no fetch ({contact_id})")


def test_memory_kept_per_contact_is_small_and_does_not_grow_with_the_case(tmp_path):
    url = f"sqlite:///{tmp_path / 'read-model.db'}"
    upgrade(url)
    db = Database(url)
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
        db.dispose()
    per_contact = (after - before) / 1_000
    print(f"{per_contact:.0f} bytes kept per contact")
    assert per_contact < 600, f"{per_contact:.0f} bytes kept per contact"


def test_a_repeated_event_is_still_skipped_and_a_changed_one_applied(tmp_path):
    url = f"sqlite:///{tmp_path / 'read-model.db'}"
    upgrade(url)
    db = Database(url)
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
    db.dispose()
