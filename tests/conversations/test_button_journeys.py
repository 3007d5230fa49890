"""Buttons and lists through the real webhook, with Twilio's own client pointed at a fake
Twilio server: once ``whatsapp sync-content`` has run, a reply's choices go out as a list
picker or quick reply (REST, ContentSid + ContentVariables; the TwiML reply is empty), taps
come back as Twilio posts them (``ListId``/``ButtonPayload``) and drive a whole transfer, a tap
Teller didn't offer is only its text, and without templates nothing changes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import Config, Services
from bot.content.definitions import YES_NO_NAME, list_name
from bot.content.store import ContentStore
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina
from tests.fake_twilio_server import (
    SID,
    FakeTwilioServer,
    Fault,
    loopback_services,
    twilio_config,
)
from tests.fakes import FrozenClock
from tests.helpers import Reply, WhatsApp
from tests.secure_pages import SecurePages

SAVINGS = "0123456789"
MENU = (
    "Welcome to Demo Bank, Amina. Reply with a number:\n1 Balance\n2 Mini statement\n"
    "3 Statement (PDF)\n4 Transfer\n5 Pay a bill\n6 Cards\n7 Profile & security\n8 Log out\n"
    "9 Security tips\n10 Contact us"
)


@pytest.fixture
def server(config: Config) -> Iterator[FakeTwilioServer]:
    running = FakeTwilioServer(SID, config.twilio_auth_token).start()
    yield running
    running.stop()


@pytest.fixture
def services(config: Config, clock: FrozenClock, server: FakeTwilioServer) -> Iterator[Services]:
    built = loopback_services(twilio_config(config), server, clock=clock)
    assert built.dispatcher.interactive is not None
    built.dispatcher.interactive.content.cache_s = 0  # see each sync at once
    yield built
    built.close()


@pytest.fixture
def secure(client: FlaskClient, server: FakeTwilioServer) -> SecurePages:
    return SecurePages(client, server)


@pytest.fixture
def synced(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["whatsapp", "sync-content"])
    assert result.exit_code == 0, result.output


def sid_of(services: Services, name: str) -> str:
    found = ContentStore(services.redis, cache_s=0).all()[name]
    return found.sid


def last_sent(server: FakeTwilioServer) -> dict[str, Any]:
    return server.messages(AMINA)[-1]


def tap_list(whatsapp: WhatsApp, item_id: str, title: str) -> Reply:
    """A list picker reply, with the fields Twilio posts for one."""
    extra = {"MessageType": "interactive", "ListId": item_id, "ListTitle": title}
    return whatsapp.send(AMINA, title, **extra)


def tap_button(whatsapp: WhatsApp, payload: str, title: str) -> Reply:
    extra = {"MessageType": "button", "ButtonPayload": payload, "ButtonText": title}
    return whatsapp.send(AMINA, title, **extra)


def savings(services: Services) -> Decimal:
    return next(a.balance for a in services.bank.accounts("C001") if a.number == SAVINGS)


@pytest.mark.usefixtures("synced")
def test_a_whole_transfer_by_taps(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, server: FakeTwilioServer
) -> None:
    register_amina(whatsapp, secure)
    hi = whatsapp.send(AMINA, "hi")
    assert hi.status == 200 and hi.messages == []  # the list went by REST, not TwiML
    menu = last_sent(server)
    assert menu["content_sid"] == sid_of(services, list_name(10))
    variables = menu["content_variables"]
    assert variables["1"].startswith(MENU)  # the text a customer can always type from
    assert (variables["3"], variables["4"]) == ("Balance", "Or type 1")
    assert (variables["9"], variables["21"]) == ("Transfer", "Contact us")

    payees = tap_list(whatsapp, "4", "Transfer")
    assert payees.messages == []
    listed = last_sent(server)
    assert listed["content_sid"] == sid_of(services, list_name(6))
    assert listed["content_variables"]["1"].startswith("Who do you want to pay?\n1 New payee")
    # "Chidi Okeke (Access Bank ••4321)" is longer than a list title may be (24): cut, and
    # whole in the description.
    assert listed["content_variables"]["11"] == "Chidi Okeke (Access Ban…"
    assert listed["content_variables"]["12"] == "Chidi Okeke (Access Bank ••4321)"

    asked = tap_list(whatsapp, "5", "Chidi Okeke (Access Ban…")
    assert "How much (USD) do you want to send to Chidi Okeke" in asked.text  # text: no choices
    summary = whatsapp.send(AMINA, "150")
    assert summary.messages == []
    question = last_sent(server)
    assert question["content_sid"] == sid_of(services, YES_NO_NAME)
    assert question["content_variables"]["1"] == (
        "Send *USD 150.00* to Chidi Okeke (Access Bank ••4321) from Savings ••6789? "
        "Reply YES to confirm or NO to cancel.\n\n"
        "To pay from another account, reply *from current* (Current ••6790)."
    )
    challenge = tap_button(whatsapp, "yes", "Yes")
    assert "we sent a code by SMS to +234•••••0001" in challenge.text
    done = whatsapp.send(AMINA, secure.last_code(AMINA))
    assert re.match(r"Done: USD 150\.00 sent to Chidi Okeke \(Access Bank ••4321\)\.", done.text)
    assert savings(services) == Decimal("2350.00")


@pytest.mark.usefixtures("synced")
def test_a_tap_teller_did_not_offer_is_only_its_text(
    whatsapp: WhatsApp, server: FakeTwilioServer
) -> None:
    whatsapp.send(AMINA, "hi")  # offers the menu: ids 1 to 10
    forged = whatsapp.send(
        AMINA, "hello there", MessageType="button", ButtonPayload="yes", ButtonText="Yes"
    )
    assert forged.messages == []
    assert last_sent(server)["content_variables"]["1"].startswith("Sorry, I didn't catch that.")
    odd = tap_list(whatsapp, "../../4; DROP", "Security tips")  # not an id: the title is read
    assert "Stay safe with Demo Bank" in odd.text
    offered = whatsapp.send(AMINA, "whatever", MessageType="interactive", ListId="10")
    assert offered.messages == []  # "10" was offered: it reads as the typed 10 (Contact us)
    assert last_sent(server)["content_variables"]["1"].startswith("How can we help?")


def test_without_templates_every_reply_stays_text(
    whatsapp: WhatsApp, server: FakeTwilioServer
) -> None:
    hi = whatsapp.send(AMINA, "hi")
    assert hi.text == MENU
    assert "1 Call us" in whatsapp.send(AMINA, "10").text
    assert server.messages() == [] and server.calls == []  # no REST call at all
    tapped = tap_list(whatsapp, "1", "Find a branch")  # nothing was offered: only its text
    assert tapped.text == "Please reply 1, 2 or 3, or *menu* to go back."  # not "1": a call


@pytest.mark.usefixtures("synced")
def test_twilio_refusing_the_list_falls_back_to_text_and_a_replay_sends_nothing(
    whatsapp: WhatsApp, server: FakeTwilioServer
) -> None:
    server.fail_next(Fault.ERROR_500)
    hi = whatsapp.send(AMINA, "hi", sid="SM" + "a" * 32)
    assert hi.text == MENU  # the same words, as TwiML text
    assert server.messages(AMINA) == []
    sent = whatsapp.send(AMINA, "hi", sid="SM" + "b" * 32)
    assert sent.messages == [] and len(server.messages(AMINA)) == 1
    replay = whatsapp.send(AMINA, "hi", sid="SM" + "b" * 32)  # Twilio retrying the webhook
    assert replay.status == 200 and replay.messages == []
    assert len(server.messages(AMINA)) == 1  # the list isn't sent twice


@pytest.mark.usefixtures("synced")
def test_an_arabic_customer_s_list_and_yes_no_buttons_are_in_arabic(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, server: FakeTwilioServer
) -> None:
    register_amina(whatsapp, secure)
    assert whatsapp.send(AMINA, "مرحبا").messages == []  # chooses Arabic; the menu as a list
    menu = last_sent(server)["content_variables"]
    assert menu["2"] == "اختر"  # the list's button
    assert (menu["3"], menu["4"]) == ("الرصيد", "أو اكتب 1")
    assert (menu["9"], menu["21"]) == ("تحويل", "اتصل بنا")
    tap_list(whatsapp, "4", "تحويل")
    payees = last_sent(server)["content_variables"]
    assert (payees["3"], payees["4"]) == ("مستفيد جديد", "أو اكتب 1")
    tap_list(whatsapp, "5", payees["11"])
    whatsapp.send(AMINA, "150")
    question = last_sent(server)
    assert question["content_sid"] == sid_of(services, "teller_yes_no_ar")
    [template] = [c for c in server.contents() if c["sid"] == question["content_sid"]]
    actions = template["types"]["twilio/quick-reply"]["actions"]
    assert [(a["id"], a["title"]) for a in actions] == [("yes", "نعم"), ("no", "لا")]
    assert template["language"] == "ar"
    challenge = tap_button(whatsapp, "yes", "نعم")  # the tap reads as the typed "yes"
    assert "+234•••••0001" in challenge.text
    done = whatsapp.send(AMINA, secure.last_code(AMINA))
    assert "TX" in done.text
    assert savings(services) == Decimal("2350.00")


@pytest.mark.usefixtures("synced")
def test_a_french_contact_menu_is_three_french_choices(
    whatsapp: WhatsApp, server: FakeTwilioServer
) -> None:
    whatsapp.send(AMINA, "bonjour")
    whatsapp.send(AMINA, "10")
    contact = last_sent(server)
    variables = contact["content_variables"]
    assert variables["1"].startswith("Comment pouvons-nous vous aider ?\n1 Nous appeler")
    assert variables["2"] == "Choisir"
    # "Signaler une fraude ou un téléphone perdu" is too long for a list title: cut, and
    # whole in the description.
    assert (variables["3"], variables["4"]) == ("Nous appeler", "Ou tapez 1")
    assert variables["5"] == "Signaler une fraude ou…"
    assert variables["6"] == "Signaler une fraude ou un téléphone perdu"
