"""The CXone sandbox: CXone's authentication, discovery, DFO 3.0 API and Event Hub, over HTTP
and WebSocket on loopback, with state in SQLite.

Answers within `shared/specs/cxone-digital-openapi.yaml` (the tests validate every response
against it). Beyond the spec, and marked as such: the Event Hub (`GET /event-hub-url`, the
`/event-hub` WebSocket) and the `/sandbox/*` controls tests and demos use (faults, dropping the
Event Hub, expiring tokens, playing the customer).
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from flask import Flask, Response, g, jsonify, request

from server.sandbox.cxone import views
from server.sandbox.cxone.hub import EventHub, serve_event_hub
from server.sandbox.cxone.seed import SANDBOX_CREDENTIALS, TENANT_ID, seed
from server.sandbox.cxone.store import SandboxError, Store

ATTACHMENT_LIMIT = 10 * 1024 * 1024


@dataclass
class Fault:
    path_prefix: str
    status: int
    count: int
    retry_after: int | None = None
    method: str | None = None


@dataclass
class TokenBook:
    ttl_seconds: int
    access: dict[str, float] = field(default_factory=dict)
    refresh: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.lock:
            self.access[access] = time.time() + self.ttl_seconds
            self.refresh.add(refresh)
        id_token = jwt.encode(
            {"tenantId": TENANT_ID, "sub": "user:sandbox-integration", "iss": "cxone-sandbox"},
            "sandbox-id-token-key-not-a-secret-0000",
            algorithm="HS256",
        )
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.ttl_seconds,
            "refresh_token": refresh,
            "id_token": id_token,
        }

    def valid(self, token: str) -> bool:
        with self.lock:
            return self.access.get(token, 0) > time.time()

    def use_refresh(self, token: str) -> bool:
        with self.lock:
            if token in self.refresh:
                self.refresh.discard(token)
                return True
            return False

    def expire_all(self) -> None:
        with self.lock:
            self.access.clear()


def create_cxone_sandbox(
    db_path: Path | str,
    *,
    heartbeat_seconds: float = 30.0,
    token_ttl_seconds: int = 3600,
    with_seed: bool = True,
) -> Flask:
    app = Flask(__name__)
    hub = EventHub()
    store: Store
    store = Store(db_path, publish=lambda envelope: hub.publish(views.event(store, envelope)))
    if with_seed and store.is_empty():
        seed(store)
    tokens = TokenBook(token_ttl_seconds)
    faults: list[Fault] = []
    faults_lock = threading.Lock()
    app.extensions["cxone_sandbox"] = {"store": store, "hub": hub, "tokens": tokens}

    def errors(
        status: int, code: str, message: str, field_name: str | None = None
    ) -> tuple[Response, int]:
        error: dict[str, Any] = {"message": message, "errorCode": code}
        if field_name:
            error["field"] = field_name
        return jsonify(errors=[error], uid=str(uuid.uuid4())), status

    @app.errorhandler(SandboxError)
    def _sandbox_error(exc: SandboxError) -> tuple[Response, int]:
        return errors(exc.status, exc.error_code, exc.message, exc.field)

    @app.before_request
    def _faults_and_auth() -> Any:
        path = request.path
        with faults_lock:
            for fault in faults:
                if (
                    path.startswith(fault.path_prefix)
                    and fault.count > 0
                    and (fault.method is None or fault.method == request.method)
                ):
                    fault.count -= 1
                    response, status = errors(
                        fault.status, "InjectedFault", f"sandbox fault {fault.status}"
                    )
                    # Real CXone answers 429/5xx beyond the published responses; say it is injected.
                    response.headers["X-Sandbox-Fault"] = "injected"
                    if fault.retry_after is not None:
                        response.headers["Retry-After"] = str(fault.retry_after)
                    return response, status
        if path.startswith("/dfo/3.0/") or path == "/event-hub-url":
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not tokens.valid(token.strip()):
                return errors(401, "Unauthorized", "Access token is missing, invalid or expired")
            g.token = token.strip()
        return None

    # --- authentication and discovery ----------------------------------------------------------

    @app.post("/auth/token")
    def token() -> tuple[Response, int]:
        def oauth_error(code: str, description: str) -> tuple[Response, int]:
            response = jsonify(error=code, error_description=description)
            response.headers.update({"Cache-Control": "no-store", "Pragma": "no-cache"})
            return response, 400

        client = request.authorization
        if client is None or (client.username, client.password) != (
            SANDBOX_CREDENTIALS["client_id"],
            SANDBOX_CREDENTIALS["client_secret"],
        ):
            return oauth_error("invalid_client", "client authentication failed")
        grant = request.form.get("grant_type")
        if grant == "password":
            if (request.form.get("username"), request.form.get("password")) != (
                SANDBOX_CREDENTIALS["access_key_id"],
                SANDBOX_CREDENTIALS["access_key_secret"],
            ):
                return oauth_error("invalid_grant", "access key is not valid")
        elif grant == "refresh_token":
            if not tokens.use_refresh(request.form.get("refresh_token", "")):
                return oauth_error("invalid_grant", "refresh token is not valid")
        else:
            return oauth_error("unsupported_grant_type", f"grant_type {grant!r} is not supported")
        response = jsonify(tokens.issue())
        response.headers.update({"Cache-Control": "no-store", "Pragma": "no-cache"})
        return response, 200

    @app.get("/.well-known/cxone-configuration")
    def discovery() -> Response | tuple[str, int]:
        if request.args.get("tenantId") != TENANT_ID:
            return "", 404
        base = request.host_url.rstrip("/")
        return jsonify(
            private=False,
            ui_endpoint=base + "/ui",
            auth_endpoint=base,
            api_endpoint=base,
            region="sandbox",
            area="sandbox",
            domain=request.host.split(":")[0],
            uhDomain=request.host.split(":")[0],
            tenantId=TENANT_ID,
            cluster="sandbox",
        )

    # --- contacts ----------------------------------------------------------------------------

    @app.get("/dfo/3.0/contacts")
    def contacts() -> Response:
        args = request.args
        sorting = args.get("sorting", "createdAt")
        if sorting not in ("createdAt", "id", "slaFrt", "slaRt", "status", "updatedAt"):
            raise SandboxError(
                400, "InvalidSorting", f"sorting {sorting!r} is not supported", "sorting"
            )
        try:
            tag_ids = [int(t) for t in args.getlist("tag[]")]
        except ValueError:
            raise SandboxError(400, "InvalidTag", "tag[] must be integers", "tag[]") from None
        customer_ids = [
            f"{platform}_{identity}"
            for identity in args.getlist("endUserIdOnExternalPlatform[]")
            for platform in ("chat", "email", "facebook", "instagram", "sms", "twitter", "whatsapp")
        ]
        found, hits, scroll = store.search_contacts(
            statuses=args.getlist("status[]"),
            channels=args.getlist("channel[]"),
            queues=args.getlist("routingQueueId[]"),
            tags=tag_ids,
            customer_ids=customer_ids,
            query=args.get("query"),
            sorting=sorting,
            sorting_type=args.get("sortingType", "desc"),
            scroll_token=args.get("scrollToken"),
        )
        body: dict[str, Any] = {"data": [views.contact(store, c) for c in found], "hits": hits}
        if scroll:
            body["scrollToken"] = scroll
        return jsonify(body)

    @app.get("/dfo/3.0/contacts/<contact_id>")
    def contact(contact_id: str) -> Response:
        return jsonify(views.contact(store, store.contact(contact_id)))

    @app.get("/dfo/3.0/contacts/<contact_id>/messages")
    def contact_messages(contact_id: str) -> Response:
        found = [views.message(store, m) for m in store.messages(contact_id)]
        return jsonify(data=found, hits=len(found))

    @app.put("/dfo/3.0/contacts/<contact_id>/status")
    def contact_status(contact_id: str) -> tuple[str, int]:
        body = _json_object()
        store.set_status(contact_id, _required(body, "status", str))
        return "", 204

    @app.put("/dfo/3.0/contacts/<contact_id>/inbox-assignment")
    def assign(contact_id: str) -> tuple[str, int]:
        body = _json_object()
        user_id = body.get("inboxAssignee", body.get("userId"))
        if user_id is None and body.get("inboxAssigneeCxoneId"):
            user_id = _user_by_cxone_id(store, str(body["inboxAssigneeCxoneId"]))
        if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id < 1:
            raise SandboxError(
                400, "InvalidAssignee", "inboxAssignee must be a user id", "inboxAssignee"
            )
        store.assign(contact_id, user_id)
        return "", 200

    @app.delete("/dfo/3.0/contacts/<contact_id>/inbox-assignment")
    def unassign(contact_id: str) -> tuple[str, int]:
        store.unassign(contact_id)
        return "", 200

    @app.put("/dfo/3.0/contacts/<contact_id>/routing-queue")
    def routing_queue(contact_id: str) -> tuple[str, int]:
        body = _json_object()
        store.transfer(contact_id, _required(body, "routingQueueId", str))
        return "", 200

    # --- messages ----------------------------------------------------------------------------

    @app.post("/dfo/3.0/channels/<channel_id>/outbound")
    def outbound(channel_id: str) -> tuple[Response, int]:
        body = _json_object()
        content = _required(body, "messageContent", dict)
        text = _text_of(content)
        attachments = [_attachment(a) for a in body.get("attachments") or []]
        title = body.get("title") if isinstance(body.get("title"), str) else None
        rich = (content.get("parameters") or {}).get("contentFormat") == "html"
        status_after = (body.get("contact") or {}).get("status")
        if status_after not in (None, "escalated", "pending", "resolved"):
            raise SandboxError(
                400,
                "InvalidStatus",
                "contact.status must be escalated, pending or resolved",
                "contact.status",
            )
        author = body.get("x-authorUserId") if isinstance(body.get("x-authorUserId"), int) else None
        thread = body.get("thread") or {}
        if thread.get("idOnExternalPlatform"):
            record, message = store.agent_replies(
                channel_id,
                str(thread["idOnExternalPlatform"]),
                user_id=author,
                text=text,
                rich=rich,
                title=title,
                attachments=attachments,
                status_after=status_after,
            )
        elif body.get("recipients"):
            recipients = body["recipients"]
            if not all(isinstance(r, dict) and r.get("idOnExternalPlatform") for r in recipients):
                raise SandboxError(
                    400, "InvalidRecipients", "recipients need idOnExternalPlatform", "recipients"
                )
            record, message = store.agent_starts(
                channel_id,
                user_id=author,
                recipients=recipients,
                text=text,
                rich=rich,
                title=title,
                attachments=attachments,
                status_after=status_after,
            )
        else:
            raise SandboxError(
                400,
                "MissingThreadOrRecipients",
                "Give thread.idOnExternalPlatform or recipients",
                "thread",
            )
        return jsonify(
            message=views.message(store, message), consumerContact=views.contact(store, record)
        ), 201

    @app.post("/dfo/3.0/channels/<channel_id>/messages")
    def inbound(channel_id: str) -> tuple[Response, int]:
        """A customer's message arriving on a channel (how the sandbox plays the customer)."""
        body = _json_object()
        for name in ("idOnExternalPlatform", "thread", "messageContent", "authorEndUserIdentity"):
            _required(body, name, object)
        author = _required(body, "authorEndUserIdentity", dict)
        identity = _required(author, "idOnExternalPlatform", str)
        thread = _required(body, "thread", dict)
        channel = store.get("channels", channel_id)
        if channel is None:
            raise SandboxError(
                404, "ChannelNotFound", f"Channel {channel_id} not found", "channelId"
            )
        record, message = store.customer_writes(
            channel_id,
            customer={
                "id": f"{channel['realExternalPlatformId']}_{identity}",
                "identity": identity,
                "firstName": author.get("firstName", ""),
                "surname": author.get("lastName", ""),
            },
            thread_id=_required(thread, "idOnExternalPlatform", str),
            text=_text_of(_required(body, "messageContent", dict)),
            title=body.get("title") if isinstance(body.get("title"), str) else None,
            attachments=[_attachment(a) for a in body.get("attachments") or []],
            tag_ids=[t for t in body.get("tagIds") or [] if isinstance(t, int)],
        )
        return jsonify(
            message=views.message(store, message), consumerContact=views.contact(store, record)
        ), 201

    @app.put("/dfo/3.0/messages/<message_id>/read")
    def read(message_id: str) -> Response:
        body = _json_object()
        return jsonify(
            views.message(store, store.mark_read(message_id, _required(body, "isRead", bool)))
        )

    @app.post("/dfo/3.0/attachments/temporary")
    def temporary_attachment() -> tuple[Response, int] | Response:
        body = _json_object()
        mime = _required(body, "mimeType", str)
        try:
            content = base64.b64decode(_required(body, "content", str), validate=True)
        except (binascii.Error, ValueError):
            raise SandboxError(400, "InvalidContent", "content must be base64", "content") from None
        if len(content) > ATTACHMENT_LIMIT:
            raise SandboxError(
                400, "AttachmentTooLarge", "attachments are limited to 10 MB", "content"
            )
        stored = store.store_attachment(mime, content)
        return jsonify(stored | {"url": f"{request.host_url}sandbox/attachments/{stored['id']}"})

    @app.get("/sandbox/attachments/<attachment_id>")
    def attachment_file(attachment_id: str) -> Response | tuple[str, int]:
        found = store.attachment(attachment_id)
        if found is None:
            return "", 404
        return Response(found[1], mimetype=found[0])

    # --- reference data --------------------------------------------------------------------------

    @app.get("/dfo/3.0/channels")
    def channels() -> Response:
        return jsonify([views.channel(c) for c in store.all("channels")])

    @app.get("/dfo/3.0/routing-queues")
    def routing_queues() -> Response:
        found = store.all("routing_queues")
        if request.args.getlist("id[]"):
            found = [q for q in found if q["id"] in request.args.getlist("id[]")]
        if request.args.get("nameContains"):
            found = [q for q in found if request.args["nameContains"].lower() in q["name"].lower()]
        if request.args.get("isAssignableByUser"):
            try:
                member_of = set(store.queues_of(int(request.args["isAssignableByUser"])))
            except ValueError:
                raise SandboxError(
                    400,
                    "InvalidUser",
                    "isAssignableByUser must be an integer",
                    "isAssignableByUser",
                ) from None
            found = [q for q in found if q["id"] in member_of]
        return jsonify(data=[views.routing_queue(q) for q in found], hits=len(found))

    @app.get("/dfo/3.0/tags")
    def tags() -> Response:
        found = store.all("tags")
        if request.args.getlist("id[]"):
            wanted = set(request.args.getlist("id[]"))
            found = [t for t in found if str(t["id"]) in wanted]
        return jsonify(data=found, hits=len(found))

    # --- Event Hub (beyond the published spec) -----------------------------------------------

    @app.get("/event-hub-url")
    def event_hub_url() -> Response:
        ws_base = request.host_url.replace("http://", "ws://").replace("https://", "wss://")
        return jsonify(url=ws_base + "event-hub")

    @app.route("/event-hub", websocket=True)
    def event_hub() -> Response:
        return serve_event_hub(hub, tokens.valid, heartbeat_seconds)

    # --- sandbox controls (tests and demos) ------------------------------------------------------

    @app.post("/sandbox/faults")
    def add_fault() -> tuple[str, int]:
        body = _json_object()
        with faults_lock:
            faults.append(
                Fault(
                    path_prefix=_required(body, "path_prefix", str),
                    status=_required(body, "status", int),
                    count=int(body.get("count", 1)),
                    retry_after=body.get("retry_after"),
                    method=body.get("method"),
                )
            )
        return "", 204

    @app.delete("/sandbox/faults")
    def clear_faults() -> tuple[str, int]:
        with faults_lock:
            faults.clear()
        return "", 204

    @app.post("/sandbox/event-hub/drop")
    def drop_event_hub() -> Response:
        return jsonify(dropped=hub.drop_all())

    @app.post("/sandbox/event-hub/rate-limit")
    def rate_limit_event_hub() -> tuple[str, int]:
        body = _json_object()
        hub.refuse_next(int(body.get("count", 1)), int(body.get("retry_after", 1)))
        return "", 204

    @app.post("/sandbox/event-hub/raw")
    def raw_event_hub_message() -> tuple[str, int]:
        """Send any text to every Event Hub client (malformed and unknown payloads in tests)."""
        hub.publish_text(request.get_data(as_text=True))
        return "", 204

    @app.post("/sandbox/tokens/expire")
    def expire_tokens() -> tuple[str, int]:
        tokens.expire_all()
        return "", 204

    @app.get("/sandbox/agents")
    def agents() -> Response:
        return jsonify(
            [
                dict(views.user(u) or {}, routingQueueIds=store.queues_of(u["id"]))
                for u in store.all("users")
            ]
        )

    @app.post("/sandbox/customer-messages")
    def customer_message() -> tuple[Response, int]:
        """Play the customer: write in on a channel, as a new conversation or a reply."""
        from server.sandbox.cxone.customers import play_customer

        record, message = play_customer(store, _json_object())
        return jsonify(
            contact=views.contact(store, record), message=views.message(store, message)
        ), 201

    return app


