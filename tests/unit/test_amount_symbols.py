"""Amounts typed with the bank's currency symbol: ``KSh 150`` at a Kenyan bank, ``€20`` at a
euro bank, ``$5`` wherever the dollar is the bank's; another currency's symbol or code is refused
(``other_currency``), never converted or guessed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.amounts import CURRENCY_SYMBOLS, MAX_AMOUNT, AmountProblem, parse_amount


@pytest.mark.parametrize(
    ("text", "currency", "value"),
    [
        ("KSh 150", "KES", "150.00"),
        ("KSh150", "KES", "150.00"),
        ("ksh 1,500.50", "KES", "1500.50"),
        ("KSH 150", "KES", "150.00"),
        ("Ksh.150", "KES", "150.00"),
        ("150 KSh", "KES", "150.00"),
        ("150KSh", "KES", "150.00"),
        ("KES 150", "KES", "150.00"),
        ("150 kes", "KES", "150.00"),
        ("$150", "USD", "150.00"),
        ("US$ 150", "USD", "150.00"),
        ("150$", "USD", "150.00"),
        ("$150", "CAD", "150.00"),  # the dollar sign is the bank's dollar
        ("C$150", "CAD", "150.00"),
        ("€20", "EUR", "20.00"),
        ("20 €", "EUR", "20.00"),
        ("20€", "EUR", "20.00"),
        ("£5", "GBP", "5.00"),
        ("₦500", "NGN", "500.00"),
        ("₦ 1,000", "NGN", "1000.00"),
        ("GH₵ 30", "GHS", "30.00"),
        ("₵30", "GHS", "30.00"),
        ("USh 5000", "UGX", "5000.00"),
        ("TSh 5000", "TZS", "5000.00"),
        ("R150", "ZAR", "150.00"),
        ("R 150", "ZAR", "150.00"),
        ("RWF 100", "RWF", "100.00"),  # a code, not the rand's R followed by "WF"
        ("100 ZAR", "ZAR", "100.00"),
        ("BRL 5", "BRL", "5.00"),  # codes that start with a letter symbol (Br, R) stay codes
        ("RUB 5", "RUB", "5.00"),
        ("KRW 5", "KRW", "5.00"),
        ("MKD 5", "MKD", "5.00"),  # a code with no symbol in the table
        ("RMB 5", "CNY", "5.00"),
        ("100 EUR", "EUR", "100.00"),  # the R of EUR is not a rand
        ("₹ 250", "INR", "250.00"),
        ("Rs.250", "INR", "250.00"),
        ("250 kr", "SEK", "250.00"),
        ("-$5", "USD", None),
        ("KSh", "KES", None),
        ("KSh abc", "KES", None),
    ],
)
def test_the_banks_symbol_or_code_is_read(text: str, currency: str, value: str | None) -> None:
    parsed = parse_amount(text, currency)
    assert parsed.value == (Decimal(value) if value else None), parsed


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("USD 150", "KES"),
        ("150 usd", "KES"),
        ("$150", "KES"),
        ("US$150", "KES"),
        ("€20", "KES"),
        ("£5", "KES"),
        ("₦500", "KES"),
        ("KSh 150", "USD"),
        ("KES 150", "USD"),
        ("150 KSh", "USD"),
        ("C$150", "USD"),  # a dollar, but not the bank's
        ("US$150", "CAD"),
        ("R150", "USD"),
        ("RWF 100", "ZAR"),
        ("€20", "GBP"),
        ("¥100", "USD"),
    ],
)
def test_another_currencys_symbol_or_code_is_refused(text: str, currency: str) -> None:
    parsed = parse_amount(text, currency)
    assert parsed.value is None and parsed.problem is AmountProblem.OTHER_CURRENCY, parsed


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("KSh -5", AmountProblem.NEGATIVE),
        ("-KSh 5", AmountProblem.NEGATIVE),
        ("(KSh 5)", AmountProblem.NEGATIVE),
        ("KSh 0", AmountProblem.ZERO),
        ("KSh 1.005", AmountProblem.TOO_MANY_DECIMALS),
        ("KSh 15,00", AmountProblem.NOT_A_NUMBER),
        ("KSh 1000000000000", AmountProblem.TOO_LARGE),
        ("kes150", AmountProblem.NOT_A_NUMBER),  # a code needs its space; a symbol does not
    ],
)
def test_a_symbol_keeps_every_other_rule(text: str, problem: AmountProblem) -> None:
    parsed = parse_amount(text, "KES")
    assert parsed.value is None and parsed.problem is problem, parsed


def test_the_bank_currency_may_come_in_any_case() -> None:
    assert parse_amount("KSh 150", "kes").value == Decimal("150.00")


def test_every_code_in_the_table_is_iso_shaped() -> None:
    assert all(len(code) == 3 and code.isupper() for code in CURRENCY_SYMBOLS)
    assert all(symbols for symbols in CURRENCY_SYMBOLS.values())


_PAIRS = [(code, symbol) for code, symbols in CURRENCY_SYMBOLS.items() for symbol in symbols]


@given(
    st.decimals(min_value=Decimal("0.01"), max_value=MAX_AMOUNT, places=2),
    st.sampled_from(_PAIRS),
    st.sampled_from(sorted(CURRENCY_SYMBOLS)),
)
def test_each_symbol_reads_for_its_bank_and_is_refused_elsewhere(
    amount: Decimal, pair: tuple[str, str], other: str
) -> None:
    code, symbol = pair
    forms = (
        f"{symbol}{amount:,.2f}",
        f"{symbol} {amount}",
        f"{amount:,} {symbol}",
        f"{symbol.upper()} {amount}",
    )
    for text in forms:
        assert parse_amount(text, code).value == amount, text
        expected = (
            amount
            if any(symbol.casefold() == s.casefold() for s in CURRENCY_SYMBOLS[other])
            else None
        )
        parsed = parse_amount(text, other)
        assert parsed.value == expected, (text, other)
        if expected is None:
            assert parsed.problem is AmountProblem.OTHER_CURRENCY, (text, other)
