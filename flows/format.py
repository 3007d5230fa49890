"""How amounts and times appear in replies: ``USD 2,500.00``, ``−USD 150.00``, ``02 Nov 10:14 WAT``.

Both follow the language of the message being written (English outside it).
Times are always shown on the bank's clock (its time zone, ``Context.zone``), with the zone's
abbreviation, so "blocked until 10:14 WAT" means the same to the customer as to the branch.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal

import phonenumbers

from messaging import local_format
from messaging.languages import text


def money(amount: Decimal, currency: str) -> str:
    """In the language of the message being written (``messaging.local_format``)."""
    return local_format.money(amount, currency)


def short_time(at: datetime, zone: tzinfo) -> str:
    """``02 Nov 10:14 WAT``: on the bank's clock, with its zone."""
    return local_format.when(at.astimezone(zone), "%d %b %H:%M %Z")


def short_date(at: datetime, zone: tzinfo) -> str:
    """``02 Nov``: the bank's calendar day."""
    return local_format.when(at.astimezone(zone), "%d %b")


def account_label(kind: str, masked: str) -> str:
    """``Savings ••6789``; the kind in the current language (``flows.responses.ACCOUNT_TYPES``)."""
    return f"{text(f'account_type.{kind}', kind.capitalize())} {masked}"


def e164(text: str, like: str) -> str | None:
    """A phone number as +E164, read in the country of ``like`` (the customer's own number)
    when it has no country code; None when it isn't a valid number."""
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(like, None))
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
