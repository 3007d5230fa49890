"""The bank's facts come from the bank (``app.services.bank_facts``): ``DEFAULT_CURRENCY`` and
``BANK_NAME`` only name an empty bank, and a configured value that disagrees with the bank's
refuses to start, naming both."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import Config, ConfigError
from app.services import BankFacts, bank_facts
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
    assert bank_facts(config, empty_bank) == BankFacts("Euro Savings", "EUR", "")


def test_an_empty_bank_with_nothing_configured_is_usd(empty_bank: SqliteBank) -> None:
    facts = bank_facts(Config(), empty_bank)
    assert facts.currency == "USD" and facts.name


def test_unset_takes_the_banks_own_facts(kes_bank: SqliteBank) -> None:
    assert bank_facts(Config(), kes_bank) == BankFacts(KES_BANK, "KES", KES_BANK_CODE)


def test_set_to_the_banks_own_values_is_accepted(kes_bank: SqliteBank) -> None:
    config = Config(default_currency="KES", bank_name=KES_BANK)
    assert bank_facts(config, kes_bank) == BankFacts(KES_BANK, "KES", KES_BANK_CODE)


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
