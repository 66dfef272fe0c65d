"""Rate limits (Flask-Limiter): /canvas and /canvas/renew per client address, the API per
session token. Counted in Redis when REDIS_URL is set, so that every process shares them."""

from __future__ import annotations

import hashlib

from flask import Flask, Response, request
from flask_limiter import Limiter, RateLimitExceeded
from werkzeug.middleware.proxy_fix import ProxyFix

from server.errors import error_response
from server.settings import Settings

CANVAS_ENDPOINTS = ("canvas.canvas", "canvas.renew")


def client_address() -> str:
    return request.remote_addr or "unknown"


def session_key() -> str:
    """The bearer token's digest: one agent's session cannot use up another's allowance (an
    unverified claim could name anybody), and the token itself is never stored."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "token:" + hashlib.sha256(token.strip().encode()).hexdigest()[:32]
    return "address:" + client_address()


def init_rate_limits(app: Flask, settings: Settings) -> Limiter:
    """Call after the blueprints are registered: the limits attach to their views."""
    if settings.proxy_hops:
        # Behind Heroku's router the client is in X-Forwarded-For; never trust it otherwise.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops
        )
    limiter = Limiter(
        key_func=client_address,
        app=app,
        storage_uri=settings.redis_url or "memory://",
        strategy="fixed-window",
        headers_enabled=True,
        key_prefix="digital-tab",
        # Redis down: count in this process rather than refuse everyone or let errors out.
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    # Shared limits: one allowance across the endpoints of each group, not one per endpoint.
    canvas_limit = limiter.shared_limit(
        settings.canvas_rate_limit, scope="canvas", key_func=client_address
    )
    for endpoint in CANVAS_ENDPOINTS:
        app.view_functions[endpoint] = canvas_limit(app.view_functions[endpoint])
    api_limit = limiter.shared_limit(settings.api_rate_limit, scope="api", key_func=session_key)
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith("api."):
            app.view_functions[endpoint] = api_limit(view)

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded) -> tuple[Response, int]:
        return error_response(
            429, "rate_limited", f"Too many requests ({exc.description}); try again shortly."
        )

    return limiter
