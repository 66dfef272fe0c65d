"""The admin's command line: `python -m server link-agents` links many agents at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from tests.conftest import ROOT, cxone_variables
from tests.test_server_process import SECRETS, server_env

ORG = "00D5g000004XyZ1"


def run(tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    env = server_env(
        tmp_path,
        CANVAS_CONSUMER_SECRET="commands-secret",
        **SECRETS,
        **cxone_variables("http://127.0.0.1:9"),
    )
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def links(tmp_path) -> set[tuple[str, int, bool]]:
    with sqlite3.connect(tmp_path / "server.db") as db:
        return {
            (user, cxone, bool(transfer))
            for user, cxone, transfer in db.execute(
                "SELECT user_id, cxone_user_id, can_transfer FROM agent_links"
            )
        }


def test_link_agents_from_a_csv_file(tmp_path):
    sheet = tmp_path / "links.csv"
    sheet.write_text(
        "org,user,cxone_user,can_transfer\n"
        f"{ORG},005000000000001,201,true\n"
        f"{ORG},005000000000002,202,no\n"
    )
    done = run(tmp_path, "link-agents", str(sheet))
    assert done.returncode == 0, done.stderr
    assert links(tmp_path) == {
        ("005000000000001AAA", 201, True),
        ("005000000000002AAA", 202, False),
    }
    # Relinking a CXone user moves it to the new Salesforce user.
    sheet.write_text(f"{ORG},005000000000003,201\n")
    assert run(tmp_path, "link-agents", str(sheet)).returncode == 0
    assert ("005000000000003AAA", 201, True) in links(tmp_path)
    assert all(user != "005000000000001AAA" for user, _, _ in links(tmp_path))


def test_a_malformed_row_is_named_and_nothing_is_written(tmp_path):
    sheet = tmp_path / "links.csv"
    sheet.write_text(f"{ORG},005000000000001,201\n{ORG},005000000000002,not-a-number\n")
    done = run(tmp_path, "link-agents", str(sheet))
    assert done.returncode != 0 and "links.csv:2" in done.stderr
    sheet.write_text(f"{ORG},not-an-id,201\n")
    done = run(tmp_path, "link-agents", str(sheet))
    assert done.returncode == 2 and "not-an-id" in done.stderr
    assert links(tmp_path) == set()


def test_an_admin_lists_failed_writes_and_sends_them_again(tmp_path):
    assert run(tmp_path, "migrate").returncode == 0
    with sqlite3.connect(tmp_path / "server.db") as db:
        db.execute(
            "INSERT INTO salesforce_writes (id, org_id, user_id, sobject, external_id, fields, "
            "source, state, attempts, next_attempt_at, last_error, created_at, updated_at) VALUES "
            "('w1', ?, '005000000000001AAA', 'Digital_Interaction__c', '44', '{}', 'disposition', "
            "'failed', 1, '2026-11-25 10:00:00', 'FIELD_INTEGRITY_EXCEPTION: Case__c', "
            "'2026-11-25 10:00:00', '2026-11-25 10:00:00')",
            (ORG + "AAA",),
        )
    listed = run(tmp_path, "writes", "--failed")
    assert listed.returncode == 0
    assert "w1" in listed.stdout and "Digital_Interaction__c/44" in listed.stdout
    assert "FIELD_INTEGRITY_EXCEPTION" in listed.stdout
    assert run(tmp_path, "writes", "--retry").returncode == 2  # says which: ids or --all-failed
    retried = run(tmp_path, "writes", "--retry", "--all-failed")
    assert "1 failed write(s) will be sent again" in retried.stdout
    with sqlite3.connect(tmp_path / "server.db") as db:
        assert db.execute("SELECT state, attempts FROM salesforce_writes").fetchall() == [
            ("pending", 0)
        ]
