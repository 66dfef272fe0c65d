"""Agent sessions: created by a verified signed request, extended by renewals, revocable."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from server.canvas import tokens
from server.canvas.signed_request import CanvasIdentity
from server.db import Database, utcnow
from server.encryption import TokenCipher
from server.models import Agent, AgentSession


class SessionRefused(Exception):
    """No valid session for this request; `code` says why (status is always 401)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class AgentContext:
    """The signed-in agent, as every API call and socket sees it."""

    session_id: str
    user_id: str
    org_id: str
    display_name: str
    org_name: str
    instance_url: str
    session_expires_at: datetime


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


class SessionService:
    def __init__(
        self,
        db: Database,
        cipher: TokenCipher,
        signing_key: str,
        token_ttl_seconds: int,
        lifetime_seconds: int,
    ) -> None:
        self._db = db
        self._cipher = cipher
        self._key = signing_key
        self._token_ttl = timedelta(seconds=token_ttl_seconds)
        self._lifetime = timedelta(seconds=lifetime_seconds)

    def sign_in(self, identity: CanvasIdentity) -> tuple[AgentContext, IssuedToken]:
        now = utcnow()
        with self._db.transaction() as db:
            agent = db.get(Agent, (identity.org_id, identity.user_id))
            if agent is None:
                agent = Agent(org_id=identity.org_id, user_id=identity.user_id, first_seen_at=now)
                db.add(agent)
            agent.display_name = identity.display_name
            agent.username = identity.username
            agent.email = identity.email
            agent.last_seen_at = now
            row = AgentSession(
                id=secrets.token_urlsafe(32),
                org_id=identity.org_id,
                user_id=identity.user_id,
                created_at=now,
            )
            self._apply(row, identity, now)
            db.add(row)
            db.flush()
            context = _context(row, agent.display_name)
        return context, self._token(context, now)

    def renew(self, token: str, identity: CanvasIdentity) -> tuple[AgentContext, IssuedToken]:
        """Extend the session the (possibly expired) token names with a fresh signed request.

        Raises:
            SessionRefused: the token is invalid, the session is gone, or the signed request
            is for another agent.
        """
        claims = self._claims(token, allow_expired=True)
        now = utcnow()
        with self._db.transaction() as db:
            row = self._live_row(db, claims.session_id, now)
            if (row.user_id, row.org_id) != (identity.user_id, identity.org_id):
                raise SessionRefused(
                    "session_mismatch", "The signed request is for another user or org."
                )
            self._apply(row, identity, now)
            agent = db.get(Agent, (row.org_id, row.user_id))
            context = _context(row, agent.display_name if agent else identity.display_name)
        return context, self._token(context, now)

    def authenticate(self, token: str) -> AgentContext:
        """Raises: SessionRefused (invalid or expired token, expired or revoked session)."""
        claims = self._claims(token, allow_expired=False)
        with self._db.transaction() as db:
            # One round trip on every API call: the session and its agent's name together.
            found = db.execute(
                select(AgentSession, Agent.display_name)
                .outerjoin(
                    Agent,
                    (Agent.org_id == AgentSession.org_id) & (Agent.user_id == AgentSession.user_id),
                )
                .where(AgentSession.id == claims.session_id)
            ).first()
            row = self._check_live(found[0] if found else None, utcnow())
            return _context(row, found[1] or row.user_id)

    def token_claims(self, token: str) -> tokens.TokenClaims:
        """Raises: SessionRefused when the token is forged, malformed or expired."""
        return self._claims(token, allow_expired=False)

    def live_among(self, session_ids: Iterable[str]) -> set[str]:
        """Which of these sessions are live now, in one query (the socket check runs over every
        connected agent and must not stall the worker)."""
        wanted = set(session_ids)
        if not wanted:
            return set()
        with self._db.transaction() as db:
            return set(
                db.scalars(
                    select(AgentSession.id).where(
                        AgentSession.id.in_(wanted),
                        AgentSession.revoked_at.is_(None),
                        AgentSession.expires_at > utcnow(),
                    )
                )
            )

    def revoke(self, session_id: str) -> None:
        with self._db.transaction() as db:
            row = db.get(AgentSession, session_id)
            if row is not None and row.revoked_at is None:
                row.revoked_at = utcnow()

    def revoke_agent(self, org_id: str, user_id: str) -> int:
        """Revoke every live session of one agent (an admin action); returns how many."""
        now = utcnow()
        with self._db.transaction() as db:
            rows = db.scalars(
                select(AgentSession).where(
                    AgentSession.org_id == org_id,
                    AgentSession.user_id == user_id,
                    AgentSession.revoked_at.is_(None),
                )
            ).all()
            for row in rows:
                row.revoked_at = now
            return len(rows)

    def oauth_token(self, session_id: str) -> tuple[str, str]:
        """The agent's (instance URL, OAuth token) for write-back as that agent."""
        with self._db.transaction() as db:
            row = self._live_row(db, session_id, utcnow())
            return row.instance_url, self._cipher.decrypt(row.oauth_token_encrypted)

    def latest_oauth(self, org_id: str, user_id: str) -> tuple[str, str] | None:
        """(instance URL, OAuth token) of the agent's most recently renewed session that was not
        signed out: write-back waits in the outbox, so it uses the newest token the agent gave."""
        with self._db.transaction() as db:
            row = db.scalars(
                select(AgentSession)
                .where(
                    AgentSession.org_id == org_id,
                    AgentSession.user_id == user_id,
                    AgentSession.revoked_at.is_(None),
                )
                .order_by(AgentSession.renewed_at.desc())
                .limit(1)
            ).first()
            if row is None:
                return None
            return row.instance_url, self._cipher.decrypt(row.oauth_token_encrypted)

    def _apply(self, row: AgentSession, identity: CanvasIdentity, now: datetime) -> None:
        row.org_name = identity.org_name
        row.instance_url = identity.instance_url
        row.target_origin = identity.target_origin
        row.oauth_token_encrypted = self._cipher.encrypt(identity.oauth_token)
        row.renewed_at = now
        row.expires_at = now + self._lifetime

    def _claims(self, token: str, *, allow_expired: bool) -> tokens.TokenClaims:
        try:
            return tokens.decode(self._key, token, allow_expired=allow_expired)
        except tokens.TokenError as exc:
            raise SessionRefused(exc.code, exc.message) from None

    @classmethod
    def _live_row(cls, db, session_id: str, now: datetime) -> AgentSession:  # type: ignore[no-untyped-def]
        return cls._check_live(db.get(AgentSession, session_id), now)

    @staticmethod
    def _check_live(row: AgentSession | None, now: datetime) -> AgentSession:
        if row is None:
            raise SessionRefused("session_unknown", "This session does not exist; reload the page.")
        if row.revoked_at is not None:
            raise SessionRefused("session_revoked", "This session was signed out; reload the page.")
        if row.expires_at <= now:
            raise SessionRefused("session_expired", "This session has expired; reload the page.")
        return row

    def _token(self, context: AgentContext, now: datetime) -> IssuedToken:
        expires_at = min(now + self._token_ttl, context.session_expires_at).replace(microsecond=0)
        claims = tokens.TokenClaims(
            session_id=context.session_id,
            user_id=context.user_id,
            org_id=context.org_id,
            expires_at=expires_at,
        )
        return IssuedToken(tokens.issue(self._key, claims, now), expires_at)


def _context(row: AgentSession, display_name: str) -> AgentContext:
    return AgentContext(
        session_id=row.id,
        user_id=row.user_id,
        org_id=row.org_id,
        display_name=display_name,
        org_name=row.org_name,
        instance_url=row.instance_url,
        session_expires_at=row.expires_at,
    )
