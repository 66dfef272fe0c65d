"""Write-back as the agent through the durable outbox, against the stand-in over HTTP."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select, update

from server.db import utcnow
from server.digital.models import Disposition
from server.launcher.demo import demo_agent
from server.salesforce.models import SalesforceWrite
from server.salesforce.outbox import enqueue
from tests.salesforce.conftest import salesforce_login

ANA = demo_agent("ana")


def outbox(tab):  # type: ignore[no-untyped-def]
    return tab.app.extensions["digital_tab"].outbox


def held_by(tab, headers, text="hello") -> str:  # type: ignore[no-untyped-def]
    contact_id = tab.customer(channel="chat", text=text)
    tab.projected(contact_id, status="new")
    opened = tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=headers)
    assert opened.status_code == 200, opened.json
    return contact_id


def seeded(standin, sobject: str, name_field: str, value: str) -> str:
    return next(r["Id"] for r in standin.records(sobject) if r.get(name_field) == value)


def save_disposition(services, agent, external_id: str, fields: dict) -> None:  # type: ignore[no-untyped-def]
    """A disposition write of one Digital Interaction record, queued as the agent's save does."""
    with services.db.transaction() as db:
        enqueue(
            db,
            org_id=agent.org_id,
            user_id=agent.user_id,
            sobject="Digital_Interaction__c",
            external_id=external_id,
            fields=fields,
            source="disposition",
        )


def writes(tab):  # type: ignore[no-untyped-def]
    with tab.app.extensions["digital_tab"].db.transaction() as db:
        return [(w.sobject, w.external_id, w.state) for w in db.scalars(select(SalesforceWrite))]


def test_an_ended_interaction_lands_once_as_the_agent_in_at_most_two_calls(tab, standin):
    headers = salesforce_login(tab, standin, "ana")
    contact_id = held_by(tab, headers)
    account = seeded(standin, "Account", "Name", "Globex Corporation")
    case = seeded(standin, "Case", "Subject", "Delivery arrived damaged")
    before = standin.calls()
    linked = tab.api.put(
        f"/api/v1/interactions/{contact_id}/contact",
        json={"name_id": account, "relates_to_id": case},
        headers=headers,
    )
    assert linked.status_code == 200, linked.json
    assert (
        tab.api.post(f"/api/v1/interactions/{contact_id}/end", headers=headers).status_code == 200
    )
    saved = tab.api.put(
        f"/api/v1/interactions/{contact_id}/disposition",
        json={"name_id": account, "relates_to_id": case, "notes": "Replacement sent."},
        headers=headers,
    )
    assert saved.json["writeback_status"] == "pending"
    assert outbox(tab).send_due() >= 1
    record = standin.record("Digital_Interaction__c", contact_id)
    assert record["Account__c"] == account and record["Case__c"] == case
    assert record["Disposition_Notes__c"] == "Replacement sent."
    assert record["Status__c"] == "resolved" and record["Channel__c"] == "chat"
    assert record["OwnerId"] == ANA.user_id and record["Agent__c"] == ANA.user_id
    calls = standin.calls() - before
    assert 1 <= calls <= 2, calls  # links and disposition coalesce while they wait
    with tab.app.extensions["digital_tab"].db.transaction() as db:
        assert db.scalars(select(Disposition.writeback_status)).all() == ["written"]
    assert outbox(tab).send_due() == 0 and standin.calls() - before == calls
    # Saving again is an upsert of the same record: still one record.
    tab.api.put(
        f"/api/v1/interactions/{contact_id}/disposition",
        json={"name_id": account, "relates_to_id": case, "notes": "Replacement sent twice."},
        headers=headers,
    )
    outbox(tab).send_due()
    assert standin.record("Digital_Interaction__c", contact_id)["Disposition_Notes__c"] == (
        "Replacement sent twice."
    )


def test_waiting_writes_go_together_and_private_notes_stay_private(tab, standin):
    headers = salesforce_login(tab, standin, "ana")
    contact_id = held_by(tab, headers)
    for n in range(5):
        noted = tab.api.post(
            f"/api/v1/interactions/{contact_id}/notes", json={"text": f"note {n}"}, headers=headers
        )
        assert noted.status_code == 201, noted.json
    before = standin.calls()
    assert outbox(tab).send_due() == 5
    assert standin.calls() - before == 1  # one sObject Collections call for the five
    mine = [r for r in standin.records("Contact_Note__c") if r["Case_Number__c"] == contact_id]
    assert sorted(r["Body__c"] for r in mine) == [f"note {n}" for n in range(5)]
    assert all(r["OwnerId"] == ANA.user_id for r in mine)
    soql = "SELECT Id, Body__c FROM Contact_Note__c"
    assert len(standin.query(standin.token("ana"), soql).json()["records"]) >= 5
    assert standin.query(standin.token("ben"), soql).json()["records"] == []


