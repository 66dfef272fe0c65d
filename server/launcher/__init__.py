"""Local mode only: `/` plays Salesforce and opens the canvas exactly as an org would.

It gets the agent an OAuth token from the Salesforce stand-in (password grant), signs a Canvas
request with the local consumer secret, and POSTs it either to the Lightning stand-in (which frames
/canvas beside the Lightning components, as an org does) or to /canvas from a page of its own.
"""

from __future__ import annotations

import secrets

import requests
from flask import Blueprint, Response, render_template, request, url_for

from server.canvas.signed_request import origin, sign
from server.errors import ApiError
from server.launcher.demo import (
    DEMO_AGENTS,
    DEMO_PASSWORD,
    DemoAgent,
    canvas_envelope,
    demo_agent,
)
from server.services import services

bp = Blueprint("launcher", __name__)


@bp.get("/")
def launcher() -> Response:
    nonce = secrets.token_urlsafe(16)
    response = Response(render_template("launcher.html", agents=DEMO_AGENTS, nonce=nonce))
    response.headers["Content-Security-Policy"] = _csp(nonce, "")
    return response


@bp.post("/launcher/open")
def open_canvas() -> Response:
    """view=lightning: the Digital tab in the Lightning stand-in (served by the Salesforce
    stand-in, another origin), which frames the canvas as Salesforce does. view=bridge (the
    default): the bare bridge page framed here, for looking at the session alone."""
    agent = demo_agent(request.form.get("agent", ""))
    if agent is None:
        raise ApiError(
            400, "invalid_agent", "Choose one of the demo agents listed on the launcher."
        )
    view = request.form.get("view", "bridge")
    if view not in ("bridge", "lightning"):
        raise ApiError(400, "invalid_view", "view is lightning or bridge.")
    salesforce_url = services().settings.local_salesforce_url
    lightning = view == "lightning"
    envelope = canvas_envelope(
        agent,
        _oauth_token(agent, salesforce_url),
        instance_url=salesforce_url,
        # Lightning frames the canvas from its own origin; the bare view frames it from here.
        target_origin=origin(salesforce_url) if lightning else request.host_url.rstrip("/"),
        canvas_url=request.host_url + "canvas",
    )
    signed = sign(envelope, services().settings.canvas_consumer_secret)
    nonce = secrets.token_urlsafe(16)
    if lightning:
        page = render_template(
            "launcher_lightning.html",
            agent=agent,
            signed_request=signed,
            lightning_url=salesforce_url.rstrip("/") + "/lightning/digital-tab",
            nonce=nonce,
        )
    else:
        page = render_template(
            "launcher_canvas.html",
            agent=agent,
            signed_request=signed,
            canvas_url=url_for("canvas.canvas"),
            nonce=nonce,
        )
    response = Response(page)
    response.headers["Content-Security-Policy"] = _csp(nonce, origin(salesforce_url))
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


def _csp(nonce: str, lightning_origin: str = "") -> str:
    return (
        "default-src 'none'; "
        f"script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
        f"frame-src 'self'; form-action 'self' {lightning_origin}; base-uri 'none'; "
        "frame-ancestors 'none'"
    )
