"""The out-of-the-box scenarios, stored on first start (SECURITY.md 12): one per catalogue
action for the chat channel's application, so a new bank is safe before staff touch anything.

Descriptions follow the admin guide's list, made valid and unique (the guide repeats "MFA
transaction" and labels activation "Lock Card"; our own rules refuse both). Money moving to
someone else is always challenged; moving between the customer's own accounts only above
1,000.00. ``LOGIN`` ships inactive: logging in already takes the PIN on a one-time secure page
bound to the customer's number, and no LOGIN step-up is asked anywhere yet, so an active rule
would promise what doesn't happen.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from auth.scenarios.model import (
    ACTIONS,
    CHAT_APPLICATION,
    ChallengeType,
    Frequency,
    Scenario,
    ScenarioSpec,
    ScenarioType,
    Status,
)
from messaging.languages import SOURCE, text

SEEDED_BY = "system"
OWN_ACCOUNTS_ABOVE = Decimal("1000.00")

DESCRIPTIONS = {
    "INTRA_BANK_FUND_TRANSFER_CREATE": "Create Intra Bank Fund Transfer",
    "USERNAME_UPDATE": "Profile Management Username Update",
    "CARD_MANAGEMENT_ACTIVATE_CARD": "Card Management Activate Card",
    "CARD_MANAGEMENT_REPLACE_CARD": "Card Management Replace Card",
    "DOMESTIC_WIRE_TRANSFER_CREATE": "Wire Transfer",
    "CARD_MANAGEMENT_UNLOCK_CARD": "Card Management Unlock Card",
    "INTER_BANK_ACCOUNT_FUND_TRANSFER_CREATE": "Interbank Transfer",
    "INTERNATIONAL_WIRE_TRANSFER_CREATE": "International Wire Transfer",
    "CARD_MANAGEMENT_CHANGE_PIN": "Card Management Change Pin",
    "BILL_PAY_CREATE": "Retail Banking Bill Pay",
    "PAY_MULTIPLE_BENEFICIARIES_CREATE_TRANSFER": "Pay Multiple Beneficiaries",
    "CARD_MANAGEMENT_CANCEL_CARD": "Card Management Cancel Card",
    "CARD_MANAGEMENT_LOCK_CARD": "Card Management Lock Card",
    "PASSWORD_UPDATE": "Profile Management Password Update",
    "INTERNATIONAL_ACCOUNT_FUND_TRANSFER_CREATE": "International Transfer",
    "TRANSFER_BETWEEN_OWN_ACCOUNT_CREATE": "Create Internal Transfer",
    "LOGIN": "Login",
    "P2P_CREATE": "Person to Person Payment",
    "ACH_PAYMENT_CREATE": "ACH Payment",
    "ACH_COLLECTION_CREATE": "ACH Collection",
    "ACH_FILE_UPLOAD": "ACH File Upload",
}


_MONEY = "to send {transfer_amount} to {payee_name} from {account_number}"
_CHANGE = "to confirm a change to your profile or cards"
_SMS = "{bank}: {otp} is your code WHAT. Sent {server_time}. Never share it."
_EMAIL = (
    "Your {bank} code WHAT is {otp}.\n\n"
    "Sent {server_date} at {server_time}; it works once, for 5 minutes.\n"
    "{bank} will never ask you for this code. If you didn't ask for it, "
    "call us on the number on your card."
)
# The bank's own wording of the code messages, by key: the source of the catalogs' ``mfa``
# group ({bank} is the bank's name, the rest the templates' variables).
DEFAULT_TEMPLATES: dict[str, str] = {
    "mfa.sms.monetary": _SMS.replace("WHAT", _MONEY),
    "mfa.sms.change": _SMS.replace("WHAT", _CHANGE),
    "mfa.email.monetary": _EMAIL.replace("WHAT", _MONEY),
    "mfa.email.change": _EMAIL.replace("WHAT", _CHANGE),
}


def default_templates(bank_name: str, monetary: bool, language: str = SOURCE) -> tuple[str, str]:
    """The (SMS, email) templates of the out-of-the-box scenarios and of the default rule, in
    ``language`` (English unless a catalog translates them)."""
    kind = "monetary" if monetary else "change"
    sms, email = (f"mfa.{channel}.{kind}" for channel in ("sms", "email"))
    return (
        text(sms, DEFAULT_TEMPLATES[sms], language).replace("{bank}", bank_name),
        text(email, DEFAULT_TEMPLATES[email], language).replace("{bank}", bank_name),
    )


def default_scenarios(bank_name: str, now: datetime) -> list[Scenario]:
    """The 21 out-of-the-box scenarios, valid under ``validate.parse_spec``."""
    scenarios = []
    for index, (name, action) in enumerate(ACTIONS.items()):
        sms, email = default_templates(bank_name, action.monetary)
        own = name == "TRANSFER_BETWEEN_OWN_ACCOUNT_CREATE"
        spec = ScenarioSpec(
            application=CHAT_APPLICATION,
            action=name,
            scenario_type=ScenarioType.MONETARY if action.monetary else ScenarioType.NON_MONETARY,
            description=DESCRIPTIONS[name],
            primary_challenge=ChallengeType.SMS_CODE,
            backup_challenge=ChallengeType.EMAIL_CODE
            if action.monetary
            else ChallengeType.SECURITY_QUESTIONS,
            frequency=(Frequency.VALUE_BASED if own else Frequency.ALWAYS)
            if action.monetary
            else None,
            value_above=OWN_ACCOUNTS_ABOVE if own else None,
            activity_type=action.activity,
            status=Status.INACTIVE if name == "LOGIN" else Status.ACTIVE,
            sms_template=sms,
            email_template=email,
        )
        scenarios.append(Scenario(f"oob{index + 1:02d}", spec, SEEDED_BY, now, SEEDED_BY, now))
    return scenarios
