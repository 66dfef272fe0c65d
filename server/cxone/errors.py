"""Typed CXone errors carrying CXone's status, errorCode and message."""

from __future__ import annotations


class CxoneError(Exception):
    def __init__(
        self, status: int | None, error_code: str, message: str, field: str | None = None
    ) -> None:
        super().__init__(f"CXone {status or 'network'} {error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.field = field


class CxoneAuthError(CxoneError):
    """Credentials refused (token endpoint 400/401, or 401 after a fresh token)."""


class CxoneNotFound(CxoneError):
    pass


class CxoneConflict(CxoneError):
    pass


class CxoneValidationError(CxoneError):
    """400 or 422: the request was wrong; `field` names what, when CXone says."""


class CxoneRateLimited(CxoneError):
    """429 still returned after the retries."""


class CxoneUnavailable(CxoneError):
    """5xx, timeouts or connection failures still failing after the retries."""


def error_for(status: int, body: object) -> CxoneError:
    """Map CXone's `{errors: [{message, errorCode, field}]}` (or OAuth's error) to a typed error."""
    code, message, field = "Unknown", f"HTTP {status}", None
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            code = str(first.get("errorCode") or code)
            message = str(first.get("message") or message)
            field = first.get("field") if isinstance(first.get("field"), str) else None
        elif isinstance(body.get("error"), str):
            code = body["error"]
            message = str(body.get("error_description") or message)
    kind: type[CxoneError] = CxoneError
    if status == 401 or status == 403:
        kind = CxoneAuthError
    elif status == 404:
        kind = CxoneNotFound
    elif status == 409:
        kind = CxoneConflict
    elif status in (400, 422):
        kind = CxoneValidationError
    elif status == 429:
        kind = CxoneRateLimited
    elif status >= 500:
        kind = CxoneUnavailable
    return kind(status, code, message, field)
