"""The app's long-lived collaborators, built once by the factory and found through the app."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from server.canvas.sessions import SessionService
from server.cxone.client import CxoneClient
from server.cxone.event_hub import EventHubFollower
from server.db import Database
from server.digital.workflow import DigitalTab
from server.errors import ApiError
from server.salesforce.outbox import Outbox
from server.settings import Settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    sessions: SessionService
    cxone: CxoneClient | None
    digital: DigitalTab | None = None
    events: EventHubFollower | None = None
    outbox: Outbox | None = None


def services() -> Services:
    return current_app.extensions["digital_tab"]


def digital() -> DigitalTab:
    """Raises: ApiError 503 when no CXone is configured (local mode without the sandbox)."""
    tab = services().digital
    if tab is None:
        raise ApiError(
            503, "cxone_not_configured", "No CXone is configured; set the CXONE_* variables."
        )
    return tab
