"""TELLER_OUTBOX_CONTENT: on or off, and only with the dev outbox (Twilio's templates come from
`whatsapp sync-content`); off by default, so replies stay text."""

from __future__ import annotations

import pytest

from app import Config, ConfigError, unknown_variables


def problems(env: dict[str, str]) -> list[str]:
    with pytest.raises(ConfigError) as info:
        Config.from_env(env)
    return info.value.problems


def test_off_by_default_and_on_with_the_outbox() -> None:
    assert Config.from_env({}).outbox_content is False
    assert Config.from_env({"TELLER_OUTBOX_CONTENT": "on"}).outbox_content is True
    assert unknown_variables({"TELLER_OUTBOX_CONTENT": "on"}) == []


def test_a_bad_value_or_twilio_is_refused_naming_the_variable() -> None:
    assert problems({"TELLER_OUTBOX_CONTENT": "yes"}) == [
        "TELLER_OUTBOX_CONTENT: must be on or off, not 'yes'"
    ]
    env = {
        "TELLER_OUTBOX_CONTENT": "on",
        "MESSENGER": "twilio",
        "TWILIO_ACCOUNT_SID": "AC" + "a" * 32,
    }
    assert problems(env) == [
        "TELLER_OUTBOX_CONTENT: only with MESSENGER=outbox (with Twilio, run "
        "`flask --app app whatsapp sync-content` instead)"
    ]
