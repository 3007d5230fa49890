"""TwiML replies and WhatsApp's 1,600-character limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.twiml import MAX_MESSAGE, reply, split_message, utf16_len
from tests.helpers import parse_twiml


def test_short_text_is_one_message() -> None:
    assert parse_twiml(reply(["hello & <welcome>"])) == ["hello & <welcome>"]


def test_long_text_splits_on_line_boundaries() -> None:
    lines = [f"line {n:04d} " + "x" * 90 for n in range(40)]
    parts = split_message("\n".join(lines))
    assert len(parts) > 1
    assert all(utf16_len(p) <= MAX_MESSAGE for p in parts)
    assert "\n".join(parts).splitlines() == lines


def test_emoji_count_as_two_units_and_are_never_cut() -> None:
    text = "😀" * 1000  # 2,000 UTF-16 units
    parts = split_message(text)
    assert [utf16_len(p) for p in parts] == [1600, 400]
    assert "".join(parts) == text


@given(st.text(min_size=0, max_size=5000))
def test_split_keeps_every_visible_character(text: str) -> None:
    parts = split_message(text)
    assert all(utf16_len(p) <= MAX_MESSAGE for p in parts)
    assert "".join(parts).split() == text.split() or "".join("".join(parts).split()) == "".join(
        text.split()
    )
