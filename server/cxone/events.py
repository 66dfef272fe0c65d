"""CXone Event Hub payloads as typed events, and deduplication by eventId.

Tolerant by design: unknown event types and fields are kept (in `raw`), nulls are accepted where
the spec says string, and delta events (only the case id and the fields that changed) parse too:
`contact_fields` says which case fields the event actually carried.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from server.cxone.models import Agent, Contact, Message, parse_time

CASE_EVENTS = frozenset(
    {
        "CaseCreated",
        "CaseStatusChanged",
        "CaseInboxAssigneeChanged",
        "CaseToRoutingQueueAssignmentChanged",
        "CaseUpdated",
    }
)
MESSAGE_EVENTS = frozenset(
    {"MessageCreated", "MessageAddedIntoCase", "MessageUpdated", "MessageReadChanged"}
)


class EventParseError(ValueError):
    """Not an event envelope at all (no eventType, or not JSON)."""


@dataclass(frozen=True)
class CxoneEvent:
    event_id: str | None
    event_type: str
    event_object: str | None
    created_at: datetime | None
    contact: Contact | None
    contact_fields: frozenset[str]
    message: Message | None
    assignee: Agent | None
    previous_assignee: Agent | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def contact_id(self) -> str | None:
        if self.contact is not None:
            return self.contact.id
        return self.message.contact_id if self.message else None

    @property
    def known(self) -> bool:
        return self.event_type in CASE_EVENTS or self.event_type in MESSAGE_EVENTS


def parse_event(payload: str | bytes | dict[str, Any]) -> CxoneEvent:
    """Raises: EventParseError when the payload is not an event envelope."""
    if isinstance(payload, (str, bytes)):
        try:
            payload = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            raise EventParseError("event payload is not JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("eventType"), str):
        raise EventParseError("event payload has no eventType")
    data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    case = data.get("case") if isinstance(data.get("case"), dict) else None
    if case is not None and case.get("id") is None:
        case = None
    message = data.get("message") if isinstance(data.get("message"), dict) else None
    if message is not None and message.get("id") is None:
        message = None
    contact = Contact.parse(case) if case else None
    assignee = Agent.parse(data.get("inboxAssignee"))
    if contact is not None and assignee is not None and contact.assignee_id is None:
        # Assignment events name the new assignee beside the case (the case may lag behind).
        contact = Contact.parse({**case, "inboxAssignee": assignee.id})
    return CxoneEvent(
        event_id=str(payload["eventId"]) if payload.get("eventId") else None,
        event_type=payload["eventType"],
        event_object=payload.get("eventObject")
        if isinstance(payload.get("eventObject"), str)
        else None,
        created_at=parse_time(payload.get("createdAtWithMilliseconds") or payload.get("createdAt")),
        contact=contact,
        contact_fields=frozenset(case.keys()) if case else frozenset(),
        message=Message.parse(message) if message else None,
        assignee=assignee,
        previous_assignee=Agent.parse(data.get("previousInboxAssignee")),
        raw=payload,
    )


class Deduplicator:
    """Remembers the last `capacity` event ids; the Event Hub and reconnects can repeat events,
    within seconds of each other. 10,000 is minutes of events at the soak's load, about 1.8 MB
    (an id and its entry, ~180 bytes) in the one process that follows the Event Hub for days."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._capacity = capacity

    def first_time(self, event_id: str | None) -> bool:
        if event_id is None:
            return True  # nothing to deduplicate on; consumers are idempotent anyway
        if event_id in self._seen:
            self._seen.move_to_end(event_id)
            return False
        self._seen[event_id] = None
        if len(self._seen) > self._capacity:
            self._seen.popitem(last=False)
        return True
