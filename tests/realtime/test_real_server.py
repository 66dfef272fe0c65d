"""The relay on the real server: the Procfile's gunicorn gevent worker, the python-socketio client
over WebSocket, the CXone sandbox feeding events."""

from __future__ import annotations

import json
import threading

import pytest
import requests
import socketio

from server.canvas.signed_request import sign
from server.launcher.demo import demo_agent
from tests.conftest import CxoneSandbox, cxone_variables, envelope, wait_for_http, wait_until
from tests.test_server_process import SECRETS, gunicorn, migrate_and_link_ana, server_env

pytestmark = pytest.mark.slow


@pytest.fixture
def live_server(tmp_path):  # type: ignore[no-untyped-def]
    (tmp_path / "cxone").mkdir()
    sandbox = CxoneSandbox(tmp_path / "cxone", heartbeat=0.5)
    env = server_env(
        tmp_path,
        CANVAS_CONSUMER_SECRET="live-secret",
        LOG_LEVEL="INFO",
        REALTIME_MAX_BACKLOG="20",  # small, so that a stalled client is dropped quickly
        **SECRETS,
        **cxone_variables(sandbox.url),
    )
    migrate_and_link_ana(env)
    process = gunicorn(env, tmp_path / "server.log")
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        wait_for_http(base + "/healthz", process)
        yield base, sandbox
    finally:
        process.terminate()
        process.wait(20)
        sandbox.stop()


def token_for(base: str, key: str, window: str = "") -> str:
    """A fresh signed request each time (`window` varies it: each may be used only once)."""
    who = demo_agent(key)
    page = requests.post(
        base + "/canvas",
        data={
            "signed_request": sign(
                envelope(user_id=who.user_id, org_id=who.org_id, full_name=who.full_name + window),
                "live-secret",
            )
        },
        timeout=10,
    )
    assert page.status_code == 200, page.text
    return page.text.split('"token": "', 1)[1].split('"', 1)[0]


def listen(base: str, token: str, received: list, lock: threading.Lock) -> socketio.Client:
    """A python-socketio client over WebSocket collecting `interaction.changed` events."""
    client = socketio.Client(reconnection=False)

    @client.on("interaction.changed", namespace="/agents")
    def changed(data):  # type: ignore[no-untyped-def]
        with lock:
            received.append(data)

    client.connect(
        base,
        namespaces=["/agents"],
        transports=["websocket"],
        auth={"token": token},
        wait_timeout=10,
    )
    return client


def test_refused_without_a_token_and_live_events_with_one(live_server):
    base, sandbox = live_server
    refused = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        refused.connect(
            base,
            namespaces=["/agents"],
            transports=["websocket"],
            auth={"token": "forged"},
            wait_timeout=5,
        )
    received, lock = [], threading.Lock()
    client = listen(base, token_for(base, "ana"), received, lock)
    try:
        assert client.connected
        contact_id = sandbox.customer_writes(channel="chat", text="live over the real server")[
            "contact"
        ]["id"]
        wait_until(lambda: any(e["id"] == contact_id for e in received), 15)
        with lock:
            event = next(e for e in received if e["id"] == contact_id)
        assert event["status"] == "new" and event["seq"] > 0
    finally:
        client.disconnect()


def test_a_stalled_client_holds_up_nobody_and_is_dropped(live_server, tmp_path):
    """Engine.IO long-polling by hand: the stalled client connects, then never polls again, so
    everything sent to it piles up on the server."""
    base, sandbox = live_server
    polling = base + "/socket.io/?EIO=4&transport=polling"
    stalled = requests.Session()
    opened = stalled.get(polling, timeout=5).text
    sid = json.loads(opened[1:])["sid"]
    auth = json.dumps({"token": token_for(base, "ana", " (stalled)")})
    assert stalled.post(f"{polling}&sid={sid}", data=f"40/agents,{auth}", timeout=5).ok
    assert "ready" in stalled.get(f"{polling}&sid={sid}", timeout=5).text  # in, and then stalls
    received, lock = [], threading.Lock()
    healthy = listen(base, token_for(base, "ana"), received, lock)
    try:
        written = [
            sandbox.customer_writes(channel="chat", text=f"queue up {n}")["contact"]["id"]
            for n in range(30)
        ]
        wait_until(lambda: {e["id"] for e in received} >= set(written), 30)
        log = tmp_path / "server.log"
        wait_until(lambda: "dropping a Socket.IO client" in log.read_text(), 10)
        # Its backlog is gone with it: the next poll is told the session is unknown.
        assert stalled.get(f"{polling}&sid={sid}", timeout=5).status_code == 400
        assert healthy.connected
    finally:
        healthy.disconnect()
