"""POST /canvas over HTTP: accepted requests create exactly one session, refused ones none."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.canvas.ids import to_18
from server.models import Agent, AgentSession
from tests.conftest import ORG_ID, USER_ID, bearer, bridge_boot, sign_raw


def count(app, model) -> int:
    with app.extensions["digital_tab"].db.transaction() as db:
        return db.scalar(select(func.count()).select_from(model))


def test_real_vector_signs_in_and_serves_the_bridge_page(make_app, vector):
    app = make_app(CANVAS_CONSUMER_SECRET=vector["consumer_secret"])
    response = app.test_client().post("/canvas", data={"signed_request": vector["signed_request"]})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Test User" in html and "005R0000000DgJAIA0" in html
    boot = bridge_boot(html)
    assert boot["agent"] == {
        "user_id": "005R0000000DgJAIA0",
        "org_id": "00DR00000008bPCMAY",
        "display_name": "Test User",
        "org_name": "Sam's S1 Test Org",
    }
    me = app.test_client().get("/api/v1/session", headers=bearer(boot["token"]))
    assert me.json["user_id"] == "005R0000000DgJAIA0"
    assert count(app, AgentSession) == 1


def test_bridge_page_framing_and_no_cookies(app, client, signed_request):
    response = client.post("/canvas", data={"signed_request": signed_request()})
    csp = response.headers["Content-Security-Policy"]
    ancestors = csp.split("frame-ancestors", 1)[1]
    for origin in ("https://*.force.com", "https://*.salesforce.com", "https://*.visualforce.com"):
        assert origin in ancestors
    assert "'self'" not in ancestors  # production: only Salesforce frames the bridge page
    assert "127.0.0.1" not in ancestors  # nor the local Lightning stand-in
    assert "X-Frame-Options" not in response.headers
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert "localStorage" not in response.get_data(as_text=True)


def test_configured_extra_frame_ancestors_are_added(make_app, signed_request):
    app = make_app(FRAME_ANCESTORS_EXTRA="https://partner.example.com, https://cti.example.org")
    response = app.test_client().post("/canvas", data={"signed_request": signed_request()})
    ancestors = response.headers["Content-Security-Policy"].split("frame-ancestors", 1)[1]
    assert "https://partner.example.com" in ancestors and "https://cti.example.org" in ancestors


def test_15_and_18_character_ids_are_the_same_agent(app, sign_in):
    first = sign_in(user_id=USER_ID, org_id=ORG_ID)
    second = sign_in(user_id=to_18(USER_ID), org_id=to_18(ORG_ID))
    client = app.test_client()
    a = client.get("/api/v1/session", headers=bearer(first)).json
    b = client.get("/api/v1/session", headers=bearer(second)).json
    assert a["user_id"] == b["user_id"] == to_18(USER_ID)
    assert a["org_id"] == b["org_id"] == to_18(ORG_ID)
    assert count(app, Agent) == 1
    assert count(app, AgentSession) == 2


def _refused(app, client, data, status, code) -> None:
    before = (count(app, AgentSession), count(app, Agent))
    response = client.post("/canvas", data=data)
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    assert "Traceback" not in response.get_data(as_text=True)
    assert (count(app, AgentSession), count(app, Agent)) == before


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"secret": "wrong-secret"}, 401, "invalid_signature"),
        ({"algorithm": "HMACSHA1"}, 400, "unsupported_algorithm"),
        ({"instance_url": "javascript:alert(1)"}, 400, "malformed_envelope"),
    ],
)
def test_refused_requests_create_no_session(app, client, signed_request, fields, status, code):
    _refused(app, client, {"signed_request": signed_request(**fields)}, status, code)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({}, "missing_signed_request"),
        ({"signed_request": ""}, "missing_signed_request"),
        ({"signed_request": "abc"}, "malformed_signed_request"),
        ({"signed_request": "@@@.@@@"}, "malformed_signed_request"),
    ],
)
def test_missing_or_malformed_field(app, client, data, code):
    _refused(app, client, data, 400, code)


def test_tampered_envelope_is_refused(app, client, signed_request):
    signature = signed_request().split(".", 1)[0]
    other_body = signed_request(user_id="005000000OTHERU").split(".", 1)[1]
    _refused(app, client, {"signed_request": f"{signature}.{other_body}"}, 401, "invalid_signature")


def test_non_json_envelope_is_refused(app, client):
    _refused(app, client, {"signed_request": sign_raw(b"<xml/>")}, 400, "malformed_envelope")


def test_body_over_the_cap_is_refused_with_413(app, client, signed_request):
    huge = signed_request(full_name="x" * 200_000)
    _refused(app, client, {"signed_request": huge}, 413, "request_entity_too_large")


def test_org_outside_the_allow_list_is_refused(make_app, signed_request):
    app = make_app(SALESFORCE_ORG_IDS="00D000000ALLOWD, 00D000000ALSOOK")
    _refused(app, app.test_client(), {"signed_request": signed_request()}, 403, "org_not_allowed")


def test_allow_list_matches_15_and_18_character_forms(make_app, signed_request):
    app = make_app(SALESFORCE_ORG_IDS=f"00D000000ALLOWD,{ORG_ID}")  # 15-char entry
    ok = app.test_client().post(
        "/canvas", data={"signed_request": signed_request(org_id=to_18(ORG_ID))}
    )
    assert ok.status_code == 200


def test_replay_of_a_used_signed_request_is_refused(app, client, signed_request):
    signed = signed_request()
    assert client.post("/canvas", data={"signed_request": signed}).status_code == 200
    _refused(app, client, {"signed_request": signed}, 401, "replayed_signed_request")


def test_replay_window_expiry_frees_the_cache(make_app, signed_request):
    """Entries older than the window are purged, so the cache does not grow without bound."""
    from datetime import timedelta

    from server.models import UsedSignedRequest

    app = make_app(CANVAS_REPLAY_WINDOW_SECONDS="60")
    client = app.test_client()
    first = signed_request(full_name="First")
    assert client.post("/canvas", data={"signed_request": first}).status_code == 200
    with app.extensions["digital_tab"].db.transaction() as db:
        for row in db.scalars(select(UsedSignedRequest)):
            row.expires_at -= timedelta(seconds=120)
    assert client.post("/canvas", data={"signed_request": signed_request()}).status_code == 200
    assert count(app, UsedSignedRequest) == 1
