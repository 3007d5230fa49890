"""Opening a wallet and upgrading KYC in the number's language, in real Chromium: a French
number's link opens the wallet pages in French to the end, an Arabic one's right to left; a bad
submit is answered in the page's language, the terms open in it, and a refused document says
why in it. Each page is shot at 375 px and at desktop width into a temporary folder."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bot.messenger import OutboxMessenger
from tests import kyc_files
from tests.browser.test_secure_pages import PHONE, PIN, Secure
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NEWCOMER = "+2348039990001"  # not a customer; Bola Ade in the demo national ID registry
DESKTOP = {"width": 1280, "height": 900}
_CODE = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def tab(page: Page, live_server: str) -> Iterator[Secure]:
    opened = Secure(page, live_server)
    yield opened
    opened.assert_clean()


def shots(tab: Secure, folder: Path, name: str) -> None:
    """The page as a phone shows it and as a desktop does (the tab is left at phone width)."""
    for label, size in (("375", PHONE), ("desktop", DESKTOP)):
        tab.page.set_viewport_size(size)
        path = folder / f"{name}-{label}.png"
        png = tab.page.screenshot(path=str(path), full_page=True)
        assert int.from_bytes(png[16:20], "big") == size["width"]  # the PNG's width
    tab.page.set_viewport_size(PHONE)


def sms_code(outbox: OutboxMessenger, number: str) -> str:
    for message in reversed(outbox.messages(number)):
        found = _CODE.search(message["body"])
        if message["channel"] == "sms" and found:
            return found.group(1)
    raise AssertionError("no code was sent by SMS")


def open_wallet_link(whatsapp: WhatsApp, greeting: str) -> str:
    """The newcomer chooses a language by its menu word, then asks for a wallet."""
    whatsapp.send(NEWCOMER, greeting)
    return link_in(whatsapp.send(NEWCOMER, "open wallet").text)


def fill_details(page: Page, outbox: OutboxMessenger, name: str, email: str) -> None:
    page.locator("#name").fill(name)
    page.locator("#dob_day").fill("30")
    page.locator("#dob_month").select_option("9")
    page.locator("#dob_year").fill("2001")
    page.locator("#national_id").fill("29876543210")
    page.locator("#email").fill(email)
    page.locator("#code").fill(sms_code(outbox, NEWCOMER))
    page.locator("#terms").check()


def test_a_french_number_opens_its_wallet_in_french(
    tab: Secure, whatsapp: WhatsApp, outbox: OutboxMessenger, tmp_path: Path
) -> None:
    page = tab.page
    assert tab.open(open_wallet_link(whatsapp, "bonjour")) == 200
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    assert tab.heading() == "Ouvrez votre portefeuille Demo Bank"
    expect(page.locator("label[for=national_id]")).to_have_text(
        "Numéro d'identification nationale (NIN)"
    )
    assert page.locator("#dob_month option").nth(4).inner_text() == "avril"
    shots(tab, tmp_path, "fr-details")

    assert tab.submit(page.get_by_role("button", name="Envoyez-moi un code")) == 200
    expect(page.locator("#code-sent")).to_contain_text("Il est valable 5 minutes.")
    # One word for a name and an address without a domain: asked again, in French.
    fill_details(page, outbox, "Bola", "bola@example")
    assert tab.submit("#continue") == 400
    alert = tab.alert()
    assert "Saisissez votre nom complet tel qu'il figure sur votre pièce d'identité" in alert
    assert "Saisissez votre adresse e-mail, par exemple nom@exemple.com." in alert
    assert "Enter" not in alert
    shots(tab, tmp_path, "fr-problems")

    terms = page.locator("label[for=terms] a").get_attribute("href")
    assert terms is not None and terms.endswith("?lang=fr")

    fill_details(page, outbox, "Bola Ade", "bola@example.com")
    assert tab.submit("#continue") == 200
    assert tab.heading() == "Créez votre identifiant et votre PIN"
    page.locator("#login_id").fill("bola.ade")
    page.locator("#pin").fill(PIN)
    page.locator("#repeat_pin").fill(PIN)
    assert tab.submit("#continue") == 200
    for n in (1, 2, 3):
        page.locator(f"#answer_{n}").fill(f"réponse numéro {n}")
    assert tab.submit("#continue") == 200
    assert tab.heading() == "Ajoutez une application d'authentification (facultatif)"
    assert tab.submit(page.get_by_role("button", name="Passer et terminer")) == 200
    assert tab.heading() == "Votre portefeuille est ouvert"
    expect(page.locator("#done")).to_contain_text("Retournez sur WhatsApp")
    shots(tab, tmp_path, "fr-done")

    assert tab.open(terms) == 200
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert tab.heading() == "Conditions du portefeuille Demo Bank"
    expect(page.locator("#terms-version")).to_have_text("Version 2026-01")
    shots(tab, tmp_path, "fr-terms")


def test_an_arabic_number_opens_its_wallet_right_to_left(
    tab: Secure, whatsapp: WhatsApp, outbox: OutboxMessenger, tmp_path: Path
) -> None:
    page = tab.page
    assert tab.open(open_wallet_link(whatsapp, "مرحبا")) == 200
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    assert tab.heading() == "افتح محفظتك لدى Demo Bank"
    expect(page.locator("label[for=name]")).to_have_text("الاسم الكامل كما هو في هويتك الوطنية")
    expect(page.locator("label[for=email]")).to_have_text("البريد الإلكتروني")
    # Mirrored: the first field's label starts on the right of the form.
    label = page.locator("label[for=name]").bounding_box()
    field = page.locator("#name").bounding_box()
    assert label is not None and field is not None
    assert label["x"] + label["width"] >= field["x"] + field["width"] - 1
    shots(tab, tmp_path, "ar-details")

    assert tab.submit(page.get_by_role("button", name="أرسل لي رمزًا")) == 200
    fill_details(page, outbox, "Bola", "bola@example")
    assert tab.submit("#continue") == 400
    alert = tab.alert()
    assert "أدخل اسمك الكامل كما هو في هويتك الوطنية" in alert
    assert "أدخل بريدك الإلكتروني، مثل name@example.com." in alert
    shots(tab, tmp_path, "ar-problems")

    # Right details but a birthday a day off the registry's: refused, saying why, in Arabic.
    fill_details(page, outbox, "Bola Ade", "bola@example.com")
    page.locator("#dob_day").fill("29")
    assert tab.submit("#continue") == 401
    assert "لا تطابق سجل الهوية الوطنية" in tab.alert()
    shots(tab, tmp_path, "ar-refused")

    terms = page.locator("label[for=terms] a").get_attribute("href")
    assert terms is not None and tab.open(terms) == 200
    expect(html).to_have_attribute("dir", "rtl")
    assert tab.heading() == "شروط محفظة Demo Bank"
    shots(tab, tmp_path, "ar-terms")


def test_the_kyc_upload_page_refuses_a_file_in_the_customers_language(
    tab: Secure, whatsapp: WhatsApp, secure: SecurePages, tmp_path: Path
) -> None:
    page = tab.page
    register_amina(whatsapp, secure)
    whatsapp.send(AMINA, "bonjour")
    whatsapp.send(AMINA, "profile")
    assert tab.open(link_in(whatsapp.send(AMINA, "7").text)) == 200
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert tab.heading() == "Passer au niveau KYC 3"
    expect(page.locator("label[for=identity]")).to_have_text("Pièce d'identité")
    expect(page.locator("label[for=address]")).to_have_text("Justificatif de domicile")
    page.set_input_files("#identity", _file("passport.png", "image/png", kyc_files.TEXT_AS_PNG))
    page.set_input_files("#address", _file("bill.pdf", "application/pdf", kyc_files.pdf()))
    assert tab.submit("#upload") == 400
    expect(page.locator("#identity-problem")).to_have_text(
        "Ce fichier n'est ni un JPEG, ni un PNG, ni un PDF, quel que soit son nom. "
        "Choisissez une photo (JPEG ou PNG) ou un PDF de votre document."
    )
    expect(page.locator("#address-problem")).to_have_count(0)
    shots(tab, tmp_path, "fr-kyc-refused")

    whatsapp.send(AMINA, "مرحبا")
    whatsapp.send(AMINA, "profile")
    assert tab.open(link_in(whatsapp.send(AMINA, "7").text)) == 200
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert tab.heading() == "الترقية إلى مستوى KYC رقم 3"
    expect(page.locator("#upload")).to_have_text("أرسل المستندات")
    shots(tab, tmp_path, "ar-kyc")


def _file(name: str, mime: str, data: bytes) -> dict[str, object]:
    return {"name": name, "mimeType": mime, "buffer": data}