def _json_object() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise SandboxError(400, "InvalidBody", "The body must be a JSON object")
    return body


def _required(body: dict[str, Any], name: str, kind: type) -> Any:
    value = body.get(name)
    if (
        value is None
        or (kind is not object and not isinstance(value, kind))
        or (kind is int and isinstance(value, bool))
    ):
        raise SandboxError(400, "InvalidField", f"{name} is required", name)
    return value


def _text_of(content: dict[str, Any]) -> str:
    payload = content.get("payload")
    if (
        content.get("type") != "TEXT"
        or not isinstance(payload, dict)
        or not isinstance(payload.get("text"), str)
    ):
        raise SandboxError(
            400,
            "InvalidMessageContent",
            "messageContent must be TEXT with payload.text",
            "messageContent",
        )
    return payload["text"]


def _attachment(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict) or not isinstance(item.get("friendlyName"), str):
        raise SandboxError(
            400, "InvalidAttachment", "attachments need friendlyName and url", "attachments"
        )
    url = item.get("url") or (
        f"{request.host_url}sandbox/attachments/{item['id']}" if item.get("id") else None
    )
    if not url:
        raise SandboxError(
            400, "InvalidAttachment", "attachments need a url or a temporary id", "attachments"
        )
    return {"friendlyName": item["friendlyName"], "url": url}


def _user_by_cxone_id(store: Store, cxone_id: str) -> int | None:
    return next((u["id"] for u in store.all("users") if u.get("incontactId") == cxone_id), None)
