"""Agent against agent on every endpoint of the OpenAPI file and on every socket event: what
Ana holds (a claimed interaction, private notes, a disposition and its Salesforce write, her
unread counts) is refused to Chloé (same org, same queue) and invisible to Dana (another org,
another queue), and nothing they try changes anything in CXone or in Ana's data."""

from __future__ import annotations

import time
from pathlib import Path

import schemathesis

import server.api
from tests.conftest import wait_until
from tests.digital.conftest import CXONE_USER, agent
from tests.realtime.test_relay import NS, heard, socket

ANA = CXONE_USER[agent("ana").email]
SPEC = schemathesis.openapi.from_path(Path(server.api.__file__).with_name("openapi.yaml"))
ACT = {"reply": {"text": "hi"}, "transfer": {"routing_queue_id": "x"}, "resolve": None, "end": None}

# Each operation: what Chloé (same queue as Ana's interaction) and Dana (neither her org nor
# her queue) get when they aim at what is Ana's. Codes: a set of acceptable statuses.
EXPECTED = {
    "GET /api/v1/interactions/{contact_id}": ({200}, {404}),  # a colleague may read her queue
    "GET /api/v1/interactions/{contact_id}/contact": ({200}, {404}),  # but not Ana's notes
    "POST /api/v1/interactions/{contact_id}/open": ({409}, {404}),  # Ana holds it
    "POST /api/v1/interactions/{contact_id}/reply": ({403}, {404}),
    "POST /api/v1/interactions/{contact_id}/resolve": ({403}, {404}),
    "POST /api/v1/interactions/{contact_id}/end": ({403}, {404}),
    "POST /api/v1/interactions/{contact_id}/transfer": ({403}, {404}),
    "PUT /api/v1/interactions/{contact_id}/contact": ({403}, {404}),
    "PUT /api/v1/interactions/{contact_id}/disposition": ({403}, {404}),  # holder or ender only
    "POST /api/v1/interactions/{contact_id}/notes": ({201}, {404}),  # her own private note
    "GET /api/v1/interactions/{contact_id}/messages/{message_id}/attachments/{index}": (
        {200, 404},
        {404},
    ),
    "POST /api/v1/writes/{write_id}/retry": ({404}, {404}),  # Ana's write does not exist for them
}
# Operations on the caller's own things only: checked below for what they show.
OWN = {
    "GET /api/v1/session",
    "DELETE /api/v1/session",
    "GET /api/v1/inbox",
    "GET /api/v1/my-interactions",
    "GET /api/v1/transfer-targets",
    "GET /api/v1/tags",
    "GET /api/v1/channels",
    "GET /api/v1/writes",
    "GET /api/v1/salesforce/search",
    "POST /api/v1/outbound/email",
    "POST /api/v1/outbound/sms",
}
BODIES = {
    "reply": {"text": "not yours"},
    "transfer": {"routing_queue_id": "8a5c0f6e-0002-4000-8000-000000000002"},
    "contact": {"name_id": None},
    "disposition": {"notes": "not yours"},
    "notes": {"text": "my own note"},
}


def test_every_operation_is_in_the_matrix():
    labels = {r.ok().label for r in SPEC.get_all_operations() if r.ok().path.startswith("/api/")}
    assert labels == set(EXPECTED) | OWN, "a new endpoint needs its row in the matrix"


