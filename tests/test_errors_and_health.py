"""One JSON error shape everywhere (404, 405, 413, 500) and the health endpoints."""

from __future__ import annotations

import dataclasses

import pytest

from tests.conftest import IN_CI, OpenAPICheckedClient, bearer, cxone_variables


def assert_error_shape(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert set(response.json) == {"error"}
    assert set(response.json["error"]) == {"code", "message"}
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]


def test_404_is_json(app):
    assert_error_shape(app.test_client().get("/api/v1/no-such-thing"), 404, "not_found")


def test_405_is_json_and_says_what_is_allowed(app):
    response = app.test_client().put("/canvas")
    assert_error_shape(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


def test_413_is_json(app, sign_in):
    token = sign_in()
    response = app.test_client().delete(
        "/api/v1/session", data=b"x" * (12 * 1024 * 1024), headers=bearer(token)
    )
    assert_error_shape(response, 413, "request_entity_too_large")


def test_500_is_json_without_internals(app):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals: /etc/passwd")

    response = app.test_client().get("/boom", headers={"X-Request-Id": "req-123"})
    assert response.status_code == 500
    assert response.json == {
        "error": {
            "code": "internal_error",
            "message": "Something went wrong on our side; quote the X-Request-Id.",
        }
    }
    assert response.headers["X-Request-Id"] == "req-123"


def test_request_id_is_generated_when_absent_or_unsafe(client):
    generated = client.get("/healthz").headers["X-Request-Id"]
    assert len(generated) == 32
    unsafe = client.get("/healthz", headers={"X-Request-Id": "bad id <script>"})
    assert unsafe.headers["X-Request-Id"] != "bad id <script>"


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_checks_the_database_and_cxone(make_app, cxone_sandbox):
    app = make_app(**cxone_variables(cxone_sandbox.url))
    response = OpenAPICheckedClient(app.test_client()).get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "cxone": "ok", "redis": "not_configured"}


def test_readyz_fails_when_cxone_is_unreachable(client):
    response = client.get("/readyz")  # the default test config points CXone at a closed port
    assert response.status_code == 503
    assert response.json["checks"]["cxone"] == "unreachable"
    assert response.json["error"]["message"] == "cxone unreachable"


def test_readyz_fails_when_the_database_is_unreachable(make_app, tmp_path):
    app = make_app()
    app.extensions["digital_tab"].db.engine.dispose()
    from server.db import Database

    broken = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")
    services = app.extensions["digital_tab"]
    app.extensions["digital_tab"] = dataclasses.replace(services, db=broken)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == "unreachable"
    assert response.json["error"]["code"] == "not_ready"


def test_readyz_fails_when_redis_is_unreachable(make_app):
    response = make_app(REDIS_URL="redis://127.0.0.1:1/0").test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["redis"] == "unreachable"


def test_readyz_with_the_real_redis_server(make_app, cxone_sandbox):
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping()
    except redis.RedisError:
        if IN_CI:
            pytest.fail("Redis at 127.0.0.1:6379 is required under CI=true")
        pytest.skip("Redis not running at 127.0.0.1:6379")
    app = make_app(REDIS_URL="redis://127.0.0.1:6379/0", **cxone_variables(cxone_sandbox.url))
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"]["redis"] == "ok"
