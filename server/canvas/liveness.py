"""Prove the OAuth token inside a signed request is live, by asking the org who it belongs to."""

from __future__ import annotations

import logging

import requests

from server.canvas.ids import InvalidSalesforceId, to_18
from server.canvas.signed_request import CanvasIdentity

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 5


class LivenessError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def check_oauth_token(identity: CanvasIdentity, http: requests.Session | None = None) -> None:
    """GET {instanceUrl}/services/oauth2/userinfo as the token; it must name the same user and org.

    Raises:
        LivenessError: the token is refused (401), names someone else (401), or the org
        cannot be reached (502).
    """
    url = identity.instance_url + "/services/oauth2/userinfo"
    try:
        response = (http or requests).get(
            url,
            headers={
                "Authorization": f"Bearer {identity.oauth_token}",
                "Accept": "application/json",
            },
            timeout=TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        log.warning(
            "userinfo check could not reach %s: %s", identity.instance_url, type(exc).__name__
        )
        raise LivenessError(
            502, "salesforce_unreachable", "Salesforce could not be reached to confirm the session."
        ) from None
    if response.status_code in (401, 403):
        raise LivenessError(
            401,
            "oauth_token_not_live",
            "Salesforce no longer accepts this session. Reload the page or sign in again.",
        )
    if response.status_code != 200:
        raise LivenessError(
            502,
            "salesforce_unreachable",
            f"Salesforce answered {response.status_code} while confirming the session.",
        )
    try:
        info = response.json()
        same_user = to_18(str(info.get("user_id"))) == identity.user_id
        same_org = to_18(str(info.get("organization_id"))) == identity.org_id
    except (ValueError, InvalidSalesforceId, AttributeError):
        same_user = same_org = False
    if not (same_user and same_org):
        raise LivenessError(
            401, "oauth_token_mismatch", "The session token belongs to another user or org."
        )
