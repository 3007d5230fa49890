"""Every notice the bank sends on its own initiative — security notices and codes by SMS, the
step-up email's subject, the claim and refund messages of money sent to a mobile number — by
key: the one place their wording lives, as ``flows.responses`` is for chat replies.

Templates use ``str.format`` fields with format specs, so callers pass values, not text:
``{when}`` and ``{expires}`` are datetimes, shown on the bank's clock with its zone's
abbreviation (``render_notice(..., zone=...)``), ``{amount}`` a Decimal. ``{bank}`` is the bank's
name.

A block reads the same in every place that tells of it (the SMS here, the chat's
``auth.blocked``, the secure page): what is blocked, why (``BLOCK_REASONS``: never which factor
was wrong), until when, and what to do (``help_line``: the bank's fraud line).

This English is the source of the translations in ``locales/`` (``messaging.languages``): a notice
is written in the language asked for, or the one of the message being written; its times and
numbers are then written by Babel for that locale (``messaging.local_format``).

A notice never holds a PIN, a full account or card number, or a date of birth; a code appears
only in the code notices, which go to the registered number or email, never the chat.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from string import Formatter

import phonenumbers

from messaging.languages import SOURCE, catalogs, current, text
from messaging.local_format import localized, when

_CALL_US = "If this wasn't you, call us now on the number on your card."
_AT = "%d %b %H:%M %Z"  # 02 Nov 10:14 WAT: the bank's clock, as the chat shows it
CARD_NUMBER = "the number on your card"
# A KYC refusal's reason as WhatsApp's reviewers read it in each language's template sample
# (``bot.notice_templates``); a real one is written by the bank's staff.
SAMPLE_REASON = "the proof of address is older than 3 months"

# Why a block holds, by what caused it (``auth.stores.lockout.Kind``, or ``bank`` for staff).
# A login counts the ID and the PIN together, registration the details and the code: neither
# reason says which was wrong (SECURITY.md 11).
BLOCK_REASONS: dict[str, str] = {
    "pin": "too many failed login attempts",
    "code": "too many wrong codes",
    "details": "too many failed attempts to confirm your details",
    "bank": "a request to the bank",
    "other": "too many failed attempts",
}

NOTICES: dict[str, str] = {
    # security notices (auth.service.AuthService.notify), by SMS to the registered number
    "registered": "{bank}: you registered for chat banking on {when:%d %b %H:%M %Z}. " + _CALL_US,
    "pin_changed": "{bank}: your chat banking PIN was changed on {when:%d %b %H:%M %Z}. "
    + _CALL_US,
    "blocked": "{bank}: after {reason}, chat banking on this number (payments, changes and "
    "balances) is blocked until {when:%d %b %H:%M %Z}. If it was you, wait until then. If it "
    "wasn't, call us now on {phone}.",
    "login_id_changed": "{bank}: your chat-banking ID was changed on {when:%d %b %H:%M %Z}. "
    + _CALL_US,
    "card_pin_changed": "{bank}: your card PIN was changed on {when:%d %b %H:%M %Z}. " + _CALL_US,
    "limit_changed": "{bank}: your own daily transfer limit was changed on "
    "{when:%d %b %H:%M %Z}. " + _CALL_US,
    "email_changed": "{bank}: the email address on your account was changed on "
    "{when:%d %b %H:%M %Z}. " + _CALL_US,
    # what the bank's staff did to the customer's chat banking (auth.care), with whom to call
    "blocked_by_bank": "{bank}: the bank blocked chat banking on this number on "
    "{when:%d %b %H:%M %Z}. To have it restored, call us on {phone}.",
    "restored_by_bank": "{bank}: chat banking on this number was restored on "
    "{when:%d %b %H:%M %Z}. If you didn't ask for this, call us now on {phone}.",
    "registration_reset": "{bank}: your chat banking registration was reset on "
    "{when:%d %b %H:%M %Z}; message us in WhatsApp to register again. If you didn't ask for "
    "this, call us now on {phone}.",
    # codes (the step-up code's text is the MFA scenario's template: auth.scenarios.templates)
    "register_code": "{bank}: {code} is your code to register for chat banking. It expires at "
    "{expires:%H:%M %Z}. Never share it: we will never ask for it.",
    "onboard_code": "{bank}: {code} is your code to open a {bank} wallet. It expires at "
    "{expires:%H:%M %Z}. Never share it: we will never ask for it.",
    "onboard_email_code": "{bank}: {code} is your code to confirm this email address for your "
    "new {bank} wallet. It expires at {expires:%H:%M %Z}. Never share it: we will never ask "
    "for it.",
    "stepup_email_subject": "{bank}: your security code",
    # money sent to a mobile number (bot.claims, workers.claims)
    "claim_link": "{sender} sent you {currency} {amount:,.2f} with {bank}. Claim it by "
    "{expires:%d %b %Y}: {url} — if it isn't claimed, it goes back to them. "
    "We'll never ask for your PIN.",
    "claim_paid_sender": "The {amount} you sent to {number} (Ref {reference}) has been "
    "received: it's in their new {bank} wallet.",
    "claim_refunded_sender": "The {amount} you sent to {number} (Ref {reference}) wasn't "
    "claimed within 7 days, so it's back in your account {account} in full.",
    "kyc_received": "Thank you: {bank} has received your documents for KYC level {level}. Our "
    "team checks them, usually within a working day, and we'll tell you the outcome in this chat.",
    # the outcome of a KYC upgrade (auth.kyc.service), in the customer's WhatsApp chat
    "kyc_approved": "Good news from {bank}: we've checked your documents and you're now at KYC "
    "level {level}. You can send up to {per_transaction} a transfer, {daily} a day and "
    "{monthly} a month, from your next payment. Send *menu* to carry on.",
    "kyc_rejected": "Sorry, {bank} couldn't approve your KYC upgrade: {reason}. Nothing changed "
    "on your "
    "account and your limits stay as they were. To try again, send *profile*, choose *Upgrade "
    "KYC level* and upload clear, complete documents on the secure page, or visit any branch "
    "with them.",
    "claim_refunded_recipient": "{bank}: the {amount} sent to you wasn't claimed in time and "
    "has gone back to the sender.",
    # documents (workers.delivery, workers.jobs): a PDF goes only inside the window; outside it,
    # ``document_ready`` says it is waiting and ``retry`` (which opens the window) fetches it
    "document_ready": "Your {what} (Ref {reference}) from {bank} is ready. Reply *retry* in this "
    "chat and we'll send it here.",
    "document_failed": "Sorry, we couldn't send your {what} (Ref {reference}) from {bank}. Reply "
    "*retry* to try again.",
    # the chat's replies after a secure page (bot.dispatch), when they can't go free-form
    "chat_waiting": "You're logged in with {bank}. Send *menu* in this chat to carry on.",
}

# The notices that go to the customer's WhatsApp, through ``messaging.proactive`` (the window
# decides: free-form, the approved template ``bot.notice_templates`` defines for it, or SMS).
# Each must make a valid WhatsApp template: no field at the very start or end, none adjacent.
WHATSAPP_NOTICES = frozenset(
    {
        "claim_paid_sender",
        "claim_refunded_sender",
        "kyc_received",
        "kyc_approved",
        "kyc_rejected",
        "document_ready",
        "document_failed",
        "chat_waiting",
    }
)
MAX_VARIABLE = 255  # the Content API's longest variable value
# WhatsApp refuses a variable with a newline, a tab or a run of spaces: each run of whitespace
# becomes one space, except the no-break spaces a locale writes inside an amount (2 500,00 $US).
_ONE_LINE = re.compile(r"[^\S\u00a0\u202f\u2007]+")

# The security notices ``AuthService.notify`` may send (the ports name them by these keys);
# ``blocked`` has its own sender (``AuthService.notify_block``: it says why and whom to call).
SECURITY_NOTICES = frozenset(
    {
        "registered",
        "pin_changed",
        "login_id_changed",
        "card_pin_changed",
        "limit_changed",
        "email_changed",
    }
)


# The notices of a staff action (``AuthService.notify_staff``): each says whom to call.
STAFF_NOTICES = frozenset({"blocked_by_bank", "restored_by_bank", "registration_reset"})


def fields(key: str) -> set[str]:
    """The ``{names}`` a notice uses."""
    return {name for _, name, _, _ in Formatter().parse(NOTICES[key]) if name}


def notice_text(key: str, language: str = SOURCE) -> str:
    """The notice's text in ``language``, with its ``{fields}`` (English without a current
    translation)."""
    return text(key, NOTICES[key], language)


def translated(key: str, language: str) -> bool:
    """Whether ``language`` has the notice (English always has it)."""
    return language == SOURCE or catalogs().translated(key, NOTICES[key], language)


def template_body(key: str, language: str = SOURCE) -> str:
    """The notice in ``language`` as a Content API body: each field a numbered variable
    (``{{1}}``, ``{{2}}``, by first appearance in that language; a field used twice is one
    variable), the rest of the text as is."""
    names = field_order(key, language)
    parts = []
    for literal, name, _, _ in Formatter().parse(notice_text(key, language)):
        parts.append(literal)
        if name:
            parts.append("{{" + str(names.index(name) + 1) + "}}")
    return "".join(parts)


def template_variables(
    key: str, *, zone: tzinfo | None = None, language: str = SOURCE, **params: object
) -> dict[str, str]:
    """The values of ``template_body(key, language)``'s variables, formatted as
    ``render_notice`` formats them in that language (the same format specs, the locale's
    numbers and dates), on one line and within the Content API's length."""
    if zone is not None:
        params = {
            n: v.astimezone(zone) if isinstance(v, datetime) else v for n, v in params.items()
        }
    wording = notice_text(key, language)
    specs = {name: spec for _, name, spec, _ in Formatter().parse(wording) if name}
    values = {}
    for number, name in enumerate(field_order(key, language), start=1):
        value = localized(params[name], language)
        shown = _ONE_LINE.sub(" ", format(value, specs[name] or "")).strip()
        if len(shown) > MAX_VARIABLE:
            shown = shown[: MAX_VARIABLE - 1] + "…"
        values[str(number)] = shown
    return values


