"""The Digital tab's REST API, step by step, through the real connector against the CXone
sandbox over HTTP; every response is validated against our OpenAPI document."""

from __future__ import annotations

import io
import itertools
import threading

from sqlalchemy import select

from server.digital.models import Disposition, InteractionMessage
from tests.conftest import wait_until
from tests.digital.conftest import BILLING, CXONE_USER, SALES, SUPPORT, VIP, VOICE, agent

ANA, BEN, CHLOE = (CXONE_USER[agent(k).email] for k in ("ana", "ben", "chloe"))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# --- inbox -------------------------------------------------------------------------------------


def test_inbox_holds_my_digital_queues_and_what_is_mine(tab):
    ana = tab.login("ana")
    items = tab.api.get("/api/v1/inbox", query_string={"limit": 100}, headers=ana).json["items"]
    assert items
    assert all(
        i["routing_queue_id"] in (SUPPORT, BILLING) or (i["assignee"] or {}).get("id") == ANA
        for i in items
    )
    assert all(i["status"] in ("new", "open", "pending", "escalated") for i in items)
    dana = tab.login("dana")
    dana_items = tab.api.get("/api/v1/inbox", query_string={"limit": 100}, headers=dana).json[
        "items"
    ]
    assert dana_items and all(i["routing_queue_id"] == SALES for i in dana_items)
    first = items[0]
    assert set(first["customer"]) == {"name", "digital_id"} and first["channel"]["kind"]


def test_tag_filter_takes_one_or_several_tags(tab):
    ana = tab.login("ana")
    urgent = tab.api.get("/api/v1/inbox", query_string={"tag": 1, "limit": 100}, headers=ana).json[
        "items"
    ]
    assert urgent and all(1 in [t["id"] for t in i["tags"]] for i in urgent)
    either = tab.api.get(
        "/api/v1/inbox", query_string=[("tag", 1), ("tag", 3), ("limit", 100)], headers=ana
    ).json["items"]
    assert len(either) >= len(urgent)
    assert all({1, 3} & {t["id"] for t in i["tags"]} for i in either)
    assert all(t["title"] for i in either for t in i["tags"])


def test_the_three_sorts(tab):
    ana = tab.login("ana")

    def items(sort):
        return tab.api.get(
            "/api/v1/inbox", query_string={"sort": sort, "limit": 100}, headers=ana
        ).json["items"]

    received = items("received")
    assert [i["received_at"] for i in received] == sorted(
        (i["received_at"] for i in received), reverse=True
    )
    priority = items("priority")
    keys = [(-i["priority"], i["received_at"]) for i in priority]
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)
    for a, b in itertools.pairwise(priority):
        if a["priority"] == b["priority"]:
            assert a["received_at"] >= b["received_at"]
    order = ["chat", "email", "facebook", "instagram", "sms", "twitter", "whatsapp"]
    channel = items("channel")
    ranks = [order.index(i["channel"]["kind"]) for i in channel]
    assert ranks == sorted(ranks) and len(set(ranks)) > 2
    for a, b in itertools.pairwise(channel):
        if a["channel"]["kind"] == b["channel"]["kind"]:
            assert a["received_at"] >= b["received_at"]


def test_cursor_paging_is_stable_while_items_arrive(tab):
    ana = tab.login("ana")
    everything = tab.inbox_ids(ana, sort="priority")
    seen, cursor = [], None
    while True:
        query = {"sort": "priority", "limit": 4, **({"cursor": cursor} if cursor else {})}
        page = tab.api.get("/api/v1/inbox", query_string=query, headers=ana).json
        seen += [i["id"] for i in page["items"]]
        if len(seen) == 8:  # a new, urgent interaction arrives between two pages
            newcomer = tab.customer(channel="chat", text="urgent!")
            tab.projected(newcomer, status="new")
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen))  # nothing repeated
    assert set(everything) <= set(seen)  # nothing skipped


def test_inbox_is_served_from_the_read_model_not_cxone(tab):
    ana = tab.login("ana")
    tab.inbox_ids(ana)  # warms the agent's queue membership
    calls = tab.app.extensions["digital_tab"].cxone.calls
    for sort in ("received", "priority", "channel"):
        tab.inbox_ids(ana, sort=sort, tag=2)
    assert tab.app.extensions["digital_tab"].cxone.calls == calls


