"""Name and Relates To pickers: real searches in Salesforce as the agent, input escaped."""

from __future__ import annotations

import pytest

from tests.salesforce.conftest import salesforce_login


def search(tab, headers, kind: str, q: str):  # type: ignore[no-untyped-def]
    return tab.api.get(
        "/api/v1/salesforce/search", query_string={"kind": kind, "q": q}, headers=headers
    )


@pytest.mark.parametrize(
    ("q", "label", "kind"),
    [
        ("Globex", "Globex Corporation", "Account"),
        ("GX-1001", "Globex Corporation", "Account"),  # account number
        ("maria.santos@example.net", "Maria Santos", "Lead"),  # email
        ("+1 512 555 0177", "Initech", "Account"),  # phone, as typed
        ("O'Brien", "O'Brien & Sons", "Account"),  # a quote: escaped, not an injection
    ],
)
def test_name_finds_accounts_and_leads_by_name_number_email_or_phone(tab, standin, q, label, kind):
    headers = salesforce_login(tab, standin, "ana")
    found = search(tab, headers, "name", q)
    assert found.status_code == 200, found.json
    hit = next(i for i in found.json["items"] if i["label"] == label)
    assert (
        hit["type"] == kind and hit["url"] == f"{standin.url}/lightning/r/{kind}/{hit['id']}/view"
    )


def test_relates_to_finds_cases_by_number_or_subject_and_wildcards_stay_literal(tab, standin):
    headers = salesforce_login(tab, standin, "ana")
    by_subject = search(tab, headers, "case", "refund").json["items"]
    assert [i["label"].split(" ", 1)[1] for i in by_subject] == ["Refund for order 4471"]
    number = by_subject[0]["label"].split(" ", 1)[0]
    assert [i["id"] for i in search(tab, headers, "case", number).json["items"]] == [
        by_subject[0]["id"]
    ]
    # % and _ are the agent's characters, not LIKE wildcards; quotes and backslashes are escaped.
    for text in ("%%", "__", "' OR Subject LIKE '%", "\\' OR 1"):
        answer = search(tab, headers, "case", text)
        assert answer.status_code == 200 and answer.json["items"] == [], (text, answer.json)


def test_sosl_reserved_characters_are_escaped(tab, standin):
    headers = salesforce_login(tab, standin, "ana")
    for text in ("Globex} RETURNING Lead(Id)", "a\\b", "(Initech)", "x*y?"):
        answer = search(tab, headers, "name", text)
        assert answer.status_code == 200, (text, answer.json)
        assert all(i["type"] in ("Account", "Lead") for i in answer.json["items"])


def test_bad_input_and_a_refused_session_get_clear_errors(tab, standin):
    headers = salesforce_login(tab, standin, "ana")
    assert search(tab, headers, "contact", "ab").json["error"]["field"] == "kind"
    assert search(tab, headers, "name", "a").json["error"]["field"] == "q"
    assert tab.api.get("/api/v1/salesforce/search?kind=name&q=ab").status_code == 401
    standin.fault(status=403, errorCode="REQUEST_LIMIT_EXCEEDED", count=1)
    assert search(tab, headers, "name", "Globex").json["error"]["code"] == "salesforce_limit"
    standin.revoke_all_tokens()
    refused = search(tab, headers, "name", "Globex")
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "salesforce_session_expired"
