"""The claim page and the receipt check in French and Arabic, in real Chromium at 375 px and on
a desktop: the claim page speaks the language its number chose in the chat (whatever the
browser asks for), a dead claim link and the receipt check speak the browser's
(``Accept-Language``); Arabic pages are right to left. Screenshots of each go to a temporary
folder (and to ``$SECURE_SHOTS`` when set, to look at)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from app import Services
from bot.messenger import OutboxMessenger
from receipts import verification
from tests.conversations.test_claim_journeys import held_for
from tests.conversations.test_p2p_journeys import FRIEND
from tests.documents import transfer
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages
from workers.sources import receipt_for

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def tab(contexts: list[BrowserContext], browser: Browser, languages: str) -> Page:
    """A phone-sized tab whose browser asks for ``languages`` (its Accept-Language)."""
    locale = languages.split(",")[0]
    headers = {"Accept-Language": languages}
    context = browser.new_context(locale=locale, extra_http_headers=headers, viewport=PHONE)
    contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def shots(page: Page, folder: Path, name: str) -> None:
    """The page at 375 px and on a desktop, neither scrolling sideways."""
    for size, label in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(size)
        path = folder / f"{name}-{label}.png"
        png = page.screenshot(path=str(path), full_page=True)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(png[16:20], "big") == size["width"]  # no sideways scroll
        if os.environ.get("SECURE_SHOTS"):
            shutil.copy(path, Path(os.environ["SECURE_SHOTS"]) / path.name)
    page.set_viewport_size(PHONE)


def expect_language(page: Page, language: str, direction: str) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", direction)


def receipt_code(services: Services) -> str:
    record = services.bank.transfer_record(transfer(services, "verify-languages"))
    assert record is not None
    receipt = receipt_for(services.bank, record, services.bank_name)
    return verification.code_for(receipt, services.verify_key)


def test_the_claim_page_speaks_its_numbers_french_and_a_dead_link_the_browsers(
    browser: Browser,
    contexts: list[BrowserContext],
    live_server: str,
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
    tmp_path: Path,
) -> None:
    whatsapp.send(FRIEND, "bonjour")  # the recipient chose French in the chat
    claim = held_for(whatsapp, secure, outbox, FRIEND)
    page = tab(contexts, browser, "en-US")  # the number's language wins over the browser's
    response = page.goto(live_server + claim)
    assert response is not None and response.status == 200
    expect_language(page, "fr", "ltr")
    expect(page.locator("h1")).to_have_text("De l'argent vous attend")
    waiting = page.locator("#waiting")
    expect(waiting).to_contain_text("25,00\xa0$US")
    expect(waiting).to_contain_text("+234•••••9999")
    expect(page.locator("#open-wallet")).to_have_text("Ouvrir un portefeuille et le recevoir")
    expect(page.locator("footer")).to_contain_text("Demo Bank ne vous demande jamais")
    shots(page, tmp_path, "claim-fr")

    dead = tab(contexts, browser, "fr-FR,fr;q=0.9,en;q=0.5")
    response = dead.goto(f"{live_server}/claim/not-one-of-ours")
    assert response is not None and response.status == 404
    expect_language(dead, "fr", "ltr")
    expect(dead.locator("h1")).to_have_text("Ce lien ne fonctionne plus")
    expect(dead.locator("#gone")).to_contain_text("Ce lien a expiré")
    shots(dead, tmp_path, "claim-gone-fr")


def test_the_claim_page_in_arabic_is_right_to_left(
    browser: Browser,
    contexts: list[BrowserContext],
    live_server: str,
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
    tmp_path: Path,
) -> None:
    whatsapp.send(FRIEND, "مرحبا")
    claim = held_for(whatsapp, secure, outbox, FRIEND)
    page = tab(contexts, browser, "fr-FR")
    assert (response := page.goto(live_server + claim)) is not None and response.status == 200
    expect_language(page, "ar", "rtl")
    expect(page.locator("h1")).to_have_text("أموال بانتظارك")
    expect(page.locator("#waiting")).to_contain_text("25.00\xa0US$")
    # The masked number stays in its own order inside the Arabic sentence.
    expect(page.locator("#waiting bdi").last).to_have_text("+234•••••9999")
    expect(page.locator("#open-wallet")).to_have_text("افتح محفظة واستلمه")
    bank = page.locator(".bank").bounding_box()
    lock = page.locator(".lock").bounding_box()
    assert bank is not None and lock is not None and bank["x"] > lock["x"]  # mirrored
    shots(page, tmp_path, "claim-ar")

    dead = tab(contexts, browser, "ar")
    assert (response := dead.goto(f"{live_server}/claim/gone")) is not None
    assert response.status == 404
    expect_language(dead, "ar", "rtl")
    expect(dead.locator("h1")).to_have_text("لم يعد هذا الرابط صالحًا")
    shots(dead, tmp_path, "claim-gone-ar")


def test_the_receipt_check_speaks_the_browsers_french(
    browser: Browser,
    contexts: list[BrowserContext],
    live_server: str,
    services: Services,
    tmp_path: Path,
) -> None:
    code = receipt_code(services)
    page = tab(contexts, browser, "fr-CA,fr;q=0.8")
    assert (response := page.goto(f"{live_server}/verify")) is not None
    assert response.status == 200
    expect_language(page, "fr", "ltr")
    expect(page.locator("h1")).to_have_text("Vérifier un reçu")
    expect(page.get_by_label("Code de vérification")).to_be_visible()
    shots(page, tmp_path, "verify-fr-form")
    page.fill("#code", code)
    page.get_by_role("button", name="Vérifier le reçu").click()
    expect(page.locator("#verdict")).to_contain_text("Ce reçu est authentique.")
    expect(page.locator("#amount")).to_have_text("150,00\xa0$US")
    expect(page.locator("#status")).to_have_text("Effectué")
    shots(page, tmp_path, "verify-fr-genuine")
    page.fill("#code", code[:-1] + ("2" if code[-1] != "2" else "3"))
    page.get_by_role("button", name="Vérifier le reçu").click()
    expect(page.locator("#verdict")).to_contain_text("Nous ne pouvons pas confirmer ce reçu.")
    expect(page.locator("#amount")).to_have_count(0)
    shots(page, tmp_path, "verify-fr-forged")


def test_the_receipt_check_in_arabic_is_right_to_left(
    browser: Browser,
    contexts: list[BrowserContext],
    live_server: str,
    services: Services,
    tmp_path: Path,
) -> None:
    code = receipt_code(services)
    page = tab(contexts, browser, "ar-EG")
    assert (response := page.goto(f"{live_server}/verify")) is not None
    assert response.status == 200
    expect_language(page, "ar", "rtl")
    expect(page.locator("h1")).to_have_text("التحقق من إيصال")
    page.fill("#code", code)
    page.get_by_role("button", name="تحقق من الإيصال").click()
    expect(page.locator("#verdict")).to_contain_text("هذا الإيصال أصلي.")
    expect(page.locator("#status")).to_have_text("مكتملة")
    expect(page.locator("#reference")).to_have_text(code.split("-")[0])
    shots(page, tmp_path, "verify-ar-genuine")
    page.fill("#code", "TX000000-AAAA-BBBB-CCCC-DDDD")
    page.get_by_role("button", name="تحقق من الإيصال").click()
    expect(page.locator("#verdict")).to_contain_text("لا يمكننا تأكيد هذا الإيصال.")
    shots(page, tmp_path, "verify-ar-forged")


def test_a_browser_asking_for_no_catalog_language_gets_english(
    browser: Browser, contexts: list[BrowserContext], live_server: str
) -> None:
    page = tab(contexts, browser, "de-DE")
    assert (response := page.goto(f"{live_server}/verify")) is not None
    assert response.status == 200
    expect_language(page, "en", "ltr")
    expect(page.locator("h1")).to_have_text("Check a receipt")
