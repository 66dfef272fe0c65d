"""POST /canvas (sign in, answer with the bridge page) and POST /canvas/renew."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Blueprint, Response, jsonify, render_template, request, send_from_directory

from server.canvas import replay
from server.canvas.auth import bearer_token
from server.canvas.liveness import LivenessError, check_oauth_token
from server.canvas.sessions import AgentContext, IssuedToken, SessionRefused
from server.canvas.signed_request import CanvasIdentity, SignedRequestError, origin, verify
from server.errors import ApiError
from server.services import services

bp = Blueprint("canvas", __name__)
BRIDGE_DIR = Path(__file__).resolve().parents[2] / "lwc" / "bridge"
BRIDGE_FILES = {"bridge.js", "vendor/socket.io.min.js"}
CANVAS_SDK_VERSION = "66.0"

_STATUS = {
    "invalid_signature": 401,
    "replayed_signed_request": 401,
    "org_not_allowed": 403,
}


@bp.post("/canvas")
def canvas() -> Response:
    identity = _verified_identity(_signed_request_field())
    context, token = services().sessions.sign_in(identity)
    return _bridge_page(context, token, identity.target_origin)


@bp.get("/bridge/<path:name>")
def bridge_file(name: str) -> Response:
    """The bridge's scripts, from lwc/bridge/ (the bridge's own project, tested with Jest)."""
    if name not in BRIDGE_FILES:
        raise ApiError(404, "not_found", "No such file.")
    response = send_from_directory(BRIDGE_DIR, name, mimetype="text/javascript", max_age=300)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/canvas/renew")
def renew() -> Response:
    current = bearer_token()
    identity = _verified_identity(_signed_request_field())
    try:
        context, token = services().sessions.renew(current, identity)
    except SessionRefused as exc:
        raise ApiError(401, exc.code, exc.message) from None
    return jsonify(_token_body(context, token))


def _signed_request_field() -> str:
    # A signed request is a few KiB; refuse anything far larger before parsing it.
    request.max_content_length = services().settings.canvas_max_body_bytes
    if request.is_json:
        body = request.get_json(silent=True)
        value = body.get("signed_request") if isinstance(body, dict) else None
    else:
        value = request.form.get("signed_request")
    if not isinstance(value, str) or not value.strip():
        raise ApiError(
            400,
            "missing_signed_request",
            "POST the form field signed_request (the canvas app must use Signed Request access).",
        )
    return value


def _verified_identity(signed_request: str) -> CanvasIdentity:
    """Signature, envelope, org allow-list, one-time use, then (if on) the token's liveness."""
    settings = services().settings
    try:
        identity = verify(
            signed_request, settings.canvas_consumer_secret, allow_http=settings.is_local
        )
        if settings.salesforce_org_ids and identity.org_id not in settings.salesforce_org_ids:
            raise SignedRequestError(
                "org_not_allowed",
                f"Org {identity.org_id} is not allowed here; an administrator can add it to "
                "SALESFORCE_ORG_IDS.",
            )
        replay.consume(services().db, identity.signature_digest, settings.replay_window_seconds)
    except SignedRequestError as exc:
        raise ApiError(_STATUS.get(exc.code, 400), exc.code, exc.message) from None
    if settings.verify_oauth_token:
        try:
            check_oauth_token(identity)
        except LivenessError as exc:
            raise ApiError(exc.status, exc.code, exc.message) from None
    return identity


def _token_body(context: AgentContext, token: IssuedToken) -> dict[str, object]:
    return {
        "token": token.token,
        "token_expires_at": token.expires_at.isoformat(),
        "session_expires_at": context.session_expires_at.isoformat(),
    }


def _bridge_page(context: AgentContext, token: IssuedToken, parent_origin: str) -> Response:
    nonce = secrets.token_urlsafe(16)
    boot = {
        **_token_body(context, token),
        # The Lightning page's origin, from the signed request: the only one the bridge talks to.
        "parent_origin": origin(parent_origin),
        "agent": {
            "user_id": context.user_id,
            "org_id": context.org_id,
            "display_name": context.display_name,
            "org_name": context.org_name,
        },
    }
    # The org serves its Canvas SDK (Sfdc.canvas: refreshSignedRequest); it is allowed by nonce.
    canvas_sdk = f"{origin(context.instance_url)}/canvas/sdk/js/{CANVAS_SDK_VERSION}/canvas-all.js"
    response = Response(
        render_template("bridge.html", boot=boot, agent=context, nonce=nonce, canvas_sdk=canvas_sdk)
    )
    response.headers["Content-Security-Policy"] = bridge_csp(nonce)
    # The page carries a credential: never cache it, never leak its URL.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def bridge_csp(nonce: str) -> str:
    ancestors = " ".join(services().settings.frame_ancestors)
    return (
        "default-src 'none'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        f"style-src 'self' 'nonce-{nonce}'; "
        "connect-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'self'; "
        f"frame-ancestors {ancestors}"
    )
