"""The PDF statement flow and ``retry``, pure: the flow decides the period and returns the
SendStatement effect; it never stores an account number and never performs I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from auth.ports import Status
from bank.ports import Account, Customer
from flows import engine
from flows.conversation import Conversation
from flows.documents import parse_month
from flows.effects import ResendDocument, SendStatement
from flows.states import State
from flows.types import Context, Inbound, Outcome
from tests.fakes import FakeBank, FakeIdentity

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
IDLE = timedelta(minutes=15)
AMINA = Customer("C001", "Amina Yusuf", "+2348030000001", "amina@example.com", 2)
SAVINGS = Account("0123456789", "C001", "savings", "USD", Decimal("2500.00"))
CURRENT = Account("0123450000", "C001", "current", "USD", Decimal("10.50"))


def ctx(*accounts: Account, status: Status = Status.VALID) -> Context:
    bank = FakeBank({"C001": list(accounts or (SAVINGS,))})
    return Context(
        AMINA,
        "Demo Bank",
        NOW,
        bank=bank,
        identity=FakeIdentity(status=status),
        currency="USD",
        zone=UTC,
    )


def run(text: str, context: Context, conv: Conversation | None = None) -> Outcome:
    return engine.handle(conv or Conversation(updated_at=NOW), Inbound(text), context, IDLE)


def keys(outcome: Outcome) -> list[str]:
    return [r.key for r in outcome.replies]


def after(outcome: Outcome) -> Conversation:
    return Conversation(outcome.state, outcome.data, NOW)


def test_one_account_goes_straight_to_the_period_and_30_days_sends() -> None:
    context = ctx()
    ask = run("statement pdf", context)
    assert (ask.state, keys(ask)) == (State.STATEMENT_PDF_PERIOD, ["statement_pdf.period"])
    done = run("1", context, after(ask))
    assert done.state is State.MAIN_MENU
    assert keys(done) == ["statement_pdf.on_its_way", "menu.hint"]
    assert done.effects == (SendStatement(SAVINGS.number, TODAY - timedelta(days=29), TODAY),)
    assert done.replies[0].params == {
        "account": "Savings ••6789",
        "period": "04 Oct 2026 to 02 Nov 2026",
    }


def test_two_accounts_then_a_month_by_name() -> None:
    context = ctx(SAVINGS, CURRENT)
    ask = run("3", context)  # Statement (PDF) is number 3 in the menu
    assert ask.state is State.STATEMENT_PDF_ACCOUNT and ask.data == {"pdf_accounts": 2}
    assert "0123450000" not in str(ask) and "••0000" in ask.replies[0].params["choices"]
    wrong = run("9", context, after(ask))
    assert keys(wrong) == ["fallback.statement_pdf_account"]
    period = run("2", context, after(ask))
    assert period.data == {"pdf_account": 2}
    month = run("3", context, after(period))
    assert (month.state, keys(month)) == (State.STATEMENT_PDF_MONTH, ["statement_pdf.month"])
    assert keys(run("Smarch 2026", context, after(month))) == ["fallback.statement_pdf_month"]
    done = run("October 2026", context, after(month))
    assert done.effects == (SendStatement(CURRENT.number, date(2026, 10, 1), date(2026, 10, 31)),)
    for outcome in (ask, period, month, done):
        assert "0123450000" not in repr(outcome.data)


def test_last_3_months_and_a_month_typed_at_the_period_question() -> None:
    context = ctx()
    period = after(run("pdf statement", context))
    three = run("2", context, period)
    assert three.effects == (SendStatement(SAVINGS.number, date(2026, 8, 3), TODAY),)
    typed = run("09/2026", context, period)
    assert typed.effects == (SendStatement(SAVINGS.number, date(2026, 9, 1), date(2026, 9, 30)),)
    assert keys(run("yesterday", context, period)) == ["fallback.statement_pdf_period"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("october", (date(2026, 10, 1), date(2026, 10, 31))),
        ("oct 2026", (date(2026, 10, 1), date(2026, 10, 31))),
        ("2026-10", (date(2026, 10, 1), date(2026, 10, 31))),
        ("november", (date(2026, 11, 1), TODAY)),  # this month: up to today
        ("december", (date(2025, 12, 1), date(2025, 12, 31))),  # the last December
        ("12/2025", (date(2025, 12, 1), date(2025, 12, 31))),
        ("feb 2026", (date(2026, 2, 1), date(2026, 2, 28))),
        ("10/2025", None),  # 13 months back
        ("12/2026", None),  # the future
        ("13/2026", None),
        ("2026", None),
    ],
)
def test_months_of_the_last_twelve(text: str, expected: tuple[date, date] | None) -> None:
    assert parse_month(text, TODAY) == expected


def test_an_expired_session_asks_to_log_in_and_resumes_at_the_period() -> None:
    period = after(run("statement pdf", ctx()))
    waiting = run("1", ctx(status=Status.EXPIRED), period)
    assert waiting.state is State.AWAIT_AUTH and waiting.effects == ()
    assert keys(waiting) == ["auth.expired_link"]
    resumed = engine.resume(after(waiting), ctx())
    assert keys(resumed) == ["auth.resumed", "statement_pdf.period"]
    assert resumed.state is State.STATEMENT_PDF_PERIOD and resumed.data == {"pdf_account": 1}
    assert run("1", ctx(), after(resumed)).effects


def test_statement_pdf_is_secured_and_resumes_as_an_intent() -> None:
    waiting = run("statement pdf", ctx(status=Status.MISSING))
    assert waiting.state is State.AWAIT_AUTH
    assert waiting.data["resume"] == {"intent": "statement_pdf"}
    resumed = engine.resume(after(waiting), ctx())
    assert keys(resumed) == ["auth.resumed", "statement_pdf.period"]


def test_retry_asks_the_edge_to_resend_behind_the_token_check() -> None:
    assert run("retry", ctx()).effects == (ResendDocument(),)
    refused = run("retry", ctx(status=Status.MISSING))
    assert refused.effects == () and refused.state is State.AWAIT_AUTH


def test_cancel_leaves_the_flow_without_an_effect() -> None:
    period = after(run("statement pdf", ctx()))
    cancelled = run("cancel", ctx(), period)
    assert cancelled.state is State.MAIN_MENU and cancelled.effects == ()
