"""Salesforce unavailable for a while, under work, with the backend killed in the middle: the
real server (Procfile's gunicorn worker, its outbox running) keeps every disposition and writes
each exactly once when Salesforce answers again. FAULT_SECONDS sets each fault's length: 6 s in
the suite, 60 s ("a minute") by hand."""

from __future__ import annotations

import os
import threading
import time

import pytest
import requests

from tests.conftest import wait_until
from tests.salesforce.test_real_process import held_interaction, stack  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow
FAULT_SECONDS = float(os.environ.get("FAULT_SECONDS", "6"))
INTERACTIONS = int(os.environ.get("FAULT_INTERACTIONS", "6"))


def test_503_then_request_limit_then_kill_9_lose_and_duplicate_nothing(stack, standin):  # noqa: F811
    backend, sandbox = stack
    headers = backend.sign_in(standin.token("ana"), standin.url)
    account = next(r["Id"] for r in standin.records("Account") if r["Name"] == "Globex Corporation")
    contacts = [held_interaction(backend, sandbox, headers) for _ in range(INTERACTIONS)]

    # Salesforce down (503), then over its API limit (403 REQUEST_LIMIT_EXCEEDED), back to back,
    # while the agent keeps ending interactions.
    def outage() -> None:
        standin.fault(status=503, errorCode="SERVER_UNAVAILABLE", seconds=FAULT_SECONDS)
        time.sleep(FAULT_SECONDS)
        standin.fault(status=403, errorCode="REQUEST_LIMIT_EXCEEDED", seconds=FAULT_SECONDS)

    faults = threading.Thread(target=outage)
    faults.start()
    for index, contact_id in enumerate(contacts):
        requests.post(
            f"{backend.base}/api/v1/interactions/{contact_id}/end", headers=headers, timeout=10
        )
        saved = requests.put(
            f"{backend.base}/api/v1/interactions/{contact_id}/disposition",
            json={"name_id": account, "notes": f"Disposition {index}"},
            headers=headers,
            timeout=10,
        )
        assert saved.status_code == 200, saved.text  # kept, whatever Salesforce says now
        if index == INTERACTIONS // 2:
            backend.kill_9()  # in the middle of the outage, nothing written yet
            backend.start()
        time.sleep(FAULT_SECONDS / INTERACTIONS)
    faults.join()
    assert {state for _, state in backend.writes()} <= {"pending", "done"}  # none given up

    # Salesforce answers again: every disposition arrives, each exactly once.
    wait_until(
        lambda: (
            len(backend.writes()) == INTERACTIONS
            and all(state == "done" for _, state in backend.writes())
        ),
        seconds=FAULT_SECONDS * 4 + 60,
    )
    records = [
        r for r in standin.records("Digital_Interaction__c") if r["External_Id__c"] in contacts
    ]
    assert sorted(r["External_Id__c"] for r in records) == sorted(contacts)  # once each
    for index, contact_id in enumerate(contacts):
        record = next(r for r in records if r["External_Id__c"] == contact_id)
        assert record["Disposition_Notes__c"] == f"Disposition {index}"
        assert record["Account__c"] == account
