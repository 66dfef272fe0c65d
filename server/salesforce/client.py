"""Salesforce's REST API as one agent, through simple-salesforce with that agent's Canvas OAuth
token and instance URL: Salesforce's sharing and field security apply to everything written."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError as LibraryError

API_VERSION = "62.0"
TIMEOUT_SECONDS = 15
MAX_COLLECTION = 200  # sObject Collections take at most 200 records a call


class SalesforceFailure(Exception):
    """A call that did not succeed. `kind`: session (401, wait for a renewed token), limit
    (REQUEST_LIMIT_EXCEEDED), unavailable (5xx, network, timeout: retry) or refused (the
    request itself is wrong or not allowed: retrying changes nothing)."""

    def __init__(self, kind: str, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.kind, self.message, self.code = kind, message, code


@dataclass(frozen=True)
class RecordResult:
    ok: bool
    record_id: str | None = None
    code: str | None = None
    message: str | None = None


class _LoopbackHttp(requests.Session):
    """simple-salesforce always builds https:// URLs; the offline stand-in listens on plain
    http on loopback. Only loopback hosts are ever sent over http."""

    def __init__(self, instance_url: str) -> None:
        super().__init__()
        parts = urlsplit(instance_url)
        self._plain = parts.scheme == "http" and _is_loopback(parts.hostname or "")
        self._netloc = parts.netloc

    def request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        parts = urlsplit(url)
        if self._plain and parts.netloc == self._netloc and parts.scheme == "https":
            url = urlunsplit(("http", *parts[1:]))
        kwargs.setdefault("timeout", TIMEOUT_SECONDS)
        return super().request(method, url, *args, **kwargs)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class AgentSalesforce:
    def __init__(self, instance_url: str, oauth_token: str) -> None:
        self._sf = Salesforce(
            instance_url=instance_url,
            session_id=oauth_token,
            version=API_VERSION,
            session=_LoopbackHttp(instance_url),
        )
        self.instance_url = instance_url.rstrip("/")

    def upsert(self, sobject: str, field: str, value: str, fields: dict[str, Any]) -> str:
        """PATCH sobjects/{sobject}/{field}/{value}: the record's id. Raises SalesforceFailure."""
        path = f"sobjects/{sobject}/{field}/{requests.utils.quote(value, safe='')}"
        answer = self._call("PATCH", path, json={k: v for k, v in fields.items() if k != field})
        return str((answer or {}).get("id", ""))

    def upsert_many(
        self, sobject: str, field: str, rows: list[dict[str, Any]]
    ) -> list[RecordResult]:
        """sObject Collections upsert (allOrNone false): one result per row, in order."""
        if not 0 < len(rows) <= MAX_COLLECTION:
            raise ValueError(f"between 1 and {MAX_COLLECTION} rows a call")
        body = {
            "allOrNone": False,
            "records": [{"attributes": {"type": sobject}} | row for row in rows],
        }
        answers = self._call("PATCH", f"composite/sobjects/{sobject}/{field}", json=body) or []
        results = []
        for answer in answers:
            if answer.get("success"):
                results.append(RecordResult(True, answer.get("id")))
            else:
                error = (answer.get("errors") or [{}])[0]
                results.append(
                    RecordResult(False, code=error.get("statusCode"), message=error.get("message"))
                )
        if len(results) != len(rows):
            raise SalesforceFailure(
                "unavailable", "Salesforce answered for fewer records than sent"
            )
        return results

    def search(self, sosl: str) -> list[dict[str, Any]]:
        return list(
            (self._call("GET", "search/", params={"q": sosl}) or {}).get("searchRecords", [])
        )

    def query(self, soql: str) -> list[dict[str, Any]]:
        return list((self._call("GET", "query/", params={"q": soql}) or {}).get("records", []))

    def record_url(self, sobject: str, record_id: str) -> str:
        return f"{self.instance_url}/lightning/r/{sobject}/{record_id}/view"

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            return self._sf.restful(path, method=method, **kwargs)
        except LibraryError as exc:
            raise _failure(exc.status, exc.content) from None
        except requests.RequestException as exc:
            raise SalesforceFailure(
                "unavailable", f"Salesforce unreachable: {type(exc).__name__}"
            ) from None


def _failure(status: int, content: Any) -> SalesforceFailure:
    error = (
        content[0] if isinstance(content, list) and content and isinstance(content[0], dict) else {}
    )
    code = error.get("errorCode")
    message = str(error.get("message") or f"Salesforce answered {status}")
    if status == 401:
        return SalesforceFailure("session", message, code or "INVALID_SESSION_ID")
    if code == "REQUEST_LIMIT_EXCEEDED":
        return SalesforceFailure("limit", message, code)
    if status >= 500 or code in ("SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW"):
        return SalesforceFailure("unavailable", message, code)
    return SalesforceFailure("refused", message, code)
