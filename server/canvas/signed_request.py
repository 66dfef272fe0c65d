"""Verify a Salesforce Canvas signed request and turn it into a typed identity.

A signed request is `<base64 HMAC-SHA256 signature>.<base64 JSON envelope>`; the HMAC is taken
over the envelope exactly as it was sent (still encoded), keyed with the consumer secret.
`issuedAt` is ignored: real requests carry values that say nothing about freshness.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from server.canvas.ids import InvalidSalesforceId, to_18

ALGORITHM = "HMACSHA256"


class SignedRequestError(ValueError):
    """The signed request was refused; `code` is stable, the message says what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CanvasIdentity:
    """Who the signed request speaks for. Ids are always in their 18-character form."""

    user_id: str
    org_id: str
    username: str
    display_name: str
    email: str
    org_name: str
    instance_url: str
    target_origin: str
    oauth_token: str
    signature_digest: str  # identifies this signed request for the one-time (replay) cache

    def __repr__(self) -> str:  # keep the OAuth token out of reprs, tracebacks and logs
        return f"CanvasIdentity(user_id={self.user_id!r}, org_id={self.org_id!r})"


def verify(
    signed_request: str, consumer_secret: str, *, allow_http: bool = False
) -> CanvasIdentity:
    """Check the signature, then decode and validate the envelope.

    Raises:
        SignedRequestError: anything about the request is wrong; nothing is trusted in that case.
    """
    if not signed_request or not signed_request.strip():
        raise SignedRequestError(
            "missing_signed_request", "The form field signed_request is empty."
        )
    if "." not in signed_request:
        raise SignedRequestError(
            "malformed_signed_request",
            "signed_request must be '<signature>.<envelope>'; is the canvas app set to "
            "'Signed Request' access?",
        )
    encoded_signature, encoded_envelope = signed_request.strip().split(".", 1)
    if not encoded_signature or not encoded_envelope:
        raise SignedRequestError(
            "malformed_signed_request", "signed_request has an empty signature or envelope."
        )
    signature = _b64decode(encoded_signature, "signature")
    expected = hmac.new(
        consumer_secret.encode(), encoded_envelope.encode("ascii", "replace"), hashlib.sha256
    ).digest()
    if not hmac.compare_digest(signature, expected):
        raise SignedRequestError(
            "invalid_signature",
            "The signature does not match. Check that CANVAS_CONSUMER_SECRET is the consumer "
            "secret of the app that sent this request.",
        )
    try:
        envelope = json.loads(_b64decode(encoded_envelope, "envelope"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SignedRequestError(
            "malformed_envelope", "The signed request's envelope is not JSON."
        ) from None
    if not isinstance(envelope, dict):
        raise SignedRequestError("malformed_envelope", "The envelope is not a JSON object.")
    algorithm = envelope.get("algorithm")
    if algorithm != ALGORITHM:
        raise SignedRequestError(
            "unsupported_algorithm", f"Algorithm {algorithm!r} is not accepted; only {ALGORITHM}."
        )
    return _identity(envelope, hashlib.sha256(signature).hexdigest(), allow_http)


def decode_envelope(signed_request: str) -> dict[str, Any]:
    """The envelope of a signed request that verify() accepted (it is not checked again)."""
    return dict(json.loads(_b64decode(signed_request.split(".", 1)[1], "envelope")))


def origin(url: str) -> str:
    """scheme://host[:port] of a URL (targetOrigin, instanceUrl)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def sign(envelope: dict[str, Any], consumer_secret: str) -> str:
    """Produce a signed request as Salesforce does (used by the local launcher and tests)."""
    encoded = base64.b64encode(json.dumps(envelope).encode()).decode()
    signature = hmac.new(consumer_secret.encode(), encoded.encode(), hashlib.sha256).digest()
    return base64.b64encode(signature).decode() + "." + encoded


def _b64decode(text: str, part: str) -> bytes:
    """Standard or URL-safe base64, with or without padding; anything else is refused."""
    normalised = text.replace("-", "+").replace("_", "/")
    normalised += "=" * (-len(normalised) % 4)
    try:
        return base64.b64decode(normalised, validate=True)
    except (binascii.Error, ValueError):
        raise SignedRequestError(
            "malformed_signed_request", f"The {part} of signed_request is not base64."
        ) from None


def _identity(envelope: dict[str, Any], digest: str, allow_http: bool) -> CanvasIdentity:
    client = _object(envelope, "client")
    context = _object(envelope, "context")
    user = _object(context, "user")
    organization = _object(context, "organization")
    try:
        user_id = to_18(_text(user, "userId"))
        org_id = to_18(_text(organization, "organizationId"))
        top_level_user = envelope.get("userId")
        if top_level_user is not None and to_18(str(top_level_user)) != user_id:
            raise SignedRequestError(
                "malformed_envelope", "userId and context.user.userId name different users."
            )
    except InvalidSalesforceId as exc:
        raise SignedRequestError("malformed_envelope", str(exc)) from None
    instance_url = _text(client, "instanceUrl").rstrip("/")
    parts = urlsplit(instance_url)
    # Plain http only in local mode or for a loopback host (the offline Salesforce stand-in):
    # a real org is always https.
    plain_ok = allow_http or _is_loopback(parts.hostname or "")
    allowed_schemes = ("https", "http") if plain_ok else ("https",)
    if parts.scheme not in allowed_schemes or not parts.hostname:
        raise SignedRequestError(
            "malformed_envelope", "client.instanceUrl must be an https URL of the Salesforce org."
        )
    full_name = str(user.get("fullName") or "").strip()
    display_name = (
        full_name or " ".join(str(user.get(key) or "") for key in ("firstName", "lastName")).strip()
    )
    return CanvasIdentity(
        user_id=user_id,
        org_id=org_id,
        username=str(user.get("userName") or ""),
        display_name=display_name or str(user.get("userName") or user_id),
        email=str(user.get("email") or ""),
        org_name=str(organization.get("name") or ""),
        instance_url=instance_url,
        target_origin=str(client.get("targetOrigin") or instance_url),
        oauth_token=_text(client, "oauthToken"),
        signature_digest=digest,
    )


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _object(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key)
    if not isinstance(value, dict):
        raise SignedRequestError("malformed_envelope", f"The envelope has no '{key}' object.")
    return value


def _text(parent: dict[str, Any], key: str) -> str:
    value = parent.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SignedRequestError("malformed_envelope", f"The envelope has no '{key}'.")
    return value.strip()
