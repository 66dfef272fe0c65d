"""The Salesforce stand-in: Salesforce's own wire format, played over HTTP on loopback.

The OAuth endpoints the product uses (password grant for the local launcher, userinfo for the
Canvas liveness check, revoke) and the REST data API it writes back through, as the agent whose
token it presents: sobjects create/read/update/upsert by external id, composite/sobjects upsert
(sObject Collections, up to 200 records), query (the SOQL the product sends) and search (SOSL).
Errors take Salesforce's shapes. `/sandbox/*` (not Salesforce) injects faults, counts calls,
expires tokens and lists records for tests.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections import Counter
from datetime import UTC, datetime

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from server.launcher.demo import DEMO_AGENTS, DEMO_PASSWORD, DemoAgent, bench_agents
from server.sandbox.salesforce.lightning import register_lightning
from server.sandbox.salesforce.records import Records, SalesforceError
from server.sandbox.salesforce.seed import seed

MAX_COLLECTION = 200


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

    def revoke_all(self) -> int:
        with self._lock:
            count = len(self._tokens)
            self._tokens.clear()
            return count


class Faults:
    """What /sandbox/faults set: the next data API calls answer with an error (or slowly)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plan: dict = {}

    def set(self, plan: dict) -> None:
        with self._lock:
            self._plan = dict(plan)
            if "seconds" in plan:
                self._plan["until"] = time.monotonic() + float(plan["seconds"])

    def take(self) -> dict | None:
        with self._lock:
            plan = self._plan
            if not plan:
                return None
            if "until" in plan and time.monotonic() > plan["until"]:
                self._plan = {}
                return None
            if "count" in plan:
                plan["count"] -= 1
                if plan["count"] <= 0:
                    self._plan = {}
            return dict(plan)


def create_standin_app(consumer_secret: str | None = None, bench_users: int = 0) -> Flask:
    """consumer_secret: the canvas app's, so the Lightning stand-in can sign requests as the org
    does (the environment's CANVAS_CONSUMER_SECRET when not given). bench_users: that many more
    Acme users for load runs (`bench_agents`), with the demo password."""
    app = Flask(__name__)
    register_lightning(app, consumer_secret or os.environ.get("CANVAS_CONSUMER_SECRET"))
    tokens = TokenStore()
    users = {agent.username: agent for agent in (*DEMO_AGENTS, *bench_agents(bench_users))}

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

    _data_api(app, tokens)
    return app