def test_what_is_anas_is_refused_to_chloe_and_invisible_to_dana(tab):  # type: ignore[no-untyped-def]
    ana, chloe, dana = tab.login("ana"), tab.login("chloe"), tab.login("dana")
    contact_id = tab.customer(channel="chat", text="only for Ana")
    tab.projected(contact_id, status="new")
    opened = tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=ana)
    assert opened.status_code == 200
    message_id = opened.json["messages"][0]["id"]
    tab.api.post(f"/api/v1/interactions/{contact_id}/notes", json={"text": "Ana's"}, headers=ana)
    disposition = tab.api.put(
        f"/api/v1/interactions/{contact_id}/disposition", json={"notes": "Ana's"}, headers=ana
    )
    assert disposition.status_code == 200
    writes = tab.api.get("/api/v1/writes", headers=ana).json["items"]
    assert writes, "Ana's disposition waits for Salesforce (no stand-in here)"
    write_id = writes[0]["id"]

    for label, (for_chloe, for_dana) in EXPECTED.items():
        method, template = label.split(" ", 1)
        path = (
            template.replace("{contact_id}", contact_id)
            .replace("{message_id}", message_id)
            .replace("{index}", "0")
            .replace("{write_id}", write_id)
        )
        body = BODIES.get(template.rsplit("/", 1)[-1])
        for who, headers, allowed in (("chloe", chloe, for_chloe), ("dana", dana, for_dana)):
            response = tab.api.open(path, method=method, json=body, headers=headers)
            assert response.status_code in allowed, (
                who,
                label,
                response.status_code,
                response.json,
            )

    # Nothing they tried changed anything: CXone, Ana's notes, Ana's disposition and write.
    assert tab.cxone.contact(contact_id).assignee_id == ANA
    contact = tab.api.get(f"/api/v1/interactions/{contact_id}/contact", headers=ana).json
    assert [n["text"] for n in contact["notes"]] == ["Ana's"]
    chloes = tab.api.get(f"/api/v1/interactions/{contact_id}/contact", headers=chloe).json
    assert [n["text"] for n in chloes["notes"]] == ["my own note"]
    assert tab.api.get("/api/v1/writes", headers=ana).json["items"][0]["id"] == write_id
    for headers in (chloe, dana):
        assert write_id not in {
            w["id"] for w in tab.api.get("/api/v1/writes", headers=headers).json["items"]
        }
        mine = tab.api.get("/api/v1/my-interactions", headers=headers).json["items"]
        assert contact_id not in {i["id"] for i in mine}
        assert (
            tab.api.get("/api/v1/session", headers=headers).json["user_id"] != agent("ana").user_id
        )
    dana_inbox = tab.inbox_ids(dana)
    assert contact_id not in dana_inbox


def test_socket_events_reach_only_the_agents_they_concern(tab):  # type: ignore[no-untyped-def]
    ana, chloe, dana = socket(tab, "ana"), socket(tab, "chloe"), socket(tab, "dana")
    for client in (ana, chloe, dana):
        heard(client)
    contact_id = tab.customer(channel="chat", text="for Ana")
    tab.projected(contact_id, status="new")
    tab.api.post(f"/api/v1/interactions/{contact_id}/open", headers=tab.login("ana"))
    tab.customer(contact_id=contact_id, text="still me")  # unread for Ana
    tab.api.put(
        f"/api/v1/interactions/{contact_id}/disposition",
        json={"notes": "x"},
        headers=tab.login("ana"),
    )

    def names(client, received):  # type: ignore[no-untyped-def]
        received.extend(e["args"][0] | {"_name": e["name"]} for e in client.get_received(NS))
        return {
            e["_name"]
            for e in received
            if e.get("id") == contact_id or e["_name"] == "write.changed"
        }

    got = {"ana": [], "chloe": [], "dana": []}
    wait_until(lambda: "unread.changed" in names(ana, got["ana"]), seconds=15)
    time.sleep(1.0)
    names(chloe, got["chloe"]), names(dana, got["dana"])
    chloe_names = {e["_name"] for e in got["chloe"] if e.get("id") == contact_id}
    # Chloé shares the queue: she hears the interaction change, never Ana's unread or writes.
    assert "interaction.changed" in chloe_names
    assert "unread.changed" not in chloe_names
    assert not [e for e in got["chloe"] if e["_name"] == "write.changed"]
    # Dana hears nothing of it at all.
    assert not [
        e for e in got["dana"] if e.get("id") == contact_id or e["_name"] == "write.changed"
    ]
    # Emitting to someone else's room is not something a client can ask for.
    assert not chloe.emit("join", {"room": f"agent:{ANA}"}, namespace=NS, callback=True)
