"""The Lightning stand-in's part of the canvas handshake: the launcher POSTs a signed request to
it (another origin), it frames /canvas with it, answers refreshSignedRequest with a fresh one
signed as the org would, and serves the Canvas SDK the bridge page loads from the instance."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from server.canvas.signed_request import (
    SignedRequestError,
    decode_envelope,
    origin,
    sign,
    verify,
)
from server.launcher.demo import DEMO_AGENTS, DEMO_PASSWORD, bench_agents, canvas_envelope
from server.sandbox.salesforce import create_standin_app, lightning
from tests.conftest import CONSUMER_SECRET, bridge_boot

ANA = DEMO_AGENTS[0]


def local_app(make_app, standin_url: str):  # type: ignore[no-untyped-def]
    return make_app(DIGITAL_TAB_ENV="local", LOCAL_SALESFORCE_URL=standin_url)


def ana_signed(target_origin: str, canvas_url: str, secret: str = CONSUMER_SECRET) -> str:
    envelope = canvas_envelope(
        ANA,
        "00D!token",
        instance_url="http://127.0.0.1:8102",
        target_origin=target_origin,
        canvas_url=canvas_url,
    )
    return sign(envelope, secret)


@pytest.fixture
def standin(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """The stand-in app with a built page (the real build is the browser tests' business)."""
    (tmp_path / "main.js").write_text("// built")
    monkeypatch.setattr(lightning, "DIST", tmp_path)
    return create_standin_app(consumer_secret=CONSUMER_SECRET).test_client()


def test_the_launcher_posts_a_signed_request_for_the_lightning_origin(make_app, salesforce_standin):
    app = local_app(make_app, salesforce_standin)
    page = app.test_client().post("/launcher/open", data={"agent": "ana", "view": "lightning"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    action = unescape(re.search(r'action="([^"]+)"', html).group(1))
    assert action == salesforce_standin + "/lightning/digital-tab"
    assert (
        f"form-action 'self' {origin(salesforce_standin)}"
        in page.headers["Content-Security-Policy"]
    )
    signed = unescape(re.search(r'name="signed_request" value="([^"]+)"', html).group(1))
    identity = verify(signed, CONSUMER_SECRET, allow_http=True)
    # The canvas is framed by the Lightning page: that origin, not the backend's, is the parent.
    assert identity.target_origin == origin(salesforce_standin)
    envelope = decode_envelope(signed)
    assert envelope["context"]["application"]["canvasUrl"] == "http://localhost/canvas"


def test_local_mode_lets_the_lightning_standin_frame_the_bridge_and_loads_the_org_sdk(
    make_app, salesforce_standin
):  # type: ignore[no-untyped-def]
    app = local_app(make_app, salesforce_standin)
    client = app.test_client()
    page = client.post("/launcher/open", data={"agent": "ana", "view": "lightning"})
    signed = unescape(
        re.search(r'name="signed_request" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    )
    bridge = client.post("/canvas", data={"signed_request": signed})
    assert bridge.status_code == 200
    csp = bridge.headers["Content-Security-Policy"]
    assert origin(salesforce_standin) in csp.split("frame-ancestors", 1)[1]
    html = bridge.get_data(as_text=True)
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    sdk = f'<script src="{origin(salesforce_standin)}/canvas/sdk/js/66.0/canvas-all.js" nonce="{nonce}">'
    assert sdk in html
    assert bridge_boot(html)["parent_origin"] == origin(salesforce_standin)


def test_the_page_frames_the_canvas_url_of_a_request_it_signed(standin):
    signed = ana_signed("http://127.0.0.1:8102", "http://127.0.0.1:8000/canvas")
    page = standin.post("/lightning/digital-tab", data={"signed_request": signed})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    boot = json.loads(re.search(r'id="lightning-boot">(.*?)</script>', html, re.S).group(1))
    assert boot == {
        "signed_request": signed,
        "canvas_url": "http://127.0.0.1:8000/canvas",
        "refresh_url": "/lightning/refresh-signed-request",
    }
    assert "Ana Lima" in html and '<script type="module" src="/lightning/app/main.js">' in html
    assert page.headers["Cache-Control"] == "no-store"


def test_the_page_refuses_a_forged_request_and_says_what_is_missing(standin, tmp_path, monkeypatch):
    forged = ana_signed("http://127.0.0.1:8102", "http://evil.example/canvas", secret="not-ours")
    refused = standin.post("/lightning/digital-tab", data={"signed_request": forged})
    assert refused.status_code == 400
    assert refused.json["error"]["code"] == "invalid_signature"
    no_secret = create_standin_app(consumer_secret="").test_client()
    monkeypatch.delenv("CANVAS_CONSUMER_SECRET", raising=False)
    answer = no_secret.post("/lightning/digital-tab", data={"signed_request": forged})
    assert answer.status_code == 503 and "CANVAS_CONSUMER_SECRET" in answer.json["error"]["message"]
    monkeypatch.setattr(lightning, "DIST", tmp_path / "nothing-built")
    signed = ana_signed("http://127.0.0.1:8102", "http://127.0.0.1:8000/canvas")
    unbuilt = standin.post("/lightning/digital-tab", data={"signed_request": signed})
    assert (
        unbuilt.status_code == 503 and "npm run build:lightning" in unbuilt.json["error"]["message"]
    )


def test_refresh_signs_a_new_request_for_the_same_user_only_from_a_valid_one(standin):
    signed = ana_signed("http://127.0.0.1:8102", "http://127.0.0.1:8000/canvas")
    fresh = standin.post("/lightning/refresh-signed-request", json={"signed_request": signed})
    assert fresh.status_code == 200
    renewed = fresh.json["signed_request"]
    assert renewed != signed  # a new request (new issuedAt): the backend's replay cache allows it
    before, after = (verify(s, CONSUMER_SECRET, allow_http=True) for s in (signed, renewed))
    assert (after.user_id, after.org_id, after.target_origin) == (
        before.user_id,
        before.org_id,
        before.target_origin,
    )
    forged = ana_signed("http://127.0.0.1:8102", "http://127.0.0.1:8000/canvas", secret="x")
    refused = standin.post("/lightning/refresh-signed-request", json={"signed_request": forged})
    assert refused.status_code == 400
    for body in (None, {"signed_request": 7}, ["x"]):
        assert standin.post("/lightning/refresh-signed-request", json=body).status_code == 400
    with pytest.raises(SignedRequestError):
        verify(forged, CONSUMER_SECRET)


def test_the_canvas_sdk_is_served_where_an_org_serves_it(standin):
    sdk = standin.get("/canvas/sdk/js/66.0/canvas-all.js")
    assert sdk.status_code == 200
    assert sdk.mimetype == "text/javascript"
    assert b"refreshSignedRequest" in sdk.data


def test_load_runs_sign_in_generated_users_as_themselves():
    """--bench-users: the soak's agents write back to Salesforce as themselves."""
    client = create_standin_app(consumer_secret=CONSUMER_SECRET, bench_users=2).test_client()

    def token(username: str):  # type: ignore[no-untyped-def]
        form = {"grant_type": "password", "username": username, "password": DEMO_PASSWORD}
        return client.post("/services/oauth2/token", data=form)

    granted = token("agent0001@bench.example")
    assert granted.status_code == 200
    me = client.get(
        "/services/oauth2/userinfo",
        headers={"Authorization": f"Bearer {granted.json['access_token']}"},
    ).json
    assert me["user_id"] == bench_agents(2)[1].user_id and me["email"] == "agent0001@bench.example"
    assert token("agent0002@bench.example").status_code == 400  # only as many as asked for
