"""Agent sessions: tokens, expiry, renewal with a fresh signed request, revocation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from server.canvas import tokens
from server.canvas.sessions import SessionRefused
from server.models import AgentSession
from tests.conftest import SIGNING_KEY, bearer


def session_row(app) -> AgentSession:
    with app.extensions["digital_tab"].db.transaction() as db:
        return db.scalars(select(AgentSession)).one()


def set_session(app, **values) -> None:
    with app.extensions["digital_tab"].db.transaction() as db:
        row = db.scalars(select(AgentSession)).one()
        for key, value in values.items():
            setattr(row, key, value)


def token_for(
    session_id: str, *, expires_in: int, key: str = SIGNING_KEY, user_id: str = "x" * 18
) -> str:
    now = datetime.now(UTC)
    claims = tokens.TokenClaims(session_id, user_id, "y" * 18, now + timedelta(seconds=expires_in))
    return tokens.issue(key, claims, now)


def test_token_carries_audience_issuer_expiry_and_session(app, sign_in):
    token = sign_in()
    claims = tokens.decode(SIGNING_KEY, token)
    row = session_row(app)
    assert claims.session_id == row.id
    assert claims.user_id == row.user_id
    assert timedelta(seconds=800) < claims.expires_at - datetime.now(UTC) <= timedelta(seconds=900)


def test_session_stores_identity_and_encrypts_the_oauth_token(app, sign_in):
    sign_in(oauth_token="00D000000TESTOR!the-real-oauth-token")
    row = session_row(app)
    assert row.instance_url == "https://acme.my.salesforce.com"
    assert b"the-real-oauth-token" not in row.oauth_token_encrypted
    sessions = app.extensions["digital_tab"].sessions
    assert sessions.oauth_token(row.id) == (
        "https://acme.my.salesforce.com",
        "00D000000TESTOR!the-real-oauth-token",
    )


def test_calls_without_a_valid_token_are_refused(app, client, sign_in):
    token = sign_in()
    assert client.get("/api/v1/session").json["error"]["code"] == "missing_token"
    assert client.get("/api/v1/session", headers={"Authorization": token}).status_code == 401
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert (
        client.get("/api/v1/session", headers=bearer(tampered)).json["error"]["code"]
        == "invalid_token"
    )
    forged = token_for(session_row(app).id, expires_in=600, key="k" * 40)
    assert client.get("/api/v1/session", headers=bearer(forged)).status_code == 401
    other_audience = tokens.jwt.encode(
        {
            "aud": "someone-else",
            "iss": tokens.ISSUER,
            "sub": "u",
            "sid": session_row(app).id,
            "exp": int(datetime.now(UTC).timestamp()) + 600,
        },
        SIGNING_KEY,
    )
    assert client.get("/api/v1/session", headers=bearer(other_audience)).status_code == 401


def test_expired_token_is_refused(app, client, sign_in):
    sign_in()
    expired = token_for(session_row(app).id, expires_in=-5)
    response = client.get("/api/v1/session", headers=bearer(expired))
    assert response.status_code == 401
    assert response.json["error"]["code"] == "token_expired"


def test_expired_session_is_refused_everywhere(app, client, sign_in, signed_request):
    token = sign_in()
    set_session(app, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert (
        client.get("/api/v1/session", headers=bearer(token)).json["error"]["code"]
        == "session_expired"
    )
    renewal = client.post(
        "/canvas/renew",
        json={"signed_request": signed_request(full_name="Again")},
        headers=bearer(token),
    )
    assert renewal.status_code == 401
    assert renewal.json["error"]["code"] == "session_expired"


def test_revoked_session_is_refused_everywhere(app, client, sign_in, signed_request):
    token = sign_in()
    assert client.delete("/api/v1/session", headers=bearer(token)).status_code == 204
    assert (
        client.get("/api/v1/session", headers=bearer(token)).json["error"]["code"]
        == "session_revoked"
    )
    renewal = client.post(
        "/canvas/renew",
        json={"signed_request": signed_request(full_name="Again")},
        headers=bearer(token),
    )
    assert renewal.json["error"]["code"] == "session_revoked"


def test_revoke_agent_ends_all_their_sessions(app, client, sign_in):
    first, second = sign_in(full_name="One"), sign_in(full_name="Two")
    me = client.get("/api/v1/session", headers=bearer(first)).json
    revoked = app.extensions["digital_tab"].sessions.revoke_agent(me["org_id"], me["user_id"])
    assert revoked == 2
    for token in (first, second):
        assert client.get("/api/v1/session", headers=bearer(token)).status_code == 401


def test_renewal_extends_the_same_session(app, client, sign_in, signed_request):
    token = sign_in()
    set_session(app, expires_at=datetime.now(UTC) + timedelta(minutes=5))
    before = session_row(app)
    response = client.post(
        "/canvas/renew",
        json={"signed_request": signed_request(oauth_token="00D000000TESTOR!renewed-token")},
        headers=bearer(token),
    )
    assert response.status_code == 200, response.json
    renewed = response.json["token"]
    after = session_row(app)
    assert after.id == before.id
    assert after.expires_at > before.expires_at + timedelta(hours=7)
    assert tokens.decode(SIGNING_KEY, renewed).session_id == before.id
    assert client.get("/api/v1/session", headers=bearer(renewed)).status_code == 200
    assert app.extensions["digital_tab"].sessions.oauth_token(after.id)[1].endswith("renewed-token")


def test_renewal_accepts_an_expired_token_of_a_live_session(app, client, sign_in, signed_request):
    sign_in()
    expired = token_for(session_row(app).id, expires_in=-60)
    response = client.post(
        "/canvas/renew",
        data={"signed_request": signed_request(full_name="Renewed")},
        headers=bearer(expired),
    )
    assert response.status_code == 200


def test_renewal_for_another_user_is_refused(app, client, sign_in, signed_request):
    token = sign_in()
    response = client.post(
        "/canvas/renew",
        json={"signed_request": signed_request(user_id="005000000OTHERU")},
        headers=bearer(token),
    )
    assert response.status_code == 401
    assert response.json["error"]["code"] == "session_mismatch"


def test_renewal_needs_a_valid_signed_request_and_a_token(app, client, sign_in, signed_request):
    token = sign_in()
    bad = client.post(
        "/canvas/renew",
        json={"signed_request": signed_request(secret="nope")},
        headers=bearer(token),
    )
    assert bad.json["error"]["code"] == "invalid_signature"
    no_token = client.post("/canvas/renew", json={"signed_request": signed_request()})
    assert no_token.json["error"]["code"] == "missing_token"
    empty = client.post("/canvas/renew", json={}, headers=bearer(token))
    assert empty.json["error"]["code"] == "missing_signed_request"


def test_renewal_replay_is_refused(app, client, sign_in, signed_request):
    token = sign_in()
    fresh = signed_request(full_name="Fresh")
    assert (
        client.post(
            "/canvas/renew", json={"signed_request": fresh}, headers=bearer(token)
        ).status_code
        == 200
    )
    again = client.post("/canvas/renew", json={"signed_request": fresh}, headers=bearer(token))
    assert again.json["error"]["code"] == "replayed_signed_request"


def test_token_never_outlives_the_session(make_app, signed_request):
    app = make_app(SESSION_LIFETIME_SECONDS="120", SESSION_TOKEN_TTL_SECONDS="900")
    page = app.test_client().post("/canvas", data={"signed_request": signed_request()})
    from tests.conftest import bridge_boot

    claims = tokens.decode(SIGNING_KEY, bridge_boot(page.get_data(as_text=True))["token"])
    assert claims.expires_at <= session_row(app).expires_at
    assert claims.expires_at - datetime.now(UTC) < timedelta(seconds=121)


def test_many_sessions_are_checked_at_once_as_authenticate_would(app, client, sign_in):
    sessions = app.extensions["digital_tab"].sessions
    live, revoked, expired = sign_in(full_name="A"), sign_in(full_name="B"), sign_in(full_name="C")
    assert client.delete("/api/v1/session", headers=bearer(revoked)).status_code == 204
    session_of = {t: tokens.decode(SIGNING_KEY, t).session_id for t in (live, revoked, expired)}
    with app.extensions["digital_tab"].db.transaction() as db:
        db.get(AgentSession, session_of[expired]).expires_at = datetime.now(UTC)
    assert sessions.live_among([*session_of.values(), "no-such-session"]) == {session_of[live]}
    assert sessions.token_claims(live).session_id == session_of[live]
    for token in (
        token_for(session_of[live], expires_in=-5),
        token_for(session_of[live], expires_in=60, key="another-key" * 4),
    ):
        with pytest.raises(SessionRefused):
            sessions.token_claims(token)
