"""Soak: many agents and their customers for a set time, faults along the way, then the checks.

    .venv/bin/python -m bench.soak [--agents 200] [--minutes 30] [--faults all|none]

Everything as its own process on loopback: the CXone sandbox (the agents are its users, spread
over `--queues` digital queues), the Salesforce stand-in (the same agents as Acme users), a
redis-server of the run's own, a new PostgreSQL database, and two server processes (the
Procfile's command) sharing them, half the agents on each.

Customers write in (`--rate` new conversations a second, and follow-ups on earlier ones). Each
agent works as the Digital tab does, over REST and a Socket.IO connection that catches up with
`since` after a reconnect: it claims what appears in its queue, replies, transfers some to
another queue, ends the rest and saves a disposition naming an Account. With `--faults all`,
spread over the run: the Event Hub WebSocket dropped; Salesforce answering 503 and then
REQUEST_LIMIT_EXCEEDED (`--fault-seconds` each); kill -9 of one server process, started again;
Redis restarted. Then customers stop, agents finish what they hold, the outbox drains, and:
- no message lost: for every interaction of the run, each message CXone has is in the backend's
  read model, and each reply an agent was told was sent is in CXone;
- no event lost: every agent heard every numbered event of its queue after it first connected
  (live, or caught up with `since` after a reconnect);
- every saved disposition is in the Salesforce stand-in exactly once, with its notes; no
  Salesforce write given up;
- memory flat: each worker's resident memory at the end against after warm-up.
`run()` returns the figures and the list of violations (empty when everything held).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sqlite3
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import requests
import socketio
from sqlalchemy import create_engine, text

from bench.common import (
    SECRET,
    Backend,
    RedisServer,
    backend_env,
    drop_postgres_database,
    free_port,
    machine,
    postgres_database,
    rss_kib,
    run_server_command,
    start_sandbox,
    start_standin,
    stop,
    worker_pid,
)
from server.canvas.signed_request import sign
from server.launcher.demo import DEMO_PASSWORD, DemoAgent, bench_agents, canvas_envelope

POSTGRES_ADMIN = os.environ.get(
    "TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
FIRST_CXONE_USER = 1001  # the sandbox's --bench-agents
NUMBERED = ("message.added", "interaction.changed", "interaction.removed")
CHANNELS = ("chat", "sms", "email", "whatsapp", "facebook")
# Where in the run each fault starts (fractions of --minutes).
FAULT_TIMES = {"event_hub_drop": 0.2, "salesforce_outage": 0.35, "kill_9": 0.55, "redis": 0.75}


@dataclass
class Settings:
    agents: int
    queues: int
    seconds: float
    rate: float
    follow_ups: float
    transfer_share: float
    think: float
    faults: tuple[str, ...]  # names of FAULT_TIMES
    fault_seconds: float
    drain_seconds: float
    token_ttl: int  # the backends' SESSION_TOKEN_TTL_SECONDS: agents renew at half of it


@dataclass
class Shared:
    """What the run's parties record, for the checks at the end."""

    stats: Counter = field(default_factory=Counter)
    contacts: set[str] = field(default_factory=set)
    replies: dict[str, list[str]] = field(default_factory=dict)  # contact -> message ids sent
    dispositions: dict[str, str] = field(default_factory=dict)  # contact -> notes saved
    faults: list[dict[str, Any]] = field(default_factory=list)
    memory: dict[str, list[tuple[float, int]]] = field(default_factory=dict)


