"""Transcripts through the real webhook, pinning the customer-visible wording on purpose.

Each transcript is a list of (customer says, bot replies must contain...) steps; a step with
several expected fragments expects them in order across the reply messages.
"""

from __future__ import annotations

import pytest

from tests.conftest import AMINA
from tests.helpers import WhatsApp

Transcript = list[tuple[str, list[str]]]

TRANSCRIPTS: dict[str, Transcript] = {
    "greeting and tips": [
        (
            "hi",
            [
                "Welcome to Demo Bank, Amina. Reply with a number:\n1 Balance\n2 Mini statement"
                "\n3 Statement (PDF)\n4 Transfer\n5 Pay a bill\n6 Cards"
                "\n7 Profile & security\n8 Log out\n9 Security tips\n10 Contact us"
            ],
        ),
        ("9", ["We never ask for your PIN", "Send *menu* at any time"]),
    ],
    "contact us, mistyped, then an answer": [
        ("Hello", ["Welcome to Demo Bank"]),
        (
            "contact",
            ["How can we help?\n1 Call us\n2 Report fraud or a lost phone\n3 Find a branch"],
        ),
        ("9", ["Please reply 1, 2 or 3"]),
        ("2", ["call Demo Bank on +2342012345600 straight away", "answered 24/7"]),
        ("10", ["How can we help?"]),
        ("1", ["Call Demo Bank on +2342012345678, any day"]),
        ("10", ["How can we help?"]),
        ("3", ["• Ikeja: 12 Allen Avenue, Ikeja, Lagos", "• Wuse II: 22 Aminu Kano Crescent"]),
    ],
    "cancel inside a flow": [
        ("menu", ["Welcome"]),
        ("10", ["How can we help?"]),
        ("CANCEL", ["Cancelled. Nothing was changed.", "Reply with a number:\n1 Balance"]),
        ("cancel", ["There's nothing to cancel."]),
    ],
    "help in each place": [
        ("hi", ["Welcome"]),
        ("help", ["*menu* – show the menu", "never ask for your PIN"]),
        ("10", ["How can we help?"]),
        ("help", ["You're in *Contact us*"]),
        ("3", ["Monday to Friday"]),
    ],
    "nonsense gets the menu back": [
        ("hi", ["Welcome"]),
        ("what is this", ["Sorry, I didn't catch that. Reply with a number:\n1 Balance"]),
        ("🙂", ["Sorry, I didn't catch that."]),
    ],
}


@pytest.mark.parametrize("name", sorted(TRANSCRIPTS))
def test_transcript(whatsapp: WhatsApp, name: str) -> None:
    for said, expected in TRANSCRIPTS[name]:
        reply = whatsapp.send(AMINA, said)
        assert reply.status == 200, said
        position = 0
        for fragment in expected:
            found = reply.text.find(fragment, position)
            assert found >= 0, f"{said!r} → {reply.text!r} lacks {fragment!r}"
            position = found + len(fragment)
