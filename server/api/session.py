"""GET /api/v1/session (who is signed in) and DELETE /api/v1/session (sign out)."""

from __future__ import annotations

from flask import Response, jsonify

from server.api import bp
from server.canvas.auth import current_agent, require_agent
from server.services import services


@bp.get("/session")
@require_agent
def who_am_i() -> Response:
    agent = current_agent()
    return jsonify(
        user_id=agent.user_id,
        org_id=agent.org_id,
        display_name=agent.display_name,
        org_name=agent.org_name,
        instance_url=agent.instance_url,
        session_expires_at=agent.session_expires_at.isoformat(),
    )


@bp.delete("/session")
@require_agent
def sign_out() -> tuple[str, int]:
    services().sessions.revoke(current_agent().session_id)
    return "", 204
