"""The agent's workflow on the Digital tab, on top of the CXone connector and the read model.

Every action checks who is asking: an agent sees only interactions in their routing queues or
assigned to them, and acts only on the ones they hold. After each CXone call the answer is
applied to the read model at once, so the agent reads their own writes before the event arrives.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import nh3
import requests
from sqlalchemy import delete, literal, select, update
from sqlalchemy.exc import IntegrityError

from server.canvas.sessions import AgentContext
from server.cxone.client import CxoneClient
from server.cxone.models import Channel, Message, OutgoingAttachment
from server.db import Database, utcnow
from server.digital import inbox
from server.digital.agents import DIGITAL, OUTBOUND_EMAIL, OUTBOUND_SMS, AgentProfile, Directory
from server.digital.content import (
    CASE_PREFIX,
    E164,
    EMAIL,
    MAX_ATTACHMENTS,
    NAME_PREFIXES,
    Upload,
    salesforce_link,
    sanitise_html,
)
from server.digital.models import (
    ACTIVE_STATUSES,
    AgentRead,
    Claim,
    ContactNote,
    Disposition,
    Interaction,
)
from server.digital.projection import Projection
from server.errors import ApiError
from server.salesforce import mapping, outbox

# After this many transfers of one contact, each further transfer gets a new master contact id.
MASTER_CONTACT_AFTER = 3
SMS_LIMIT = 1600
# A claim younger than this, on an interaction CXone shows unassigned, is another agent's open
# in flight; an older one was abandoned (the agent's CXone call failed, or CXone changed since).
CLAIM_LEASE = timedelta(seconds=30)


@dataclass(frozen=True)
class Links:
    name: tuple[str, str] | None  # (Account | Lead, id)
    relates_to: tuple[str, str] | None  # (Case, id)


def links_from(body: dict[str, Any]) -> Links:
    return Links(
        name=salesforce_link(body.get("name_id"), "name_id", NAME_PREFIXES),
        relates_to=salesforce_link(
            body.get("relates_to_id"), "relates_to_id", {CASE_PREFIX: "Case"}
        ),
    )


class DigitalTab:
    def __init__(
        self, db: Database, client: CxoneClient, directory: Directory, projection: Projection
    ) -> None:
        self.db = db
        self.client = client
        self.directory = directory
        self.projection = projection

    # --- lists ---------------------------------------------------------------------------------

    def inbox(
        self, agent: AgentContext, *, tags: list[int], sort: str, cursor: str | None, limit: int
    ) -> inbox.InboxPage:
        profile = self.directory.profile(agent)
        return inbox.list_inbox(
            self.db,
            profile,
            tags=tags,
            sort=sort,
            cursor=cursor,
            limit=limit,
            tag_titles=self.directory.tags(),
        )

    def switch_list(self, agent: AgentContext) -> dict[str, Any]:
        items = inbox.my_interactions(self.db, self.directory.profile(agent), self.directory.tags())
        return {"items": items, "unread_total": sum(i["unread"] for i in items)}

    def transfer_targets(self, agent: AgentContext) -> list[dict[str, Any]]:
        self.directory.profile(agent)
        kind = self.directory.queue_kind
        return [
            {"id": q.id, "name": q.name} for q in self.directory.queues() if kind(q.id) == DIGITAL
        ]

    # --- one interaction -------------------------------------------------------------------------

    def open(self, agent: AgentContext, contact_id: str) -> dict[str, Any]:
        """Opening claims: assigns it to the agent in CXone, or 409 when someone else has it."""
        profile = self.directory.profile(agent)
        self._visible(profile, contact_id)
        fresh = self.client.contact(contact_id)
        self.projection.apply_snapshot(fresh)
        if fresh.assignee_id not in (None, profile.cxone_user_id):
            raise self._held_by_other(fresh.assignee.name if fresh.assignee else "another agent")
        if fresh.status not in ACTIVE_STATUSES:
            raise ApiError(
                409, "not_open", f"This interaction is {fresh.status}; it cannot be claimed."
            )
        mine_in_cxone = fresh.assignee_id == profile.cxone_user_id
        self._claim(profile, contact_id, agent.display_name, mine_in_cxone)
        if not mine_in_cxone:
            try:
                self.client.assign(contact_id, profile.cxone_user_id)
            except Exception:
                self._release(contact_id, profile)
                raise
        if fresh.status == "new":
            self.client.set_status(contact_id, "open")
        self.projection.apply_snapshot(self.client.contact(contact_id))
        return self.conversation(agent, contact_id, mark_read=True)

    def conversation(
        self, agent: AgentContext, contact_id: str, *, mark_read: bool = False
    ) -> dict[str, Any]:
        profile = self.directory.profile(agent)
        row = self._visible(profile, contact_id)
        messages = self.client.messages(contact_id)
        self.projection.refresh_messages(contact_id, messages)
        if mark_read and row.assignee_id == profile.cxone_user_id:
            for message in messages:
                if message.direction == "inbound" and message.is_read is False:
                    self.client.mark_read(message.id)
            self._mark_read(profile, contact_id)
        channel = self.directory.channel(row.channel_id)
        row = self._visible(profile, contact_id)
        return {
            "interaction": self._item(profile, row),
            "channel": _capabilities(channel),
            "messages": [self._message(contact_id, m, row.channel_kind) for m in messages],
            "contact": self._details(agent, row),
        }

    def attachment(
        self, agent: AgentContext, contact_id: str, message_id: str, index: int
    ) -> tuple[str, str, bytes]:
        """Fetched through the backend, so the browser never needs CXone's URLs or credentials."""
        self._visible(self.directory.profile(agent), contact_id)
        message = next((m for m in self.client.messages(contact_id) if m.id == message_id), None)
        if message is None or not 0 <= index < len(message.attachments):
            raise ApiError(404, "attachment_not_found", "No such attachment on this interaction.")
        found = message.attachments[index]
        answer = requests.get(found.url, timeout=30)
        if answer.status_code != 200:
            raise ApiError(
                502, "attachment_unavailable", "CXone could not deliver this attachment."
            )
        return (
            found.name,
            answer.headers.get("Content-Type", "application/octet-stream"),
            answer.content,
        )

    def reply(
        self, agent: AgentContext, contact_id: str, *, text: str, html: bool, uploads: list[Upload]
    ) -> dict[str, Any]:
        profile = self.directory.profile(agent)
        row = self._held(profile, contact_id)
        channel = self._channel(row.channel_id)
        self._check_channel(channel, html=html, uploads=uploads)
        attachments = self._upload(uploads)
        body = sanitise_html(text) if html else text
        message, contact = self.client.reply(
            row.channel_id,
            row.thread_id,
            body,
            html=html,
            attachments=attachments,
            status_after="resolved",
        )
        self.projection.apply_snapshot(contact, [message])
        return {
            "message": self._message(contact_id, message, row.channel_kind),
            "interaction": self._item(profile, self._row(contact_id)),
        }

    def resolve(self, agent: AgentContext, contact_id: str) -> dict[str, Any]:
        profile = self.directory.profile(agent)
        self._held(profile, contact_id)
        self.client.set_status(contact_id, "resolved")
        self.projection.apply_snapshot(self.client.contact(contact_id))
        return {"interaction": self._item(profile, self._row(contact_id))}

    def end(self, agent: AgentContext, contact_id: str) -> dict[str, Any]:
        """Unassigns the agent, takes it out of their queue, and asks for the disposition."""
        profile = self.directory.profile(agent)
        row = self._held(profile, contact_id)
        if row.status in ACTIVE_STATUSES:
            self.client.set_status(contact_id, "resolved")
        self.client.unassign(contact_id)
        self._release(contact_id)
        self._owe_disposition(agent, contact_id)
        self.projection.apply_snapshot(self.client.contact(contact_id))
        row = self._row(contact_id)
        return {
            "interaction": self._item(profile, row),
            "disposition": {
                "case_number": row.contact_id,
                "name_id": row.name_id,
                "relates_to_id": row.relates_to_id,
            },
        }

    def save_disposition(
        self, agent: AgentContext, contact_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        profile = self.directory.profile(agent)
        row = self._disposable(agent, profile, contact_id)
        links = links_from(body)
        notes = body.get("notes") or ""
        if not isinstance(notes, str) or len(notes) > 32_000:
            raise ApiError(
                400, "invalid_field", "notes must be text of at most 32,000 characters", "notes"
            )
        with self.db.transaction() as db:
            disposition = self._own_disposition(db, agent, contact_id)
            if disposition is None:
                disposition = Disposition(
                    id=str(uuid.uuid4()),
                    contact_id=contact_id,
                    org_id=agent.org_id,
                    user_id=agent.user_id,
                    created_at=utcnow(),
                )
                db.add(disposition)
            disposition.case_number = row.contact_id
            disposition.name_type, disposition.name_id = links.name or (None, None)
            disposition.relates_to_id = links.relates_to[1] if links.relates_to else None
            disposition.notes = notes
            disposition.writeback_status = "pending"
            stored = self._store_links(db, contact_id, links) or row
            db.flush()
            fields = mapping.disposition_fields(stored, disposition, agent.user_id)
            _write_interaction(db, agent, contact_id, fields, "disposition", disposition.id)
            return _disposition(disposition)

    def transfer(self, agent: AgentContext, contact_id: str, queue_id: object) -> dict[str, Any]:
        profile = self.directory.profile(agent)
        if not profile.can_transfer:
            raise ApiError(
                403, "transfer_not_allowed", "You are not allowed to transfer interactions."
            )
        row = self._held(profile, contact_id)
        if not isinstance(queue_id, str) or not queue_id:
            raise ApiError(400, "missing_field", "routing_queue_id is required", "routing_queue_id")
        target = self.directory.queue(queue_id)
        if target is None or self.directory.queue_kind(queue_id) != DIGITAL:
            raise ApiError(
                400,
                "invalid_field",
                "Choose a digital routing queue (not an omnichannel or outbound one).",
                "routing_queue_id",
            )
        if queue_id == row.routing_queue_id:
            raise ApiError(
                400,
                "invalid_field",
                "The interaction is already in that queue.",
                "routing_queue_id",
            )
        self.client.transfer(contact_id, queue_id)
        self._release(contact_id)
        self.projection.apply_snapshot(self.client.contact(contact_id))
        with self.db.transaction() as db:
            stored = db.get(Interaction, contact_id)
            stored.transfer_count += 1
            if stored.transfer_count >= MASTER_CONTACT_AFTER:
                stored.master_contact_id = str(secrets.randbelow(9 * 10**10) + 10**10)
        row = self._row(contact_id)
        return {
            "interaction": self._item(profile, row),
            "transfer_count": row.transfer_count,
            "master_contact_id": row.master_contact_id,
            "came_back": row.assignee_id == profile.cxone_user_id,
        }

    # --- contact details and private notes -----------------------------------------------------

    def contact_details(self, agent: AgentContext, contact_id: str) -> dict[str, Any]:
        return self._details(agent, self._visible(self.directory.profile(agent), contact_id))

    def update_links(
        self, agent: AgentContext, contact_id: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        profile = self.directory.profile(agent)
        self._held(profile, contact_id)
        links = links_from(body)
        with self.db.transaction() as db:
            stored = self._store_links(db, contact_id, links)
            if stored is not None:
                fields = mapping.interaction_fields(stored, agent.user_id)
                _write_interaction(db, agent, contact_id, fields, "links")
        return self._details(agent, self._row(contact_id))

    def add_note(self, agent: AgentContext, contact_id: str, text: object) -> dict[str, Any]:
        row = self._visible(self.directory.profile(agent), contact_id)
        if not isinstance(text, str) or not text.strip() or len(text) > 10_000:
            raise ApiError(400, "invalid_field", "text must be 1 to 10,000 characters", "text")
        note = ContactNote(
            id=str(uuid.uuid4()),
            org_id=agent.org_id,
            user_id=agent.user_id,
            customer_id=_customer_key(row),
            text=text.strip(),
            created_at=utcnow(),
        )
        with self.db.transaction() as db:
            db.add(note)
            outbox.enqueue(
                db,
                org_id=agent.org_id,
                user_id=agent.user_id,
                sobject=mapping.NOTE,
                external_id=note.id,
                fields=mapping.note_fields(note, row.contact_id),
                source="note",
                source_id=note.id,
            )
        return _note(note)

    # --- new outbound conversations ------------------------------------------------------------

    def new_email(
        self, agent: AgentContext, body: dict[str, Any], uploads: list[Upload]
    ) -> dict[str, Any]:
        profile = self._outbound_member(agent, OUTBOUND_EMAIL, "email")
        channel = self._outbound_channel(body.get("channel_id"), "email")
        to = body.get("to")
        if not isinstance(to, str) or not EMAIL.match(to.strip()):
            raise ApiError(400, "invalid_field", "to must be an email address", "to")
        subject = body.get("subject")
        if not isinstance(subject, str) or not subject.strip() or len(subject) > 255:
            raise ApiError(
                400, "invalid_field", "subject is required (at most 255 characters)", "subject"
            )
        text = body.get("body")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "missing_field", "body is required", "body")
        links = links_from(body)
        self._check_channel(channel, html=True, uploads=uploads)
        message, contact = self.client.send_new(
            channel.id,
            [to.strip()],
            sanitise_html(text),
            html=True,
            title=subject.strip(),
            attachments=self._upload(uploads),
            status_after="resolved",
        )
        return self._after_outbound(profile, contact, message, links, "email")

    def new_sms(self, agent: AgentContext, body: dict[str, Any]) -> dict[str, Any]:
        profile = self._outbound_member(agent, OUTBOUND_SMS, "SMS")
        channel = self._outbound_channel(body.get("channel_id"), "sms")
        to = body.get("to")
        if not isinstance(to, str) or not E164.match(to.strip()):
            raise ApiError(
                400,
                "invalid_field",
                "to must be a mobile number in E.164 form, such as +14155550123",
                "to",
            )
        text = body.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > SMS_LIMIT:
            raise ApiError(
                400, "invalid_field", f"text is required (at most {SMS_LIMIT} characters)", "text"
            )
        links = links_from(body)
        message, contact = self.client.send_new(
            channel.id, [to.strip()], text, status_after="resolved"
        )
        return self._after_outbound(profile, contact, message, links, "sms")

    # --- checks and helpers ------------------------------------------------------------------

    def _row(self, contact_id: str) -> Interaction:
        with self.db.transaction() as db:
            row = db.get(Interaction, contact_id)
        if row is None:
            raise ApiError(404, "interaction_not_found", "No such interaction in your queues.")
        return row

    def _visible(self, profile: AgentProfile, contact_id: str) -> Interaction:
        """Raises: 404 (not 403) for interactions outside the agent's queues: nothing leaks."""
        with self.db.transaction() as db:
            row = db.get(Interaction, contact_id)
        if row is None or not (
            row.routing_queue_id in profile.queue_ids or row.assignee_id == profile.cxone_user_id
        ):
            raise ApiError(404, "interaction_not_found", "No such interaction in your queues.")
        return row

    def _owe_disposition(self, agent: AgentContext, contact_id: str) -> None:
        """The agent who ends an interaction records its disposition: a draft row says so."""
        with self.db.transaction() as db:
            if self._own_disposition(db, agent, contact_id) is None:
                db.add(
                    Disposition(
                        id=str(uuid.uuid4()),
                        contact_id=contact_id,
                        org_id=agent.org_id,
                        user_id=agent.user_id,
                        case_number=contact_id,
                        created_at=utcnow(),
                        writeback_status="draft",  # nothing to write until it is saved
                    )
                )

    @staticmethod
    def _own_disposition(db: Any, agent: AgentContext, contact_id: str) -> Disposition | None:
        return db.scalars(
            select(Disposition).where(
                Disposition.contact_id == contact_id,
                Disposition.org_id == agent.org_id,
                Disposition.user_id == agent.user_id,
            )
        ).first()

    def _disposable(
        self, agent: AgentContext, profile: AgentProfile, contact_id: str
    ) -> Interaction:
        """The agent who holds the interaction, or who ended it, records its disposition; a
        colleague who can merely see it may not (it would overwrite the Salesforce record)."""
        row = self._visible(profile, contact_id)
        if row.assignee_id == profile.cxone_user_id:
            return row
        with self.db.transaction() as db:
            if self._own_disposition(db, agent, contact_id) is not None:
                return row
        raise ApiError(
            403,
            "not_your_interaction",
            "Only the agent who holds or ended this interaction records its disposition.",
        )

    def _held(self, profile: AgentProfile, contact_id: str) -> Interaction:
        row = self._visible(profile, contact_id)
        if row.assignee_id == profile.cxone_user_id:
            return row
        if row.assignee_id is not None:
            raise ApiError(
                403,
                "not_your_interaction",
                f"{row.assignee_name or 'Another agent'} holds this interaction.",
            )
        raise ApiError(409, "not_claimed", "Open the interaction first; that assigns it to you.")

    def _claim(
        self, profile: AgentProfile, contact_id: str, name: str, cxone_says_mine: bool
    ) -> None:
        """The database decides races: one INSERT wins the primary key. A later agent may take
        over only a stale claim (older than the lease), or one CXone already shows as theirs."""
        now = utcnow()
        try:
            with self.db.transaction() as db:
                db.add(
                    Claim(
                        contact_id=contact_id,
                        cxone_user_id=profile.cxone_user_id,
                        holder_name=name,
                        claimed_at=now,
                    )
                )
            return
        except IntegrityError:
            pass
        with self.db.transaction() as db:
            taken = db.execute(
                update(Claim)
                .where(
                    Claim.contact_id == contact_id,
                    (Claim.cxone_user_id == profile.cxone_user_id)
                    | (Claim.claimed_at < now - CLAIM_LEASE)
                    | literal(cxone_says_mine),
                )
                .values(cxone_user_id=profile.cxone_user_id, holder_name=name, claimed_at=now)
            ).rowcount
            holder = db.get(Claim, contact_id)
        if taken != 1:
            raise self._held_by_other(holder.holder_name if holder else "another agent")

    def _release(self, contact_id: str, profile: AgentProfile | None = None) -> None:
        with self.db.transaction() as db:
            query = delete(Claim).where(Claim.contact_id == contact_id)
            if profile is not None:
                query = query.where(Claim.cxone_user_id == profile.cxone_user_id)
            db.execute(query)

    @staticmethod
    def _held_by_other(name: str) -> ApiError:
        return ApiError(
            409,
            "claimed_by_other",
            f"{name or 'Another agent'} is already working on this interaction.",
        )

    def _mark_read(self, profile: AgentProfile, contact_id: str) -> None:
        with self.db.transaction() as db:
            read = db.get(AgentRead, (profile.org_id, profile.user_id, contact_id))
            if read is None:
                db.add(
                    AgentRead(
                        org_id=profile.org_id,
                        user_id=profile.user_id,
                        contact_id=contact_id,
                        read_at=utcnow(),
                    )
                )
            else:
                read.read_at = utcnow()

    def _channel(self, channel_id: str) -> Channel:
        channel = self.directory.channel(channel_id)
        if channel is None:
            raise ApiError(
                502, "channel_unknown", "CXone does not know this interaction's channel."
            )
        return channel

    @staticmethod
    def _check_channel(channel: Channel, *, html: bool, uploads: list[Upload]) -> None:
        if uploads and not channel.can_send_files:
            raise ApiError(
                400,
                "attachments_not_supported",
                f"{channel.name} cannot carry attachments.",
                "attachments",
            )
        if len(uploads) > MAX_ATTACHMENTS:
            raise ApiError(
                400,
                "too_many_attachments",
                f"At most {MAX_ATTACHMENTS} attachments per message.",
                "attachments",
            )
        if html and not channel.rich_text:
            raise ApiError(
                400, "rich_text_not_supported", f"{channel.name} takes plain text only.", "html"
            )

    def _upload(self, uploads: list[Upload]) -> list[OutgoingAttachment]:
        return [self.client.upload_attachment(u.name, u.content, u.content_type) for u in uploads]

    def _outbound_member(self, agent: AgentContext, kind: str, label: str) -> AgentProfile:
        profile = self.directory.profile(agent)
        if not any(self.directory.queue_kind(q) == kind for q in profile.queue_ids):
            raise ApiError(
                403,
                "not_in_outbound_queue",
                f"Only members of an outbound {label} queue can start a new {label}.",
            )
        return profile

    def _outbound_channel(self, channel_id: object, kind: str) -> Channel:
        channel = self.directory.channel(channel_id) if isinstance(channel_id, str) else None
        if channel is None or channel.kind != kind or not channel.outbound:
            raise ApiError(
                400, "invalid_field", f"channel_id must be an outbound {kind} channel", "channel_id"
            )
        return channel

    def _after_outbound(
        self, profile: AgentProfile, contact, message: Message, links: Links, kind: str
    ) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        self.projection.apply_snapshot(contact, [message])
        with self.db.transaction() as db:
            self._store_links(db, contact.id, links)
        row = self._row(contact.id)
        return {
            "interaction": self._item(profile, row),
            "message": self._message(contact.id, message, kind),
        }

    @staticmethod
    def _store_links(db, contact_id: str, links: Links) -> Interaction | None:  # type: ignore[no-untyped-def]
        row = db.get(Interaction, contact_id)
        if row is None:
            return None
        row.name_type, row.name_id = links.name or (None, None)
        row.relates_to_id = links.relates_to[1] if links.relates_to else None
        return row

    def _item(self, profile: AgentProfile, row: Interaction) -> dict[str, Any]:
        with self.db.transaction() as db:
            read = db.get(AgentRead, (profile.org_id, profile.user_id, row.contact_id))
            tags = inbox.tags_of(db, [row.contact_id])
        return inbox.item(row, read.read_at if read else None, tags, self.directory.tags())

    def _details(self, agent: AgentContext, row: Interaction) -> dict[str, Any]:
        with self.db.transaction() as db:
            notes = db.scalars(
                select(ContactNote)
                .where(
                    ContactNote.org_id == agent.org_id,
                    ContactNote.user_id == agent.user_id,
                    ContactNote.customer_id == _customer_key(row),
                )
                .order_by(ContactNote.created_at)
            ).all()
        return {
            "case_number": row.contact_id,
            "channel_kind": row.channel_kind,
            "digital_id": row.customer_digital_id,
            "customer_name": row.customer_name,
            "name": {"type": row.name_type, "id": row.name_id} if row.name_id else None,
            "relates_to": {"type": "Case", "id": row.relates_to_id} if row.relates_to_id else None,
            "master_contact_id": row.master_contact_id,
            "transfer_count": row.transfer_count,
            "notes": [_note(n) for n in notes],
        }

    @staticmethod
    def _message(contact_id: str, message: Message, channel_kind: str) -> dict[str, Any]:
        email = channel_kind == "email"
        base = f"/api/v1/interactions/{contact_id}"
        return {
            "id": message.id,
            "direction": message.direction,
            "author": {
                "type": "agent"
                if message.author_agent
                else ("customer" if message.direction == "inbound" else "system"),
                "name": message.author_agent.name if message.author_agent else "",
            },
            "created_at": message.created_at.isoformat() if message.created_at else None,
            "text": nh3.clean(message.text, tags=set()) if email else message.text,
            "html": sanitise_html(message.text) if email else None,
            "title": message.title,
            "attachments": [
                {
                    "name": a.name,
                    "url": f"{base}/messages/{message.id}/attachments/{i}",
                }
                for i, a in enumerate(message.attachments)
            ],
        }


def _capabilities(channel: Channel | None) -> dict[str, Any]:
    if channel is None:
        return {
            "id": None,
            "kind": "unknown",
            "name": "",
            "attachments": False,
            "rich_text": False,
            "subject": False,
        }
    return {
        "id": channel.id,
        "kind": channel.kind,
        "name": channel.name,
        "attachments": channel.can_send_files,
        "rich_text": channel.rich_text,
        "subject": channel.has_subject,
    }


def _write_interaction(  # type: ignore[no-untyped-def]
    db, agent: AgentContext, contact_id: str, fields: dict[str, Any], source: str, source_id=None
) -> None:
    """Queue the Digital_Interaction__c upsert in the caller's transaction (server.salesforce)."""
    outbox.enqueue(
        db,
        org_id=agent.org_id,
        user_id=agent.user_id,
        sobject=mapping.INTERACTION,
        external_id=contact_id,
        fields=fields,
        source=source,
        source_id=source_id,
    )


def _customer_key(row: Interaction) -> str:
    return row.customer_id or f"{row.channel_kind}:{row.customer_digital_id}"


def _note(note: ContactNote) -> dict[str, Any]:
    return {"id": note.id, "text": note.text, "created_at": note.created_at.isoformat()}


def _disposition(row: Disposition) -> dict[str, Any]:
    return {
        "id": row.id,
        "case_number": row.case_number,
        "name": {"type": row.name_type, "id": row.name_id} if row.name_id else None,
        "relates_to": {"type": "Case", "id": row.relates_to_id} if row.relates_to_id else None,
        "notes": row.notes,
        "writeback_status": row.writeback_status,
        "created_at": row.created_at.isoformat(),
    }
