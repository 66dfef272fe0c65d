"""The durable outbox: writes are stored in the caller's transaction, then sent by a worker.

Nothing is lost and nothing is written twice: a row leaves `pending` only once Salesforce said
yes (or refused it for good); a worker killed mid-write leaves its claim to run out and the
next worker sends the row again, which changes nothing because every write is an upsert by
external id. An expired session waits for the agent's renewed token; REQUEST_LIMIT_EXCEEDED,
5xx and network failures back off and retry; waiting writes go together through sObject
Collections.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import socket
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from server.canvas.sessions import SessionService
from server.db import Database, utcnow
from server.digital.models import Disposition
from server.salesforce.client import MAX_COLLECTION, AgentSalesforce, SalesforceFailure
from server.salesforce.models import DONE, FAILED, PENDING, SalesforceWrite

log = logging.getLogger(__name__)
EXTERNAL_ID = "External_Id__c"
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_CAP = timedelta(minutes=15)
RECHECK_SESSION = timedelta(seconds=5)  # how soon a write waiting for a renewed token looks again
_OLDER = aliased(SalesforceWrite)
# Codes Salesforce gives per record that a later attempt may not get.
TRANSIENT_CODES = {"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "REQUEST_LIMIT_EXCEEDED"}


def enqueue(
    db: Session,
    *,
    org_id: str,
    user_id: str,
    sobject: str,
    external_id: str,
    fields: dict[str, Any],
    source: str,
    source_id: str | None = None,
) -> SalesforceWrite:
    """Store a write in the caller's transaction. A write of the same record by the same agent
    that is still waiting (not being sent) takes the new fields instead of a second call, unless
    a colleague's write of that record came after it: then this one must go after theirs."""
    now = utcnow()
    newest = db.scalars(
        select(SalesforceWrite)
        .where(
            SalesforceWrite.sobject == sobject,
            SalesforceWrite.external_id == external_id,
            SalesforceWrite.org_id == org_id,
            SalesforceWrite.state == PENDING,
        )
        .order_by(SalesforceWrite.created_at.desc())
        .limit(1)
    ).first()
    lease_over = newest is not None and (newest.claimed_until is None or newest.claimed_until < now)
    waiting = newest if lease_over and newest.user_id == user_id else None
    if waiting is not None:
        waiting.fields = json.dumps(json.loads(waiting.fields) | fields)
        if source == "disposition" or waiting.source != "disposition":
            waiting.source, waiting.source_id = source, source_id
        waiting.updated_at = now
        return waiting
    row = SalesforceWrite(
        id=str(uuid.uuid4()),
        org_id=org_id,
        user_id=user_id,
        sobject=sobject,
        external_id=external_id,
        fields=json.dumps(fields),
        source=source,
        source_id=source_id,
        state=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    db.add(row)
    return row


@dataclass(frozen=True)
class _Claimed:
    id: str
    org_id: str
    user_id: str
    sobject: str
    external_id: str
    fields: dict[str, Any]
    source: str
    source_id: str | None
    attempts: int
    refused_token: str | None
    updated_at: datetime


class Outbox:
    def __init__(
        self,
        db: Database,
        sessions: SessionService,
        *,
        lease_seconds: float = 60,
        connect: Callable[[str, str], AgentSalesforce] = AgentSalesforce,
    ) -> None:
        self._db = db
        self._sessions = sessions
        self._lease = timedelta(seconds=lease_seconds)
        self._connect = connect
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._listeners: list[Callable[[str, str, dict[str, Any]], None]] = []

    def on_settled(self, listener: Callable[[str, str, dict[str, Any]], None]) -> None:
        """listener(org_id, user_id, write) when a write was written, refused for good, or
        started waiting for the agent's renewed session (the agent's live view)."""
        self._listeners.append(listener)

    # --- the worker ------------------------------------------------------------------------------

    def run(self, sleep: Callable[[float], None], idle_seconds: float = 1.0) -> None:
        """A background task: send what is due, forever."""
        while True:
            try:
                sent = self.send_due()
            except Exception:
                log.exception("Salesforce outbox round failed")
                sent = 0
            sleep(0.05 if sent else idle_seconds)

    def send_due(self) -> int:
        """One round: claim what is due, send it per agent and object; returns rows settled."""
        claimed = self._claim()
        groups: dict[tuple[str, str, str], list[_Claimed]] = defaultdict(list)
        for row in claimed:
            groups[(row.org_id, row.user_id, row.sobject)].append(row)
        settled = 0
        for (org_id, user_id, sobject), rows in groups.items():
            settled += self._send_group(org_id, user_id, sobject, rows)
        return settled

    def _claim(self) -> list[_Claimed]:
        now = utcnow()
        until = now + self._lease
        with self._db.transaction() as db:
            due = db.scalars(
                select(SalesforceWrite.id)
                .where(
                    SalesforceWrite.state == PENDING,
                    SalesforceWrite.next_attempt_at <= now,
                    or_(
                        SalesforceWrite.claimed_until.is_(None),
                        SalesforceWrite.claimed_until < now,
                    ),
                    # Saved later, sent later: a write waits while an older one of the same
                    # record (a colleague's, backing off) is pending, or it would be overwritten.
                    # Not behind one waiting for its agent to sign in again (that may be hours):
                    # what this one writes is taken out of it once written (_drop_superseded).
                    ~exists().where(
                        _OLDER.org_id == SalesforceWrite.org_id,
                        _OLDER.sobject == SalesforceWrite.sobject,
                        _OLDER.external_id == SalesforceWrite.external_id,
                        _OLDER.state == PENDING,
                        _OLDER.refused_token.is_(None),
                        _OLDER.created_at < SalesforceWrite.created_at,
                    ),
                )
                .order_by(SalesforceWrite.created_at)
                .limit(4 * MAX_COLLECTION)
            ).all()
            if not due:
                return []
            db.execute(
                update(SalesforceWrite)
                .where(
                    SalesforceWrite.id.in_(due),
                    SalesforceWrite.state == PENDING,
                    or_(
                        SalesforceWrite.claimed_until.is_(None),
                        SalesforceWrite.claimed_until < now,
                    ),
                )
                .values(claimed_by=self.worker_id, claimed_until=until)
            )
            rows = db.scalars(
                select(SalesforceWrite)
                .where(
                    SalesforceWrite.id.in_(due),
                    SalesforceWrite.claimed_by == self.worker_id,
                    SalesforceWrite.claimed_until == until,
                )
                .order_by(SalesforceWrite.created_at)
            ).all()
            claimed, seen, extra = [], set(), []
            for row in rows:
                key = (row.org_id, row.sobject, row.external_id)
                if key in seen:  # one write per record per call; the next round takes the rest
                    extra.append(row.id)
                    continue
                seen.add(key)
                claimed.append(
                    _Claimed(
                        row.id,
                        row.org_id,
                        row.user_id,
                        row.sobject,
                        row.external_id,
                        json.loads(row.fields),
                        row.source,
                        row.source_id,
                        row.attempts,
                        row.refused_token,
                        row.updated_at,
                    )
                )
            if extra:
                db.execute(
                    update(SalesforceWrite)
                    .where(SalesforceWrite.id.in_(extra))
                    .values(claimed_by=None, claimed_until=None)
                )
        return claimed

    def _send_group(self, org_id: str, user_id: str, sobject: str, rows: list[_Claimed]) -> int:
        credentials = self._sessions.latest_oauth(org_id, user_id)
        if credentials is None:
            self._wait(rows, "Waiting for the agent to sign in to Salesforce again.", None)
            return 0
        instance_url, token = credentials
        fingerprint = hashlib.sha256(token.encode()).hexdigest()[:32]
        if all(row.refused_token == fingerprint for row in rows):
            self._wait(rows, None, None)  # still the token Salesforce refused
            return 0
        salesforce = self._connect(instance_url, token)
        settled = 0
        for start in range(0, len(rows), MAX_COLLECTION):
            chunk = rows[start : start + MAX_COLLECTION]
            try:
                if len(chunk) == 1:
                    row = chunk[0]
                    record_id = salesforce.upsert(sobject, EXTERNAL_ID, row.external_id, row.fields)
                    outcomes = [(row, True, record_id, None, None)]
                else:
                    payload = [row.fields | {EXTERNAL_ID: row.external_id} for row in chunk]
                    results = salesforce.upsert_many(sobject, EXTERNAL_ID, payload)
                    outcomes = [
                        (row, r.ok, r.record_id, r.code, r.message)
                        for row, r in zip(chunk, results, strict=True)
                    ]
            except SalesforceFailure as failure:
                settled += self._failed_call(chunk, failure, fingerprint)
                continue
            for row, ok, record_id, code, message in outcomes:
                if ok:
                    settled += self._done(row, record_id)
                elif code in TRANSIENT_CODES:
                    self._retry_later(row, f"{code}: {message}")
                else:
                    settled += self._give_up(row, f"{code}: {message}")
        return settled

    # --- outcomes --------------------------------------------------------------------------------

    def _failed_call(self, rows: list[_Claimed], failure: SalesforceFailure, token: str) -> int:
        """Returns how many rows are settled (refused for good)."""
        if failure.kind == "session":
            self._wait(
                rows,
                "Salesforce refused the agent's session; waiting for the renewed one.",
                token,
            )
        elif failure.kind in ("limit", "unavailable"):
            for row in rows:
                self._retry_later(row, f"{failure.code or failure.kind}: {failure.message}")
        else:
            error = f"{failure.code or 'REFUSED'}: {failure.message}"
            return sum(self._give_up(row, error) for row in rows)
        return 0

    def _settle(self, row: _Claimed, **values: Any) -> bool:
        """Applies only if nobody changed the row since it was claimed (a newer write merged
        into it must still be sent); either way the claim is released."""
        now = utcnow()
        with self._db.transaction() as db:
            changed = db.execute(
                update(SalesforceWrite)
                .where(
                    SalesforceWrite.id == row.id,
                    SalesforceWrite.claimed_by == self.worker_id,
                    SalesforceWrite.updated_at == row.updated_at,
                )
                .values(claimed_by=None, claimed_until=None, updated_at=now, **values)
            ).rowcount
            if not changed:
                db.execute(
                    update(SalesforceWrite)
                    .where(
                        SalesforceWrite.id == row.id, SalesforceWrite.claimed_by == self.worker_id
                    )
                    .values(claimed_by=None, claimed_until=None, next_attempt_at=now)
                )
                return False
            state = values.get("state")
            if row.source == "disposition" and row.source_id and state in (DONE, FAILED):
                disposition = db.get(Disposition, row.source_id)
                if disposition is not None:
                    disposition.writeback_status = "written" if state == DONE else "failed"
            settled = db.get(SalesforceWrite, row.id)
            if state == DONE and settled is not None:
                _drop_superseded(db, settled, now)
            news = state in (DONE, FAILED) or (
                values.get("refused_token") is not None and row.refused_token is None
            )
            described = describe(settled) if news and settled is not None else None
        if described is not None:
            for listener in self._listeners:
                try:
                    listener(row.org_id, row.user_id, described)
                except Exception:
                    log.exception("outbox listener failed")
        return True

    def _done(self, row: _Claimed, record_id: str | None) -> int:
        return int(
            self._settle(
                row,
                state=DONE,
                salesforce_id=(record_id or None),
                sent_at=utcnow(),
                last_error=None,
                refused_token=None,
                attempts=row.attempts + 1,
            )
        )

    def _give_up(self, row: _Claimed, error: str) -> int:
        log.warning("Salesforce refused a %s write for good: %s", row.sobject, error)
        return int(self._settle(row, state=FAILED, last_error=error, attempts=row.attempts + 1))

    def _retry_later(self, row: _Claimed, error: str) -> None:
        attempts = row.attempts + 1
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(attempts - 1, 20))
        delay = ceiling * random.uniform(0.5, 1.0)  # noqa: S311 (jitter)
        self._settle(row, attempts=attempts, last_error=error, next_attempt_at=utcnow() + delay)

    def _wait(self, rows: list[_Claimed], error: str | None, refused_token: str | None) -> None:
        for row in rows:
            values: dict[str, Any] = {"next_attempt_at": utcnow() + RECHECK_SESSION}
            if error is not None:
                values["last_error"] = error
            if refused_token is not None:
                values["refused_token"] = refused_token
            self._settle(row, **values)


