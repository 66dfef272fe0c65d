"""The verifier on its own: the real Salesforce vector, and every way a request is refused."""

from __future__ import annotations

import base64
import json

import pytest

from server.canvas.ids import InvalidSalesforceId, to_18
from server.canvas.signed_request import SignedRequestError, sign, verify
from tests.conftest import CONSUMER_SECRET, envelope, sign_raw


def test_real_salesforce_vector_decodes_to_the_user_and_org_it_names(vector):
    identity = verify(vector["signed_request"], vector["consumer_secret"])
    expect = vector["expect"]
    assert identity.user_id == expect["context.user.userId"]
    assert identity.user_id == to_18(expect["userId"])  # top-level 15-char id, same user
    assert identity.org_id == expect["organizationId"]
    assert identity.instance_url == expect["instanceUrl"]
    assert identity.display_name == "Test User"
    assert identity.oauth_token.startswith("00DR00000008bPC!")


def test_real_vector_is_refused_with_another_secret(vector):
    with pytest.raises(SignedRequestError) as refused:
        verify(vector["signed_request"], vector["consumer_secret"] + "0")
    assert refused.value.code == "invalid_signature"


@pytest.mark.parametrize(
    ("fifteen", "eighteen"),
    [("005R0000000DgJA", "005R0000000DgJAIA0"), ("00DR00000008bPC", "00DR00000008bPCMAY")],
)
def test_15_and_18_character_ids_name_the_same_record(fifteen, eighteen):
    assert to_18(fifteen) == eighteen
    assert to_18(eighteen) == eighteen
    assert to_18(eighteen[:15] + eighteen[15:].lower()) == eighteen


@pytest.mark.parametrize(
    "bad", ["", "005R0000000DgJ", "005R0000000DgJAIA9", "005R0000000DgJ!", None]
)
def test_malformed_ids_are_refused(bad):
    with pytest.raises(InvalidSalesforceId):
        to_18(bad)


def test_url_safe_base64_without_padding_is_accepted():
    import hashlib
    import hmac

    body = base64.urlsafe_b64encode(json.dumps(envelope()).encode()).rstrip(b"=")
    digest = hmac.new(CONSUMER_SECRET.encode(), body, hashlib.sha256).digest()
    signed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode() + "." + body.decode()
    assert verify(signed, CONSUMER_SECRET).org_id == to_18("00D000000TESTOR")


def test_sign_and_verify_round_trip():
    assert verify(sign(envelope(), CONSUMER_SECRET), CONSUMER_SECRET).user_id == to_18(
        "005000000TESTUS"
    )


def _tamper_signature(signed: str) -> str:
    signature, body = signed.split(".", 1)
    raw = bytearray(base64.b64decode(signature))
    raw[0] ^= 1
    return base64.b64encode(bytes(raw)).decode() + "." + body


def _tamper_envelope(signed: str) -> str:
    signature, body = signed.split(".", 1)
    data = json.loads(base64.b64decode(body))
    data["context"]["user"]["userId"] = "005000000OTHERU"
    return signature + "." + base64.b64encode(json.dumps(data).encode()).decode()


GOOD = sign(envelope(), CONSUMER_SECRET)


def _signed_text(encoded_envelope: str) -> str:
    """A correct signature over an envelope that is not base64, to reach the decoder."""
    import hashlib
    import hmac

    digest = hmac.new(CONSUMER_SECRET.encode(), encoded_envelope.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode() + "." + encoded_envelope


@pytest.mark.parametrize(
    ("signed", "code"),
    [
        (_tamper_signature(GOOD), "invalid_signature"),
        (_tamper_envelope(GOOD), "invalid_signature"),
        (sign(envelope(), "another-secret"), "invalid_signature"),
        (sign(envelope(algorithm="HMACSHA1"), CONSUMER_SECRET), "unsupported_algorithm"),
        (sign(envelope(algorithm="none"), CONSUMER_SECRET), "unsupported_algorithm"),
        ("", "missing_signed_request"),
        ("   ", "missing_signed_request"),
        ("no-dot-at-all", "malformed_signed_request"),
        ("." + GOOD.split(".", 1)[1], "malformed_signed_request"),
        (GOOD.split(".", 1)[0] + ".", "malformed_signed_request"),
        ("!!!not base64!!!." + GOOD.split(".", 1)[1], "malformed_signed_request"),
        (GOOD.split(".", 1)[0] + ".%%%%", "invalid_signature"),
        (_signed_text("%%%%not*base64"), "malformed_signed_request"),
        (sign_raw(b"this is not json"), "malformed_envelope"),
        (sign_raw(b"[1, 2, 3]"), "malformed_envelope"),
        (sign_raw(b"\xff\xfe\x00"), "malformed_envelope"),
        (sign(envelope(user_id="not-an-id"), CONSUMER_SECRET), "malformed_envelope"),
        (
            sign(envelope(instance_url="http://acme.my.salesforce.com"), CONSUMER_SECRET),
            "malformed_envelope",
        ),
        (sign(envelope(oauth_token=""), CONSUMER_SECRET), "malformed_envelope"),
    ],
    ids=[
        "tampered-signature",
        "tampered-envelope",
        "wrong-secret",
        "hmacsha1",
        "alg-none",
        "empty",
        "blank",
        "no-dot",
        "empty-signature",
        "empty-envelope",
        "signature-not-base64",
        "unsigned-envelope-not-base64",
        "signed-envelope-not-base64",
        "envelope-not-json",
        "envelope-not-object",
        "envelope-not-utf8",
        "bad-user-id",
        "plain-http-instance",
        "no-oauth-token",
    ],
)
def test_refusals(signed, code):
    with pytest.raises(SignedRequestError) as refused:
        verify(signed, CONSUMER_SECRET)
    assert refused.value.code == code
    assert len(refused.value.message) > 10


def test_top_level_and_context_user_must_agree():
    data = envelope()
    data["userId"] = "005000000OTHERU"
    with pytest.raises(SignedRequestError) as refused:
        verify(sign(data, CONSUMER_SECRET), CONSUMER_SECRET)
    assert refused.value.code == "malformed_envelope"


def test_identity_repr_hides_the_oauth_token():
    identity = verify(GOOD, CONSUMER_SECRET)
    assert identity.oauth_token not in repr(identity)
