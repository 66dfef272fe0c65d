"""Benchmark: Salesforce API calls per ended interaction, and the outbox's write throughput.

    .venv/bin/python -m bench.salesforce [--interactions 40]

The CXone sandbox, the Salesforce stand-in and the backend (the Procfile's gunicorn worker, its
outbox running) as processes on loopback. Ana ends `interactions` interactions, each with a
disposition naming an Account and a Case; every write reaches the stand-in through the outbox.
- calls per ended interaction: the stand-in's data API calls divided by the interactions;
- dispositions written per second end to end: from the first End until the last disposition is
  in Salesforce, the agent's End and save calls (CXone round trips) included; beside it the
  floor of writing inline: the same records upserted one by one with simple-salesforce straight
  at the stand-in. The outbox batches (composite/sobjects, up to 200 records a call), so the
  calls per interaction fall as saves arrive together.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import requests
from simple_salesforce import Salesforce

from bench.common import (
    PYTHON,
    ROOT,
    backend_env,
    free_port,
    procfile_gunicorn,
    run_server_command,
    sign_in,
    start_sandbox,
    stop,
    wait_http,
)
from server.launcher.demo import DEMO_PASSWORD, demo_agent
from server.salesforce.client import _LoopbackHttp

ANA = demo_agent("ana")


def run(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.salesforce")
    parser.add_argument("--interactions", type=int, default=40)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-salesforce-"))
    sandbox_port, standin_port, backend_port = free_port(), free_port(), free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    standin = f"http://127.0.0.1:{standin_port}"
    backend = f"http://127.0.0.1:{backend_port}"
    processes = [
        start_sandbox(folder, sandbox_port),
        subprocess.Popen(
            [PYTHON, "-m", "server.sandbox.salesforce", "--port", str(standin_port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        wait_http(standin + "/services/oauth2/userinfo", 30)
        env = backend_env(folder, backend_port, sandbox_url)
        run_server_command(
            env, "link-agent", "--org", ANA.org_id, "--user", ANA.user_id, "--cxone-user", "101"
        )
        processes.append(procfile_gunicorn(env))
        wait_http(backend + "/healthz", 60)
        oauth = _oauth_token(standin)
        token = sign_in(
            backend,
            ANA.user_id,
            ANA.full_name,
            ANA.email,
            ANA.org_id,
            ANA.org_name,
            oauth_token=oauth,
            instance_url=standin,
        )
        headers = {"Authorization": f"Bearer {token}"}
        account = next(r["Id"] for r in _records(standin, "Account") if r["Name"] == "Initech")
        case = next(r["Id"] for r in _records(standin, "Case"))
        contacts = [_held(sandbox_url, backend, headers) for _ in range(args.interactions)]
        calls_before = _calls(standin)
        started = time.perf_counter()
        for contact_id in contacts:
            requests.post(
                f"{backend}/api/v1/interactions/{contact_id}/end", headers=headers, timeout=30
            )
            saved = requests.put(
                f"{backend}/api/v1/interactions/{contact_id}/disposition",
                json={"name_id": account, "relates_to_id": case, "notes": "Sorted."},
                headers=headers,
                timeout=30,
            )
            saved.raise_for_status()
        _wait_written(folder / "backend.db", len(contacts))
        outbox_seconds = time.perf_counter() - started
        calls = _calls(standin) - calls_before
        in_salesforce = {
            r["External_Id__c"]
            for r in _records(standin, "Digital_Interaction__c")
            if r.get("Disposition_Notes__c") == "Sorted."
        }
        assert in_salesforce >= set(contacts), "a disposition is missing in Salesforce"
        before_floor = _calls(standin)
        floor_seconds = _direct_upserts(standin, oauth, account, case, len(contacts))
        floor_calls = _calls(standin) - before_floor
    finally:
        stop(processes)
    return {
        "interactions": len(contacts),
        "calls_per_interaction": calls / len(contacts),
        "outbox_writes_per_s": len(contacts) / outbox_seconds,
        "direct_writes_per_s": len(contacts) / floor_seconds,
        "direct_calls_per_write": floor_calls / len(contacts),
    }


def _oauth_token(standin: str) -> str:
    answer = requests.post(
        standin + "/services/oauth2/token",
        data={"grant_type": "password", "username": ANA.username, "password": DEMO_PASSWORD},
        timeout=10,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def _records(standin: str, sobject: str) -> list[dict]:
    return requests.get(f"{standin}/sandbox/records/{sobject}", timeout=10).json()


def _calls(standin: str) -> int:
    return int(requests.get(f"{standin}/sandbox/calls", timeout=10).json().get("total", 0))


def _held(sandbox_url: str, backend: str, headers: dict[str, str]) -> str:
    written = requests.post(
        f"{sandbox_url}/sandbox/customer-messages",
        json={"channel": "chat", "text": "bench"},
        timeout=10,
    ).json()
    contact_id = str(written["contact"]["id"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        opened = requests.post(
            f"{backend}/api/v1/interactions/{contact_id}/open", headers=headers, timeout=30
        )
        if opened.status_code == 200:
            return contact_id
        time.sleep(0.1)
    raise RuntimeError(f"interaction {contact_id} never reached the read model")


def _wait_written(backend_db: Path, count: int, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with sqlite3.connect(backend_db) as db:
            done = db.execute(
                "SELECT count(*) FROM dispositions WHERE writeback_status = 'written'"
            ).fetchone()[0]
        if done >= count:
            return
        time.sleep(0.05)
    raise RuntimeError("the outbox did not write every disposition in time")


def _direct_upserts(standin: str, token: str, account: str, case: str, count: int) -> float:
    """The floor: one upsert per disposition, sequentially, straight from simple-salesforce."""
    # The stand-in speaks plain http on loopback: the product's session rewrites the scheme.
    salesforce = Salesforce(
        instance_url=standin, session_id=token, version="62.0", session=_LoopbackHttp(standin)
    )
    started = time.perf_counter()
    for index in range(count):
        salesforce.Digital_Interaction__c.upsert(
            f"External_Id__c/bench-{index}",
            {"Account__c": account, "Case__c": case, "Disposition_Notes__c": "Sorted."},
        )
    return time.perf_counter() - started


def main() -> None:
    result = run()
    print(
        f"{result['interactions']} ended interactions: "
        f"{result['calls_per_interaction']:.2f} Salesforce API calls each; outbox wrote "
        f"{result['outbox_writes_per_s']:.1f} dispositions/s (end to end, from the agents' "
        f"saves); direct one-by-one upserts {result['direct_writes_per_s']:.1f}/s"
    )


if __name__ == "__main__":
    main()
