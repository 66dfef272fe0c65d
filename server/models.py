"""Tables of the identity layer: agents, their sessions, and the signed-request replay cache."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime


class Agent(Base):
    """A Salesforce user who has opened the Digital tab; ids are always 18 characters."""

    __tablename__ = "agents"

    org_id: Mapped[str] = mapped_column(String(18), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(18), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(255))
    username: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AgentSession(Base):
    """A server-side session created by a verified signed request and extended by renewals."""

    __tablename__ = "agent_sessions"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "user_id"], ["agents.org_id", "agents.user_id"]),
        Index("ix_agent_sessions_agent", "org_id", "user_id"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(18))
    user_id: Mapped[str] = mapped_column(String(18))
    org_name: Mapped[str] = mapped_column(String(255), default="")
    instance_url: Mapped[str] = mapped_column(String(255))
    target_origin: Mapped[str] = mapped_column(String(255))
    # The agent's Salesforce OAuth token, encrypted (Fernet); kept for write-back retries.
    oauth_token_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class UsedSignedRequest(Base):
    """One-time cache: a signed request's signature digest, kept for the replay window."""

    __tablename__ = "used_signed_requests"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
