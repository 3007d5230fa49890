"""One-line requests in the customer's words: ``send 150 to fatuma from savings``, ``pay kplc
12345678901 50``, ``bal``, ``statement pdf october``, ``lock card 4242``.

``parse`` reads the text (already through ``flows.router.normalize``) before anything is looked
up, and says what is asked and which slots the customer named, as typed: the flow matches names
(``flows.matching``), reads the amount (``flows.amounts``) and asks for whatever is missing.
It returns None when the text doesn't start with a request (``150``, ``1``, ``cards``, ``yes``):
the caller goes on with the numbered menu or the current question.

Nothing typed is dropped silently. Filler (``please``, ``my``, ``to``, ``from``…) is glue;
every other word lands in a slot or, when it fits none, in ``leftover`` (the pieces of the text,
as typed, in order) so the caller can say what it did not understand instead of guessing. When
the text could be read two ways (two amounts, two references) ``parse`` returns None.

A plain menu word that names an intent (``balance``, ``statement``, ``transfer``, ``pay bill``,
``lock card``) gives that Request with no slots, the same start as its menu number; ``cards``,
``profile`` and numbers give None (the menu handles them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from flows import phrase_money
from flows import phrase_words as w
from flows.phrase_words import Token


class Intent(StrEnum):
    BALANCE = "balance"
    MINI_STATEMENT = "mini_statement"
    STATEMENT_PDF = "statement_pdf"
    TRANSFER = "transfer"
    PAY = "pay"  # "pay X": a payee or a biller, decided by matching X against both
    BILL = "bill"
    CARD_LOCK = "card_lock"
    CARD_UNLOCK = "card_unlock"


@dataclass(frozen=True)
class Request:
    """What one line asks, with the slots it names as the customer typed them (None: not said).

    Slots by intent: BALANCE/MINI_STATEMENT ``source``; STATEMENT_PDF ``source``, ``period``;
    TRANSFER ``amount_text``, ``to``, ``source``; PAY and BILL ``amount_text``, ``to`` (PAY) or
    ``biller`` (BILL), ``reference``, ``source``; CARD_LOCK/CARD_UNLOCK ``card``.
    ``leftover``: the pieces of the text that fit no slot, as typed and in order (``("for
    lunch",)``); empty when every word was understood. The flow says them back ("I didn't
    understand 'for lunch'") rather than act as if they weren't typed.
    """

    intent: Intent
    amount_text: str | None = None
    to: str | None = None
    source: str | None = None
    biller: str | None = None
    reference: str | None = None
    period: str | None = None
    card: str | None = None
    leftover: tuple[str, ...] = field(default=())

    @property
    def understood(self) -> bool:
        """Every word fitted a slot or was glue; else ``leftover`` says what didn't."""
        return not self.leftover

    def as_bill(self) -> Request:
        """A PAY whose ``to`` turned out to be a biller."""
        return replace(self, intent=Intent.BILL, biller=self.to, to=None)

    def as_transfer(self) -> Request:
        """A PAY whose ``to`` turned out to be a payee. A transfer has no reference, so one the
        customer typed becomes leftover (said back, not dropped)."""
        extra = (self.reference,) if self.reference else ()
        return replace(self, intent=Intent.TRANSFER, reference=None, leftover=self.leftover + extra)


def _phrases(*lines: str) -> tuple[tuple[str, ...], ...]:
    """``"bal, my balance"`` → ``(("bal",), ("my", "balance"))``: tables stay readable."""
    return tuple(tuple(t.split()) for line in lines for t in line.split(",") if t.strip())


# The words a request starts with. The longest that fits wins ("pay bill" over "pay").
_HEADS: dict[tuple[str, ...], Intent] = {
    **dict.fromkeys(
        _phrases(
            "bal, balance, balances, my balance, my balances, account balance, my account balance,"
            "check balance, check my balance, show my balance, what's my balance,"
            "whats my balance, what is my balance, how much do i have, how much money do i have,"
            "available balance"
        ),
        Intent.BALANCE,
    ),
    **dict.fromkeys(
        _phrases(
            "statement, my statement, mini statement, mini-statement, ministatement, mini,"
            "transactions, my transactions, recent transactions, history, last transactions,"
            "transaction history"
        ),
        Intent.MINI_STATEMENT,
    ),
    **dict.fromkeys(
        _phrases(
            "statement pdf, pdf statement, pdf, e-statement, estatement, statement (pdf),"
            "statement (pdf, my statement pdf, my pdf statement, statement in pdf,"
            "statement as pdf, pdf of my statement"
        ),
        Intent.STATEMENT_PDF,
    ),
    **dict.fromkeys(
        _phrases("send, transfer, send money, transfer money, move money, send cash, pay someone"),
        Intent.TRANSFER,
    ),
    ("pay",): Intent.PAY,
    **dict.fromkeys(
        _phrases(
            "pay bill, pay a bill, pay bills, pay my bill, pay the bill, bill, bills,"
            "bill payment, pay my bills"
        ),
        Intent.BILL,
    ),
    **dict.fromkeys(
        _phrases(
            "lock, lock card, lock my card, lock the card, block, block card, block my card,"
            "block the card, freeze, freeze card, freeze my card, lost card, lost my card,"
            "i lost my card, i've lost my card, my card is lost, card lost, stolen card,"
            "card stolen, my card was stolen, my card is stolen"
        ),
        Intent.CARD_LOCK,
    ),
    **dict.fromkeys(
        _phrases(
            "unlock, unlock card, unlock my card, unlock the card, unblock, unblock card,"
            "unblock my card, unfreeze, unfreeze card, unfreeze my card"
        ),
        Intent.CARD_UNLOCK,
    ),
}
_LONGEST_HEAD = max(len(h) for h in _HEADS)
_LEAD_INS = _phrases(
    "please, pls, plz, kindly, i want to, i wanna, i would like to, i'd like to,"
    "id like to, i need to, can i, can you, could you, please can you, can you please"
)
_COURTESY = frozenset({"please", "pls", "plz", "thanks", "thx"})
# Glue between slots: read, never a slot nor leftover (the tests use it too).
GLUE = frozenset({"my", "the", "a", "for", "of", "in", "on", "from", "account", "acct"})
GLUE |= _COURTESY | {"all", "accounts"}  # "balance of all my accounts"
_CARD_GLUE = frozenset({"my", "the", "card", "debit", "credit", "ending", "in", "no", "number"})


def _strip_courtesy(toks: list[Token]) -> list[Token]:
    """``please``, ``i want to`` and ``thanks`` around a request change nothing."""
    changed = True
    while changed:
        changed = False
        for lead in _LEAD_INS:
            if len(toks) > len(lead) and tuple(t.key for t in toks[: len(lead)]) == lead:
                toks, changed = toks[len(lead) :], True
        if len(toks) > 1 and toks[-1].key in _COURTESY:
            toks, changed = toks[:-1], True
        if len(toks) > 2 and (toks[-2].key, toks[-1].key) == ("thank", "you"):
            toks, changed = toks[:-2], True
    return toks


def _head(toks: Sequence[Token]) -> tuple[Intent, int] | None:
    for n in range(min(_LONGEST_HEAD, len(toks)), 0, -1):
        intent = _HEADS.get(tuple(t.key for t in toks[:n]))
        if intent is not None:
            return intent, n
    return None


def parse(text: str, currencies: frozenset[str] = w.CURRENCIES) -> Request | None:
    """The request the text makes, or None when it makes none (or could be read two ways).

    ``currencies`` are the 3-letter codes read as part of an amount (lower case); pass the
    bank's own to widen the default list.
    """
    toks = _strip_courtesy(w.tokens(text))
    head = _head(toks)
    if head is None:
        return None
    intent, n = head
    reader = w.Reader(text, toks)
    if intent in {Intent.TRANSFER, Intent.PAY, Intent.BILL}:
        return _money(reader, intent, n, currencies)
    if intent in {Intent.CARD_LOCK, Intent.CARD_UNLOCK}:
        return _card(reader, intent, n)
    return _statement(reader, intent, n, mini=any(t.key.startswith("mini") for t in toks[:n]))


def _money(reader: w.Reader, intent: Intent, i: int, codes: frozenset[str]) -> Request | None:
    money = phrase_money.read(reader, i, intent is not Intent.TRANSFER, codes)
    if money is None:
        return None
    if intent is Intent.PAY and money.bill:
        intent = Intent.BILL
    if intent is Intent.PAY and money == phrase_money.Money() and not reader.leftover:
        return None  # "pay" alone: a payee or a bill? The menu asks better than we can.
    bill = intent is Intent.BILL
    return Request(
        intent,
        amount_text=money.amount,
        to=None if bill else money.name,
        biller=money.name if bill else None,
        source=money.source,
        reference=money.reference,
        leftover=reader.pieces(),
    )


def _card(reader: w.Reader, intent: Intent, i: int) -> Request | None:
    card: str | None = None
    toks = reader.toks
    for j in range(i, len(toks)):
        digits = w.last4(toks[j].key)
        if digits and card is None:
            start = toks[j].start
            card = reader.text[start + digits[0] : start + digits[1]]
        elif toks[j].key not in _CARD_GLUE:
            reader.left(j)
    return Request(intent, card=card, leftover=reader.pieces())


def _statement(reader: w.Reader, intent: Intent, i: int, mini: bool) -> Request:
    """Balance and statements: an account and (statements) a period, in any order. Only the PDF
    covers a period, so ``statement for october`` asks for it; ``mini statement october`` says
    the month back as leftover (a mini statement is the last few movements, whatever the month).
    """
    source = period = None
    toks = reader.toks
    periods = intent is Intent.STATEMENT_PDF or (intent is Intent.MINI_STATEMENT and not mini)
    while i < len(toks):
        key = toks[i].key
        account, when = w.account_at(toks, i), w.period_at(toks, i)
        if account and source is None:
            source, i = reader.span(i, i + w.account_words(toks, i, account)), i + account
        elif when and period is None and periods:
            period, i = reader.span(i, i + when), i + when
        else:
            if key == "pdf" and intent is Intent.MINI_STATEMENT and not mini:
                intent = Intent.STATEMENT_PDF
            elif key not in GLUE:
                reader.left(i)
            i += 1
    if period is not None:
        intent = Intent.STATEMENT_PDF
    return Request(intent, source=source, period=period, leftover=reader.pieces())
