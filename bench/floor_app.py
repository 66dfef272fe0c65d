"""The floor for the relay benchmark: a bare Flask-SocketIO app fed by the same CXone Event Hub.

    BENCH_SANDBOX_URL=http://127.0.0.1:8101 gunicorn -k gevent -w 1 bench.floor_app:app

It follows the sandbox's Event Hub with the product's consumer (the CXone protocol is the same
work on both sides) and emits each customer message straight to its routing queue's room: no
read model, no stored sequence, no session check. What the relay adds is measured against it.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from flask_socketio import SocketIO, join_room

from server.cxone.client import CxoneClient
from server.cxone.config import CxoneConfig
from server.cxone.event_hub import EventHubConsumer
from server.cxone.events import CxoneEvent
from server.sandbox.cxone.seed import SANDBOX_CREDENTIALS

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent", cors_allowed_origins=None)


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@socketio.on("connect", namespace="/agents")
def connect(auth: Any = None) -> None:
    join_room(f"queue:{(auth or {}).get('queue')}")


def emit_customer_message(event: CxoneEvent) -> None:
    contact = event.contact
    if event.message is None or contact is None or event.event_type != "MessageCreated":
        return  # one emit per customer message, as the relay sends one `message.added`
    socketio.emit(
        "message.added",
        {"type": "message.added", "id": contact.id, "preview": contact.preview},
        to=f"queue:{contact.routing_queue_id}",
        namespace="/agents",
    )


_url = os.environ["BENCH_SANDBOX_URL"]
_client = CxoneClient(CxoneConfig(**SANDBOX_CREDENTIALS, auth_url=_url, discovery_url=_url))
EventHubConsumer(_client, emit_customer_message, lambda contacts: None).start()
