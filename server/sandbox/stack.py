"""`python -m server.sandbox.stack`: the whole product locally, on its embedded defaults.

Starts the Salesforce stand-in and the backend (gunicorn, gevent, one worker) in local mode,
pointed at each other over loopback, and stops them together on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    port = os.environ.get("PORT", "8000")
    salesforce_port = os.environ.get("SALESFORCE_STANDIN_PORT", "8102")
    env = dict(os.environ)
    env.setdefault("DIGITAL_TAB_ENV", "local")
    env.setdefault("LOCAL_SALESFORCE_URL", f"http://127.0.0.1:{salesforce_port}")
    env.update(HOST=env.get("HOST", "127.0.0.1"), PORT=port)

    children: list[subprocess.Popen[bytes]] = []

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    python = sys.executable
    children.append(
        subprocess.Popen(
            [python, "-m", "server.sandbox.salesforce", "--port", salesforce_port],
            env=env,
            cwd=ROOT,
        )
    )
    children.append(
        subprocess.Popen(
            [python, "-m", "gunicorn", "--config", "gunicorn.conf.py", "server.wsgi:app"],
            env=env,
            cwd=ROOT,
        )
    )
    try:
        url = f"http://127.0.0.1:{port}"
        if _wait_ready(url + "/healthz", children):
            print(f"\n  Digital tab is running: open {url}/ (local launcher)\n", flush=True)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("a component stopped; shutting down", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop()


def _wait_ready(url: str, children: list[subprocess.Popen[bytes]], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and all(child.poll() is None for child in children):
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.3)
    return False


if __name__ == "__main__":
    sys.exit(main())
