"""Every notice the bank sends on its own initiative — security notices and codes by SMS, the
step-up email's subject, the claim and refund messages of money sent to a mobile number — by
key: the one place their wording lives, as ``flows.responses`` is for chat replies.

Templates use ``str.format`` fields with format specs, so callers pass values, not text:
``{when}`` and ``{expires}`` are datetimes, ``{amount}`` a Decimal. ``{bank}`` is the bank's
name. A notice never holds a PIN, a full account or card number, or a date of birth; a code
appears only in the code notices, which go to the registered number or email, never the chat.
"""

from __future__ import annotations

from string import Formatter

_CALL_US = "If this wasn't you, call us now on the number on your card."

NOTICES: dict[str, str] = {
    # security notices (auth.service.AuthService.notify), by SMS to the registered number
    "registered": "{bank}: you registered for chat banking on {when:%d %b %H:%M UTC}. " + _CALL_US,
    "pin_changed": "{bank}: your chat banking PIN was changed on {when:%d %b %H:%M UTC}. "
    + _CALL_US,
    "blocked": "{bank}: after 5 wrong attempts, chat banking is blocked until "
    "{when:%d %b %H:%M UTC}. If this wasn't you, call us on the number on your card.",
    "login_id_changed": "{bank}: your chat-banking ID was changed on {when:%d %b %H:%M UTC}. "
    + _CALL_US,
    "card_pin_changed": "{bank}: your card PIN was changed on {when:%d %b %H:%M UTC}. " + _CALL_US,
    "limit_changed": "{bank}: your own daily transfer limit was changed on "
    "{when:%d %b %H:%M UTC}. " + _CALL_US,
    "email_changed": "{bank}: the email address on your account was changed on "
    "{when:%d %b %H:%M UTC}. " + _CALL_US,
    # codes (the step-up code's text is the MFA scenario's template: auth.scenarios.templates)
    "register_code": "{bank}: {code} is your code to register for chat banking. It expires at "
    "{expires:%H:%M UTC}. Never share it: we will never ask for it.",
    "stepup_email_subject": "{bank}: your security code",
    # money sent to a mobile number (bot.claims, workers.claims)
    "claim_link": "{sender} sent you {currency} {amount:,.2f} with {bank}. Claim it by "
    "{expires:%d %b %Y}: {url} — if it isn't claimed, it goes back to them. "
    "We'll never ask for your PIN.",
    "claim_refunded_sender": "The {amount} you sent to {number} (Ref {reference}) wasn't "
    "claimed within 7 days, so it's back in your account {account}.",
    "claim_refunded_recipient": "{bank}: the {amount} sent to you wasn't claimed in time and "
    "has gone back to the sender.",
}

# The security notices ``AuthService.notify`` may send (the ports name them by these keys).
SECURITY_NOTICES = frozenset(
    {
        "registered",
        "pin_changed",
        "blocked",
        "login_id_changed",
        "card_pin_changed",
        "limit_changed",
        "email_changed",
    }
)


def fields(key: str) -> set[str]:
    """The ``{names}`` a notice uses."""
    return {name for _, name, _, _ in Formatter().parse(NOTICES[key]) if name}


def render_notice(key: str, **params: object) -> str:
    """One notice as text; an unknown key or a missing parameter is a bug: KeyError."""
    return NOTICES[key].format_map(params)
