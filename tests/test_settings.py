"""Settings: production refuses to start without real secrets; local mode makes marked ones."""

from __future__ import annotations

import json

import pytest

from server import create_app
from server.settings import ConfigError, load_settings, normalise_database_url

PROD_SECRETS = {
    "CANVAS_CONSUMER_SECRET": "1234567890123456789",
    "SESSION_SIGNING_KEY": "s" * 40,
    "TOKEN_ENCRYPTION_KEY": "e" * 40,
    "CXONE_ACCESS_KEY_ID": "key-id",
    "CXONE_ACCESS_KEY_SECRET": "key-secret",
    "CXONE_CLIENT_ID": "client",
    "CXONE_CLIENT_SECRET": "client-secret",
}


@pytest.mark.parametrize(
    "missing",
    [
        "CANVAS_CONSUMER_SECRET",
        "SESSION_SIGNING_KEY",
        "TOKEN_ENCRYPTION_KEY",
        "CXONE_ACCESS_KEY_ID",
        "CXONE_ACCESS_KEY_SECRET",
        "CXONE_CLIENT_ID",
        "CXONE_CLIENT_SECRET",
    ],
)
def test_production_refuses_to_start_and_names_the_missing_variable(tmp_path, missing):
    config = {k: v for k, v in PROD_SECRETS.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        create_app(config)


def test_production_is_the_default_mode(tmp_path):
    with pytest.raises(ConfigError, match="CANVAS_CONSUMER_SECRET"):
        load_settings({}, instance_path=tmp_path)


def test_short_signing_key_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="SESSION_SIGNING_KEY"):
        load_settings({**PROD_SECRETS, "SESSION_SIGNING_KEY": "short"}, instance_path=tmp_path)


def test_liveness_check_is_on_in_production_and_off_locally(tmp_path):
    assert load_settings(PROD_SECRETS, instance_path=tmp_path).verify_oauth_token is True
    local = load_settings({"DIGITAL_TAB_ENV": "local"}, instance_path=tmp_path)
    assert local.verify_oauth_token is False
    switched_on = load_settings(
        {"DIGITAL_TAB_ENV": "local", "CANVAS_VERIFY_OAUTH_TOKEN": "true"}, instance_path=tmp_path
    )
    assert switched_on.verify_oauth_token is True


def test_local_mode_generates_marked_development_secrets_and_keeps_them(tmp_path):
    first = load_settings({"DIGITAL_TAB_ENV": "local"}, instance_path=tmp_path)
    second = load_settings({"DIGITAL_TAB_ENV": "local"}, instance_path=tmp_path)
    assert first.dev_secrets_generated
    assert first.canvas_consumer_secret == second.canvas_consumer_secret
    assert len(first.session_signing_key) >= 32
    stored = json.loads((tmp_path / "dev-secrets.json").read_text())
    assert "DEVELOPMENT" in stored["WARNING"]
    assert (tmp_path / "dev-secrets.json").stat().st_mode & 0o077 == 0


def test_secrets_from_the_environment_win_over_generated_ones(tmp_path, monkeypatch):
    monkeypatch.setenv("CANVAS_CONSUMER_SECRET", "from-env")
    settings = load_settings({"DIGITAL_TAB_ENV": "local"}, instance_path=tmp_path)
    assert settings.canvas_consumer_secret == "from-env"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url_forms(url, expected):
    assert normalise_database_url(url) == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://nope"),
        ("CANVAS_VERIFY_OAUTH_TOKEN", "perhaps"),
        ("SESSION_TOKEN_TTL_SECONDS", "ten"),
        ("SESSION_TOKEN_TTL_SECONDS", "5"),
        ("SALESFORCE_ORG_IDS", "00D000000ACME"),
        ("FRAME_ANCESTORS_EXTRA", "https://x.example.com; script-src *"),
        ("DIGITAL_TAB_ENV", "staging"),
    ],
)
def test_malformed_values_name_the_variable(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings({**PROD_SECRETS, name: value}, instance_path=tmp_path)


def test_cxone_is_one_set_of_variables(tmp_path):
    settings = load_settings(
        {**PROD_SECRETS, "CXONE_API_URL": "https://api-na1.niceincontact.com/"},
        instance_path=tmp_path,
    )
    assert settings.cxone.access_key_id == "key-id"
    assert settings.cxone.api_url == "https://api-na1.niceincontact.com"
    assert settings.cxone.auth_url == "https://cxone.niceincontact.com"
    assert "key-secret" not in repr(settings.cxone)
    with pytest.raises(ConfigError, match="CXONE_AUTH_URL"):
        load_settings(
            {**PROD_SECRETS, "CXONE_AUTH_URL": "http://cxone.example.com"}, instance_path=tmp_path
        )
    local = load_settings({"DIGITAL_TAB_ENV": "local"}, instance_path=tmp_path)
    assert local.cxone is None  # the run command sets the sandbox's variables


def test_org_allow_list_is_normalised_to_18_characters(tmp_path):
    settings = load_settings(
        {**PROD_SECRETS, "SALESFORCE_ORG_IDS": "00DR00000008bPC , 00DR00000008bPCMAY"},
        instance_path=tmp_path,
    )
    assert settings.salesforce_org_ids == frozenset({"00DR00000008bPCMAY"})


def test_queue_kinds_are_declared_once_each(tmp_path):
    settings = load_settings(
        {**PROD_SECRETS, "CXONE_OUTBOUND_EMAIL_QUEUES": "q1, q2", "CXONE_OMNICHANNEL_QUEUES": "q3"},
        instance_path=tmp_path,
    )
    assert settings.queue_kinds == {
        "q1": "outbound-email",
        "q2": "outbound-email",
        "q3": "omnichannel",
    }
    with pytest.raises(ConfigError, match="CXONE_OUTBOUND_SMS_QUEUES"):
        load_settings(
            {
                **PROD_SECRETS,
                "CXONE_OUTBOUND_EMAIL_QUEUES": "q1",
                "CXONE_OUTBOUND_SMS_QUEUES": "q1",
            },
            instance_path=tmp_path,
        )
