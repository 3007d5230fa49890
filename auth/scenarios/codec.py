"""Scenarios and the MFA configuration as JSON-ready dicts: one shape for Redis, the admin API
and the audit stream's before/after. Nothing secret is in a scenario, so nothing is left out.

``*_from_dict`` read what this module wrote (trusted storage); input from people goes through
``validate`` instead.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from auth.scenarios.model import (
    ActivityType,
    Application,
    ChallengeType,
    Frequency,
    MfaConfig,
    Scenario,
    ScenarioSpec,
    ScenarioType,
    Status,
)


def spec_to_dict(spec: ScenarioSpec) -> dict[str, Any]:
    return {
        "application": spec.application.value,
        "action": spec.action,
        "scenario_type": spec.scenario_type.value,
        "frequency": spec.frequency.value if spec.frequency else None,
        "value_above": str(spec.value_above) if spec.value_above is not None else None,
        "activity_type": spec.activity_type.value if spec.activity_type else None,
        "description": spec.description,
        "status": spec.status.value,
        "primary_challenge": spec.primary_challenge.value,
        "backup_challenge": spec.backup_challenge.value if spec.backup_challenge else None,
        "sms_template": spec.sms_template,
        "email_template": spec.email_template,
        "translations": {lang: dict(t) for lang, t in spec.translations.items()},
    }


def spec_from_dict(raw: dict[str, Any]) -> ScenarioSpec:
    def opt(kind: Any, value: Any) -> Any:
        return kind(value) if value is not None else None

    return ScenarioSpec(
        application=Application(raw["application"]),
        action=raw["action"],
        scenario_type=ScenarioType(raw["scenario_type"]),
        description=raw["description"],
        primary_challenge=ChallengeType(raw["primary_challenge"]),
        backup_challenge=opt(ChallengeType, raw.get("backup_challenge")),
        frequency=opt(Frequency, raw.get("frequency")),
        value_above=opt(Decimal, raw.get("value_above")),
        activity_type=opt(ActivityType, raw.get("activity_type")),
        status=Status(raw["status"]),
        sms_template=raw.get("sms_template", ""),
        email_template=raw.get("email_template", ""),
        translations=raw.get("translations") or {},
    )


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    return {
        "id": scenario.scenario_id,
        **spec_to_dict(scenario.spec),
        "created_by": scenario.created_by,
        "created_at": _iso(scenario.created_at),
        "updated_by": scenario.updated_by,
        "updated_at": _iso(scenario.updated_at),
        "version": scenario.version,
    }


def scenario_from_dict(raw: dict[str, Any]) -> Scenario:
    def when(value: Any) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    return Scenario(
        scenario_id=raw["id"],
        spec=spec_from_dict(raw),
        created_by=raw.get("created_by", ""),
        created_at=when(raw.get("created_at")),
        updated_by=raw.get("updated_by", ""),
        updated_at=when(raw.get("updated_at")),
        version=int(raw.get("version", 1)),  # stored before versions: 1
    )


def scenario_json(scenario: Scenario | None) -> str:
    """Compact, key-sorted JSON (``""`` for none): the audit stream's before and after."""
    if scenario is None:
        return ""
    return json.dumps(scenario_to_dict(scenario), sort_keys=True, separators=(",", ":"))


def config_to_dict(config: MfaConfig) -> dict[str, Any]:
    return {
        "enabled_types": [t.value for t in config.enabled_types],
        "code_length": config.code_length,
        "code_expiry_seconds": config.code_expiry_seconds,
        "max_attempts": config.max_attempts,
        "default_primary": config.default_primary.value,
        "default_backup": config.default_backup.value if config.default_backup else None,
        "default_non_monetary": config.default_non_monetary.value,
    }
