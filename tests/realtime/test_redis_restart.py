"""Redis restarted under two server processes: a Redis of this test's own (the machine's is
shared), two processes of the Procfile's server sharing it, an agent connected to each. While
Redis is down nothing is lost: the event is in the database, an agent catching up with `since`
gets it, and agents who stay connected get it live from the relay's backfill."""

from __future__ import annotations

import shutil
import threading

import pytest
import socketio

from bench.common import RedisServer
from tests.conftest import IN_CI, wait_until
from tests.realtime.test_real_server import listen, token_for
from tests.realtime.test_two_processes import two_processes  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow
REDIS_SERVER = shutil.which("redis-server")


@pytest.fixture
def private_redis(tmp_path):  # type: ignore[no-untyped-def]
    if REDIS_SERVER is None:
        if IN_CI:
            pytest.fail("redis-server is required under CI=true")
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def _an_agent_on_each(base_a: str, base_b: str) -> tuple[dict, threading.Lock, list]:
    heard, lock = {"a": [], "b": []}, threading.Lock()
    clients = [
        _connected(base_a, heard["a"], lock, ""),
        _connected(base_b, heard["b"], lock, " (2)"),
    ]
    return heard, lock, clients


def _connected(base: str, heard: dict, lock: threading.Lock, window: str) -> socketio.Client:
    return listen(base, token_for(base, "ana", window), heard, lock)


def _restart_with_writes(sandbox, private_redis, heard, lock) -> tuple[str, str, int]:  # type: ignore[no-untyped-def]
    """A message before (everyone hears it), one while Redis is down, one after it is back."""
    before = sandbox.customer_writes(channel="chat", text="before")["contact"]["id"]
    wait_until(lambda: _everyone_heard(heard, lock, before), 20)
    with lock:
        last_seq = max(e["seq"] for events in heard.values() for e in events)
    private_redis.stop()
    during = sandbox.customer_writes(channel="chat", text="while Redis is down")["contact"]["id"]
    private_redis.start()
    after = sandbox.customer_writes(channel="chat", text="after")["contact"]["id"]
    return during, after, last_seq


def _everyone_heard(heard: dict, lock: threading.Lock, contact_id: str) -> bool:
    with lock:
        return all(any(e["id"] == contact_id for e in events) for events in heard.values())


@pytest.mark.parametrize("two_processes", ["private"], indirect=True)
def test_an_agent_catching_up_after_a_redis_restart_loses_nothing(two_processes, private_redis):  # noqa: F811
    (base_a, base_b), sandbox, _ = two_processes
    heard, lock, clients = _an_agent_on_each(base_a, base_b)
    try:
        during, after, last_seq = _restart_with_writes(sandbox, private_redis, heard, lock)
        caught_up: list[dict] = []
        late = socketio.Client(reconnection=False)
        late.on("interaction.changed", lambda data: caught_up.append(data), namespace="/agents")
        late.connect(
            base_b,
            namespaces=["/agents"],
            transports=["websocket"],
            auth={"token": token_for(base_b, "ana", " (3)"), "since": last_seq},
            wait_timeout=10,
        )
        clients.append(late)
        # The events are in the database whatever Redis did: the catch-up has both.
        wait_until(lambda: {during, after} <= {e["id"] for e in caught_up}, 20)
    finally:
        for client in clients:
            client.disconnect()


@pytest.mark.parametrize("two_processes", ["private"], indirect=True)
def test_live_events_reach_both_processes_across_a_redis_restart(two_processes, private_redis):  # noqa: F811
    """Pub/sub loses what is published while Redis is down and while each process's subscriber
    reconnects; the relay's backfill delivers it from the database to agents who stay
    connected, each event once."""
    (base_a, base_b), sandbox, _ = two_processes
    heard, lock, clients = _an_agent_on_each(base_a, base_b)
    try:
        during, after, last_seq = _restart_with_writes(sandbox, private_redis, heard, lock)
        wait_until(lambda: _everyone_heard(heard, lock, during), 30)
        wait_until(lambda: _everyone_heard(heard, lock, after), 30)
        with lock:
            for events in heard.values():
                later = [e["seq"] for e in events if e["seq"] > last_seq]
                assert len(later) == len(set(later)), "an event was delivered twice"
    finally:
        for client in clients:
            client.disconnect()
