"""Who the signed-in agent is in CXone, and which routing queues they work."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from server.canvas.sessions import AgentContext
from server.cxone.client import CxoneClient
from server.cxone.models import Channel, RoutingQueue, Tag
from server.db import Database
from server.digital.models import AgentLink
from server.errors import ApiError

DIGITAL = "digital"
OUTBOUND_EMAIL = "outbound-email"
OUTBOUND_SMS = "outbound-sms"
# An admin's change to an agent link reaches other processes within this time.
LINK_CACHE_SECONDS = 10.0


@dataclass(frozen=True)
class AgentProfile:
    org_id: str
    user_id: str
    cxone_user_id: int
    can_transfer: bool
    queue_ids: frozenset[str]  # every routing queue the agent is a member of
    inbox_queue_ids: frozenset[str]  # the digital ones, whose interactions fill the inbox


class _Cached:
    """A value fetched from CXone at most once per `seconds` (reference data changes rarely)."""

    def __init__(self, fetch, seconds: float) -> None:  # type: ignore[no-untyped-def]
        self._fetch, self._seconds = fetch, seconds
        self._value, self._at = None, 0.0
        self._lock = threading.Lock()

    def get(self, *, fresh: bool = False):  # type: ignore[no-untyped-def]
        with self._lock:
            if fresh or self._value is None or time.monotonic() - self._at > self._seconds:
                self._value, self._at = self._fetch(), time.monotonic()
            return self._value


class Directory:
    def __init__(
        self,
        db: Database,
        client: CxoneClient,
        cache_seconds: float = 60.0,
        queue_kinds: Mapping[str, str] | None = None,
    ) -> None:
        self._db = db
        self._queue_kinds = dict(queue_kinds or {})
        self._client = client
        self._cache_seconds = cache_seconds
        self._queues = _Cached(lambda: {q.id: q for q in client.routing_queues()}, 300)
        self._channels = _Cached(lambda: {c.id: c for c in client.channels()}, 300)
        self._tags = _Cached(lambda: {t.id: t for t in client.tags()}, 300)
        self._memberships: dict[int, tuple[float, frozenset[str]]] = {}
        self._links: dict[tuple[str, str], tuple[float, tuple[int, bool] | None]] = {}
        self._agents: dict[int, tuple[float, tuple[str, str] | None]] = {}
        self._lock = threading.Lock()

    # --- reference data ------------------------------------------------------------------------

    def queue(self, queue_id: str | None) -> RoutingQueue | None:
        return self._queues.get().get(queue_id) if queue_id else None

    def queues(self) -> list[RoutingQueue]:
        return list(self._queues.get().values())

    def queue_kind(self, queue_id: str) -> str:
        """What an admin configured, else what CXone says, else digital (DFO queues are)."""
        if queue_id in self._queue_kinds:
            return self._queue_kinds[queue_id]
        queue = self.queue(queue_id)
        return (queue.kind if queue else None) or DIGITAL

    def channel(self, channel_id: str) -> Channel | None:
        found = self._channels.get().get(channel_id)
        return found if found is not None else self._channels.get(fresh=True).get(channel_id)

    def channels(self) -> list[Channel]:
        return list(self._channels.get().values())

    def channel_kind(self, channel_id: str) -> str:
        channel = self.channel(channel_id)
        return channel.kind if channel else "unknown"

    def tags(self) -> dict[int, Tag]:
        return self._tags.get()

    # --- agents ------------------------------------------------------------------------------

    def profile(self, agent: AgentContext) -> AgentProfile:
        """Raises: ApiError 403 when no admin has linked this Salesforce user to a CXone user."""
        link = self._link(agent.org_id, agent.user_id)
        if link is None:
            raise ApiError(
                403,
                "agent_not_linked",
                "Your Salesforce user is not linked to a CXone agent yet; ask an administrator "
                "to run `python -m server link-agent`.",
            )
        cxone_user_id, can_transfer = link
        queue_ids = self._membership(cxone_user_id)
        inbox = frozenset(q for q in queue_ids if self.queue_kind(q) == DIGITAL)
        return AgentProfile(
            agent.org_id, agent.user_id, cxone_user_id, can_transfer, queue_ids, inbox
        )

    def _link(self, org_id: str, user_id: str) -> tuple[int, bool] | None:
        """(CXone user id, may transfer), cached briefly: read on every API call, set rarely."""
        key = (org_id, user_id)
        with self._lock:
            cached = self._links.get(key)
        if cached and time.monotonic() - cached[0] < LINK_CACHE_SECONDS:
            return cached[1]
        with self._db.transaction() as db:
            row = db.get(AgentLink, key)
            link = (row.cxone_user_id, row.can_transfer) if row else None
        with self._lock:
            self._links[key] = (time.monotonic(), link)
        return link

    def agent_of_cxone_user(self, cxone_user_id: int) -> tuple[str, str] | None:
        """(org id, user id) of the Salesforce user working as this CXone user, if linked;
        cached as briefly as the links (the relay asks for every event)."""
        with self._lock:
            cached = self._agents.get(cxone_user_id)
        if cached and time.monotonic() - cached[0] < LINK_CACHE_SECONDS:
            return cached[1]
        with self._db.transaction() as db:
            link = db.scalars(
                select(AgentLink).where(AgentLink.cxone_user_id == cxone_user_id)
            ).first()
            agent = (link.org_id, link.user_id) if link else None
        with self._lock:
            self._agents[cxone_user_id] = (time.monotonic(), agent)
        return agent

    def link(
        self, org_id: str, user_id: str, cxone_user_id: int, can_transfer: bool = True
    ) -> None:
        with self._db.transaction() as db:
            existing = db.scalars(
                select(AgentLink).where(AgentLink.cxone_user_id == cxone_user_id)
            ).first()
            if existing is not None and (existing.org_id, existing.user_id) != (org_id, user_id):
                db.delete(existing)
                db.flush()
            link = db.get(AgentLink, (org_id, user_id))
            if link is None:
                db.add(
                    AgentLink(
                        org_id=org_id,
                        user_id=user_id,
                        cxone_user_id=cxone_user_id,
                        can_transfer=can_transfer,
                    )
                )
            else:
                link.cxone_user_id, link.can_transfer = cxone_user_id, can_transfer
        with self._lock:
            self._memberships.pop(cxone_user_id, None)
            self._links.clear()
            self._agents.clear()

    def _membership(self, cxone_user_id: int) -> frozenset[str]:
        with self._lock:
            cached = self._memberships.get(cxone_user_id)
            if cached and time.monotonic() - cached[0] < self._cache_seconds:
                return cached[1]
        queues = frozenset(
            q.id for q in self._client.routing_queues(assignable_by_user=cxone_user_id)
        )
        with self._lock:
            self._memberships[cxone_user_id] = (time.monotonic(), queues)
        return queues
