"""Cards through the real webhook and the real bank: masked numbers and statuses, lock and
unlock with the scenario's step-up, a replacement that cancels the old card at once and arrives
inactive, cancel asked twice; states that don't allow an action don't offer it."""

from __future__ import annotations

import pytest

from app import Services
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in


def status(services: Services) -> dict[str, str]:
    return {c.card_id: c.status for c in services.bank.cards("C001")}


def confirmed(whatsapp: WhatsApp, secure: SecurePages, text: str) -> str:
    asked = whatsapp.send(AMINA, text).text
    assert "we sent a code by SMS" in asked
    return whatsapp.send(AMINA, secure.last_code(AMINA)).text


def test_lock_then_unlock(whatsapp: WhatsApp, secure: SecurePages, services: Services) -> None:
    register_amina(whatsapp, secure)
    actions = whatsapp.send(AMINA, "cards").text  # one card: straight to what can be done
    assert actions.startswith("Card ••4249 · active. What do you want to do?\n1 Lock it")
    assert "5399831234564249" not in actions
    assert "Done: card ••4249 is locked" in confirmed(whatsapp, secure, "1")
    assert status(services) == {"K1": "locked"}
    unlocking = whatsapp.send(AMINA, "cards").text
    assert "1 Unlock it" in unlocking and "Lock it" not in unlocking
    assert "unlocked and works again" in confirmed(whatsapp, secure, "1")
    assert status(services) == {"K1": "active"}


def test_replace_a_lost_card(whatsapp: WhatsApp, secure: SecurePages, services: Services) -> None:
    register_amina(whatsapp, secure)
    whatsapp.send(AMINA, "cards")
    assert "Why do you need a new card?\n1 Lost" in whatsapp.send(AMINA, "3").text
    assert "Please reply with a number" in whatsapp.send(AMINA, "misplaced").text
    done = confirmed(whatsapp, secure, "lost")
    assert "card ••4249 is cancelled and stops working now. Your new card ••" in done
    cards = services.bank.cards("C001")
    assert [c.status for c in cards] == ["cancelled", "inactive"]
    listed = whatsapp.send(AMINA, "cards").text
    assert "1 Card ••4249 · cancelled\n2 Card ••" in listed and "· inactive" in listed
    assert whatsapp.send(AMINA, "1").text.startswith("Card ••4249 is cancelled")
    whatsapp.send(AMINA, "cards")
    assert "1 Activate it" in whatsapp.send(AMINA, "2").text
    assert "is active. You can use it now" in confirmed(whatsapp, secure, "1")


def test_cancel_is_asked_twice(whatsapp: WhatsApp, secure: SecurePages, services: Services) -> None:
    register_amina(whatsapp, secure)
    whatsapp.send(AMINA, "cards")
    assert "Cancel card ••4249 for good?" in whatsapp.send(AMINA, "4").text
    assert "Are you sure?" in whatsapp.send(AMINA, "yes").text
    assert "your card is unchanged" in whatsapp.send(AMINA, "no").text
    assert status(services) == {"K1": "active"}
    for text in ("cards", "4", "yes"):
        whatsapp.send(AMINA, text)
    assert "cancelled and can't be used again" in confirmed(whatsapp, secure, "yes")
    assert status(services) == {"K1": "cancelled"}


@pytest.mark.parametrize(
    "steps", [["cards"], ["cards", "2"], ["cards", "3"], ["cards", "4"], ["cards", "1"]]
)
def test_cancel_at_every_step_changes_nothing(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, steps: list[str]
) -> None:
    register_amina(whatsapp, secure)
    for text in steps:
        whatsapp.send(AMINA, text)
    assert whatsapp.send(AMINA, "cancel").text.startswith("Cancelled. Nothing was changed.")
    assert status(services) == {"K1": "active"}


@pytest.mark.parametrize(
    ("steps", "typo", "expected"),
    [
        (["cards"], "9", "Please reply with a number from the list"),
        (["cards"], "lock it", "Please reply with a number from the list"),
        (["cards", "3"], "4", "Please reply with a number from the list"),
        (["cards", "4"], "maybe", "Please reply YES to cancel the card, or NO"),
        (["cards", "1"], "one two", "reply with the code's digits only"),
    ],
)
def test_a_mistyped_answer_at_every_step_is_asked_again(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    steps: list[str],
    typo: str,
    expected: str,
) -> None:
    register_amina(whatsapp, secure)
    for text in steps:
        whatsapp.send(AMINA, text)
    assert expected in whatsapp.send(AMINA, typo).text
    assert status(services) == {"K1": "active"}


def test_change_the_card_pin_on_a_secure_page(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, outbox: OutboxMessenger
) -> None:
    register_amina(whatsapp, secure)
    assert "2 Change its PIN (on a secure page)" in whatsapp.send(AMINA, "cards").text
    reply = confirmed(whatsapp, secure, "2")
    assert "Never type a PIN in this chat" in reply
    path = link_in(reply)
    assert path.startswith("/secure/cardpin/")
    form = secure.get(path)
    assert form.status == 200 and "A new PIN for card <bdi dir=ltr>••4249</bdi>" in form.text
    refused = secure.post(path, {"new_pin": "1234", "repeat_pin": "1234"})
    assert refused.status == 400 and "digits in a row" in refused.text
    assert "don&#39;t match" in secure.post(path, {"new_pin": "8305", "repeat_pin": "8350"}).text
    done = secure.post(path, {"new_pin": "8305", "repeat_pin": "8305"})
    assert done.status == 200 and "Your card PIN is changed" in done.text
    rows = services.bank.db.rows("SELECT pin_hash FROM card_pins WHERE card_id = 'K1'")
    assert rows and "8305" not in rows[0]["pin_hash"]
    assert secure.get(path).status == 404  # one use
    sms = [m["body"] for m in outbox.messages(AMINA) if m["channel"] == "sms"]
    assert "your card PIN was changed" in sms[-1]
