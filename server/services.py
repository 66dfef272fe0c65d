"""The app's long-lived collaborators, built once by the factory and found through the app."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from server.canvas.sessions import SessionService
from server.cxone.client import CxoneClient
from server.db import Database
from server.settings import Settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    sessions: SessionService
    cxone: CxoneClient | None


def services() -> Services:
    return current_app.extensions["digital_tab"]