def test_bad_inbox_parameters_name_the_field(tab):
    ana = tab.login("ana")
    for query, field in (
        ({"sort": "age"}, "sort"),
        ({"limit": 0}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"tag": "urgent"}, "tag"),
        ({"tag": 2**63}, "tag"),  # found by the API fuzzing: it overflowed the database (500)
    ):
        response = tab.api.get("/api/v1/inbox", query_string=query, headers=ana)
        assert response.status_code == 400 and response.json["error"]["field"] == field
    bad_cursor = tab.api.get("/api/v1/inbox", query_string={"cursor": "bm9wZQ"}, headers=ana)
    assert bad_cursor.json["error"]["code"] == "invalid_cursor"
    page = tab.api.get(
        "/api/v1/inbox", query_string={"limit": 2, "sort": "received"}, headers=ana
    ).json
    other_sort = tab.api.get(
        "/api/v1/inbox",
        query_string={"cursor": page["next_cursor"], "sort": "priority"},
        headers=ana,
    )
    assert other_sort.status_code == 400


# --- open = claim ------------------------------------------------------------------------------


def test_open_claims_and_a_second_agent_is_told_who_holds_it(tab):
    contact_id = tab.customer(channel="chat", text="hello")
    tab.projected(contact_id, status="new")
    ana, ben = tab.login("ana"), tab.login("ben")
    opened = tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=ana)
    assert opened.status_code == 200
    assert opened.json["interaction"]["assignee"]["id"] == ANA
    assert tab.cxone.contact(contact_id).assignee_id == ANA
    assert tab.cxone.contact(contact_id).status == "open"
    refused = tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=ben)
    assert refused.status_code == 409 and "Ana Lima" in refused.json["error"]["message"]
    # Back to the inbox: the claim stays.
    tab.inbox_ids(ana)
    assert tab.cxone.contact(contact_id).assignee_id == ANA


def test_two_agents_opening_at_the_same_moment_exactly_one_gets_it(tab):
    for _ in range(3):
        contact_id = tab.customer(channel="facebook", text="who will answer?")
        tab.projected(contact_id, status="new")
        headers = {"ana": tab.login("ana"), "ben": tab.login("ben")}
        barrier, results = threading.Barrier(2), {}

        def go(who, contact_id=contact_id, barrier=barrier, results=results, headers=headers):  # type: ignore[no-untyped-def]
            client = tab.app.test_client()
            barrier.wait()
            results[who] = client.post(
                f"/api/v1/interactions/{contact_id}/open", headers=headers[who]
            )

        threads = [threading.Thread(target=go, args=(who,)) for who in headers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses = sorted(r.status_code for r in results.values())
        assert statuses == [200, 409], {k: (v.status_code, v.json) for k, v in results.items()}
        winner = next(k for k, r in results.items() if r.status_code == 200)
        assert tab.cxone.contact(contact_id).assignee_id == {"ana": ANA, "ben": BEN}[winner]


def test_new_to_this_agent_until_opened_and_again_when_the_customer_writes(tab):
    contact_id = tab.customer(channel="chat", text="first")
    tab.projected(contact_id, status="new")
    ana = tab.login("ana")

    def is_new():
        item = next(
            i
            for i in tab.api.get("/api/v1/inbox", query_string={"limit": 100}, headers=ana).json[
                "items"
            ]
            if i["id"] == contact_id
        )
        return item["is_new"]

    assert is_new()
    tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=ana)
    assert not is_new()
    tab.customer(contact_id=contact_id, text="second")
    tab.projected(contact_id, inbound_count=2)
    assert is_new()


# --- conversation and reply ------------------------------------------------------------------------


