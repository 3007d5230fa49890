"""No proactive WhatsApp message bypasses ``bot.outbound``: read Teller's own source and find
every use of ``Channel.WHATSAPP`` (the raw free-form send) and of ``send_content`` (a content
template). Only the path itself, the adapters that implement the port, the port's definition
and the webhook's own button and list replies (the answer to the message being handled, so
always inside the window) may name them; a new ``messenger.send(Channel.WHATSAPP, …)``
anywhere else fails here."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "bot", "admin", "workers", "flows", "auth", "receipts", "bank", "messaging")
ALLOWED = {
    "bot/outbound.py",  # the one path
    "bot/messenger.py",  # the adapters: Twilio and the dev outbox
    "messaging/port.py",  # where the channel is defined
    "bot/content/replies.py",  # the reply to an inbound message, sent while answering it
}


def _uses(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "WHATSAPP":
            found.append((node.lineno, "Channel.WHATSAPP"))
        if isinstance(node, ast.Attribute) and node.attr == "send_content":
            found.append((node.lineno, "send_content"))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Channel":
            found.append((node.lineno, "Channel(...)"))  # Channel("whatsapp") by value
    return found


def offenders() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name in ALLOWED:
                continue
            tree = ast.parse(path.read_text(), filename=name)
            found += [f"{name}:{line}: {what}" for line, what in _uses(tree)]
    return found


def test_only_the_outbound_path_sends_free_form_whatsapp() -> None:
    assert offenders() == []


def test_the_guard_sees_a_raw_send() -> None:
    bypass = "def f(m):\n    m.send(Channel.WHATSAPP, '+2348030000001', 'hi')\n"
    assert _uses(ast.parse(bypass)) == [(2, "Channel.WHATSAPP")]
    assert _uses(ast.parse("m.send_content('+1', 'HX', {}, 'x')")) == [(1, "send_content")]
    assert _uses(ast.parse("m.send(Channel('whatsapp'), to, text)")) == [(1, "Channel(...)")]
