"""The registration's date of birth in real Chromium: asked as day, named month and year — the
bank's order — whatever the browser's locale (a ``type=date`` field shows mm/dd/yyyy in en-US),
labelled for screen readers, on one row at 375 px; an impossible date is asked again without a
strike, the right one goes on. Screenshots (phone and desktop) land in the test's tmp_path.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page

from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.helpers import WhatsApp
from tests.secure_pages import AMINA_NIN4, link_in


def details_page(browser: Browser, live: str, path: str, locale: str, width: int) -> Page:
    context = browser.new_context(locale=locale, viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live + path)
    page.locator("#send-code").click()
    page.wait_for_load_state()
    return page


def fill(page: Page, day: str, month: str, year: str, code: str) -> None:
    group = page.get_by_role("group", name="Date of birth")
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").select_option(label=month)
    group.get_by_label("Year").fill(year)
    page.get_by_label("Last 4 digits of your national ID number").fill(AMINA_NIN4)
    page.get_by_label("Code from the SMS").fill(code)
    page.locator("#continue").click()
    page.wait_for_load_state()


def last_code(outbox: OutboxMessenger) -> str:
    body = [str(m["body"]) for m in outbox.messages(AMINA) if m["channel"] == "sms"][-1]
    return body.split(": ")[1][:6]


def test_day_month_year_whatever_the_locale(
    browser: Browser, live_server: str, whatsapp: WhatsApp, outbox: OutboxMessenger, tmp_path: Path
) -> None:
    path = link_in(whatsapp.send(AMINA, "balance").text)
    page = details_page(browser, live_server, path, "en-US", 375)
    assert page.locator("input[type=date]").count() == 0
    group = page.get_by_role("group", name="Date of birth")
    boxes = [group.get_by_label(name).bounding_box() for name in ("Day", "Month", "Year")]
    assert all(box is not None for box in boxes)
    xs = [box["x"] for box in boxes if box]
    ys = {round(box["y"]) for box in boxes if box}
    assert xs == sorted(xs) and len(ys) == 1  # day, month, year, left to right on one row
    assert all(box["x"] + box["width"] <= 375 for box in boxes if box)
    months = group.get_by_label("Month").locator("option").all_inner_texts()
    assert months[1:4] == ["January", "February", "March"]
    assert "for example 12 April 1990" in page.locator("#dob-hint").inner_text()
    page.screenshot(path=str(tmp_path / "dob-375.png"), full_page=True)

    fill(page, "31", "February", "1990", last_code(outbox))  # no such day: asked again
    assert "Enter your date of birth: day, month and year." in page.locator("#alert").inner_text()
    assert "tries left" not in page.locator("#alert").inner_text()  # not counted

    fill(page, "12", "April", "1990", last_code(outbox))
    assert page.locator("h1").inner_text() == "Create your chat-banking ID and PIN"
    page.context.close()


def test_the_field_on_a_desktop_browser(
    browser: Browser, live_server: str, whatsapp: WhatsApp, tmp_path: Path
) -> None:
    path = link_in(whatsapp.send(AMINA, "balance").text)
    page = details_page(browser, live_server, path, "de-DE", 1280)
    group = page.get_by_role("group", name="Date of birth")
    assert group.get_by_label("Month").locator("option").nth(4).inner_text() == "April"
    page.screenshot(path=str(tmp_path / "dob-desktop.png"), full_page=True)
    page.context.close()


def test_the_block_page_at_375_px(
    browser: Browser, live_server: str, whatsapp: WhatsApp, outbox: OutboxMessenger, tmp_path: Path
) -> None:
    """Five wrong details: the page says why, until when on the bank's clock, whom to call."""
    path = link_in(whatsapp.send(AMINA, "balance").text)
    page = details_page(browser, live_server, path, "en-US", 375)
    for _ in range(5):
        fill(page, "1", "January", "1991", last_code(outbox))
    assert page.locator("h1").inner_text() == "Chat banking is blocked until 02 Nov 10:15 WAT"
    text = page.locator("main").inner_text()
    assert "too many failed attempts to confirm your details" in text
    assert "+234 201 234 5600" in text
    page.screenshot(path=str(tmp_path / "blocked-375.png"), full_page=True)
    page.context.close()
