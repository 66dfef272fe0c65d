"""Two server processes, one database, the real Redis at 127.0.0.1:6379: one process follows
CXone; agents connected to either process hear each change once."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from tests.conftest import (
    IN_CI,
    CxoneSandbox,
    cxone_variables,
    free_port,
    wait_for_http,
    wait_until,
)
from tests.realtime.test_real_server import listen, token_for
from tests.test_server_process import SECRETS, gunicorn, migrate_and_link_ana, server_env

pytestmark = pytest.mark.slow
REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def two_processes(tmp_path, request):  # type: ignore[no-untyped-def]
    """Two server processes; on the machine's Redis, or with `indirect` parameter "private" on
    the `private_redis` fixture's own server."""
    if getattr(request, "param", None) == "private":
        redis_url = request.getfixturevalue("private_redis").url
    else:
        redis_url = REDIS
    try:
        redis.Redis.from_url(redis_url, socket_timeout=2).ping()
    except redis.RedisError:
        if IN_CI:
            pytest.fail(f"Redis at {redis_url} is required under CI=true")
        pytest.skip("Redis not running")
    (tmp_path / "cxone").mkdir()
    sandbox = CxoneSandbox(tmp_path / "cxone", heartbeat=0.5)
    env = server_env(
        tmp_path,
        CANVAS_CONSUMER_SECRET="live-secret",
        REDIS_URL=redis_url,
        **SECRETS,
        **cxone_variables(sandbox.url),
    )
    migrate_and_link_ana(env)
    processes, bases = [], []
    for name in ("a", "b"):
        port_env = dict(env, PORT=str(free_port()))
        processes.append(gunicorn(port_env, tmp_path / f"{name}.log"))
        bases.append(f"http://127.0.0.1:{port_env['PORT']}")
    try:
        for base, process in zip(bases, processes, strict=True):
            wait_for_http(base + "/healthz", process)
        yield bases, sandbox, tmp_path
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(20)
        sandbox.stop()


def test_an_event_taken_by_one_process_reaches_agents_on_both(two_processes):
    (base_a, base_b), sandbox, folder = two_processes
    heard = {"a": [], "b": []}
    lock = threading.Lock()
    clients = [
        listen(base_a, token_for(base_a, "ana"), heard["a"], lock),
        listen(base_b, token_for(base_b, "ana", " (second window)"), heard["b"], lock),
    ]
    try:
        contact_id = sandbox.customer_writes(channel="chat", text="two processes")["contact"]["id"]

        def both_heard() -> bool:
            with lock:
                return all(any(e["id"] == contact_id for e in events) for events in heard.values())

        wait_until(both_heard, 20)
        time.sleep(1.0)  # any duplicate would have arrived by now
        with lock:
            for events in heard.values():
                mine = [e for e in events if e["id"] == contact_id]
                assert len({e["seq"] for e in mine}) == len(mine) == 1, mine
        logs = [(folder / f"{name}.log").read_text() for name in ("a", "b")]
        assert sum("now follows the CXone Event Hub" in log for log in logs) == 1
    finally:
        for client in clients:
            client.disconnect()
