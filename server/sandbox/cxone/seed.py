"""Demo data a person would believe: channels of all seven kinds, digital and outbound routing
queues, tags, agents (the same people as the Salesforce stand-in's demo users) and a few dozen
interactions in every status with message history. Deterministic, so tests can rely on it."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from server.sandbox.cxone.store import Store

TENANT_ID = "5a1b2c3d-0000-4000-8000-00000000c0de"
# The sandbox's own credentials: not secrets, they open nothing but the sandbox.
SANDBOX_CREDENTIALS = {
    "access_key_id": "sandbox-access-key",
    "access_key_secret": "sandbox-access-secret",
    "client_id": "sandbox-client",
    "client_secret": "sandbox-client-secret",
}


def sandbox_environment(url: str) -> dict[str, str]:
    """The CXONE_* variables that point a backend at a sandbox listening at `url`."""
    return {
        "CXONE_ACCESS_KEY_ID": SANDBOX_CREDENTIALS["access_key_id"],
        "CXONE_ACCESS_KEY_SECRET": SANDBOX_CREDENTIALS["access_key_secret"],
        "CXONE_CLIENT_ID": SANDBOX_CREDENTIALS["client_id"],
        "CXONE_CLIENT_SECRET": SANDBOX_CREDENTIALS["client_secret"],
        "CXONE_AUTH_URL": url,
        "CXONE_DISCOVERY_URL": url,
    }


QUEUES = {
    "support": ("8a5c0f6e-0001-4000-8000-000000000001", "Support — Chat & Social", "digital"),
    "billing": ("8a5c0f6e-0002-4000-8000-000000000002", "Billing", "digital"),
    "sales": ("8a5c0f6e-0003-4000-8000-000000000003", "Sales", "digital"),
    "vip": ("8a5c0f6e-0004-4000-8000-000000000004", "VIP care", "digital"),
    "email_out": ("8a5c0f6e-0005-4000-8000-000000000005", "Outbound Email", "outbound-email"),
    "sms_out": ("8a5c0f6e-0006-4000-8000-000000000006", "Outbound SMS", "outbound-sms"),
    "voice": (
        "8a5c0f6e-0007-4000-8000-000000000007",
        "Voice overflow (omnichannel)",
        "omnichannel",
    ),
}

# (platform, channel id, name, files, rich text, subject, outbound)
CHANNELS = [
    ("chat", "chat_acme_web", "Acme web chat", True, False, False, False),
    ("email", "email_support_acme", "support@acme.example", True, True, True, True),
    ("facebook", "fb_acme_page", "Acme on Messenger", True, False, False, False),
    ("instagram", "ig_acme", "@acme on Instagram", True, False, False, False),
    ("sms", "sms_acme_us", "Acme SMS +1 415 555 0100", False, False, False, True),
    ("twitter", "x_acme_dm", "@AcmeHelp on X", True, False, False, False),
    ("whatsapp", "wa_acme", "Acme on WhatsApp", True, False, False, False),
]

AGENTS = [
    # id, CXone user id, email (= the Salesforce demo user's), first name, surname, queues
    (
        101,
        "11111111-aaaa-4000-8000-000000000101",
        "ana.lima@acme.example",
        "Ana",
        "Lima",
        ["support", "billing", "email_out", "sms_out"],
    ),
    (
        102,
        "11111111-aaaa-4000-8000-000000000102",
        "ben.okafor@acme.example",
        "Ben",
        "Okafor",
        ["support", "sales"],
    ),
    (
        103,
        "11111111-aaaa-4000-8000-000000000103",
        "chloe@acme.example",
        "Chloé",
        "Martin",
        ["support", "billing", "vip"],
    ),
    (
        104,
        "11111111-aaaa-4000-8000-000000000104",
        "dana.ito@globex.example",
        "Dana",
        "Ito",
        ["sales"],
    ),
]

TAGS = [
    (1, "Urgent", "#c23934"),
    (2, "Billing", "#0176d3"),
    (3, "Complaint", "#dd7a01"),
    (4, "Lead", "#2e844a"),
    (5, "Returns", "#9050e9"),
    (6, "VIP", "#032d60"),
]

CUSTOMERS = [
    ("Maria", "Garcia"),
    ("James", "Smith"),
    ("Aiko", "Tanaka"),
    ("Olu", "Adeyemi"),
    ("Sofia", "Rossi"),
    ("Liam", "O'Brien"),
    ("Priya", "Patel"),
    ("Noah", "Müller"),
    ("Chen", "Wei"),
    ("Fatima", "Zahra"),
    ("Lucas", "Silva"),
    ("Emma", "Johansson"),
]

OPENERS = {
    "chat": "Hi, my order hasn't arrived yet 📦",
    "email": "Hello,\n\nI was charged twice for invoice INV-20931. Could you refund one of them?\n\nThanks",
    "facebook": "Do you ship to Canada? 🇨🇦",
    "instagram": "Love the new collection 😍 is the blue jacket back in stock?",
    "sms": "Can I move my delivery to Friday?",
    "twitter": "@AcmeHelp my account is locked, can you help?",
    "whatsapp": "Olá! I need to return a pair of shoes 👟",
}


def digital_id(platform: str, rng: random.Random, first: str, last: str) -> str:
    """Identifiers in each platform's own form."""
    if platform == "chat":
        return "-".join(f"{rng.getrandbits(b):0{b // 4}X}" for b in (32, 16, 16, 16, 48))
    if platform == "email":
        return f"{first}.{last}@example.com".lower().replace("'", "").replace("ü", "u")
    if platform == "facebook":
        return str(rng.randrange(10**15, 10**16))  # page-scoped Messenger id
    if platform == "instagram":
        return str(rng.randrange(10**16, 10**17))  # Instagram-scoped id
    if platform == "twitter":
        return str(rng.randrange(10**18, 10**19))  # X numeric user id
    if platform == "whatsapp":
        return f"44770090{rng.randrange(1000, 9999)}"  # WhatsApp id: the phone number, digits only
    return f"+1415555{rng.randrange(1000, 9999)}"  # SMS: E.164 mobile


