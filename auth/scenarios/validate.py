"""Every rule on a scenario and on the MFA configuration, checked as a whole on create and on
edit: the result is either a clean frozen record or ``Invalid`` with one message per problem,
each starting with the field it is about (``value_above: must be more than 0``).

Uniqueness (one scenario per application and action, descriptions unique case-insensitively) needs
the stored scenarios, so ``store`` enforces it atomically; the rest is here and pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from auth.scenarios.model import (
    ACTIONS,
    CODE_CHANNELS,
    MAX_DESCRIPTION,
    MAX_VALUE_ABOVE,
    ActivityType,
    Application,
    ChallengeType,
    Frequency,
    ScenarioSpec,
    ScenarioType,
    Status,
)
from auth.scenarios.templates import MAX_LENGTH as TEMPLATES
from auth.scenarios.templates import template_problems, variables_in
from messaging.languages import SOURCE, catalogs

SPEC_FIELDS = (
    "application",
    "action",
    "scenario_type",
    "frequency",
    "value_above",
    "activity_type",
    "description",
    "status",
    "primary_challenge",
    "backup_challenge",
    "sms_template",
    "email_template",
    "translations",
)
DESCRIPTION = re.compile(r"[A-Za-z0-9 ]+")
# Digits with an optional fraction: no exponent ("1e3" would be stored as "1E+3"), no separators.
PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
E = TypeVar("E", bound=StrEnum)


class Invalid(Exception):
    """Input refused; ``problems`` holds one message per problem, each naming its field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def fold_description(description: str) -> str:
    """The form descriptions are compared in: case and runs of spaces don't make them differ."""
    return " ".join(description.split()).casefold()


def choice(data: Mapping[str, Any], name: str, kind: type[E], problems: list[str]) -> E | None:
    """``data[name]`` as one of ``kind``'s values, or None after recording why not."""
    value = data.get(name)
    try:
        return kind(value) if isinstance(value, str) else kind("\0")
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        problems.append(f"{name}: required, one of: {allowed}")
        return None


def unknown_fields(data: Mapping[str, Any], known: Sequence[str]) -> list[str]:
    return [f"{name}: unknown field" for name in sorted(set(data) - set(known))]


def _must_be_empty(data: Mapping[str, Any], name: str, why: str, problems: list[str]) -> None:
    if data.get(name) not in (None, ""):
        problems.append(f"{name}: {why}")


def _value_above(raw: Any, problems: list[str]) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        problems.append('value_above: required for value_based, a decimal string such as "1000.00"')
        return None
    text = str(raw).strip()
    if not PLAIN_DECIMAL.fullmatch(text):
        problems.append('value_above: must be a decimal number such as "1000.00"')
        return None
    value = Decimal(text)
    if value <= 0:
        problems.append("value_above: must be more than 0")
    elif value > MAX_VALUE_ABOVE:
        problems.append(f"value_above: must be at most {MAX_VALUE_ABOVE}")
    elif value != value.quantize(Decimal("0.01")):
        problems.append("value_above: at most 2 decimal places")
    else:
        return value
    return None


def _description(raw: Any, problems: list[str]) -> str:
    if not isinstance(raw, str) or not raw.strip():
        problems.append("description: required")
        return ""
    text = raw.strip()
    if len(text) > MAX_DESCRIPTION:
        problems.append(f"description: at most {MAX_DESCRIPTION} characters")
    if not DESCRIPTION.fullmatch(text):
        problems.append("description: use only letters, digits and spaces")
    return text


def challenge_pair(
    data: Mapping[str, Any],
    names: tuple[str, str],
    enabled: Sequence[ChallengeType],
    problems: list[str],
) -> tuple[ChallengeType | None, ChallengeType | None]:
    """A primary and backup challenge type: each enabled, different, backup unless only one."""
    primary_name, backup_name = names
    primary = choice(data, primary_name, ChallengeType, problems)
    if primary is not None and primary not in enabled:
        problems.append(f"{primary_name}: {primary.value} is not an enabled challenge type")
    if len(enabled) == 1:
        _must_be_empty(data, backup_name, "only one challenge type is enabled: no backup", problems)
        return primary, None
    backup = choice(data, backup_name, ChallengeType, problems)
    if backup is not None and backup not in enabled:
        problems.append(f"{backup_name}: {backup.value} is not an enabled challenge type")
    if backup is not None and backup == primary:
        problems.append(f"{backup_name}: must differ from {primary_name}")
    return primary, backup