def field_order(key: str, language: str = SOURCE) -> list[str]:
    """A notice's fields in order of first appearance in ``language``: template variable n is
    the n-th (a translation may name them in another order)."""
    order: list[str] = []
    for _, name, _, _ in Formatter().parse(notice_text(key, language)):
        if name and name not in order:
            order.append(name)
    return order


def render_notice(
    key: str, *, zone: tzinfo | None = None, language: str | None = None, **params: object
) -> str:
    """One notice as text in ``language`` (None: the current one), its times on ``zone`` (the
    bank's clock; None: as given). An unknown key or a missing parameter is a bug: KeyError."""
    if zone is not None:
        params = {
            name: value.astimezone(zone) if isinstance(value, datetime) else value
            for name, value in params.items()
        }
    chosen = current() if language is None else language
    values = {name: localized(value, chosen) for name, value in params.items()}
    return text(key, NOTICES[key], chosen).format_map(values)


def bank_time(at: datetime, zone: tzinfo) -> str:
    """``02 Nov 10:14 WAT``: a time on the bank's clock, as every notice and page shows it."""
    return when(at.astimezone(zone), _AT)


def help_line(fraud_phone: str, phone: str = "") -> str:
    """What to call about a block or a suspicious notice: the bank's fraud line, else its
    customer service, in international format (``+234 201 234 5600``); else the card's."""
    for number in (fraud_phone, phone):
        try:
            parsed = phonenumbers.parse(number, None)
        except phonenumbers.NumberParseException:
            continue
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return text("notice.card_number", CARD_NUMBER)


def block_reason(kind: str) -> str:
    """Why a block holds, in words (an unknown kind gets the general reason)."""
    known = kind if kind in BLOCK_REASONS else "other"
    return text(f"reason.{known}", BLOCK_REASONS[known])
