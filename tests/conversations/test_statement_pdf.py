"""``statement pdf`` through the real webhook, pinning the customer-visible wording on purpose:
the login it needs, the choices, "on its way", then the PDF in the chat and its password by SMS
only. Also the per-customer limit, and ``retry`` with nothing to retry."""

from __future__ import annotations

from app import Services
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.documents import media_messages, run_jobs, sms_passwords
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in

TRANSCRIPT: list[tuple[str, list[str]]] = [
    ("hi", ["1 Balance\n2 Mini statement\n3 Statement (PDF)\n"]),
    ("3", ["Which account do you want a PDF statement for?\n1 Savings ••6789\n2 Current ••6790"]),
    ("7", ["Please reply with a number from the list:\n1 Savings ••6789"]),
    ("1", ["Which period?\n1 Last 30 days\n2 Last 3 months\n3 A calendar month"]),
    ("3", ["Which month? Reply like *October 2026* or *10/2026*"]),
    ("next year", ["I couldn't find that month."]),
    (
        "October 2026",
        [
            "Your statement for Savings ••6789, 01 Oct 2026 to 31 Oct 2026, is on its way. It "
            "comes here as a PDF; its password comes by SMS to your registered number, never in "
            "this chat.",
            "Send *menu* at any time",
        ],
    ),
]


def said(whatsapp: WhatsApp, text: str, expected: list[str]) -> str:
    reply = whatsapp.send(AMINA, text)
    assert reply.status == 200, text
    position = 0
    for fragment in expected:
        found = reply.text.find(fragment, position)
        assert found >= 0, f"{text!r} → {reply.text!r} lacks {fragment!r}"
        position = found + len(fragment)
    return reply.text


def test_statement_pdf_from_login_to_the_document(
    whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger, services: Services
) -> None:
    reply = whatsapp.send(AMINA, "statement pdf")
    assert "set up chat banking first" in reply.text
    done = secure.register(link_in(reply.text), AMINA)
    assert done.status == 200
    resumed = [m["body"] for m in outbox.messages(AMINA) if m["channel"] == "whatsapp"][-1]
    assert resumed.startswith("You're logged in.") and "Which account do you want" in resumed
    for text, expected in TRANSCRIPT:
        said(whatsapp, text, expected)
    run_jobs(services.rq_redis)
    [media] = media_messages(outbox, AMINA)
    [(reference, password)] = sms_passwords(outbox, AMINA)
    assert media["body"] == (
        f"Your statement {reference} from Demo Bank. Its password reaches you by SMS, never in "
        "this chat."
    )
    assert str(media["media_urls"][0]).endswith("/statement-20261001-20261031.pdf")
    chat = " ".join(str(m["body"]) for m in outbox.messages(AMINA) if m["channel"] == "whatsapp")
    assert password not in chat


def test_statements_are_limited_per_customer_and_retry_needs_a_failure(
    whatsapp: WhatsApp, services: Services
) -> None:
    services.auth.sessions.create(AMINA, services.clock())
    for _ in range(5):
        said(whatsapp, "statement pdf", ["Which account"])
        said(whatsapp, "1", ["Which period?"])
        said(whatsapp, "1", ["is on its way"])
    said(whatsapp, "statement pdf", ["Which account"])
    said(whatsapp, "1", ["Which period?"])
    said(whatsapp, "2", ["You've asked for several statements in a short time."])
    said(whatsapp, "retry", ["You've asked for several statements"])
    services.redis.flushdb()  # a new hour, as far as the limit is concerned
    services.auth.sessions.create(AMINA, services.clock())
    said(whatsapp, "retry", ["There's nothing waiting to be sent again."])
