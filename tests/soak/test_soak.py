"""The soak as a test: 200 agents and their customers on two server processes, with every
fault of bench/soak.py along the way (Event Hub dropped, Salesforce 503 then
REQUEST_LIMIT_EXCEEDED, kill -9 of a server process, Redis restarted) and one-minute session
tokens that the agents renew, then its invariants.
Short here (SOAK_MINUTES, 1.5 by default); 30 minutes by hand with
`.venv/bin/python -m bench.soak`."""

from __future__ import annotations

import os
import shutil

import psycopg
import pytest

from bench import soak
from tests.conftest import IN_CI

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]
MINUTES = os.environ.get("SOAK_MINUTES", "1.5")
AGENTS = os.environ.get("SOAK_AGENTS", "200")


def _services_or_skip() -> None:
    missing = []
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    try:
        psycopg.connect(soak.POSTGRES_ADMIN, connect_timeout=3).close()
    except psycopg.OperationalError:
        missing.append("PostgreSQL")
    if missing:
        if IN_CI:
            pytest.fail(f"the soak needs {' and '.join(missing)} under CI=true")
        pytest.skip(f"the soak needs {' and '.join(missing)}")


def test_200_agents_with_faults_lose_and_duplicate_nothing():
    _services_or_skip()
    result = soak.run(
        [
            *("--agents", AGENTS, "--minutes", MINUTES, "--rate", "4"),
            *("--fault-seconds", "10", "--drain-seconds", "120"),
            *("--token-ttl", "60"),  # so that every agent renews its session along the way
        ]
    )
    print(result)  # the figures, with -s
    assert result["violations"] == []
    # The load was real: work of every kind happened, and every fault was played.
    assert [f["fault"] for f in result["faults"]] == [
        "event_hub_drop",
        "salesforce_503",
        "salesforce_request_limit",
        "kill_9",
        "redis_restart",
    ]
    stats = result["stats"]
    assert result["dispositions"] >= 50 and result["replies"] >= 50
    assert stats.get("POST transfer 200 ", 0) >= 5
    assert result["events_checked"] >= 10_000
    assert stats["socket_connects"] >= int(AGENTS) * 3 // 2  # the killed process's agents came back
    assert stats.get("renewed", 0) >= int(AGENTS)  # sessions renewed under load, sockets kept
    assert result["salesforce_records"] >= result["dispositions"]
    # Memory flat: no worker grew by more than a fifth after warming up.
    assert result["memory"], "no memory samples"
    for worker, figures in result["memory"].items():
        assert figures["growth"] < 0.2, (worker, figures)
