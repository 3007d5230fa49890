"""How amounts and times appear in replies: ``USD 2,500.00``, ``−USD 150.00``, ``02 Nov 10:14 WAT``.

Times are always shown on the bank's clock (its time zone, ``Context.zone``), with the zone's
abbreviation, so "blocked until 10:14 WAT" means the same to the customer as to the branch.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from decimal import Decimal

import phonenumbers


def money(amount: Decimal, currency: str) -> str:
    sign = "−" if amount < 0 else ""
    return f"{sign}{currency} {abs(amount):,.2f}"


def short_time(at: datetime, zone: tzinfo) -> str:
    """``02 Nov 10:14 WAT``: on the bank's clock, with its zone."""
    return at.astimezone(zone).strftime("%d %b %H:%M %Z")


def short_date(at: datetime, zone: tzinfo) -> str:
    """``02 Nov``: the bank's calendar day."""
    return at.astimezone(zone).strftime("%d %b")


def account_label(kind: str, masked: str) -> str:
    return f"{kind.capitalize()} {masked}"


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
