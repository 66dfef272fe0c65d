"""Property-based fuzzing (Hypothesis) of what reads untrusted input first: the Canvas signed
request verifier and the CXone event parser. Whatever arrives, they answer with their own error
or a result, never another exception; a signed request altered anywhere is never accepted."""

from __future__ import annotations

import base64
import contextlib
import copy
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.canvas.signed_request import SignedRequestError, sign, verify
from server.cxone.events import EventParseError, parse_event
from tests.conftest import CONSUMER_SECRET, envelope

FIXTURES = Path(__file__).parent / "fixtures" / "cxone-events"
EVENTS = [json.loads(p.read_text()) for p in sorted(FIXTURES.glob("*.json"))]
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


def verifies(signed: str) -> object:
    """verify(), which may refuse with its own error only."""
    try:
        return verify(signed, CONSUMER_SECRET, allow_http=True)
    except SignedRequestError as refused:
        assert refused.code and refused.message
        return refused


@FUZZ
@given(st.text(max_size=400))
def test_any_text_is_verified_or_refused_cleanly(text):  # type: ignore[no-untyped-def]
    assert isinstance(verifies(text), SignedRequestError)


@FUZZ
@given(st.binary(min_size=1, max_size=200), st.binary(max_size=600))
def test_any_two_base64_parts_are_refused_cleanly(signature, body):  # type: ignore[no-untyped-def]
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        signed = encode(signature).decode() + "." + encode(body).decode()
        assert isinstance(verifies(signed), SignedRequestError)


@FUZZ
@given(st.data())
def test_a_signed_request_altered_anywhere_is_never_accepted(data):  # type: ignore[no-untyped-def]
    signed = sign(envelope(), CONSUMER_SECRET)
    position = data.draw(st.integers(0, len(signed) - 1))
    replacement = data.draw(
        st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=.-_")
    )
    if replacement == signed[position]:
        return
    altered = signed[:position] + replacement + signed[position + 1 :]
    if isinstance(verifies(altered), SignedRequestError):
        return
    # Accepted only if nothing signed changed: the envelope text (the HMAC's input) is the same
    # and the signature decodes to the same bytes (URL-safe letters and unused trailing bits).
    assert altered.split(".", 1)[1] == signed.split(".", 1)[1]
    assert _signature_bytes(altered) == _signature_bytes(signed)


def _signature_bytes(signed: str) -> bytes:
    part = signed.split(".", 1)[0].replace("-", "+").replace("_", "/").rstrip("=")
    return base64.b64decode(part + "=" * (-len(part) % 4))


@FUZZ
@given(json_values)
def test_any_correctly_signed_envelope_gives_an_identity_or_a_clean_refusal(value):  # type: ignore[no-untyped-def]
    base = envelope()
    for candidate in (value, {**base, "context": value}, {**base, "client": value}):
        outcome = verifies(sign(candidate, CONSUMER_SECRET) if candidate is not None else "")
        assert isinstance(outcome, SignedRequestError) or outcome.user_id


@FUZZ
@given(st.binary(max_size=300) | st.text(max_size=300))
def test_any_bytes_or_text_parse_or_fail_cleanly(payload):  # type: ignore[no-untyped-def]
    with contextlib.suppress(EventParseError):
        parse_event(payload)


@FUZZ
@given(st.sampled_from(EVENTS), st.data())
def test_real_events_with_any_part_replaced_parse_or_fail_cleanly(event, data):  # type: ignore[no-untyped-def]
    mutated = copy.deepcopy(event)
    # Walk to a random place in the real payload and put any JSON value there.
    node = mutated
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = data.draw(st.sampled_from(keys))
        if not isinstance(node[key], (dict, list)) or data.draw(st.booleans()):
            node[key] = data.draw(json_values)
            break
        node = node[key]
    for payload in (mutated, json.dumps(mutated)):
        try:
            parsed = parse_event(payload)
        except EventParseError:
            continue
        # What the projection reads of an event must not fail either.
        assert parsed.event_type
        parsed.contact_id  # noqa: B018
        parsed.known  # noqa: B018
