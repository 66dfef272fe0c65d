"""One typed settings object, read inside the app factory (never at import time).

Order: defaults, then the environment, then the mapping a caller (a test) passes in.
Anything wrong stops the start with the name of the variable at fault.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from limits import parse_many

from server.canvas.ids import InvalidSalesforceId, to_18
from server.canvas.signed_request import origin
from server.cxone.config import CxoneConfig

log = logging.getLogger(__name__)

LOCAL = "local"
PRODUCTION = "production"

# Salesforce origins that may frame the bridge page (CSP host wildcards match any depth).
SALESFORCE_FRAME_ANCESTORS = (
    "https://*.force.com",
    "https://*.salesforce.com",
    "https://*.visualforce.com",
)

DEV_SECRETS_FILE = "dev-secrets.json"


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    env: str
    instance_path: Path
    database_url: str
    canvas_consumer_secret: str
    session_signing_key: str
    token_encryption_key: str
    salesforce_org_ids: frozenset[str] = frozenset()
    verify_oauth_token: bool = True
    replay_window_seconds: int = 86_400
    canvas_max_body_bytes: int = 64 * 1024
    session_token_ttl_seconds: int = 900
    session_lifetime_seconds: int = 8 * 3600
    # A socket this many packets behind (a stalled client) is dropped; it reconnects with `since`.
    realtime_max_backlog: int = 500
    # How long a worker holds a Salesforce write it is sending; a killed worker's runs out.
    salesforce_outbox_lease_seconds: int = 60
    # Flask-Limiter strings: /canvas and /canvas/renew per client address, the API per session
    # token. A contact centre behind one NAT address opens many canvases at 9:00: keep it high.
    canvas_rate_limit: str = "300/minute;30/second"
    api_rate_limit: str = "600/minute;50/second"
    # Proxies in front of the app whose X-Forwarded-For is trusted (Heroku's router: 1).
    proxy_hops: int = 0
    frame_ancestors_extra: tuple[str, ...] = ()
    redis_url: str | None = None
    # None only in local mode when no CXone is configured (the run command always sets one).
    cxone: CxoneConfig | None = None
    # Routing queue kinds an admin states (CXone's queue list does not say which are outbound):
    # queue id -> "outbound-email" | "outbound-sms" | "omnichannel".
    queue_kinds: Mapping[str, str] = field(default_factory=dict)
    # Follow CXone's Event Hub from this process (off only for tests that drive events by hand).
    cxone_events: bool = True
    log_level: str = "INFO"
    # Where the local launcher points the demo agents' instance URL (the Salesforce stand-in).
    local_salesforce_url: str = "http://127.0.0.1:8102"
    dev_secrets_generated: bool = field(default=False, compare=False)

    @property
    def is_local(self) -> bool:
        return self.env == LOCAL

    @property
    def frame_ancestors(self) -> tuple[str, ...]:
        # Local mode: the launcher's own page and the Lightning stand-in frame the bridge.
        own = ("'self'", origin(self.local_salesforce_url)) if self.is_local else ()
        return own + SALESFORCE_FRAME_ANCESTORS + self.frame_ancestors_extra


def load_settings(
    overrides: Mapping[str, object] | None = None, *, instance_path: Path
) -> Settings:
    """Build the settings from the environment and `overrides` (keys are variable names).

    Raises:
        ConfigError: a variable is missing (outside local mode) or malformed.
    """
    source: dict[str, object] = dict(os.environ)
    source.update(overrides or {})

    env = str(source.get("DIGITAL_TAB_ENV") or PRODUCTION).strip().lower()
    if env not in (LOCAL, PRODUCTION):
        raise ConfigError(f"DIGITAL_TAB_ENV must be '{LOCAL}' or '{PRODUCTION}', not {env!r}")
    local = env == LOCAL
    instance_path = Path(str(source.get("INSTANCE_PATH") or instance_path))

    secrets_, generated = _secrets(source, local, instance_path)
    cxone = _cxone(source, local)
    return Settings(
        env=env,
        instance_path=instance_path,
        database_url=normalise_database_url(
            str(source.get("DATABASE_URL") or f"sqlite:///{instance_path / 'digital_tab.db'}")
        ),
        salesforce_org_ids=_org_ids(source.get("SALESFORCE_ORG_IDS")),
        verify_oauth_token=_bool(source, "CANVAS_VERIFY_OAUTH_TOKEN", default=not local),
        replay_window_seconds=_int(source, "CANVAS_REPLAY_WINDOW_SECONDS", 86_400, minimum=60),
        canvas_max_body_bytes=_int(source, "CANVAS_MAX_BODY_BYTES", 64 * 1024, minimum=4096),
        session_token_ttl_seconds=_int(source, "SESSION_TOKEN_TTL_SECONDS", 900, minimum=30),
        session_lifetime_seconds=_int(source, "SESSION_LIFETIME_SECONDS", 8 * 3600, minimum=60),
        realtime_max_backlog=_int(source, "REALTIME_MAX_BACKLOG", 500, minimum=10),
        salesforce_outbox_lease_seconds=_int(
            source, "SALESFORCE_OUTBOX_LEASE_SECONDS", 60, minimum=2
        ),
        canvas_rate_limit=_rate_limit(source, "CANVAS_RATE_LIMIT", "300/minute;30/second"),
        api_rate_limit=_rate_limit(source, "API_RATE_LIMIT", "600/minute;50/second"),
        proxy_hops=_int(source, "PROXY_HOPS", 0, minimum=0),
        frame_ancestors_extra=_frame_ancestors(source.get("FRAME_ANCESTORS_EXTRA")),
        redis_url=str(source["REDIS_URL"]) if source.get("REDIS_URL") else None,
        log_level=str(source.get("LOG_LEVEL") or "INFO").upper(),
        local_salesforce_url=str(source.get("LOCAL_SALESFORCE_URL") or "http://127.0.0.1:8102"),
        dev_secrets_generated=generated,
        cxone=cxone,
        cxone_events=_bool(source, "CXONE_EVENTS", default=True),
        queue_kinds=_queue_kinds(source),
        **secrets_,
    )


SECRET_VARIABLES = {
    "CANVAS_CONSUMER_SECRET": "canvas_consumer_secret",
    "SESSION_SIGNING_KEY": "session_signing_key",
    "TOKEN_ENCRYPTION_KEY": "token_encryption_key",
}


def _secrets(
    source: Mapping[str, object], local: bool, instance_path: Path
) -> tuple[dict[str, str], bool]:
    values = {attr: str(source.get(var) or "") for var, attr in SECRET_VARIABLES.items()}
    missing = [var for var, attr in SECRET_VARIABLES.items() if not values[attr]]
    if not missing:
        for var, attr in SECRET_VARIABLES.items():
            if attr != "canvas_consumer_secret" and len(values[attr]) < 32:
                raise ConfigError(f"{var} must be at least 32 characters of random text")
        return values, False
    if not local:
        raise ConfigError(
            f"{missing[0]} is not set: production needs "
            + ", ".join(SECRET_VARIABLES)
            + " from the environment (set DIGITAL_TAB_ENV=local for development secrets)"
        )
    dev = _development_secrets(instance_path)
    for var, attr in SECRET_VARIABLES.items():
        values[attr] = values[attr] or dev[var]
    return values, True


CXONE_CREDENTIALS = (
    "CXONE_ACCESS_KEY_ID",
    "CXONE_ACCESS_KEY_SECRET",
    "CXONE_CLIENT_ID",
    "CXONE_CLIENT_SECRET",
)


def _cxone(source: Mapping[str, object], local: bool) -> CxoneConfig | None:
    """CXone is one set of variables: the access key, the app's client, and (optionally) URLs.

    The local run command sets them to the CXone sandbox; production needs a real tenant's.
    """
    values = {name: str(source.get(name) or "") for name in CXONE_CREDENTIALS}
    missing = [name for name, value in values.items() if not value]
    if missing:
        if local and len(missing) == len(CXONE_CREDENTIALS):
            return None
        raise ConfigError(f"{missing[0]} is not set: CXone needs " + ", ".join(CXONE_CREDENTIALS))
    urls = {}
    for name, attr in (
        ("CXONE_AUTH_URL", "auth_url"),
        ("CXONE_DISCOVERY_URL", "discovery_url"),
        ("CXONE_API_URL", "api_url"),
    ):
        raw = str(source.get(name) or "").strip()
        if raw:
            if not raw.startswith("https://") and not (local or _is_loopback(raw)):
                raise ConfigError(f"{name} must be an https:// URL")
            urls[attr] = raw.rstrip("/")
    return CxoneConfig(
        access_key_id=values["CXONE_ACCESS_KEY_ID"],
        access_key_secret=values["CXONE_ACCESS_KEY_SECRET"],
        client_id=values["CXONE_CLIENT_ID"],
        client_secret=values["CXONE_CLIENT_SECRET"],
        **urls,
    )


QUEUE_KIND_VARIABLES = {
    "CXONE_OUTBOUND_EMAIL_QUEUES": "outbound-email",
    "CXONE_OUTBOUND_SMS_QUEUES": "outbound-sms",
    "CXONE_OMNICHANNEL_QUEUES": "omnichannel",
}


def _queue_kinds(source: Mapping[str, object]) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for name, kind in QUEUE_KIND_VARIABLES.items():
        for queue_id in str(source.get(name) or "").replace(" ", ",").split(","):
            queue_id = queue_id.strip()
            if queue_id in kinds:
                raise ConfigError(f"{name}: queue {queue_id} is listed under two kinds")
            if queue_id:
                kinds[queue_id] = kind
    return kinds


def _is_loopback(url: str) -> bool:
    """Plain http is acceptable only where traffic never leaves the machine."""
    host = urlsplit(url).hostname or ""
    return url.startswith("http://") and host in ("127.0.0.1", "localhost", "::1")


def _development_secrets(instance_path: Path) -> dict[str, str]:
    """Random secrets for local mode only, kept in the instance folder so restarts keep sessions."""
    path = instance_path / DEV_SECRETS_FILE
    if path.exists():
        stored = json.loads(path.read_text())
        if all(stored.get(var) for var in SECRET_VARIABLES):
            return stored
    instance_path.mkdir(parents=True, exist_ok=True)
    stored = {"WARNING": "DEVELOPMENT SECRETS for DIGITAL_TAB_ENV=local - never use in production"}
    stored.update({var: secrets.token_urlsafe(32) for var in SECRET_VARIABLES})
    path.write_text(json.dumps(stored, indent=2))
    path.chmod(0o600)
    return stored


def normalise_database_url(url: str) -> str:
    """Heroku writes postgres://; SQLAlchemy wants postgresql+psycopg://."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith(("sqlite:", "postgresql+psycopg:")):
        return url
    raise ConfigError("DATABASE_URL must be a postgres://, postgresql:// or sqlite:// URL")


