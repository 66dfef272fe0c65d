"""Typed views of CXone payloads, parsed tolerantly: real payloads carry nulls where the spec says
string, values outside its enums, and fields it does not list. Unknown fields are kept in `raw`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

CHANNEL_KINDS = ("chat", "email", "facebook", "instagram", "sms", "twitter", "whatsapp")


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


@dataclass(frozen=True)
class Agent:
    id: int | None
    cxone_id: str | None
    email: str | None
    name: str

    @classmethod
    def parse(cls, data: Any) -> Agent | None:
        if not isinstance(data, dict):
            return None
        name = " ".join(p for p in (_str(data.get("firstName")), _str(data.get("surname"))) if p)
        return cls(
            id=_int(data.get("id")),
            cxone_id=_str(data.get("incontactId")),
            email=_str(data.get("emailAddress")),
            name=name or _str(data.get("nickname")) or "",
        )


@dataclass(frozen=True)
class Contact:
    """A CXone contact ("case"): one digital interaction."""

    id: str
    status: str | None = None
    channel_id: str | None = None
    routing_queue_id: str | None = None
    priority: int | None = None
    assignee: Agent | None = None
    assignee_id: int | None = None
    created_at: datetime | None = None
    status_updated_at: datetime | None = None
    preview: str | None = None
    direction: str | None = None
    thread_id: str | None = None
    customer_id: str | None = None
    customer_name: str | None = None
    customer_digital_id: str | None = None
    tag_ids: tuple[int, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Contact:
        end_user = data.get("endUser") if isinstance(data.get("endUser"), dict) else {}
        identity = (
            data.get("authorEndUserIdentity")
            if isinstance(data.get("authorEndUserIdentity"), dict)
            else {}
        )
        name = _str(end_user.get("fullName")) or " ".join(
            p for p in (_str(identity.get("firstName")), _str(identity.get("lastName"))) if p
        )
        assignee = Agent.parse(data.get("inboxAssigneeUser"))
        tags = data.get("tags") if isinstance(data.get("tags"), list) else []
        return cls(
            id=str(data["id"]),
            status=_str(data.get("status")),
            channel_id=_str(data.get("channelId")),
            routing_queue_id=_str(data.get("routingQueueId")),
            priority=_int(data.get("routingQueuePriority")),
            assignee=assignee,
            assignee_id=assignee.id if assignee else _int(data.get("inboxAssignee")),
            created_at=parse_time(data.get("createdAt")),
            status_updated_at=parse_time(data.get("statusUpdatedAt")),
            preview=_str(data.get("preview")),
            direction=_str(data.get("direction")),
            thread_id=_str(data.get("threadIdOnExternalPlatform")),
            customer_id=_str(end_user.get("id")),
            customer_name=(name or "").strip() or None,
            customer_digital_id=_str(identity.get("idOnExternalPlatform")),
            tag_ids=tuple(
                t["id"] for t in tags if isinstance(t, dict) and isinstance(t.get("id"), int)
            ),
            raw=data,
        )


@dataclass(frozen=True)
class Attachment:
    name: str
    url: str


@dataclass(frozen=True)
class Message:
    id: str
    direction: str | None
    text: str
    created_at: datetime | None
    author_agent: Agent | None
    author_customer_id: str | None
    attachments: tuple[Attachment, ...]
    is_read: bool | None
    title: str | None
    contact_id: str | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Message:
        content = data.get("messageContent") if isinstance(data.get("messageContent"), dict) else {}
        payload = content.get("payload") if isinstance(content.get("payload"), dict) else {}
        text = (
            payload.get("text")
            if isinstance(payload.get("text"), str)
            else content.get("fallbackText")
        )
        customer = (
            data.get("authorEndUserIdentity")
            if isinstance(data.get("authorEndUserIdentity"), dict)
            else {}
        )
        attachments = tuple(
            Attachment(str(a.get("friendlyName") or "attachment"), str(a["url"]))
            for a in data.get("attachments") or []
            if isinstance(a, dict) and a.get("url")
        )
        return cls(
            id=str(data["id"]),
            direction=_str(data.get("direction")),
            text=text if isinstance(text, str) else "",
            created_at=parse_time(data.get("createdAtWithMilliseconds") or data.get("createdAt")),
            author_agent=Agent.parse(data.get("authorUser")),
            author_customer_id=_str(customer.get("idOnExternalPlatform")),
            attachments=attachments,
            is_read=data.get("isRead") if isinstance(data.get("isRead"), bool) else None,
            title=_str(data.get("title")),
            contact_id=_str(data.get("contactNumber")),
            raw=data,
        )


@dataclass(frozen=True)
class Channel:
    id: str
    name: str
    kind: str  # chat, email, facebook, instagram, sms, twitter, whatsapp (or what CXone says)
    can_send_files: bool
    rich_text: bool
    has_subject: bool
    outbound: bool
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Channel:
        return cls(
            id=str(data["id"]),
            name=str(data.get("name") or data["id"]),
            kind=str(data.get("realExternalPlatformId") or "unknown"),
            can_send_files=bool(data.get("hasAbilityToSendFiles")),
            rich_text=bool(data.get("wysiwygEnabled")),
            has_subject=bool(data.get("hasVisibleTitle")),
            outbound=bool(data.get("hasManualOutboundFlow") or data.get("hasOutboundFlow")),
            raw=data,
        )


@dataclass(frozen=True)
class RoutingQueue:
    id: str
    name: str
    kind: str | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def parse(cls, data: dict[str, Any]) -> RoutingQueue:
        return cls(
            id=str(data["id"]),
            name=str(data.get("name") or ""),
            kind=_str(data.get("type")),
            raw=data,
        )


@dataclass(frozen=True)
class Tag:
    id: int
    title: str
    color: str | None

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Tag:
        return cls(
            id=int(data["id"]), title=str(data.get("title") or ""), color=_str(data.get("color"))
        )


@dataclass(frozen=True)
class ContactPage:
    contacts: list[Contact]
    hits: int
    scroll_token: str | None


@dataclass(frozen=True)
class OutgoingAttachment:
    """A file uploaded to CXone's temporary storage, to attach to an outbound message."""

    name: str
    id: str
    url: str | None = None
    expires_at: datetime | None = None
