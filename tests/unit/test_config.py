"""Configuration from the environment: unknown or unsafe values fail fast, naming the variable."""

from __future__ import annotations

import pytest

from app import DEV_SECRETS, Config, ConfigError, unknown_variables

REAL = "x" * 40
PROD = {
    "TELLER_ENV": "production",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "PUBLIC_BASE_URL": "https://chat.bank.example",
    "MESSENGER": "twilio",
    "TWILIO_ACCOUNT_SID": "AC" + "a" * 32,
    "TWILIO_SMS_FROM": "+14155550100",
    **{name: REAL + name for name in DEV_SECRETS},
}


def problems(env: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        Config.from_env(env)
    return info.value.problems


def test_development_defaults_need_nothing() -> None:
    config = Config.from_env({})
    assert config.env == "development" and config.redis_url is None
    assert config.messenger == "outbox" and config.bank_seed


def test_production_with_real_secrets_starts() -> None:
    config = Config.from_env(PROD)
    assert config.is_production and config.messenger == "twilio" and config.bank_seed is None


@pytest.mark.parametrize("name", sorted(DEV_SECRETS))
def test_production_refuses_missing_or_dev_or_short_secrets(name: str) -> None:
    for value in ("", DEV_SECRETS[name], "short"):
        found = problems({**PROD, name: value})
        assert any(p.startswith(f"{name}:") for p in found), found


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELLER_ENV", "staging"),
        ("MESSENGER", "pigeon"),
        ("PUBLIC_BASE_URL", "bank.example"),
        ("REDIS_URL", "http://localhost"),
        ("DEFAULT_CURRENCY", "dollars"),
        ("BANK_TIMEZONE", "Lagos"),
        ("BANK_TIMEZONE", "../etc/passwd"),
        ("REGISTRATION_COOLING_OFF_CAP", "0"),
        ("REGISTRATION_COOLING_OFF_CAP", "12.345"),
        ("REGISTRATION_COOLING_OFF_CAP", "lots"),
        ("TWILIO_WHATSAPP_FROM", "+14155238886"),
        ("TWILIO_SMS_FROM", "bank"),
        ("TWILIO_ACCOUNT_SID", "123"),
        ("SMTP_URL", "http://mail"),
        ("CONVERSATION_IDLE_MINUTES", "0"),
        ("CONVERSATION_IDLE_MINUTES", "ten"),
        ("SESSION_IDLE_MINUTES", "31"),
        ("SESSION_ABSOLUTE_HOURS", "0"),
        ("REGISTRATION_COOLING_OFF_HOURS", "-1"),
        ("PROXY_HOPS", "one"),
        ("MEDIA_TTL_MINUTES", "0"),
        ("MEDIA_TTL_MINUTES", "61"),
        ("MEDIA_TTL_MINUTES", "10m"),
        ("TWILIO_TIMEOUT_SECONDS", "0"),
        ("TWILIO_TIMEOUT_SECONDS", "21"),  # past the 10 s customer lock, near gunicorn's 30 s
        ("TWILIO_TIMEOUT_SECONDS", "2.5"),
        ("DOCUMENT_PASSWORD", "birthday"),
        ("AUDIT_RETENTION_DAYS", "30"),  # under 90 days: the audit must outlive an inquiry
        ("AUDIT_RETENTION_DAYS", "forever"),
    ],
)
def test_bad_values_name_their_variable(name: str, value: str) -> None:
    found = problems({name: value})
    assert any(p.startswith(f"{name}:") for p in found), found


def test_audit_retention_and_its_default() -> None:
    assert Config.from_env({}).audit_retention_days == 400
    assert Config.from_env({"AUDIT_RETENTION_DAYS": "730"}).audit_retention_days == 730


def test_twilio_timeout_and_its_default() -> None:
    assert Config.from_env({}).twilio_timeout_seconds == 5
    assert Config.from_env({"TWILIO_TIMEOUT_SECONDS": "12"}).twilio_timeout_seconds == 12


def test_document_settings_and_their_defaults() -> None:
    assert (Config().media_ttl_minutes, Config().document_unlock) == (10, "random")
    config = Config.from_env({"MEDIA_TTL_MINUTES": "5", "DOCUMENT_PASSWORD": "dob"})
    assert (config.media_ttl_minutes, config.document_unlock) == (5, "dob")


def test_production_needs_redis_https_twilio_and_sms() -> None:
    env = {**PROD, "PUBLIC_BASE_URL": "http://chat.bank.example", "MESSENGER": "outbox"}
    del env["REDIS_URL"], env["TWILIO_SMS_FROM"]
    found = " ".join(problems(env))
    for name in ("REDIS_URL", "PUBLIC_BASE_URL", "MESSENGER", "TWILIO_SMS_FROM"):
        assert name in found


def test_every_problem_is_reported_at_once() -> None:
    assert len(problems({"TELLER_ENV": "x", "MESSENGER": "y", "DEFAULT_CURRENCY": "z"})) == 3


def test_typos_of_teller_variables_are_noticed() -> None:
    env = {"TWILIO_AUTH_TOKN": "x", "TWILIO_AUTH_TOKEN": "y", "HOME": "/", "BANK_NAM": "z"}
    assert unknown_variables(env) == ["BANK_NAM", "TWILIO_AUTH_TOKN"]


def test_config_error_never_echoes_secret_values() -> None:
    secret = "s3cr3t-but-short"
    found = problems({**PROD, "SECRET_KEY": secret})
    assert all(secret not in p for p in found)


def test_the_banks_clock_and_the_cooling_off_cap_are_read() -> None:
    config = Config.from_env(
        {"BANK_TIMEZONE": "Africa/Nairobi", "REGISTRATION_COOLING_OFF_CAP": "150.50"}
    )
    assert config.bank_timezone == "Africa/Nairobi"
    assert str(config.registration_cooling_off_cap) == "150.50"
    assert Config.from_env({}).default_currency is None  # the bank's own, unless it is empty


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("sqlite:///var/bank.sqlite3", "sqlite URLs are not supported"),
        ("mysql://h/b", "mysql URLs are not supported"),
        ("postgres:x", "not a readable PostgreSQL URL"),
        ("postgresql:/x", "not a readable PostgreSQL URL"),
    ],
)
def test_a_bank_database_url_refuses_to_start(value: str, problem: str) -> None:
    with pytest.raises(ConfigError) as refused:
        Config.from_env({"BANK_DATABASE": value})
    assert any(p.startswith("BANK_DATABASE:") and problem in p
               for p in refused.value.problems)  # fmt: skip


@pytest.mark.parametrize("value", ["var/bank.sqlite3", "/srv/teller/bank.db", "C:/bank.db"])
def test_a_bank_database_path_is_accepted(value: str) -> None:
    assert Config.from_env({"BANK_DATABASE": value}).bank_database == value


@pytest.mark.parametrize(
    "value", ["postgresql://bank@db/teller", "postgres://bank:pw@db:5433/teller?sslmode=require"]
)
def test_a_postgresql_url_is_accepted(value: str) -> None:
    assert Config.from_env({"BANK_DATABASE": value}).bank_database == value


def test_an_unreadable_postgresql_url_is_refused_without_quoting_it() -> None:
    with pytest.raises(ConfigError) as refused:
        Config.from_env({"BANK_DATABASE": "postgresql://bank:s3cret@db/teller?nonsense=1"})
    problems = refused.value.problems
    assert problems == [
        "BANK_DATABASE: not a readable PostgreSQL URL (postgresql://user@host/name)"
    ]
    assert "s3cret" not in str(refused.value)
