"""Render sandbox records in the shapes of the CXone specification (and real events)."""

from __future__ import annotations

from typing import Any

from server.sandbox.cxone.store import Store

PRIVATE_KEYS = ("x-",)


def user(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    if doc is None:
        return None
    return {k: v for k, v in doc.items() if not k.startswith(PRIVATE_KEYS)}


def channel(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith(PRIVATE_KEYS)}


def routing_queue(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if not k.startswith(PRIVATE_KEYS)}


def customer(store: Store, customer_id: str) -> dict[str, Any]:
    doc = store.get("customers", customer_id) or {
        "id": customer_id,
        "updatedAt": "1970-01-01T00:00:00+00:00",
    }
    identity = {"idOnExternalPlatform": doc.get("identity") or customer_id}
    if doc.get("firstName"):
        identity["firstName"] = doc["firstName"]
    if doc.get("surname"):
        identity["lastName"] = doc["surname"]
    full = f"{doc.get('firstName', '')} {doc.get('surname', '')}".strip()
    return {
        "id": doc["id"],
        "firstName": doc.get("firstName", ""),
        "surname": doc.get("surname", ""),
        "fullName": full,
        "identities": [identity],
        "updatedAt": doc["updatedAt"],
        "messageStatistics": {},
        "sentimentStatistics": {},
    }


def contact(store: Store, record: dict[str, Any]) -> dict[str, Any]:
    end_user = customer(store, record["customerId"])
    identity = end_user["identities"][0]
    assignee = user(store.get("users", record["assigneeId"])) if record["assigneeId"] else None
    return {
        "id": record["id"],
        "contactId": record["contactId"],
        "interactionId": record["interactionId"],
        "customerContactId": record["customerContactId"],
        "consumerContactStorageId": record["threadId"],
        "threadId": record["threadId"],
        "threadIdOnExternalPlatform": record["threadIdOnExternalPlatform"],
        "channelId": record["channelId"],
        "status": record["status"],
        "statusUpdatedAt": record["statusUpdatedAt"],
        "createdAt": record["createdAt"],
        "routingQueueId": record["routingQueueId"],
        "routingQueuePriority": record["priority"],
        "direction": record["direction"],
        "inboxAssigneeUser": assignee,
        "inboxPreAssigneeUser": None,
        "ownerAssigneeUser": None,
        "endUser": end_user,
        "authorEndUserIdentity": identity,
        "recipients": [
            {
                "idOnExternalPlatform": identity["idOnExternalPlatform"],
                "isPrimary": True,
                "isPrivate": False,
                "name": end_user["fullName"],
            }
        ],
        "customFields": [],
        "detailUrl": f"https://sandbox.cxone.invalid/inbox/contacts/{record['id']}",
        # Fields the real API sends beyond the published schema (as the real events show):
        "preview": record["preview"],
        "inboxAssignee": record["assigneeId"],
        "inboxAssigneeLastAssignedAt": record.get("assignedAt"),
        "tags": [t for t in (store.get("tags", tag) for tag in record["tagIds"]) if t],
        "updatedAt": record["updatedAt"],
    }


def message(store: Store, doc: dict[str, Any]) -> dict[str, Any]:
    author = user(store.get("users", doc["authorUserId"])) if doc.get("authorUserId") else None
    body = {
        k: v
        for k, v in doc.items()
        if k not in ("authorUserId", "customerIdentity", "isRead", "title")
    }
    body["authorUser"] = author
    body["authorEndUserIdentity"] = (
        {"idOnExternalPlatform": doc["customerIdentity"]} if doc.get("customerIdentity") else None
    )
    content = dict(doc["messageContent"])
    content.pop("title", None)
    body["messageContent"] = content
    # Beyond the schema, as real payloads carry them:
    body["isRead"] = doc["isRead"]
    body["title"] = doc.get("title", "")
    return body


def event(store: Store, envelope: dict[str, Any]) -> dict[str, Any]:
    data = dict(envelope["data"])
    if "case" in data:
        data["case"] = contact(store, data["case"])
    if "message" in data:
        data["message"] = message(store, data["message"])
    if "channel" in data:
        data["channel"] = channel(data["channel"])
    for key in ("inboxAssignee", "previousInboxAssignee"):
        if key in data:
            data[key] = user(data[key])
    if data.get("routingQueue"):
        data["routingQueue"] = routing_queue(data["routingQueue"])
    data.setdefault("brand", {"id": 1, "tenantId": "sandbox", "businessUnitId": 1})
    return {**envelope, "data": data}
