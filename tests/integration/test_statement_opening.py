"""Statements of seeded accounts start from the right opening balance: the demo bank dates a
seed's opening balance before any statement period, so it is never counted as money in, and an
account without history shows its balance from the first day of any period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app import Services
from receipts.protect import protect
from receipts.statement import render_statement
from tests.documents import pdf_text
from workers.sources import statement_for

AMINA_CURRENT = "0123456790"  # 740.25, no seeded history
AMINA_SAVINGS = "0123456789"  # 2,500.00 after a salary in September and three debits in October


def _statement(services: Services, number: str, first: date, last: date) -> str:
    customer = services.bank.customer("C001")
    assert customer is not None
    account = next(a for a in services.bank.accounts("C001") if a.number == number)
    statement = statement_for(
        services.bank, customer, account, first, last,
        now=services.clock(), reference="ST-TEST", bank_name="Demo Bank",
    )  # fmt: skip
    assert statement.closing == account.balance
    return " ".join(pdf_text(_unprotected(render_statement(statement)), "").split())


def _unprotected(pdf: bytes) -> bytes:
    return protect(pdf, "", title="t", author="a")


def test_an_account_without_history_opens_and_closes_at_its_balance(services: Services) -> None:
    text = _statement(services, AMINA_CURRENT, date(2026, 10, 1), date(2026, 10, 31))
    assert "Opening balance USD 740.25" in text
    assert "Money in USD 0.00" in text and "Closing balance USD 740.25" in text
    assert "Totals: money in 0.00 · money out 0.00" in text  # one line


def test_the_seeded_opening_balance_is_never_money_in(services: Services) -> None:
    text = _statement(services, AMINA_SAVINGS, date(2026, 9, 1), date(2026, 10, 31))
    assert "Opening balance USD 995.00" in text  # 2,500 - 1,800 + 45 + 100 + 150
    assert "Money in USD 1,800.00" in text  # the salary only
    assert "Money out USD 295.00" in text
    assert "Totals: money in 1,800.00 · money out -295.00" in text
    movements = text.split("Opening balance 995.00")[1]  # the table: opening, then the lines
    assert movements.split()[:4] == ["30", "Sep", "2026", "Salary"]


def test_the_opening_balance_is_older_than_any_statement_period(services: Services) -> None:
    movements = services.bank.mini_statement(AMINA_CURRENT, 5)
    assert [m.description for m in movements] == ["Opening balance"]
    assert (services.clock() - movements[0].created_at).days > 366
    assert movements[0].amount == Decimal("740.25")
