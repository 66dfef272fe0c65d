"""One interaction: open (claim), read, reply, resolve, end, disposition, transfer, contact
details and private notes."""

from __future__ import annotations

from flask import Response, jsonify

from server.api import bp
from server.api.validation import body_and_uploads, flag, json_object
from server.canvas.auth import current_agent, require_agent
from server.digital.content import safe_file_name, text_field
from server.services import digital

ID = "<string(maxlength=32):contact_id>"


@bp.post(f"/interactions/{ID}/open")
@require_agent
def open_interaction(contact_id: str) -> Response:
    return jsonify(digital().open(current_agent(), contact_id))


@bp.get(f"/interactions/{ID}")
@require_agent
def conversation(contact_id: str) -> Response:
    return jsonify(digital().conversation(current_agent(), contact_id))


@bp.get(f"/interactions/{ID}/messages/<string(maxlength=64):message_id>/attachments/<int:index>")
@require_agent
def attachment(contact_id: str, message_id: str, index: int) -> Response:
    name, content_type, content = digital().attachment(
        current_agent(), contact_id, message_id, index
    )
    response = Response(content, mimetype=content_type)
    # The name comes from CXone (the customer chose it): let Werkzeug quote and encode it.
    response.headers.set("Content-Disposition", "attachment", filename=safe_file_name(name))
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post(f"/interactions/{ID}/reply")
@require_agent
def reply(contact_id: str) -> Response:
    body, uploads = body_and_uploads()
    text = text_field(body, "text", required=not uploads)
    return jsonify(
        digital().reply(
            current_agent(), contact_id, text=text, html=flag(body, "html"), uploads=uploads
        )
    )


@bp.post(f"/interactions/{ID}/resolve")
@require_agent
def resolve(contact_id: str) -> Response:
    return jsonify(digital().resolve(current_agent(), contact_id))


@bp.post(f"/interactions/{ID}/end")
@require_agent
def end(contact_id: str) -> Response:
    return jsonify(digital().end(current_agent(), contact_id))


@bp.put(f"/interactions/{ID}/disposition")
@require_agent
def disposition(contact_id: str) -> Response:
    return jsonify(digital().save_disposition(current_agent(), contact_id, json_object()))


@bp.post(f"/interactions/{ID}/transfer")
@require_agent
def transfer(contact_id: str) -> Response:
    return jsonify(
        digital().transfer(current_agent(), contact_id, json_object().get("routing_queue_id"))
    )


@bp.get(f"/interactions/{ID}/contact")
@require_agent
def contact(contact_id: str) -> Response:
    return jsonify(digital().contact_details(current_agent(), contact_id))


@bp.put(f"/interactions/{ID}/contact")
@require_agent
def update_contact(contact_id: str) -> Response:
    return jsonify(digital().update_links(current_agent(), contact_id, json_object()))


@bp.post(f"/interactions/{ID}/notes")
@require_agent
def add_note(contact_id: str) -> tuple[Response, int]:
    return jsonify(digital().add_note(current_agent(), contact_id, json_object().get("text"))), 201
