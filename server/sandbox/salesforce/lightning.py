"""The Lightning stand-in: the Salesforce stand-in's Lightning page around the Digital tab.

It plays the org's part, on the org's (the stand-in's) origin, different from the backend's:
the page holds the same force-app LWCs an admin deploys (compiled by `npm run build:lightning`
into lightning-standin/dist), frames the canvas and POSTs the signed request into it, and answers
the Canvas SDK's refreshSignedRequest with a fresh one signed with the consumer secret, as the
org does. It also serves that SDK at the org's path (/canvas/sdk/js/<version>/canvas-all.js).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask, Response, jsonify, render_template_string, request, send_from_directory

from server.canvas.signed_request import SignedRequestError, decode_envelope, sign, verify

ROOT = Path(__file__).resolve().parents[3]
STANDIN = ROOT / "lightning-standin"
DIST = STANDIN / "dist"
SLDS = ROOT / "node_modules" / "@salesforce-ux" / "design-system" / "assets"
BUILD_HINT = "npm ci && npm run build:lightning (scripts/run does both)"

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Digital | Salesforce (local Lightning stand-in)</title>
  <link rel="stylesheet" href="/lightning/slds/styles/salesforce-lightning-design-system.min.css">
  <style>
    body { background: #f3f3f3; margin: 0; }
    .standin-bar { background: #032d60; color: #fff; padding: .5rem 1rem; font-size: 13px; }
    .canvas-holder { position: absolute; width: 1px; height: 1px; overflow: hidden;
                     clip: rect(0 0 0 0); white-space: nowrap; }
  </style>
</head>
<body class="slds-scope">
  <div class="standin-bar" role="note">Lightning stand-in (local) · {{ user }} · {{ org }}</div>
  <main id="app" class="slds-p-around_small"></main>
  <div id="canvas-holder" class="canvas-holder" aria-hidden="true"></div>
  <div id="toasts" class="slds-notify_container slds-is-fixed"></div>
  <script type="application/json" id="lightning-boot">{{ boot|tojson }}</script>
  <script type="module" src="/lightning/app/main.js"></script>
</body>
</html>
"""


def register_lightning(app: Flask, consumer_secret: str | None) -> None:
    def verified(signed: str) -> dict:
        """The envelope of a signed request this org (the consumer secret) signed."""
        if not consumer_secret:
            raise SignedRequestError(
                "no_consumer_secret",
                "The Lightning stand-in needs CANVAS_CONSUMER_SECRET, the backend's (scripts/run "
                "sets both).",
            )
        verify(signed, consumer_secret, allow_http=True)
        return decode_envelope(signed)

    @app.post("/lightning/digital-tab")
    def digital_tab() -> Response | tuple[Response, int]:
        try:
            envelope = verified(request.form.get("signed_request", ""))
        except SignedRequestError as exc:
            return _problem(400 if consumer_secret else 503, exc.code, exc.message)
        if not (DIST / "main.js").exists():
            return _problem(
                503, "not_built", f"The Lightning components are not built: {BUILD_HINT}."
            )
        context = envelope["context"]
        boot = {
            "signed_request": request.form["signed_request"],
            "canvas_url": context["application"]["canvasUrl"],
            "refresh_url": "/lightning/refresh-signed-request",
        }
        response = Response(
            render_template_string(
                PAGE,
                boot=boot,
                user=context["user"]["fullName"],
                org=context["organization"]["name"],
            )
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.post("/lightning/refresh-signed-request")
    def refresh_signed_request() -> Response | tuple[Response, int]:
        body = request.get_json(silent=True)
        signed = body.get("signed_request") if isinstance(body, dict) else None
        try:
            envelope = verified(signed if isinstance(signed, str) else "")
        except SignedRequestError as exc:
            return _problem(400, exc.code, exc.message)
        envelope["issuedAt"] = secrets.randbelow(2**31)  # a new request, as the org would sign
        return jsonify(signed_request=sign(envelope, consumer_secret or ""))

    @app.get("/lightning/app/<path:name>")
    def app_file(name: str) -> Response:
        return send_from_directory(DIST, name)

    @app.get("/lightning/slds/<path:name>")
    def slds_file(name: str) -> Response:
        return send_from_directory(SLDS, name)

    @app.get("/canvas/sdk/js/<version>/canvas-all.js")
    def canvas_sdk(version: str) -> Response:
        return send_from_directory(STANDIN, "canvas-all.js", mimetype="text/javascript")


def _problem(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify(error={"code": code, "message": message}), status
