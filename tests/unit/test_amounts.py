"""Amounts as customers type them: the forms we accept, and a reason for everything else."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.amounts import MAX_AMOUNT, AmountProblem, parse_amount


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1500", "1500.00"),
        ("1,500.50", "1500.50"),
        ("USD 1500", "1500.00"),
        ("$1,500", "1500.00"),
        ("1500 usd", "1500.00"),
        ("usd1500", None),
        (" 12.5 ", "12.50"),
        ("0.01", "0.01"),
        ("1,234,567.89", "1234567.89"),
    ],
)
def test_accepted_forms(text: str, value: str | None) -> None:
    parsed = parse_amount(text, "USD")
    assert parsed.value == (Decimal(value) if value else None)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("0", AmountProblem.ZERO),
        ("0.00", AmountProblem.ZERO),
        ("-5", AmountProblem.NEGATIVE),
        ("USD -5", AmountProblem.NEGATIVE),
        ("(10)", AmountProblem.NEGATIVE),
        ("1.005", AmountProblem.TOO_MANY_DECIMALS),
        ("abc", AmountProblem.NOT_A_NUMBER),
        ("fifty", AmountProblem.NOT_A_NUMBER),
        ("15,00", AmountProblem.NOT_A_NUMBER),  # 15.00 in some countries: never guess
        ("1e3", AmountProblem.NOT_A_NUMBER),
        ("100.", AmountProblem.NOT_A_NUMBER),
        ("", AmountProblem.NOT_A_NUMBER),
        ("EUR 5", AmountProblem.OTHER_CURRENCY),
        ("£5", AmountProblem.OTHER_CURRENCY),
        ("1000000000000", AmountProblem.TOO_LARGE),
    ],
)
def test_refused_with_a_reason(text: str, problem: AmountProblem) -> None:
    parsed = parse_amount(text, "USD")
    assert parsed.value is None and parsed.problem is problem


@given(st.decimals(min_value=Decimal("0.01"), max_value=MAX_AMOUNT, places=2))
def test_every_amount_reads_back_in_each_form(amount: Decimal) -> None:
    for text in (f"{amount}", f"{amount:,.2f}", f"USD {amount:,}", f"${amount:,.2f}"):
        assert parse_amount(text, "USD").value == amount, text