def _data_api(app: Flask, tokens: TokenStore) -> None:
    records, faults, calls = Records(), Faults(), Counter()
    seed(records)
    data = "/services/data/v<version>"

    @app.before_request
    def checked() -> tuple[Response, int] | None:
        if not request.path.startswith("/services/data/"):
            return None
        calls[f"{request.method} {_route_name(request.path)}"] += 1
        calls["total"] += 1
        fault = faults.take()
        if fault:
            if fault.get("delay"):
                time.sleep(float(fault["delay"]))
            if fault.get("status"):
                code = fault.get("errorCode", "SERVER_UNAVAILABLE")
                return jsonify([{"message": fault.get("message", code), "errorCode": code}]), int(
                    fault["status"]
                )
        if _bearer_agent(tokens) is None:
            body = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
            return jsonify(body), 401
        return None

    @app.errorhandler(SalesforceError)
    def refused(exc: SalesforceError) -> tuple[Response, int]:
        return jsonify(exc.body()), exc.status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response, int]:
        body = [
            {
                "message": exc.description,
                "errorCode": "NOT_FOUND" if exc.code == 404 else "INVALID_REQUEST",
            }
        ]
        return jsonify(body), exc.code or 500

    def user() -> str:
        agent = _bearer_agent(tokens)
        assert agent is not None  # checked before every data API call
        return agent.user_id

    def body_object() -> dict:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise SalesforceError(
                400, "JSON_PARSER_ERROR", "The request body must be a JSON object"
            )
        return body

    @app.post(f"{data}/sobjects/<sobject>")
    @app.post(f"{data}/sobjects/<sobject>/")
    def create(version: str, sobject: str) -> tuple[Response, int]:
        record_id = records.create(sobject, body_object(), user())
        return jsonify(id=record_id, success=True, errors=[]), 201

    @app.get(f"{data}/sobjects/<sobject>/<record_id>")
    def read(version: str, sobject: str, record_id: str) -> Response:
        return jsonify(records.get(sobject, record_id, user()))

    @app.patch(f"{data}/sobjects/<sobject>/<record_id>")
    def update(version: str, sobject: str, record_id: str) -> tuple[str, int]:
        records.update(sobject, record_id, body_object(), user())
        return "", 204

    @app.patch(f"{data}/sobjects/<sobject>/<field>/<path:value>")
    def upsert(version: str, sobject: str, field: str, value: str) -> tuple[Response, int]:
        record_id, created = records.upsert(sobject, field, value, body_object(), user())
        return jsonify(id=record_id, success=True, errors=[], created=created), (
            201 if created else 200
        )

    @app.patch(f"{data}/composite/sobjects/<sobject>/<field>")
    def upsert_collection(version: str, sobject: str, field: str) -> tuple[Response, int]:
        body = body_object()
        rows = body.get("records")
        if not isinstance(rows, list) or not rows:
            raise SalesforceError(400, "INVALID_FIELD", "records is required", ["records"])
        if len(rows) > MAX_COLLECTION:
            raise SalesforceError(
                400, "EXCEEDED_ID_LIMIT", f"record limit exceeded: at most {MAX_COLLECTION} records"
            )
        results, who = [], user()
        for row in rows:
            try:
                if (
                    not isinstance(row, dict)
                    or (row.get("attributes") or {}).get("type") != sobject
                ):
                    raise SalesforceError(400, "INVALID_TYPE", "each record needs attributes.type")
                value = row.get(field)
                if value in (None, ""):
                    raise SalesforceError(
                        400, "MISSING_ARGUMENT", f"{field} not specified", [field]
                    )
                record_id, created = records.upsert(sobject, field, str(value), row, who)
                results.append({"id": record_id, "success": True, "errors": [], "created": created})
            except SalesforceError as exc:
                if body.get("allOrNone"):
                    raise
                error = {"statusCode": exc.code, "message": exc.message, "fields": exc.fields}
                results.append({"success": False, "errors": [error]})
        return jsonify(results), 200

    @app.get(f"{data}/query")
    @app.get(f"{data}/query/")
    def query(version: str) -> Response:
        return jsonify(records.query(request.args.get("q", ""), user()))

    @app.get(f"{data}/search")
    @app.get(f"{data}/search/")
    def search(version: str) -> Response:
        return jsonify(records.search(request.args.get("q", ""), user()))

    # --- not Salesforce: the tests' and the demo's controls -------------------------------------

    @app.post("/sandbox/faults")
    def set_faults() -> Response:
        faults.set(request.get_json(silent=True) or {})
        return jsonify(ok=True)

    @app.get("/sandbox/calls")
    def get_calls() -> Response:
        return jsonify(dict(calls))

    @app.post("/sandbox/tokens/revoke-all")
    def expire_tokens() -> Response:
        return jsonify(revoked=tokens.revoke_all())

    @app.get("/sandbox/records/<sobject>")
    def list_records(sobject: str) -> Response:
        return jsonify(records.all(sobject))


def _route_name(path: str) -> str:
    """`/services/data/v62.0/sobjects/X/External_Id__c/1` -> `sobjects/X/External_Id__c`."""
    parts = path.split("/")[4:]
    if parts and parts[0] == "sobjects":
        return "/".join(parts[:3] if len(parts) > 3 else parts[:2])
    if parts and parts[0] == "composite":
        return "/".join(parts[:3])
    return parts[0] if parts else ""


def _bearer_agent(tokens: TokenStore) -> DemoAgent | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return tokens.agent(token.strip()) if scheme.lower() == "bearer" else None


def _oauth_error(code: str, description: str) -> Response:
    return jsonify(error=code, error_description=description)
