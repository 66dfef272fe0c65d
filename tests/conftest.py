"""Shared fixtures: both databases, the app, an OpenAPI-checked client, signed requests, and the
Salesforce stand-in as a real process on a loopback port."""

from __future__ import annotations

import base64
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
    "INSTANCE_PATH",
    "LOCAL_SALESFORCE_URL",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests configure the app through create_app(config) only."""
    for name in OUR_VARIABLES:
        monkeypatch.delenv(name, raising=False)


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
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(text(f"DELETE FROM {table.name}"))
    engine.dispose()


# --- the app ----------------------------------------------------------------------------------


def production_config(database_url: str, **extra: object) -> dict[str, object]:
    config: dict[str, object] = {
        "DIGITAL_TAB_ENV": "production",
        "DATABASE_URL": database_url,
        "CANVAS_CONSUMER_SECRET": CONSUMER_SECRET,
        "SESSION_SIGNING_KEY": SIGNING_KEY,
        "TOKEN_ENCRYPTION_KEY": ENCRYPTION_KEY,
        "CANVAS_VERIFY_OAUTH_TOKEN": "false",
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
        app.extensions["digital_tab"].db.dispose()


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


@pytest.fixture(scope="session")
def salesforce_standin() -> Iterator[str]:
    """The Salesforce stand-in as its own process on a free loopback port."""
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


def standin_token(standin_url: str, username: str = "ana.lima@acme.example") -> str:
    answer = requests.post(
        standin_url + "/services/oauth2/token",
        data={"grant_type": "password", "username": username, "password": "demo"},
        timeout=5,
    )
    answer.raise_for_status()
    return answer.json()["access_token"]
