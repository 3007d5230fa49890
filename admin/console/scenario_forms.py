"""The scenario pages' forms read into what ``auth.scenarios`` takes, and its answers read back
into what the pages show: a scenario's form fields to the dict ``ScenarioService.create`` and
``update`` check, the MFA configuration's form to ``put_config``'s dict, the dry-run's question,
the list's filters and the version a form was read at. Problems stay the service's own
"field: message" strings; ``admin.console.render.by_field`` lays them out beside their fields.

Nothing here decides a rule: every rule is the service's (``auth.scenarios.validate``). The one
thing read here is what the form *means*: a field the chosen scenario type or frequency doesn't
use (the form shows them all when there is no script) is left out rather than refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from werkzeug.datastructures import MultiDict

from admin.inputs import MAX_SEARCH, dry_run_input
from auth.scenarios.codec import config_to_dict, spec_to_dict
from auth.scenarios.config import CONFIG_FIELDS
from auth.scenarios.model import (
    Application,
    ChallengeType,
    Frequency,
    MfaConfig,
    Scenario,
    ScenarioType,
    Status,
)
from auth.scenarios.templates import MAX_LENGTH, MessageValues, render, template_problems
from auth.scenarios.validate import SPEC_FIELDS
from messaging.languages import SOURCE, catalogs

# The scenario form's fields are the service's, by the same names; status only on create
# (an edit never changes it: activate and deactivate do).
# Translations are edited through the API; the form leaves them as they are (None would empty them).
EDIT_FIELDS = tuple(name for name in SPEC_FIELDS if name not in ("status", "translations"))
TEMPLATE_FIELDS = tuple(MAX_LENGTH)
CONFIG_NUMBERS = ("code_length", "code_expiry_seconds", "max_attempts")
WHOLE = re.compile(r"[0-9]{1,6}")
VERSION = re.compile(r"[0-9]{1,12}")
FILTER_FIELDS = ("application", "status", "q")
E = TypeVar("E", bound=StrEnum)
DRY_RUN_FIELDS = ("application", "action", "amount", "enrolled")
# What the preview fills a template with: made up, and masked as a real message would be.
SAMPLE_OTP = "482913"
SAMPLE_ACCOUNT = "0123456789"
SAMPLE_PAYEE = "Chidi Okeke"
SAMPLE_AMOUNT = Decimal("150.00")


# The form's fields for the templates in other languages: ``translations.fr.sms_template``.
TEMPLATE_TITLES = {"sms_template": ("SMS template", 3), "email_template": ("Email template", 6)}


def translation_groups() -> list[tuple[str, str, list[tuple[str, str, int]]]]:
    """(language, its name, [(form field, title, rows)]) for every language with a catalog."""
    found = catalogs()
    return [
        (
            lang,
            found.name(lang),
            [(f"translations.{lang}.{name}", *TEMPLATE_TITLES[name]) for name in TEMPLATE_FIELDS],
        )
        for lang in found.languages
        if lang != SOURCE
    ]


def _translations(form: Form) -> dict[str, dict[str, str]] | None:
    """The templates per language as sent, blank ones left out (that language gets the
    English); None when the form has none of their fields (an edit then keeps the stored ones).
    Blanks are dropped here, not only by the service, so an untouched form changes nothing
    (four eyes would show a change no one made)."""
    sent: dict[str, dict[str, str]] = {}
    present = False
    for lang, _, fields in translation_groups():
        for field_name, _, _ in fields:
            if field_name not in form:
                continue
            present = True
            written = _lines(form[field_name])
            if written.strip():
                sent.setdefault(lang, {})[field_name.rsplit(".", 1)[1]] = written
    return sent if present else None


# A submitted form or query string (werkzeug's ``MultiDict``: a name may come more than once).
Form = MultiDict[str, str]


@dataclass(frozen=True)
class Filters:
    """The list's filters, each None (or "") for all; what the URL keeps."""

    application: Application | None = None
    status: Status | None = None
    search: str = ""

    @property
    def narrowed(self) -> bool:
        return bool(self.application or self.status or self.search)


def list_filters(args: Form) -> tuple[Filters, list[str]]:
    """``?application=…&status=…&q=…`` as filters; a value that isn't one of the choices is
    not applied and is named beside its field (other parameters are ignored, as a page does)."""
    problems: list[str] = []
    application = _member(args, "application", Application, problems)
    status = _member(args, "status", Status, problems)
    search = args.get("q", "").strip()
    if len(search) > MAX_SEARCH:
        problems.append(f"q: at most {MAX_SEARCH} characters; shorten it")
        search = ""
    return Filters(application, status, search), problems


def _member(args: Form, name: str, kind: type[E], problems: list[str]) -> E | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        problems.append(f"{name}: {raw!r} is not one of the choices; pick one from the list")
        return None


def for_people(problems: Iterable[str]) -> list[str]:
    """The service's problems as a form shows them: "required, one of: <stored values>" is
    said for a select, whose choices are already in front of the reader."""
    shown = []
    for problem in problems:
        name, sep, message = problem.partition(": ")
        if sep and message.startswith("required, one of"):
            problem = f"{name}: required: choose one from the list"
        shown.append(problem)
    return shown


def _text(form: Form, name: str) -> str | None:
    """A field as typed, trimmed; None when blank or absent (the service says if it's needed)."""
    value = form.get(name, "").strip()
    return value or None


