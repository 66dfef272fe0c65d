"""Fuzzing the REST API from its own OpenAPI file (schemathesis, on Hypothesis): valid and
invalid requests to every /api/v1 operation, as a signed-in agent, against the backend wired to
its CXone sandbox, half of them on interactions that exist. No 500, no crash, and every error in
the documented shape. FUZZ_EXAMPLES sets the examples per operation (15 in the suite) and
FUZZ_RANDOM=1 draws new ones (the suite's are fixed, so CI is repeatable)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import server.api

pytestmark = pytest.mark.slow

SCHEMA = schemathesis.openapi.from_path(Path(server.api.__file__).with_name("openapi.yaml"))
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
# The suite replays the same examples every run (no flaky CI); FUZZ_RANDOM=1 explores anew.
DERANDOMIZE = os.environ.get("FUZZ_RANDOM") != "1"


def api_operations():  # type: ignore[no-untyped-def]
    """Every /api/v1 operation and the Canvas endpoints; signing out (DELETE /api/v1/session)
    last. Health checks take no input."""
    operations = [result.ok() for result in SCHEMA.get_all_operations()]
    api = [op for op in operations if op.path.startswith(("/api/v1/", "/canvas"))]
    return sorted(api, key=lambda op: op.label == "DELETE /api/v1/session")


def fuzz(operation, client, headers, real_ids, seen) -> None:  # type: ignore[no-untyped-def]
    generated = operation.as_strategy()
    if "contact_id" in operation.path:

        def on_real(case, contact_id):  # type: ignore[no-untyped-def]
            case.path_parameters = {**case.path_parameters, "contact_id": contact_id}
            return case

        generated = st.one_of(generated, st.builds(on_real, generated, st.sampled_from(real_ids)))

    @given(case=generated)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:  # type: ignore[no-untyped-def]
        kwargs = case.as_transport_kwargs(headers=headers)
        response = client.open(
            case.formatted_path,  # percent-encoded path parameters, as a client sends them
            method=case.method,
            headers=kwargs.get("headers"),
            query_string=kwargs.get("params"),
            json=kwargs.get("json"),
            data=kwargs.get("data"),
        )
        seen.setdefault(operation.label, set()).add(response.status_code)
        assert response.status_code != 500, (operation.label, case.body, response.json)
        if response.status_code >= 400:
            error = response.json["error"]
            assert set(error) <= {"code", "message", "field"} and error["message"]

    check()


# One agent sending hundreds of calls a second: the rate limit would answer most of them.
LIFTED = {"API_RATE_LIMIT": "1000000/second", "CANVAS_RATE_LIMIT": "1000000/second"}


@pytest.mark.parametrize("tab", [LIFTED], indirect=True)
def test_no_operation_answers_500_or_an_undocumented_error(tab):  # type: ignore[no-untyped-def]
    headers = tab.login("ana")
    client = tab.app.test_client()
    real_ids = tab.inbox_ids(headers)[:5]
    assert real_ids
    seen: dict[str, set[int]] = {}
    for operation in api_operations():
        fuzz(operation, client, headers, real_ids, seen)
    print({label: sorted(codes) for label, codes in sorted(seen.items())})
    assert len(seen) >= 25, sorted(seen)
    # The fuzzing got past validation: some calls succeeded.
    assert sum(any(200 <= c < 300 for c in codes) for codes in seen.values()) >= 10
