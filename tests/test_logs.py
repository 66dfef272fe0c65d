"""Credentials are scrubbed from log lines whoever writes them."""

from __future__ import annotations

import logging

from server.logs import REDACTED, log_filter, scrub


def test_credential_shapes_are_scrubbed(vector):
    line = (
        f"got {vector['signed_request']} with Bearer abc.def.ghi and "
        "00DR00000008bPC!AQ8AQPUHPkLJSPGCVJXf0NjNHC5BFfT4r and eyJhbGciOi.eyJzdWIi.sig"
    )
    scrubbed = scrub(line)
    assert vector["signed_request"][:20] not in scrubbed
    assert "abc.def.ghi" not in scrubbed
    assert "AQ8AQPUHPkLJSPGCVJXf0NjNHC5BFfT4r" not in scrubbed
    assert "eyJzdWIi" not in scrubbed
    assert scrubbed.count(REDACTED) == 4


def test_configured_secrets_are_scrubbed_from_messages_and_tracebacks(app):
    from tests.conftest import CONSUMER_SECRET

    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "secret is %s", (CONSUMER_SECRET,), None
    )
    try:
        raise ValueError(CONSUMER_SECRET)
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    log_filter().filter(record)
    assert CONSUMER_SECRET not in record.getMessage()
    assert CONSUMER_SECRET not in (record.exc_text or "")
