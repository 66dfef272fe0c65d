"""The `/agents` Socket.IO namespace: who may listen, which rooms they join, resync on connect."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from flask import request
from flask_socketio import ConnectionRefusedError, Namespace, emit, join_room

from server.canvas.sessions import SessionRefused, SessionService
from server.db import utcnow
from server.digital.agents import Directory
from server.errors import ApiError
from server.realtime.relay import NAMESPACE, Relay
from server.realtime.rooms import agent_room, queue_room

log = logging.getLogger(__name__)


class AgentNamespace(Namespace):
    def __init__(self, sessions: SessionService, directory: Directory, relay: Relay) -> None:
        super().__init__(NAMESPACE)
        self._sessions = sessions
        self._directory = directory
        self._relay = relay
        self._lock = threading.Lock()
        # sid -> (session id, expiry of the token it authenticated with last)
        self._connected: dict[str, tuple[str, datetime]] = {}

    def on_connect(self, auth: Any = None) -> None:
        """Raises: ConnectionRefusedError (Flask-SocketIO's, which really refuses) without a
        valid session token in `auth`."""
        auth = auth if isinstance(auth, dict) else {}
        token = auth.get("token")
        try:
            agent = self._sessions.authenticate(str(token or ""))
            profile = self._directory.profile(agent)
        except SessionRefused as exc:
            raise ConnectionRefusedError({"code": exc.code, "message": exc.message}) from None
        except ApiError as exc:
            raise ConnectionRefusedError({"code": exc.code, "message": exc.message}) from None
        before_joining = self._relay.latest()
        # Rooms come from the session, never from what the client asks for.
        join_room(agent_room(agent.org_id, agent.user_id))
        for queue_id in profile.inbox_queue_ids:
            join_room(queue_room(queue_id))
        with self._lock:
            self._connected[request.sid] = (agent.session_id, self._token_expiry(str(token)))
        since = auth.get("since")
        if isinstance(since, int) and not isinstance(since, bool):
            missed = self._relay.missed(profile, since)
            if missed is None:
                emit("resync", {"reason": "too_far_behind", "latest": self._relay.latest()})
            else:
                for event in missed:
                    # To this socket only, already here: not through the message queue, and not
                    # counted as a live delivery (RelayRedisManager delivers each seq once).
                    emit(event["type"], event, ignore_queue=True)
        # Who the client is to the relay: an event whose queue is not among these and whose
        # assignee is someone else tells it the interaction left this agent's lists.
        latest = self._relay.latest()
        emit(
            "ready",
            {
                "latest": latest,
                "queue_ids": sorted(profile.inbox_queue_ids),
                "cxone_user_id": profile.cxone_user_id,
            },
        )

        # The soak saw an event emitted to its rooms while it connected (after kill -9) never
        # reach the client; the likeliest path is a packet sent before the client took the
        # connection as made. Once connected, it is sent again what came since it joined;
        # clients skip seqs they have.
        self.socketio.start_background_task(
            self._catch_up_again, request.sid, profile, before_joining, latest
        )

    def _catch_up_again(self, sid: str, profile: Any, since: int, up_to: int) -> None:
        """Only what was emitted while it connected (up to `ready`): later events were sent
        to a connected client, and are not sent twice."""
        self.socketio.sleep(1.0)
        try:
            missed = [e for e in self._relay.missed(profile, since) or [] if e["seq"] <= up_to]
            for event in missed:
                self.socketio.emit(
                    event["type"], event, to=sid, namespace=NAMESPACE, ignore_queue=True
                )
        except Exception:
            log.exception("second catch-up failed")

    def on_disconnect(self, *_: Any) -> None:
        with self._lock:
            self._connected.pop(request.sid, None)

    def on_renew(self, data: Any) -> dict[str, Any]:
        """The bridge renewed its token: keep the connection, check the new one from now on."""
        token = data.get("token") if isinstance(data, dict) else None
        try:
            agent = self._sessions.authenticate(str(token or ""))
        except SessionRefused as exc:
            return {"ok": False, "code": exc.code}
        with self._lock:
            self._connected[request.sid] = (agent.session_id, self._token_expiry(str(token)))
        return {"ok": True, "session_expires_at": agent.session_expires_at.isoformat()}

    def _token_expiry(self, token: str) -> datetime:
        return self._sessions.token_claims(token).expires_at

    def check_sessions(self) -> int:
        """Disconnect sockets whose token expired unrenewed or whose session expired or was
        revoked; returns how many. One query for all: no token is decoded again."""
        with self._lock:
            connected = dict(self._connected)
        live = self._sessions.live_among({session_id for session_id, _ in connected.values()})
        now = utcnow()
        refused = [
            sid
            for sid, (session_id, token_expires_at) in connected.items()
            if session_id not in live or token_expires_at <= now
        ]
        for sid in refused:
            self.socketio.server.disconnect(sid, namespace=NAMESPACE)
            with self._lock:
                self._connected.pop(sid, None)
        return len(refused)

    def drop_backlogged(self, limit: int) -> int:
        """Drop sockets more than `limit` packets behind; returns how many.

        Emits only queue packets per socket (a stalled client never holds up the others), but a
        client that stopped reading would make its queue grow until the ping timeout (~45 s).
        Dropped clients reconnect with `since` and catch up, or are told to resync.
        """
        eio = self.socketio.server.eio
        dropped = 0
        for eio_sid, socket in list(eio.sockets.items()):
            if socket.closed or socket.queue.qsize() <= limit:
                continue
            log.warning("dropping a Socket.IO client %d packets behind", socket.queue.qsize())
            # abort: no CLOSE packet behind the backlog; wait=False: its writer may be stuck.
            socket.close(wait=False, abort=True, reason=eio.reason.SERVER_DISCONNECT)
            eio.sockets.pop(eio_sid, None)
            dropped += 1
        return dropped

    def watch_backlogs(self, every_seconds: float, limit: int) -> None:
        while True:
            self.socketio.sleep(every_seconds)
            try:
                self.drop_backlogged(limit)
            except Exception:
                log.exception("backlog check failed")

    def watch_sessions(self, every_seconds: float) -> None:
        """A background task: sessions are checked again while their sockets stay open."""
        while True:
            self.socketio.sleep(every_seconds)
            try:
                self.check_sessions()
            except Exception:
                log.exception("session check failed")
