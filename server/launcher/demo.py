"""Demo orgs and agents for local mode; the Salesforce stand-in seeds the same users."""

from __future__ import annotations

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
