"""How to reach CXone: credentials and base URLs (all overridable; the sandbox is just a URL)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CxoneConfig:
    access_key_id: str
    access_key_secret: str
    client_id: str
    client_secret: str
    # Where /auth/token lives (the global auth host) and where discovery lives.
    auth_url: str = "https://cxone.niceincontact.com"
    discovery_url: str = "https://cxone.niceincontact.com"
    # Set to skip discovery (the sandbox, or a pinned area); else taken from api_endpoint.
    api_url: str | None = None
    event_hub_url_path: str = "/event-hub-url"
    timeout_seconds: float = 10.0
    max_attempts: int = 5
    backoff_base_seconds: float = 0.25
    backoff_cap_seconds: float = 8.0
    refresh_margin_seconds: float = 60.0

    def __repr__(self) -> str:  # never print secrets
        return f"CxoneConfig(auth_url={self.auth_url!r}, api_url={self.api_url!r})"
