"""How amounts and times appear in replies: ``USD 2,500.00``, ``−USD 150.00``, ``02 Nov 09:14``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal


def money(amount: Decimal, currency: str) -> str:
    sign = "−" if amount < 0 else ""
    return f"{sign}{currency} {abs(amount):,.2f}"


def short_time(at: datetime) -> str:
    return at.strftime("%d %b %H:%M UTC")


def short_date(at: datetime) -> str:
    return at.strftime("%d %b")


def account_label(kind: str, masked: str) -> str:
    return f"{kind.capitalize()} {masked}"