def _drop_superseded(db: Session, written: SalesforceWrite, now: datetime) -> None:
    """Older writes of the record still pending (a colleague's, waiting for their session) no
    longer send the fields this later save has written: they would overwrite them. One left
    with nothing to send is done."""
    fields = json.loads(written.fields)
    older = db.scalars(
        select(SalesforceWrite).where(
            SalesforceWrite.org_id == written.org_id,
            SalesforceWrite.sobject == written.sobject,
            SalesforceWrite.external_id == written.external_id,
            SalesforceWrite.state == PENDING,
            SalesforceWrite.created_at < written.created_at,
            or_(SalesforceWrite.claimed_until.is_(None), SalesforceWrite.claimed_until < now),
        )
    ).all()
    for write in older:
        kept = {k: v for k, v in json.loads(write.fields).items() if k not in fields}
        write.fields, write.updated_at = json.dumps(kept), now
        if not kept:
            write.state = DONE
            write.last_error = "A later save of the same record was written instead."
            if write.source == "disposition" and write.source_id:
                disposition = db.get(Disposition, write.source_id)
                if disposition is not None:
                    disposition.writeback_status = "written"


# --- what agents and admins see ------------------------------------------------------------------


def describe(row: SalesforceWrite) -> dict[str, Any]:
    return {
        "id": row.id,
        "record": {"type": row.sobject, "external_id": row.external_id},
        "source": row.source,
        "state": row.state,
        "waiting_for_session": row.state == PENDING and row.refused_token is not None,
        "attempts": row.attempts,
        "last_error": row.last_error,
        "next_attempt_at": row.next_attempt_at.isoformat() if row.state == PENDING else None,
        "salesforce_id": row.salesforce_id,
        "created_at": row.created_at.isoformat(),
    }


