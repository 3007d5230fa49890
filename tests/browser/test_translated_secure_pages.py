"""The step-up questions page and the card-PIN page in French and Arabic, in real Chromium: the
page's language and direction, its labels and the security questions in that language, and a
refusal the Python writes after a bad post, translated too. Each page is shot 375 px wide and
on a desktop into the test's temporary directory, to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app import Services
from tests.browser.test_secure_pages import PHONE, PIN, Secure
from tests.conftest import AMINA
from tests.helpers import WhatsApp
from tests.secure_pages import ANSWERS, SecurePages, link_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DESKTOP = {"width": 1280, "height": 900}

# The word that chooses the language in the chat, then what each page must say in it.
SPOKEN = {
    "fr": {
        "word": "bonjour",
        "dir": "ltr",
        "stepup_heading": "Répondez à vos questions de sécurité",
        "both": "Répondez aux deux questions.",
        "stepup_done": "Merci, c'est confirmé",
        "questions": {
            "q1": "Quel était le nom de votre première école ?",
            "q3": "Quel était le nom de votre premier animal de compagnie ?",
            "q6": "Dans quelle rue habitiez-vous enfant ?",
        },
        "card_heading": "Un nouveau PIN pour la carte ••4249",
        "new_pin": "Nouveau PIN de la carte",
        "repeat_pin": "Confirmez le nouveau PIN de la carte",
        "weak": "N'utilisez pas quatre fois le même chiffre ni des chiffres qui se suivent "
        "(comme 1234).",
        "card_done": "Le PIN de votre carte est changé",
    },
    "ar": {
        "word": "مرحبا",
        "dir": "rtl",
        "stepup_heading": "أجب عن أسئلتك الأمنية",
        "both": "أجب عن السؤالين كليهما.",
        "stepup_done": "شكرًا، تم التأكيد",
        "questions": {
            "q1": "ما اسم أول مدرسة التحقت بها؟",
            "q3": "ما اسم أول حيوان أليف اقتنيته؟",
            "q6": "في أي شارع عشت في طفولتك؟",
        },
        "card_heading": "رقم سري جديد للبطاقة ••4249",
        "new_pin": "الرقم السري الجديد للبطاقة",
        "repeat_pin": "أعد كتابة الرقم السري الجديد للبطاقة",
        "weak": "لا تستخدم الرقم نفسه أربع مرات ولا أرقامًا متتالية (مثل 1234).",
        "card_done": "تغيّر الرقم السري لبطاقتك",
    },
}


@pytest.fixture
def tab(page: Page, live_server: str) -> Iterator[Secure]:
    opened = Secure(page, live_server)
    yield opened
    opened.assert_clean()


def shots(tab: Secure, folder: Path, name: str) -> None:
    """The page as a phone and as a desktop show it (then back to the phone's width)."""
    page = tab.page
    for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        png = page.screenshot(path=str(folder / f"{name}-{size}.png"), full_page=True)
        assert int.from_bytes(png[16:20], "big") == viewport["width"]  # the PNG's width
    page.set_viewport_size(PHONE)


def in_language(tab: Secure, language: str) -> None:
    html = tab.page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", SPOKEN[language]["dir"])


def registered_in(language: str, whatsapp: WhatsApp, secure: SecurePages) -> None:
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA, pin=PIN)
    whatsapp.send(AMINA, SPOKEN[language]["word"])  # the chat, and so the pages, speak it now


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_step_up_questions_page_speaks_the_customer_s_language(
    language: str,
    tab: Secure,
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    tmp_path: Path,
) -> None:
    says = SPOKEN[language]
    page = tab.page
    registered_in(language, whatsapp, secure)
    scenario = services.scenarios.find(search="PASSWORD_UPDATE")[0]
    swap = {"primary_challenge": "security_questions", "backup_challenge": "sms_code"}
    services.scenarios.update(scenario.scenario_id, swap, "officer")
    whatsapp.send(AMINA, "profile")
    assert tab.open(link_in(whatsapp.send(AMINA, "2").text)) == 200
    in_language(tab, language)
    assert tab.heading() == says["stepup_heading"]
    fields = page.locator("form input[type=password]")
    asked = [str(fields.nth(n).get_attribute("name")) for n in range(fields.count())]
    assert len(asked) == 2
    for qid in asked:  # each asked in the language, its field labelled by it
        expect(page.locator(f"label[for={qid}]")).to_have_text(says["questions"][qid])
    shots(tab, tmp_path, f"stepup-{language}")

    for qid in asked:  # blanks get past the browser's "required", not the page's own check
        page.locator(f"#{qid}").fill("  ")
    assert tab.submit("#confirm") == 400
    assert tab.alert() == says["both"]
    shots(tab, tmp_path, f"stepup-{language}-refused")

    for qid in asked:
        page.locator(f"#{qid}").fill(ANSWERS[qid])
    assert tab.submit("#confirm") == 200
    assert tab.heading() == says["stepup_done"]


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_card_pin_page_speaks_the_customer_s_language(
    language: str, tab: Secure, whatsapp: WhatsApp, secure: SecurePages, tmp_path: Path
) -> None:
    says = SPOKEN[language]
    page = tab.page
    registered_in(language, whatsapp, secure)
    whatsapp.send(AMINA, "cards")  # one card: straight to what can be done with it
    whatsapp.send(AMINA, "2")  # change its PIN: the step-up's code goes by SMS
    reply = whatsapp.send(AMINA, secure.last_code(AMINA)).text
    path = link_in(reply)
    assert path.startswith("/secure/cardpin/")
    assert tab.open(path) == 200
    in_language(tab, language)
    assert tab.heading() == says["card_heading"]
    # The masked card stays ••4249 in Arabic too: isolated left to right.
    expect(page.locator("h1 bdi")).to_have_attribute("dir", "ltr")
    shots(tab, tmp_path, f"cardpin-{language}")

    page.get_by_label(says["new_pin"], exact=True).fill("1234")
    page.get_by_label(says["repeat_pin"], exact=True).fill("1234")
    assert tab.submit("#change") == 400
    assert tab.alert() == says["weak"]
    shots(tab, tmp_path, f"cardpin-{language}-refused")

    page.get_by_label(says["new_pin"], exact=True).fill("8305")
    page.get_by_label(says["repeat_pin"], exact=True).fill("8305")
    assert tab.submit("#change") == 200
    assert tab.heading() == says["card_done"]