class Agent:
    """One agent's Digital tab: REST calls with its session token, and the /agents socket."""

    def __init__(
        self,
        person: DemoAgent,
        backend: Backend,
        queue_id: str,
        other_queues: list[str],
        standin: str,
        account_id: str,
        shared: Shared,
        settings: Settings,
    ) -> None:
        self.person, self.backend, self.queue_id = person, backend, queue_id
        self.other_queues, self.standin, self.account_id = other_queues, standin, account_id
        self.shared, self.settings = shared, settings
        self.rng = random.Random(person.key)  # noqa: S311 (load, not secrets)
        self.token = ""
        self.http: aiohttp.ClientSession | None = None
        self.socket = socketio.AsyncClient(
            reconnection=True,
            reconnection_attempts=0,
            reconnection_delay=0.5,
            reconnection_delay_max=2,
        )
        self.heard: set[int] = set()
        self.last_seq: int | None = None
        self.first_seq: int | None = None  # the newest event when it first connected
        self.candidates: dict[str, None] = {}  # unclaimed in its queue, as last heard
        self.taken: set[str] = set()  # heard claimed, moved or over since
        self.renewed_at = 0.0
        self._listen()

    # --- signing in, as Salesforce's canvas does -----------------------------------------------

    async def sign_in(self, http: aiohttp.ClientSession) -> None:
        self.http = http
        async with http.post(
            self.standin + "/services/oauth2/token",
            data={"grant_type": "password", "username": self.person.username}
            | {"password": DEMO_PASSWORD},
        ) as answer:
            self.oauth = (await answer.json())["access_token"]
        async with http.post(
            self.backend.url + "/canvas", data={"signed_request": self._signed()}
        ) as answer:
            page = await answer.text()
        self.token = re.search(r'"token": "([^"]+)"', page).group(1)  # the bridge page's boot
        self.renewed_at = time.monotonic()

    def _signed(self) -> str:
        envelope = canvas_envelope(
            self.person,
            self.oauth,
            instance_url=self.standin,
            target_origin=self.standin,
            canvas_url=self.backend.url + "/canvas",
        )
        return sign(envelope, SECRET)

    async def renew(self) -> None:
        """What the bridge does before its token expires: POST /canvas/renew, then tell the
        socket."""
        assert self.http is not None
        try:
            async with self.http.post(
                self.backend.url + "/canvas/renew",
                data={"signed_request": self._signed()},
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=aiohttp.ClientTimeout(total=30),
            ) as answer:
                if answer.status != 200:
                    self.shared.stats[f"renew_refused_{answer.status}"] += 1
                    await asyncio.sleep(1)
                    return
                self.token = (await answer.json())["token"]
        except (TimeoutError, aiohttp.ClientError):
            self.shared.stats["renew_unreachable"] += 1  # its process is away: again soon
            await asyncio.sleep(1)
            return
        self.renewed_at = time.monotonic()
        self.shared.stats["renewed"] += 1
        if self.socket.connected:
            await self.socket.emit("renew", {"token": self.token}, namespace="/agents")

    # --- the socket ------------------------------------------------------------------------------

    def _listen(self) -> None:
        def on_event(data: dict[str, Any]) -> None:
            seq = data.get("seq")
            if not isinstance(seq, int):
                return
            self.heard.add(seq)
            self.last_seq = max(self.last_seq or 0, seq)
            unclaimed = data.get("assignee") is None and data.get("status") in ("new", "open")
            if unclaimed and data.get("routing_queue_id") == self.queue_id:
                self.candidates[data["id"]] = None
                self.taken.discard(data["id"])
            else:  # claimed by someone, transferred away, or over
                self.candidates.pop(data["id"], None)
                self.taken.add(data["id"])

        def on_ready(data: dict[str, Any]) -> None:
            if self.first_seq is None:
                self.first_seq = int(data["latest"])
                self.last_seq = max(self.last_seq or 0, self.first_seq)

        def on_resync(_: Any) -> None:
            self.shared.stats["resyncs"] += 1

        def on_connect() -> None:
            self.shared.stats["socket_connects"] += 1

        for name in NUMBERED:
            self.socket.on(name, on_event, namespace="/agents")
        self.socket.on("ready", on_ready, namespace="/agents")
        self.socket.on("resync", on_resync, namespace="/agents")
        self.socket.on("connect", on_connect, namespace="/agents")

    def _auth(self) -> dict[str, Any]:
        """Asked again at every reconnect: the newest token and the last event heard."""
        auth: dict[str, Any] = {"token": self.token}
        if self.last_seq is not None:
            auth["since"] = self.last_seq
        return auth

    async def connect(self) -> None:
        await self.socket.connect(
            self.backend.url,
            namespaces=["/agents"],
            transports=["websocket"],
            auth=self._auth,
            wait_timeout=20,
        )

    # --- REST, as the bridge calls it --------------------------------------------------------------

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Retried while the backend is away (kill -9) or answers 5xx, up to a minute; a
        real agent clicks again."""
        assert self.http is not None
        deadline = time.monotonic() + 60
        while True:
            try:
                async with self.http.request(
                    method,
                    self.backend.url + "/api/v1" + path,
                    json=body,
                    headers={"Authorization": f"Bearer {self.token}"},
                    timeout=aiohttp.ClientTimeout(total=30),
                ) as answer:
                    payload = await answer.json(content_type=None)
                    status = answer.status
            except (TimeoutError, aiohttp.ClientError):
                status, payload = 0, None
            if status == 401 and (payload or {}).get("error", {}).get("code") == "token_expired":
                await self.renew()
                continue
            if (status == 0 or status >= 500) and time.monotonic() < deadline:
                self.shared.stats["retried_calls"] += 1
                await asyncio.sleep(0.5)
                continue
            code = (payload or {}).get("error", {}).get("code", "") if status >= 400 else ""
            self.shared.stats[f"{method} {path.split('/')[-1].split('?')[0]} {status} {code}"] += 1
            return status, payload

    async def work(self, stopping: asyncio.Event, draining: asyncio.Event) -> None:
        last_poll = 0.0
        while not stopping.is_set():
            if time.monotonic() - self.renewed_at > self.settings.token_ttl / 2:
                await self.renew()
            if not self.candidates and time.monotonic() - last_poll > 5:
                last_poll = time.monotonic()
                await self._poll_inbox()
            if not self.candidates:
                if draining.is_set() and time.monotonic() - last_poll < 1:
                    return  # nothing left in the queue
                await asyncio.sleep(0.5)
                continue
            contact_id = self.rng.choice(list(self.candidates))
            del self.candidates[contact_id]
            try:
                await self._handle(contact_id, draining.is_set())
            except Exception as exc:  # the run goes on; the checks report it
                self.shared.stats[f"harness_error {type(exc).__name__}"] += 1

    async def _poll_inbox(self) -> None:
        status, body = await self.call("GET", "/inbox?limit=25")
        if status == 200:
            self.candidates = {
                item["id"]: None
                for item in body["items"]
                if item["assignee"] is None and item["routing_queue_id"] == self.queue_id
            }

    async def _pause(self) -> None:
        await asyncio.sleep(self.rng.uniform(0, self.settings.think))

    async def _handle(self, contact_id: str, draining: bool) -> None:
        await self._pause()
        if contact_id in self.taken:
            return  # a colleague claimed it while this agent looked
        status, _ = await self.call("POST", f"/interactions/{contact_id}/open")
        if status != 200:
            return  # a colleague was quicker, or it is no longer open
        await self._pause()
        if not draining and self.rng.random() < self.settings.transfer_share:
            target = self.rng.choice(self.other_queues)
            await self.call(
                "POST", f"/interactions/{contact_id}/transfer", {"routing_queue_id": target}
            )
            return
        status, body = await self.call(
            "POST", f"/interactions/{contact_id}/reply", {"text": f"Reply from {self.person.key}"}
        )
        if status == 200:
            self.shared.replies.setdefault(contact_id, []).append(str(body["message"]["id"]))
        await self._pause()
        await self.call("POST", f"/interactions/{contact_id}/end")
        notes = f"Soak {contact_id} by {self.person.key} at {time.time():.3f}"
        status, _ = await self.call(
            "PUT",
            f"/interactions/{contact_id}/disposition",
            {"name_id": self.account_id, "notes": notes},
        )
        if status == 200:
            self.shared.dispositions[contact_id] = notes


async def customers(
    sandbox: str, queues: list[str], shared: Shared, settings: Settings, stopping: asyncio.Event
) -> None:
    """New conversations at `rate` a second, each followed up on with `follow_ups` odds."""
    rng = random.Random(11)  # noqa: S311 (load, not secrets)
    written: list[str] = []
    async with aiohttp.ClientSession() as http:
        number = 0
        while not stopping.is_set():
            number += 1
            body: dict[str, Any] = {
                "channel": rng.choice(CHANNELS),
                "text": f"Customer message {number}",
                "routing_queue_id": rng.choice(queues),
            }
            if written and rng.random() < settings.follow_ups:
                body = {"contact_id": rng.choice(written[-200:]), "text": f"Follow-up {number}"}
            try:
                async with http.post(sandbox + "/sandbox/customer-messages", json=body) as answer:
                    if answer.status == 201:
                        contact_id = str((await answer.json())["contact"]["id"])
                        shared.contacts.add(contact_id)
                        written.append(contact_id)
                        shared.stats["customer_messages"] += 1
                    else:
                        shared.stats[f"customer_refused_{answer.status}"] += 1
            except aiohttp.ClientError:
                shared.stats["customer_errors"] += 1
            await asyncio.sleep(1 / settings.rate)


@dataclass
class Stack:
    folder: Path
    sandbox: str
    standin: str
    backends: list[Backend]
    redis: RedisServer
    database_url: str
    processes: list[Any]


async def faults(stack: Stack, shared: Shared, settings: Settings, started: float) -> None:
    """The chosen faults, each at its time of the run (FAULT_TIMES)."""

    def record(name: str, **details: Any) -> None:
        shared.faults.append(
            {"fault": name, "at_s": round(time.monotonic() - started, 1)} | details
        )

    async def event_hub_drop() -> None:
        dropped = requests.post(stack.sandbox + "/sandbox/event-hub/drop", timeout=10).json()
        record("event_hub_drop", dropped=dropped["dropped"])

    async def salesforce_outage() -> None:
        seconds = settings.fault_seconds
        plan = {"status": 503, "errorCode": "SERVER_UNAVAILABLE", "seconds": seconds}
        requests.post(stack.standin + "/sandbox/faults", json=plan, timeout=10).raise_for_status()
        record("salesforce_503", seconds=seconds)
        await asyncio.sleep(seconds)
        plan = plan | {"status": 403, "errorCode": "REQUEST_LIMIT_EXCEEDED"}
        requests.post(stack.standin + "/sandbox/faults", json=plan, timeout=10).raise_for_status()
        record("salesforce_request_limit", seconds=seconds)

    async def kill_9() -> None:
        backend = stack.backends[0]
        await asyncio.to_thread(backend.kill_9)
        down = time.monotonic()
        await asyncio.to_thread(backend.start)
        record("kill_9", restarted_after_s=round(time.monotonic() - down, 1))

    async def redis() -> None:
        stack.redis.stop()
        await asyncio.sleep(2)
        stack.redis.start()
        record("redis_restart", down_s=2)

    plays = {
        "event_hub_drop": event_hub_drop,
        "salesforce_outage": salesforce_outage,
        "kill_9": kill_9,
        "redis": redis,
    }
    for name, fraction in FAULT_TIMES.items():
        if name in settings.faults:
            await asyncio.sleep(max(0.0, started + fraction * settings.seconds - time.monotonic()))
            await plays[name]()


async def sample_memory(stack: Stack, shared: Shared, stopping: asyncio.Event) -> None:
    """Each worker's resident memory every 2 s; a restarted worker is a new series."""
    started = time.monotonic()
    while not stopping.is_set():
        for name, backend in zip(("a", "b"), stack.backends, strict=True):
            try:
                pid = worker_pid(backend.process)
                rss = rss_kib(pid)
            except (OSError, RuntimeError, AssertionError, TypeError):
                continue  # between kill -9 and its restart
            series = shared.memory.setdefault(f"{name} (pid {pid})", [])
            series.append((time.monotonic() - started, rss))
        await asyncio.sleep(2)


