"""SECRET_KEY_PREVIOUS and PIN_PEPPER_PREVIOUS: read at start, checked like the secrets."""

from __future__ import annotations

import pytest

from app import Config, ConfigError
from tests.unit.test_config import PROD, REAL


@pytest.mark.parametrize("name", ["SECRET_KEY", "PIN_PEPPER"])
def test_a_previous_value_is_read_beside_the_current_one(name: str) -> None:
    config = Config.from_env({**PROD, f"{name}_PREVIOUS": REAL + "old"})
    assert getattr(config, f"{name.lower()}_previous") == REAL + "old"
    assert getattr(Config.from_env(PROD), f"{name.lower()}_previous") is None


@pytest.mark.parametrize("name", ["SECRET_KEY", "PIN_PEPPER"])
def test_a_previous_value_equal_to_the_current_one_is_refused(name: str) -> None:
    with pytest.raises(ConfigError) as info:
        Config.from_env({**PROD, f"{name}_PREVIOUS": PROD[name]})
    assert any(p.startswith(f"{name}_PREVIOUS: is the same as {name}") for p in info.value.problems)


@pytest.mark.parametrize("name", ["SECRET_KEY", "PIN_PEPPER"])
def test_production_refuses_a_short_or_development_previous_value(name: str) -> None:
    for weak in ("short", Config().secret_key if name == "SECRET_KEY" else Config().pin_pepper):
        with pytest.raises(ConfigError) as info:
            Config.from_env({**PROD, f"{name}_PREVIOUS": weak})
        assert any(
            p.startswith(f"{name}_PREVIOUS: must be a real secret") for p in info.value.problems
        )


def test_development_takes_any_previous_value() -> None:
    assert Config.from_env({"SECRET_KEY_PREVIOUS": "old"}).secret_key_previous == "old"
