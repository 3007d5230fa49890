"""``clean_text``'s fast path for printable text keeps what the character-by-character rule
keeps, for any text and limit."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.inbound import clean_text


def by_category(text: str, limit: int) -> str:
    """The rule as written first: every character's category looked up."""
    kept = "".join(
        ch for ch in text[: limit * 2] if ch in "\n\t" or unicodedata.category(ch)[0] != "C"
    )
    return kept[:limit].strip()


@given(st.text(), st.integers(min_value=0, max_value=40))
def test_any_text_is_cleaned_as_by_category(text: str, limit: int) -> None:
    assert clean_text(text, limit) == by_category(text, limit)


@given(
    st.text(st.characters(categories=["Cc", "Cf", "Co", "Zl", "Zp", "Zs", "Lu", "Nd"])),
    st.integers(min_value=0, max_value=40),
)
def test_controls_and_separators_are_cleaned_as_by_category(text: str, limit: int) -> None:
    assert clean_text(text, limit) == by_category(text, limit)


def test_controls_are_dropped_and_newlines_kept() -> None:
    assert clean_text("a\u200bb\x00c\nd\te", 100) == "abc\nd\te"
    assert clean_text("  menu  ", 100) == "menu"
    assert clean_text("x" * 10, 4) == "xxxx"