def test_email_bodies_are_sanitised_and_attachments_come_through_the_backend(tab):
    contact_id = tab.customer(
        channel="email",
        title="Invoice",
        text='<p onclick="x()">Hi <b>team</b></p><script>alert(1)</script><a href="javascript:evil()">x</a>',
    )
    tab.projected(contact_id, status="new")
    ana = tab.login("ana")
    conversation = tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=ana).json
    message = conversation["messages"][0]
    assert "<b>team</b>" in message["html"]
    for bad in ("<script", "onclick", "javascript:"):
        assert bad not in message["html"]
    assert "<" not in message["text"]
    assert conversation["channel"] == {
        "id": "email_support_acme",
        "kind": "email",
        "name": "support@acme.example",
        "attachments": True,
        "rich_text": True,
        "subject": True,
    }
    sent = tab.api.post(
        f"/api/v1/interactions/{contact_id}/reply",
        data={
            "text": "<p>See attached</p>",
            "html": "true",
            "attachments": [(io.BytesIO(PNG), "chart.png", "image/png")],
        },
        headers=ana,
        content_type="multipart/form-data",
    )
    assert sent.status_code == 200, sent.json
    url = sent.json["message"]["attachments"][0]["url"]
    download = tab.app.test_client().get(url, headers=ana)
    assert download.status_code == 200 and download.data == PNG
    assert download.headers["Content-Disposition"] == "attachment; filename=chart.png"
    assert (
        tab.app.test_client().get(url, headers=tab.login("dana")).status_code == 404
    )  # not her queue


def test_reply_with_emoji_and_attachment_resolves_and_the_customer_reopens(tab):
    contact_id = tab.customer(channel="chat", text="Where is my order? 📦")
    tab.projected(contact_id, status="new")
    ana = tab.login("ana")
    tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=ana)
    sent = tab.api.post(
        f"/api/v1/interactions/{contact_id}/reply",
        data={
            "text": "On its way 🚚✨ — ETA Friday",
            "attachments": [(io.BytesIO(PNG), "map.png", "image/png")],
        },
        headers=ana,
        content_type="multipart/form-data",
    )
    assert sent.status_code == 200, sent.json
    assert sent.json["message"]["text"] == "On its way 🚚✨ — ETA Friday"
    assert sent.json["interaction"]["status"] == "resolved"
    assert [m.text for m in tab.cxone.messages(contact_id)][-1] == "On its way 🚚✨ — ETA Friday"
    assert contact_id not in tab.inbox_ids(ana)
    tab.customer(contact_id=contact_id, text="It did not come 😞")
    tab.projected(contact_id, status="open")
    assert contact_id in tab.inbox_ids(ana)


def test_reply_refusals_happen_before_anything_reaches_cxone(tab):
    sms_id = tab.customer(channel="sms", text="hi")
    chat_id = tab.customer(channel="chat", text="hi")
    for contact_id in (sms_id, chat_id):
        tab.projected(contact_id, status="new")
    ana = tab.login("ana")
    for contact_id in (sms_id, chat_id):
        tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=ana)
    before = len(tab.cxone.messages(sms_id))

    def reply(contact_id, data):
        return tab.api.post(
            f"/api/v1/interactions/{contact_id}/reply",
            data=data,
            headers=ana,
            content_type="multipart/form-data",
        )

    no_files = reply(
        sms_id, {"text": "x", "attachments": [(io.BytesIO(PNG), "a.png", "image/png")]}
    )
    assert no_files.status_code == 400 and no_files.json["error"]["field"] == "attachments"
    big = reply(
        chat_id,
        {
            "text": "x",
            "attachments": [
                (io.BytesIO(PNG + b"\x00" * (10 * 1024 * 1024)), "big.png", "image/png")
            ],
        },
    )
    assert big.status_code == 413 and big.json["error"]["code"] == "attachment_too_large"
    fake = reply(
        chat_id,
        {"text": "x", "attachments": [(io.BytesIO(b"MZ\x90\x00 not a png"), "x.png", "image/png")]},
    )
    assert fake.status_code == 400 and fake.json["error"]["code"] == "attachment_content_mismatch"
    exe = reply(
        chat_id,
        {"text": "x", "attachments": [(io.BytesIO(b"MZ"), "x.exe", "application/x-msdownload")]},
    )
    assert exe.json["error"]["code"] == "attachment_type_not_allowed"
    rich = tab.api.post(
        f"/api/v1/interactions/{chat_id}/reply",
        json={"text": "<b>x</b>", "html": True},
        headers=ana,
    )
    assert rich.status_code == 400 and rich.json["error"]["field"] == "html"
    empty = tab.api.post(f"/api/v1/interactions/{chat_id}/reply", json={"text": ""}, headers=ana)
    assert empty.json["error"]["field"] == "text"
    assert len(tab.cxone.messages(sms_id)) == before
    assert len(tab.cxone.messages(chat_id)) == 1


