"""The inbox, the switch list and the reference data the tab's pickers need."""

from __future__ import annotations

from flask import Response, jsonify, request

from server.api import bp
from server.api.validation import int_param
from server.canvas.auth import current_agent, require_agent
from server.digital.inbox import MAX_PAGE, SORTS
from server.errors import ApiError
from server.services import digital


@bp.get("/inbox")
@require_agent
def inbox() -> Response:
    sort = request.args.get("sort", "received")
    if sort not in SORTS:
        raise ApiError(400, "invalid_field", "sort must be received, priority or channel", "sort")
    try:
        tags = [int(t) for t in request.args.getlist("tag")]
    except ValueError:
        raise ApiError(
            400, "invalid_field", "tag must be a tag id (a whole number)", "tag"
        ) from None
    # CXone tag ids are 32-bit; a larger number matches nothing and would overflow the database.
    if any(not 0 < tag < 2**31 for tag in tags):
        raise ApiError(400, "invalid_field", "tag must be a tag id (a whole number)", "tag")
    page = digital().inbox(
        current_agent(),
        tags=tags,
        sort=sort,
        cursor=request.args.get("cursor") or None,
        limit=int_param("limit", 25, 1, MAX_PAGE),
    )
    return jsonify(items=page.items, next_cursor=page.next_cursor)


@bp.get("/my-interactions")
@require_agent
def my_interactions() -> Response:
    return jsonify(digital().switch_list(current_agent()))


@bp.get("/transfer-targets")
@require_agent
def transfer_targets() -> Response:
    return jsonify(items=digital().transfer_targets(current_agent()))


@bp.get("/tags")
@require_agent
def tags() -> Response:
    digital().directory.profile(current_agent())
    return jsonify(
        items=[
            {"id": t.id, "title": t.title, "color": t.color}
            for t in digital().directory.tags().values()
        ]
    )


@bp.get("/channels")
@require_agent
def channels() -> Response:
    digital().directory.profile(current_agent())
    return jsonify(
        items=[
            {
                "id": c.id,
                "name": c.name,
                "kind": c.kind,
                "outbound": c.outbound,
                "attachments": c.can_send_files,
                "rich_text": c.rich_text,
                "subject": c.has_subject,
            }
            for c in digital().directory.channels()
        ]
    )
