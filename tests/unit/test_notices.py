"""The notice catalog (``messaging.notices``): every notice renders from its fields, and the
words customers get by SMS and email are pinned here, as they were before the catalog."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from messaging.notices import NOTICES, SECURITY_NOTICES, fields, render_notice

AT = datetime(2026, 11, 2, 9, 5, tzinfo=UTC)
VALUES: dict[str, object] = {
    "bank": "Demo Bank",
    "when": AT,
    "expires": AT,
    "code": "482913",
    "sender": "Amina Yusuf",
    "currency": "USD",
    "amount": Decimal("1500.5"),
    "url": "https://bank.example/claim/t0k3n",
    "number": "+234•••••0001",
    "reference": "TX8F3K2",
    "account": "••6789",
    "reason": "too many wrong codes",
    "phone": "+234 201 234 5600",
    "level": 3,
    "what": "receipt",
    "per_transaction": "USD 10,000.00",
    "daily": "USD 25,000.00",
    "monthly": "USD 200,000.00",
}


@pytest.mark.parametrize("key", sorted(NOTICES))
def test_every_notice_renders_from_its_fields(key: str) -> None:
    assert fields(key) <= set(VALUES)
    text = render_notice(key, **{name: VALUES[name] for name in fields(key)})
    assert "{" not in text and text.strip() == text


def test_a_missing_field_or_an_unknown_key_is_a_bug() -> None:
    with pytest.raises(KeyError):
        render_notice("blocked", bank="Demo Bank")
    with pytest.raises(KeyError):
        render_notice("no-such-notice")


def test_security_notices_are_in_the_catalog() -> None:
    assert set(NOTICES) >= SECURITY_NOTICES


def test_the_words_are_the_same_as_before() -> None:
    assert render_notice(
        "blocked", bank="Demo Bank", when=AT, reason="too many wrong codes", phone="+234 1"
    ) == (
        "Demo Bank: after too many wrong codes, chat banking on this number (payments, changes "
        "and balances) is blocked until 02 Nov 09:05 UTC. If it was you, wait until then. If it "
        "wasn't, call us now on +234 1."
    )
    assert render_notice("limit_changed", bank="Demo Bank", when=AT) == (
        "Demo Bank: your own daily transfer limit was changed on 02 Nov 09:05 UTC. "
        "If this wasn't you, call us now on the number on your card."
    )
    assert render_notice("register_code", bank="Demo Bank", code="482913", expires=AT) == (
        "Demo Bank: 482913 is your code to register for chat banking. It expires at 09:05 UTC. "
        "Never share it: we will never ask for it."
    )
    assert render_notice("stepup_email_subject", bank="Demo Bank") == (
        "Demo Bank: your security code"
    )
    claim = {k: VALUES[k] for k in ("sender", "currency", "amount", "bank", "expires", "url")}
    assert render_notice("claim_link", **claim) == (
        "Amina Yusuf sent you USD 1,500.50 with Demo Bank. Claim it by 02 Nov 2026: "
        "https://bank.example/claim/t0k3n — if it isn't claimed, it goes back to them. "
        "We'll never ask for your PIN."
    )
    assert render_notice(
        "claim_refunded_sender",
        amount="USD 20.00",
        number="+234•••••0001",
        reference="TX8F3K2",
        account="••6789",
    ) == (
        "The USD 20.00 you sent to +234•••••0001 (Ref TX8F3K2) wasn't claimed within 7 days, "
        "so it's back in your account ••6789 in full."
    )
    assert render_notice("claim_refunded_recipient", bank="Demo Bank", amount="USD 20.00") == (
        "Demo Bank: the USD 20.00 sent to you wasn't claimed in time and has gone back to the "
        "sender."
    )
