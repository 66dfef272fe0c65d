"""Write-back tests: the Salesforce stand-in as its own process (one per module, so records and
faults never leak between modules), agents signed in with the stand-in's real OAuth tokens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from server.launcher.demo import DEMO_PASSWORD, demo_agent
from tests.conftest import bearer, bridge_boot, standin_process
from tests.digital.conftest import digital_sandbox, tab  # noqa: F401 (fixtures, as in tests/digital)


class StandIn:
    def __init__(self, url: str) -> None:
        self.url = url

    def token(self, key: str) -> str:
        answer = requests.post(
            self.url + "/services/oauth2/token",
            data={
                "grant_type": "password",
                "username": demo_agent(key).username,
                "password": DEMO_PASSWORD,
            },
            timeout=5,
        )
        answer.raise_for_status()
        return answer.json()["access_token"]

    def records(self, sobject: str) -> list[dict[str, Any]]:
        return requests.get(f"{self.url}/sandbox/records/{sobject}", timeout=5).json()

    def record(self, sobject: str, external_id: str) -> dict[str, Any]:
        found = [r for r in self.records(sobject) if r.get("External_Id__c") == external_id]
        assert len(found) == 1, found
        return found[0]

    def calls(self) -> int:
        return requests.get(self.url + "/sandbox/calls", timeout=5).json().get("total", 0)

    def fault(self, **plan: Any) -> None:
        requests.post(self.url + "/sandbox/faults", json=plan, timeout=5).raise_for_status()

    def revoke_all_tokens(self) -> None:
        requests.post(self.url + "/sandbox/tokens/revoke-all", timeout=5).raise_for_status()

    def query(self, token: str, soql: str) -> requests.Response:
        return requests.get(
            self.url + "/services/data/v62.0/query",
            params={"q": soql},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    with standin_process() as url:
        yield StandIn(url)


def salesforce_login(digital_tab, standin: StandIn, key: str, window: str = "") -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Sign in through POST /canvas with a real stand-in token, as Salesforce would."""
    agent = demo_agent(key)
    page = digital_tab.api.post(
        "/canvas",
        data={
            "signed_request": digital_tab.signed_request(
                user_id=agent.user_id,
                org_id=agent.org_id,
                full_name=agent.full_name + window,
                oauth_token=standin.token(key),
                instance_url=standin.url,
            )
        },
    )
    assert page.status_code == 200, page.get_data(as_text=True)
    digital_tab.sessions[key] = bearer(bridge_boot(page.get_data(as_text=True))["token"])
    return digital_tab.sessions[key]
