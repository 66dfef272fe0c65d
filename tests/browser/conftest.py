"""The product as the README runs it (`python -m server.sandbox.stack`), a fresh Lightning build,
and Debian's Chromium driven by Playwright. Screenshots go to test-artifacts/browser/."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, free_port, wait_for_http

CHROMIUM = Path("/usr/bin/chromium")
# As the machine's notes say: without the background-networking flags Chromium keeps trying
# hosts this closed network refuses.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts" / "browser"


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (under CI=true the browser tests must run)")
    pytest.skip(reason)


@dataclass
class Stack:
    backend: str
    cxone: str
    salesforce: str
    log: Path  # everything the three processes printed
    instance: Path  # holds the development secrets the stack generated

    def customer_writes(
        self, text: str, *, channel: str = "chat", contact: str | None = None
    ) -> str:
        """A customer writes in (the sandbox's own command, over HTTP); returns the contact id."""
        args = ["--channel", channel, "--text", text]
        if contact:
            args = ["--contact", contact, "--text", text]
        done = subprocess.run(
            [sys.executable, "-m", "server.sandbox.cxone", "customer", "--url", self.cxone, *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return str(json.loads(done.stdout)["contact"])

    def salesforce_records(self, sobject: str) -> list[dict]:
        return requests.get(f"{self.salesforce}/sandbox/records/{sobject}", timeout=5).json()


@pytest.fixture(scope="module")
def lightning_build() -> None:
    if not (ROOT / "node_modules" / ".bin" / "rollup").exists():
        _missing("npm ci has not been run at the repository root")
    # Always from the current force-app/: a stale build would test yesterday's components.
    subprocess.run(["npm", "run", "--silent", "build:lightning"], cwd=ROOT, check=True, timeout=300)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, lightning_build: None) -> Iterator[Stack]:
    ports = {
        name: str(free_port()) for name in ("PORT", "CXONE_SANDBOX_PORT", "SALESFORCE_STANDIN_PORT")
    }
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CXONE_", "CANVAS_", "SALESFORCE_", "DATABASE_", "REDIS_"))
    }
    # Session tokens of 45 s: the bridge renews them (through the Canvas SDK and the Lightning
    # page) every few seconds while the agent works, and the work must not notice.
    instance = tmp_path_factory.mktemp("instance")
    env.update(
        ports,
        INSTANCE_PATH=str(instance),
        SESSION_TOKEN_TTL_SECONDS="45",
        LOG_LEVEL="DEBUG",  # the most the product ever logs, for the credential check
    )
    log_path = tmp_path_factory.mktemp("logs") / "stack.log"
    log = open(log_path, "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "server.sandbox.stack"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    stack = Stack(
        backend=f"http://127.0.0.1:{ports['PORT']}",
        cxone=f"http://127.0.0.1:{ports['CXONE_SANDBOX_PORT']}",
        salesforce=f"http://127.0.0.1:{ports['SALESFORCE_STANDIN_PORT']}",
        log=log_path,
        instance=instance,
    )
    try:
        wait_for_http(stack.backend + "/healthz", process, seconds=90)
        yield stack
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        _missing("Debian's chromium is not installed (scripts/setup test installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (scripts/setup test installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Path:
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder
