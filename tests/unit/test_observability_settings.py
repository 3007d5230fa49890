"""LOG_FORMAT and METRICS_TOKEN are checked at start like every other setting."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from app.config import Config, ConfigError
from bot.counting import intent_of
from flows.states import State
from flows.types import Outcome, Reply
from messaging import logs


def test_log_format_defaults_to_text_in_development_and_is_validated() -> None:
    assert Config.from_env({}).log_format == "text"
    assert Config.from_env({"LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(ConfigError) as refused:
        Config.from_env({"LOG_FORMAT": "xml"})
    assert refused.value.problems == ["LOG_FORMAT: must be json or text, not 'xml'"]
    assert logs.wants_json({"TELLER_ENV": "production"})
    assert not logs.wants_json({"TELLER_ENV": "production", "LOG_FORMAT": "text"})


def test_a_short_metrics_token_or_a_missing_folder_refuses_to_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        Config.from_env(
            {"METRICS_TOKEN": "short", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "none")}
        )
    assert [p.split(":")[0] for p in refused.value.problems] == [
        "METRICS_TOKEN",
        "PROMETHEUS_MULTIPROC_DIR",
    ]
    found = Config.from_env({"METRICS_TOKEN": "x" * 16, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)})
    assert found.metrics_token == "x" * 16 and found.metrics_dir == str(tmp_path)


def test_intents_come_from_the_state_or_the_first_real_reply() -> None:
    assert intent_of(Outcome(State.TRANSFER_AMOUNT, (Reply("amount.ask"),))) == "transfer"
    assert intent_of(Outcome(State.STATEMENT_PDF_PERIOD, ())) == "statement_pdf"
    menu = Outcome(State.MAIN_MENU, (Reply("idle.reset"), Reply("balance"), Reply("menu.hint")))
    assert intent_of(menu) == "balance"
    assert intent_of(Outcome(State.MAIN_MENU, (Reply("nothing.known"),))) == "other"


def test_a_redacted_traceback_stays_redacted_in_json() -> None:
    try:
        raise RuntimeError("/secure/login/SECRETTOKEN failed")
    except RuntimeError:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "boom", None, None)

        record.exc_info = sys.exc_info()
    record.exc_text = "Traceback: /secure/login/… failed"
    assert "SECRETTOKEN" not in logs.JsonLines().format(record)
