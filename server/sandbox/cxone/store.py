"""The CXone sandbox's state and behaviour, in SQLite.

Contacts (CXone "cases") live in one table with the columns we filter and sort on and a JSON
document for the rest. Every change goes through this class, under one lock, and produces the
Event Hub events CXone would send. Shapes are rendered by `views.py`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

STATUSES = ("new", "open", "pending", "escalated", "resolved", "closed", "trashed")
# A customer writing on these makes the same contact open again; on closed, a new contact starts.
REOPENED_BY_CUSTOMER = ("resolved", "pending", "escalated")

SCHEMA = """
CREATE TABLE IF NOT EXISTS channels (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS routing_queues (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS queue_members (queue_id TEXT, user_id INTEGER, PRIMARY KEY (queue_id, user_id));
CREATE TABLE IF NOT EXISTS tags (id INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customers (id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id TEXT NOT NULL, routing_queue_id TEXT, status TEXT NOT NULL,
    assignee_id INTEGER, customer_id TEXT NOT NULL, thread_key TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_contacts_thread ON contacts (thread_key);
CREATE TABLE IF NOT EXISTS contact_tags (contact_id INTEGER, tag_id INTEGER, PRIMARY KEY (contact_id, tag_id));
CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY, contact_id INTEGER NOT NULL, created_at TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ix_messages_contact ON messages (contact_id, created_at);
CREATE TABLE IF NOT EXISTS attachments (id TEXT PRIMARY KEY, mime TEXT, content BLOB, expire_at TEXT);
CREATE TABLE IF NOT EXISTS scrolls (token TEXT PRIMARY KEY, doc TEXT NOT NULL);
"""
CONTACT_SORTS = {
    "createdAt": "created_at",
    "id": "id",
    "status": "status",
    "updatedAt": "updated_at",
}
PAGE_SIZE = 25


class SandboxError(Exception):
    """An error CXone would answer with: status plus `{errors: [{message, errorCode}]}`."""

    def __init__(
        self, status: int, error_code: str, message: str, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message
        self.field = field


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


@dataclass
class Event:
    event_type: str
    event_object: str
    data: dict[str, Any]

    def envelope(self) -> dict[str, Any]:
        moment = now()
        return {
            "eventId": str(uuid.uuid4()),
            "eventObject": self.event_object,
            "eventType": self.event_type,
            "createdAt": moment.replace(microsecond=0).isoformat(),
            "createdAtWithMilliseconds": iso(moment),
            "data": self.data,
            "context": [],
        }


class Store:
    def __init__(self, path: Path | str, publish: Callable[[dict[str, Any]], None]) -> None:
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        # A test double: a killed sandbox keeps what it committed, and no fsync per write stalls
        # a customer message for a benchmark's worth of time.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.RLock()
        self._publish = publish

    # --- reference data ------------------------------------------------------------------------

    def put(self, table: str, key: object, doc: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                f"INSERT OR REPLACE INTO {table} (id, doc) VALUES (?, ?)",  # noqa: S608 (fixed names)
                (key, json.dumps(doc)),
            )

    def all(self, table: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(f"SELECT doc FROM {table} ORDER BY id").fetchall()  # noqa: S608
        return [json.loads(row["doc"]) for row in rows]

    def get(self, table: str, key: object) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(f"SELECT doc FROM {table} WHERE id = ?", (key,)).fetchone()  # noqa: S608
        return json.loads(row["doc"]) if row else None

    def add_member(self, queue_id: str, user_id: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO queue_members VALUES (?, ?)", (queue_id, user_id)
            )

    def queue_members(self, queue_id: str) -> list[int]:
        with self._lock:
            rows = self._db.execute(
                "SELECT user_id FROM queue_members WHERE queue_id = ?", (queue_id,)
            ).fetchall()
        return [row["user_id"] for row in rows]

    def queues_of(self, user_id: int) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT queue_id FROM queue_members WHERE user_id = ?", (user_id,)
            ).fetchall()
        return [row["queue_id"] for row in rows]

    def is_empty(self) -> bool:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM channels").fetchone()[0] == 0

    # --- contacts --------------------------------------------------------------------------------

    def contact(self, contact_id: int | str) -> dict[str, Any]:
        """Raises: SandboxError 404."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM contacts WHERE id = ?", (_int(contact_id),)
            ).fetchone()
            if row is None:
                raise SandboxError(404, "ContactNotFound", f"Contact {contact_id} not found")
            return self._contact_record(row)

    def search_contacts(
        self,
        *,
        statuses: Iterable[str] = (),
        channels: Iterable[str] = (),
        queues: Iterable[str] = (),
        tags: Iterable[int] = (),
        customer_ids: Iterable[str] = (),
        query: str | None = None,
        sorting: str = "createdAt",
        sorting_type: str = "desc",
        scroll_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], int, str | None]:
        if scroll_token:
            search_id, _, offset_text = scroll_token.partition(".")
            with self._lock:
                row = self._db.execute(
                    "SELECT doc FROM scrolls WHERE token = ?", (search_id,)
                ).fetchone()
            if row is None or not offset_text.isdigit():
                raise SandboxError(
                    400, "InvalidScrollToken", "scrollToken is unknown or expired", "scrollToken"
                )
            ids, offset = json.loads(row["doc"]), int(offset_text)
            search_id_for_next = search_id
        else:
            ids = self._matching_ids(
                statuses, channels, queues, tags, customer_ids, query, sorting, sorting_type
            )
            offset = 0
            search_id_for_next = None
        page_ids = ids[offset : offset + PAGE_SIZE]
        next_token = None
        if offset + PAGE_SIZE < len(ids):
            if search_id_for_next is None:
                # The result list is kept once per search; each page's token carries its offset.
                search_id_for_next = uuid.uuid4().hex
                with self._lock:
                    self._db.execute(
                        "INSERT INTO scrolls VALUES (?, ?)", (search_id_for_next, json.dumps(ids))
                    )
            next_token = f"{search_id_for_next}.{offset + PAGE_SIZE}"
        return [self.contact(cid) for cid in page_ids], len(ids), next_token

    def _matching_ids(
        self, statuses, channels, queues, tags, customer_ids, query, sorting, sorting_type
    ):  # type: ignore[no-untyped-def]
        clauses, params = [], []
        for column, values in (
            ("status", list(statuses)),
            ("channel_id", list(channels)),
            ("routing_queue_id", list(queues)),
            ("customer_id", list(customer_ids)),
        ):
            if values:
                clauses.append(f"{column} IN ({','.join('?' * len(values))})")
                params.extend(values)
        tag_list = list(tags)
        if tag_list:
            marks = ",".join("?" * len(tag_list))
            clauses.append(f"id IN (SELECT contact_id FROM contact_tags WHERE tag_id IN ({marks}))")  # noqa: S608
            params.extend(tag_list)
        if query:
            # The query language is free text over the preview and the customer's name.
            clauses.append(
                "(json_extract(doc, '$.preview') LIKE ? OR json_extract(doc, '$.customerName') LIKE ?)"
            )
            params.extend([f"%{query}%"] * 2)
        where = " AND ".join(clauses) or "1=1"
        column = CONTACT_SORTS.get(sorting, "created_at")
        direction = "ASC" if sorting_type == "asc" else "DESC"
        with self._lock:
            rows = self._db.execute(
                f"SELECT id FROM contacts WHERE {where} ORDER BY {column} {direction}, id {direction}",  # noqa: S608
                params,
            ).fetchall()
        return [row["id"] for row in rows]

    def messages(self, contact_id: int | str) -> list[dict[str, Any]]:
        self.contact(contact_id)
        with self._lock:
            rows = self._db.execute(
                "SELECT doc FROM messages WHERE contact_id = ? ORDER BY created_at, rowid",
                (_int(contact_id),),
            ).fetchall()
        return [json.loads(row["doc"]) for row in rows]

    def message(self, message_id: str) -> dict[str, Any]:
        with self._lock:
            row = self._db.execute(
                "SELECT doc FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
        if row is None:
            raise SandboxError(404, "MessageNotFound", f"Message {message_id} not found")
        return json.loads(row["doc"])

    # --- behaviour -------------------------------------------------------------------------------

    def customer_writes(
        self,
        channel_id: str,
        *,
        customer: dict[str, Any],
        thread_id: str,
        text: str,
        title: str | None = None,
        attachments: list[dict[str, Any]] | None = None,
        tag_ids: list[int] | None = None,
        routing_queue_id: str | None = None,
        priority: int = 0,
        at: datetime | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """An inbound message. Returns (contact record, message doc) and emits events."""
        channel = self._channel(channel_id)
        moment = at or now()
        with self._lock:
            self._save_customer(customer, channel)
            thread_key = f"{channel_id}:{thread_id}"
            row = self._db.execute(
                "SELECT * FROM contacts WHERE thread_key = ? AND status NOT IN ('closed', 'trashed') "
                "ORDER BY id DESC LIMIT 1",
                (thread_key,),
            ).fetchone()
            events: list[Event] = []
            if row is None:
                queue = routing_queue_id or channel["x-defaultRoutingQueueId"]
                contact_id = self._insert_contact(
                    channel_id, queue, customer, thread_id, thread_key, priority, moment, "inbound"
                )
                created = True
            else:
                contact_id, created = row["id"], False
            message = self._insert_message(
                contact_id,
                "inbound",
                text,
                title,
                attachments or [],
                tag_ids or [],
                None,
                moment,
                customer=customer,
                thread_id=thread_id,
            )
            record = self.contact(contact_id)
            if created:
                events.append(Event("CaseCreated", "Case", {"case": record}))
            elif record["status"] in REOPENED_BY_CUSTOMER:
                # Back to its routing queue, for any agent of that queue to take.
                self._update(contact_id, status="open", assignee_id=None, at=moment)
                record = self.contact(contact_id)
                events.append(Event("CaseStatusChanged", "Case", {"case": record}))
            self._touch(contact_id, message["messageContent"]["payload"]["text"], moment)
            record = self.contact(contact_id)
            events.append(Event("MessageCreated", "Message", {"message": message, "case": record}))
            events.append(
                Event("MessageAddedIntoCase", "Case", {"message": message, "case": record})
            )
        self._emit(events, channel)
        return record, message

    def agent_replies(
        self,
        channel_id: str,
        thread_id: str,
        *,
        user_id: int | None,
        text: str,
        rich: bool,
        title: str | None,
        attachments: list[dict[str, Any]],
        status_after: str | None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Raises: SandboxError 404 (no such thread), 422 (channel cannot carry this)."""
        channel = self._channel(channel_id)
        self._check_capabilities(channel, attachments, title, rich)
        with self._lock:
            row = self._db.execute(
                "SELECT id FROM contacts WHERE thread_key = ? ORDER BY id DESC LIMIT 1",
                (f"{channel_id}:{thread_id}",),
            ).fetchone()
            if row is None:
                raise SandboxError(
                    404, "ThreadNotFound", f"Thread {thread_id} not found on {channel_id}"
                )
            contact_id = row["id"]
            message = self._insert_message(
                contact_id,
                "outbound",
                text,
                title,
                attachments,
                [],
                user_id,
                now(),
                thread_id=thread_id,
            )
            self._touch(contact_id, text, now())
            events = [
                Event(
                    "MessageCreated",
                    "Message",
                    {"message": message, "case": self.contact(contact_id)},
                )
            ]
            if status_after:
                self._update(contact_id, status=status_after)
                events.append(
                    Event("CaseStatusChanged", "Case", {"case": self.contact(contact_id)})
                )
            record = self.contact(contact_id)
        self._emit(events, channel)
        return record, message

    def agent_starts(
        self,
        channel_id: str,
        *,
        user_id: int | None,
        recipients: list[dict[str, Any]],
        text: str,
        rich: bool,
        title: str | None,
        attachments: list[dict[str, Any]],
        status_after: str | None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """A new outbound conversation (email, SMS). Raises: SandboxError 422."""
        channel = self._channel(channel_id)
        if not (channel.get("hasManualOutboundFlow") or channel.get("hasOutboundFlow")):
            raise SandboxError(
                422, "OutboundNotAllowed", f"Channel {channel_id} does not allow outbound"
            )
        self._check_capabilities(channel, attachments, title, rich)
        primary = recipients[0]
        customer = {
            "id": f"{channel['realExternalPlatformId']}_{primary['idOnExternalPlatform']}",
            "identity": primary["idOnExternalPlatform"],
            "firstName": primary.get("name", ""),
            "surname": "",
        }
        thread_id = str(uuid.uuid4())
        moment = now()
        with self._lock:
            self._save_customer(customer, channel)
            queue = channel.get("x-outboundRoutingQueueId") or channel["x-defaultRoutingQueueId"]
            contact_id = self._insert_contact(
                channel_id,
                queue,
                customer,
                thread_id,
                f"{channel_id}:{thread_id}",
                0,
                moment,
                "outbound",
            )
            if user_id is not None:
                self._update(contact_id, assignee_id=user_id, at=moment)
            message = self._insert_message(
                contact_id,
                "outbound",
                text,
                title,
                attachments,
                [],
                user_id,
                moment,
                thread_id=thread_id,
            )
            self._touch(contact_id, text, moment)
            if status_after:
                self._update(contact_id, status=status_after)
            record = self.contact(contact_id)
        self._emit(
            [
                Event("CaseCreated", "Case", {"case": record}),
                Event("MessageCreated", "Message", {"message": message, "case": record}),
            ],
            channel,
        )
        return record, message

    def set_status(self, contact_id: int | str, status: str) -> None:
        if status not in STATUSES:
            raise SandboxError(400, "InvalidStatus", f"Unknown status {status!r}", "status")
        with self._lock:
            record = self.contact(contact_id)
            if record["status"] == status:
                return
            if record["status"] == "closed" and status != "trashed":
                raise SandboxError(
                    400, "ContactClosed", "A closed contact cannot change status", "status"
                )
            self._update(_int(contact_id), status=status)
            record = self.contact(contact_id)
        self._emit(
            [Event("CaseStatusChanged", "Case", {"case": record})],
            self._channel(record["channelId"]),
        )

    def assign(self, contact_id: int | str, user_id: int) -> None:
        """Raises: SandboxError 404 (contact or user unknown)."""
        user = self.get("users", user_id)
        if user is None:
            raise SandboxError(404, "UserNotFound", f"User {user_id} not found", "inboxAssignee")
        with self._lock:
            before = self.contact(contact_id)
            if before["assigneeId"] == user_id:
                return
            self._update(_int(contact_id), assignee_id=user_id)
            after = self.contact(contact_id)
        self._assignee_changed(before, after)

    def unassign(self, contact_id: int | str) -> None:
        with self._lock:
            before = self.contact(contact_id)
            if before["assigneeId"] is None:
                return
            self._update(_int(contact_id), assignee_id=None)
            after = self.contact(contact_id)
        self._assignee_changed(before, after)

    def transfer(self, contact_id: int | str, queue_id: str) -> None:
        """Move to another routing queue: unassigned there, unless one agent is its only member."""
        if self.get("routing_queues", queue_id) is None:
            raise SandboxError(
                404, "RoutingQueueNotFound", f"Routing queue {queue_id} not found", "routingQueueId"
            )
        with self._lock:
            before = self.contact(contact_id)
            members = self.queue_members(queue_id)
            assignee = members[0] if len(members) == 1 else None
            self._update(_int(contact_id), routing_queue_id=queue_id, assignee_id=assignee)
            after = self.contact(contact_id)
        channel = self._channel(after["channelId"])
        self._emit(
            [
                Event(
                    "CaseToRoutingQueueAssignmentChanged",
                    "Case",
                    {"case": after, "routingQueue": self.get("routing_queues", queue_id)},
                )
            ],
            channel,
        )
        if before["assigneeId"] != after["assigneeId"]:
            self._assignee_changed(before, after)

    def mark_read(self, message_id: str, is_read: bool) -> dict[str, Any]:
        with self._lock:
            message = self.message(message_id)
            message["isRead"] = is_read
            message["userStatistics"]["readAt"] = iso(now()) if is_read else None
            self._db.execute(
                "UPDATE messages SET doc = ? WHERE id = ?", (json.dumps(message), message_id)
            )
        return message

    def store_attachment(self, mime: str, content: bytes) -> dict[str, Any]:
        attachment_id = str(uuid.uuid4())
        expire_at = now() + timedelta(hours=1)
        with self._lock:
            self._db.execute(
                "INSERT INTO attachments VALUES (?, ?, ?, ?)",
                (attachment_id, mime, content, iso(expire_at)),
            )
        return {"id": attachment_id, "expireAt": iso(expire_at)}

    def attachment(self, attachment_id: str) -> tuple[str, bytes] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT mime, content FROM attachments WHERE id = ?", (attachment_id,)
            ).fetchone()
        return (row["mime"], row["content"]) if row else None

    # --- internals -------------------------------------------------------------------------------

    def _channel(self, channel_id: str) -> dict[str, Any]:
        channel = self.get("channels", channel_id)
        if channel is None:
            raise SandboxError(
                404, "ChannelNotFound", f"Channel {channel_id} not found", "channelId"
            )
        return channel

    @staticmethod
    def _check_capabilities(
        channel: dict[str, Any], attachments: list, title: str | None, rich: bool
    ) -> None:
        if attachments and not channel.get("hasAbilityToSendFiles"):
            raise SandboxError(
                422, "AttachmentsNotSupported", f"{channel['name']} cannot carry attachments"
            )
        if title and not channel.get("hasVisibleTitle"):
            raise SandboxError(422, "TitleNotSupported", f"{channel['name']} has no subject")
        if rich and not channel.get("wysiwygEnabled"):
            raise SandboxError(
                422, "RichTextNotSupported", f"{channel['name']} takes plain text only"
            )

    def _save_customer(self, customer: dict[str, Any], channel: dict[str, Any]) -> None:
        existing = self.get("customers", customer["id"]) or {}
        doc = {
            "id": customer["id"],
            "firstName": customer.get("firstName", existing.get("firstName", "")),
            "surname": customer.get("surname", existing.get("surname", "")),
            "identity": customer.get("identity", existing.get("identity")),
            "platform": channel["realExternalPlatformId"],
            "updatedAt": iso(now()),
        }
        self.put("customers", customer["id"], doc)

    def _insert_contact(
        self, channel_id, queue, customer, thread_id, thread_key, priority, moment, direction
    ) -> int:  # type: ignore[no-untyped-def]
        name = f"{customer.get('firstName', '')} {customer.get('surname', '')}".strip()
        doc = {
            "contactId": str(uuid.uuid4()),
            "interactionId": str(uuid.uuid4()),
            "customerContactId": str(uuid.uuid4()),
            "threadId": str(uuid.uuid4()),
            "threadIdOnExternalPlatform": thread_id,
            "priority": priority,
            "direction": direction,
            "preview": "",
            "customerName": name,
            "statusUpdatedAt": iso(moment),
        }
        cursor = self._db.execute(
            "INSERT INTO contacts (channel_id, routing_queue_id, status, assignee_id, customer_id, "
            "thread_key, created_at, updated_at, doc) VALUES (?, ?, 'new', NULL, ?, ?, ?, ?, ?)",
            (
                channel_id,
                queue,
                customer["id"],
                thread_key,
                iso(moment),
                iso(moment),
                json.dumps(doc),
            ),
        )
        return int(cursor.lastrowid)

    def _insert_message(
        self,
        contact_id,
        direction,
        text,
        title,
        attachments,
        tag_ids,
        user_id,
        moment,
        *,
        customer=None,
        thread_id,
    ) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        record = self.contact(contact_id)
        tags = [t for t in (self.get("tags", tag) for tag in tag_ids) if t]
        message = {
            "id": str(uuid.uuid4()),
            "idOnExternalPlatform": str(uuid.uuid4()),
            "threadId": record["threadId"],
            "threadIdOnExternalPlatform": thread_id,
            "contactNumber": str(contact_id),
            "channel": {"id": record["channelId"]},
            "direction": direction,
            "createdAt": moment.replace(microsecond=0).isoformat(),
            "createdAtWithMilliseconds": iso(moment),
            "messageContent": {
                "type": "TEXT",
                # The spec's payload oneOf has two unconstrained object schemas (TextPayload,
                # ElementsPayload); postback null rules out ElementsPayload, so exactly one matches.
                "payload": {"text": text, "postback": None},
                "fallbackText": text,
                "postback": None,
                **({"title": title} if title else {}),
            },
            "title": title or "",
            "attachments": [
                {"friendlyName": a["friendlyName"], "url": a["url"]} for a in attachments
            ],
            "tags": tags,
            "authorUserId": user_id,
            "customerIdentity": customer.get("identity") if customer else None,
            "isRead": direction == "outbound",
            "isReplyAllowed": True,
            "isDeletedOnExternalPlatform": False,
            "isHiddenOnExternalPlatform": False,
            "sentiment": "neutral",
            "recipients": [],
            "reactionStatistics": {
                "likes": 0,
                "shares": 0,
                "isLikedByChannel": False,
                "isSharedByChannel": False,
            },
            "userStatistics": {"readAt": None, "seenAt": None, "createdToReadSeconds": None},
            "customerStatistics": {"seenAt": None},
        }
        self._db.execute(
            "INSERT INTO messages VALUES (?, ?, ?, ?)",
            (message["id"], contact_id, iso(moment), json.dumps(message)),
        )
        for tag in tags:
            self._db.execute(
                "INSERT OR IGNORE INTO contact_tags VALUES (?, ?)", (contact_id, tag["id"])
            )
        return message

    def _touch(self, contact_id: int, preview: str, moment: datetime) -> None:
        row = self._db.execute("SELECT doc FROM contacts WHERE id = ?", (contact_id,)).fetchone()
        doc = json.loads(row["doc"])
        doc["preview"] = preview[:200]
        self._db.execute(
            "UPDATE contacts SET doc = ?, updated_at = ? WHERE id = ?",
            (json.dumps(doc), iso(moment), contact_id),
        )

    _UNSET: Any = object()

    def _update(
        self,
        contact_id: int,
        *,
        status: Any = _UNSET,
        assignee_id: Any = _UNSET,
        routing_queue_id: Any = _UNSET,
        at: datetime | None = None,
    ) -> None:
        moment = at or now()
        row = self._db.execute("SELECT * FROM contacts WHERE id = ?", (contact_id,)).fetchone()
        doc = json.loads(row["doc"])
        values = {
            "status": row["status"],
            "assignee_id": row["assignee_id"],
            "routing_queue_id": row["routing_queue_id"],
        }
        if status is not self._UNSET:
            values["status"] = status
            doc["statusUpdatedAt"] = iso(moment)
        if assignee_id is not self._UNSET:
            values["assignee_id"] = assignee_id
            doc["assignedAt"] = iso(moment) if assignee_id is not None else None
        if routing_queue_id is not self._UNSET:
            values["routing_queue_id"] = routing_queue_id
        self._db.execute(
            "UPDATE contacts SET status = ?, assignee_id = ?, routing_queue_id = ?, updated_at = ?, doc = ? WHERE id = ?",
            (
                values["status"],
                values["assignee_id"],
                values["routing_queue_id"],
                iso(moment),
                json.dumps(doc),
                contact_id,
            ),
        )

    def _contact_record(self, row: sqlite3.Row) -> dict[str, Any]:
        doc = json.loads(row["doc"])
        tag_rows = self._db.execute(
            "SELECT tag_id FROM contact_tags WHERE contact_id = ?", (row["id"],)
        ).fetchall()
        doc.update(
            id=str(row["id"]),
            channelId=row["channel_id"],
            routingQueueId=row["routing_queue_id"],
            status=row["status"],
            assigneeId=row["assignee_id"],
            customerId=row["customer_id"],
            createdAt=row["created_at"],
            updatedAt=row["updated_at"],
            tagIds=sorted(r["tag_id"] for r in tag_rows),
        )
        return doc

    def _assignee_changed(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        users = {
            uid: self.get("users", uid)
            for uid in (before["assigneeId"], after["assigneeId"])
            if uid
        }
        self._emit(
            [
                Event(
                    "CaseInboxAssigneeChanged",
                    "Case",
                    {
                        "case": after,
                        "inboxAssignee": users.get(after["assigneeId"]),
                        "previousInboxAssignee": users.get(before["assigneeId"]),
                    },
                )
            ],
            self._channel(after["channelId"]),
        )

    def _emit(self, events: list[Event], channel: dict[str, Any]) -> None:
        for event in events:
            event.data.setdefault("channel", channel)
            self._publish(event.envelope())


def _int(contact_id: int | str) -> int:
    try:
        return int(contact_id)
    except (TypeError, ValueError):
        raise SandboxError(404, "ContactNotFound", f"Contact {contact_id} not found") from None
