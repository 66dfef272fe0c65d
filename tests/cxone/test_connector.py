"""The connector against the CXone sandbox over real HTTP; every response checked against the
CXone specification."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from server.cxone.client import CxoneClient
from server.cxone.errors import (
    CxoneAuthError,
    CxoneNotFound,
    CxoneUnavailable,
    CxoneValidationError,
)
from server.sandbox.cxone.seed import QUEUES, TENANT_ID
from tests.conftest import SpecCheckedSession, cxone_config

VIP = QUEUES["vip"][0]
SUPPORT = QUEUES["support"][0]


def new_contact(sandbox, channel="chat", **body) -> str:
    return sandbox.customer_writes(channel=channel, **body)["contact"]["id"]


def test_token_tenant_and_discovery(cxone_sandbox, cxone_client):
    assert cxone_client.tokens.api_url() == cxone_sandbox.url  # from /.well-known, not configured
    cxone_client.tags()
    cxone_client.channels()
    assert cxone_client.tokens.tokens_issued == 1  # reused until close to expiry
    assert cxone_client.tokens._token.tenant_id == TENANT_ID


def test_wrong_access_key_is_a_typed_auth_error(cxone_sandbox):
    client = CxoneClient(
        cxone_config(cxone_sandbox.url, access_key_secret="wrong"), http=SpecCheckedSession()
    )
    with pytest.raises(CxoneAuthError) as refused:
        client.tags()
    assert refused.value.error_code == "invalid_grant"


def test_reference_data(cxone_client):
    kinds = {c.kind for c in cxone_client.channels()}
    assert kinds == {"chat", "email", "facebook", "instagram", "sms", "twitter", "whatsapp"}
    email = next(c for c in cxone_client.channels() if c.kind == "email")
    sms = next(c for c in cxone_client.channels() if c.kind == "sms")
    assert (email.rich_text, email.has_subject, email.outbound, email.can_send_files) == (
        True,
        True,
        True,
        True,
    )
    assert (sms.rich_text, sms.has_subject, sms.outbound, sms.can_send_files) == (
        False,
        False,
        True,
        False,
    )
    assert {q.name for q in cxone_client.routing_queues(assignable_by_user=103)} == {
        "Support — Chat & Social",
        "Billing",
        "VIP care",
    }
    assert {t.title for t in cxone_client.tags()} >= {"Urgent", "Billing", "VIP"}


def test_search_filters_sorting_and_scroll_paging(cxone_client):
    everything = list(cxone_client.iter_contacts())
    first_page = cxone_client.search_contacts()
    assert first_page.hits == len(everything) > 25 and len(first_page.contacts) == 25
    assert first_page.scroll_token
    assert len({c.id for c in everything}) == len(everything)  # no contact twice across pages

    new = cxone_client.search_contacts(statuses=["new"]).contacts
    assert new and all(c.status == "new" for c in new)
    sms = list(cxone_client.iter_contacts(channels=["sms_acme_us"]))
    assert sms and all(c.channel_id == "sms_acme_us" for c in sms)
    support = list(cxone_client.iter_contacts(routing_queues=[SUPPORT]))
    assert support and all(c.routing_queue_id == SUPPORT for c in support)
    urgent = list(cxone_client.iter_contacts(tags=[1]))
    assert urgent and all(1 in c.tag_ids for c in urgent)
    oldest_first = cxone_client.search_contacts(sorting="createdAt", sorting_type="asc").contacts
    assert [c.created_at for c in oldest_first] == sorted(c.created_at for c in oldest_first)
    found = cxone_client.search_contacts(query="INV-20931").contacts
    assert found and all(c.channel_id == "email_support_acme" for c in found)


def test_contact_messages_and_read(cxone_sandbox, cxone_client):
    contact_id = new_contact(cxone_sandbox, "whatsapp", text="Olá 👋 preciso de ajuda")
    contact = cxone_client.contact(contact_id)
    assert contact.status == "new" and contact.customer_digital_id.isdigit()
    [message] = cxone_client.messages(contact_id)
    assert message.text == "Olá 👋 preciso de ajuda" and message.direction == "inbound"
    assert cxone_client.mark_read(message.id).id == message.id
    with pytest.raises(CxoneNotFound) as missing:
        cxone_client.contact("99999999")
    assert missing.value.status == 404 and missing.value.error_code == "ContactNotFound"


def test_assignment_status_and_transfer(cxone_sandbox, cxone_client):
    contact_id = new_contact(cxone_sandbox)
    cxone_client.assign(contact_id, 101)
    assert cxone_client.contact(contact_id).assignee_id == 101
    cxone_client.set_status(contact_id, "open")
    assert cxone_client.contact(contact_id).status == "open"
    cxone_client.unassign(contact_id)
    assert cxone_client.contact(contact_id).assignee_id is None
    # VIP care has one member (Chloé, 103): a transfer there lands straight with her.
    cxone_client.transfer(contact_id, VIP)
    moved = cxone_client.contact(contact_id)
    assert (moved.routing_queue_id, moved.assignee_id) == (VIP, 103)
    cxone_client.transfer(contact_id, SUPPORT)
    moved = cxone_client.contact(contact_id)
    assert (moved.routing_queue_id, moved.assignee_id) == (SUPPORT, None)
    with pytest.raises(CxoneValidationError) as bad:
        cxone_client.set_status(contact_id, "sleeping")
    assert bad.value.field == "status"


def test_reply_resolves_and_customer_reopens(cxone_sandbox, cxone_client):
    contact_id = new_contact(cxone_sandbox, "chat")
    contact = cxone_client.contact(contact_id)
    cxone_client.assign(contact_id, 102)
    message, after = cxone_client.reply(
        contact.channel_id, contact.thread_id, "On its way 🚚✨", status_after="resolved"
    )
    assert message.text == "On its way 🚚✨" and after.status == "resolved"
    cxone_sandbox.customer_writes(contact_id=contact_id, text="It still hasn't come 😞")
    reopened = cxone_client.contact(contact_id)
    assert reopened.status == "open" and reopened.assignee_id is None  # back in its routing queue
    assert [m.direction for m in cxone_client.messages(contact_id)] == [
        "inbound",
        "outbound",
        "inbound",
    ]


def test_new_email_and_sms_with_channel_capabilities(cxone_client):
    message, contact = cxone_client.send_new(
        "email_support_acme",
        ["maria.garcia@example.com"],
        "<p>Your refund is <b>on its way</b></p>",
        html=True,
        title="Refund for INV-20931",
        status_after="resolved",
    )
    assert contact.direction == "outbound" and contact.status == "resolved"
    assert message.text.startswith("<p>")
    _, sms = cxone_client.send_new("sms_acme_us", ["+14155550199"], "Your parcel arrives Friday")
    assert sms.customer_digital_id == "+14155550199"
    with pytest.raises(CxoneValidationError) as no_rich_text:
        cxone_client.send_new("sms_acme_us", ["+14155550199"], "<b>bold</b>", html=True)
    assert no_rich_text.value.status == 422
    with pytest.raises(CxoneValidationError) as no_outbound:
        cxone_client.send_new("chat_acme_web", ["someone"], "hello")
    assert no_outbound.value.error_code == "OutboundNotAllowed"


def test_attachments_upload_and_send_where_the_channel_allows(cxone_sandbox, cxone_client):
    import requests

    contact_id = new_contact(cxone_sandbox, "chat")
    contact = cxone_client.contact(contact_id)
    upload = cxone_client.upload_attachment("receipt.pdf", b"%PDF-1.4 receipt", "application/pdf")
    message, _ = cxone_client.reply(
        contact.channel_id, contact.thread_id, "Here it is", attachments=[upload]
    )
    assert [a.name for a in message.attachments] == ["receipt.pdf"]
    assert requests.get(message.attachments[0].url, timeout=5).content == b"%PDF-1.4 receipt"
    sms_id = new_contact(cxone_sandbox, "sms")
    sms = cxone_client.contact(sms_id)
    with pytest.raises(CxoneValidationError) as refused:
        cxone_client.reply(sms.channel_id, sms.thread_id, "file", attachments=[upload])
    assert refused.value.error_code == "AttachmentsNotSupported"


# --- resilience --------------------------------------------------------------------------------


def test_429_is_retried_after_retry_after(fresh_cxone_sandbox):
    sandbox = fresh_cxone_sandbox()
    client = CxoneClient(cxone_config(sandbox.url), http=SpecCheckedSession())
    client.tags()
    sandbox.fault("/dfo/3.0/tags", 429, count=2, retry_after=1)
    started = time.monotonic()
    calls_before = client.calls
    assert client.tags()
    assert time.monotonic() - started >= 2.0  # waited Retry-After twice
    assert client.calls - calls_before == 3


def test_bursts_of_503_are_retried_and_then_give_up(fresh_cxone_sandbox):
    sandbox = fresh_cxone_sandbox()
    client = CxoneClient(cxone_config(sandbox.url, max_attempts=4), http=SpecCheckedSession())
    sandbox.fault("/dfo/3.0/channels", 503, count=3)
    assert client.channels()
    sandbox.fault("/dfo/3.0/channels", 503, count=10)
    with pytest.raises(CxoneUnavailable) as unavailable:
        client.channels()
    assert unavailable.value.status == 503


def test_outbound_post_is_not_retried_on_503_but_is_on_429(fresh_cxone_sandbox):
    sandbox = fresh_cxone_sandbox()
    client = CxoneClient(cxone_config(sandbox.url), http=SpecCheckedSession())
    contact_id = sandbox.customer_writes(channel="chat")["contact"]["id"]
    contact = client.contact(contact_id)
    path = f"/dfo/3.0/channels/{contact.channel_id}/outbound"
    sandbox.fault(path, 503, count=1)
    with pytest.raises(CxoneUnavailable):
        client.reply(contact.channel_id, contact.thread_id, "maybe sent")
    assert len(client.messages(contact_id)) == 1  # the customer's only: nothing resent blindly
    sandbox.fault(path, 429, count=1, retry_after=0)
    client.reply(contact.channel_id, contact.thread_id, "sent once")
    assert [m.text for m in client.messages(contact_id)][1:] == ["sent once"]


def test_token_expiring_mid_session_is_renewed(fresh_cxone_sandbox):
    sandbox = fresh_cxone_sandbox()
    client = CxoneClient(cxone_config(sandbox.url), http=SpecCheckedSession())
    client.tags()
    sandbox.control("/sandbox/tokens/expire")
    assert client.tags()
    assert client.tokens.tokens_issued == 2


def test_short_lived_tokens_are_refreshed_before_expiry(fresh_cxone_sandbox):
    sandbox = fresh_cxone_sandbox(token_ttl=3)
    client = CxoneClient(
        cxone_config(sandbox.url, refresh_margin_seconds=2), http=SpecCheckedSession()
    )
    client.tags()
    time.sleep(1.2)
    client.tags()
    assert client.tokens.tokens_issued == 2
    assert client.calls == 2  # refreshed before the call: no 401 round trip


def test_timeouts_become_a_typed_error():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    accepted = []
    stop = threading.Event()

    def accept() -> None:
        silent.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(silent.accept()[0])  # never answers
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{silent.getsockname()[1]}"
    client = CxoneClient(cxone_config(url, timeout_seconds=0.3, max_attempts=2))
    try:
        started = time.monotonic()
        with pytest.raises(CxoneUnavailable):
            client.tags()
        assert time.monotonic() - started < 5
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        silent.close()
