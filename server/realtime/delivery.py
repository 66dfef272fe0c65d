"""Live events between processes: Redis pub/sub, with what it loses made good from the database.

Redis pub/sub keeps nothing: an event published while Redis is down, or while a process's
subscriber reconnects, never reaches that process's sockets. Every numbered event is stored
before it is emitted, so each process also looks at the stored events every few seconds
(`Relay.backfill`) and delivers what pub/sub did not bring. `DeliveredSeqs` remembers what this
process has delivered, so an event that pub/sub brings late is not delivered twice.
"""

from __future__ import annotations

import threading
from typing import Any

import socketio

# The numbered events (see socketio-events.md); unread.changed carries the seq it follows.
NUMBERED = frozenset({"message.added", "interaction.changed", "interaction.removed"})


class DeliveredSeqs:
    def __init__(self) -> None:
        self._seen: set[int] = set()
        self._lock = threading.Lock()

    def first_time(self, seq: int) -> bool:
        """Marks `seq` delivered; False when it already was."""
        with self._lock:
            if seq in self._seen:
                return False
            self._seen.add(seq)
            return True

    def __contains__(self, seq: object) -> bool:
        with self._lock:
            return seq in self._seen

    def forget_up_to(self, seq: int) -> None:
        """Events up to `seq` are no longer looked at: stop remembering them."""
        with self._lock:
            self._seen = {s for s in self._seen if s > seq}


class RelayRedisManager(socketio.RedisManager):
    """python-socketio's Redis manager, delivering each numbered event once in this process
    whether it comes from this process, from pub/sub or from the backfill."""

    def __init__(self, url: str, channel: str, delivered: DeliveredSeqs) -> None:
        super().__init__(url, channel=channel)
        self.delivered = delivered

    def _handle_emit(self, message: dict[str, Any]) -> Any:
        # Both paths pass here: this process's own emits and those pub/sub brings from others.
        # A catch-up sent to one socket is emitted with ignore_queue and does not.
        data = message.get("data") or [None]
        seq = data[0].get("seq") if isinstance(data[0], dict) else None
        numbered = message.get("event") in NUMBERED and isinstance(seq, int)
        if numbered and not self.delivered.first_time(seq):  # type: ignore[arg-type]
            return None
        return super()._handle_emit(message)
