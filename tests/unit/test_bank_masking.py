"""messaging.masking: the documented shapes, and never more than the last 4 digits on any input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from messaging.masking import mask_account, mask_card, mask_email, mask_name, mask_phone


@pytest.mark.parametrize(
    ("masked", "expected"),
    [
        (mask_account("0123456789"), "••6789"),
        (mask_account("6789"), "••••"),
        (mask_account("12"), "••••"),
        (mask_account(""), "••••"),
        (mask_account(" 0123-4567 89 "), "••6789"),
        (mask_card("5399831234564242"), "••4242"),
        (mask_card("5399 8312 3456 4242"), "••4242"),
        (mask_card("4242"), "••••"),
        (mask_phone("+2348030000001"), "+234•••••0001"),
        (mask_phone("whatsapp:+2348030000001"), "+234•••••0001"),
        (mask_phone("WhatsApp: +447700900123"), "+44•••••0123"),
        (mask_phone("+1 202 555 0143"), "+1•••••0143"),
        (mask_phone("08030000001"), "••0001"),  # no country code: unparsable, last 4 only
        (mask_phone("garbage"), "••bage"),
        (mask_phone("+234"), "••••"),
        (mask_phone("+23480"), "••3480"),
        (mask_phone(""), "••••"),
        (mask_phone("whatsapp:"), "••••"),
        (mask_email("amina@example.com"), "a••••@example.com"),
        (mask_email("a@example.com"), "a••••@example.com"),
        (mask_email("nonsense"), "••••"),
        (mask_email("@example.com"), "••••"),
        (mask_email("amina@"), "••••"),
        (mask_name("Chidi Okeke"), "Chidi O."),
        (mask_name("Otieno Odhiambo"), "Otieno O."),
        (mask_name("  Ngozi   Ada  eze "), "Ngozi E."),  # the first name, the last's initial
        (mask_name("Madonna"), "Madonna"),  # a single name stays as it is
        (mask_name(""), ""),
        (mask_name("   "), ""),
    ],
)
def test_documented_shapes_and_edges(masked: str, expected: str) -> None:
    assert masked == expected


@pytest.mark.parametrize("function", [mask_account, mask_card, mask_phone, mask_email])
@pytest.mark.parametrize("bad", [None, 12345678, b"0123456789", ["0123456789"]])
def test_wrong_types_are_fully_masked_not_raised(function: object, bad: object) -> None:
    assert callable(function)
    assert function(bad) == "••••"


@given(st.text(alphabet="0123456789 -+whatsap:", max_size=30))
def test_at_most_the_last_four_survive(value: str) -> None:
    compact = "".join(value.split()).replace("-", "")
    for function in (mask_account, mask_card):
        assert function(value) in {"••••", "••" + compact[-4:]}
        if len(compact) <= 4:
            assert function(value) == "••••"
    masked = mask_phone(value)
    if masked.startswith("+"):
        code, _, last4 = masked[1:].partition("•••••")
        digits = "".join(ch for ch in value if ch.isdigit())
        assert code.isdigit() and len(code) <= 3 and digits.startswith(code)
        assert last4 == digits[-4:] and len(digits) > len(code) + 4
    else:
        assert masked == "••••" or (masked.startswith("••") and len(masked) == 6)
