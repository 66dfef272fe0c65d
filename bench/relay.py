"""Benchmark: live events to many agents on one worker, against a bare Flask-SocketIO emit.

    .venv/bin/python -m bench.relay [--agents 500] [--queues 20] [--rate 100] [--seconds 10]

A CXone sandbox with `agents` agents spread over `queues` digital queues, and for each side in
turn, on the Procfile's gunicorn gevent worker:
- floor: `bench.floor_app`, a bare Flask-SocketIO app following the same Event Hub and emitting
  each customer message to its queue's room;
- relay: the product (read model, numbered events, session-checked sockets).
`agents` python-socketio clients connect over WebSocket (the relay's sign in with a Canvas signed
request each). The sandbox customer writes in at `rate` messages per second for `seconds`; each
message's latency is from just before the POST to the sandbox until its event reaches an agent's
socket, for every agent of that queue. Then `burst` messages as fast as 16 writers can send them:
the sustained events per second. Memory per client is the worker's RSS growth over the
connections divided by their number.
Targets (issue 5): relay p99 < 100 ms at 500 clients and no more than 1.5 times the floor's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sqlite3
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import aiohttp
import socketio

from bench.common import (
    backend_env,
    free_port,
    percentile,
    procfile_gunicorn,
    rss_kib,
    run_server_command,
    sign_in,
    start_sandbox,
    stop,
    wait_quiet,
    wait_read_model,
    worker_pid,
)
from server.launcher.demo import DEMO_AGENTS

ORG = DEMO_AGENTS[0]
FIRST_AGENT = 1001  # the sandbox's bench agents (seed_bench_agents)


def run(argv: list[str] | None = None) -> dict:
    """Measures; returns {"results": {"floor", "relay"}, "args"} (read by bench/__main__)."""
    parser = argparse.ArgumentParser(prog="python -m bench.relay")
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--queues", type=int, default=20)
    parser.add_argument(
        "--rate",
        type=float,
        default=50,
        help="customer messages per second (50: each of 500 agents hears one every 10 s)",
    )
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--burst", type=int, default=1000, help="messages for the throughput run")
    parser.add_argument("--only", choices=("floor", "relay"), help="measure one side (profiling)")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-relay-"))
    sandbox_port = free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    sandbox = start_sandbox(
        folder,
        sandbox_port,
        *("--bulk", str(args.queues * 5), "--bulk-queues", str(args.queues)),
        *("--bench-agents", str(args.agents), "--heartbeat", "30"),
    )
    try:
        queue_of, contacts = _bench_layout(folder / "cxone.db", args.agents)
        sides = {"floor": _run_floor, "relay": _run_relay}
        results = {
            name: run(folder, sandbox_url, queue_of, contacts, args)
            for name, run in sides.items()
            if args.only in (None, name)
        }
    finally:
        stop([sandbox])
    return {"results": results, "args": args}


def main() -> None:
    measured = run()
    _report(measured["results"], measured["args"])


def _bench_layout(cxone_db: Path, agents: int) -> tuple[dict[int, str], list[tuple[str, str]]]:
    """Each bench agent's queue, and the open interactions to write into: (contact id, queue)."""
    with sqlite3.connect(cxone_db) as db:
        queue_of = {
            user_id: queue_id
            for queue_id, user_id in db.execute("SELECT queue_id, user_id FROM queue_members")
            if user_id >= FIRST_AGENT
        }
        contacts = [
            (str(contact_id), queue_id)
            for contact_id, queue_id in db.execute(
                "SELECT id, routing_queue_id FROM contacts WHERE status IN ('new', 'open')"
            )
        ]
    served = set(queue_of.values())
    assert len(queue_of) == agents, "the sandbox has not the bench agents"
    return queue_of, [c for c in contacts if c[1] in served]


