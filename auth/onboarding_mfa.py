"""What the Customer Onboarding MFA scenarios ask of a wallet opening, and the email code that
meets them when they ask for more than the phone.

The rule (docs/onboarding.md): the scenario for ``LOGIN`` under Customer Onboarding decides,
for a person who can receive an SMS code (the number being opened) and an email code (the
address typed on the page) — nothing else exists for them yet. Its first usable challenge is
the one met: the SMS code proven on the first step already meets ``sms_code``; ``email_code``
adds a step, a 6-digit code sent to the typed address, before the chat-banking ID and PIN; a
scenario none of whose types a new person can meet (only an authenticator or security
questions) fails closed: no wallet is opened online, and the page sends the person to a
branch. A scenario that asks for nothing, or the default's "none", adds nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum

from auth.scenarios.evaluate import Decision
from auth.scenarios.model import ChallengeType
from auth.service import AuthService
from auth.stores.codes import Check, SendRefused
from auth.stores.links import Link, digest
from messaging import Channel, MessengerError
from messaging.masking import mask_email
from messaging.notices import render_notice

log = logging.getLogger("teller.auth")

EMAIL_PURPOSE = "onboard_email"
# What a person opening a wallet can be challenged with: their phone and the email typed.
MEETABLE = frozenset({ChallengeType.SMS_CODE, ChallengeType.EMAIL_CODE})


class Needed(StrEnum):
    NOTHING = "none"  # no challenge asked
    SMS = "sms_code"  # met by the SMS code on the first step
    EMAIL = "email_code"  # an email code to the typed address, as its own step
    UNAVAILABLE = "unavailable"  # asked, but nothing a new person has can meet it


def needed(decision: Decision) -> Needed:
    """The challenge a wallet opening must meet under ``decision`` (decided for MEETABLE)."""
    if not decision.required:
        return Needed.NOTHING
    if decision.challenge is None:
        return Needed.UNAVAILABLE
    return Needed.EMAIL if decision.challenge is ChallengeType.EMAIL_CODE else Needed.SMS


def send_email_code(service: AuthService, link: Link, email: str) -> datetime:
    """The email code for the link's opening, to ``email``; its expiry. Raises SendRefused
    (cooldown, three sends) or MessengerError (then the send is taken back, as for SMS)."""
    until = service.blocked_until(link.msisdn)
    if until is not None:
        raise SendRefused(int((until - service.clock()).total_seconds()))
    now = service.clock()
    code, expires = service.codes.issue(link.msisdn, EMAIL_PURPOSE, digest(link.token), now)
    language = service.language(link.msisdn)
    text = render_notice(
        "onboard_email_code",
        zone=service.zone,
        language=language,
        bank=service.bank_name,
        code=code,
        expires=expires,
    )
    subject = render_notice("stepup_email_subject", language=language, bank=service.bank_name)
    try:
        service.messenger.send(Channel.EMAIL, email, text, subject=subject)
    except MessengerError as exc:
        log.warning("onboarding email code to %s not sent: %s", mask_email(email), exc)
        service.codes.unsend(link.msisdn, EMAIL_PURPOSE)
        raise
    return expires


def check_email_code(service: AuthService, link: Link, code: str) -> Check:
    return service.codes.verify(
        link.msisdn, EMAIL_PURPOSE, digest(link.token), code.strip(), service.clock()
    )
