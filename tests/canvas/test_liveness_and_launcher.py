"""The OAuth token's liveness check against the Salesforce stand-in over HTTP, and the local
launcher that plays Salesforce end to end."""

from __future__ import annotations

import re
from html import unescape

import requests

from server.launcher.demo import DEMO_AGENTS
from tests.conftest import bearer, bridge_boot, free_port, standin_token

ANA = DEMO_AGENTS[0]


def local_app(make_app, standin_url: str, **extra):
    return make_app(
        DIGITAL_TAB_ENV="local",
        LOCAL_SALESFORCE_URL=standin_url,
        CANVAS_VERIFY_OAUTH_TOKEN="true",
        **extra,
    )


def ana_request(signed_request, standin_url: str, token: str) -> str:
    return signed_request(
        user_id=ANA.user_id, org_id=ANA.org_id, oauth_token=token, instance_url=standin_url
    )


def test_live_token_is_accepted(make_app, salesforce_standin, signed_request):
    app = local_app(make_app, salesforce_standin)
    signed = ana_request(signed_request, salesforce_standin, standin_token(salesforce_standin))
    assert app.test_client().post("/canvas", data={"signed_request": signed}).status_code == 200


def test_revoked_token_is_refused_and_no_session_is_made(
    make_app, salesforce_standin, signed_request
):
    app = local_app(make_app, salesforce_standin)
    token = standin_token(salesforce_standin)
    requests.post(salesforce_standin + "/services/oauth2/revoke", data={"token": token}, timeout=5)
    response = app.test_client().post(
        "/canvas", data={"signed_request": ana_request(signed_request, salesforce_standin, token)}
    )
    assert response.status_code == 401
    assert response.json["error"]["code"] == "oauth_token_not_live"


def test_token_of_another_user_is_refused(make_app, salesforce_standin, signed_request):
    app = local_app(make_app, salesforce_standin)
    bens_token = standin_token(salesforce_standin, "ben.okafor@acme.example")
    response = app.test_client().post(
        "/canvas",
        data={"signed_request": ana_request(signed_request, salesforce_standin, bens_token)},
    )
    assert response.status_code == 401
    assert response.json["error"]["code"] == "oauth_token_mismatch"


def test_unreachable_org_is_a_502_not_a_session(make_app, salesforce_standin, signed_request):
    app = local_app(make_app, salesforce_standin)
    nowhere = f"http://127.0.0.1:{free_port()}"
    response = app.test_client().post(
        "/canvas", data={"signed_request": ana_request(signed_request, nowhere, "00D!x")}
    )
    assert response.status_code == 502
    assert response.json["error"]["code"] == "salesforce_unreachable"


def test_renewal_checks_liveness_too(make_app, salesforce_standin, signed_request):
    app = local_app(make_app, salesforce_standin)
    client = app.test_client()
    live = standin_token(salesforce_standin)
    page = client.post(
        "/canvas", data={"signed_request": ana_request(signed_request, salesforce_standin, live)}
    )
    token = bridge_boot(page.get_data(as_text=True))["token"]
    dead = standin_token(salesforce_standin)
    requests.post(salesforce_standin + "/services/oauth2/revoke", data={"token": dead}, timeout=5)
    renewal = client.post(
        "/canvas/renew",
        json={"signed_request": ana_request(signed_request, salesforce_standin, dead)},
        headers=bearer(token),
    )
    assert renewal.json["error"]["code"] == "oauth_token_not_live"


def test_launcher_opens_the_canvas_as_salesforce_would(make_app, salesforce_standin):
    app = local_app(make_app, salesforce_standin)
    client = app.test_client()
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for agent in DEMO_AGENTS:
        assert agent.full_name in html
    opened = client.post("/launcher/open", data={"agent": "chloe"})
    assert opened.status_code == 200
    canvas_html = opened.get_data(as_text=True)
    assert 'action="/canvas"' in canvas_html and 'target="canvas"' in canvas_html
    signed = unescape(re.search(r'name="signed_request" value="([^"]+)"', canvas_html).group(1))
    # The browser now POSTs the form into the frame, exactly as Salesforce's page does.
    bridge = client.post("/canvas", data={"signed_request": signed})
    assert bridge.status_code == 200
    boot = bridge_boot(bridge.get_data(as_text=True))
    assert boot["agent"]["display_name"] == "Chloé Martin"
    assert "'self'" in bridge.headers["Content-Security-Policy"].split("frame-ancestors")[1]
    me = client.get("/api/v1/session", headers=bearer(boot["token"])).json
    assert me["instance_url"] == salesforce_standin


def test_launcher_refuses_an_unknown_agent(make_app, salesforce_standin):
    app = local_app(make_app, salesforce_standin)
    response = app.test_client().post("/launcher/open", data={"agent": "mallory"})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_agent"


def test_launcher_says_when_the_standin_is_not_running(make_app):
    app = local_app(make_app, f"http://127.0.0.1:{free_port()}")
    response = app.test_client().post("/launcher/open", data={"agent": "ana"})
    assert response.status_code == 502
    assert "scripts/run" in response.json["error"]["message"]


def test_launcher_does_not_exist_outside_local_mode(app):
    client = app.test_client()
    assert client.get("/").status_code == 404
    assert client.post("/launcher/open", data={"agent": "ana"}).status_code == 404