def _template(
    data: Mapping[str, Any], name: str, needed: bool, monetary: bool, problems: list[str]
) -> str:
    raw = data.get(name)
    if raw is not None and not isinstance(raw, str):
        problems.append(f"{name}: must be text")
        return ""
    text = (raw or "").strip()
    if needed and not text:
        problems.append(f"{name}: required when its code channel is a challenge type")
        return ""
    problems += template_problems(name, text)
    required = ("otp", "transfer_amount", "payee_name") if monetary else ("otp",)
    # By variable, not by substring: "{{otp}}" is the literal text "{otp}", not the code.
    used = set(variables_in(text))
    missing = [f"{{{v}}}" for v in required if needed and v not in used]
    if missing:
        problems.append(f"{name}: must include {', '.join(missing)}")
    return text


def parse_spec(data: Mapping[str, Any], enabled: Sequence[ChallengeType]) -> ScenarioSpec:
    """A scenario's fields after every rule, or ``Invalid`` listing each problem."""
    problems = unknown_fields(data, SPEC_FIELDS)
    application = choice(data, "application", Application, problems)
    action = data.get("action")
    if not isinstance(action, str) or action not in ACTIONS:
        problems.append("action: required, one of the catalogue's actions (e.g. BILL_PAY_CREATE)")
        action = None
    kind = choice(data, "scenario_type", ScenarioType, problems)
    spec = ACTIONS.get(action) if action else None
    if spec is not None and kind is not None and spec.monetary != (kind is ScenarioType.MONETARY):
        wanted = "monetary" if spec.monetary else "non_monetary"
        problems.append(f"scenario_type: {action} is {wanted}")
    frequency = activity = value_above = None
    if kind is ScenarioType.MONETARY:
        frequency = choice(data, "frequency", Frequency, problems)
        _must_be_empty(data, "activity_type", "only for non_monetary scenarios", problems)
        if frequency is Frequency.VALUE_BASED:
            value_above = _value_above(data.get("value_above"), problems)
        elif frequency is Frequency.ALWAYS:  # an unreadable frequency is one problem, not two
            _must_be_empty(data, "value_above", "only for value_based frequency", problems)
    elif kind is ScenarioType.NON_MONETARY:
        activity = choice(data, "activity_type", ActivityType, problems)
        if spec is not None and activity is not None and spec.activity not in (None, activity):
            problems.append(f"activity_type: {action} is {spec.activity}")
        _must_be_empty(data, "frequency", "only for monetary scenarios", problems)
        _must_be_empty(data, "value_above", "only for monetary scenarios", problems)
    description = _description(data.get("description"), problems)
    status: Status | None = Status.ACTIVE
    if data.get("status") is not None:
        status = choice(data, "status", Status, problems)
    pair = ("primary_challenge", "backup_challenge")
    primary, backup = challenge_pair(data, pair, enabled, problems)
    used = {primary, backup}
    monetary = kind is ScenarioType.MONETARY
    templates = {
        name: _template(data, name, channel in used, monetary, problems)
        for channel, name in CODE_CHANNELS.items()
    }
    translations = _translations(data.get("translations"), used, monetary, problems)
    if problems:
        raise Invalid(problems)
    assert application and action and kind and primary and status  # guaranteed by no problems
    return ScenarioSpec(
        application=application,
        action=action,
        scenario_type=kind,
        description=description,
        primary_challenge=primary,
        backup_challenge=backup,
        frequency=frequency,
        value_above=value_above,
        activity_type=activity,
        status=status,
        sms_template=templates["sms_template"],
        email_template=templates["email_template"],
        translations=translations,
    )


def _translations(
    raw: object, used: set[ChallengeType | None], monetary: bool, problems: list[str]
) -> dict[str, dict[str, str]]:
    """``{"fr": {"sms_template": "...", "email_template": "..."}}``: each language one with a
    catalog (locales/), each template checked as the English one is; a blank one is left out
    (that language gets the English)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        problems.append('translations: an object by language, e.g. {"fr": {"sms_template": …}}')
        return {}
    found: dict[str, dict[str, str]] = {}
    for language, templates in raw.items():
        where = f"translations.{language}"
        if language not in catalogs().languages or language == SOURCE:
            others = ", ".join(lang for lang in catalogs().languages if lang != SOURCE)
            problems.append(f"{where}: not a language with a catalog (one of {others})")
            continue
        if not isinstance(templates, Mapping):
            problems.append(f"{where}: an object with sms_template and/or email_template")
            continue
        unknown = [name for name in templates if name not in TEMPLATES]
        problems += [f"{where}.{name}: unknown field" for name in unknown]
        inner = []
        for channel, name in CODE_CHANNELS.items():
            written = templates.get(name)
            if written is None or (isinstance(written, str) and not written.strip()):
                continue  # absent or blank: this language gets the English
            # Written, it must say what the English must (the code, what it approves).
            scoped: list[str] = []
            text = _template(templates, name, channel in used, monetary, scoped)
            problems += [f"{where}.{problem}" for problem in scoped]
            if text:
                inner.append((name, text))
        if inner:
            found[str(language)] = dict(inner)
    return found
