"""The inbox and the switch list, served from the read model (never by paging CXone).

Paging is keyset-based: the cursor holds the sort key of the last item shown, so items that
arrive or change meanwhile never make a page repeat or skip one that was already there.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select
from sqlalchemy.orm import Session

from server.db import Database
from server.digital.agents import AgentProfile
from server.digital.models import AgentRead, Interaction, InteractionMessage, InteractionTag
from server.errors import ApiError

# Each sort: (column, descending?) pairs, ending in the contact id so that the order is total.
SORTS: dict[str, tuple[tuple[Any, bool], ...]] = {
    "received": ((Interaction.received_at, True), (Interaction.contact_id, True)),
    "priority": (
        (Interaction.priority, True),
        (Interaction.received_at, True),
        (Interaction.contact_id, True),
    ),
    "channel": (
        (Interaction.channel_rank, False),
        (Interaction.received_at, True),
        (Interaction.contact_id, True),
    ),
}
MAX_PAGE = 100


@dataclass(frozen=True)
class InboxPage:
    items: list[dict[str, Any]]
    next_cursor: str | None


def visible_to(profile: AgentProfile) -> ColumnElement[bool]:
    """Interactions in the agent's digital queues, plus those assigned to the agent."""
    in_queues = (
        Interaction.routing_queue_id.in_(profile.inbox_queue_ids)
        if profile.inbox_queue_ids
        else false()
    )
    return or_(in_queues, Interaction.assignee_id == profile.cxone_user_id)


def list_inbox(
    db: Database,
    profile: AgentProfile,
    *,
    tags: list[int],
    sort: str,
    cursor: str | None,
    limit: int,
    tag_titles: dict[int, Any],
) -> InboxPage:
    keys = SORTS[sort]
    read = _reads(profile.org_id, profile.user_id)
    # Plain rows, not ORM objects: the page is read-only and this is the hottest query.
    query = (
        select(*Interaction.__table__.c, read.c.read_at)
        .outerjoin(read, read.c.contact_id == Interaction.contact_id)
        .where(Interaction.active, visible_to(profile))
    )
    if tags:
        query = query.where(
            exists().where(
                InteractionTag.contact_id == Interaction.contact_id, InteractionTag.tag_id.in_(tags)
            )
        )
    if cursor:
        query = query.where(_after(keys, _decode(cursor, keys)))
    query = query.order_by(
        *[(c.desc() if descending else c.asc()) for c, descending in keys]
    ).limit(limit + 1)
    with db.transaction() as session:
        rows = session.execute(query).all()
        page = rows[:limit]
        tag_map = tags_of(session, [row.contact_id for row in page])
    items = [item(row, row.read_at, tag_map, tag_titles) for row in page]
    next_cursor = (
        _encode([_key_value(getattr(page[-1], c.key)) for c, _ in keys])
        if len(rows) > limit
        else None
    )
    return InboxPage(items, next_cursor)


def my_interactions(
    db: Database, profile: AgentProfile, tag_titles: dict[int, Any]
) -> list[dict[str, Any]]:
    """The agent's open interactions (assigned to them), each with its unread count."""
    read = _reads(profile.org_id, profile.user_id)
    unread = (
        select(func.count())
        .select_from(InteractionMessage)
        .where(
            InteractionMessage.contact_id == Interaction.contact_id,
            InteractionMessage.inbound,
            or_(read.c.read_at.is_(None), InteractionMessage.created_at > read.c.read_at),
        )
        .correlate(Interaction, read)
        .scalar_subquery()
    )
    query = (
        select(Interaction, read.c.read_at, unread)
        .outerjoin(read, read.c.contact_id == Interaction.contact_id)
        .where(Interaction.active, Interaction.assignee_id == profile.cxone_user_id)
        .order_by(Interaction.received_at.desc(), Interaction.contact_id.desc())
    )
    with db.transaction() as session:
        rows = session.execute(query).all()
        tag_map = tags_of(session, [row[0].contact_id for row in rows])
    return [item(row[0], row[1], tag_map, tag_titles) | {"unread": int(row[2])} for row in rows]