def test_set_resolved_without_replying(tab):
    contact_id = tab.customer(channel="instagram", text="thanks, all good!")
    tab.projected(contact_id, status="new")
    ana = tab.login("ana")
    tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=ana)
    resolved = tab.api.post(f"/api/v1/interactions/{contact_id}/resolve", headers=ana)
    assert resolved.json["interaction"]["status"] == "resolved"
    assert tab.cxone.contact(contact_id).status == "resolved"
    assert contact_id not in tab.inbox_ids(ana)


# --- end, disposition, switch, transfer ------------------------------------------------------------------


def test_end_unassigns_and_the_disposition_is_kept(tab):
    contact_id = tab.customer(channel="whatsapp", text="Olá")
    tab.projected(contact_id, status="new")
    ana = tab.login("ana")
    tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=ana)
    ended = tab.api.post(f"/api/v1/interactions/{contact_id}/end", headers=ana)
    assert ended.status_code == 200
    assert ended.json["disposition"]["case_number"] == contact_id
    fresh = tab.cxone.contact(contact_id)
    assert fresh.assignee_id is None and fresh.status == "resolved"
    assert contact_id not in tab.inbox_ids(ana)
    saved = tab.api.put(
        f"/api/v1/interactions/{contact_id}/disposition",
        json={
            "name_id": "001000000ACME01",
            "relates_to_id": "500000000CASE01",
            "notes": "Refund issued ✅",
        },
        headers=ana,
    )
    assert saved.status_code == 200, saved.json
    assert saved.json["name"] == {"type": "Account", "id": "001000000ACME01AQH"}
    assert saved.json["case_number"] == contact_id and saved.json["writeback_status"] == "pending"
    with tab.app.extensions["digital_tab"].db.transaction() as db:
        stored = db.query(Disposition).filter_by(contact_id=contact_id).one()
        assert stored.notes == "Refund issued ✅" and stored.relates_to_id == "500000000CASE01AQH"
    wrong = tab.api.put(
        f"/api/v1/interactions/{contact_id}/disposition",
        json={"name_id": "500000000CASE01"},
        headers=ana,
    )
    assert wrong.status_code == 400 and wrong.json["error"]["field"] == "name_id"


def test_switch_list_counts_unread_messages(tab):
    first = tab.customer(channel="chat", text="one")
    second = tab.customer(channel="twitter", text="two")
    for contact_id in (first, second):
        tab.projected(contact_id, status="new")
    chloe = tab.login("chloe")
    for contact_id in (first, second):
        tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=chloe)
    tab.customer(contact_id=first, text="are you there?")
    tab.customer(contact_id=first, text="hello??")
    tab.projected(first, inbound_count=3)
    switch = tab.api.get("/api/v1/my-interactions", headers=chloe).json
    unread = {i["id"]: i["unread"] for i in switch["items"]}
    assert unread[first] == 2 and unread[second] == 0
    assert switch["unread_total"] >= 2