def test_an_expired_session_waits_for_the_renewed_token(tab, standin):
    headers = salesforce_login(tab, standin, "ana")
    contact_id = held_by(tab, headers)
    tab.api.post(f"/api/v1/interactions/{contact_id}/notes", json={"text": "x"}, headers=headers)
    standin.revoke_all_tokens()
    assert outbox(tab).send_due() == 0
    waiting = tab.api.get("/api/v1/writes", headers=headers).json["items"]
    assert [w["waiting_for_session"] for w in waiting] == [True]
    assert "renewed" in waiting[0]["last_error"]
    # No retry storm on a token Salesforce refused: nothing is sent until it changes.
    with tab.app.extensions["digital_tab"].db.transaction() as db:
        db.execute(update(SalesforceWrite).values(next_attempt_at=utcnow()))
    before = standin.calls()
    assert outbox(tab).send_due() == 0 and standin.calls() == before
    renewed = tab.api.post(
        "/canvas/renew",
        json={
            "signed_request": tab.signed_request(
                user_id=ANA.user_id,
                org_id=ANA.org_id,
                full_name=ANA.full_name + " (renewed)",
                oauth_token=standin.token("ana"),
                instance_url=standin.url,
            )
        },
        headers=headers,
    )
    assert renewed.status_code == 200, renewed.json
    with tab.app.extensions["digital_tab"].db.transaction() as db:
        db.execute(update(SalesforceWrite).values(next_attempt_at=utcnow()))
    assert outbox(tab).send_due() == 1
    assert tab.api.get("/api/v1/writes", headers=headers).json["items"] == []


def test_limits_and_outages_back_off_and_retry(tab, standin):
    headers = salesforce_login(tab, standin, "ana")
    contact_id = held_by(tab, headers)
    tab.api.post(f"/api/v1/interactions/{contact_id}/notes", json={"text": "y"}, headers=headers)
    for fault in (
        {"status": 403, "errorCode": "REQUEST_LIMIT_EXCEEDED", "count": 1},
        {"status": 503, "errorCode": "SERVER_UNAVAILABLE", "count": 1},
    ):
        standin.fault(**fault)
        assert outbox(tab).send_due() == 0
        (write,) = tab.api.get("/api/v1/writes", headers=headers).json["items"]
        assert write["state"] == "pending" and fault["errorCode"] in write["last_error"]
        assert write["next_attempt_at"] > utcnow().isoformat()  # backing off, not hammering
        assert outbox(tab).send_due() == 0  # not due yet
        with tab.app.extensions["digital_tab"].db.transaction() as db:
            db.execute(update(SalesforceWrite).values(next_attempt_at=utcnow()))
    assert outbox(tab).send_due() == 1
    assert tab.api.get("/api/v1/writes", headers=headers).json["items"] == []


def test_an_unreachable_salesforce_keeps_the_write(tab, standin):
    headers = salesforce_login(tab, standin, "ana")
    contact_id = held_by(tab, headers)
    tab.api.post(f"/api/v1/interactions/{contact_id}/notes", json={"text": "z"}, headers=headers)
    services = tab.app.extensions["digital_tab"]
    real = services.sessions.latest_oauth
    services.sessions.latest_oauth = lambda o, u: ("http://127.0.0.1:9", real(o, u)[1])
    try:
        assert services.outbox.send_due() == 0
    finally:
        services.sessions.latest_oauth = real
    (write,) = tab.api.get("/api/v1/writes", headers=headers).json["items"]
    assert write["state"] == "pending" and "unreachable" in write["last_error"]


def test_a_refused_write_is_shown_and_can_be_retried(tab, standin):
    headers = salesforce_login(tab, standin, "ana")
    contact_id = held_by(tab, headers)
    tab.api.post(f"/api/v1/interactions/{contact_id}/end", headers=headers)
    missing_case = "500000000000999AAA"  # well formed, but no such case in this org
    tab.api.put(
        f"/api/v1/interactions/{contact_id}/disposition",
        json={"relates_to_id": missing_case, "notes": "n"},
        headers=headers,
    )
    socketio = tab.app.extensions["digital_tab.socketio"]
    live = socketio.test_client(
        tab.app, namespace="/agents", auth={"token": headers["Authorization"].split(" ", 1)[1]}
    )
    live.get_received("/agents")
    assert outbox(tab).send_due() == 1
    told = [e["args"][0] for e in live.get_received("/agents") if e["name"] == "write.changed"]
    assert [(w["state"], w["record"]["external_id"]) for w in told] == [("failed", contact_id)]
    (write,) = tab.api.get("/api/v1/writes", headers=headers).json["items"]
    assert write["state"] == "failed" and "FIELD_INTEGRITY_EXCEPTION" in write["last_error"]
    with tab.app.extensions["digital_tab"].db.transaction() as db:
        assert db.scalars(select(Disposition.writeback_status)).all() == ["failed"]
    # Nobody else sees or retries it.
    other = salesforce_login(tab, standin, "ben")
    assert tab.api.get("/api/v1/writes", headers=other).json["items"] == []
    assert tab.api.post(f"/api/v1/writes/{write['id']}/retry", headers=other).status_code == 404
    retried = tab.api.post(f"/api/v1/writes/{write['id']}/retry", headers=headers)
    assert retried.json["items"][0]["state"] == "pending"
    assert ("Digital_Interaction__c", contact_id, "pending") in writes(tab)


