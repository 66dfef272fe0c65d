"""New outbound conversations: email and SMS, with their contact details, saved and sent."""

from __future__ import annotations

from flask import Response, jsonify

from server.api import bp
from server.api.validation import body_and_uploads, json_object
from server.canvas.auth import current_agent, require_agent
from server.services import digital


@bp.post("/outbound/email")
@require_agent
def new_email() -> tuple[Response, int]:
    body, uploads = body_and_uploads()
    return jsonify(digital().new_email(current_agent(), body, uploads)), 201


@bp.post("/outbound/sms")
@require_agent
def new_sms() -> tuple[Response, int]:
    return jsonify(digital().new_sms(current_agent(), json_object())), 201
