"""Flask app factory: settings, logging, storage, identity and routes, wired together."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from flask import Flask, request
from flask_socketio import SocketIO
from werkzeug.exceptions import RequestEntityTooLarge

from server import db as database
from server.canvas.sessions import SessionService
from server.cxone.client import CxoneClient
from server.cxone.event_hub import EventHubConsumer, EventHubFollower
from server.digital.agents import Directory
from server.digital.leadership import Leadership
from server.digital.projection import Projection
from server.digital.workflow import DigitalTab
from server.encryption import TokenCipher
from server.errors import register_error_handlers
from server.logs import configure_logging, init_request_logging
from server.ratelimits import init_rate_limits
from server.realtime.delivery import DeliveredSeqs, RelayRedisManager
from server.realtime.namespace import AgentNamespace
from server.realtime.relay import NAMESPACE, Relay
from server.realtime.rooms import agent_room
from server.salesforce.outbox import Outbox
from server.services import Services
from server.settings import Settings, load_settings

log = logging.getLogger(__name__)

# Attachments may be 10 MB; the multipart envelope around one needs a little more.
MAX_REQUEST_BYTES = 11 * 1024 * 1024


def _with_digital_tab(services: Services, client: CxoneClient) -> Services:
    """The Digital tab on the connector; its read model follows CXone's Event Hub."""
    directory = Directory(services.db, client, queue_kinds=services.settings.queue_kinds)
    projection = Projection(services.db, directory.channel_kind, client.contact, client.messages)
    tab = DigitalTab(services.db, client, directory, projection)
    events = None
    if services.settings.cxone_events:
        events = _follow_event_hub(services.settings, client, projection)
    return dataclasses.replace(services, cxone=client, digital=tab, events=events)


def _follow_event_hub(
    settings: Settings, client: CxoneClient, projection: Projection
) -> EventHubFollower:
    """Alone, this process follows the Event Hub; with Redis, only the elected process does."""
    follower = EventHubFollower(
        lambda: EventHubConsumer(client, projection.apply_event, projection.reconcile)
    )
    if settings.redis_url is None:
        follower.start()
        return follower
    # Processes sharing one database share one leader.
    key = (
        "digital-tab:event-hub-leader:"
        + hashlib.sha256(settings.database_url.encode()).hexdigest()[:16]
    )
    follower.leadership = Leadership(
        settings.redis_url, key, follower.start, follower.stop_consumer
    )
    follower.leadership.run_in_background()
    return follower


def _with_realtime(app: Flask, services: Services) -> None:
    """Socket.IO on the same origin as the bridge page (no CORS opening), gevent explicitly."""
    # One SocketIO per app (tests build many apps in one process); gevent set explicitly so an
    # installed eventlet never wins auto-detection.
    # Deployments sharing one Redis must not hear each other.
    channel = (
        "digital-tab:" + hashlib.sha256(services.settings.database_url.encode()).hexdigest()[:16]
    )
    delivered, queue = None, {}
    if services.settings.redis_url:
        delivered = DeliveredSeqs()
        queue["client_manager"] = RelayRedisManager(services.settings.redis_url, channel, delivered)
    socketio = SocketIO(
        app,
        async_mode="gevent",
        cors_allowed_origins=None,  # same origin only: the bridge page is served from here
        **queue,
    )
    app.extensions["digital_tab.socketio"] = socketio
    if services.outbox is not None:
        # Every process sends: claims with a lease keep two from sending one write.
        socketio.start_background_task(services.outbox.run, socketio.sleep)
        services.outbox.on_settled(
            lambda org_id, user_id, write: socketio.emit(
                "write.changed", write, to=agent_room(org_id, user_id), namespace=NAMESPACE
            )
        )
    if services.digital is None:
        return
    relay = Relay(services.db, services.digital.directory, socketio)
    services.digital.projection.on_change(relay.on_change)
    namespace = AgentNamespace(services.sessions, services.digital.directory, relay)
    socketio.on_namespace(namespace)
    app.extensions["digital_tab.relay"] = (relay, namespace)
    socketio.start_background_task(namespace.watch_sessions, 30)
    if delivered is not None:
        # Pub/sub loses what is published while Redis or a subscriber is away: fill it in.
        relay.start_backfill(timedelta(seconds=5))
        socketio.start_background_task(relay.keep_backfilling, delivered)
    socketio.start_background_task(
        namespace.watch_backlogs, 1.0, services.settings.realtime_max_backlog
    )


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    app = Flask(__name__)
    settings = load_settings(config, instance_path=Path(app.instance_path))
    configure_logging(
        settings.log_level,
        secrets=[
            settings.canvas_consumer_secret,
            settings.session_signing_key,
            settings.token_encryption_key,
            *(
                [settings.cxone.access_key_secret, settings.cxone.client_secret]
                if settings.cxone
                else []
            ),
        ],
    )
    if settings.dev_secrets_generated:
        log.warning("DEVELOPMENT secrets in use (local mode); never run production like this")
    app.config.update(MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES)

    db = database.Database(settings.database_url)
    if settings.is_local:
        database.upgrade(settings.database_url)
    sessions = SessionService(
        db,
        TokenCipher(settings.token_encryption_key),
        settings.session_signing_key,
        settings.session_token_ttl_seconds,
        settings.session_lifetime_seconds,
    )
    services = Services(
        settings=settings,
        db=db,
        sessions=sessions,
        cxone=None,
        outbox=Outbox(db, sessions, lease_seconds=settings.salesforce_outbox_lease_seconds),
    )
    if settings.cxone:
        services = _with_digital_tab(services, CxoneClient(settings.cxone))
    app.extensions["digital_tab"] = services
    _with_realtime(app, services)

    register_error_handlers(app)
    init_request_logging(app)

    @app.before_request
    def _refuse_oversized_bodies() -> None:
        # Werkzeug enforces the cap only when a view reads the body; refuse declared sizes now.
        if (request.content_length or 0) > MAX_REQUEST_BYTES:
            raise RequestEntityTooLarge()

    from server import health
    from server.api import bp as api_bp
    from server.canvas.routes import bp as canvas_bp

    app.register_blueprint(health.bp)
    app.register_blueprint(canvas_bp)
    app.register_blueprint(api_bp)
    if settings.is_local:
        # The launcher plays Salesforce; it must not exist outside local mode.
        from server.launcher import bp as launcher_bp

        app.register_blueprint(launcher_bp)
    init_rate_limits(app, settings)
    return app
