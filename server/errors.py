"""One error shape for everything: {"error": {"code", "message"}} with the right status."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from server.cxone.errors import (
    CxoneAuthError,
    CxoneConflict,
    CxoneError,
    CxoneNotFound,
    CxoneRateLimited,
    CxoneUnavailable,
    CxoneValidationError,
)

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the client should see; `code` is stable, `message` says what to do."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


def error_response(
    status: int, code: str, message: str, field: str | None = None
) -> tuple[Response, int]:
    error = {"code": code, "message": message}
    if field:
        error["field"] = field
    return jsonify(error=error), status


# CXone's failures as the agent sees them: what happened, and whether to try again.
_CXONE_STATUS = {
    CxoneNotFound: (404, "not_found_in_cxone", "CXone no longer has this; refresh the inbox."),
    CxoneConflict: (409, "cxone_conflict", "CXone refused this because the interaction changed."),
    CxoneValidationError: (422, "cxone_refused", "CXone refused this: {message}"),
    CxoneRateLimited: (503, "cxone_busy", "CXone is busy; try again in a moment."),
    CxoneUnavailable: (503, "cxone_unavailable", "CXone cannot be reached; try again in a moment."),
    CxoneAuthError: (
        502,
        "cxone_auth_failed",
        "The backend cannot sign in to CXone; tell an administrator.",
    ),
}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> tuple[Response, int]:
        return error_response(exc.status, exc.code, exc.message, exc.field)

    @app.errorhandler(CxoneError)
    def _cxone_error(exc: CxoneError) -> tuple[Response, int]:
        log.warning("CXone error %s %s", exc.status, exc.error_code)
        status, code, message = _CXONE_STATUS.get(
            type(exc), (502, "cxone_error", "CXone answered with an error.")
        )
        return error_response(status, code, message.format(message=exc.message))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> tuple[Response, int]:
        status = exc.code or 500
        code = (exc.name or "error").lower().replace(" ", "_")
        response, status = error_response(status, code, exc.description or exc.name)
        if status == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response, status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[Response, int]:
        # The trace goes to the log (with the request id); the client gets no internals.
        log.exception("unhandled error")
        return error_response(
            500, "internal_error", "Something went wrong on our side; quote the X-Request-Id."
        )
