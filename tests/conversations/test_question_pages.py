"""The security questions on the secure pages in the number's language, through the real
webhook and pages: registration offers them in French, the step-up page asks them in Arabic;
the answers are checked by the questions' ids, whatever language showed them."""

from __future__ import annotations

import html
import re

from app import Services
from auth.questions import QUESTIONS, question_text
from bot.messenger import OutboxMessenger
from messaging.languages import speaking
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina, whatsapp_to
from tests.conversations.test_stepup_questions import questions_first
from tests.helpers import WhatsApp
from tests.secure_pages import AMINA_DOB, AMINA_NIN4, ANSWERS, SecurePages, link_in

_ASKED = re.compile(r'<label for="(q\d+)">([^<]+)</label>')


def texts(language: str) -> dict[str, str]:
    with speaking(language):
        return {qid: question_text(qid) for qid in QUESTIONS}


def test_registration_offers_the_questions_in_french(
    whatsapp: WhatsApp, secure: SecurePages
) -> None:
    whatsapp.send(AMINA, "bonjour")
    path = link_in(whatsapp.send(AMINA, "1").text)  # Balance: register first
    secure.post(f"{path}/code", {}, page_path=path)
    details = {"dob": AMINA_DOB, "nin_last4": AMINA_NIN4, "code": secure.last_code(AMINA)}
    secure.post(f"{path}/details", details, page_path=path)
    credentials = {"login_id": "amina.y", "pin": "495817", "repeat_pin": "495817"}
    page = secure.post(f"{path}/credentials", credentials, page_path=path)
    shown = html.unescape(page.text)
    french = texts("fr")
    assert all(french[qid] in shown for qid in QUESTIONS)
    assert QUESTIONS["q1"] not in shown
    for qid in QUESTIONS:
        assert f'value="{qid}"' in page.text  # chosen by id, as before
    secure.post(f"{path}/questions", secure.answers(), page_path=path)
    done = secure.post(f"{path}/authenticator", {"action": "skip"}, page_path=path)
    assert done.status == 200


def test_the_stepup_page_asks_in_arabic_and_checks_by_id(
    whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger, services: Services
) -> None:
    register_amina(whatsapp, secure)  # questions chosen in English
    questions_first(services)
    whatsapp.send(AMINA, "مرحبا")  # then Arabic
    whatsapp.send(AMINA, "profile")
    path = link_in(whatsapp.send(AMINA, "2").text)
    form = secure.get(path)
    asked = dict(_ASKED.findall(form.text))
    assert len(asked) == 2 and set(asked) <= set(ANSWERS)
    arabic = texts("ar")
    assert {qid: html.unescape(shown) for qid, shown in asked.items()} == {
        qid: arabic[qid] for qid in asked
    }
    done = secure.post(path, {qid: ANSWERS[qid] for qid in asked})
    assert done.status == 200
    assert "/secure/pin/" in whatsapp_to(outbox, AMINA)[-1]  # the chat carried on
