"""Who is asking: every API call carries the session token as a bearer token."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g, request

from server.canvas.sessions import AgentContext, SessionRefused
from server.errors import ApiError
from server.services import services

P = ParamSpec("P")
R = TypeVar("R")


def bearer_token() -> str:
    """Raises: ApiError 401 when the Authorization header carries no bearer token."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "missing_token", "Send the session token as 'Authorization: Bearer'.")
    return token.strip()


def require_agent(view: Callable[P, R]) -> Callable[P, R]:
    """Refuse the call (401) unless the token names a live session; sets `current_agent()`."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            g.agent = services().sessions.authenticate(bearer_token())
        except SessionRefused as exc:
            raise ApiError(401, exc.code, exc.message) from None
        return view(*args, **kwargs)

    return wrapper


def current_agent() -> AgentContext:
    return g.agent