def start_stack(folder: Path, settings: Settings) -> Stack:
    sandbox_port, standin_port = free_port(), free_port()
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    standin = f"http://127.0.0.1:{standin_port}"
    processes: list[Any] = [
        start_sandbox(
            folder,
            sandbox_port,
            *("--bulk", "0", "--bulk-queues", str(settings.queues)),
            *("--bench-agents", str(settings.agents), "--heartbeat", "5"),
        ),
        start_standin(standin_port, settings.agents),
    ]
    redis = RedisServer(folder)
    redis.start()
    database_url = postgres_database(POSTGRES_ADMIN)
    backends = []
    for name in ("a", "b"):
        port = free_port()
        env = backend_env(folder, port, sandbox) | {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis.url,
            "LOG_LEVEL": "WARNING",
            "SALESFORCE_OUTBOX_LEASE_SECONDS": "5",
            "SESSION_TOKEN_TTL_SECONDS": str(settings.token_ttl),
        }
        backends.append(Backend(env, folder / f"server-{name}.log"))
    env = backends[0].env
    run_server_command(env, "migrate")
    links = folder / "links.csv"
    links.write_text(
        "".join(
            f"{person.org_id},{person.user_id},{FIRST_CXONE_USER + index}\n"
            for index, person in enumerate(bench_agents(settings.agents))
        )
    )
    run_server_command(env, "link-agents", str(links))
    for backend in backends:
        backend.start()
    return Stack(folder, sandbox, standin, backends, redis, database_url, processes)


