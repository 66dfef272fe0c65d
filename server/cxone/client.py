"""The CXone DFO 3.0 client: every operation the Digital tab needs, with timeouts, retries and
typed errors.

Retries: 429, 502, 503 and 504 (and network failures) are retried with jittered exponential
backoff, honouring Retry-After. GET, PUT and DELETE are idempotent and always retried. A POST is
retried only when no duplicate can result: when it never reached CXone (connection refused), on
429 (CXone refused it unprocessed), or when the caller declares it idempotent.
"""

from __future__ import annotations

import base64
import email.utils
import logging
import random
import time
from collections.abc import Iterator, Sequence
from typing import Any

import requests

from server.cxone.auth import TokenProvider
from server.cxone.config import CxoneConfig
from server.cxone.errors import CxoneAuthError, CxoneError, CxoneUnavailable, error_for
from server.cxone.models import (
    Channel,
    Contact,
    ContactPage,
    Message,
    OutgoingAttachment,
    RoutingQueue,
    Tag,
    parse_time,
)

log = logging.getLogger(__name__)
RETRIED_STATUSES = frozenset({429, 502, 503, 504})
DFO = "/dfo/3.0"


# One worker serves many agents at once (gevent): keep that many connections to CXone, not
# requests' default 10 (beyond it every call opened a new connection and urllib3 warned).
POOL_SIZE = 64


