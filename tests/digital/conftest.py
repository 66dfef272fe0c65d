"""A backend wired to a CXone sandbox of its own, following its Event Hub, with the demo agents
linked, and helpers to sign in as each of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from server.cxone.client import CxoneClient
from server.launcher.demo import DEMO_AGENTS, DemoAgent, demo_agent
from server.sandbox.cxone.seed import AGENTS, QUEUES
from tests.conftest import (
    CxoneSandbox,
    OpenAPICheckedClient,
    bearer,
    bridge_boot,
    cxone_config,
    cxone_variables,
    wait_until,
)

CXONE_USER = {email: user_id for user_id, _, email, *_ in AGENTS}
SUPPORT, BILLING, SALES, VIP = (QUEUES[k][0] for k in ("support", "billing", "sales", "vip"))
VOICE, EMAIL_OUT = QUEUES["voice"][0], QUEUES["email_out"][0]


@dataclass
class Tab:
    app: Any
    api: OpenAPICheckedClient
    sandbox: CxoneSandbox
    cxone: CxoneClient  # the test's own view of CXone, to check what really happened there
    signed_request: Any
    sessions: dict[str, dict[str, str]] = field(default_factory=dict)

    def login(self, key: str) -> dict[str, str]:
        """One sign-in per agent (a signed request can be used only once)."""
        if key in self.sessions:
            return self.sessions[key]
        agent = demo_agent(key)
        page = self.api.post(
            "/canvas",
            data={
                "signed_request": self.signed_request(
                    user_id=agent.user_id, org_id=agent.org_id, full_name=agent.full_name
                )
            },
        )
        assert page.status_code == 200, page.get_data(as_text=True)
        self.sessions[key] = bearer(bridge_boot(page.get_data(as_text=True))["token"])
        return self.sessions[key]

    def customer(self, **body: Any) -> str:
        return self.sandbox.customer_writes(**body)["contact"]["id"]

    def projected(self, contact_id: str, **expected: Any) -> None:
        """Wait until the read model (fed by events) shows these values."""
        from server.digital.models import Interaction

        def matches() -> bool:
            with self.app.extensions["digital_tab"].db.transaction() as db:
                row = db.get(Interaction, contact_id)
                return row is not None and all(getattr(row, k) == v for k, v in expected.items())

        wait_until(matches)

    def inbox_ids(self, headers: dict[str, str], **params: Any) -> list[str]:
        response = self.api.get(
            "/api/v1/inbox", query_string={"limit": 100, **params}, headers=headers
        )
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json["items"]]


@pytest.fixture(scope="module")
def digital_sandbox(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    sandbox = CxoneSandbox(tmp_path_factory.mktemp("digital"), heartbeat=0.5)
    yield sandbox
    sandbox.stop()


@pytest.fixture
def tab(make_app, digital_sandbox, signed_request, request) -> Tab:  # type: ignore[no-untyped-def]
    """Extra settings through indirect parametrisation: `@pytest.mark.parametrize("tab",
    [{"API_RATE_LIMIT": …}], indirect=True)`."""
    extra = getattr(request, "param", {})
    app = make_app(**cxone_variables(digital_sandbox.url), CXONE_EVENTS="true", **extra)
    services = app.extensions["digital_tab"]
    assert services.digital.projection.ready.wait(15), "no first reconciliation"
    for agent in DEMO_AGENTS:
        services.digital.directory.link(
            agent.org_id, agent.user_id, CXONE_USER[agent.email], can_transfer=agent.key != "ben"
        )
    return Tab(
        app,
        OpenAPICheckedClient(app.test_client()),
        digital_sandbox,
        CxoneClient(cxone_config(digital_sandbox.url)),
        signed_request,
    )


def agent(key: str) -> DemoAgent:
    return demo_agent(key)