def unread_counts(
    session: Session, org_id: str, user_id: str, cxone_user_id: int
) -> dict[str, int]:
    """Unread inbound messages per open interaction assigned to this agent (none: not listed)."""
    read = _reads(org_id, user_id)
    query = (
        select(Interaction.contact_id, func.count())
        .join(InteractionMessage, InteractionMessage.contact_id == Interaction.contact_id)
        .outerjoin(read, read.c.contact_id == Interaction.contact_id)
        .where(
            Interaction.active,
            Interaction.assignee_id == cxone_user_id,
            InteractionMessage.inbound,
            or_(read.c.read_at.is_(None), InteractionMessage.created_at > read.c.read_at),
        )
        .group_by(Interaction.contact_id)
    )
    return {contact_id: int(count) for contact_id, count in session.execute(query)}


def item(
    row: Any,  # an Interaction, or a row with its columns
    read_at: datetime | None,
    tag_map: dict[str, list[int]],
    tag_titles: dict[int, Any],
) -> dict[str, Any]:
    return {
        "id": row.contact_id,
        "case_number": row.contact_id,
        "channel": {"id": row.channel_id, "kind": row.channel_kind},
        "customer": {"name": row.customer_name, "digital_id": row.customer_digital_id},
        "preview": row.preview,
        "received_at": row.received_at.isoformat(),
        "priority": row.priority,
        "status": row.status,
        "routing_queue_id": row.routing_queue_id,
        "tags": [
            {"id": t, "title": tag_titles[t].title if t in tag_titles else str(t)}
            for t in sorted(tag_map.get(row.contact_id, []))
        ],
        "assignee": {"id": row.assignee_id, "name": row.assignee_name} if row.assignee_id else None,
        "is_new": read_at is None
        or (row.last_inbound_at is not None and row.last_inbound_at > read_at),
        "master_contact_id": row.master_contact_id,
    }


def _reads(org_id: str, user_id: str):  # type: ignore[no-untyped-def]
    return (
        select(AgentRead.contact_id, AgentRead.read_at)
        .where(AgentRead.org_id == org_id, AgentRead.user_id == user_id)
        .subquery()
    )


def tags_of(session: Session, contact_ids: list[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    if contact_ids:
        for contact_id, tag_id in session.execute(
            select(InteractionTag.contact_id, InteractionTag.tag_id).where(
                InteractionTag.contact_id.in_(contact_ids)
            )
        ):
            found.setdefault(contact_id, []).append(tag_id)
    return found


def _after(keys: tuple[tuple[Any, bool], ...], values: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after the cursor in this order: (k1 beyond) or (k1 equal and k2 beyond) …"""
    clauses = []
    for index, (column, descending) in enumerate(keys):
        equal = [keys[i][0] == values[i] for i in range(index)]
        beyond = column < values[index] if descending else column > values[index]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)


def _key_value(value: Any) -> Any:
    return {"t": value.isoformat()} if isinstance(value, datetime) else value


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode(cursor: str, keys: tuple[tuple[Any, bool], ...]) -> list[Any]:
    """Raises: ApiError 400 unless the cursor holds one value of the right type per sort key."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError
        decoded = [datetime.fromisoformat(v["t"]) if isinstance(v, dict) else v for v in values]
        for value, (column, _) in zip(decoded, keys, strict=True):
            expected = column.type.python_type
            if not isinstance(value, expected) or isinstance(value, bool):
                raise ValueError
            if isinstance(value, datetime) and value.tzinfo is None:
                raise ValueError
        return decoded
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error, UnicodeDecodeError):
        raise ApiError(
            400, "invalid_cursor", "cursor is not one this API gave out; start again without it"
        ) from None
