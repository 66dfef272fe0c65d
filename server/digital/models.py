"""Tables of the Digital tab: the read model of interactions (kept current from CXone events),
the agent links to CXone users, what each agent has read, dispositions and private notes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime

# The Channel sort groups channels in this fixed order.
CHANNEL_ORDER = ("chat", "email", "facebook", "instagram", "sms", "twitter", "whatsapp")
ACTIVE_STATUSES = ("new", "open", "pending", "escalated")


def channel_rank(kind: str | None) -> int:
    return CHANNEL_ORDER.index(kind) if kind in CHANNEL_ORDER else len(CHANNEL_ORDER)


class AgentLink(Base):
    """The CXone user a Salesforce user works as; an admin sets it with `link-agent`."""

    __tablename__ = "agent_links"

    org_id: Mapped[str] = mapped_column(String(18), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(18), primary_key=True)
    cxone_user_id: Mapped[int] = mapped_column(Integer, unique=True)
    can_transfer: Mapped[bool] = mapped_column(Boolean, default=True)


class Interaction(Base):
    """One CXone contact ("case"), as the inbox needs it."""

    __tablename__ = "interactions"
    # One index per inbox sort, in that sort's exact directions: the database walks it in order
    # and stops once a page is full, instead of sorting every interaction.
    __table_args__ = (
        Index("ix_inbox_received", "active", text("received_at DESC"), text("contact_id DESC")),
        Index(
            "ix_inbox_priority",
            "active",
            text("priority DESC"),
            text("received_at DESC"),
            text("contact_id DESC"),
        ),
        Index(
            "ix_inbox_channel",
            "active",
            "channel_rank",
            text("received_at DESC"),
            text("contact_id DESC"),
        ),
        Index("ix_interactions_assignee", "assignee_id", "active"),
    )

    contact_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(128), default="")
    channel_kind: Mapped[str] = mapped_column(String(32), default="")
    channel_rank: Mapped[int] = mapped_column(Integer, default=len(CHANNEL_ORDER))
    routing_queue_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="new")
    # CXone's own time of the last status change: older news (an event carrying the case as it
    # was a moment ago) never overwrites newer.
    status_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    assignee_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    assignee_name: Mapped[str] = mapped_column(String(255), default="")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    customer_id: Mapped[str] = mapped_column(String(255), default="")
    customer_name: Mapped[str] = mapped_column(String(255), default="")
    customer_digital_id: Mapped[str] = mapped_column(String(255), default="")
    thread_id: Mapped[str] = mapped_column(String(255), default="")
    preview: Mapped[str] = mapped_column(String(255), default="")
    inbound_count: Mapped[int] = mapped_column(Integer, default=0)
    transfer_count: Mapped[int] = mapped_column(Integer, default=0)
    master_contact_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Salesforce links the agent chose (contact details; written back by server.salesforce).
    name_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    name_id: Mapped[str | None] = mapped_column(String(18), nullable=True)
    name_label: Mapped[str] = mapped_column(String(255), default="")
    relates_to_id: Mapped[str | None] = mapped_column(String(18), nullable=True)
    relates_to_label: Mapped[str] = mapped_column(String(255), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Claim(Base):
    """Who is taking an interaction. The primary key decides races between agents; CXone's
    assignment (mirrored in Interaction.assignee_id) follows. Deleted on End and transfer."""

    __tablename__ = "claims"

    contact_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    cxone_user_id: Mapped[int] = mapped_column(Integer)
    holder_name: Mapped[str] = mapped_column(String(255))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InteractionTag(Base):
    __tablename__ = "interaction_tags"

    contact_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tag_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)


class InteractionMessage(Base):
    """An index of messages seen (for unread counts), not their content."""

    __tablename__ = "interaction_messages"

    message_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    contact_id: Mapped[str] = mapped_column(String(32), index=True)
    inbound: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AgentRead(Base):
    """Up to when an agent has read an interaction: newer inbound messages are unread/new."""

    __tablename__ = "agent_reads"

    org_id: Mapped[str] = mapped_column(String(18), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(18), primary_key=True)
    contact_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Disposition(Base):
    """What the agent recorded when ending an interaction; kept until written to Salesforce."""

    __tablename__ = "dispositions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    contact_id: Mapped[str] = mapped_column(String(32), index=True)
    org_id: Mapped[str] = mapped_column(String(18))
    user_id: Mapped[str] = mapped_column(String(18))
    case_number: Mapped[str] = mapped_column(String(32))
    name_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    name_id: Mapped[str | None] = mapped_column(String(18), nullable=True)
    relates_to_id: Mapped[str | None] = mapped_column(String(18), nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    writeback_status: Mapped[str] = mapped_column(String(16), default="pending")


class ContactNote(Base):
    """An agent's private note on a customer; only that agent ever sees it."""

    __tablename__ = "contact_notes"
    __table_args__ = (Index("ix_contact_notes_owner", "org_id", "user_id", "customer_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(18))
    user_id: Mapped[str] = mapped_column(String(18))
    customer_id: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RelayEvent(Base):
    """What the live relay told agents, numbered: a client that reconnects asks for what came
    after the last number it saw. Shared by all processes, so numbers never repeat."""

    __tablename__ = "relay_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contact_id: Mapped[str] = mapped_column(String(32))
    routing_queue_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    assignee_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Where it was before this change (a transfer, a claim): those agents hear it left them.
    previous_queue_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    previous_assignee_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
