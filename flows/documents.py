"""PDF statements in the chat, and asking again for a document that could not be delivered.

``statement pdf`` (secured) → which account (if several) → which period: the last 30 days, the
last 3 months, or a calendar month of the last 12 → "on its way". The flow only decides; the
``SendStatement`` effect makes the edge enqueue the job that renders, protects and sends it. The
conversation keeps an account's position in the list, never its number. Periods are UTC days.

A month can be typed by name in English, always, and in the customer's language: Babel's wide
and abbreviated names for it (``février``, ``févr.``, ``أكتوبر``), compared with case, accents
and Arabic diacritics folded, so ``fevrier`` and ``اكتوبر`` are found too.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import get_month_names

from bank.ports import Account
from flows.conversation import Conversation
from flows.effects import ResendDocument, SendStatement
from flows.format import account_label
from flows.moving import numbered
from flows.states import State
from flows.types import Context, Outcome, Reply
from messaging import local_format
from messaging.languages import SOURCE, fold
from messaging.languages import text as translated  # "text" is what the customer typed, here
from messaging.masking import mask_account

MONTHS_BACK = 12
PERIOD_KEY, PERIOD = "statement_pdf.period_value", "{first} to {last}"  # "on its way"'s period
_MONTHS = {
    name.lower(): n
    for n in range(1, 13)
    for name in (calendar.month_name[n], calendar.month_abbr[n], calendar.month_name[n][:4])
}
_NAMED = re.compile(r"([^\W\d_]+)\.?(?:\s+(\d{4}))?")  # letters of any script, then a year
_NUMBERED = re.compile(r"(\d{1,2})\s*[/\-. ]\s*(\d{4})|(\d{4})\s*[/\-. ]\s*(\d{1,2})")
_PERIODS = {
    "1": "days30",
    "30 days": "days30",
    "last 30 days": "days30",
    "2": "months3",
    "3 months": "months3",
    "last 3 months": "months3",
    "3": "month",
    "month": "month",
    "a month": "month",
    "a calendar month": "month",
}


def _accounts(ctx: Context) -> list[Account]:
    assert ctx.customer is not None
    return ctx.bank.accounts(ctx.customer.customer_id)


def _labels(accounts: list[Account]) -> list[str]:
    return [account_label(a.type, mask_account(a.number)) for a in accounts]


def start(ctx: Context, account: Account | None = None, period: str = "") -> Outcome:
    """The ``statement pdf`` intent; a one-line request may already name the account and the
    period (``statement pdf savings october``): then it goes straight on."""
    accounts = _accounts(ctx)
    if not accounts:
        return Outcome(State.MAIN_MENU, (Reply("accounts.none"), Reply("menu.hint")))
    if account is None and len(accounts) == 1:
        account = accounts[0]
    if account is None:
        return choose_account(ctx, {"typed_period": period} if period else {})
    data = {"pdf_account": [a.number for a in accounts].index(account.number) + 1}
    return _period_given(ctx, data, period) if period else ask_period(ctx, data)


def choose_account(ctx: Context, data: Mapping[str, Any]) -> Outcome:
    accounts = _accounts(ctx)
    reply = numbered("statement_pdf.account", _labels(accounts))
    kept = {"pdf_accounts": len(accounts)}
    if data.get("typed_period"):  # named in the request: asked for once the account is known
        kept["typed_period"] = data["typed_period"]
    return Outcome(State.STATEMENT_PDF_ACCOUNT, (reply,), kept)


def ask_period(ctx: Context, data: Mapping[str, Any]) -> Outcome:
    return Outcome(State.STATEMENT_PDF_PERIOD, (Reply("statement_pdf.period"),), dict(data))


def ask_month(ctx: Context, data: Mapping[str, Any]) -> Outcome:
    return Outcome(State.STATEMENT_PDF_MONTH, (Reply("statement_pdf.month"),), dict(data))


def handle_account(conv: Conversation, text: str, ctx: Context) -> Outcome:
    """STATEMENT_PDF_ACCOUNT: a number from the list."""
    accounts = _accounts(ctx)
    if text.isdecimal() and 1 <= int(text) <= len(accounts):
        period = str(conv.data.get("typed_period", ""))
        data = {"pdf_account": int(text)}
        return _period_given(ctx, data, period) if period else ask_period(ctx, data)
    reply = numbered("fallback.statement_pdf_account", _labels(accounts))
    return Outcome(State.STATEMENT_PDF_ACCOUNT, (reply,), conv.data)


def handle_period(conv: Conversation, text: str, ctx: Context) -> Outcome:
    """STATEMENT_PDF_PERIOD: 1 last 30 days, 2 last 3 months, 3 a month (or a month typed)."""
    return _period_given(ctx, conv.data, text)


def _today(ctx: Context) -> date:
    """Today on the bank's clock: statement periods are the bank's days."""
    return ctx.now.astimezone(ctx.zone).date()


def _period_given(ctx: Context, data: Mapping[str, Any], text: str) -> Outcome:
    today = _today(ctx)
    choice = _PERIODS.get(text)
    if text == "last month":  # the calendar month before this one
        first_of_this = today.replace(day=1)
        last = first_of_this - timedelta(days=1)
        return _send(data, ctx, last.replace(day=1), last)
    if choice == "days30":
        return _send(data, ctx, today - timedelta(days=29), today)
    if choice == "months3":
        return _send(data, ctx, _months_before(today, 3) + timedelta(days=1), today)
    if choice == "month":
        return ask_month(ctx, data)
    month = parse_month(text, today, ctx.language)
    if month is not None:
        return _send(data, ctx, *month)
    reply = Reply("fallback.statement_pdf_period")
    return Outcome(State.STATEMENT_PDF_PERIOD, (reply,), dict(data))


def handle_month(conv: Conversation, text: str, ctx: Context) -> Outcome:
    """STATEMENT_PDF_MONTH: a month of the last 12, by name or number."""
    month = parse_month(text, _today(ctx), ctx.language)
    if month is None:
        return Outcome(
            State.STATEMENT_PDF_MONTH, (Reply("fallback.statement_pdf_month"),), conv.data
        )
    return _send(conv.data, ctx, *month)


def _send(data: Mapping[str, Any], ctx: Context, first: date, last: date) -> Outcome:
    accounts = _accounts(ctx)
    position = data.get("pdf_account")
    if not isinstance(position, int) or not 1 <= position <= len(accounts):
        return choose_account(ctx, {})  # the accounts changed meanwhile: ask again
    account = accounts[position - 1]
    params = {
        "account": account_label(account.type, mask_account(account.number)),
        "period": translated(PERIOD_KEY, PERIOD).format(first=_day(first), last=_day(last)),
    }
    return Outcome(
        State.MAIN_MENU,
        (Reply("statement_pdf.on_its_way", params), Reply("menu.hint")),
        effects=(SendStatement(account.number, first, last),),
    )


def _day(day: date) -> str:
    """``04 Oct 2026``, in the language being written."""
    return local_format.when(datetime.combine(day, time(0)), "%d %b %Y")


def resend(ctx: Context) -> Outcome:
    """``retry`` (secured): the edge re-sends the last document that could not be delivered,
    or says there is none."""
    return Outcome(State.MAIN_MENU, (Reply("document.resending"),), effects=(ResendDocument(),))


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _bare(word: str) -> str:
    """A month name as compared: folded (``messaging.languages.fold``), without accents or
    Arabic diacritics (``Févr.`` → ``fevr``, ``أكتوبر`` → ``اكتوبر``)."""
    decomposed = unicodedata.normalize("NFKD", fold(word))
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", kept).strip(".")


@functools.cache
def month_names(language: str) -> Mapping[str, int]:
    """Month by name in English and in ``language`` (Babel's wide and abbreviated names, in
    both the format and the stand-alone forms)."""
    found = {_bare(name): month for name, month in _MONTHS.items()}
    if language == SOURCE:
        return found
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return found
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            names = get_month_names(width, context, locale)
            for month in range(1, 13):
                found.setdefault(_bare(str(names[month])), month)
    return found


def is_month_name(word: str, language: str = SOURCE) -> bool:
    """Whether ``word`` names a month as ``parse_month`` reads it (English, or ``language``)."""
    return _bare(word) in month_names(language)


def parse_month(text: str, today: date, language: str = SOURCE) -> tuple[date, date] | None:
    """(first, last) day of a month of the last 12 named in ``text`` (``october``, ``Oct
    2026``, ``10/2026``, ``2026-10``; a name in ``language`` too: ``octobre``); the current
    month ends today. None if it isn't one."""
    named, numbered = _NAMED.fullmatch(_bare(text)), _NUMBERED.fullmatch(text)
    names = month_names(language)
    if named and named.group(1) in names:
        month = names[named.group(1)]
        year = int(named.group(2)) if named.group(2) else today.year
        if not named.group(2) and month > today.month:
            year -= 1  # "october" in March means the last October
    elif numbered:
        month = int(numbered.group(1) or numbered.group(4))
        year = int(numbered.group(2) or numbered.group(3))
    else:
        return None
    if not 1 <= month <= 12:
        return None
    first = date(year, month, 1)
    oldest = _months_before(today.replace(day=1), MONTHS_BACK - 1)
    if not oldest <= first <= today:
        return None
    last = date(year, month, calendar.monthrange(year, month)[1])
    return first, min(last, today)
