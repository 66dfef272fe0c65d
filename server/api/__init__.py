"""The Digital tab REST API under /api/v1 (documented in openapi.yaml beside this file)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from server.api import inbox, interactions, outbound, session  # noqa: E402, F401  (routes on bp)
