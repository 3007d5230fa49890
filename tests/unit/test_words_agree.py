"""What the chat, the tips, the help and the secure pages say about PINs and codes is one
promise: we never ask for a PIN or password in the chat and never send a code into it; a code
is typed in the chat only right after the customer asked for a payment or a change. A text
that denies asking for codes in the chat, while every payment asks for one, contradicts it."""

from __future__ import annotations

import re
from pathlib import Path

from flows.responses import CATALOG

ROOT = Path(__file__).resolve().parents[2]
# "never ask for your PIN, password or codes in this chat" and the like.
DENIAL = re.compile(r"never ask[^.]*\bcodes?\b[^.]*(in (this|the) chat|in whatsapp)", re.I)


def _texts() -> dict[str, str]:
    found = {f"catalog:{k}": v for k, v in CATALOG.items()}
    for path in (ROOT / "templates").rglob("*.html"):
        found[str(path.relative_to(ROOT))] = " ".join(path.read_text(encoding="utf-8").split())
    return found


def test_no_text_denies_the_codes_the_chat_asks_for() -> None:
    assert {name for name, text in _texts().items() if DENIAL.search(text)} == set()


def test_help_tips_and_the_pages_make_the_same_promise() -> None:
    footer = " ".join((ROOT / "templates/secure/base.html").read_text(encoding="utf-8").split())
    for text in (CATALOG["help.main_menu"], CATALOG["tips"], footer):
        assert re.search(r"never (asks?|ask) for your PIN or password", text), text
        assert "never sends a code into" in text or "never send a code into" in text, text
        assert "right after you asked for a payment or a change" in text, text


def test_every_code_prompt_ties_the_code_to_the_request_just_made() -> None:
    for key in ("stepup.sent_sms", "stepup.sent_email"):
        assert "for the request you just made" in CATALOG[key]
        assert "If you didn't ask for this, don't type it anywhere" in CATALOG[key]