def _pooled_session() -> requests.Session:
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=POOL_SIZE)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class CxoneClient:
    def __init__(self, config: CxoneConfig, http: requests.Session | None = None) -> None:
        self.config = config
        self._http = http or _pooled_session()
        self.tokens = TokenProvider(config, self._http)
        self.calls = 0  # HTTP requests sent to the API (benchmarks and tests count them)

    # --- contacts ----------------------------------------------------------------------------

    def search_contacts(
        self,
        *,
        statuses: Sequence[str] = (),
        channels: Sequence[str] = (),
        routing_queues: Sequence[str] = (),
        tags: Sequence[int] = (),
        customer_ids: Sequence[str] = (),
        query: str | None = None,
        sorting: str | None = None,
        sorting_type: str | None = None,
        scroll_token: str | None = None,
    ) -> ContactPage:
        params: list[tuple[str, Any]] = []
        params += [("status[]", s) for s in statuses]
        params += [("channel[]", c) for c in channels]
        params += [("routingQueueId[]", q) for q in routing_queues]
        params += [("tag[]", t) for t in tags]
        params += [("endUserIdOnExternalPlatform[]", c) for c in customer_ids]
        for name, value in (
            ("query", query),
            ("sorting", sorting),
            ("sortingType", sorting_type),
            ("scrollToken", scroll_token),
        ):
            if value:
                params.append((name, value))
        body = self._request("GET", "/contacts", params=params)
        return ContactPage(
            contacts=[
                Contact.parse(c)
                for c in body.get("data") or []
                if isinstance(c, dict) and c.get("id") is not None
            ],
            hits=int(body.get("hits") or 0),
            scroll_token=body.get("scrollToken") or None,
        )

    def iter_contacts(self, **filters: Any) -> Iterator[Contact]:
        """Every contact matching the filters, following scrollToken from page to page."""
        page = self.search_contacts(**filters)
        yield from page.contacts
        while page.scroll_token and page.contacts:
            page = self.search_contacts(scroll_token=page.scroll_token)
            yield from page.contacts

    def contact(self, contact_id: str) -> Contact:
        return Contact.parse(self._request("GET", f"/contacts/{contact_id}"))

    def messages(self, contact_id: str) -> list[Message]:
        body = self._request("GET", f"/contacts/{contact_id}/messages")
        return [
            Message.parse(m) for m in body.get("data") or [] if isinstance(m, dict) and m.get("id")
        ]

    def set_status(self, contact_id: str, status: str) -> None:
        self._request("PUT", f"/contacts/{contact_id}/status", json={"status": status})

    def assign(self, contact_id: str, user_id: int) -> None:
        self._request(
            "PUT", f"/contacts/{contact_id}/inbox-assignment", json={"inboxAssignee": user_id}
        )

    def unassign(self, contact_id: str) -> None:
        self._request("DELETE", f"/contacts/{contact_id}/inbox-assignment")

    def transfer(self, contact_id: str, routing_queue_id: str) -> None:
        self._request(
            "PUT",
            f"/contacts/{contact_id}/routing-queue",
            json={"routingQueueId": routing_queue_id},
        )

    # --- messages ----------------------------------------------------------------------------

    def reply(
        self,
        channel_id: str,
        thread_id: str,
        text: str,
        *,
        html: bool = False,
        title: str | None = None,
        attachments: Sequence[OutgoingAttachment] = (),
        status_after: str | None = None,
    ) -> tuple[Message, Contact]:
        body = self._outbound_body(text, html, title, attachments, status_after)
        body["thread"] = {"idOnExternalPlatform": thread_id}
        return self._send_outbound(channel_id, body)

    def send_new(
        self,
        channel_id: str,
        recipients: Sequence[str],
        text: str,
        *,
        html: bool = False,
        title: str | None = None,
        attachments: Sequence[OutgoingAttachment] = (),
        status_after: str | None = None,
    ) -> tuple[Message, Contact]:
        """A new outbound conversation (email, SMS) to these digital ids."""
        body = self._outbound_body(text, html, title, attachments, status_after)
        body["recipients"] = [
            {"idOnExternalPlatform": r, "isPrimary": i == 0} for i, r in enumerate(recipients)
        ]
        return self._send_outbound(channel_id, body)

    def upload_attachment(self, name: str, content: bytes, mime_type: str) -> OutgoingAttachment:
        """Upload a file to CXone's temporary storage, ready to attach to a message."""
        # A duplicate upload only leaves an unused temporary file behind: safe to retry.
        body = self._request(
            "POST",
            "/attachments/temporary",
            json={"content": base64.b64encode(content).decode(), "mimeType": mime_type},
            idempotent=True,
        )
        return OutgoingAttachment(
            name=name,
            id=str(body["id"]),
            url=body.get("url"),
            expires_at=parse_time(body.get("expireAt")),
        )

    def mark_read(self, message_id: str, is_read: bool = True) -> Message:
        return Message.parse(
            self._request("PUT", f"/messages/{message_id}/read", json={"isRead": is_read})
        )

    # --- reference data ----------------------------------------------------------------------

    def channels(self) -> list[Channel]:
        return [
            Channel.parse(c) for c in self._request("GET", "/channels") or [] if isinstance(c, dict)
        ]

    def routing_queues(self, *, assignable_by_user: int | None = None) -> list[RoutingQueue]:
        params = (
            {"isAssignableByUser": assignable_by_user} if assignable_by_user is not None else None
        )
        body = self._request("GET", "/routing-queues", params=params)
        return [RoutingQueue.parse(q) for q in body.get("data") or [] if isinstance(q, dict)]

    def tags(self) -> list[Tag]:
        return [
            Tag.parse(t)
            for t in self._request("GET", "/tags").get("data") or []
            if isinstance(t, dict)
        ]

    def ping(self) -> None:
        """One cheap authenticated call, no retries: for readiness checks."""
        self._request("GET", "/tags", attempts=1)

    def event_hub_url(self) -> str:
        body = self._request("GET", self.config.event_hub_url_path, prefix="")
        return str(body["url"])

    # --- the HTTP core -----------------------------------------------------------------------

    @staticmethod
    def _outbound_body(
        text: str,
        html: bool,
        title: str | None,
        attachments: Sequence[OutgoingAttachment],
        status_after: str | None,
    ) -> dict[str, Any]:
        content: dict[str, Any] = {"type": "TEXT", "payload": {"text": text}, "fallbackText": text}
        if html:
            content["parameters"] = {"contentFormat": "html"}
        body: dict[str, Any] = {"messageContent": content}
        if title:
            body["title"] = title
        if attachments:
            body["attachments"] = [
                {"id": a.id, "friendlyName": a.name, **({"url": a.url} if a.url else {})}
                for a in attachments
            ]
        if status_after:
            body["contact"] = {"status": status_after}
        return body

    def _send_outbound(self, channel_id: str, body: dict[str, Any]) -> tuple[Message, Contact]:
        answer = self._request("POST", f"/channels/{channel_id}/outbound", json=body)
        return Message.parse(answer["message"]), Contact.parse(answer["consumerContact"])

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        idempotent: bool | None = None,
        prefix: str = DFO,
        attempts: int | None = None,
    ) -> Any:
        """Raises: CxoneError subclasses (after retries where retrying is safe)."""
        retry_any = idempotent if idempotent is not None else method != "POST"
        max_attempts = attempts or self.config.max_attempts
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            token = self.tokens.token()
            url = self.tokens.api_url() + prefix + path
            try:
                self.calls += 1
                response = self._http.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                    timeout=self.config.timeout_seconds,
                )
            except requests.ConnectionError as exc:
                # Refused connections never reached CXone; other failures (reset mid-request)
                # may have, so a non-idempotent POST stops there.
                never_sent = (
                    isinstance(exc, requests.ConnectTimeout) or "refused" in str(exc).lower()
                )
                if attempt < max_attempts and (retry_any or never_sent):
                    self._sleep(attempt, None)
                    continue
                raise CxoneUnavailable(
                    None, type(exc).__name__, f"CXone unreachable for {method} {path}"
                ) from None
            except requests.Timeout:
                if attempt < max_attempts and retry_any:
                    self._sleep(attempt, None)
                    continue
                raise CxoneUnavailable(
                    None, "Timeout", f"CXone timed out on {method} {path}"
                ) from None
            status = response.status_code
            if status == 401 and not refreshed:
                # The token expired or was revoked mid-session: one fresh token, then one retry.
                self.tokens.invalidate(token)
                refreshed = True
                attempt -= 1
                continue
            if (
                status in RETRIED_STATUSES
                and attempt < max_attempts
                and (retry_any or status == 429)
            ):
                log.info(
                    "CXone %s %s answered %s; retrying (attempt %s)", method, path, status, attempt
                )
                self._sleep(attempt, response.headers.get("Retry-After"))
                continue
            if status >= 400:
                error = error_for(status, _json(response))
                if status == 401:
                    raise CxoneAuthError(status, error.error_code, error.message)
                raise error
            return _json(response) if response.content else {}

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = _retry_after_seconds(retry_after)
        if delay is None:
            ceiling = min(
                self.config.backoff_cap_seconds,
                self.config.backoff_base_seconds * 2 ** (attempt - 1),
            )
            delay = random.uniform(ceiling / 2, ceiling)  # noqa: S311 (jitter, not security)
        time.sleep(min(delay, 60.0))


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds or as an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parsed = email.utils.parsedate_to_datetime(value) if value else None
    if parsed is None:
        return None
    return max(0.0, parsed.timestamp() - time.time())


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


__all__ = ["CxoneClient", "CxoneError"]
