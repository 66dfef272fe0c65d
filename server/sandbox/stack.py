"""`python -m server.sandbox.stack`: the whole product locally, on its embedded defaults.

Starts the CXone sandbox, the Salesforce stand-in and the backend (gunicorn, gevent, one worker)
in local mode, pointed at each other over loopback through the same variables a real deployment
sets, and stops them together on Ctrl-C or SIGTERM. Variables already set win: export the CXONE_*
variables of a real tenant and the sandbox is not used.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from server.launcher.demo import DEMO_AGENTS
from server.sandbox.cxone.seed import AGENTS, sandbox_environment
from server.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    port = os.environ.get("PORT", "8000")
    salesforce_port = os.environ.get("SALESFORCE_STANDIN_PORT", "8102")
    cxone_port = os.environ.get("CXONE_SANDBOX_PORT", "8101")
    env = dict(os.environ)
    use_sandbox = not env.get("CXONE_ACCESS_KEY_ID")
    if use_sandbox:
        sandbox_url = f"http://127.0.0.1:{cxone_port}"
        env.update(sandbox_environment(sandbox_url))
    env.setdefault("DIGITAL_TAB_ENV", "local")
    env.setdefault("LOCAL_SALESFORCE_URL", f"http://127.0.0.1:{salesforce_port}")
    env.update(HOST=env.get("HOST", "127.0.0.1"), PORT=port)
    instance = Path(env.get("INSTANCE_PATH") or ROOT / "instance")
    # The Lightning stand-in signs canvas requests as the org does: with the backend's secret.
    env.setdefault(
        "CANVAS_CONSUMER_SECRET",
        load_settings(env, instance_path=instance).canvas_consumer_secret,
    )

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
    if use_sandbox:
        children.append(
            subprocess.Popen(
                [
                    python,
                    "-m",
                    "server.sandbox.cxone",
                    "serve",
                    "--port",
                    cxone_port,
                    "--db",
                    str(instance / "cxone-sandbox.db"),
                ],
                env=env,
                cwd=ROOT,
            )
        )
    children.append(
        subprocess.Popen(
            [python, "-m", "server.sandbox.salesforce", "--port", salesforce_port],
            env=env,
            cwd=ROOT,
        )
    )
    if use_sandbox:
        _link_demo_agents(python, env)
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
            print(
                f"\n  Digital tab is running: open {url}/ and choose Open the Digital tab in Lightning",
                flush=True,
            )
            if use_sandbox:
                print(
                    "  Play a customer: .venv/bin/python -m server.sandbox.cxone customer "
                    '--channel sms --text "Hello"\n',
                    flush=True,
                )
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("a component stopped; shutting down", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop()


def _link_demo_agents(python: str, env: dict[str, str]) -> None:
    """The demo Salesforce users work as the sandbox's CXone users with the same email."""
    cxone_users = {email: user_id for user_id, _, email, *_ in AGENTS}
    for agent in DEMO_AGENTS:
        if agent.email in cxone_users:
            subprocess.run(
                [
                    python,
                    "-m",
                    "server",
                    "link-agent",
                    "--org",
                    agent.org_id,
                    "--user",
                    agent.user_id,
                    "--cxone-user",
                    str(cxone_users[agent.email]),
                ],
                env=env,
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )


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