def _run_floor(folder, sandbox_url, queue_of, contacts, args) -> dict:  # type: ignore[no-untyped-def]
    port = free_port()
    env = {**os.environ, "PORT": str(port), "BENCH_SANDBOX_URL": sandbox_url}
    server = procfile_gunicorn(env, app="bench.floor_app:app")
    try:
        time.sleep(2)  # registered on the Event Hub
        auths = [{"queue": queue} for queue in queue_of.values()]
        return asyncio.run(
            _measure(
                f"http://127.0.0.1:{port}",
                worker_pid(server),
                auths,
                queue_of,
                contacts,
                args,
                sandbox_url,
            )
        )
    finally:
        stop([server])


def _run_relay(folder, sandbox_url, queue_of, contacts, args) -> dict:  # type: ignore[no-untyped-def]
    port = free_port()
    backend = f"http://127.0.0.1:{port}"
    env = backend_env(folder, port, sandbox_url)
    run_server_command(env, "migrate")
    links = folder / "links.csv"
    links.write_text(
        "".join(f"{ORG.org_id},{_salesforce_user(user)},{user}\n" for user in queue_of)
    )
    run_server_command(env, "link-agents", str(links))
    server = procfile_gunicorn(env)
    try:
        wait_read_model(sandbox_url, folder / "backend.db")
        wait_quiet(folder / "backend.db")
        started = time.monotonic()
        tokens = [
            sign_in(
                backend,
                _salesforce_user(user),
                f"Agent {user}",
                f"agent{user}@bench.example",
                ORG.org_id,
                ORG.org_name,
            )
            for user in queue_of
        ]
        print(
            f"{len(tokens)} agents signed in through POST /canvas in "
            f"{time.monotonic() - started:.1f} s",
            flush=True,
        )
        auths = [{"token": token} for token in tokens]
        return asyncio.run(
            _measure(backend, worker_pid(server), auths, queue_of, contacts, args, sandbox_url)
        )
    finally:
        stop([server])


def _salesforce_user(cxone_user: int) -> str:
    return f"005BENCH{cxone_user:07d}"


async def _measure(url, worker, auths, queue_of, contacts, args, sandbox_url) -> dict:  # type: ignore[no-untyped-def]
    arrivals: dict[str, list[float]] = defaultdict(list)

    def heard(data: dict) -> None:
        preview = data.get("preview") or ""
        if preview.startswith("bench:"):
            arrivals[preview].append(time.perf_counter())

    before = rss_kib(worker)
    clients = []
    for start in range(0, len(auths), 50):
        batch = []
        for auth in auths[start : start + 50]:
            client = socketio.AsyncClient(reconnection=False)
            client.on("message.added", heard, namespace="/agents")
            batch.append(
                client.connect(
                    url,
                    namespaces=["/agents"],
                    transports=["websocket"],
                    auth=auth,
                    wait_timeout=30,
                )
            )
            clients.append(client)
        await asyncio.gather(*batch)
    await asyncio.sleep(3)
    after = rss_kib(worker)
    listeners = defaultdict(int)
    for queue in queue_of.values():
        listeners[queue] += 1
    try:
        async with aiohttp.ClientSession() as http:

            async def post(contact_id: str, text: str) -> None:
                async with http.post(
                    f"{sandbox_url}/sandbox/customer-messages",
                    json={"contact_id": contact_id, "text": text},
                ) as answer:
                    assert answer.status == 201, await answer.text()

            latency = await _paced(post, contacts, listeners, arrivals, args)
            burst = await _burst(post, contacts, listeners, arrivals, args)
    finally:
        await asyncio.gather(*(client.disconnect() for client in clients))
    return (
        latency | burst | {"kib_per_client": (after - before) / len(auths), "rss_mib": after / 1024}
    )