def queue_layout(folder: Path, agents: int) -> dict[int, str]:
    """Each bench agent's one queue (the sandbox spreads them over the bulk queues)."""
    with sqlite3.connect(folder / "cxone.db") as db:
        return {
            user_id: queue_id
            for queue_id, user_id in db.execute("SELECT queue_id, user_id FROM queue_members")
            if FIRST_CXONE_USER <= user_id < FIRST_CXONE_USER + agents
        }


async def drive(stack: Stack, settings: Settings, shared: Shared) -> list[Agent]:
    queue_of = queue_layout(stack.folder, settings.agents)
    queues = sorted(set(queue_of.values()))
    account_id = next(
        r["Id"]
        for r in requests.get(stack.standin + "/sandbox/records/Account", timeout=10).json()
        if r["Name"] == "Globex Corporation"
    )
    agents = [
        Agent(
            person,
            stack.backends[index % 2],
            queue_of[FIRST_CXONE_USER + index],
            [q for q in queues if q != queue_of[FIRST_CXONE_USER + index]],
            stack.standin,
            account_id,
            shared,
            settings,
        )
        for index, person in enumerate(bench_agents(settings.agents))
    ]
    connector = aiohttp.TCPConnector(limit=400)
    async with aiohttp.ClientSession(connector=connector) as http:
        for start in range(0, len(agents), 20):
            await asyncio.gather(*(a.sign_in(http) for a in agents[start : start + 20]))
        for start in range(0, len(agents), 50):
            await asyncio.gather(*(a.connect() for a in agents[start : start + 50]))
        stopping, draining, customers_stop = asyncio.Event(), asyncio.Event(), asyncio.Event()
        started = time.monotonic()
        tasks = [asyncio.create_task(a.work(stopping, draining)) for a in agents]
        side = [
            asyncio.create_task(customers(stack.sandbox, queues, shared, settings, customers_stop)),
            asyncio.create_task(sample_memory(stack, shared, stopping)),
        ]
        fault_task = (
            asyncio.create_task(faults(stack, shared, settings, started))
            if settings.faults
            else None
        )
        await asyncio.sleep(settings.seconds)
        customers_stop.set()
        if fault_task is not None:
            await fault_task
        draining.set()
        drained = asyncio.gather(*tasks)
        try:
            await asyncio.wait_for(asyncio.shield(drained), settings.drain_seconds)
        except TimeoutError:
            shared.stats["agents_not_drained"] = sum(not t.done() for t in tasks)
            shared.stats["left_unclaimed"] = len(
                set().union(
                    *(a.candidates for a, t in zip(agents, tasks, strict=True) if not t.done())
                )
            )
        stopping.set()
        await drained
        await asyncio.sleep(5)  # the last events reach every socket
        await asyncio.gather(*side)
        for agent in agents:
            await agent.socket.disconnect()
    return agents


