"""GET /healthz (the process answers) and GET /readyz (what it depends on answers)."""

from __future__ import annotations

import logging

import redis
from flask import Blueprint, Response, jsonify

from server.services import services

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    checks = {"database": _check(lambda: services().db.ping())}
    cxone = services().cxone
    checks["cxone"] = _check(cxone.ping) if cxone else "not_configured"
    redis_url = services().settings.redis_url
    checks["redis"] = _check(lambda: _ping_redis(redis_url)) if redis_url else "not_configured"
    failing = [name for name, state in checks.items() if state == "unreachable"]
    if failing:
        message = ", ".join(failing) + " unreachable"
        return jsonify(error={"code": "not_ready", "message": message}, checks=checks), 503
    return jsonify(status="ready", checks=checks), 200


def _check(probe) -> str:  # type: ignore[no-untyped-def]
    try:
        probe()
    except Exception as exc:  # any failure means "not ready"; the reason goes to the log
        log.warning("readiness check failed: %s", type(exc).__name__)
        return "unreachable"
    return "ok"


def _ping_redis(url: str) -> None:
    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
