"""Demo orgs and agents for local mode; the Salesforce stand-in seeds the same users."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from server.canvas.ids import to_18

DEMO_PASSWORD = "demo"  # noqa: S105 -- the stand-in's password grant for demo users; local mode only


@dataclass(frozen=True)
class DemoAgent:
    key: str
    user_id: str  # 18 characters
    org_id: str
    org_name: str
    first_name: str
    last_name: str
    email: str

    @property
    def username(self) -> str:
        return self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


ACME = (to_18("00D000000ACMEOR"), "Acme Support (demo)")
GLOBEX = (to_18("00D00000GLOBEXO"), "Globex Care (demo)")

DEMO_AGENTS = (
    DemoAgent("ana", to_18("005000000AGENTA"), *ACME, "Ana", "Lima", "ana.lima@acme.example"),
    DemoAgent("ben", to_18("005000000AGENTB"), *ACME, "Ben", "Okafor", "ben.okafor@acme.example"),
    DemoAgent("chloe", to_18("005000000AGENTC"), *ACME, "Chloé", "Martin", "chloe@acme.example"),
    DemoAgent("dana", to_18("005000000AGENTD"), *GLOBEX, "Dana", "Ito", "dana.ito@globex.example"),
)


def demo_agent(key: str) -> DemoAgent | None:
    return next((agent for agent in DEMO_AGENTS if agent.key == key), None)


def bench_agents(count: int) -> tuple[DemoAgent, ...]:
    """Generated Acme users for load runs: the Salesforce side of the CXone sandbox's
    `--bench-agents` (same emails: agent0000@bench.example is CXone user 1001, and so on)."""
    return tuple(
        DemoAgent(
            f"bench{index:04d}",
            to_18(f"005BENCH{index:07d}"),
            *ACME,
            "Agent",
            f"{index:04d}",
            f"agent{index:04d}@bench.example",
        )
        for index in range(count)
    )


def canvas_envelope(
    agent: DemoAgent, oauth_token: str, *, instance_url: str, target_origin: str, canvas_url: str
) -> dict[str, object]:
    """A Canvas signed request's envelope, in the shape Salesforce sends (see tests/fixtures:
    the real vector); sign it with server.canvas.signed_request.sign."""
    return {
        "algorithm": "HMACSHA256",
        "issuedAt": secrets.randbelow(2**31),  # Salesforce's values are not timestamps either
        "userId": agent.user_id[:15],
        "client": {
            "oauthToken": oauth_token,
            "instanceId": "_:digital_tab:",
            "targetOrigin": target_origin,
            "instanceUrl": instance_url,
        },
        "context": {
            "user": {
                "userId": agent.user_id,
                "userName": agent.username,
                "firstName": agent.first_name,
                "lastName": agent.last_name,
                "fullName": agent.full_name,
                "email": agent.email,
                "language": "en_US",
                "locale": "en_US",
                "timeZone": "Europe/London",
                "userType": "STANDARD",
            },
            "organization": {
                "organizationId": agent.org_id,
                "name": agent.org_name,
                "currencyIsoCode": "USD",
                "namespacePrefix": None,
            },
            "application": {
                "name": "Digital tab",
                "developerName": "Digital_Tab",
                "canvasUrl": canvas_url,
                "authType": "SIGNED_REQUEST",
                "version": "1.0",
            },
            "environment": {"displayLocation": "Visualforce", "parameters": {}},
        },
    }
