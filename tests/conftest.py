"""Shared fixtures: both databases, the app, an OpenAPI-checked client, signed requests, and the
Salesforce stand-in as a real process on a loopback port."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from sqlalchemy import create_engine, text

from server import create_app
from server.db import Base, upgrade

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_ADMIN = os.environ.get(
    "TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)

CONSUMER_SECRET = "test-consumer-secret-8271"
SIGNING_KEY = "test-signing-key-0123456789abcdef0123456789abcdef"
ENCRYPTION_KEY = "test-encryption-key-0123456789abcdef0123456789abcd"
ORG_ID = "00D000000TESTOR"  # 15 characters, as some Canvas fields carry them
USER_ID = "005000000TESTUS"

OUR_VARIABLES = (
    "DIGITAL_TAB_ENV",
    "DATABASE_URL",
    "REDIS_URL",
    "CANVAS_CONSUMER_SECRET",
    "SESSION_SIGNING_KEY",
    "TOKEN_ENCRYPTION_KEY",
    "SALESFORCE_ORG_IDS",
    "CANVAS_VERIFY_OAUTH_TOKEN",
    "CANVAS_REPLAY_WINDOW_SECONDS",
    "CANVAS_MAX_BODY_BYTES",
    "SESSION_TOKEN_TTL_SECONDS",
    "SESSION_LIFETIME_SECONDS",
    "FRAME_ANCESTORS_EXTRA",
    "CANVAS_RATE_LIMIT",
    "API_RATE_LIMIT",
    "PROXY_HOPS",
    "INSTANCE_PATH",
    "LOCAL_SALESFORCE_URL",
    "CXONE_ACCESS_KEY_ID",
    "CXONE_ACCESS_KEY_SECRET",
    "CXONE_CLIENT_ID",
    "CXONE_CLIENT_SECRET",
    "CXONE_AUTH_URL",
    "CXONE_DISCOVERY_URL",
    "CXONE_API_URL",
    "CXONE_EVENTS",
    "CXONE_OUTBOUND_EMAIL_QUEUES",
    "CXONE_OUTBOUND_SMS_QUEUES",
    "CXONE_OMNICHANNEL_QUEUES",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests configure the app through create_app(config) only."""
    for name in OUR_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def wait_until(condition: Callable[[], object], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- databases -------------------------------------------------------------------------------


def _postgres_database() -> Iterator[str]:
    name = f"digital_tab_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true and is not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def migrated_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database at the newest migration: a SQLite file, and a fresh PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        upgrade(url)
        yield url
    else:
        generator = _postgres_database()
        raw = next(generator)
        url = "postgresql+psycopg://" + raw.split("://", 1)[1]
        upgrade(url)
        yield url
        generator.close()


@pytest.fixture
def database_url(migrated_database: str) -> Iterator[str]:
    yield migrated_database
    engine = create_engine(migrated_database)
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # As a fresh database: sequences (the relay's event numbers) start again too.
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
    engine.dispose()


# --- the app ----------------------------------------------------------------------------------


UNREACHABLE_CXONE = "http://127.0.0.1:9"  # discard port: refused at once


def cxone_variables(url: str) -> dict[str, str]:
    """The CXONE_* variables for the sandbox (or a URL where no CXone answers)."""
    from server.sandbox.cxone.seed import sandbox_environment

    return sandbox_environment(url)


def production_config(database_url: str, **extra: object) -> dict[str, object]:
    config: dict[str, object] = {
        "DIGITAL_TAB_ENV": "production",
        "DATABASE_URL": database_url,
        "CANVAS_CONSUMER_SECRET": CONSUMER_SECRET,
        "SESSION_SIGNING_KEY": SIGNING_KEY,
        "TOKEN_ENCRYPTION_KEY": ENCRYPTION_KEY,
        "CANVAS_VERIFY_OAUTH_TOKEN": "false",
        **cxone_variables(UNREACHABLE_CXONE),
        "CXONE_EVENTS": "false",
    }
    config.update(extra)
    return config


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    apps = []

    def build(**extra: object):  # type: ignore[no-untyped-def]
        app = create_app(production_config(database_url, INSTANCE_PATH=str(tmp_path), **extra))
        apps.append(app)
        return app

    yield build
    for app in apps:
        services = app.extensions["digital_tab"]
        if services.events is not None:
            services.events.stop()
        services.db.dispose()


@pytest.fixture
def app(make_app):  # type: ignore[no-untyped-def]
    return make_app()


_SPEC = OpenAPI.from_file_path(str(ROOT / "server" / "api" / "openapi.yaml"))


class OpenAPICheckedClient:
    """Flask's test client, but every response is validated against our OpenAPI document."""

    def __init__(self, client) -> None:  # type: ignore[no-untyped-def]
        self._client = client

    def open(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        response = self._client.open(*args, **kwargs)
        request = response.request
        # The request body was consumed by the app; the response check needs method and path.
        _SPEC.validate_response(
            MockRequest("http://localhost", request.method.lower(), request.path),
            MockResponse(
                response.get_data(),
                status_code=response.status_code,
                content_type=response.mimetype or "application/json",
            ),
        )
        return response

    def get(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.open(*args, method="GET", **kwargs)

    def post(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.open(*args, method="POST", **kwargs)

    def delete(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.open(*args, method="DELETE", **kwargs)

    def put(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.open(*args, method="PUT", **kwargs)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return OpenAPICheckedClient(app.test_client())


# --- signed requests --------------------------------------------------------------------------


def envelope(
    *,
    user_id: str = USER_ID,
    org_id: str = ORG_ID,
    oauth_token: str = "00D000000TESTOR!fake.oauth.token.for.tests",
    instance_url: str = "https://acme.my.salesforce.com",
    algorithm: str = "HMACSHA256",
    full_name: str = "Tess Tester",
) -> dict[str, Any]:
    return {
        "algorithm": algorithm,
        "issuedAt": 1384819059,
        "userId": user_id,
        "client": {
            "oauthToken": oauth_token,
            "instanceId": "_:digital_tab:",
            "targetOrigin": instance_url,
            "instanceUrl": instance_url,
        },
        "context": {
            "user": {
                "userId": user_id,
                "userName": "tess@acme.example",
                "fullName": full_name,
                "email": "tess@acme.example",
            },
            "organization": {"organizationId": org_id, "name": "Acme"},
        },
    }


def sign_raw(payload: bytes, secret: str = CONSUMER_SECRET, *, urlsafe: bool = False) -> str:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    encoded = encode(payload).decode()
    digest = hmac.new(secret.encode(), encoded.encode(), hashlib.sha256).digest()
    return encode(digest).decode() + "." + encoded


@pytest.fixture
def signed_request() -> Callable[..., str]:
    """Factory: signed_request(secret=..., urlsafe=..., **envelope fields) -> str."""

    def make(*, secret: str = CONSUMER_SECRET, urlsafe: bool = False, **fields: Any) -> str:
        return sign_raw(json.dumps(envelope(**fields)).encode(), secret, urlsafe=urlsafe)

    return make


@pytest.fixture
def vector() -> dict[str, Any]:
    return json.loads((FIXTURES / "canvas" / "salesforce-signed-request-vector.json").read_text())


@pytest.fixture
def sign_in(client, signed_request):  # type: ignore[no-untyped-def]
    """Sign in through POST /canvas and return the token the bridge page holds."""

    def do(**fields: Any) -> str:
        response = client.post("/canvas", data={"signed_request": signed_request(**fields)})
        assert response.status_code == 200, response.get_data(as_text=True)
        return bridge_boot(response.get_data(as_text=True))["token"]

    return do


def bridge_boot(html: str) -> dict[str, Any]:
    start = html.index('id="bridge-boot">') + len('id="bridge-boot">')
    return json.loads(html[start : html.index("</script>", start)])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- real processes -------------------------------------------------------------------------


def wait_for_http(
    url: str, process: subprocess.Popen[bytes] | None = None, seconds: float = 30
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@contextlib.contextmanager
def standin_process() -> Iterator[str]:
    """The Salesforce stand-in as its own process on a free loopback port; yields its URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "server.sandbox.salesforce", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/services/oauth2/userinfo", process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def salesforce_standin() -> Iterator[str]:
    with standin_process() as url:
        yield url


def standin_token(standin_url: str, username: str = "ana.lima@acme.example") -> str:
    answer = requests.post(
        standin_url + "/services/oauth2/token",
        data={"grant_type": "password", "username": username, "password": "demo"},
        timeout=5,
    )
    answer.raise_for_status()
    return answer.json()["access_token"]


# --- the CXone sandbox ------------------------------------------------------------------------

CXONE_SPEC_PATH = FIXTURES / "cxone" / "cxone-digital-openapi.yaml"
CXONE_API_HOST = "https://api-na1.niceincontact.com"  # the spec's servers, to match paths
CXONE_AUTH_HOST = "https://cxone.niceincontact.com"


class CxoneSandbox:
    """A sandbox process on a free loopback port, with helpers for its /sandbox controls."""

    def __init__(self, tmp: Path, *, heartbeat: float = 30.0, token_ttl: int = 3600) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server.sandbox.cxone",
                "serve",
                "--port",
                str(self.port),
                "--db",
                str(tmp / "cxone.db"),
                "--heartbeat",
                str(heartbeat),
                "--token-ttl",
                str(token_ttl),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_http(self.url + "/dfo/3.0/tags", self.process)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def control(self, path: str, body: Any = None, method: str = "POST") -> requests.Response:
        response = requests.request(method, self.url + path, json=body, timeout=10)
        assert response.status_code < 300, response.text
        return response

    def fault(
        self,
        path_prefix: str,
        status: int,
        count: int = 1,
        retry_after: int | None = None,
        method: str | None = None,
    ) -> None:
        self.control(
            "/sandbox/faults",
            {
                "path_prefix": path_prefix,
                "status": status,
                "count": count,
                "retry_after": retry_after,
                "method": method,
            },
        )

    def customer_writes(self, **body: Any) -> dict[str, Any]:
        return self.control("/sandbox/customer-messages", body).json()


@pytest.fixture(scope="session")
def cxone_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CxoneSandbox]:
    """One sandbox for the session: tests create their own contacts and leave the seed alone."""
    sandbox = CxoneSandbox(tmp_path_factory.mktemp("cxone"), heartbeat=0.5)
    yield sandbox
    sandbox.stop()


@pytest.fixture
def fresh_cxone_sandbox(tmp_path: Path) -> Iterator[Callable[..., CxoneSandbox]]:
    """A sandbox of the test's own, for tests that change tokens, heartbeats or faults globally."""
    started: list[CxoneSandbox] = []

    def start(**options: Any) -> CxoneSandbox:
        folder = tmp_path / f"sandbox{len(started)}"
        folder.mkdir()
        sandbox = CxoneSandbox(folder, **options)
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        sandbox.stop()


_CXONE_SPEC: OpenAPI | None = None


def cxone_spec() -> OpenAPI:
    global _CXONE_SPEC
    if _CXONE_SPEC is None:
        _CXONE_SPEC = OpenAPI.from_file_path(str(CXONE_SPEC_PATH))
    return _CXONE_SPEC


class SpecCheckedSession(requests.Session):
    """Every sandbox response to a documented operation is validated against CXone's spec."""

    def __init__(self) -> None:
        super().__init__()
        self.checked = 0

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        response = super().request(method, url, *args, **kwargs)
        path = "/" + url.split("/", 3)[3].split("?", 1)[0] if url.count("/") >= 3 else "/"
        if path.startswith(("/event-hub", "/sandbox/")) or "X-Sandbox-Fault" in response.headers:
            return response  # beyond the published spec, on purpose
        host = CXONE_AUTH_HOST if path.startswith(("/auth/", "/.well-known/")) else CXONE_API_HOST
        cxone_spec().validate_response(
            MockRequest(host, method.lower(), path),
            MockResponse(
                response.content,
                status_code=response.status_code,
                content_type=response.headers.get("Content-Type", "application/json").split(";")[0],
                headers=response.headers,
            ),
        )
        self.checked += 1
        return response


def cxone_config(sandbox_url: str, **overrides: Any):  # type: ignore[no-untyped-def]
    from server.cxone.config import CxoneConfig
    from server.sandbox.cxone.seed import SANDBOX_CREDENTIALS

    values: dict[str, Any] = dict(
        SANDBOX_CREDENTIALS,
        auth_url=sandbox_url,
        discovery_url=sandbox_url,
        backoff_base_seconds=0.05,
        backoff_cap_seconds=0.2,
    )
    values.update(overrides)
    return CxoneConfig(**values)


@pytest.fixture
def cxone_client(cxone_sandbox):  # type: ignore[no-untyped-def]
    """The real connector, against the sandbox over HTTP, with every response spec-checked."""
    from server.cxone.client import CxoneClient

    return CxoneClient(cxone_config(cxone_sandbox.url), http=SpecCheckedSession())
