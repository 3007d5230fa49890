"""``flask bank load FILE [--replace]``: counts on success; every problem on stderr and exit 1;
never a full account number, card number or date of birth in the output."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import Result
from flask import Flask

from bank.cli import bank_cli
from bank.demo import SqlBank
from bank.engines import open_bank
from bank.seed import DEMO_SEED

DEMO: dict[str, Any] = json.loads(DEMO_SEED.read_text(encoding="utf-8"))
SECRETS = [
    value
    for customer in DEMO["customers"]
    for value in (
        customer["dob"],
        customer["national_id"],
        *(a["number"] for a in customer["accounts"]),
        *(k["pan"] for k in customer["cards"]),
    )
]


@pytest.fixture
def bank(bank_database: str) -> SqlBank:
    return open_bank(bank_database)


@pytest.fixture
def app(bank: SqlBank) -> Flask:
    # The shape app.create_app provides: extensions["teller"] is the service graph with a .bank.
    flask_app = Flask("bank-cli-test")
    flask_app.extensions["teller"] = SimpleNamespace(bank=bank)
    flask_app.cli.add_command(bank_cli)
    return flask_app


def run(app: Flask, *args: str) -> Result:
    result: Result = app.test_cli_runner().invoke(args=["bank", "load", *args])
    assert not any(secret in result.output for secret in SECRETS), result.output
    return result


def test_load_prints_counts(app: Flask, bank: SqlBank) -> None:
    result = run(app, str(DEMO_SEED))
    assert result.exit_code == 0, result.output
    assert f"demo.json: loaded {len(DEMO['customers'])} customers, " in result.stdout
    assert len(bank.list_customers()) == len(DEMO["customers"])


def test_loading_twice_is_refused_without_replace(app: Flask) -> None:
    assert run(app, str(DEMO_SEED)).exit_code == 0
    refused = run(app, str(DEMO_SEED))
    assert refused.exit_code == 1 and "--replace" in refused.stderr
    assert run(app, str(DEMO_SEED), "--replace").exit_code == 0


def test_every_problem_goes_to_stderr_one_per_line(
    app: Flask, bank: SqlBank, tmp_path: Path
) -> None:
    doc = json.loads(DEMO_SEED.read_text(encoding="utf-8"))
    doc["customers"][0]["msisdn"] = "0803"
    doc["customers"][1]["kyc_level"] = 7
    doc["customers"][2]["accounts"][0]["balance"] = "12.345"
    doc["customers"][3]["dob"] = "2999-01-01"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = run(app, str(bad))
    assert result.exit_code == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "bad.json: not loaded, 4 problems:"
    assert [line.strip() for line in lines[1:]] == [
        "customers[0].msisdn: not E.164",
        "customers[1].kyc_level: not one of kyc_levels[].level",
        'customers[2].accounts[0].balance: must be a decimal string like "1500.00" (at most 2'
        " decimals)",
        "customers[3].dob: in the future",
    ]
    assert bank.is_empty()


def test_missing_and_broken_files(app: Flask, tmp_path: Path) -> None:
    missing = run(app, str(tmp_path / "nope.json"))
    assert missing.exit_code == 1 and "$: cannot read nope.json" in missing.stderr
    (tmp_path / "broken.json").write_text("{")
    broken = run(app, str(tmp_path / "broken.json"))
    assert broken.exit_code == 1 and "$: not valid JSON" in broken.stderr