def test_a_write_changed_while_being_sent_is_sent_again(tab, standin):
    """The worker claimed the note; a newer write of the same record merges in meanwhile: the
    older answer must not mark the newer fields written."""
    headers = salesforce_login(tab, standin, "ana")
    contact_id = held_by(tab, headers)
    account = seeded(standin, "Account", "Name", "Initech")
    box = outbox(tab)
    claimed = box._claim()
    assert claimed == []  # nothing waiting yet
    tab.api.put(
        f"/api/v1/interactions/{contact_id}/contact", json={"name_id": account}, headers=headers
    )
    claimed = box._claim()
    with tab.app.extensions["digital_tab"].db.transaction() as db:
        db.execute(
            update(SalesforceWrite).values(
                claimed_until=utcnow() - timedelta(seconds=1)  # as if its lease ran out
            )
        )
    lead = seeded(standin, "Lead", "Email", "maria.santos@example.net")
    tab.api.put(
        f"/api/v1/interactions/{contact_id}/contact", json={"name_id": lead}, headers=headers
    )
    box._send_group(ANA.org_id, ANA.user_id, "Digital_Interaction__c", claimed)
    assert ("Digital_Interaction__c", contact_id, "pending") in writes(tab)
    box.send_due()
    record = standin.record("Digital_Interaction__c", contact_id)
    assert record["Lead__c"] == lead and record["Account__c"] is None


def test_two_workers_never_claim_the_same_write(tab, standin):
    """Every process runs a worker: the lease decides, whichever database."""
    from concurrent.futures import ThreadPoolExecutor

    from server.salesforce.outbox import Outbox

    headers = salesforce_login(tab, standin, "ana")
    contact_id = held_by(tab, headers)
    for n in range(30):
        tab.api.post(
            f"/api/v1/interactions/{contact_id}/notes", json={"text": f"n{n}"}, headers=headers
        )
    services = tab.app.extensions["digital_tab"]
    workers = [Outbox(services.db, services.sessions) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        claimed = list(pool.map(lambda w: {row.id for row in w._claim()}, workers))
    assert sum(len(c) for c in claimed) == 30
    assert len(set().union(*claimed)) == 30  # disjoint: nobody sends another's write


def test_a_record_saved_by_two_agents_keeps_the_later_save(tab, standin):
    """Ana's save backs off (API limit); Ben's later save of the same record is due first but
    waits for hers, so Salesforce ends with his, as saved last."""
    salesforce_login(tab, standin, "ana")
    salesforce_login(tab, standin, "ben")
    ben = demo_agent("ben")
    services = tab.app.extensions["digital_tab"]

    def save(agent, notes: str) -> None:  # type: ignore[no-untyped-def]
        save_disposition(services, agent, "shared-record", {"Disposition_Notes__c": notes})

    save(ANA, "Ana's save")
    standin.fault(status=403, errorCode="REQUEST_LIMIT_EXCEEDED", count=1)
    assert outbox(tab).send_due() == 0  # Ana's now backs off
    save(ben, "Ben's save")
    save(ANA, "Ana again, after Ben")  # after a colleague's write: not merged into her first
    assert outbox(tab).send_due() == 0  # Ben's is due, but Ana's older write goes first
    with services.db.transaction() as db:
        db.execute(update(SalesforceWrite).values(next_attempt_at=utcnow()))
    for _ in range(3):
        outbox(tab).send_due()
    assert [state for *_, state in writes(tab)] == ["done"] * 3
    assert standin.record("Digital_Interaction__c", "shared-record")["Disposition_Notes__c"] == (
        "Ana again, after Ben"
    )


def test_a_colleague_waiting_for_her_session_does_not_hold_up_a_later_save(tab, standin):
    """Ana's write waits for her to sign in again (hours, maybe); Ben's later save of the same
    record goes now, and what he wrote is no longer Ana's to send when she comes back."""
    salesforce_login(tab, standin, "ana")
    services = tab.app.extensions["digital_tab"]

    def save(agent, fields: dict) -> None:  # type: ignore[no-untyped-def]
        save_disposition(services, agent, "shared-record-2", fields)

    save(ANA, {"Disposition_Notes__c": "Ana's notes", "Status__c": "Resolved"})
    standin.revoke_all_tokens()
    assert outbox(tab).send_due() == 0  # Ana's waits for her renewed session
    salesforce_login(tab, standin, "ben")
    save(demo_agent("ben"), {"Disposition_Notes__c": "Ben's notes"})
    assert outbox(tab).send_due() == 1  # Ben's is not held up behind hers
    record = standin.record("Digital_Interaction__c", "shared-record-2")
    assert record["Disposition_Notes__c"] == "Ben's notes"
    with services.db.transaction() as db:
        ana_write = db.scalars(
            select(SalesforceWrite).where(SalesforceWrite.user_id == ANA.user_id)
        ).one()
        assert ana_write.state == "pending"
        assert json.loads(ana_write.fields) == {"Status__c": "Resolved"}
