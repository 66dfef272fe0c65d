"""`python -m bench`: the performance table, each figure against its baseline in the same run.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python -m bench [--agents 100,500,1000] [--write docs/PERFORMANCE.md]

Runs, in turn, on this machine:
- bench.inbox: the inbox from the read model against paging CXone directly (the sandbox);
- bench.relay at each number of connected agents: live-event latency against a bare
  Flask-SocketIO emit (the floor), and the worker's memory per connected agent;
- bench.salesforce: Salesforce API calls per ended interaction, and dispositions written per
  second against upserting them one by one;
- bench.canvas: signed requests verified per second against the bare HMAC.
Prints the table, draws latency against connected agents, and with --write puts both, with the
machine they ran on, into the Markdown file.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from bench import canvas, inbox, relay, salesforce
from bench.common import ROOT, machine

PLOT = "performance-latency.png"
VARIANCE = (
    "One run. On a 2-core machine shared by the clients, the sandboxes and the server, tails "
    "(p99) and per-second rates vary from run to run: compare the ratios within a run, and run "
    "it twice before drawing conclusions."
)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--agents", default="100,500,1000", help="connected agents per relay run")
    parser.add_argument("--write", type=Path, help="write the table and plot into this file")
    args = parser.parse_args()
    counts = [int(n) for n in args.agents.split(",")]

    print("inbox…", flush=True)
    inbox_figures = inbox.summary(inbox.run([]))
    relay_runs = {}
    for count in counts:
        print(f"relay at {count} agents…", flush=True)
        measured = relay.run(["--agents", str(count), "--seconds", "10", "--rate", "50"])
        relay_runs[count] = measured["results"]
    print("salesforce…", flush=True)
    writes = salesforce.run([])
    print("canvas…", flush=True)
    verified = canvas.run([])

    rows = _rows(inbox_figures, relay_runs, writes, verified)
    table = _table(rows)
    print("\n" + machine() + "\n\n" + table)
    if args.write:
        plot = args.write.parent / PLOT
        _plot(relay_runs, plot)
        _write(args.write, table, plot.name)
        print(f"\nwrote {args.write} and {plot}")


def _rows(inbox_figures: dict, relay_runs: dict, writes: dict, verified: dict) -> list[tuple]:
    rows = [
        (
            "Inbox page, worst of 6 sorts/filters (p50 / p95)",
            f"{inbox_figures['worst_p50_ms']:.1f} / {inbox_figures['worst_p95_ms']:.1f} ms",
            f"paging CXone: {inbox_figures['baseline_p50_ms']:.0f} ms p50",
            f"{inbox_figures['worst_speedup']:.0f}x faster",
        ),
        (
            "Inbox requests per second (4 clients)",
            f"{inbox_figures['requests_per_s']:.0f}/s",
            "",
            "",
        ),
    ]
    for count, sides in relay_runs.items():
        ours, floor = sides["relay"], sides["floor"]
        rows.append(
            (
                f"Live event latency, {count} agents (p50 / p99)",
                f"{ours['p50']:.1f} / {ours['p99']:.1f} ms",
                f"bare emit: {floor['p50']:.1f} / {floor['p99']:.1f} ms",
                f"{ours['p99'] / floor['p99']:.2f}x at p99",
            )
        )
    largest = max(relay_runs)
    ours, floor = relay_runs[largest]["relay"], relay_runs[largest]["floor"]
    rows += [
        (
            f"Agents one worker held (all events delivered at {largest})",
            f"{largest} ({ours['deliveries']}/{ours['expected']} delivered)",
            f"bare emit: {floor['deliveries']}/{floor['expected']}",
            "",
        ),
        (
            f"Memory per connected agent ({largest} agents)",
            f"{ours['kib_per_client']:.0f} KiB",
            f"bare emit: {floor['kib_per_client']:.0f} KiB",
            f"{ours['kib_per_client'] / floor['kib_per_client']:.2f}x",
        ),
        (
            f"Salesforce API calls per ended interaction ({writes['interactions']})",
            f"{writes['calls_per_interaction']:.2f}",
            f"upserting each: {writes['direct_calls_per_write']:.2f}",
            f"{writes['direct_calls_per_write'] / max(writes['calls_per_interaction'], 1e-9):.1f}x fewer",
        ),
        (
            "Dispositions written to Salesforce per second, end to end",
            f"{writes['outbox_writes_per_s']:.1f}/s",
            f"bare upserts one by one: {writes['direct_writes_per_s']:.0f}/s",
            "bound by the agents' End calls",
        ),
        (
            "Signed requests verified per second (one core)",
            f"{verified['verified_per_s']:,.0f}/s",
            f"bare HMAC: {verified['floor_per_s']:,.0f}/s",
            f"{verified['floor_per_s'] / verified['verified_per_s']:.1f}x the HMAC's cost",
        ),
    ]
    return rows


def _table(rows: list[tuple]) -> str:
    lines = ["| measure | the product | baseline, same run | ratio |", "| --- | --- | --- | --- |"]
    lines += [f"| {' | '.join(row)} |" for row in rows]
    return "\n".join(lines)


def _plot(relay_runs: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = sorted(relay_runs)
    figure, axes = plt.subplots(figsize=(7, 4))
    for side, colour in (("relay", "#0176d3"), ("floor", "#939393")):
        label = "Digital tab relay" if side == "relay" else "bare Flask-SocketIO emit"
        for stat, style in (("p50", "-"), ("p99", "--")):
            axes.plot(
                counts,
                [relay_runs[c][side][stat] for c in counts],
                style,
                marker="o",
                color=colour,
                label=f"{label} {stat}",
            )
    axes.set_xlabel("connected agents (one gunicorn gevent worker)")
    axes.set_ylabel("event latency, ms")
    axes.set_title("Live event latency against connected agents")
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def _write(path: Path, table: str, plot: str) -> None:
    path.write_text(
        "# Performance\n\n"
        "Measured by `python -m bench` (see `bench/__main__.py`); every figure beside its "
        "baseline measured in the same run, on the same machine. Reproduce with:\n\n"
        "```bash\n.venv/bin/pip install -e '.[bench]'\n"
        ".venv/bin/python -m bench --write docs/PERFORMANCE.md\n```\n\n"
        f"Machine: {machine()}.\n\n{table}\n\n![Latency against connected agents]({plot})\n\n"
        "What each line measures: `bench/inbox.py`, `bench/relay.py`, `bench/salesforce.py` and "
        "`bench/canvas.py` say it in their first lines. The relay runs send 50 customer "
        "messages a second for 10 s through the CXone sandbox's Event Hub; latency is from just "
        "before the customer's POST until the event reaches each agent's socket.\n\n"
        "Under load and faults for a set time (200 agents, kill -9, Redis restarted, Salesforce "
        "and the Event Hub away): [SOAK.md](SOAK.md), written by `python -m bench.soak`.\n\n"
        f"{VARIANCE}\n"
    )


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
