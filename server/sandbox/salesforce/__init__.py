"""The Salesforce stand-in: Salesforce's own wire format, played over HTTP on loopback.

So far: the OAuth endpoints the product uses (password grant for the local launcher,
userinfo for the Canvas liveness check, revoke). Errors take Salesforce's shapes.
"""

from __future__ import annotations

import secrets
import threading
from datetime import UTC, datetime

from flask import Flask, Response, jsonify, request

from server.launcher.demo import DEMO_AGENTS, DEMO_PASSWORD, DemoAgent


class TokenStore:
    """Issued OAuth tokens. In memory: a restart of the stand-in signs everyone out, as a real
    org's session reset would."""

    def __init__(self) -> None:
        self._tokens: dict[str, DemoAgent] = {}
        self._lock = threading.Lock()

    def issue(self, agent: DemoAgent) -> str:
        token = f"{agent.org_id[:15]}!{secrets.token_urlsafe(48)}"
        with self._lock:
            self._tokens[token] = agent
        return token

    def agent(self, token: str) -> DemoAgent | None:
        with self._lock:
            return self._tokens.get(token)

    def revoke(self, token: str) -> None:
        with self._lock:
            self._tokens.pop(token, None)


def create_standin_app() -> Flask:
    app = Flask(__name__)
    tokens = TokenStore()
    users = {agent.username: agent for agent in DEMO_AGENTS}

    @app.post("/services/oauth2/token")
    def token() -> tuple[Response, int]:
        form = request.form
        if form.get("grant_type") != "password":
            return _oauth_error("unsupported_grant_type", "grant type not supported"), 400
        agent = users.get(form.get("username", ""))
        if agent is None or not secrets.compare_digest(form.get("password", ""), DEMO_PASSWORD):
            return _oauth_error("invalid_grant", "authentication failure"), 400
        base = request.host_url.rstrip("/")
        return jsonify(
            access_token=tokens.issue(agent),
            instance_url=base,
            id=f"{base}/id/{agent.org_id}/{agent.user_id}",
            token_type="Bearer",
            issued_at=str(int(datetime.now(UTC).timestamp() * 1000)),
        ), 200

    @app.get("/services/oauth2/userinfo")
    def userinfo() -> Response | tuple[str, int]:
        agent = _bearer_agent(tokens)
        if agent is None:
            return "Bad_OAuth_Token", 403
        base = request.host_url.rstrip("/")
        return jsonify(
            sub=f"{base}/id/{agent.org_id}/{agent.user_id}",
            user_id=agent.user_id,
            organization_id=agent.org_id,
            preferred_username=agent.username,
            name=agent.full_name,
            given_name=agent.first_name,
            family_name=agent.last_name,
            email=agent.email,
            email_verified=True,
            active=True,
            user_type="STANDARD",
            language="en_US",
            locale="en_US",
        )

    @app.post("/services/oauth2/revoke")
    def revoke() -> tuple[str, int]:
        tokens.revoke(request.form.get("token", ""))
        return "", 200

    return app


def _bearer_agent(tokens: TokenStore) -> DemoAgent | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return tokens.agent(token.strip()) if scheme.lower() == "bearer" else None


def _oauth_error(code: str, description: str) -> Response:
    return jsonify(error=code, error_description=description)