def seed(store: Store) -> None:
    for key, (queue_id, name, kind) in QUEUES.items():
        store.put(
            "routing_queues",
            queue_id,
            {
                "id": queue_id,
                "name": name,
                "isSubqueue": False,
                "isDeleted": False,
                "type": kind,
                "x-key": key,
            },
        )
    for platform, channel_id, name, files, rich, subject, outbound in CHANNELS:
        store.put(
            "channels",
            channel_id,
            _channel(platform, channel_id, name, files, rich, subject, outbound),
        )
    for tag_id, title, color in TAGS:
        store.put("tags", tag_id, {"id": tag_id, "title": title, "color": color})
    store.put(
        "users",
        100,
        _user(
            100,
            "11111111-aaaa-4000-8000-000000000100",
            "integration@acme.example",
            "Digital tab",
            "integration",
        ),
    )
    for user_id, cxone_id, email, first, last, queues in AGENTS:
        store.put("users", user_id, _user(user_id, cxone_id, email, first, last))
        for key in queues:
            store.add_member(QUEUES[key][0], user_id)
    _interactions(store)


def _interactions(store: Store) -> None:
    rng = random.Random(20261125)
    start = datetime.now(UTC) - timedelta(days=3)
    statuses = (
        ["new"] * 14
        + ["open"] * 10
        + ["pending"] * 4
        + ["escalated"] * 3
        + ["resolved"] * 5
        + ["closed"] * 6
    )
    digital_queues = ["support", "billing", "sales", "vip"]
    for index, status in enumerate(statuses):
        platform, channel_id, *_ = CHANNELS[index % len(CHANNELS)]
        queue_key = digital_queues[index % 3] if index % 11 else "vip"
        record = _demo_customer_writes(
            store,
            index,
            rng,
            thread_id=f"thread-{index:03d}",
            routing_queue_id=QUEUES[queue_key][0],
            at=start + timedelta(minutes=97 * index),
            title="Double charge on INV-20931" if platform == "email" else None,
        )
        if status == "new":
            continue
        members = [a for a in AGENTS if queue_key in a[5]]
        agent = members[index % len(members)] if members else AGENTS[0]
        store.assign(record["id"], agent[0])
        store.agent_replies(
            channel_id,
            f"thread-{index:03d}",
            user_id=agent[0],
            text=f"Thanks {CUSTOMERS[index % len(CUSTOMERS)][0]}, I'm looking into it now.",
            rich=False,
            title=None,
            attachments=[],
            status_after=None,
        )
        store.set_status(record["id"], status)
        if status in ("resolved", "closed"):
            store.unassign(record["id"])