def wait_outbox(database_url: str, seconds: float) -> dict[str, int]:
    engine = create_engine(database_url)
    deadline = time.monotonic() + seconds
    while True:
        with engine.connect() as db:
            states = dict(
                db.execute(text("SELECT state, count(*) FROM salesforce_writes GROUP BY state"))
                .tuples()
                .all()
            )
        if not states.get("pending") or time.monotonic() > deadline:
            engine.dispose()
            return states
        time.sleep(1)


def every_tenth(series: list[tuple[float, int]], seconds: float) -> list[int]:
    """Resident MiB every tenth of the run from the worker's start: growth that levels off is a
    high-water mark (memory since freed, kept by the allocator), growth that goes on is a leak."""
    along, last = [], -1
    for t, rss in series:
        tenth = int((t - series[0][0]) * 10 / seconds)
        if tenth > last:
            along.append(round(rss / 1024))
            last = tenth
    return along


def check(stack: Stack, agents: list[Agent], shared: Shared, settings: Settings) -> dict:
    violations: list[str] = []
    engine = create_engine(stack.database_url)
    with engine.connect() as db:
        seen = set(db.execute(text("SELECT message_id FROM interaction_messages")).scalars())
        events = db.execute(
            text(
                "SELECT seq, routing_queue_id FROM relay_events WHERE routing_queue_id IS NOT NULL"
            )
        ).all()
        event_rows = {}
        first_event: dict[str, datetime] = {}  # contact id -> when agents were first told of it
        for seq, created, payload in db.execute(
            text("SELECT seq, created_at, payload FROM relay_events")
        ):
            event_rows[seq] = (str(created), payload)
            contact_id = (json.loads(payload) if isinstance(payload, str) else payload).get("id")
            if contact_id and (contact_id not in first_event or created < first_event[contact_id]):
                first_event[contact_id] = created
    engine.dispose()

    # No message lost: what CXone has for the run's interactions is in the read model.
    with sqlite3.connect(stack.folder / "cxone.db") as cxone:
        cxone_messages = {
            contact: set()
            for contact in shared.contacts | set(shared.replies) | set(shared.dispositions)
        }
        written_at = {}
        first_message: dict[str, datetime] = {}
        for message_id, contact_id, created in cxone.execute(
            "SELECT id, contact_id, created_at FROM messages"
        ):
            if str(contact_id) in cxone_messages:
                cxone_messages[str(contact_id)].add(str(message_id))
                written_at[str(message_id)] = created
                moment = datetime.fromisoformat(created)
                if first_message.get(str(contact_id), moment) >= moment:
                    first_message[str(contact_id)] = moment
    # How fresh live events stay under the load: a customer writes in, agents are told.
    new_lags = sorted(
        (first_event[c] - first_message[c]).total_seconds()
        for c in shared.contacts
        if c in first_event and c in first_message
    )
    missing = {c: ids - seen for c, ids in cxone_messages.items() if ids - seen}
    if missing:
        examples = sorted((written_at[m], c, m) for c, ids in missing.items() for m in ids)
        violations.append(
            f"{len(examples)} CXone messages not in the read model, e.g. (written at, contact, "
            f"message): {examples[:5]}"
        )
    lost_replies = [
        (c, m) for c, ids in shared.replies.items() for m in ids if m not in cxone_messages[c]
    ]
    if lost_replies:
        violations.append(
            f"{len(lost_replies)} replies the agents were told were sent not in CXone"
        )

    # No event lost: each agent heard every numbered event of its queue since it connected.
    by_queue: dict[str, list[int]] = {}
    for seq, queue_id in events:
        by_queue.setdefault(queue_id, []).append(seq)
    unheard = []
    for agent in agents:
        after = agent.first_seq if agent.first_seq is not None else 0
        unheard += [
            (event_rows[seq][0], seq, agent.person.key, agent.backend.url[-5:], event_rows[seq][1])
            for seq in by_queue.get(agent.queue_id, [])
            if seq > after and seq not in agent.heard
        ]
    if unheard:
        violations.append(
            f"{len(unheard)} (agent, event) pairs not heard, e.g. (stored at, seq, agent, "
            f"backend port, event): {sorted(unheard)[:5]}"
        )

    # Every disposition in Salesforce exactly once, with the notes saved last.
    records = requests.get(
        stack.standin + "/sandbox/records/Digital_Interaction__c", timeout=30
    ).json()
    per_contact = Counter(r["External_Id__c"] for r in records)
    duplicates = [c for c, n in per_contact.items() if n > 1]
    if duplicates:
        violations.append(f"{len(duplicates)} interactions written to Salesforce more than once")
    notes = {r["External_Id__c"]: r.get("Disposition_Notes__c") for r in records}
    absent = [c for c in shared.dispositions if c not in notes]
    wrong = [c for c, n in shared.dispositions.items() if c in notes and notes[c] != n]
    if absent:
        violations.append(f"{len(absent)} saved dispositions not in Salesforce")
    if wrong:
        violations.append(f"{len(wrong)} dispositions in Salesforce with other notes")
    writes = wait_outbox(stack.database_url, 0)
    if writes.get("failed") or writes.get("pending"):
        violations.append(f"Salesforce writes not done: {writes}")

    harness = {k: n for k, n in shared.stats.items() if k.startswith("harness_error")}
    if harness:
        violations.append(f"agents' steps failed in the soak itself, so it checked less: {harness}")

    # Memory flat: after warm-up (a quarter of the run) against the end, per worker.
    memory = {}
    for name, series in shared.memory.items():
        warm = [rss for t, rss in series if t >= series[0][0] + settings.seconds / 4]
        if len(warm) >= 2:
            memory[name] = {
                "warm_kib": warm[0],
                "end_kib": warm[-1],
                "growth": round(warm[-1] / warm[0] - 1, 3),
                "along_mib": every_tenth(series, settings.seconds),
            }
    return {
        "violations": violations,
        "contacts": len(cxone_messages),
        "new_interaction_seconds": {
            name: round(new_lags[min(len(new_lags) - 1, int(q * len(new_lags)))], 2)
            for name, q in (("p50", 0.5), ("p99", 0.99), ("max", 1.0))
        }
        if new_lags
        else {},
        "cxone_messages": sum(map(len, cxone_messages.values())),
        "replies": sum(map(len, shared.replies.values())),
        "dispositions": len(shared.dispositions),
        "salesforce_records": len(records),
        "events_checked": sum(
            sum(seq > (a.first_seq or 0) for seq in by_queue.get(a.queue_id, [])) for a in agents
        ),
        "writes": writes,
        "memory": memory,
        "faults": shared.faults,
        "stats": dict(shared.stats),
    }


