"""A step-up of the security-questions type, through the real webhook and the real secure page:
the chat sends a one-time link, two of the three questions are asked there, a wrong pair is a
counted try that doesn't say which answer was wrong, and the right pair carries the chat on.
"""

from __future__ import annotations

import re

from app import Services
from auth.stores.audit import AuditLog
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina, whatsapp_to
from tests.helpers import WhatsApp
from tests.secure_pages import ANSWERS, SecurePages, link_in

_ASKED = re.compile(r'<input id="(q\d+)"')


def questions_first(services: Services) -> None:
    scenario = services.scenarios.find(search="PASSWORD_UPDATE")[0]
    services.scenarios.update(
        scenario.scenario_id,
        {"primary_challenge": "security_questions", "backup_challenge": "sms_code"},
        "security.officer",
    )


def test_questions_on_the_page_then_the_chat_goes_on(
    whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger, services: Services
) -> None:
    register_amina(whatsapp, secure)
    questions_first(services)
    whatsapp.send(AMINA, "profile")
    asked = whatsapp.send(AMINA, "2").text
    assert "answer two of your security questions on this secure page" in asked
    assert "Never type the answers in this chat" in asked
    path = link_in(asked)
    assert path.startswith("/secure/stepup/")
    assert "answer your security questions on the secure page" in whatsapp.send(AMINA, "1234").text

    form = secure.get(path)
    assert form.status == 200 and "Answer your security questions" in form.text
    ids = _ASKED.findall(form.text)
    assert len(ids) == 2 and set(ids) <= set(ANSWERS)

    wrong = secure.post(path, {ids[0]: ANSWERS[ids[0]], ids[1]: "not it"})
    assert wrong.status == 401 and "You have 4 tries left" in wrong.text
    assert "not it" not in wrong.text
    empty = secure.post(path, {ids[0]: ANSWERS[ids[0]], ids[1]: " "})
    assert empty.status == 400 and "Answer both questions" in empty.text  # not counted

    done = secure.post(path, {qid: ANSWERS[qid].upper() for qid in ids})
    assert done.status == 200 and "that's confirmed" in done.text
    assert "/secure/pin/" in whatsapp_to(outbox, AMINA)[-1]  # the chat carried on
    assert secure.get(path).status == 404  # one use

    results = [e.fields["result"] for e in AuditLog(services.redis).entries(event="stepup.verify")]
    assert results[:2] == ["passed", "wrong"]


def test_a_cancelled_challenge_closes_its_page(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    register_amina(whatsapp, secure)
    questions_first(services)
    whatsapp.send(AMINA, "profile")
    path = link_in(whatsapp.send(AMINA, "2").text)
    assert "Cancelled" in whatsapp.send(AMINA, "cancel").text
    assert secure.get(path).status == 404


def test_other_way_switches_to_an_sms_code(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    register_amina(whatsapp, secure)
    questions_first(services)
    whatsapp.send(AMINA, "profile")
    path = link_in(whatsapp.send(AMINA, "2").text)
    choice = whatsapp.send(AMINA, "other").text  # every way she set up: SMS, and email
    assert "1 A code by SMS\n2 A code by email" in choice
    switched = whatsapp.send(AMINA, "1").text
    assert switched.startswith("Your earlier code no longer works.")
    assert "we sent a code by SMS to +234•••••0001" in switched
    assert secure.get(path).status == 404  # the questions challenge was replaced
    assert "/secure/pin/" in whatsapp.send(AMINA, secure.last_code(AMINA)).text
