"""Rate limits: /canvas per client address, the API per session token, answered with the JSON
error shape and Retry-After; shared through Redis by every process when REDIS_URL is set."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from server.settings import ConfigError
from tests.conftest import USER_ID, bearer, bridge_boot

REDIS = "redis://127.0.0.1:6379/0"


def sign_in(client, signed_request, **fields) -> str:  # type: ignore[no-untyped-def]
    page = client.post("/canvas", data={"signed_request": signed_request(**fields)})
    assert page.status_code == 200
    return bridge_boot(page.get_data(as_text=True))["token"]


def test_canvas_is_limited_per_address_with_a_clear_error(make_app, signed_request):
    client = make_app(CANVAS_RATE_LIMIT="3/minute").test_client()
    answers = [client.post("/canvas", data={"signed_request": "x.y"}) for _ in range(4)]
    assert [a.status_code for a in answers] == [400, 400, 400, 429]
    refused = answers[-1]
    assert refused.json["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    # The limit is on signing in, not on the rest of the service.
    assert client.get("/healthz").status_code == 200
    assert client.get("/bridge/bridge.js").status_code == 200
    renew = client.post("/canvas/renew", json={"signed_request": signed_request()})
    assert renew.status_code == 429  # the same allowance: both take signed requests


def test_the_api_is_limited_per_session_and_one_agent_cannot_use_up_another(
    make_app, signed_request
):  # type: ignore[no-untyped-def]
    client = make_app(API_RATE_LIMIT="5/minute").test_client()
    ana = sign_in(client, signed_request)
    ben = sign_in(client, signed_request, user_id="005000000OTHERU")
    paths = ["/api/v1/session", "/api/v1/writes"] * 3  # one allowance for the whole API
    codes = [client.get(path, headers=bearer(ana)).status_code for path in paths]
    assert codes == [200] * 5 + [429]
    assert client.get("/api/v1/session", headers=bearer(ben)).status_code == 200
    # Garbage tokens have an allowance of their own; they do not eat into Ana's or Ben's.
    for _ in range(6):
        client.get("/api/v1/session", headers=bearer("not-a-token"))
    assert client.get("/api/v1/session", headers=bearer(ben)).status_code == 200


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(make_app):  # type: ignore[no-untyped-def]
    def refused_after(client, addresses) -> int:  # type: ignore[no-untyped-def]
        codes = [
            client.post(
                "/canvas", data={"signed_request": "x.y"}, headers={"X-Forwarded-For": a}
            ).status_code
            for a in addresses
        ]
        return codes.count(429)

    spoofed = [f"203.0.113.{i}" for i in range(4)]
    # No proxy configured: X-Forwarded-For is the client's own claim and is ignored.
    assert refused_after(make_app(CANVAS_RATE_LIMIT="2/minute").test_client(), spoofed) == 2
    # Behind one proxy (Heroku's router), each client address has its own allowance.
    behind = make_app(CANVAS_RATE_LIMIT="2/minute", PROXY_HOPS="1").test_client()
    assert refused_after(behind, spoofed) == 0
    assert refused_after(behind, ["198.51.100.7"] * 3) == 1


def test_a_malformed_limit_names_the_variable(make_app):  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="API_RATE_LIMIT"):
        make_app(API_RATE_LIMIT="lots")


@pytest.mark.redis
def test_processes_sharing_redis_share_the_allowance(make_app, signed_request):  # type: ignore[no-untyped-def]
    try:
        redis.Redis.from_url(REDIS, socket_timeout=2).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail("Redis at 127.0.0.1:6379 is required under CI=true")
        pytest.skip("Redis not running at 127.0.0.1:6379")
    limit = "4/minute"
    # Two apps, as two processes would be: one database, one Redis.
    first = make_app(REDIS_URL=REDIS, API_RATE_LIMIT=limit, CXONE_EVENTS="false").test_client()
    second = make_app(REDIS_URL=REDIS, API_RATE_LIMIT=limit, CXONE_EVENTS="false").test_client()
    token = sign_in(first, signed_request, user_id=USER_ID[:-4] + uuid.uuid4().hex[:4].upper())
    codes = [
        (first if i % 2 else second).get("/api/v1/session", headers=bearer(token)).status_code
        for i in range(5)
    ]
    assert codes == [200, 200, 200, 200, 429]
