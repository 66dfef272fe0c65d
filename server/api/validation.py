"""Reading request input: JSON objects, multipart forms with attachments, query parameters."""

from __future__ import annotations

from typing import Any

from flask import request

from server.digital.content import MAX_ATTACHMENTS, Upload, check_attachment
from server.errors import ApiError


def json_object() -> dict[str, Any]:
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "Send a JSON object (Content-Type: application/json).")
    return body


def body_and_uploads() -> tuple[dict[str, Any], list[Upload]]:
    """JSON without attachments, or multipart/form-data with files in `attachments`."""
    if request.mimetype != "multipart/form-data":
        return json_object(), []
    body: dict[str, Any] = {key: request.form.get(key) for key in request.form}
    files = request.files.getlist("attachments")
    if len(files) > MAX_ATTACHMENTS:
        raise ApiError(
            400, "too_many_attachments", f"At most {MAX_ATTACHMENTS} attachments.", "attachments"
        )
    # Each file is checked (size, type) before anything is sent on to CXone.
    uploads = [check_attachment(f.filename or "attachment", f.mimetype, f.read()) for f in files]
    return body, uploads


def flag(body: dict[str, Any], field: str) -> bool:
    value = body.get(field, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", ""):
        return value.lower() in ("true", "1")
    raise ApiError(400, "invalid_field", f"{field} must be true or false", field)


def int_param(name: str, default: int, lowest: int, highest: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "invalid_field", f"{name} must be a whole number", name) from None
    if not lowest <= value <= highest:
        raise ApiError(400, "invalid_field", f"{name} must be between {lowest} and {highest}", name)
    return value


def refuse_nul_characters() -> None:
    """No text we keep or send on may hold NUL: PostgreSQL refuses it (a 500 the API fuzzing
    found), and so do CXone and Salesforce. Query, form and JSON alike; refused before any view."""
    texts = [*request.args.items(multi=True), *request.form.items(multi=True)]
    if request.is_json:
        texts.extend(_strings(request.get_json(silent=True), "body"))
    for field, value in texts:
        if "\x00" in value or "\x00" in field:
            raise ApiError(400, "invalid_field", f"{field} must not contain NUL characters", field)


def _strings(value: object, path: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [
            pair
            for key, item in value.items()
            for pair in [(str(key), str(key)), *_strings(item, str(key))]
        ]
    if isinstance(value, list):
        return [pair for item in value for pair in _strings(item, path)]
    return []
