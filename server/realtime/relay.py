"""Turns committed read-model changes into small numbered events for the rooms that may see them.

Each event is stored first (its number comes from the database, shared by every process), then
emitted to the interaction's routing-queue room and to its assignee's agent room. A client that
reconnects passes the last number it saw and gets what it missed, or `resync` when that is older
than what is kept.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

from flask_socketio import SocketIO
from sqlalchemy import bindparam, delete, func, insert, or_, select

from server.db import Database, utcnow
from server.digital.agents import AgentProfile, Directory
from server.digital.inbox import unread_counts
from server.digital.models import Interaction, RelayEvent
from server.digital.projection import Previous
from server.realtime.delivery import DeliveredSeqs
from server.realtime.rooms import agent_room, queue_room

log = logging.getLogger(__name__)
NAMESPACE = "/agents"
KEEP = timedelta(hours=6)
MAX_REPLAY = 1000
_I = Interaction.__table__.c
_E = RelayEvent.__table__.c
_PAYLOAD_COLUMNS = (
    _I.contact_id,
    _I.status,
    _I.active,
    _I.routing_queue_id,
    _I.assignee_id,
    _I.assignee_name,
    _I.channel_kind,
    _I.priority,
    _I.preview,
    _I.received_at,
)
# Built once: they run for every event.
_PAYLOAD_ROW = select(*_PAYLOAD_COLUMNS).where(_I.contact_id == bindparam("contact_id"))
_RECORD = insert(RelayEvent.__table__).returning(RelayEvent.__table__.c.seq)


class Relay:
    def __init__(self, db: Database, directory: Directory, socketio: SocketIO) -> None:
        self._db = db
        self._directory = directory
        self._socketio = socketio
        self._backfilled_to: int | None = None

    def on_change(self, contact_id: str, what: str, previous: Previous | None = None) -> None:
        """A projection listener: record, then emit to the rooms entitled to it: the queue and
        the assignee it has now, and those it had before when they changed (a transfer, a claim),
        so that agents it left drop it from their lists."""
        before_queue, before_assignee = previous or (None, None)
        with self._db.transaction() as db:
            row = db.execute(_PAYLOAD_ROW, {"contact_id": contact_id}).first()
            if row is None:
                return
            payload = _payload(row, what)
            payload["seq"] = db.execute(
                _RECORD,
                {
                    "contact_id": contact_id,
                    "routing_queue_id": row.routing_queue_id,
                    "assignee_id": row.assignee_id,
                    "previous_queue_id": before_queue,
                    "previous_assignee_id": before_assignee,
                    "payload": json.dumps(payload),
                    "created_at": utcnow(),
                },
            ).scalar_one()
            queue_id, assignee_id = row.routing_queue_id, row.assignee_id
        rooms = self._rooms(queue_id, before_queue, assignee_id, before_assignee)
        if rooms:
            # One emit to all the rooms: an agent in both (the usual case) hears it once.
            self._socketio.emit(payload["type"], payload, to=rooms, namespace=NAMESPACE)
        assignee = self._agent(assignee_id)
        if assignee is not None and what == "message" and assignee_id is not None:
            self._emit_unread(contact_id, assignee, assignee_id, payload["seq"])

    def _rooms(
        self,
        queue_id: str | None,
        before_queue: str | None,
        assignee_id: int | None,
        before_assignee: int | None,
    ) -> list[str]:
        rooms = [queue_room(q) for q in {queue_id, before_queue} if q]
        for agent in {self._agent(assignee_id), self._agent(before_assignee)} - {None}:
            rooms.append(agent_room(*agent))  # type: ignore[misc]
        return rooms

    def _agent(self, cxone_user_id: int | None) -> tuple[str, str] | None:
        return None if cxone_user_id is None else self._directory.agent_of_cxone_user(cxone_user_id)

    def start_backfill(self, grace: timedelta) -> None:
        """From this process's start, called before it serves anyone: events older than
        `grace` reached no socket of its own (and a socket connecting later catches up with
        `since`); newer ones may have been published before its subscriber listened."""
        with self._db.transaction() as db:
            self._backfilled_to = (
                db.scalar(
                    select(func.max(RelayEvent.seq)).where(RelayEvent.created_at < utcnow() - grace)
                )
                or 0
            )

    def backfill(self, delivered: DeliveredSeqs, grace: timedelta, window: timedelta) -> int:
        """Deliver to this process's own sockets the stored events that pub/sub did not bring
        within `grace`; returns how many. Events older than `window` are no longer looked at."""
        now = utcnow()
        with self._db.transaction() as db:
            if self._backfilled_to is None:  # what came before reached none of its sockets
                self._backfilled_to = db.scalar(select(func.max(RelayEvent.seq))) or 0
                return 0
            recent = db.execute(
                select(_E.seq, _E.created_at).where(_E.seq > self._backfilled_to)
            ).all()
            missing = [
                seq for seq, created in recent if created <= now - grace and seq not in delivered
            ]
            rows = (
                db.scalars(select(RelayEvent).where(_E.seq.in_(missing))).all() if missing else []
            )
        self._backfilled_to = max(
            [seq for seq, created in recent if created < now - window],
            default=self._backfilled_to,
        )
        delivered.forget_up_to(self._backfilled_to)
        sent = 0
        for row in sorted(rows, key=lambda r: r.seq):
            if not delivered.first_time(row.seq):
                continue  # pub/sub brought it meanwhile
            rooms = self._rooms(
                row.routing_queue_id,
                row.previous_queue_id,
                row.assignee_id,
                row.previous_assignee_id,
            )
            payload = json.loads(row.payload) | {"seq": row.seq}
            if rooms:
                self._socketio.emit(
                    payload["type"], payload, to=rooms, namespace=NAMESPACE, ignore_queue=True
                )
                sent += 1
        return sent

    def keep_backfilling(
        self, delivered: DeliveredSeqs, every_seconds: float = 2.0, window_seconds: float = 30.0
    ) -> None:
        """A background task of every process sharing a message queue."""
        grace, window = timedelta(seconds=every_seconds), timedelta(seconds=window_seconds)
        while True:
            self._socketio.sleep(every_seconds)
            try:
                sent = self.backfill(delivered, grace, window)
                if sent:
                    log.warning("delivered %d live events the message queue did not bring", sent)
            except Exception:
                log.exception("relay backfill failed")

    def _emit_unread(
        self, contact_id: str, agent: tuple[str, str], cxone_user_id: int, seq: int
    ) -> None:
        """The assignee's unread counts after a customer message (their switch list badge)."""
        with self._db.transaction() as db:
            counts = unread_counts(db, agent[0], agent[1], cxone_user_id)
        self._socketio.emit(
            "unread.changed",
            {
                "type": "unread.changed",
                "seq": seq,
                "id": contact_id,
                "unread": counts.get(contact_id, 0),
                "unread_total": sum(counts.values()),
            },
            to=agent_room(*agent),
            namespace=NAMESPACE,
        )

    def missed(self, profile: AgentProfile, since: int) -> list[dict[str, Any]] | None:
        """What this agent may see after `since`, oldest first; None when it is no longer kept."""
        with self._db.transaction() as db:
            db.execute(delete(RelayEvent).where(RelayEvent.created_at < utcnow() - KEEP))
            oldest = db.scalar(select(func.min(RelayEvent.seq)))
            latest = db.scalar(select(func.max(RelayEvent.seq))) or 0
            if since > latest or (oldest is not None and since < oldest - 1):
                return None
            rows = db.scalars(
                select(RelayEvent)
                .where(
                    RelayEvent.seq > since,
                    or_(
                        RelayEvent.routing_queue_id.in_(profile.inbox_queue_ids),
                        RelayEvent.assignee_id == profile.cxone_user_id,
                        RelayEvent.previous_queue_id.in_(profile.inbox_queue_ids),
                        RelayEvent.previous_assignee_id == profile.cxone_user_id,
                    ),
                )
                .order_by(RelayEvent.seq)
                .limit(MAX_REPLAY + 1)
            ).all()
        if len(rows) > MAX_REPLAY:
            return None
        return [json.loads(r.payload) | {"seq": r.seq} for r in rows]

    def latest(self) -> int:
        with self._db.transaction() as db:
            return db.scalar(select(func.max(RelayEvent.seq))) or 0


def _payload(row: Any, what: str) -> dict[str, Any]:
    """Small on purpose: enough to update a list; the client fetches the rest when it opens."""
    kind = (
        "message.added"
        if what == "message"
        else ("interaction.changed" if row.active else "interaction.removed")
    )
    return {
        "type": kind,
        "id": row.contact_id,
        "status": row.status,
        "active": row.active,
        "routing_queue_id": row.routing_queue_id,
        "assignee": {"id": row.assignee_id, "name": row.assignee_name} if row.assignee_id else None,
        "channel_kind": row.channel_kind,
        "priority": row.priority,
        "preview": row.preview,
        "received_at": row.received_at.isoformat(),
    }
