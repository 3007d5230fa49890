"""``flask --app app bank load FILE``: loads a good seed, lists every problem of a bad one."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

from app import DEMO_SEED


def test_load_reports_every_problem_and_exits_1(app: Flask, tmp_path: Path) -> None:
    doc = json.loads(DEMO_SEED.read_text())
    doc["customers"][0]["msisdn"] = "0803"
    doc["customers"][1]["kyc_level"] = 7
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = app.test_cli_runner().invoke(args=["bank", "load", str(bad), "--replace"])
    assert result.exit_code == 1
    assert "customers[0].msisdn: not E.164" in result.output
    assert "customers[1].kyc_level" in result.output
    assert "0123456789" not in result.output  # never a full account number


def test_load_replace_loads_a_good_seed(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["bank", "load", str(DEMO_SEED), "--replace"])
    assert result.exit_code == 0, result.output
    assert "5 customers" in result.output
    refused = app.test_cli_runner().invoke(args=["bank", "load", str(DEMO_SEED)])
    assert refused.exit_code == 1 and "--replace" in refused.output
