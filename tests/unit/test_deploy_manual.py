"""The operator's manual's files (docs/deploy/) stay true to the code: the environment example
names only settings Teller reads and, once its empty values are filled, is a production
configuration that starts; the units run the Procfile's two commands."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from app import Config, ConfigError
from app.config import KNOWN_VARIABLES

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy"
PROCFILE = Path(__file__).resolve().parents[2] / "Procfile"


def example() -> dict[str, str]:
    lines = (DEPLOY / "teller.env.example").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line and not line.startswith("#")]
    return {name: value for name, value in pairs}


def test_the_environment_example_names_only_settings_teller_reads() -> None:
    unknown = set(example()) - KNOWN_VARIABLES - {"PROMETHEUS_MULTIPROC_DIR"}
    assert unknown == set()


def test_the_environment_example_refuses_to_start_until_its_secrets_are_filled(
    tmp_path: Path,
) -> None:
    env = {**example(), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    with pytest.raises(ConfigError) as refused:
        Config.from_env(env)
    assert "SECRET_KEY: required in production" in refused.value.problems
    filled = {
        name: value or secrets.token_urlsafe(48)
        for name, value in env.items()
        if name not in ("TWILIO_ACCOUNT_SID", "SMTP_URL")
    }
    config = Config.from_env({**filled, "TWILIO_ACCOUNT_SID": "AC" + "0" * 32})
    assert config.is_production and config.proxy_hops == 1 and config.log_format == "json"


def test_the_units_run_the_procfiles_commands() -> None:
    procfile = PROCFILE.read_text()
    web = (DEPLOY / "teller-web.service").read_text()
    worker = (DEPLOY / "teller-worker@.service").read_text()
    assert "app:create_app()" in procfile and "app:create_app()" in web
    assert "bot.access_log.RedactingLogger" in procfile and "bot.access_log.RedactingLogger" in web
    assert "python -m app worker" in procfile and re.search(r"python -m app worker", worker)
    for unit in (web, worker):
        assert "EnvironmentFile=/etc/teller/teller.env" in unit
        assert "User=teller" in unit