def unsettled(
    db: Database,
    org_id: str | None = None,
    user_id: str | None = None,
    states: tuple[str, ...] = (PENDING, FAILED),
) -> list[dict[str, Any]]:
    query = select(SalesforceWrite).where(SalesforceWrite.state.in_(states))
    if org_id is not None:
        query = query.where(SalesforceWrite.org_id == org_id, SalesforceWrite.user_id == user_id)
    with db.transaction() as session:
        rows = session.scalars(query.order_by(SalesforceWrite.created_at).limit(500)).all()
        return [describe(row) for row in rows]


def retry(
    db: Database, ids: list[str] | None, *, org_id: str | None = None, user_id: str | None = None
) -> int:
    """Failed writes back to pending (all failed ones when `ids` is None); returns how many."""
    query = update(SalesforceWrite).where(SalesforceWrite.state == FAILED)
    if ids is not None:
        query = query.where(SalesforceWrite.id.in_(ids))
    if org_id is not None:
        query = query.where(SalesforceWrite.org_id == org_id, SalesforceWrite.user_id == user_id)
    now = utcnow()
    with db.transaction() as session:
        return session.execute(
            query.values(
                state=PENDING, attempts=0, next_attempt_at=now, refused_token=None, updated_at=now
            )
        ).rowcount
