"""The secure pages in the customer's language, in real Chromium at 375 px: an Arabic
registration is right to left (``<html lang="ar" dir="rtl">``), mirrored by the stylesheet's
logical sides, with no horizontal scroll; the chat it resumes is in Arabic too. A screenshot of
each page goes to var/screenshots/ to look at."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from bot.messenger import OutboxMessenger
from tests.browser.shots import OTHER_SHOTS
from tests.browser.test_secure_pages import PHONE, PIN, Secure
from tests.conftest import AMINA
from tests.helpers import WhatsApp
from tests.secure_pages import AMINA_DOB, AMINA_NIN4, link_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def tab(page: Page, live_server: str) -> Iterator[Secure]:
    opened = Secure(page, live_server)
    yield opened
    opened.assert_clean()


def shot(tab: Secure, name: str) -> None:
    OTHER_SHOTS.mkdir(parents=True, exist_ok=True)
    png = tab.page.screenshot(path=str(OTHER_SHOTS / f"secure-{name}.png"), full_page=True)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") == PHONE["width"]  # the PNG's width


def last_code(outbox: OutboxMessenger) -> str:
    for message in reversed(outbox.messages(AMINA)):
        found = re.search(r"\b(\d{6}) هو رمزك", message["body"])
        if message["channel"] == "sms" and found:
            return found.group(1)
    raise AssertionError("no code was sent in Arabic")


def test_an_arabic_registration_is_right_to_left(
    tab: Secure, whatsapp: WhatsApp, outbox: OutboxMessenger
) -> None:
    page = tab.page
    assert whatsapp.send(AMINA, "مرحبا").text.startswith("مرحبًا بك في Demo Bank")
    assert tab.open(link_in(whatsapp.send(AMINA, "1").text)) == 200
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    assert tab.heading() == "أكّد هويتك"
    # Mirrored: the bank's name starts on the right, the padlock's text on the left.
    bank = page.locator(".bank").bounding_box()
    lock = page.locator(".lock").bounding_box()
    assert bank is not None and lock is not None and bank["x"] > lock["x"]
    assert page.locator("#dob_month option").nth(4).inner_text() == "أبريل"
    shot(tab, "ar-details")

    assert tab.submit(page.get_by_role("button", name="أرسل لي رمزًا")) == 200
    year, month, day = AMINA_DOB.split("-")
    page.locator("#dob_day").fill(str(int(day)))
    page.locator("#dob_month").select_option(str(int(month)))
    page.locator("#dob_year").fill(year)
    page.get_by_label("آخر 4 أرقام من رقم هويتك الوطنية").fill(AMINA_NIN4)
    page.get_by_label("الرمز الوارد في الرسالة القصيرة").fill(last_code(outbox))
    assert tab.submit("#continue") == 200

    assert tab.heading() == "أنشئ معرّفك ورقمك السري"
    page.get_by_label("معرّف الخدمة المصرفية عبر الدردشة").fill("amina.y")
    page.get_by_label("الرقم السري", exact=True).fill(PIN)
    page.get_by_label("أعد كتابة الرقم السري").fill(PIN)
    shot(tab, "ar-credentials")
    assert tab.submit("#continue") == 200

    assert tab.heading() == "اختر 3 أسئلة أمنية"
    for n, (question, answer) in enumerate([("q1", "Queens"), ("q3", "Bingo"), ("q6", "Allen")]):
        fieldset = page.locator("fieldset").nth(n)
        fieldset.get_by_label("السؤال", exact=True).select_option(question)
        fieldset.get_by_label("الإجابة").fill(answer)
    assert tab.submit("#continue") == 200
    if tab.heading() != "تم تسجيلك":  # the optional authenticator step: skip it
        assert tab.submit(page.locator("button.secondary").last) == 200
    assert tab.heading() == "تم تسجيلك"
    expect(page.locator("#done")).to_have_text("عُد إلى واتساب: تابعنا طلبك هناك.")
    shot(tab, "ar-done")
    resumed = [m["body"] for m in outbox.messages(AMINA) if m["channel"] == "whatsapp"][-1]
    assert resumed.startswith("تم تسجيل دخولك.\n\nأرصدتك المتاحة:")
