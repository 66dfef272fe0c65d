"""Benchmark: Canvas signed requests verified per second, against the bare HMAC they rest on.

    .venv/bin/python -m bench.canvas [--seconds 3]

verify() (split, base64, HMAC-SHA256 over the still-encoded envelope, constant-time compare,
JSON, the envelope's checks, 15->18 character ids) on a request shaped like the real vector,
against the floor: HMAC-SHA256 of the same bytes and compare_digest alone. One core.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import time

from server.canvas.signed_request import sign, verify
from server.launcher.demo import DEMO_AGENTS, canvas_envelope

SECRET = "bench-consumer-secret"  # noqa: S105 (signs requests only for this local run)


def _rate(work, seconds: float) -> float:  # type: ignore[no-untyped-def]
    count, deadline, start = 0, time.perf_counter() + seconds, time.perf_counter()
    while time.perf_counter() < deadline:
        for _ in range(200):
            work()
        count += 200
    return count / (time.perf_counter() - start)


def run(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.canvas")
    parser.add_argument("--seconds", type=float, default=3)
    args = parser.parse_args(argv)
    envelope = canvas_envelope(
        DEMO_AGENTS[0],
        "00D000000ACMEOR!" + "x" * 96,
        instance_url="https://acme.my.salesforce.com",
        target_origin="https://acme.lightning.force.com",
        canvas_url="https://digital-tab.example.com/canvas",
    )
    signed = sign(envelope, SECRET)
    encoded = signed.split(".", 1)[1]
    expected = hmac.new(SECRET.encode(), encoded.encode(), hashlib.sha256).digest()

    def floor() -> None:
        digest = hmac.new(SECRET.encode(), encoded.encode(), hashlib.sha256).digest()
        hmac.compare_digest(digest, expected)

    verified = _rate(lambda: verify(signed, SECRET), args.seconds)
    bare = _rate(floor, args.seconds)
    return {"verified_per_s": verified, "floor_per_s": bare, "bytes": len(signed)}


def main() -> None:
    result = run()
    print(
        f"signed requests verified: {result['verified_per_s']:,.0f}/s on one core "
        f"({result['bytes']} bytes); bare HMAC floor {result['floor_per_s']:,.0f}/s; "
        f"verify costs {result['floor_per_s'] / result['verified_per_s']:.1f}x the HMAC alone"
    )


if __name__ == "__main__":
    main()