def run(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.soak")
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--queues", type=int, default=10)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--rate", type=float, default=4, help="new conversations a second")
    parser.add_argument("--follow-ups", type=float, default=0.3, help="share of follow-ups")
    parser.add_argument("--transfer-share", type=float, default=0.2)
    parser.add_argument("--think", type=float, default=2.0, help="seconds between an agent's steps")
    parser.add_argument(
        "--faults",
        default="all",
        help=f"all, none, or some of {','.join(FAULT_TIMES)} (comma-separated)",
    )
    parser.add_argument("--fault-seconds", type=float, default=60)
    parser.add_argument("--drain-seconds", type=float, default=180)
    parser.add_argument(
        "--token-ttl", type=int, default=900, help="session token seconds; agents renew at half"
    )
    parser.add_argument("--write", type=Path, help="write the figures as Markdown (docs/SOAK.md)")
    parser.add_argument(
        "--from-report", type=Path, help="no run: write this run's report.json with --write"
    )
    args = parser.parse_args(argv)
    if args.from_report is not None:
        result = json.loads(args.from_report.read_text())
        if args.write is not None:
            args.write.write_text(markdown(result, args))
        return result
    settings = Settings(
        agents=args.agents,
        queues=args.queues,
        seconds=args.minutes * 60,
        rate=args.rate,
        follow_ups=args.follow_ups,
        transfer_share=args.transfer_share,
        think=args.think,
        faults=_faults(args.faults),
        fault_seconds=args.fault_seconds,
        drain_seconds=args.drain_seconds,
        token_ttl=args.token_ttl,
    )
    folder = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    shared = Shared()
    stack = start_stack(folder, settings)
    started = time.monotonic()
    result: dict[str, Any] = {}
    try:
        agents = asyncio.run(drive(stack, settings, shared))
        wait_outbox(stack.database_url, 120)
        result = check(stack, agents, shared, settings)
    finally:
        stop([b.process for b in stack.backends if b.process is not None] + stack.processes)
        stack.redis.stop()
        if result.get("violations"):
            result["database_kept"] = stack.database_url  # to look into
        else:
            drop_postgres_database(POSTGRES_ADMIN, stack.database_url)
    result["seconds"] = round(time.monotonic() - started, 1)
    result["folder"] = str(folder)
    result["machine"] = machine()
    (folder / "report.json").write_text(json.dumps(result, indent=2))
    if args.write is not None:
        args.write.write_text(markdown(result, args))
    return result


