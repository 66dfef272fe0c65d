"""The Salesforce side of the tab: the pickers' searches and the agent's waiting writes."""

from __future__ import annotations

from flask import Response, jsonify, request

from server.api import bp
from server.canvas.auth import current_agent, require_agent
from server.errors import ApiError
from server.salesforce import outbox, pickers
from server.salesforce.client import AgentSalesforce, SalesforceFailure
from server.services import services

_FAILURES = {
    "session": (
        401,
        "salesforce_session_expired",
        "Salesforce refused your session; reload the tab.",
    ),
    "limit": (429, "salesforce_limit", "Salesforce's API limit is reached; try again shortly."),
    "unavailable": (502, "salesforce_unavailable", "Salesforce did not answer; try again."),
    "refused": (502, "salesforce_refused", "Salesforce refused the search"),
}


@bp.get("/salesforce/search")
@require_agent
def salesforce_search() -> Response:
    kind = request.args.get("kind")
    if kind not in ("name", "case"):
        raise ApiError(400, "invalid_field", "kind must be name or case", "kind")
    text = (request.args.get("q") or "").strip()
    if not 2 <= len(text) <= 80:
        raise ApiError(400, "invalid_field", "q must be 2 to 80 characters", "q")
    instance_url, token = services().sessions.oauth_token(current_agent().session_id)
    salesforce = AgentSalesforce(instance_url, token)
    try:
        found = (pickers.search_names if kind == "name" else pickers.search_cases)(salesforce, text)
    except SalesforceFailure as failure:
        status, code, message = _FAILURES[failure.kind]
        if failure.kind == "refused":
            message = f"{message}: {failure.message}"
        raise ApiError(status, code, message) from None
    return jsonify(items=found)


@bp.get("/writes")
@require_agent
def my_writes() -> Response:
    agent = current_agent()
    return jsonify(items=outbox.unsettled(services().db, agent.org_id, agent.user_id))


@bp.post("/writes/<string(maxlength=36):write_id>/retry")
@require_agent
def retry_write(write_id: str) -> Response:
    agent = current_agent()
    if not outbox.retry(services().db, [write_id], org_id=agent.org_id, user_id=agent.user_id):
        raise ApiError(404, "not_found", "No failed write of yours has this id.")
    return jsonify(items=outbox.unsettled(services().db, agent.org_id, agent.user_id))
