"""With several processes (dynos) sharing one database, one of them follows CXone's Event Hub.

A Redis key with a time-to-live names the leader; the leader keeps refreshing it, the others
try to take it, so a leader that dies is replaced within `ttl_seconds`. Its relay reaches agents
on every process through Flask-SocketIO's Redis message queue.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable

import redis

log = logging.getLogger(__name__)

# Refresh only if the key is still ours (another process may have taken it after a stall).
_REFRESH = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


class Leadership:
    def __init__(
        self,
        redis_url: str,
        key: str,
        start: Callable[[], object],
        stop: Callable[[], object],
        ttl_seconds: float = 15.0,
    ) -> None:
        self._redis = redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=5)
        self._key = key
        self._start, self._stop = start, stop
        self._ttl_ms = int(ttl_seconds * 1000)
        self._me = uuid.uuid4().hex
        self._halt = threading.Event()
        self.leading = False

    def run_in_background(self) -> None:
        threading.Thread(target=self._run, name="event-hub-leadership", daemon=True).start()

    def stop(self) -> None:
        self._halt.set()
        if self.leading:
            self._stop()
            self._redis.delete(self._key)

    def _run(self) -> None:
        while not self._halt.is_set():
            try:
                self._step()
            except redis.RedisError as exc:
                log.warning("leadership check failed: %s", type(exc).__name__)
                if self.leading:  # cannot prove we still lead: step down rather than double up
                    self.leading = False
                    self._stop()
            self._halt.wait(self._ttl_ms / 3000)

    def _step(self) -> None:
        if self.leading:
            if not self._redis.eval(_REFRESH, 1, self._key, self._me, self._ttl_ms):
                log.warning("lost Event Hub leadership")
                self.leading = False
                self._stop()
        elif self._redis.set(self._key, self._me, nx=True, px=self._ttl_ms):
            log.info("this process now follows the CXone Event Hub")
            self.leading = True
            self._start()
