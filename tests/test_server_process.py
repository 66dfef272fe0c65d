"""The real server: `gunicorn -k gevent -w 1` as Procfile runs it, driven over HTTP."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from server.canvas.signed_request import sign
from tests.conftest import (
    ROOT,
    bridge_boot,
    cxone_variables,
    envelope,
    free_port,
    wait_for_http,
)

pytestmark = pytest.mark.slow

SECRETS = {
    "SESSION_SIGNING_KEY": "process-signing-key-0123456789abcdef0123",
    "TOKEN_ENCRYPTION_KEY": "process-encryption-key-0123456789abcdef0",
}


def server_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CANVAS_", "SESSION_", "TOKEN_", "CXONE_"))
    }
    env.update(
        DIGITAL_TAB_ENV="production",
        DATABASE_URL=f"sqlite:///{tmp_path / 'server.db'}",
        INSTANCE_PATH=str(tmp_path),
        CANVAS_VERIFY_OAUTH_TOKEN="false",
        LOG_LEVEL="DEBUG",
        HOST="127.0.0.1",
        PORT=str(free_port()),
    )
    env.update(extra)
    return env


def migrate_and_link_ana(env: dict[str, str]) -> None:
    """The admin's steps before a first start: the schema, then Ana linked to CXone user 101."""
    from server.launcher.demo import demo_agent

    ana = demo_agent("ana")
    for command in (
        ["migrate"],
        ["link-agent", "--org", ana.org_id, "--user", ana.user_id, "--cxone-user", "101"],
    ):
        subprocess.run(
            [sys.executable, "-m", "server", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )


def gunicorn(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    procfile = (ROOT / "Procfile").read_text()
    web = re.search(r"^web: (.*)$", procfile, re.M).group(1)
    command = web.replace("$PORT", env["PORT"]).replace("0.0.0.0", "127.0.0.1").split()
    assert command[:5] == ["gunicorn", "-k", "gevent", "-w", "1"]
    command[0] = str(Path(sys.executable).parent / "gunicorn")
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def test_sign_in_over_a_real_gunicorn_gevent_worker_logs_no_secret(tmp_path, vector, cxone_sandbox):
    env = server_env(
        tmp_path,
        CANVAS_CONSUMER_SECRET=vector["consumer_secret"],
        **SECRETS,
        **cxone_variables(cxone_sandbox.url),
    )
    migrate = subprocess.run(
        [sys.executable, "-m", "server", "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert migrate.returncode == 0, migrate.stderr
    log = tmp_path / "server.log"
    process = gunicorn(env, log)
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        wait_for_http(base + "/healthz", process)
        assert requests.get(base + "/readyz", timeout=5).json()["status"] == "ready"
        page = requests.post(
            base + "/canvas", data={"signed_request": vector["signed_request"]}, timeout=5
        )
        assert page.status_code == 200
        token = bridge_boot(page.text)["token"]
        auth = {"Authorization": f"Bearer {token}"}
        me = requests.get(base + "/api/v1/session", headers=auth, timeout=5).json()
        assert me["user_id"] == "005R0000000DgJAIA0"
        fresh = dict(json.loads(json.dumps(envelope(user_id=me["user_id"], org_id=me["org_id"]))))
        fresh["client"]["oauthToken"] = "00DR00000008bPC!renewed.secret.token.value"
        renewed = requests.post(
            base + "/canvas/renew",
            json={"signed_request": sign(fresh, vector["consumer_secret"])},
            headers=auth,
            timeout=5,
        )
        assert renewed.status_code == 200
        replay = requests.post(
            base + "/canvas", data={"signed_request": vector["signed_request"]}, timeout=5
        )
        assert replay.status_code == 401
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        assert time.monotonic() - started < 12  # --graceful-timeout, not the 30 s default
    finally:
        if process.poll() is None:
            process.kill()
    output = log.read_text()
    access = [line for line in output.splitlines() if "server.access" in line]
    assert len(access) >= 6
    assert all(re.search(r"\[[0-9a-f]{32}\]", line) for line in access)
    forbidden = [
        vector["consumer_secret"],
        vector["signed_request"].split(".")[0],
        vector["signed_request"].split(".")[1][:40],
        "AQ8AQPUHPkLJSPGCVJXf0NjNHC5BFfT4rICKf",  # the OAuth token inside the vector
        "renewed.secret.token.value",
        token,
        renewed.json()["token"],
        SECRETS["SESSION_SIGNING_KEY"],
        SECRETS["TOKEN_ENCRYPTION_KEY"],
        cxone_variables(cxone_sandbox.url)["CXONE_ACCESS_KEY_SECRET"],
        cxone_variables(cxone_sandbox.url)["CXONE_CLIENT_SECRET"],
    ]
    for secret in forbidden:
        assert secret not in output


def test_production_server_refuses_to_start_without_secrets(tmp_path):
    env = server_env(tmp_path)
    check = subprocess.run(
        [sys.executable, "-m", "server", "check-config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 2
    assert "CANVAS_CONSUMER_SECRET is not set" in check.stderr
    log = tmp_path / "server.log"
    process = gunicorn(env, log)
    try:
        assert process.wait(timeout=30) != 0
    finally:
        if process.poll() is None:
            process.kill()
    assert "CANVAS_CONSUMER_SECRET is not set" in log.read_text()
