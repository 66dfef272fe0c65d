"""Benchmark: the CXone connector against the sandbox, and event parsing + deduplication.

    .venv/bin/python -m bench.cxone_connector [--seconds 5] [--events 50000]

Prints, each beside a baseline measured in the same run:
- requests/s and latency through the connector (GET one contact; search one page), against
  the same requests sent with bare `requests` and a fixed token (the connector's overhead);
- events/s through parse_event + Deduplicator on one core, against json.loads alone.
Target (issue 3): at least 2,000 events/s on one core.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

from bench.common import ROOT, free_port, sandbox_client, start_sandbox
from server.cxone.events import Deduplicator, parse_event

FIXTURES = ROOT / "tests" / "fixtures" / "cxone-events"


def timed(call: Callable[[], object], seconds: float) -> tuple[int, float, list[float]]:
    latencies: list[float] = []
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        begin = time.perf_counter()
        call()
        latencies.append((time.perf_counter() - begin) * 1000)
    return len(latencies), time.perf_counter() - started, latencies


def row(
    name: str, count: int, elapsed: float, latencies: list[float] | None = None
) -> dict[str, float | str]:
    result: dict[str, float | str] = {"what": name, "per_second": count / elapsed}
    if latencies:
        ordered = sorted(latencies)
        result["p50_ms"] = statistics.median(ordered)
        result["p95_ms"] = ordered[int(len(ordered) * 0.95) - 1]
    return result


def http_benchmarks(seconds: float) -> list[dict[str, float | str]]:
    port = free_port()
    process = start_sandbox(Path(tempfile.mkdtemp()), port)
    url = f"http://127.0.0.1:{port}"
    try:
        client = sandbox_client(url)
        contact_id = client.search_contacts().contacts[0].id
        bare = requests.Session()
        headers = {"Authorization": f"Bearer {client.tokens.token()}"}
        api = client.tokens.api_url() + "/dfo/3.0"
        results = []
        for name, connector_call, bare_call in (
            (
                "GET one contact",
                lambda: client.contact(contact_id),
                lambda: bare.get(f"{api}/contacts/{contact_id}", headers=headers).json(),
            ),
            (
                "search one page (25)",
                lambda: client.search_contacts(statuses=["new", "open"]),
                lambda: bare.get(
                    f"{api}/contacts",
                    params=[("status[]", "new"), ("status[]", "open")],
                    headers=headers,
                ).json(),
            ),
        ):
            results.append(row(f"{name}: bare requests (baseline)", *timed(bare_call, seconds)))
            results.append(row(f"{name}: connector", *timed(connector_call, seconds)))
        return results
    finally:
        process.terminate()
        process.wait(10)


def event_benchmarks(count: int) -> list[dict[str, float | str]]:
    payloads = [json.loads(p.read_text()) for p in sorted(FIXTURES.glob("*.json"))]
    texts = []
    for index in range(count):
        payload = dict(payloads[index % len(payloads)])
        payload["eventId"] = f"bench-{index}"
        texts.append(json.dumps(payload))
    started = time.perf_counter()
    for text in texts:
        json.loads(text)
    baseline = time.perf_counter() - started
    dedup = Deduplicator()
    started = time.perf_counter()
    delivered = sum(1 for text in texts if dedup.first_time(parse_event(text).event_id))
    elapsed = time.perf_counter() - started
    assert delivered == count
    repeated = time.perf_counter()
    for text in texts[: count // 5]:  # a reconnect replaying events: all dropped as duplicates
        assert not dedup.first_time(parse_event(text).event_id)
    repeat_elapsed = time.perf_counter() - repeated
    return [
        row("json.loads only (baseline)", count, baseline),
        row("parse_event + dedup (new events)", count, elapsed),
        row("parse_event + dedup (duplicates)", count // 5, repeat_elapsed),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--events", type=int, default=50_000)
    args = parser.parse_args()
    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"machine: {platform.machine()}, {python}, {os.cpu_count()} cores")
    results = http_benchmarks(args.seconds) + event_benchmarks(args.events)
    print(f"{'what':<48} {'per second':>12} {'p50 ms':>8} {'p95 ms':>8}")
    for result in results:
        p50 = f"{result['p50_ms']:.2f}" if "p50_ms" in result else ""
        p95 = f"{result['p95_ms']:.2f}" if "p95_ms" in result else ""
        print(f"{result['what']:<48} {result['per_second']:>12,.0f} {p50:>8} {p95:>8}")
    events = next(r for r in results if r["what"].startswith("parse_event + dedup (new"))
    verdict = "meets" if events["per_second"] >= 2000 else "MISSES"
    print(f"events/s target (>= 2,000 on one core): {verdict} ({events['per_second']:,.0f})")


if __name__ == "__main__":
    main()
