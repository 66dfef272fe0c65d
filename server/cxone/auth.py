"""Access-key authentication: a token from /auth/token, the tenant from the token, the API base
URL from discovery; refreshed before it expires."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import jwt
import requests

from server.cxone.config import CxoneConfig
from server.cxone.errors import CxoneAuthError, CxoneUnavailable, error_for


@dataclass(frozen=True)
class AccessToken:
    value: str
    expires_at: float  # time.monotonic() deadline
    tenant_id: str | None


class TokenProvider:
    def __init__(self, config: CxoneConfig, http: requests.Session) -> None:
        self._config = config
        self._http = http
        self._lock = threading.Lock()
        self._token: AccessToken | None = None
        self._refresh_token: str | None = None
        self._api_url: str | None = config.api_url.rstrip("/") if config.api_url else None
        self.tokens_issued = 0

    def token(self) -> str:
        with self._lock:
            margin = self._config.refresh_margin_seconds
            if self._token is None or time.monotonic() >= self._token.expires_at - margin:
                self._token = self._fetch()
            return self._token.value

    def invalidate(self, stale: str) -> None:
        """A call was refused with this token (expired early, revoked): fetch a new one next."""
        with self._lock:
            if self._token is not None and self._token.value == stale:
                self._token = None

    def api_url(self) -> str:
        if self._api_url is None:
            self.token()
            with self._lock:
                if self._api_url is None:
                    self._api_url = self._discover()
        return self._api_url

    def _fetch(self) -> AccessToken:
        """Raises: CxoneAuthError (credentials refused), CxoneUnavailable (auth host down)."""
        attempts = (
            [("refresh_token", {"refresh_token": self._refresh_token})]
            if self._refresh_token
            else []
        )
        attempts.append(
            (
                "password",
                {
                    "username": self._config.access_key_id,
                    "password": self._config.access_key_secret,
                },
            )
        )
        last: Exception | None = None
        for grant, fields in attempts:
            try:
                response = self._http.post(
                    self._config.auth_url.rstrip("/") + "/auth/token",
                    data={"grant_type": grant, **fields},
                    auth=(self._config.client_id, self._config.client_secret),
                    timeout=self._config.timeout_seconds,
                )
            except requests.RequestException as exc:
                raise CxoneUnavailable(
                    None, type(exc).__name__, "CXone authentication is unreachable"
                ) from None
            if response.status_code == 200:
                body = response.json()
                self._refresh_token = body.get("refresh_token")
                self.tokens_issued += 1
                return AccessToken(
                    value=body["access_token"],
                    expires_at=time.monotonic() + float(body.get("expires_in", 3600)),
                    tenant_id=_tenant(body),
                )
            last = error_for(response.status_code, _json(response))
            if response.status_code >= 500:
                raise CxoneUnavailable(
                    response.status_code, "AuthUnavailable", "CXone authentication failed"
                )
        assert last is not None
        raise CxoneAuthError(
            getattr(last, "status", 400),
            getattr(last, "error_code", "invalid_grant"),
            getattr(last, "message", "CXone refused the access key"),
        )

    def _discover(self) -> str:
        tenant = self._token.tenant_id if self._token else None
        if not tenant:
            raise CxoneAuthError(
                None, "NoTenant", "The CXone token names no tenant; set CXONE_API_URL"
            )
        try:
            response = self._http.get(
                self._config.discovery_url.rstrip("/") + "/.well-known/cxone-configuration",
                params={"tenantId": tenant},
                timeout=self._config.timeout_seconds,
            )
        except requests.RequestException:
            raise CxoneUnavailable(
                None, "DiscoveryUnreachable", "CXone discovery is unreachable"
            ) from None
        if response.status_code != 200:
            raise error_for(response.status_code, _json(response))
        return str(response.json()["api_endpoint"]).rstrip("/")


def _tenant(body: dict) -> str | None:
    """The tenant id is a claim of the id token (or the access token when it is a JWT)."""
    for name in ("id_token", "access_token"):
        try:
            claims = jwt.decode(body.get(name, ""), options={"verify_signature": False})
        except jwt.InvalidTokenError:
            continue
        tenant = claims.get("tenantId") or claims.get("tenant_id")
        if tenant:
            return str(tenant)
    return None


def _json(response: requests.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None
