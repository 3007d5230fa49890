"""The bank's facts come from the bank (``app.services.bank_facts``): ``DEFAULT_CURRENCY`` and
``BANK_NAME`` only name an empty bank, and a configured value that disagrees with the bank's
refuses to start, naming both."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from app import Config, ConfigError
from app.bank_facts import BankFacts, bank_facts, cooling_off_cap
from bank.demo import SqliteBank
from bank.seed import load_file
from tests.seeds import KES_BANK, KES_BANK_CODE, kes_seed


@pytest.fixture
def empty_bank(tmp_path: Path) -> SqliteBank:
    return SqliteBank(str(tmp_path / "empty.sqlite3"))


@pytest.fixture
def kes_bank(tmp_path: Path) -> SqliteBank:
    bank = SqliteBank(str(tmp_path / "kes.sqlite3"))
    load_file(bank, kes_seed(tmp_path / "kes.json"))
    return bank


def test_an_empty_bank_takes_the_configured_currency_and_name(empty_bank: SqliteBank) -> None:
    config = Config(default_currency="EUR", bank_name="Euro Savings")
    assert bank_facts(config, empty_bank) == BankFacts("Euro Savings", "EUR", "", "UTC")


def test_an_empty_bank_with_nothing_configured_is_usd(empty_bank: SqliteBank) -> None:
    facts = bank_facts(Config(), empty_bank)
    assert facts.currency == "USD" and facts.name


def test_unset_takes_the_banks_own_facts(kes_bank: SqliteBank) -> None:
    assert bank_facts(Config(), kes_bank) == BankFacts(
        KES_BANK, "KES", KES_BANK_CODE, "Africa/Lagos"
    )


def test_set_to_the_banks_own_values_is_accepted(kes_bank: SqliteBank) -> None:
    config = Config(default_currency="KES", bank_name=KES_BANK)
    assert bank_facts(config, kes_bank) == BankFacts(KES_BANK, "KES", KES_BANK_CODE, "Africa/Lagos")


def test_a_currency_that_disagrees_refuses_to_start_naming_both(kes_bank: SqliteBank) -> None:
    with pytest.raises(ConfigError) as refused:
        bank_facts(Config(default_currency="USD"), kes_bank)
    [problem] = refused.value.problems
    assert problem.startswith("DEFAULT_CURRENCY:")
    assert "USD" in problem and "KES" in problem
    assert "USD" in str(refused.value) and "KES" in str(refused.value)


def test_a_name_that_disagrees_refuses_to_start_naming_both(kes_bank: SqliteBank) -> None:
    with pytest.raises(ConfigError) as refused:
        bank_facts(Config(bank_name="Demo Bank"), kes_bank)
    [problem] = refused.value.problems
    assert problem.startswith("BANK_NAME:")
    assert "Demo Bank" in problem and KES_BANK in problem


def test_both_disagreeing_are_both_named(kes_bank: SqliteBank) -> None:
    with pytest.raises(ConfigError) as refused:
        bank_facts(Config(default_currency="USD", bank_name="Demo Bank"), kes_bank)
    assert [p.split(":")[0] for p in refused.value.problems] == ["DEFAULT_CURRENCY", "BANK_NAME"]


def test_the_environment_path_refuses_too(kes_bank: SqliteBank) -> None:
    config = Config.from_env({"DEFAULT_CURRENCY": "USD"})
    with pytest.raises(ConfigError, match="KES"):
        bank_facts(config, kes_bank)


# --- the cooling-off cap: a setting in the bank's currency, at most KYC level 1's daily limit ---


def test_the_cooling_off_cap_defaults_to_200_in_the_banks_currency(kes_bank: SqliteBank) -> None:
    assert cooling_off_cap(Config(), kes_bank, "KES") == Decimal("200.00")


def test_the_cooling_off_cap_is_a_setting(kes_bank: SqliteBank) -> None:
    config = Config.from_env({"REGISTRATION_COOLING_OFF_CAP": "20000"})
    assert config.registration_cooling_off_cap == Decimal("20000.00")
    assert cooling_off_cap(config, kes_bank, "KES") == Decimal("20000.00")
    level_1 = Config(registration_cooling_off_cap=Decimal("100000.00"))  # exactly level 1's daily
    assert cooling_off_cap(level_1, kes_bank, "KES") == Decimal("100000.00")


def test_a_cooling_off_cap_over_kyc_level_1_refuses_to_start(kes_bank: SqliteBank) -> None:
    config = Config(registration_cooling_off_cap=Decimal("100000.01"))
    with pytest.raises(ConfigError) as refused:
        cooling_off_cap(config, kes_bank, "KES")
    [problem] = refused.value.problems
    assert problem.startswith("REGISTRATION_COOLING_OFF_CAP:")
    assert "KES 100,000.01" in problem and "KES 100,000.00" in problem


def test_the_default_cap_is_lowered_to_a_smaller_level_1(tmp_path: Path) -> None:
    seed = json.loads(kes_seed(tmp_path / "seed.json").read_text(encoding="utf-8"))
    seed["kyc_levels"][0].update(per_transaction="50.00", daily="150.00", monthly="500.00")
    (tmp_path / "small.json").write_text(json.dumps(seed), encoding="utf-8")
    bank = SqliteBank(str(tmp_path / "small.sqlite3"))
    load_file(bank, tmp_path / "small.json")
    assert cooling_off_cap(Config(), bank, "KES") == Decimal("150.00")


def test_an_empty_bank_has_no_ceiling_for_the_cap(empty_bank: SqliteBank) -> None:
    config = Config(registration_cooling_off_cap=Decimal("999999.00"))
    assert cooling_off_cap(config, empty_bank, "USD") == Decimal("999999.00")
    assert cooling_off_cap(Config(), empty_bank, "USD") == Decimal("200.00")


@pytest.mark.parametrize("text", ["0", "-5", "abc", "1.005", "1,000", "KES 200", "1e3"])
def test_a_cap_that_is_not_an_amount_is_refused(text: str) -> None:
    with pytest.raises(ConfigError, match="REGISTRATION_COOLING_OFF_CAP"):
        Config.from_env({"REGISTRATION_COOLING_OFF_CAP": text})
    assert Config(registration_cooling_off_cap=Decimal("0")).problems()
