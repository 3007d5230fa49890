"""TwiML replies and WhatsApp's 1,600-character limit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from twilio.twiml.messaging_response import MessagingResponse

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


def library_reply(messages: list[str]) -> str:
    """The document Twilio's MessagingResponse writes for the same parts."""
    response = MessagingResponse()
    for text in messages:
        for part in split_message(text):
            response.message(part)
    return str(response)


@pytest.mark.parametrize(
    "messages",
    [
        [],
        [""],
        ["hello & <welcome> \"quoted\" 'single' > done"],
        ["1 Balance\n2 Mini statement\r\n\ttabbed", "Reply *menu* at any time."],
        ["Bienvenue à Demo Bank, Amina. Répondez par un numéro :", "مرحبًا بك في Demo Bank"],
        ["😀 " * 900],  # split in two, surrogate pairs in UTF-16
        ["a\x00b\x1fc", "&amp; already escaped &lt;"],
    ],
)
def test_reply_is_what_messagingresponse_writes(messages: list[str]) -> None:
    assert reply(messages) == library_reply(messages)


@given(st.lists(st.text(max_size=2000), max_size=4))
def test_reply_is_what_messagingresponse_writes_for_any_text(messages: list[str]) -> None:
    assert reply(messages) == library_reply(messages)