def _channel(
    platform: str,
    channel_id: str,
    name: str,
    files: bool,
    rich: bool,
    subject: bool,
    outbound: bool,
) -> dict[str, Any]:
    default_queue = QUEUES["support"][0] if platform != "email" else QUEUES["billing"][0]
    outbound_queue = {"email": QUEUES["email_out"][0], "sms": QUEUES["sms_out"][0]}.get(platform)
    return {
        "id": channel_id,
        "name": name,
        "channelIntegrationId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"cxone-sandbox/{channel_id}")),
        "realExternalPlatformId": platform,
        "idOnExternalPlatform": f"{channel_id}-external",
        "isPrivate": platform not in ("twitter",),
        "hasTreeStructure": False,
        "hasAbilityToSendFiles": files,
        "wysiwygEnabled": rich,
        "contentFormat": "html" if rich else "plain",
        "hasVisibleTitle": subject,
        "hasEditableTitle": subject,
        "hasManualOutboundFlow": outbound,
        "hasOutboundFlow": outbound,
        "hasReply": True,
        "isLiveChat": platform == "chat",
        "isHidden": False,
        "isDeleted": False,
        "x-defaultRoutingQueueId": default_queue,
        "x-outboundRoutingQueueId": outbound_queue,
    }


def _user(user_id: int, cxone_id: str, email: str, first: str, last: str) -> dict[str, Any]:
    return {
        "id": user_id,
        "incontactId": cxone_id,
        "emailAddress": email,
        "loginUsername": email,
        "firstName": first,
        "surname": last,
        "nickname": first,
        "isBotUser": False,
        "isSurveyUser": False,
    }


def seed_bulk(store: Store, interactions: int, queues: int, member_user_id: int = 101) -> list[str]:
    """Load for benchmarks: `queues` more digital queues (with one agent in all of them) and
    `interactions` open interactions spread across them. Returns the new queues' ids."""
    rng = random.Random(7)
    queue_ids = []
    for index in range(queues):
        queue_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"cxone-sandbox/bench-queue/{index}"))
        store.put(
            "routing_queues",
            queue_id,
            {
                "id": queue_id,
                "name": f"Bench queue {index + 1}",
                "isSubqueue": False,
                "isDeleted": False,
                "type": "digital",
            },
        )
        store.add_member(queue_id, member_user_id)
        queue_ids.append(queue_id)
    start = datetime.now(UTC) - timedelta(days=30)
    for index in range(interactions):
        _demo_customer_writes(
            store,
            index,
            rng,
            thread_id=f"bench-{index:06d}",
            routing_queue_id=queue_ids[index % queues],
            at=start + timedelta(seconds=250 * index),
        )
    return queue_ids


def seed_bench_agents(store: Store, count: int, queue_ids: list[str], first_id: int = 1001) -> None:
    """Load for the relay benchmark: `count` more agents, each in one of `queue_ids` in turn."""
    for index in range(count):
        user_id = first_id + index
        cxone_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"cxone-sandbox/bench-agent/{index}"))
        email = f"agent{index:04d}@bench.example"
        store.put("users", user_id, _user(user_id, cxone_id, email, "Agent", f"{index:04d}"))
        store.add_member(queue_ids[index % len(queue_ids)], user_id)


def _demo_customer_writes(
    store: Store,
    index: int,
    rng: random.Random,
    *,
    thread_id: str,
    routing_queue_id: str,
    at: datetime,
    title: str | None = None,
) -> dict[str, Any]:
    """Demo customer number `index` writes in on the channel kind its number picks."""
    platform, channel_id, *_ = CHANNELS[index % len(CHANNELS)]
    first, last = CUSTOMERS[index % len(CUSTOMERS)]
    identity = digital_id(platform, rng, first, last)
    record, _ = store.customer_writes(
        channel_id,
        customer={
            "id": f"{platform}_{identity}",
            "identity": identity,
            "firstName": first,
            "surname": last,
        },
        thread_id=thread_id,
        text=OPENERS[platform],
        title=title,
        tag_ids=sorted(rng.sample([t[0] for t in TAGS], k=rng.randrange(0, 3))),
        routing_queue_id=routing_queue_id,
        priority=rng.choice([0, 0, 10, 50, 100]),
        at=at,
    )
    return record
