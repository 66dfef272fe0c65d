"""The outbox: every write to Salesforce is stored here first, in the same transaction as the
change it reports, and sent by the worker (server.salesforce.outbox)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime

PENDING, FAILED, DONE = "pending", "failed", "done"


class SalesforceWrite(Base):
    """One upsert by external id, as an agent. Writes for the same record coalesce while they
    wait, so an ended interaction costs one call however often it was edited."""

    __tablename__ = "salesforce_writes"
    __table_args__ = (
        Index("ix_salesforce_writes_due", "state", "next_attempt_at"),
        Index("ix_salesforce_writes_agent", "org_id", "user_id", "state"),
        Index("ix_salesforce_writes_record", "sobject", "external_id", "state"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    org_id: Mapped[str] = mapped_column(String(18))
    user_id: Mapped[str] = mapped_column(String(18))
    sobject: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(64))
    fields: Mapped[str] = mapped_column(Text)  # JSON object of Salesforce field -> value
    source: Mapped[str] = mapped_column(String(16))  # links | disposition | note
    source_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A worker sending it holds it until then; a killed worker's claim simply runs out.
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Fingerprint of the OAuth token Salesforce refused: wait for the agent's renewed one.
    refused_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    salesforce_id: Mapped[str | None] = mapped_column(String(18), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
