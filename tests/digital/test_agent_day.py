"""One agent's day on the Digital tab, start to finish, as one scripted scenario."""

from __future__ import annotations

import io

from server.canvas.ids import to_18
from tests.digital.conftest import SUPPORT, VIP

PDF = b"%PDF-1.4\n% a receipt\n"


def test_an_agents_day(tab):
    ana = tab.login("ana")

    # Filter and sort the inbox: Urgent first by priority, then everything by channel.
    urgent = tab.api.get(
        "/api/v1/inbox", query_string={"tag": 1, "sort": "priority"}, headers=ana
    ).json["items"]
    assert all(1 in [t["id"] for t in i["tags"]] for i in urgent)
    by_channel = tab.api.get(
        "/api/v1/inbox", query_string={"sort": "channel", "limit": 100}, headers=ana
    ).json["items"]
    assert by_channel[0]["channel"]["kind"] == "chat"

    # A customer writes in on WhatsApp; Ana sees it, bold, and claims it by opening it.
    contact_id = tab.customer(
        channel="whatsapp",
        identity="447700900555",
        first_name="Inês",
        text="Olá! My shoes don't fit 👟",
    )
    tab.projected(contact_id, status="new")
    item = next(
        i
        for i in tab.api.get("/api/v1/inbox", query_string={"limit": 100}, headers=ana).json[
            "items"
        ]
        if i["id"] == contact_id
    )
    assert item["is_new"] and item["customer"]["digital_id"] == "447700900555"
    opened = tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=ana).json
    assert opened["messages"][0]["text"] == "Olá! My shoes don't fit 👟"

    # She replies with an emoji and a return label: the interaction is Resolved and leaves the queue.
    sent = tab.api.post(
        f"/api/v1/interactions/{contact_id}/reply",
        data={
            "text": "Sorry Inês! Here is your return label 🏷️",
            "attachments": [(io.BytesIO(PDF), "label.pdf", "application/pdf")],
        },
        headers=ana,
        content_type="multipart/form-data",
    ).json
    assert sent["interaction"]["status"] == "resolved"
    assert contact_id not in tab.inbox_ids(ana)

    # The customer writes again: Open, back in the queue.
    tab.customer(contact_id=contact_id, text="Thanks! Can I swap instead?")
    tab.projected(contact_id, status="open")
    assert contact_id in tab.inbox_ids(ana)

    # She notes something private, and transfers to VIP care (Chloé's queue).
    tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=ana)
    tab.api.post(
        f"/api/v1/interactions/{contact_id}/notes",
        json={"text": "Size 38, prefers swaps"},
        headers=ana,
    )
    moved = tab.api.post(
        f"/api/v1/interactions/{contact_id}/transfer", json={"routing_queue_id": VIP}, headers=ana
    ).json
    assert moved["transfer_count"] == 1 and tab.cxone.contact(contact_id).routing_queue_id == VIP
    tab.cxone.transfer(contact_id, SUPPORT)  # VIP sends it back to Support for Ana to finish
    tab.projected(contact_id, routing_queue_id=SUPPORT)

    # She opens it again, ends it and records the disposition.
    tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=ana)
    ended = tab.api.post(f"/api/v1/interactions/{contact_id}/end", headers=ana).json
    assert ended["disposition"]["case_number"] == contact_id
    disposition = tab.api.put(
        f"/api/v1/interactions/{contact_id}/disposition",
        json={
            "name_id": "001000000ACME01",
            "relates_to_id": "500000000CASE07",
            "notes": "Swap arranged",
        },
        headers=ana,
    ).json
    assert (
        disposition["relates_to"]["id"] == to_18("500000000CASE07")
        and disposition["writeback_status"] == "pending"
    )

    # Next time Inês writes, her private note is there.
    later = tab.customer(
        channel="whatsapp", identity="447700900555", first_name="Inês", text="New question!"
    )
    tab.projected(later, status="new")
    notes = tab.api.get(f"/api/v1/interactions/{later}/contact", headers=ana).json["notes"]
    assert [n["text"] for n in notes] == ["Size 38, prefers swaps"]

    # A new email and a new SMS to round off the day.
    email = tab.api.post(
        "/api/v1/outbound/email",
        data={
            "channel_id": "email_support_acme",
            "to": "ines@example.com",
            "subject": "Your swap",
            "body": "<p>Your <b>swap</b> is on its way</p>",
            "relates_to_id": "500000000CASE07",
            "attachments": [(io.BytesIO(PDF), "swap.pdf", "application/pdf")],
        },
        headers=ana,
        content_type="multipart/form-data",
    )
    assert email.status_code == 201, email.json
    assert email.json["message"]["attachments"][0]["name"] == "swap.pdf"
    sms = tab.api.post(
        "/api/v1/outbound/sms",
        json={"channel_id": "sms_acme_us", "to": "+14155550123", "text": "Swap shipped 📦"},
        headers=ana,
    )
    assert sms.status_code == 201
    # She takes Inês's new question; the switch list shows what she holds, and only that.
    tab.api.post(f"/api/v1/interactions/{later}/open", headers=ana)
    held = tab.api.get("/api/v1/my-interactions", headers=ana).json["items"]
    assert later in [i["id"] for i in held]
    assert all(i["assignee"]["id"] == 101 for i in held)
