"""The MFA scenario model: applications, the 21 out-of-the-box actions with their feature names,
challenge types, scenario types, and the frozen records (a scenario, the MFA configuration).

Everything here is plain data; rules live in ``validate``, storage in ``store`` and ``config``.
Amounts are ``Decimal`` only: a float threshold would make "more than 1000.00" ambiguous.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class Application(StrEnum):
    RETAIL_BANKING = "Retail Banking"
    BUSINESS_BANKING = "Business Banking"
    CONSUMER_LENDING = "Consumer Lending"
    CUSTOMER_ONBOARDING = "Customer Onboarding"
    RETAIL_AND_BUSINESS_BANKING = "Retail and Business Banking"


# The application the WhatsApp channel acts as for a customer of each segment (the bank's
# ``customers.segment``); anything else, or none, is retail. Consumer Lending has no chat yet.
# Customer Onboarding decides for a person opening a wallet (not yet a customer of any segment):
# their requests carry ``ONBOARDING_SEGMENT`` (``auth.onboarding``).
CHAT_APPLICATION = Application.RETAIL_BANKING
ONBOARDING_SEGMENT = "onboarding"
SEGMENT_APPLICATIONS = {
    "retail": Application.RETAIL_BANKING,
    "business": Application.BUSINESS_BANKING,
    ONBOARDING_SEGMENT: Application.CUSTOMER_ONBOARDING,
}
# A combined-application scenario also covers each of its parts, unless a part has its own.
COVERED_BY = {
    Application.RETAIL_BANKING: Application.RETAIL_AND_BUSINESS_BANKING,
    Application.BUSINESS_BANKING: Application.RETAIL_AND_BUSINESS_BANKING,
}


def application_for(segment: str) -> Application:
    """The application whose scenarios decide a chat request from a customer of ``segment``."""
    return SEGMENT_APPLICATIONS.get(segment, CHAT_APPLICATION)


class ChallengeType(StrEnum):
    SMS_CODE = "sms_code"
    EMAIL_CODE = "email_code"
    AUTHENTICATOR_APP = "authenticator_app"
    SECURITY_QUESTIONS = "security_questions"


# Types that send a one-time code through a message template.
CODE_CHANNELS = {ChallengeType.SMS_CODE: "sms_template", ChallengeType.EMAIL_CODE: "email_template"}


class ScenarioType(StrEnum):
    MONETARY = "monetary"
    NON_MONETARY = "non_monetary"


class Frequency(StrEnum):
    ALWAYS = "always"
    VALUE_BASED = "value_based"


class Status(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class ActivityType(StrEnum):
    """What a non-monetary action changes (the seed guide's "Activity Type")."""

    PROFILE_UPDATE = "profile_update"
    CARD_MANAGEMENT = "card_management"
    LOGIN = "login"


@dataclass(frozen=True)
class Action:
    name: str
    feature: str
    activity: ActivityType | None = None  # None: a money movement

    @property
    def monetary(self) -> bool:
        return self.activity is None


_CARD, _PROFILE = ActivityType.CARD_MANAGEMENT, ActivityType.PROFILE_UPDATE
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("INTRA_BANK_FUND_TRANSFER_CREATE", "Intra Bank Fund Transfer"),
        Action("USERNAME_UPDATE", "Profile Management", _PROFILE),
        Action("CARD_MANAGEMENT_ACTIVATE_CARD", "Card Management", _CARD),
        Action("CARD_MANAGEMENT_REPLACE_CARD", "Card Management", _CARD),
        Action("DOMESTIC_WIRE_TRANSFER_CREATE", "Domestic Wire Transfer"),
        Action("CARD_MANAGEMENT_UNLOCK_CARD", "Card Management", _CARD),
        Action("INTER_BANK_ACCOUNT_FUND_TRANSFER_CREATE", "Inter Bank Fund Transfer"),
        Action("INTERNATIONAL_WIRE_TRANSFER_CREATE", "International Wire Transfer"),
        Action("CARD_MANAGEMENT_CHANGE_PIN", "Card Management", _CARD),
        Action("BILL_PAY_CREATE", "Bill Pay"),
        Action("PAY_MULTIPLE_BENEFICIARIES_CREATE_TRANSFER", "Pay Multiple Beneficiaries"),
        Action("CARD_MANAGEMENT_CANCEL_CARD", "Card Management", _CARD),
        Action("CARD_MANAGEMENT_LOCK_CARD", "Card Management", _CARD),
        Action("PASSWORD_UPDATE", "Profile Management", _PROFILE),
        Action("INTERNATIONAL_ACCOUNT_FUND_TRANSFER_CREATE", "International Fund Transfer"),
        Action("TRANSFER_BETWEEN_OWN_ACCOUNT_CREATE", "Transfer Between Own Accounts"),
        Action("LOGIN", "Login", ActivityType.LOGIN),
        Action("P2P_CREATE", "Person to Person Payment"),
        Action("ACH_PAYMENT_CREATE", "ACH Payment"),
        Action("ACH_COLLECTION_CREATE", "ACH Collection"),
        Action("ACH_FILE_UPLOAD", "ACH File Upload"),
    )
}

MAX_VALUE_ABOVE = Decimal("999999999999")
MAX_DESCRIPTION = 100


@dataclass(frozen=True)
class ScenarioSpec:
    """The fields staff edit; checked as a whole by ``validate.parse_spec``."""

    application: Application
    action: str
    scenario_type: ScenarioType
    description: str
    primary_challenge: ChallengeType
    backup_challenge: ChallengeType | None = None
    frequency: Frequency | None = None  # monetary only
    value_above: Decimal | None = None  # value_based only
    activity_type: ActivityType | None = None  # non_monetary only
    status: Status = Status.ACTIVE
    sms_template: str = ""
    email_template: str = ""
    # The templates in other languages, by language then field ({"fr": {"sms_template": ...}}):
    # a customer whose language has none gets the English above (auth.stepup.delivery).
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict, hash=False)

    @property
    def active(self) -> bool:
        return self.status is Status.ACTIVE

    @property
    def challenge_types(self) -> tuple[ChallengeType, ...]:
        if self.backup_challenge is None:
            return (self.primary_challenge,)
        return (self.primary_challenge, self.backup_challenge)


@dataclass(frozen=True)
class Scenario:
    """A stored scenario: its id, its spec, who created and last changed it, when, and its
    version (1 when created, one more at every change: what an update must name, so a change
    made from a stale read is refused)."""

    scenario_id: str
    spec: ScenarioSpec
    created_by: str = ""
    created_at: datetime | None = None
    updated_by: str = ""
    updated_at: datetime | None = None
    version: int = 1


class DefaultRule(StrEnum):
    """What a non-monetary action with no active scenario gets (money movements always get one)."""

    CHALLENGE = "challenge"
    NONE = "none"


@dataclass(frozen=True)
class MfaConfig:
    """Bank-wide MFA settings; the defaults are the safe ones (SECURITY.md 13)."""

    enabled_types: tuple[ChallengeType, ...] = tuple(ChallengeType)
    code_length: int = 6
    code_expiry_seconds: int = 300
    max_attempts: int = 5
    default_primary: ChallengeType = ChallengeType.SMS_CODE
    default_backup: ChallengeType | None = ChallengeType.EMAIL_CODE
    default_non_monetary: DefaultRule = DefaultRule.CHALLENGE
