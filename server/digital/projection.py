"""Keeps the read model of interactions current from CXone: full snapshots (API answers,
reconciliation) and events, which may be deltas carrying only the fields that changed."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, case, delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.cxone.events import CxoneEvent
from server.cxone.models import Contact, Message
from server.db import Database, utcnow
from server.digital.models import (
    ACTIVE_STATUSES,
    CHANNEL_ORDER,
    Interaction,
    InteractionMessage,
    InteractionTag,
    channel_rank,
)

log = logging.getLogger(__name__)
_APPLIED_KEPT = 10_000
Previous = tuple[str | None, int | None]  # (routing queue id, assignee id) before a change
_TABLE = Interaction.__table__
# The statements run for every CXone event, built once (building and keying them again each time
# cost as much as running them).
_ROW = select(_TABLE).where(_TABLE.c.contact_id == bindparam("contact_id"))
_EXISTS = select(_TABLE.c.contact_id).where(_TABLE.c.contact_id == bindparam("contact_id"))
_PREVIEW = select(_TABLE.c.preview).where(_TABLE.c.contact_id == bindparam("contact_id"))
_TAGS = InteractionTag.__table__
_TAGS_OF = select(_TAGS.c.tag_id).where(_TAGS.c.contact_id == bindparam("contact_id"))
_MESSAGES = InteractionMessage.__table__
_RECORD_MESSAGE = {
    dialect.__name__.rsplit(".", 1)[-1]: dialect.insert(_MESSAGES)
    .on_conflict_do_nothing()
    .returning(_MESSAGES.c.message_id)
    for dialect in (sqlite, postgresql)
}
_AT = bindparam("at", type_=_TABLE.c.last_inbound_at.type)
_COUNT_INBOUND = (
    update(_TABLE)
    .where(_TABLE.c.contact_id == bindparam("of_contact"))
    .values(
        inbound_count=_TABLE.c.inbound_count + 1,
        last_inbound_at=case(
            (or_(_TABLE.c.last_inbound_at.is_(None), _TABLE.c.last_inbound_at < _AT), _AT),
            else_=_TABLE.c.last_inbound_at,
        ),
    )
)
# What an agent's list shows: a change to any of these is announced.
_VISIBLE = ("status", "active", "assignee_id", "routing_queue_id", "preview", "priority")
# A new row before the contact's fields are applied (the rules below read some of these).
_NEW_ROW: dict[str, Any] = {
    "channel_id": "",
    "channel_kind": "",
    "channel_rank": len(CHANNEL_ORDER),
    "routing_queue_id": None,
    "status": "new",
    "status_updated_at": None,
    "active": True,
    "assignee_id": None,
    "assignee_name": "",
    "priority": 0,
    "customer_id": "",
    "customer_name": "",
    "customer_digital_id": "",
    "thread_id": "",
    "preview": "",
}

# Which read-model columns each CXone case field feeds.
_FIELDS = {
    "status": ("status",),
    "routingQueueId": ("routing_queue_id",),
    "inboxAssigneeUser": ("assignee",),
    "inboxAssignee": ("assignee",),
    "routingQueuePriority": ("priority",),
    "createdAt": ("received_at",),
    "preview": ("preview",),
    "endUser": ("customer",),
    "authorEndUserIdentity": ("customer",),
    "channelId": ("channel",),
    "threadIdOnExternalPlatform": ("thread_id",),
    "tags": ("tags",),
}
ALL_PARTS = frozenset(part for parts in _FIELDS.values() for part in parts)


class Projection:
    def __init__(
        self,
        db: Database,
        channel_kind: Callable[[str], str],
        fetch_contact: Callable[[str], Contact],
        fetch_messages: Callable[[str], list[Message]],
    ) -> None:
        self._db = db
        self._channel_kind = channel_kind
        self._fetch_contact = fetch_contact
        self._fetch_messages = fetch_messages
        self._listeners: list[Callable[[str, str, Previous | None], None]] = []
        self._write_lock = threading.RLock()
        self._changed: dict[
            str, str
        ] = {}  # contact id -> "interaction" | "message", until announced
        # Where a changed interaction was before (queue, assignee): agents it left must hear of it.
        self._previous: dict[str, Previous] = {}
        self.ready = threading.Event()  # set after the first reconciliation
        # What the last event applied per contact carried. CXone sends several events for one
        # change (MessageCreated, then MessageAddedIntoCase with the same case and message); a
        # repeat is skipped without touching the database. Any other write forgets the entry.
        # A digest, not the case itself: a case is ~3 KB, and the leader keeps 10,000 of them.
        self._applied: OrderedDict[str, bytes] = OrderedDict()

    def on_change(self, listener: Callable[[str, str, Previous | None], None]) -> None:
        """listener(contact_id, "interaction" | "message", previous) after a committed change an
        agent would see (the live relay); previous: (routing queue id, assignee id) before the
        change, None for a new row. Reconciliations that change nothing announce nothing."""
        self._listeners.append(listener)

    # --- sinks of the Event Hub consumer -------------------------------------------------------

    def apply_event(self, event: CxoneEvent) -> None:
        contact_id = event.contact_id
        if contact_id is None:
            return
        carried = _digest(
            event.message.id if event.message else None,
            json.dumps(event.contact.raw, sort_keys=True, default=str) if event.contact else "",
        )
        with self._write_lock:
            if self._applied.get(contact_id) == carried:
                return
        self._write(lambda db: self._apply_event(db, event, contact_id))
        with self._write_lock:
            self._applied[contact_id] = carried
            self._applied.move_to_end(contact_id)
            if len(self._applied) > _APPLIED_KEPT:
                self._applied.popitem(last=False)
        self._announce()

    def _apply_event(self, db: Session, event: CxoneEvent, contact_id: str) -> None:
        contact, message = event.contact, event.message
        if contact is not None:
            parts = _parts(event.contact_fields)
            if not _is_full(event.contact_fields) and not _exists(db, contact_id):
                contact, parts = self._fetch_contact(contact_id), ALL_PARTS  # a delta, unknown row
            self._upsert(db, contact, parts)
        if message is not None and (contact is not None or _exists(db, contact_id)):
            self._record_message(db, contact_id, message)

    def reconcile(self, contacts: list[Contact]) -> None:
        """The complete set of contacts CXone says are active; any other of ours is refetched."""
        seen = {c.id for c in contacts}
        stale_messages: list[str] = []
        gone: list[str] = []

        def apply(db: Session) -> None:
            # The active rows and those CXone sent, not every row: the table keeps all history.
            columns = (_TABLE.c.contact_id, _TABLE.c.status, _TABLE.c.preview, _TABLE.c.active)
            active = select(*columns).where(_TABLE.c.active.is_(True))
            known = {row.contact_id: row for row in db.execute(active)}
            others = [contact_id for contact_id in seen if contact_id not in known]
            for start in range(0, len(others), 500):
                chunk = select(*columns).where(_TABLE.c.contact_id.in_(others[start : start + 500]))
                known.update((row.contact_id, row) for row in db.execute(chunk))
            stale_messages[:] = [c.id for c in contacts if _changed(known.get(c.id), c)]
            gone[:] = [cid for cid, row in known.items() if row.active and cid not in seen]
            for contact in contacts:
                self._upsert(db, contact, ALL_PARTS)

        self._write(apply, forget="*")
        for contact_id in gone:
            try:
                self.apply_snapshot(self._fetch_contact(contact_id))
            except Exception:
                log.warning("could not refetch contact %s during reconciliation", contact_id)
        for contact_id in stale_messages:
            self.refresh_messages(contact_id, announce=False)  # announced once, below
        if not self.ready.is_set():
            # The first load is not news: clients fetch the inbox itself. Announcing thousands of
            # rows here would tie up the worker (and every agent's socket) for nothing.
            with self._write_lock:
                self._changed.clear()
                self._previous.clear()
        self.ready.set()
        self._announce()

    # --- from the workflow (read your own writes) ----------------------------------------------

    def apply_snapshot(self, contact: Contact, messages: Iterable[Message] = ()) -> None:
        """A contact as CXone has it now, with `messages` the caller has of it (a reply just
        sent), in one transaction. When its last message is not the one the read model shows,
        messages came that no event told of (the Event Hub was away, or no process followed
        it): they are fetched first and written with it, so that neither this snapshot nor a
        crash between two writes hides them from reconcile."""
        with self._db.transaction() as db:
            shown = db.execute(_PREVIEW, {"contact_id": contact.id}).first()
        found = list(messages)
        if shown is None or shown.preview != (contact.preview or "")[:255]:
            try:
                found += self._fetch_messages(contact.id)
            except Exception:
                log.warning("could not fetch messages of contact %s", contact.id)

        def apply(db: Session) -> None:
            self._upsert(db, contact, ALL_PARTS)
            for message in found:
                self._record_message(db, contact.id, message)

        self._write(apply, forget=contact.id)
        self._announce()

    def refresh_messages(
        self, contact_id: str, messages: Iterable[Message] | None = None, *, announce: bool = True
    ) -> None:
        try:
            found = list(messages) if messages is not None else self._fetch_messages(contact_id)
        except Exception:
            log.warning("could not fetch messages of contact %s", contact_id)
            return

        def apply(db: Session) -> None:
            if _exists(db, contact_id):
                for message in found:
                    self._record_message(db, contact_id, message)

        self._write(apply, forget=contact_id)
        if announce:
            self._announce()

    def _write(self, change: Callable[[Session], None], forget: str | None = None) -> None:
        """One writer at a time in this process (the Event Hub thread and requests write the
        same rows); across processes a unique-key conflict is retried once. `forget`: the
        contact whose last applied event no longer describes the row ("*": all)."""
        with self._write_lock:
            if forget == "*":
                self._applied.clear()
            elif forget is not None:
                self._applied.pop(forget, None)
            for attempt in (1, 2):
                try:
                    with self._db.transaction() as db:
                        change(db)
                    return
                except IntegrityError:
                    if attempt == 2:
                        raise

    # --- internals -----------------------------------------------------------------------------

    def _upsert(self, db: Session, contact: Contact, parts: frozenset[str]) -> None:
        # Core, not the ORM: this runs for every CXone event, and the ORM's per-row bookkeeping
        # was most of the relay's latency (bench/relay.py).
        current = db.execute(_ROW, {"contact_id": contact.id}).mappings().first()
        before = _visible_state(current)
        now = utcnow()
        if current is None:
            row = _NEW_ROW | {"contact_id": contact.id, "received_at": contact.created_at or now}
            parts = ALL_PARTS
        else:
            row = dict(current)
        new = dict(row)
        if "status" in parts and contact.status and _not_older(contact, row["status_updated_at"]):
            new["status"] = contact.status
            new["active"] = contact.status in ACTIVE_STATUSES
            new["status_updated_at"] = _utc(contact.status_updated_at) or row["status_updated_at"]
        if "routing_queue_id" in parts:
            new["routing_queue_id"] = contact.routing_queue_id
        if "assignee" in parts:
            new["assignee_id"] = contact.assignee_id
            new["assignee_name"] = contact.assignee.name if contact.assignee else ""
        if "priority" in parts and contact.priority is not None:
            new["priority"] = contact.priority
        if "received_at" in parts and contact.created_at:
            new["received_at"] = contact.created_at.astimezone(UTC)
        if "preview" in parts and contact.preview is not None:
            new["preview"] = contact.preview[:255]
        if "customer" in parts:
            new["customer_id"] = contact.customer_id or row["customer_id"]
            new["customer_name"] = (contact.customer_name or row["customer_name"])[:255]
            new["customer_digital_id"] = contact.customer_digital_id or row["customer_digital_id"]
        if "channel" in parts and contact.channel_id:
            new["channel_id"] = contact.channel_id
            new["channel_kind"] = self._channel_kind(contact.channel_id)
            new["channel_rank"] = channel_rank(new["channel_kind"])
        if "thread_id" in parts and contact.thread_id:
            new["thread_id"] = contact.thread_id
        if current is None:
            db.execute(insert(_TABLE).values(**new, updated_at=now))
        else:
            changes = {key: value for key, value in new.items() if value != row[key]}
            if changes:
                where = _TABLE.c.contact_id == contact.id
                db.execute(update(_TABLE).where(where).values(**changes, updated_at=now))
        if "tags" in parts and "tags" in contact.raw:
            self._set_tags(db, contact.id, set(contact.tag_ids))
        if _visible_state(new) != before:
            self._changed.setdefault(contact.id, "interaction")
            if current is not None:
                self._previous.setdefault(
                    contact.id, (current["routing_queue_id"], current["assignee_id"])
                )

    @staticmethod
    def _set_tags(db: Session, contact_id: str, wanted: set[int]) -> None:
        have = set(db.scalars(_TAGS_OF, {"contact_id": contact_id}))
        if have - wanted:
            db.execute(
                delete(InteractionTag).where(
                    InteractionTag.contact_id == contact_id,
                    InteractionTag.tag_id.in_(have - wanted),
                )
            )
        for tag_id in wanted - have:
            db.add(InteractionTag(contact_id=contact_id, tag_id=tag_id))

    def _record_message(self, db: Session, contact_id: str, message: Message) -> None:
        inbound = message.direction == "inbound"
        created = (message.created_at or utcnow()).astimezone(UTC)
        # One statement, whichever path (event or API answer, any process) records it first.
        recorded = db.execute(
            _RECORD_MESSAGE[db.get_bind().dialect.name],
            {
                "message_id": message.id,
                "contact_id": contact_id,
                "inbound": inbound,
                "created_at": created,
            },
        ).first()
        if recorded is None:
            return
        if inbound:
            db.execute(_COUNT_INBOUND, {"of_contact": contact_id, "at": created})
            self._changed[contact_id] = "message"

    def _announce(self) -> None:
        """Tell listeners (the live relay) what changed, once the change is committed."""
        with self._write_lock:
            changed, self._changed = self._changed, {}
            previous, self._previous = self._previous, {}
        for contact_id, what in changed.items():
            for listener in self._listeners:
                try:
                    listener(contact_id, what, previous.get(contact_id))
                except Exception:
                    log.exception("projection listener failed")


def _visible_state(row: Mapping[str, Any] | None) -> tuple[object, ...] | None:
    if row is None:
        return None
    return tuple(row[key] for key in _VISIBLE)


def _exists(db: Session, contact_id: str) -> bool:
    return db.scalar(_EXISTS, {"contact_id": contact_id}) is not None


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment and moment.tzinfo else None


def _not_older(contact: Contact, status_updated_at: datetime | None) -> bool:
    incoming = _utc(contact.status_updated_at)
    return incoming is None or status_updated_at is None or incoming >= status_updated_at


def _changed(row: Any, contact: Contact) -> bool:
    """Whether messages may have come that no event told us of."""
    return (
        row is None or row.status != contact.status or row.preview != (contact.preview or "")[:255]
    )


def _digest(message_id: str | None, case: str) -> bytes:
    return hashlib.blake2b(f"{message_id}\0{case}".encode(), digest_size=16).digest()


def _is_full(fields: frozenset[str]) -> bool:
    return {"channelId", "createdAt", "status"} <= fields


def _parts(fields: frozenset[str]) -> frozenset[str]:
    return frozenset(part for name in fields for part in _FIELDS.get(name, ()))
