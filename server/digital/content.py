"""What may go in and out of a conversation: sanitised HTML, checked attachments, valid ids."""

from __future__ import annotations

import re
from dataclasses import dataclass

import nh3

from server.canvas.ids import InvalidSalesforceId, to_18
from server.errors import ApiError

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
MAX_TEXT = 20_000
E164 = re.compile(r"^\+[1-9]\d{7,14}$")
# Deliberately simple: one @, no spaces, a dot in the domain; CXone and the mail server do the rest.
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")

# Key prefixes of the Salesforce objects a Digital tab link may point at.
NAME_PREFIXES = {"001": "Account", "00Q": "Lead"}
CASE_PREFIX = "500"

# Content types we accept, and the leading bytes a file of that type starts with (None: text).
ALLOWED_TYPES: dict[str, tuple[bytes, ...] | None] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
    "application/zip": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
    "text/plain": None,
    "text/csv": None,
}

_ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i", "img",
    "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "u", "ul",
}  # fmt: skip


def sanitise_html(html: str) -> str:
    """Email bodies reach the browser only after this: no scripts, handlers, styles or forms."""
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={
            "a": {"href", "title"},
            "img": {"src", "alt", "width", "height"},
            "td": {"colspan", "rowspan"},
        },
        url_schemes={"http", "https", "mailto", "cid"},
        link_rel="noopener noreferrer nofollow",
    )


@dataclass(frozen=True)
class Upload:
    name: str
    content_type: str
    content: bytes


def check_attachment(name: str, content_type: str, content: bytes) -> Upload:
    """Raises: ApiError 413 over 10 MB; 400 for a type we refuse or content not of its type."""
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise ApiError(
            413, "attachment_too_large", f"{name} is over the 10 MB limit per file", "attachments"
        )
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared not in ALLOWED_TYPES:
        raise ApiError(
            400,
            "attachment_type_not_allowed",
            f"{name}: files of type {declared or 'unknown'} cannot be sent",
            "attachments",
        )
    signatures = ALLOWED_TYPES[declared]
    if signatures is None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(
                400, "attachment_content_mismatch", f"{name} is not {declared}", "attachments"
            ) from None
    elif not any(content.startswith(s) for s in signatures):
        raise ApiError(
            400, "attachment_content_mismatch", f"{name} does not contain {declared}", "attachments"
        )
    return Upload(safe_file_name(name), declared, content)


def safe_file_name(name: str) -> str:
    """ASCII letters, digits and a little punctuation: safe in a header and on any disk."""
    return re.sub(r"[^\w.\- ()]+", "_", name, flags=re.ASCII)[:120] or "attachment"


def salesforce_link(value: object, field: str, prefixes: dict[str, str]) -> tuple[str, str] | None:
    """None, or (object type, 18-character id). Raises: ApiError 400 naming the field."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ApiError(400, "invalid_field", f"{field} must be a Salesforce record id", field)
    try:
        record_id = to_18(value)
    except InvalidSalesforceId:
        raise ApiError(
            400, "invalid_field", f"{field} is not a Salesforce record id", field
        ) from None
    kind = prefixes.get(record_id[:3])
    if kind is None:
        wanted = " or ".join(prefixes.values())
        raise ApiError(400, "invalid_field", f"{field} must be the id of a {wanted}", field)
    return kind, record_id


def text_field(body: dict, field: str, *, required: bool, limit: int = MAX_TEXT) -> str:
    value = body.get(field)
    if value is None or value == "":
        if required:
            raise ApiError(400, "missing_field", f"{field} is required", field)
        return ""
    if not isinstance(value, str):
        raise ApiError(400, "invalid_field", f"{field} must be text", field)
    if len(value) > limit:
        raise ApiError(400, "invalid_field", f"{field} is longer than {limit} characters", field)
    return value
