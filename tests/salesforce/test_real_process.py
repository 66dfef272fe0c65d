"""Write-back from the real server (the Procfile's gunicorn gevent worker, its outbox worker
running): API calls per ended interaction, and `kill -9` in the middle of a write."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest
import requests

from server.canvas.signed_request import sign
from server.launcher.demo import demo_agent
from tests.conftest import CxoneSandbox, cxone_variables, envelope, wait_for_http, wait_until
from tests.test_server_process import SECRETS, gunicorn, migrate_and_link_ana, server_env

pytestmark = pytest.mark.slow
ANA = demo_agent("ana")
SECRET = "writeback-secret"


class Backend:
    def __init__(self, tmp_path: Path, sandbox: CxoneSandbox) -> None:
        self.env = server_env(
            tmp_path,
            CANVAS_CONSUMER_SECRET=SECRET,
            LOG_LEVEL="INFO",
            SALESFORCE_OUTBOX_LEASE_SECONDS="3",
            **SECRETS,
            **cxone_variables(sandbox.url),
        )
        self.base = f"http://127.0.0.1:{self.env['PORT']}"
        self.db = tmp_path / "server.db"
        self.log = tmp_path / "server.log"
        migrate_and_link_ana(self.env)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = gunicorn(self.env, self.log)
        wait_for_http(self.base + "/healthz", self.process)

    def kill_9(self) -> None:
        """The whole backend dies at once: master and worker, no chance to finish anything."""
        assert self.process is not None
        master = self.process.pid
        workers = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        for pid in [master, *map(int, workers)]:
            os.kill(pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)

    def sign_in(self, token: str, instance_url: str) -> dict[str, str]:
        signed = sign(
            envelope(
                user_id=ANA.user_id,
                org_id=ANA.org_id,
                full_name=ANA.full_name,
                oauth_token=token,
                instance_url=instance_url,
            ),
            SECRET,
        )
        page = requests.post(self.base + "/canvas", data={"signed_request": signed}, timeout=10)
        assert page.status_code == 200, page.text
        return {"Authorization": "Bearer " + page.text.split('"token": "', 1)[1].split('"', 1)[0]}

    def writes(self) -> list[tuple[str, str]]:
        with sqlite3.connect(self.db) as db:
            return list(db.execute("SELECT external_id, state FROM salesforce_writes"))


@pytest.fixture
def stack(tmp_path, standin):  # type: ignore[no-untyped-def]
    (tmp_path / "cxone").mkdir()
    sandbox = CxoneSandbox(tmp_path / "cxone", heartbeat=0.5)
    backend = Backend(tmp_path, sandbox)
    backend.start()
    try:
        yield backend, sandbox
    finally:
        backend.stop()
        sandbox.stop()


def held_interaction(backend: Backend, sandbox: CxoneSandbox, headers: dict[str, str]) -> str:
    contact_id = sandbox.customer_writes(channel="chat", text="help please")["contact"]["id"]

    def opened() -> bool:
        answer = requests.post(
            f"{backend.base}/api/v1/interactions/{contact_id}/open", headers=headers, timeout=10
        )
        return answer.status_code == 200

    wait_until(opened, 15)
    return contact_id


def test_api_calls_per_ended_interaction(stack, standin):
    backend, sandbox = stack
    headers = backend.sign_in(standin.token("ana"), standin.url)
    account = next(r["Id"] for r in standin.records("Account") if r["Name"] == "Initech")
    ended = []
    before = standin.calls()
    for _ in range(3):
        contact_id = held_interaction(backend, sandbox, headers)
        linked = requests.put(
            f"{backend.base}/api/v1/interactions/{contact_id}/contact",
            json={"name_id": account},
            headers=headers,
            timeout=10,
        )
        assert linked.status_code == 200, linked.text
        # The agent works a while: the link is written on its own before the interaction ends.
        wait_until(lambda c=contact_id: (c, "done") in backend.writes(), 15)
        requests.post(
            f"{backend.base}/api/v1/interactions/{contact_id}/end", headers=headers, timeout=10
        )
        saved = requests.put(
            f"{backend.base}/api/v1/interactions/{contact_id}/disposition",
            json={"name_id": account, "notes": "Sorted."},
            headers=headers,
            timeout=10,
        )
        assert saved.status_code == 200, saved.text
        ended.append(contact_id)
    wait_until(lambda: all(state == "done" for _, state in backend.writes()), 15)
    per_interaction = (standin.calls() - before) / len(ended)
    print(f"Salesforce API calls per ended interaction: {per_interaction:.2f}")
    assert per_interaction <= 2
    for contact_id in ended:
        assert (
            standin.record("Digital_Interaction__c", contact_id)["Disposition_Notes__c"]
            == "Sorted."
        )


def test_kill_9_in_the_middle_of_a_write_loses_and_duplicates_nothing(stack, standin):
    backend, sandbox = stack
    headers = backend.sign_in(standin.token("ana"), standin.url)
    contact_id = held_interaction(backend, sandbox, headers)
    requests.post(
        f"{backend.base}/api/v1/interactions/{contact_id}/end", headers=headers, timeout=10
    )
    # Salesforce will take 4 s over the next call: the backend dies while it waits for the answer.
    standin.fault(delay=4, count=1)
    before = standin.calls()
    saved = requests.put(
        f"{backend.base}/api/v1/interactions/{contact_id}/disposition",
        json={"notes": "Written once, whatever happens."},
        headers=headers,
        timeout=10,
    )
    assert saved.status_code == 200, saved.text
    wait_until(lambda: standin.calls() > before, 10)  # the write is in flight
    backend.kill_9()
    assert backend.writes() == [(contact_id, "pending")]  # stored, not yet known to be written
    backend.start()
    wait_until(lambda: backend.writes() == [(contact_id, "done")], 30)
    records = [
        r for r in standin.records("Digital_Interaction__c") if r["External_Id__c"] == contact_id
    ]
    assert len(records) == 1  # sent twice (before and after the crash), written once
    assert records[0]["Disposition_Notes__c"] == "Written once, whatever happens."
    assert standin.calls() - before >= 2
