"""What the scenario pages call each stored value: the words staff read in lists, selects and
the detail view, kept apart from the values the service stores (``auth.scenarios.model``).

One table per kind of value, so a select, a table cell and a filter say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from auth.scenarios.model import (
    ACTIONS,
    ActivityType,
    Application,
    ChallengeType,
    DefaultRule,
    Frequency,
    ScenarioType,
    Status,
)

LABELS: dict[str, str] = {
    ChallengeType.SMS_CODE: "Secure access code by SMS",
    ChallengeType.EMAIL_CODE: "Secure access code by email",
    ChallengeType.AUTHENTICATOR_APP: "Authenticator app",
    ChallengeType.SECURITY_QUESTIONS: "Security questions",
    ScenarioType.MONETARY: "Monetary",
    ScenarioType.NON_MONETARY: "Non-monetary",
    Frequency.ALWAYS: "Always",
    Frequency.VALUE_BASED: "Value based",
    ActivityType.PROFILE_UPDATE: "Profile update",
    ActivityType.CARD_MANAGEMENT: "Card management",
    ActivityType.LOGIN: "Login",
    Status.ACTIVE: "Active",
    Status.INACTIVE: "Inactive",
    DefaultRule.CHALLENGE: "Challenge with the default types",
    DefaultRule.NONE: "No challenge",
}
# The template variables as the seed's "Variable Reference" names them.
VARIABLE_LABELS = {
    "account_number": "Account Number (always masked, e.g. ••6789)",
    "otp": "OTP (the one-time code)",
    "payee_name": "Payee Name",
    "server_date": "Server Date (YYYY-MM-DD)",
    "server_time": "Server Time (HH:MM)",
    "transfer_amount": "Transfer Amount (with its currency)",
}


def label(value: object) -> str:
    """The words for a stored value; an application is its own name, anything unknown as is."""
    if value is None or value == "":
        return ""
    text = str(value)
    return LABELS.get(text, text)


def options(kind: Iterable[StrEnum]) -> list[tuple[str, str]]:
    """(value, label) for every member of an enum, in its order."""
    return [(member.value, label(member.value)) for member in kind]


def applications() -> list[tuple[str, str]]:
    return [(a.value, a.value) for a in Application]


def action_groups() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The catalogue's actions for the action select, as (label, scenario type, actions): money
    movements first, then the others, each shown with its feature so staff see what it is."""
    groups: dict[ScenarioType, list[tuple[str, str]]] = {
        ScenarioType.MONETARY: [],
        ScenarioType.NON_MONETARY: [],
    }
    for name, action in sorted(ACTIONS.items()):
        kind = ScenarioType.MONETARY if action.monetary else ScenarioType.NON_MONETARY
        groups[kind].append((name, f"{name} ({action.feature})"))
    return [(label(kind.value), kind.value, actions) for kind, actions in groups.items()]


def feature(action: str) -> str:
    found = ACTIONS.get(action)
    return found.feature if found else ""


# The scenario form's fields as its labels say them (the conflict notice lists changes by these).
FIELD_LABELS = {
    "application": "Application",
    "scenario_type": "Scenario type",
    "action": "Action",
    "frequency": "Frequency",
    "value_above": "Value above",
    "activity_type": "Activity type",
    "description": "Description",
    "status": "Status",
    "primary_challenge": "Primary challenge",
    "backup_challenge": "Backup challenge",
    "sms_template": "SMS template",
    "email_template": "Email template",
}
