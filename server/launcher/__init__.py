"""Local mode only: `/` plays Salesforce and opens the canvas exactly as an org would.

It gets the agent an OAuth token from the Salesforce stand-in (password grant), signs a Canvas
request with the local consumer secret, and POSTs it to /canvas from a page that frames it.
"""

from __future__ import annotations

import secrets

import requests
from flask import Blueprint, Response, render_template, request, url_for

from server.canvas.signed_request import sign
from server.errors import ApiError
from server.launcher.demo import DEMO_AGENTS, DEMO_PASSWORD, DemoAgent, demo_agent
from server.services import services

bp = Blueprint("launcher", __name__)


@bp.get("/")
def launcher() -> Response:
    nonce = secrets.token_urlsafe(16)
    response = Response(render_template("launcher.html", agents=DEMO_AGENTS, nonce=nonce))
    response.headers["Content-Security-Policy"] = _csp(nonce)
    return response


@bp.post("/launcher/open")
def open_canvas() -> Response:
    agent = demo_agent(request.form.get("agent", ""))
    if agent is None:
        raise ApiError(
            400, "invalid_agent", "Choose one of the demo agents listed on the launcher."
        )
    salesforce_url = services().settings.local_salesforce_url
    envelope = _envelope(agent, _oauth_token(agent, salesforce_url), salesforce_url)
    signed = sign(envelope, services().settings.canvas_consumer_secret)
    nonce = secrets.token_urlsafe(16)
    response = Response(
        render_template(
            "launcher_canvas.html",
            agent=agent,
            signed_request=signed,
            canvas_url=url_for("canvas.canvas"),
            nonce=nonce,
        )
    )
    response.headers["Content-Security-Policy"] = _csp(nonce)
    response.headers["Cache-Control"] = "no-store"
    return response


def _oauth_token(agent: DemoAgent, salesforce_url: str) -> str:
    try:
        answer = requests.post(
            salesforce_url + "/services/oauth2/token",
            data={"grant_type": "password", "username": agent.username, "password": DEMO_PASSWORD},
            timeout=5,
        )
    except requests.RequestException:
        raise ApiError(
            502,
            "salesforce_standin_unreachable",
            f"The Salesforce stand-in does not answer at {salesforce_url}; start the product "
            "with scripts/run, or set LOCAL_SALESFORCE_URL.",
        ) from None
    if answer.status_code != 200:
        raise ApiError(
            502, "salesforce_standin_refused", "The Salesforce stand-in refused the sign-in."
        )
    return str(answer.json()["access_token"])


def _envelope(agent: DemoAgent, oauth_token: str, salesforce_url: str) -> dict[str, object]:
    """The shape Salesforce sends (see tests/fixtures: the real vector)."""
    return {
        "algorithm": "HMACSHA256",
        "issuedAt": secrets.randbelow(2**31),  # Salesforce's values are not timestamps either
        "userId": agent.user_id[:15],
        "client": {
            "oauthToken": oauth_token,
            "instanceId": "_:digital_tab:",
            "targetOrigin": request.host_url.rstrip("/"),
            "instanceUrl": salesforce_url,
        },
        "context": {
            "user": {
                "userId": agent.user_id,
                "userName": agent.username,
                "firstName": agent.first_name,
                "lastName": agent.last_name,
                "fullName": agent.full_name,
                "email": agent.email,
                "language": "en_US",
                "locale": "en_US",
                "timeZone": "Europe/London",
                "userType": "STANDARD",
            },
            "organization": {
                "organizationId": agent.org_id,
                "name": agent.org_name,
                "currencyIsoCode": "USD",
                "namespacePrefix": None,
            },
            "application": {
                "name": "Digital tab",
                "developerName": "Digital_Tab",
                "canvasUrl": request.host_url + "canvas",
                "authType": "SIGNED_REQUEST",
                "version": "1.0",
            },
            "environment": {"displayLocation": "Visualforce", "parameters": {}},
        },
    }


def _csp(nonce: str) -> str:
    return (
        "default-src 'none'; "
        f"script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
        "frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
