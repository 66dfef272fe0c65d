"""One-time cache of signed requests: the same signed request is accepted once per window."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from server.canvas.signed_request import SignedRequestError
from server.db import Database, utcnow
from server.models import UsedSignedRequest


def consume(db: Database, digest: str, window_seconds: int) -> None:
    """Record the signed request as used; the database's primary key makes it atomic.

    Raises:
        SignedRequestError: the signed request was already used within the window.
    """
    now = utcnow()
    try:
        with db.transaction() as session:
            session.execute(delete(UsedSignedRequest).where(UsedSignedRequest.expires_at < now))
            session.add(
                UsedSignedRequest(digest=digest, expires_at=now + timedelta(seconds=window_seconds))
            )
    except IntegrityError:
        raise SignedRequestError(
            "replayed_signed_request",
            "This signed request was already used. Reload the Salesforce page to get a new one.",
        ) from None
