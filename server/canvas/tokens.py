"""The short-lived session token the bridge page holds in memory (a PyJWT HS256 token)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import jwt

ISSUER = "digital-tab"
AUDIENCE = "digital-tab-bridge"


class TokenError(ValueError):
    """The token is malformed, altered, for another audience, or expired."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TokenClaims:
    session_id: str
    user_id: str
    org_id: str
    expires_at: datetime


def issue(key: str, claims: TokenClaims, issued_at: datetime) -> str:
    payload = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": claims.user_id,
        "org": claims.org_id,
        "sid": claims.session_id,
        "iat": int(issued_at.timestamp()),
        "exp": int(claims.expires_at.timestamp()),
    }
    return jwt.encode(payload, key, algorithm="HS256")


def decode(key: str, token: str, *, allow_expired: bool = False) -> TokenClaims:
    """Check signature, issuer, audience and (unless allowed) expiry.

    Raises:
        TokenError: `token_expired` or `invalid_token`.
    """
    try:
        payload = jwt.decode(
            token,
            key,
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={
                "require": ["exp", "iss", "aud", "sub", "sid"],
                "verify_exp": not allow_expired,
            },
        )
    except jwt.ExpiredSignatureError:
        raise TokenError("token_expired", "The session token has expired; renew it.") from None
    except jwt.InvalidTokenError:
        raise TokenError("invalid_token", "The session token is not valid.") from None

    return TokenClaims(
        session_id=str(payload["sid"]),
        user_id=str(payload["sub"]),
        org_id=str(payload.get("org", "")),
        expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
    )