async def _paced(post, contacts, listeners, arrivals, args) -> dict:  # type: ignore[no-untyped-def]
    sent: dict[str, tuple[float, str]] = {}
    total = int(args.rate * args.seconds)
    begin = time.perf_counter()
    posts = []
    for index in range(total):
        await asyncio.sleep(max(0.0, begin + index / args.rate - time.perf_counter()))
        contact_id, queue = contacts[index % len(contacts)]
        text = f"bench:paced:{index}"
        sent[text] = (time.perf_counter(), queue)
        posts.append(asyncio.create_task(post(contact_id, text)))
    await asyncio.gather(*posts)
    await _settle(sent, listeners, arrivals)
    latencies = [
        (arrived - at) * 1000
        for text, (at, _) in sent.items()
        for arrived in arrivals.get(text, [])
    ]
    expected = sum(listeners[queue] for _, queue in sent.values())
    return {
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
        "deliveries": len(latencies),
        "expected": expected,
    }


async def _burst(post, contacts, listeners, arrivals, args) -> dict:  # type: ignore[no-untyped-def]
    sent: dict[str, tuple[float, str]] = {}
    next_index = iter(range(args.burst))

    async def writer() -> None:
        for index in next_index:
            contact_id, queue = contacts[index % len(contacts)]
            text = f"bench:burst:{index}"
            sent[text] = (time.perf_counter(), queue)
            await post(contact_id, text)

    begin = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(16)))
    written = time.perf_counter() - begin
    await _settle(sent, listeners, arrivals)
    last = max((max(arrivals[text]) for text in sent if arrivals.get(text)), default=begin)
    delivered = sum(len(arrivals.get(text, [])) for text in sent)
    return {
        "burst_events_per_s": len(sent) / (last - begin),
        "burst_writes_per_s": len(sent) / written,
        "burst_deliveries": delivered,
        "burst_expected": sum(listeners[queue] for _, queue in sent.values()),
    }


async def _settle(sent, listeners, arrivals, seconds: float = 30) -> None:  # type: ignore[no-untyped-def]
    """Until every agent of each message's queue heard it, or `seconds` without completing."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(
            len(arrivals.get(text, [])) >= listeners[queue] for text, (_, queue) in sent.items()
        ):
            return
        await asyncio.sleep(0.1)


def _report(results: dict, args: argparse.Namespace) -> None:
    if len(results) < 2:
        print(results)
        return
    floor, relay = results["floor"], results["relay"]
    print(
        f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {args.agents} agents over WebSocket in {args.queues} queues "
        f"(~{args.agents // args.queues} per queue hear each message); one gunicorn gevent "
        f"worker; {args.rate:.0f} messages/s for {args.seconds:.0f} s, then {args.burst} at once"
    )
    print(
        f"{'':<8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'delivered':>16}"
        f"{'events/s':>10}{'KiB/client':>12}{'RSS MiB':>9}"
    )
    for name, row in (("floor", floor), ("relay", relay)):
        print(
            f"{name:<8}{row['p50']:>9.1f}{row['p99']:>9.1f}{row['max']:>9.1f}"
            f"{row['deliveries']:>8}/{row['expected']:<7}{row['burst_events_per_s']:>10.0f}"
            f"{row['kib_per_client']:>12.1f}{row['rss_mib']:>9.0f}"
        )
    print(
        f"burst: the sandbox took writes at {floor['burst_writes_per_s']:.0f}/s (floor run) and "
        f"{relay['burst_writes_per_s']:.0f}/s (relay run); delivered "
        f"{floor['burst_deliveries']}/{floor['burst_expected']} and "
        f"{relay['burst_deliveries']}/{relay['burst_expected']}"
    )
    ratio = relay["p99"] / floor["p99"]
    print(
        f"targets: p99 < 100 ms: {'met' if relay['p99'] < 100 else 'MISSED'} "
        f"({relay['p99']:.1f} ms); <= 1.5x the floor: {'met' if ratio <= 1.5 else 'MISSED'} "
        f"({ratio:.2f}x at p99, {relay['p50'] / floor['p50']:.2f}x at p50)"
    )


if __name__ == "__main__":
    main()