def test_transfer_rules_and_master_contact_id(tab):
    contact_id = tab.customer(channel="chat", text="transfer me")
    tab.projected(contact_id, status="new")
    chloe, ben = tab.login("chloe"), tab.login("ben")
    targets = {
        q["id"] for q in tab.api.get("/api/v1/transfer-targets", headers=chloe).json["items"]
    }
    assert VIP in targets and VOICE not in targets
    tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=chloe)
    omni = tab.api.post(
        f"/api/v1/interactions/{contact_id}/transfer",
        json={"routing_queue_id": VOICE},
        headers=chloe,
    )
    assert omni.status_code == 400 and omni.json["error"]["field"] == "routing_queue_id"
    # Chloé is VIP care's only member: the interaction comes straight back to her.
    back = tab.api.post(
        f"/api/v1/interactions/{contact_id}/transfer", json={"routing_queue_id": VIP}, headers=chloe
    ).json
    assert back["came_back"] and back["transfer_count"] == 1 and back["master_contact_id"] is None
    assert tab.cxone.contact(contact_id).routing_queue_id == VIP
    second = tab.api.post(
        f"/api/v1/interactions/{contact_id}/transfer",
        json={"routing_queue_id": BILLING},
        headers=chloe,
    ).json
    assert not second["came_back"] and tab.cxone.contact(contact_id).assignee_id is None
    tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=chloe)
    third = tab.api.post(
        f"/api/v1/interactions/{contact_id}/transfer", json={"routing_queue_id": VIP}, headers=chloe
    ).json
    assert (
        third["transfer_count"] == 3
        and third["master_contact_id"]
        and third["master_contact_id"].isdigit()
    )
    details = tab.api.get(f"/api/v1/interactions/{contact_id}/contact", headers=chloe).json
    assert details["master_contact_id"] == third["master_contact_id"]
    # Ben may not transfer at all (configured per agent).
    bens = tab.customer(channel="chat", text="for ben")
    tab.projected(bens, status="new")
    tab.api.post(f"/api/v1/interactions/{bens}/open", headers=ben)
    refused = tab.api.post(
        f"/api/v1/interactions/{bens}/transfer", json={"routing_queue_id": BILLING}, headers=ben
    )
    assert refused.status_code == 403 and refused.json["error"]["code"] == "transfer_not_allowed"


# --- contact details, notes, outbound ------------------------------------------------------------


def test_private_notes_follow_the_customer_and_no_one_else_sees_them(tab):
    contact_id = tab.customer(channel="sms", identity="+14155550777", first_name="Rosa", text="hi")
    tab.projected(contact_id, status="new")
    ana, ben = tab.login("ana"), tab.login("ben")
    tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=ana)
    note = tab.api.post(
        f"/api/v1/interactions/{contact_id}/notes",
        json={"text": "Prefers texts after 6pm"},
        headers=ana,
    )
    assert note.status_code == 201
    linked = tab.api.put(
        f"/api/v1/interactions/{contact_id}/contact",
        json={"name_id": "00Q000000LEAD01", "relates_to_id": "500000000CASE02"},
        headers=ana,
    ).json
    assert linked["name"]["type"] == "Lead" and linked["relates_to"]["type"] == "Case"
    assert linked["digital_id"] == "+14155550777" and linked["case_number"] == contact_id
    tab.api.post(f"/api/v1/interactions/{contact_id}/end", headers=ana)
    later = tab.customer(channel="sms", identity="+14155550777", first_name="Rosa", text="me again")
    tab.projected(later, status="new")
    assert [
        n["text"]
        for n in tab.api.get(f"/api/v1/interactions/{later}/contact", headers=ana).json["notes"]
    ] == ["Prefers texts after 6pm"]
    assert tab.api.get(f"/api/v1/interactions/{later}/contact", headers=ben).json["notes"] == []
    empty = tab.api.post(f"/api/v1/interactions/{later}/notes", json={"text": "   "}, headers=ana)
    assert empty.status_code == 400 and empty.json["error"]["field"] == "text"


