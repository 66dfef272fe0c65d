"""Parsing real CXone event payloads, delta and unknown events, and deduplication."""

from __future__ import annotations

import json

import pytest

from server.cxone.events import Deduplicator, EventParseError, parse_event
from tests.conftest import FIXTURES

EVENTS = FIXTURES / "cxone-events"


@pytest.mark.parametrize("name", sorted(p.name for p in EVENTS.glob("*.json")))
def test_every_real_payload_parses_unchanged(name):
    raw = (EVENTS / name).read_text()
    event = parse_event(raw)
    payload = json.loads(raw)
    assert event.event_id == payload["eventId"]
    assert event.event_type == payload["eventType"]
    assert event.known
    assert event.contact_id == str(payload["data"]["case"]["id"])
    assert event.raw == payload


def test_status_change_carries_the_new_status():
    event = parse_event((EVENTS / "CaseStatusChanged.json").read_text())
    assert event.contact.status == "closed"
    assert event.contact.routing_queue_id is None  # null in the real payload
    assert event.contact.channel_id


def test_assignment_and_unassignment():
    assigned = parse_event((EVENTS / "CaseInboxAssigneeChanged.json").read_text())
    assert assigned.assignee.id == 12328 and assigned.contact.assignee_id == 12328
    assert assigned.previous_assignee is None
    unassigned = parse_event((EVENTS / "CaseInboxAssigneeChanged-unassigned.json").read_text())
    assert unassigned.assignee is None and unassigned.contact.assignee_id is None
    assert unassigned.previous_assignee is not None and unassigned.previous_assignee.id


def test_messages_carry_text_and_contact():
    created = parse_event((EVENTS / "MessageCreated.json").read_text())
    assert created.message.text == "A message"
    assert created.message.contact_id == created.contact_id
    added = parse_event((EVENTS / "MessageAddedIntoCase.json").read_text())
    assert added.message.text == "Tak ale znovu"


def test_delta_event_with_only_id_and_changed_fields():
    event = parse_event(
        {
            "eventId": "d1",
            "eventType": "CaseStatusChanged",
            "data": {"case": {"id": 77, "status": "resolved"}},
        }
    )
    assert event.contact.id == "77" and event.contact.status == "resolved"
    assert event.contact_fields == {"id", "status"}
    assert event.contact.channel_id is None  # not carried, not invented


def test_unknown_event_types_and_fields_are_tolerated():
    event = parse_event(
        {
            "eventId": "u1",
            "eventType": "SomethingNew",
            "brandNewField": {"x": 1},
            "data": {"case": {"id": "5", "weird": None, "status": None}},
        }
    )
    assert not event.known and event.contact.id == "5" and event.contact.status is None


@pytest.mark.parametrize(
    "payload",
    ["not json", "[1,2]", json.dumps({"no": "type"}), json.dumps({"eventType": 5}), b"\xff\xfe"],
)
def test_malformed_payloads_are_refused(payload):
    with pytest.raises(EventParseError):
        parse_event(payload)


def test_case_without_id_or_broken_parts_does_not_crash():
    event = parse_event(
        {
            "eventType": "CaseStatusChanged",
            "data": {"case": {"status": "open"}, "message": "nope", "inboxAssignee": 7},
        }
    )
    assert (
        event.contact is None
        and event.message is None
        and event.assignee is None
        and event.contact_id is None
    )


def test_deduplication_by_event_id_is_bounded():
    dedup = Deduplicator(capacity=3)
    assert [dedup.first_time(i) for i in ("a", "b", "a", "c", "d")] == [
        True,
        True,
        False,
        True,
        True,
    ]
    assert dedup.first_time("b") is True  # forgotten after the capacity was passed
    assert dedup.first_time(None) and dedup.first_time(None)
