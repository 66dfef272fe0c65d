"""What the benchmarks share: ports, the sandbox and the backend as processes, signing in."""

from __future__ import annotations

import os
import platform
import re
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

from server.canvas.signed_request import sign
from server.cxone.client import CxoneClient
from server.cxone.config import CxoneConfig
from server.digital.models import ACTIVE_STATUSES
from server.sandbox.cxone.seed import SANDBOX_CREDENTIALS, sandbox_environment

ROOT = Path(__file__).resolve().parent.parent

SECRET = "bench-consumer-secret"  # noqa: S105 (signs requests only for this local run)
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_http(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * fraction) - 1)]


def start_sandbox(folder: Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    """The CXone sandbox in its own process; `extra`: serve options (--bulk …)."""
    database = str(folder / "cxone.db")
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "server.sandbox.cxone",
            "serve",
            "--port",
            str(port),
            "--db",
            database,
            *extra,
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_http(f"http://127.0.0.1:{port}/dfo/3.0/tags", 600)
    return process


def backend_env(folder: Path, port: int, sandbox_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DIGITAL_TAB_ENV": "production",
        "DATABASE_URL": f"sqlite:///{folder / 'backend.db'}",
        "INSTANCE_PATH": str(folder),
        "CANVAS_CONSUMER_SECRET": SECRET,
        "SESSION_SIGNING_KEY": "bench-signing-key-0123456789abcdef0123456789",
        "TOKEN_ENCRYPTION_KEY": "bench-encryption-key-0123456789abcdef012345",
        "CANVAS_VERIFY_OAUTH_TOKEN": "false",
        "LOG_LEVEL": "WARNING",
        # One bench client is one agent asking as fast as it can: measure, do not throttle it.
        "API_RATE_LIMIT": "1000000/second",
        "CANVAS_RATE_LIMIT": "1000000/second",
        "PORT": str(port),
        **sandbox_environment(sandbox_url),
    }


def procfile_gunicorn(env: dict[str, str], app: str | None = None) -> subprocess.Popen[bytes]:
    """The Procfile's web command on loopback (optionally serving another WSGI app)."""
    web = re.search(r"^web: (.*)$", (ROOT / "Procfile").read_text(), re.M).group(1)
    command = web.replace("$PORT", env["PORT"]).replace("0.0.0.0", "127.0.0.1").split()  # noqa: S104
    command[0] = str(Path(PYTHON).parent / "gunicorn")
    if app is not None:
        command[-1] = app
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_http(f"http://127.0.0.1:{env['PORT']}/healthz", 60)
    return process


def run_server_command(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [PYTHON, "-m", "server", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def sandbox_client(sandbox_url: str) -> CxoneClient:
    return CxoneClient(
        CxoneConfig(**SANDBOX_CREDENTIALS, auth_url=sandbox_url, discovery_url=sandbox_url)
    )


def wait_read_model(sandbox_url: str, backend_db: Path, seconds: float = 600) -> float:
    """Seconds until the backend's read model holds every active CXone interaction."""
    expected = sandbox_client(sandbox_url).search_contacts(statuses=ACTIVE_STATUSES).hits
    started = time.monotonic()
    while _projected(backend_db) < expected:
        if time.monotonic() - started > seconds:
            raise RuntimeError("the read model did not fill")
        time.sleep(0.5)
    return time.monotonic() - started


def wait_quiet(backend_db: Path, seconds: float = 3) -> None:
    """Until the first load's message fetches are done: no new message rows for `seconds`."""
    last, since = -1, time.monotonic()
    while time.monotonic() - since < seconds:
        time.sleep(0.5)
        try:
            with sqlite3.connect(backend_db) as connection:
                count = connection.execute("SELECT COUNT(*) FROM interaction_messages").fetchone()[
                    0
                ]
        except sqlite3.Error:
            count = -1
        if count != last:
            last, since = count, time.monotonic()


def _projected(path: Path) -> int:
    try:
        with sqlite3.connect(path) as connection:
            query = "SELECT COUNT(*) FROM interactions WHERE active"
            return connection.execute(query).fetchone()[0]
    except sqlite3.Error:
        return 0


def sign_in(
    backend: str,
    user_id: str,
    full_name: str,
    email: str,
    org_id: str,
    org_name: str,
    *,
    oauth_token: str = "00D!bench",  # noqa: S107 (a placeholder: the bench backend does not check it)
    instance_url: str = "https://acme.my.salesforce.com",
) -> str:
    """POST /canvas with a signed request as Salesforce would; returns the session token."""
    envelope = {
        "algorithm": "HMACSHA256",
        "userId": user_id,
        "client": {
            "oauthToken": oauth_token,
            "instanceUrl": instance_url,
            "targetOrigin": instance_url,
        },
        "context": {
            "user": {"userId": user_id, "fullName": full_name, "email": email},
            "organization": {"organizationId": org_id, "name": org_name},
        },
    }
    page = requests.post(
        backend + "/canvas", data={"signed_request": sign(envelope, SECRET)}, timeout=30
    ).text
    return re.search(r'"token": "([^"]+)"', page).group(1)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def worker_pid(master: subprocess.Popen[bytes]) -> int:
    """gunicorn's one worker (-w 1): the master's child."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(20)


class RedisServer:
    """A redis-server of the run's own on a free port (the machine's is shared), to restart."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_timeout=1).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)


class Backend:
    """The Procfile's web command as its own process group, so it can die at once (kill -9)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.url = f"http://127.0.0.1:{env['PORT']}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        web = re.search(r"^web: (.*)$", (ROOT / "Procfile").read_text(), re.M).group(1)
        command = web.replace("$PORT", self.env["PORT"]).replace("0.0.0.0", "127.0.0.1").split()  # noqa: S104
        command[0] = str(Path(PYTHON).parent / "gunicorn")
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_http(self.url + "/healthz", 60)

    def kill_9(self) -> None:
        """Master and worker die at once: nothing finishes, nothing is flushed."""
        assert self.process is not None
        os.killpg(self.process.pid, 9)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


def postgres_database(admin_url: str) -> str:
    """A new, empty database on that server; returns its SQLAlchemy URL (drop it with
    drop_postgres_database)."""
    import uuid

    import psycopg

    name = f"digital_tab_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return "postgresql+psycopg://" + admin_url.split("://", 1)[1].rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(admin_url: str, url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_standin(port: int, bench_users: int = 0) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            *(PYTHON, "-m", "server.sandbox.salesforce"),
            *("--port", str(port), "--bench-users", str(bench_users)),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_http(f"http://127.0.0.1:{port}/services/oauth2/userinfo", 30)
    return process


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory = next(
        int(line.split()[1]) // 1024 // 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return (
        f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores, "
        f"{memory} GiB; Python {platform.python_version()}; "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}"
    )
