"""The Digital tab REST API under /api/v1 (documented in openapi.yaml beside this file)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from server.api import (  # noqa: E402, F401  (routes on bp)
    inbox,
    interactions,
    outbound,
    salesforce,
    session,
)
from server.api.validation import refuse_nul_characters  # noqa: E402

bp.before_request(refuse_nul_characters)
