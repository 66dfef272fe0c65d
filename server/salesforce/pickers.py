"""The disposition form's pickers, from real queries as the agent: Name (Account or Lead) by
name, number, email or phone through SOSL; Relates To (Case) by number or subject through SOQL.
User input only ever reaches Salesforce escaped."""

from __future__ import annotations

import re
from typing import Any

from simple_salesforce.format import format_soql

from server.salesforce.client import AgentSalesforce

LIMIT = 8
# SOSL reserved characters, escaped with a backslash inside FIND {…}.
_SOSL_RESERVED = re.compile(r"""([?&|!{}\[\]()^~*:\\"'+\-])""")


def sosl_term(text: str) -> str:
    return _SOSL_RESERVED.sub(r"\\\1", text)


def search_names(salesforce: AgentSalesforce, text: str) -> list[dict[str, Any]]:
    sosl = (
        f"FIND {{{sosl_term(text)}*}} IN ALL FIELDS RETURNING "
        f"Account(Id, Name, AccountNumber, Phone ORDER BY Name LIMIT {LIMIT}), "
        f"Lead(Id, Name, Company, Email, Phone ORDER BY Name LIMIT {LIMIT})"
    )
    found = []
    for record in salesforce.search(sosl):
        kind = record["attributes"]["type"]
        details = (
            [record.get("AccountNumber"), record.get("Phone")]
            if kind == "Account"
            else [record.get("Company"), record.get("Email"), record.get("Phone")]
        )
        found.append(_choice(salesforce, kind, record["Id"], record.get("Name"), details))
    return found


def search_cases(salesforce: AgentSalesforce, text: str) -> list[dict[str, Any]]:
    # format_soql quotes and escapes the agent's text (quotes, backslashes, % and _).
    soql = format_soql(
        "SELECT Id, CaseNumber, Subject, Status FROM Case "
        "WHERE CaseNumber LIKE '{:like}%' OR Subject LIKE '%{:like}%' "
        "ORDER BY CaseNumber DESC LIMIT {}",
        text,
        text,
        LIMIT,
    )
    return [
        _choice(
            salesforce,
            "Case",
            record["Id"],
            f"{record.get('CaseNumber')} {record.get('Subject') or ''}".strip(),
            [record.get("Status")],
        )
        for record in salesforce.query(soql)
    ]


def _choice(
    salesforce: AgentSalesforce, kind: str, record_id: str, label: Any, details: list[Any]
) -> dict[str, Any]:
    return {
        "id": record_id,
        "type": kind,
        "label": str(label or record_id),
        "detail": " · ".join(str(d) for d in details if d),
        "url": salesforce.record_url(kind, record_id),
    }