def _org_ids(raw: object) -> frozenset[str]:
    if not raw:
        return frozenset()
    ids = set()
    for part in str(raw).split(","):
        if part.strip():
            try:
                ids.add(to_18(part.strip()))
            except InvalidSalesforceId as exc:
                raise ConfigError(f"SALESFORCE_ORG_IDS: {exc}") from None
    return frozenset(ids)


def _rate_limit(source: Mapping[str, object], name: str, default: str) -> str:
    raw = str(source.get(name) or default).strip()
    try:
        parse_many(raw)
    except ValueError:
        raise ConfigError(
            f"{name}: {raw!r} is not a rate limit such as '600/minute' or '600/minute;50/second'"
        ) from None
    return raw


def _frame_ancestors(raw: object) -> tuple[str, ...]:
    if not raw:
        return ()
    origins = tuple(part for part in str(raw).replace(",", " ").split() if part)
    for candidate in origins:
        if not candidate.startswith(("https://", "http://")) or any(c in candidate for c in ";'\""):
            raise ConfigError(f"FRAME_ANCESTORS_EXTRA: {candidate!r} is not an http(s) origin")
    return origins


def _bool(source: Mapping[str, object], name: str, *, default: bool) -> bool:
    raw = source.get(name)
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def _int(source: Mapping[str, object], name: str, default: int, *, minimum: int) -> int:
    raw = source.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}")
    return value
