"""Benchmark: the inbox on one gunicorn worker against building the same answer from CXone.

    .venv/bin/python -m bench.inbox [--interactions 10000] [--queues 20] [--seconds 5]

Starts a CXone sandbox holding `interactions` more interactions across `queues` digital queues
(the agent is in all of them), and the backend as the Procfile runs it (gunicorn -k gevent -w 1,
SQLite), whose read model fills from the sandbox. Then, for the inbox with and without a tag
filter, in each sort: p50/p95 of one request and requests per second (4 concurrent clients).
The baseline, in the same run: the same first page built by paging CXone's GET /contacts
(scrollToken) through the connector and sorting, since CXone cannot sort by priority or channel.
Targets (issue 4): at least 20 times faster than the baseline, p95 under 30 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench.common import (
    backend_env,
    free_port,
    percentile,
    procfile_gunicorn,
    run_server_command,
    sandbox_client,
    sign_in,
    start_sandbox,
    stop,
    wait_read_model,
)
from server.digital.models import ACTIVE_STATUSES, CHANNEL_ORDER
from server.launcher.demo import DEMO_AGENTS

ANA = DEMO_AGENTS[0]
VARIANTS = [(sort, tag) for tag in (None, 1) for sort in ("received", "priority", "channel")]


def run(argv: list[str] | None = None) -> dict:
    """Measures; returns {"results", "baseline", "args"} (the runner in bench/__main__ reads it)."""
    parser = argparse.ArgumentParser(prog="python -m bench.inbox")
    parser.add_argument("--interactions", type=int, default=10_000)
    parser.add_argument("--queues", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per variant")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-inbox-"))
    sandbox_port, backend_port = free_port(), free_port()
    sandbox_url, backend = f"http://127.0.0.1:{sandbox_port}", f"http://127.0.0.1:{backend_port}"
    processes = []
    try:
        print(
            f"seeding the sandbox with {args.interactions:,} interactions in {args.queues} queues…",
            flush=True,
        )
        bulk = ["--bulk", str(args.interactions), "--bulk-queues", str(args.queues)]
        processes.append(start_sandbox(folder, sandbox_port, *bulk))
        env = backend_env(folder, backend_port, sandbox_url)
        run_server_command(
            env, "link-agent", "--org", ANA.org_id, "--user", ANA.user_id, "--cxone-user", "101"
        )
        processes.append(procfile_gunicorn(env))
        filled = wait_read_model(sandbox_url, folder / "backend.db")
        print(f"read model filled from CXone in {filled:.1f} s", flush=True)
        token = sign_in(backend, ANA.user_id, ANA.full_name, ANA.email, ANA.org_id, ANA.org_name)
        results = _measure_inbox(backend, {"Authorization": f"Bearer {token}"}, args)
        baseline = _measure_baseline(sandbox_url)
    finally:
        stop(processes)
    return {"results": results, "baseline": baseline, "args": args}


def summary(measured: dict) -> dict:
    """The worst variant: the figures the performance table shows."""
    results, baseline = measured["results"], measured["baseline"]
    ratios = [baseline[v]["p50"] / results[v]["p50"] for v in VARIANTS]
    return {
        "worst_speedup": min(ratios),
        "worst_p95_ms": max(results[v]["p95"] for v in VARIANTS),
        "worst_p50_ms": max(results[v]["p50"] for v in VARIANTS),
        "baseline_p50_ms": max(baseline[v]["p50"] for v in VARIANTS),
        "requests_per_s": results["throughput"],
    }


def main() -> None:
    measured = run()
    _report(measured["results"], measured["baseline"], measured["args"])


def _params(sort: str, tag: int | None) -> dict[str, object]:
    return {"sort": sort, "limit": 25, **({"tag": tag} if tag else {})}


def _measure_inbox(backend: str, headers: dict[str, str], args: argparse.Namespace) -> dict:
    session = requests.Session()
    results = {}
    for sort, tag in VARIANTS:
        latencies = []
        for _ in range(args.requests):
            begin = time.perf_counter()
            response = session.get(
                backend + "/api/v1/inbox", params=_params(sort, tag), headers=headers, timeout=10
            )
            latencies.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200 and len(response.json()["items"]) == 25
        results[(sort, tag)] = {
            "p50": statistics.median(latencies),
            "p95": percentile(latencies, 0.95),
        }
    counts, stop = [0] * 4, time.monotonic() + args.seconds

    def client(slot: int) -> None:
        own = requests.Session()
        while time.monotonic() < stop:
            sort, tag = VARIANTS[counts[slot] % len(VARIANTS)]
            own.get(
                backend + "/api/v1/inbox", params=_params(sort, tag), headers=headers, timeout=10
            ).raise_for_status()
            counts[slot] += 1

    threads = [threading.Thread(target=client, args=(slot,)) for slot in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results["throughput"] = sum(counts) / args.seconds
    return results


def _measure_baseline(sandbox_url: str) -> dict:
    """The first inbox page built from CXone: page through every matching contact, then sort."""
    client = sandbox_client(sandbox_url)
    queues = [q.id for q in client.routing_queues(assignable_by_user=101) if q.kind == "digital"]
    channel_kind = {c.id: c.kind for c in client.channels()}
    keys = {
        "received": lambda c: (-c.created_at.timestamp(),),
        "priority": lambda c: (-(c.priority or 0), -c.created_at.timestamp()),
        "channel": lambda c: (
            CHANNEL_ORDER.index(channel_kind[c.channel_id]),
            -c.created_at.timestamp(),
        ),
    }
    results = {}
    for sort, tag in VARIANTS:
        latencies = []
        for _ in range(3):
            begin = time.perf_counter()
            found = list(
                client.iter_contacts(
                    statuses=ACTIVE_STATUSES, routing_queues=queues, tags=[tag] if tag else []
                )
            )
            page = sorted(found, key=keys[sort])[:25]
            latencies.append((time.perf_counter() - begin) * 1000)
            assert len(page) == 25
        results[(sort, tag)] = {"p50": statistics.median(latencies), "calls": len(found) // 25 + 1}
    return results


def _report(results: dict, baseline: dict, args: argparse.Namespace) -> None:
    print(
        f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{args.interactions:,} interactions in {args.queues} queues; one gunicorn gevent worker, SQLite"
    )
    print(
        f"{'inbox variant':<26}{'p50 ms':>9}{'p95 ms':>9}{'baseline p50 ms':>17}{'CXone calls':>13}{'speed-up':>10}"
    )
    worst_ratio, worst_p95 = float("inf"), 0.0
    for sort, tag in VARIANTS:
        ours, theirs = results[(sort, tag)], baseline[(sort, tag)]
        ratio = theirs["p50"] / ours["p50"]
        worst_ratio, worst_p95 = min(worst_ratio, ratio), max(worst_p95, ours["p95"])
        label = f"sort={sort}" + (f", tag={tag}" if tag else "")
        print(
            f"{label:<26}{ours['p50']:>9.2f}{ours['p95']:>9.2f}{theirs['p50']:>17.0f}{theirs['calls']:>13}{ratio:>9.0f}x"
        )
    print(f"throughput, 4 clients, mixed variants: {results['throughput']:,.0f} requests/s")
    print(
        f"targets: >= 20x faster: {'met' if worst_ratio >= 20 else 'MISSED'} (worst {worst_ratio:,.0f}x); "
        f"p95 < 30 ms: {'met' if worst_p95 < 30 else 'MISSED'} (worst {worst_p95:.1f} ms)"
    )


if __name__ == "__main__":
    main()