def test_new_email_and_new_sms(tab):
    ana, ben = tab.login("ana"), tab.login("ben")
    email = tab.api.post(
        "/api/v1/outbound/email",
        json={
            "channel_id": "email_support_acme",
            "to": "sofia.rossi@example.com",
            "subject": "Your refund",
            "body": "<p>Refund <b>sent</b> 💶</p><script>x()</script>",
            "name_id": "001000000ACME01",
        },
        headers=ana,
    )
    assert email.status_code == 201, email.json
    sent = tab.cxone.messages(email.json["interaction"]["id"])[0]
    assert "<b>sent</b>" in sent.text and "<script" not in sent.text and sent.title == "Your refund"
    assert email.json["interaction"]["customer"]["digital_id"] == "sofia.rossi@example.com"
    bad_to = tab.api.post(
        "/api/v1/outbound/email",
        json={
            "channel_id": "email_support_acme",
            "to": "not-an-address",
            "subject": "s",
            "body": "b",
        },
        headers=ana,
    )
    assert bad_to.status_code == 400 and bad_to.json["error"]["field"] == "to"
    no_subject = tab.api.post(
        "/api/v1/outbound/email",
        json={"channel_id": "email_support_acme", "to": "a@example.com", "body": "b"},
        headers=ana,
    )
    assert no_subject.json["error"]["field"] == "subject"
    not_member = tab.api.post(
        "/api/v1/outbound/email",
        json={
            "channel_id": "email_support_acme",
            "to": "a@example.com",
            "subject": "s",
            "body": "b",
        },
        headers=ben,
    )
    assert not_member.status_code == 403 and "outbound email" in not_member.json["error"]["message"]
    sms = tab.api.post(
        "/api/v1/outbound/sms",
        json={
            "channel_id": "sms_acme_us",
            "to": "+14155550188",
            "text": "Your parcel arrives Friday 📦",
            "relates_to_id": "500000000CASE03",
        },
        headers=ana,
    )
    assert sms.status_code == 201, sms.json
    assert (
        tab.cxone.messages(sms.json["interaction"]["id"])[0].text == "Your parcel arrives Friday 📦"
    )
    details = tab.api.get(
        f"/api/v1/interactions/{sms.json['interaction']['id']}/contact", headers=ana
    ).json
    assert details["relates_to"]["id"] == "500000000CASE03AQH"
    for to in ("4155550188", "+0155550188", "+1 415 555 0188"):
        bad = tab.api.post(
            "/api/v1/outbound/sms",
            json={"channel_id": "sms_acme_us", "to": to, "text": "x"},
            headers=ana,
        )
        assert bad.status_code == 400 and bad.json["error"]["field"] == "to"
    wrong_channel = tab.api.post(
        "/api/v1/outbound/sms",
        json={"channel_id": "chat_acme_web", "to": "+14155550188", "text": "x"},
        headers=ana,
    )
    assert wrong_channel.json["error"]["field"] == "channel_id"


# --- who may do what -----------------------------------------------------------------------------------


def test_agents_only_see_and_act_on_what_is_theirs(tab):
    contact_id = tab.customer(channel="chat", text="mine")
    tab.projected(contact_id, status="new")
    ana, chloe, dana = tab.login("ana"), tab.login("chloe"), tab.login("dana")
    tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=ana)
    for method, path, body in (
        ("post", "reply", {"text": "hi"}),
        ("post", "resolve", None),
        ("post", "end", None),
        ("post", "transfer", {"routing_queue_id": BILLING}),
        ("put", "contact", {"name_id": None}),
    ):
        call = getattr(tab.api, method)
        url = f"/api/v1/interactions/{contact_id}/{path}"
        response = (
            call(url, json=body, headers=chloe) if body is not None else call(url, headers=chloe)
        )
        assert (
            response.status_code == 403 and response.json["error"]["code"] == "not_your_interaction"
        ), path
    # Dana works Sales only: Support's interactions do not exist for her.
    assert tab.api.get(f"/api/v1/interactions/{contact_id}", headers=dana).status_code == 404
    assert tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=dana).status_code == 404
    assert (
        tab.api.get(f"/api/v1/interactions/{contact_id}/contact", headers=dana).status_code == 404
    )
    assert tab.cxone.contact(contact_id).assignee_id == ANA


def test_an_unlinked_salesforce_user_is_told_what_to_do(tab):
    headers = tab.login("ana")
    from server.digital.models import AgentLink

    with tab.app.extensions["digital_tab"].db.transaction() as db:
        db.query(AgentLink).filter_by(cxone_user_id=ANA).delete()
    response = tab.api.get("/api/v1/inbox", headers=headers)
    assert response.status_code == 403 and "link-agent" in response.json["error"]["message"]


