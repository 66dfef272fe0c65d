"""Play the customer: a message on any channel, new conversation or reply to an existing one."""

from __future__ import annotations

import random
import uuid
from typing import Any

from server.sandbox.cxone.seed import CUSTOMERS, OPENERS, digital_id
from server.sandbox.cxone.store import SandboxError, Store


def play_customer(store: Store, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """body: {"contact_id": "12"} to reply on that contact's thread, or {"channel": "sms" | channel
    id} for a new conversation; optional "text", "first_name", "last_name", "tag_ids", and for a
    new conversation "routing_queue_id" (where routing puts it; else the channel's queue)."""
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        raise SandboxError(400, "InvalidField", "text must be a string", "text")
    tag_ids = [t for t in body.get("tag_ids") or [] if isinstance(t, int)]
    if body.get("contact_id") is not None:
        record = store.contact(str(body["contact_id"]))
        customer = store.get("customers", record["customerId"]) or {}
        return store.customer_writes(
            record["channelId"],
            customer={
                "id": record["customerId"],
                "identity": customer.get("identity"),
                "firstName": customer.get("firstName", ""),
                "surname": customer.get("surname", ""),
            },
            thread_id=record["threadIdOnExternalPlatform"],
            text=text or "Hello again, any news?",
            tag_ids=tag_ids,
        )
    channel = _channel(store, str(body.get("channel") or "chat"))
    platform = channel["realExternalPlatformId"]
    rng = random.Random()
    first, last = rng.choice(CUSTOMERS)
    first, last = body.get("first_name") or first, body.get("last_name") or last
    identity = str(body.get("identity") or digital_id(platform, rng, first, last))
    return store.customer_writes(
        channel["id"],
        customer={
            "id": f"{platform}_{identity}",
            "identity": identity,
            "firstName": first,
            "surname": last,
        },
        thread_id=str(uuid.uuid4()),
        text=text or OPENERS[platform],
        title=body.get("title") if platform == "email" else None,
        tag_ids=tag_ids,
        routing_queue_id=_queue(store, body.get("routing_queue_id")),
    )


def _channel(store: Store, wanted: str) -> dict[str, Any]:
    for channel in store.all("channels"):
        if wanted in (channel["id"], channel["realExternalPlatformId"]):
            return channel
    raise SandboxError(404, "ChannelNotFound", f"No channel {wanted!r}", "channel")


def _queue(store: Store, wanted: Any) -> str | None:
    if wanted is None:
        return None
    if not isinstance(wanted, str) or store.get("routing_queues", wanted) is None:
        raise SandboxError(
            404, "RoutingQueueNotFound", f"No routing queue {wanted!r}", "routing_queue_id"
        )
    return wanted
