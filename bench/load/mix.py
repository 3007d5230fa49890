"""The conversation mix: what each simulated customer says, what each reply must be, and how
often each conversation comes.

A step is (what the customer types, the reply it must get, the message type its latency is
counted under). ``CODE`` stands for the step-up code read back from the outbox, ``WRONG`` for a
code that is not it (the real one with its last digit changed): a wrong code must be told
apart, and the right one must still pass after it. ``AMOUNT`` stands for an amount the customer
has not moved before in the run: Teller starts a step-up for one and the same request (action,
amount, payee) at most 6 times an hour, so the same 1.00 to the same payee again and again is
refused from the 7th time ("You've started many security checks"). Every conversation starts
and ends at the main menu, so a customer can go from one to the next. Money moves only on
``code`` steps; the ``yes`` that starts a step-up sends an SMS. Everything else is a non-money
message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bench import traffic

CODE = "<code>"
WRONG = "<wrong code>"
AMOUNT = "<amount>"  # a money amount of its own for each step-up of the customer in the run
MONEY_TYPES = frozenset({"yes", "code"})  # the step-up start and the message that moves money


@dataclass(frozen=True)
class Step:
    text: str
    expected: str
    kind: str


@dataclass(frozen=True)
class Script:
    name: str
    steps: tuple[Step, ...]
    weight: int
    stepups: int = 0  # step-ups it starts (the per-number limit an hour)
    documents: int = 0  # PDFs it asks for (statements: 5 an hour per number)

    @property
    def moves_money(self) -> bool:
        return any(step.expected == "done" for step in self.steps)


_TRANSFER = (
    Step("transfer", "choose_payee", "transfer"),
    Step("5", "ask_amount", "choose"),
    Step(AMOUNT, "summary", "amount"),
    Step("yes", "code_sent", "yes"),
)
_BILL = (
    Step("pay bill", "choose_biller", "bill"),
    Step("1", "bill_reference", "choose"),
    Step("12345678901", "bill_amount", "reference"),
    Step(AMOUNT, "summary", "amount"),
    Step("yes", "code_sent", "yes"),
)
SCRIPTS: tuple[Script, ...] = (
    Script("balance", (Step("menu", "menu", "menu"), Step("balance", "balance", "balance")), 8),
    Script(
        "mini statement",
        (
            Step("statement", "statement_choose", "statement"),
            Step("1", "mini|mini_empty", "choose"),
        ),
        2,
    ),
    Script("transfer", (*_TRANSFER, Step(CODE, "done", "code")), 3, stepups=1),
    Script(
        "transfer, a wrong code first",
        (*_TRANSFER, Step(WRONG, "wrong_code", "wrong code"), Step(CODE, "done", "code")),
        1,
        stepups=1,
    ),
    Script("bill", (*_BILL, Step(CODE, "done", "code")), 2, stepups=1),
    Script(
        "statement PDF",
        (
            Step("statement pdf", "pdf_account", "statement pdf"),
            Step("1", "pdf_period", "choose"),
            Step("1", "pdf_on_its_way", "choose"),
        ),
        1,
        documents=1,
    ),
)
FALLBACK = SCRIPTS[0]  # for a customer who has used up a limit this hour

# Reply label → catalog key, tried in this order (the first whose text the reply holds wins).
REPLY_KEYS: Mapping[str, str] = {
    "menu_fallback": "fallback.main_menu",  # before ``menu``: its text ends the same way
    "balance": "balance",
    "statement_choose": "statement.choose",
    "mini": "statement.mini",
    "mini_empty": "statement.empty",
    "choose_payee": "transfer.choose_payee",
    "ask_amount": "transfer.ask_amount_left",
    "summary": "transfer.summary",
    "choose_biller": "bill.choose_biller",
    "bill_reference": "bill.ask_reference",
    "bill_amount": "bill.ask_amount",
    "code_sent": "stepup.sent_sms",
    "wrong_code": "stepup.wrong",
    "done": "transfer.done",
    "pdf_account": "statement_pdf.account",
    "pdf_period": "statement_pdf.period",
    "pdf_on_its_way": "statement_pdf.on_its_way",
    **traffic.REPLY_KEYS,
    "cancelled": "cancel.done",
    "nothing_to_cancel": "cancel.nothing",
    "stepup_wait": "stepup.wait",
    "stepup_limit": "stepup.send_limit",
    "stepup_throttled": "stepup.too_many",
    "expired_code": "stepup.expired",
    "pdf_limit": "statement_pdf.rate_limited",
    "login_link": "auth.login_link",
    "register_link": "auth.register_link",
}


def mean_messages(scripts: Sequence[Script] = SCRIPTS) -> float:
    """Messages per conversation, weighted by how often each comes."""
    total = sum(s.weight for s in scripts)
    return sum(s.weight * len(s.steps) for s in scripts) / total


def schedule(count: int, scripts: Sequence[Script] = SCRIPTS) -> list[Script]:
    """``count`` conversations in a fixed interleaved order that keeps the weights (no
    randomness: two runs at one rate send the same mix)."""
    total = sum(s.weight for s in scripts)
    credit = {s.name: 0.0 for s in scripts}
    chosen: list[Script] = []
    for _ in range(count):
        for s in scripts:
            credit[s.name] += s.weight / total
        best = max(scripts, key=lambda s: credit[s.name])
        credit[best.name] -= 1
        chosen.append(best)
    return chosen