def test_text_with_nul_characters_is_refused_before_anything_is_kept(tab):
    """Found by the API fuzzing: a NUL in a note reached PostgreSQL, which refused it (500)."""
    contact_id = tab.customer(channel="chat", text="hi")
    tab.projected(contact_id, status="new")
    ana = tab.login("ana")
    tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=ana)
    for method, path, kwargs, field in (
        ("post", "notes", {"json": {"text": "a\x00b"}}, "text"),
        ("put", "disposition", {"json": {"notes": "\x00"}}, "notes"),
        ("post", "reply", {"data": {"text": "hi\x00"}}, "text"),
    ):
        response = getattr(tab.api, method)(
            f"/api/v1/interactions/{contact_id}/{path}", headers=ana, **kwargs
        )
        assert response.status_code == 400 and response.json["error"]["field"] == field, path
    search = tab.api.get("/api/v1/salesforce/search?kind=name&q=ab%00c", headers=ana)
    assert search.status_code == 400 and search.json["error"]["field"] == "q"
    contact = tab.api.get(f"/api/v1/interactions/{contact_id}/contact", headers=ana).json
    assert contact["notes"] == []


def test_bodies_must_be_json_objects(tab):
    ana = tab.login("ana")
    contact_id = tab.inbox_ids(ana)[0]
    response = tab.api.put(
        f"/api/v1/interactions/{contact_id}/disposition", data="nope", headers=ana
    )
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_body"
    assert tab.api.get("/api/v1/inbox").status_code == 401


def test_read_model_follows_changes_made_in_cxone_directly(tab):
    contact_id = tab.customer(channel="chat", text="hello")
    tab.projected(contact_id, status="new")
    tab.cxone.assign(contact_id, BEN)
    tab.projected(contact_id, assignee_id=BEN)
    tab.cxone.set_status(contact_id, "closed")
    tab.projected(contact_id, status="closed", active=False)
    ana = tab.login("ana")
    wait_until(lambda: contact_id not in tab.inbox_ids(ana))


def test_admin_declared_queue_kinds_win_over_what_cxone_says(
    make_app, digital_sandbox, signed_request
):
    """Real CXone does not say which queues are outbound: CXONE_OUTBOUND_*_QUEUES do."""
    from server.launcher.demo import demo_agent
    from tests.conftest import OpenAPICheckedClient, bearer, bridge_boot, cxone_variables

    app = make_app(**cxone_variables(digital_sandbox.url), CXONE_OUTBOUND_EMAIL_QUEUES=SALES)
    ben = demo_agent("ben")
    app.extensions["digital_tab"].digital.directory.link(ben.org_id, ben.user_id, BEN)
    api = OpenAPICheckedClient(app.test_client())
    page = api.post(
        "/canvas", data={"signed_request": signed_request(user_id=ben.user_id, org_id=ben.org_id)}
    )
    headers = bearer(bridge_boot(page.get_data(as_text=True))["token"])
    sent = api.post(
        "/api/v1/outbound/email",
        json={
            "channel_id": "email_support_acme",
            "to": "lead@example.com",
            "subject": "Hello",
            "body": "<p>Hi</p>",
        },
        headers=headers,
    )
    assert sent.status_code == 201, sent.json
    assert SALES not in {
        q["id"] for q in api.get("/api/v1/transfer-targets", headers=headers).json["items"]
    }


def test_a_message_the_event_hub_missed_is_not_hidden_by_the_agents_next_action(tab):
    """No process follows the Event Hub for a moment (its leader died); the customer writes, and
    the agent replies before any reconcile: the reply's snapshot must not hide that message."""
    contact_id = tab.customer(channel="chat", text="Hello")
    tab.projected(contact_id, status="new")
    ana = tab.login("ana")
    assert tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=ana).status_code == 200
    events = tab.app.extensions["digital_tab"].events
    events.stop_consumer()
    try:
        missed = tab.sandbox.customer_writes(contact_id=contact_id, text="Are you there?")
        sent = tab.api.post(
            f"/api/v1/interactions/{contact_id}/reply", json={"text": "Yes!"}, headers=ana
        )
        assert sent.status_code == 200, sent.json
        with tab.app.extensions["digital_tab"].db.transaction() as db:
            recorded = set(
                db.scalars(
                    select(InteractionMessage.message_id).where(
                        InteractionMessage.contact_id == contact_id
                    )
                )
            )
        assert {str(missed["message"]["id"]), str(sent.json["message"]["id"])} <= recorded
    finally:
        events.start()
