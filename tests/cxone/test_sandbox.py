"""The sandbox itself: errors and the customer's side, held to the CXone specification."""

from __future__ import annotations

import json
import subprocess
import sys

import requests

from tests.conftest import ROOT, SpecCheckedSession, cxone_config


def authorised(sandbox) -> tuple[SpecCheckedSession, dict[str, str]]:
    from server.cxone.client import CxoneClient

    session = SpecCheckedSession()
    token = CxoneClient(cxone_config(sandbox.url), http=session).tokens.token()
    return session, {"Authorization": f"Bearer {token}"}


def test_error_answers_follow_the_spec(cxone_sandbox):
    session, auth = authorised(cxone_sandbox)
    api = cxone_sandbox.url + "/dfo/3.0"
    before = session.checked
    no_token = session.get(api + "/contacts")
    assert (
        no_token.status_code == 401 and no_token.json()["errors"][0]["errorCode"] == "Unauthorized"
    )
    missing = session.get(api + "/contacts/424242", headers=auth)
    assert missing.status_code == 404
    bad_status = session.put(api + "/contacts/1/status", json={"status": "asleep"}, headers=auth)
    assert bad_status.status_code == 400 and bad_status.json()["errors"][0]["field"] == "status"
    bad_sort = session.get(api + "/contacts", params={"sorting": "nope"}, headers=auth)
    assert bad_sort.status_code == 400
    bad_body = session.put(api + "/contacts/1/routing-queue", data="nope", headers=auth)
    assert bad_body.status_code == 400
    assert session.checked - before == 5  # every error answer was validated


def test_auth_errors_follow_the_spec(cxone_sandbox):
    session = SpecCheckedSession()
    wrong = session.post(
        cxone_sandbox.url + "/auth/token",
        data={"grant_type": "password", "username": "x", "password": "y"},
        auth=("sandbox-client", "sandbox-client-secret"),
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert wrong.headers["Cache-Control"] == "no-store"
    unknown_tenant = session.get(
        cxone_sandbox.url + "/.well-known/cxone-configuration",
        params={"tenantId": "00000000-0000-4000-8000-000000000000"},
    )
    assert unknown_tenant.status_code == 404


def test_customer_writes_through_the_real_inbound_endpoint(cxone_sandbox):
    session, auth = authorised(cxone_sandbox)
    answer = session.post(
        cxone_sandbox.url + "/dfo/3.0/channels/fb_acme_page/messages",
        json={
            "idOnExternalPlatform": "m-1",
            "direction": "inbound",
            "createdAtWithMilliseconds": "2026-11-25T10:00:00.000+00:00",
            "thread": {"idOnExternalPlatform": "fb-thread-1"},
            "messageContent": {"type": "TEXT", "payload": {"text": "Do you ship to Canada? 🇨🇦"}},
            "authorEndUserIdentity": {
                "idOnExternalPlatform": "6523498712340001",
                "firstName": "Zoe",
            },
        },
        headers=auth,
    )
    assert answer.status_code == 201
    contact = answer.json()["consumerContact"]
    assert contact["status"] == "new" and contact["channelId"] == "fb_acme_page"
    assert (
        answer.json()["message"]["messageContent"]["payload"]["text"] == "Do you ship to Canada? 🇨🇦"
    )


def test_customer_command_plays_a_customer(cxone_sandbox):
    def run(*args: str) -> dict:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "server.sandbox.cxone",
                "customer",
                "--url",
                cxone_sandbox.url,
                *args,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    created = run("--channel", "whatsapp", "--text", "Olá 👟")
    assert created["channel"] == "wa_acme" and created["status"] == "new"
    again = run("--contact", created["contact"], "--text", "any news?")
    assert again["contact"] == created["contact"]
    failed = subprocess.run(
        [
            sys.executable,
            "-m",
            "server.sandbox.cxone",
            "customer",
            "--url",
            cxone_sandbox.url,
            "--channel",
            "fax",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert failed.returncode == 1 and "ChannelNotFound" in failed.stderr


def test_seed_is_believable(cxone_sandbox):
    from server.cxone.client import CxoneClient

    client = CxoneClient(cxone_config(cxone_sandbox.url))
    contacts = list(client.iter_contacts())
    assert len(contacts) >= 40
    assert {c.status for c in contacts} >= {
        "new",
        "open",
        "pending",
        "escalated",
        "resolved",
        "closed",
    }
    kinds = {ch.id: ch.kind for ch in client.channels()}
    by_kind = {kinds[c.channel_id]: c.customer_digital_id for c in contacts}
    assert "@" in by_kind["email"]
    assert by_kind["sms"].startswith("+1") and by_kind["sms"][1:].isdigit()
    assert by_kind["twitter"].isdigit() and len(by_kind["twitter"]) == 19
    assert by_kind["facebook"].isdigit() and by_kind["whatsapp"].isdigit()
    queues = {q.kind for q in client.routing_queues()}
    assert queues == {"digital", "outbound-email", "outbound-sms", "omnichannel"}
    assert any(len(client.messages(c.id)) >= 2 for c in contacts[:10])


def test_the_played_customer_can_be_routed_to_a_given_queue(cxone_sandbox):
    from server.sandbox.cxone.seed import QUEUES

    billing = QUEUES["billing"][0]
    written = cxone_sandbox.customer_writes(
        channel="chat", text="Invoice?", routing_queue_id=billing
    )
    assert written["contact"]["routingQueueId"] == billing  # not the chat channel's own queue
    refused = requests.post(
        cxone_sandbox.url + "/sandbox/customer-messages",
        json={"channel": "chat", "routing_queue_id": "no-such-queue"},
        timeout=10,
    )
    assert refused.status_code == 404
    assert refused.json()["errors"][0]["errorCode"] == "RoutingQueueNotFound"