def _lines(text: str) -> str:
    """Line breaks as stored: browsers send a textarea's as CRLF, so an edit that didn't touch
    a template would otherwise change it (and four eyes would show a change no one made)."""
    return text.replace("\r\n", "\n")


def scenario_data(form: Form, *, creating: bool) -> dict[str, Any]:
    """The scenario form as the service's dict: every field present (None when blank), so an
    edit replaces each one rather than keeping a value the form emptied."""
    names = SPEC_FIELDS if creating else EDIT_FIELDS
    data: dict[str, Any] = {name: _text(form, name) for name in names}
    for name in TEMPLATE_FIELDS:  # a template keeps its inner spacing; the service trims ends
        data[name] = _lines(form.get(name, ""))
    translations = _translations(form)
    if translations is not None:
        data["translations"] = translations
    kind = data["scenario_type"]
    if kind == ScenarioType.NON_MONETARY:
        data["frequency"] = data["value_above"] = None
    elif kind == ScenarioType.MONETARY:
        data["activity_type"] = None
        if data["frequency"] == Frequency.ALWAYS:
            data["value_above"] = None
    return data


def typed_values(form: Form, names: Iterable[str]) -> dict[str, str]:
    """What was typed, to show again beside the problems (the templates per language too)."""
    shown = {name: _lines(form.get(name, "")) for name in names}
    for _, _, fields in translation_groups():
        shown.update((f, _lines(form.get(f, ""))) for f, _, _ in fields if f in form)
    return shown


def scenario_values(scenario: Scenario) -> dict[str, str]:
    """A stored scenario as the form's values (blank for none)."""
    stored = spec_to_dict(scenario.spec)
    values = {k: "" if v is None else str(v) for k, v in stored.items() if k != "translations"}
    for lang, templates in scenario.spec.translations.items():
        values.update((f"translations.{lang}.{name}", text) for name, text in templates.items())
    return values


def read_version(form: Form) -> int | None:
    """The version the form was read at (its hidden ``version`` field); None when missing or
    not a version, which a change must refuse rather than apply unchecked."""
    raw = form.get("version", "").strip()
    return int(raw) if VERSION.fullmatch(raw) else None


def config_data(form: Form) -> dict[str, Any]:
    """The MFA configuration form as ``put_config``'s dict; a number that isn't one is passed
    on as typed, so the service's own rule ("a whole number from 6 to 8") answers it."""
    data: dict[str, Any] = {
        "enabled_types": form.getlist("enabled_types"),
        "default_primary": _text(form, "default_primary"),
        "default_backup": _text(form, "default_backup"),
        "default_non_monetary": _text(form, "default_non_monetary"),
    }
    for name in CONFIG_NUMBERS:
        raw = form.get(name, "").strip()
        data[name] = int(raw) if WHOLE.fullmatch(raw) else raw
    return data


def config_values(config: MfaConfig) -> dict[str, Any]:
    """The configuration as the form shows it: strings, and the enabled types as a list."""
    values = {k: "" if v is None else v for k, v in config_to_dict(config).items()}
    return {k: v if isinstance(v, list) else str(v) for k, v in values.items()}


def typed_config(form: Form) -> dict[str, Any]:
    values: dict[str, Any] = {name: form.get(name, "") for name in CONFIG_FIELDS}
    values["enabled_types"] = form.getlist("enabled_types")
    return values


@dataclass(frozen=True)
class Question:
    """The dry-run's question, checked by the API's own reader (``admin.inputs``)."""

    application: Application
    action: str
    amount: Decimal | None
    enrolled: frozenset[ChallengeType]


def asked(form: Form) -> bool:
    """Whether the dry-run form was sent (its first display has no question)."""
    return "action" in form or "application" in form


def dry_run_question(form: Form) -> Question:
    """The dry-run form as a question, or ``Invalid`` listing each problem by field. No box
    ticked means a customer with nothing set up, which the decision then says."""
    body = {
        "application": _text(form, "application"),
        "action": _text(form, "action"),
        "amount": _text(form, "amount"),
        "enrolled": form.getlist("enrolled"),
    }
    application, action, amount, enrolled = dry_run_input(body)
    return Question(application, action, amount, enrolled)


def dry_run_values(form: Form) -> dict[str, Any]:
    values: dict[str, Any] = typed_values(form, ("application", "action", "amount"))
    everything = [t.value for t in ChallengeType]  # first display: a customer with every type
    values["enrolled"] = form.getlist("enrolled") if asked(form) else everything
    return values


@dataclass(frozen=True)
class Preview:
    """A template rendered with sample values, or why it can't be."""

    text: str
    problems: list[str]


def preview(name: str, template: str, at: datetime, currency: str) -> Preview:
    """``template`` (the ``sms_template`` or ``email_template`` field) with sample values: a made
    up code, account (masked), payee and amount, and ``at`` as the server's date and time."""
    if name not in TEMPLATE_FIELDS:
        return Preview("", [f"field: one of {', '.join(TEMPLATE_FIELDS)}"])
    text = template.strip()
    problems = template_problems(name, text)
    if problems:
        return Preview("", problems)
    values = MessageValues(
        otp=SAMPLE_OTP,
        at=at,
        account_number=SAMPLE_ACCOUNT,
        payee_name=SAMPLE_PAYEE,
        transfer_amount=f"{currency} {SAMPLE_AMOUNT:,.2f}",
    )
    return Preview(render(text, values), [])
