"""The /agents namespace: who may listen, what they hear, and catching up after a reconnect."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from server.digital.models import RelayEvent
from server.realtime.delivery import DeliveredSeqs
from tests.conftest import wait_until
from tests.digital.conftest import CXONE_USER, SALES, SUPPORT, agent

NS = "/agents"
BEN = CXONE_USER[agent("ben").email]


def socket(tab, key: str | None, **auth):
    app = tab.app
    socketio = app.extensions["digital_tab.socketio"]
    if key is not None:
        auth.setdefault("token", tab.login(key)["Authorization"].split(" ", 1)[1])
    return socketio.test_client(app, namespace=NS, auth=auth)


def heard(client, kind: str | None = None) -> list[dict]:
    return [e["args"][0] for e in client.get_received(NS) if kind is None or e["name"] == kind]


def wait_heard(client, predicate, seconds: float = 10) -> list[dict]:
    collected: list[dict] = []

    def check() -> bool:
        collected.extend(e["args"][0] | {"_name": e["name"]} for e in client.get_received(NS))
        return any(predicate(e) for e in collected)

    wait_until(check, seconds)
    return collected


def test_only_a_valid_session_token_may_listen(tab):
    assert not socket(tab, None).is_connected(NS)
    assert not socket(tab, None, token="not-a-token").is_connected(NS)
    ana = socket(tab, "ana")
    assert ana.is_connected(NS)
    assert heard(ana, "ready")[0]["latest"] >= 0


def test_agents_hear_their_queues_and_not_others(tab):
    ana, dana = socket(tab, "ana"), socket(tab, "dana")
    heard(ana), heard(dana)
    contact_id = tab.customer(channel="chat", text="anyone?")  # lands in Support (Ana's queue)
    events = wait_heard(
        ana, lambda e: e.get("id") == contact_id and e["_name"] == "interaction.changed"
    )
    first = next(e for e in events if e.get("id") == contact_id)
    assert (
        first["status"] == "new"
        and first["channel_kind"] == "chat"
        and isinstance(first["seq"], int)
    )
    time.sleep(0.5)
    assert all(e.get("id") != contact_id for e in heard(dana))


def test_a_claim_by_someone_else_and_new_messages_are_heard(tab):
    contact_id = tab.customer(channel="chat", text="hello")
    tab.projected(contact_id, status="new")
    ana = socket(tab, "ana")
    heard(ana)
    tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=tab.login("ben"))
    wait_heard(
        ana, lambda e: e.get("id") == contact_id and (e.get("assignee") or {}).get("id") == BEN
    )
    tab.customer(contact_id=contact_id, text="more")
    wait_heard(ana, lambda e: e.get("id") == contact_id and e["_name"] == "message.added")


def test_sequence_numbers_and_catching_up_after_a_reconnect(tab):
    ana = socket(tab, "ana")
    last = heard(ana, "ready")[0]["latest"]
    ana.disconnect(NS)
    missed = [tab.customer(channel="chat", text=f"while away {i}") for i in range(3)]
    for contact_id in missed:
        tab.projected(contact_id, status="new")
    again = socket(tab, "ana", since=last)
    events = [e for e in heard(again) if "seq" in e]
    assert {e["id"] for e in events} >= set(missed)
    seqs = [e["seq"] for e in events]
    assert all(s > last for s in seqs)
    # Rooms are joined before the catch-up is read (so nothing falls between the two): a live
    # event may interleave with it or repeat one of it; per interaction the newest seq is its state.
    newest = {}
    for event in sorted(events, key=lambda e: e["seq"]):
        newest[event["id"]] = event
    assert all(newest[contact_id]["status"] == "new" for contact_id in missed)
    stale = socket(tab, "ana", since=-5)
    assert heard(stale, "resync")[0]["reason"] == "too_far_behind"


def test_revoked_sessions_are_disconnected_and_renewed_tokens_keep_the_connection(tab):
    headers = tab.login("chloe")
    chloe = socket(tab, "chloe")
    _, namespace = tab.app.extensions["digital_tab.relay"]
    assert namespace.check_sessions() == 0
    assert chloe.is_connected(NS)
    renewed = chloe.emit(
        "renew", {"token": headers["Authorization"].split(" ", 1)[1]}, namespace=NS, callback=True
    )
    assert renewed["ok"]
    assert not chloe.emit("renew", {"token": "forged"}, namespace=NS, callback=True)["ok"]
    tab.api.delete("/api/v1/session", headers=headers)
    assert namespace.check_sessions() >= 1
    assert not chloe.is_connected(NS)


def test_the_assignee_hears_each_event_once_and_its_unread_count(tab):
    contact_id = tab.customer(channel="chat", text="first")
    tab.projected(contact_id, status="new")
    headers = tab.login("ana")
    assert (
        tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=headers).status_code == 200
    )
    assert tab.api.get(f"/api/v1/interactions/{contact_id}", headers=headers).status_code == 200
    ana = socket(tab, "ana")  # in the Support queue's room and her own: both get this event
    heard(ana)
    tab.customer(contact_id=contact_id, text="are you there?")
    events = wait_heard(ana, lambda e: e["_name"] == "unread.changed" and e["id"] == contact_id)
    time.sleep(0.5)
    events += [e["args"][0] | {"_name": e["name"]} for e in ana.get_received(NS)]
    added = [e for e in events if e["_name"] == "message.added" and e["id"] == contact_id]
    assert len(added) == 1  # not once per room
    unread = next(e for e in events if e["_name"] == "unread.changed")
    assert unread["seq"] == added[0]["seq"]
    assert unread["unread"] == 1  # she read the thread before this message
    switch = tab.api.get("/api/v1/my-interactions", headers=headers).get_json()
    assert unread["unread_total"] == switch["unread_total"]
    # Nobody else is told someone else's unread count.
    ben = socket(tab, "ben")
    heard(ben)
    tab.customer(contact_id=contact_id, text="hello?")
    wait_heard(ana, lambda e: e["_name"] == "unread.changed" and e["unread"] == 2)
    assert not heard(ben, "unread.changed")


def test_agents_an_interaction_leaves_hear_it_live_and_when_catching_up(tab):
    contact_id = tab.customer(channel="chat", text="move me")  # Support: Ana and Chloé
    tab.projected(contact_id, status="new")
    ana_headers = tab.login("ana")
    assert (
        tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=ana_headers).status_code
        == 200
    )
    ana, dana, chloe = socket(tab, "ana"), socket(tab, "dana"), socket(tab, "chloe")
    ready = heard(ana, "ready")[0]
    assert SUPPORT in ready["queue_ids"] and SALES not in ready["queue_ids"]
    heard(dana)
    last_chloe = heard(chloe, "ready")[0]["latest"]
    chloe.disconnect(NS)  # away while it moves
    moved = tab.api.post(
        f"/api/v1/interactions/{contact_id}/transfer",
        json={"routing_queue_id": SALES},
        headers=ana_headers,
    )
    assert moved.status_code == 200, moved.json

    def moved_to_sales(e):  # type: ignore[no-untyped-def]
        return e.get("id") == contact_id and e.get("routing_queue_id") == SALES

    gone = [e for e in wait_heard(ana, moved_to_sales) if moved_to_sales(e)][-1]
    # Not in her queues, not hers: the documented rule drops it from Ana's lists.
    assert gone["routing_queue_id"] not in ready["queue_ids"] and gone["assignee"] is None
    wait_heard(dana, moved_to_sales)  # Sales hears it arrive
    back = socket(tab, "chloe", since=last_chloe)
    assert any(moved_to_sales(e) for e in heard(back)), "the catch-up misses the move"


def test_an_ended_interaction_is_removed_from_the_lists(tab):
    contact_id = tab.customer(channel="chat", text="bye")
    tab.projected(contact_id, status="new")
    headers = tab.login("ana")
    tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=headers)
    ana = socket(tab, "ana")
    heard(ana)
    assert (
        tab.api.post(f"/api/v1/interactions/{contact_id}/end", headers=headers).status_code == 200
    )
    removed = wait_heard(
        ana, lambda e: e.get("id") == contact_id and e["_name"] == "interaction.removed"
    )
    assert next(e for e in removed if e["_name"] == "interaction.removed")["active"] is False


def test_a_token_not_renewed_in_time_is_disconnected(tab):
    from server.canvas import tokens
    from tests.conftest import SIGNING_KEY

    claims = tokens.decode(SIGNING_KEY, tab.login("ben")["Authorization"].split(" ", 1)[1])
    now = datetime.now(UTC)
    short = tokens.issue(
        SIGNING_KEY,
        tokens.TokenClaims(
            claims.session_id, claims.user_id, claims.org_id, now + timedelta(seconds=2)
        ),
        now,
    )
    ben = socket(tab, None, token=short)
    _, namespace = tab.app.extensions["digital_tab.relay"]
    assert ben.is_connected(NS) and namespace.check_sessions() == 0
    time.sleep(3)
    assert namespace.check_sessions() == 1  # the session lives on; this socket's token did not
    assert not ben.is_connected(NS)


def test_the_backfill_delivers_once_what_the_message_queue_did_not_bring(tab):
    """Another process stored an event whose pub/sub message never came (Redis was away)."""
    relay = tab.app.extensions["digital_tab.relay"][0]
    db = tab.app.extensions["digital_tab"].db
    delivered, no_grace, window = DeliveredSeqs(), timedelta(0), timedelta(seconds=30)
    ana, dana = socket(tab, "ana"), socket(tab, "dana")
    assert relay.backfill(delivered, no_grace, window) == 0  # starts from what is stored now
    heard(ana), heard(dana)
    contact_id = tab.customer(channel="chat", text="while Redis was away")
    wait_heard(ana, lambda e: e.get("id") == contact_id)
    with db.transaction() as session:
        payload = {"type": "interaction.changed", "id": contact_id, "routing_queue_id": SUPPORT}
        seq = session.execute(
            insert(RelayEvent.__table__).returning(RelayEvent.__table__.c.seq),
            {
                "contact_id": contact_id,
                "routing_queue_id": SUPPORT,
                "payload": json.dumps(payload),
                "created_at": datetime.now(UTC),
            },
        ).scalar_one()
    # This process's own events came here: marked as delivered, they are not sent again.
    for earlier in range(1, seq):
        delivered.first_time(earlier)

    assert relay.backfill(delivered, no_grace, window) == 1
    got = [e for e in heard(ana) if e.get("seq") == seq]
    assert got == [payload | {"seq": seq}]
    assert all(e.get("seq") != seq for e in heard(dana))  # Dana is not in Support
    assert relay.backfill(delivered, no_grace, window) == 0  # once
    assert heard(ana) == []
    # Within the grace period pub/sub may still bring it: the backfill waits.
    later = relay.backfill(DeliveredSeqs(), timedelta(minutes=5), window)
    assert later == 0
