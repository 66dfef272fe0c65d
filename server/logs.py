"""Logging to stdout, one line per record, each with the request id; credentials scrubbed."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import Iterable

from flask import Flask, Response, g, has_request_context, request

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Shapes of credentials that must never reach a log line, whoever logs them.
_CREDENTIAL_SHAPES = [
    re.compile(r"00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]+"),  # Salesforce session id / OAuth token
    re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"),  # JWT
    re.compile(r"(?i)\bbearer\s+\S+"),
    re.compile(r"[A-Za-z0-9+/_-]{42,44}=?\.[A-Za-z0-9+/_=-]{16,}"),  # Canvas signed request
]
REDACTED = "[redacted]"
FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


class ContextFilter(logging.Filter):
    """Adds the request id and scrubs credentials (known secrets and credential shapes)."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        message = record.getMessage()
        scrubbed = scrub(message, self.secrets)
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(
                logging.Formatter().formatException(record.exc_info), self.secrets
            )
            record.exc_info = None
        return True


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    for shape in _CREDENTIAL_SHAPES:
        text = shape.sub(REDACTED, text)
    return text


_filter = ContextFilter()


def configure_logging(level: str, secrets: Iterable[str]) -> None:
    """Idempotent: one stdout handler on the root logger carrying the filter."""
    _filter.secrets.update(s for s in secrets if s)
    root = logging.getLogger()
    root.setLevel(level)
    if not any(getattr(h, "_digital_tab", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler._digital_tab = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.addFilter(_filter)
        root.addHandler(handler)
    # urllib3 at DEBUG prints full URLs; keep it quiet unless asked for.
    logging.getLogger("urllib3").setLevel(max(logging.INFO, root.level))


def log_filter() -> ContextFilter:
    return _filter


def init_request_logging(app: Flask) -> None:
    log = logging.getLogger("server.access")

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "-")
        elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        # The path only: query strings are not ours to log.
        log.info("%s %s %s %.1fms", request.method, request.path, response.status_code, elapsed_ms)
        return response