def _faults(chosen: str) -> tuple[str, ...]:
    names = {"all": ",".join(FAULT_TIMES), "none": ""}.get(chosen, chosen)
    faults = tuple(name for name in names.split(",") if name)
    unknown = set(faults) - set(FAULT_TIMES)
    if unknown:
        raise SystemExit(f"unknown faults {sorted(unknown)}: choose from {list(FAULT_TIMES)}")
    return faults


def markdown(result: dict, args: argparse.Namespace) -> str:
    stats = result["stats"]
    claims = sum(n for key, n in stats.items() if key.startswith("POST open "))
    held = "held" if not result["violations"] else "VIOLATED: " + "; ".join(result["violations"])
    faults = "\n".join(
        f"| {f['fault']} | {f['at_s']} s | "
        + ", ".join(f"{k} {v}" for k, v in f.items() if k not in ("fault", "at_s"))
        + " |"
        for f in result["faults"]
    )
    memory = "\n".join(
        f"| {worker} | {m['warm_kib'] / 1024:.1f} MiB | {m['end_kib'] / 1024:.1f} MiB | "
        f"{m['growth']:+.1%} | {', '.join(map(str, m.get('along_mib', [])))} |"
        for worker, m in result["memory"].items()
    )
    lag = " / ".join(str(v) for v in result.get("new_interaction_seconds", {}).values()) or "-"
    command = (
        f"python -m bench.soak --agents {args.agents} --queues {args.queues} "
        f"--minutes {args.minutes:g} --rate {args.rate:g} --fault-seconds {args.fault_seconds:g}"
        + (f" --faults {args.faults}" if args.faults != "all" else "")
    )
    return f"""# Soak

`.venv/bin/{command}` (see `bench/soak.py` for what it runs and checks; `tests/soak` runs it
for 1.5 minutes in the suite).

Machine: {result.get("machine") or machine()}. Whole run, start-up and drain included:
{result["seconds"] / 60:.1f} minutes. Invariants: **{held}**.

| faults along the run | at | details |
| --- | --- | --- |
{faults}

| what happened | count |
| --- | --- |
| interactions | {result["contacts"]} |
| customer messages written | {stats.get("customer_messages", 0)} |
| messages in CXone for the run's interactions (each must be in the read model) | {result["cxone_messages"]} |
| replies sent (each must be in CXone) | {result["replies"]} |
| claims tried / won | {claims} / {stats.get("POST open 200 ", 0)} |
| transfers | {stats.get("POST transfer 200 ", 0)} |
| dispositions saved (each must be in Salesforce exactly once) | {result["dispositions"]} |
| Salesforce writes done / given up | {result["writes"].get("done", 0)} / {result["writes"].get("failed", 0)} |
| (agent, event) pairs checked | {result["events_checked"]} |
| a customer writes in → agents are told (p50 / p99 / max seconds) | {lag} |
| socket connections (the killed process's agents came back) | {stats.get("socket_connects", 0)} |
| REST calls retried while a process was away or answered 5xx | {stats.get("retried_calls", 0)} |

| worker | memory after warm-up | at the end | growth | MiB every tenth of the run |
| --- | --- | --- | --- | --- |
{memory}

A restarted worker (after kill -9) is its own line. Claims lost are agents of the same queue
reaching for the same interaction (409, "already working on it"), as in a real queue.
"""


def main() -> None:
    result = run()
    print(json.dumps(result, indent=2))
    if result["violations"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
