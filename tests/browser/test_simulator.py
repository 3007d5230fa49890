"""The chat simulator in real Chromium: chat through the real webhook, see the inbox."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from bot.content.store import CONTENT_KEY
from messaging import Channel, Notice
from tests.conftest import AMINA, STRANGER

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def say(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")


def test_chat_as_a_demo_customer(page: Page, live_server: str) -> None:
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.goto(f"{live_server}/simulator")
    page.select_option("#customer", AMINA)
    say(page, "hi")
    expect(page.locator("#chat li.in").first).to_contain_text("Welcome to Demo Bank, Amina.")
    expect(page.locator("#chat li.in").first).to_contain_text("9 Security tips")
    say(page, "9")
    expect(page.locator("#chat li.in").nth(1)).to_contain_text("We never ask for your PIN")
    expect(page.locator("#chat li.out")).to_have_count(2)
    assert hosts == {urlparse(live_server).netloc}  # no external assets or calls


def test_unknown_number_and_bad_number(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/simulator")
    page.select_option("#customer", "")
    page.fill("#number", "12345")
    page.dispatch_event("#number", "change")
    say(page, "hi")
    expect(page.locator("#error")).to_contain_text("international format")
    expect(page.locator("#chat li")).to_have_count(0)
    page.fill("#number", STRANGER)
    page.dispatch_event("#number", "change")
    say(page, "hi")
    expect(page.locator("#chat li.in")).to_contain_text("isn't registered for Demo Bank")


def test_inbox_shows_sms_for_the_number(page: Page, live_server: str, app: Flask) -> None:
    app.extensions["teller"].messenger.send(Channel.SMS, AMINA, "Demo Bank: test code")
    page.goto(f"{live_server}/simulator")
    page.select_option("#customer", AMINA)
    expect(page.locator("#inbox li")).to_contain_text("Demo Bank: test code")


def test_a_proactive_message_shows_the_path_it_took(
    page: Page, live_server: str, app: Flask
) -> None:
    services = app.extensions["teller"]
    page.goto(f"{live_server}/simulator")
    page.select_option("#customer", AMINA)
    say(page, "hi")  # opens Amina's 24-hour window
    expect(page.locator("#chat li.in").first).to_contain_text("Welcome to Demo Bank, Amina.")
    notice = Notice("kyc_rejected", AMINA, {"bank": "Demo Bank", "reason": "a blurred photo"})
    services.outbound.notify(notice)
    told = page.locator("#chat li.in").nth(1)
    expect(told).to_contain_text("couldn't approve your KYC upgrade: a blurred photo")
    expect(told.locator(".path")).to_have_text("session")
    sid = "HX" + "5" * 32
    entry = '{"sid": "' + sid + '", "approval": "approved"}'
    services.redis.hset(CONTENT_KEY, "teller_kyc_rejected_en", entry)
    services.outbound.window.close(AMINA)  # as a 63016 would: outside the window now
    services.outbound.notify(notice)
    expect(page.locator("#chat li.in").nth(2).locator(".path")).to_have_text(f"template {sid}")


def test_narrow_phone_screen_has_no_horizontal_scroll(page: Page, live_server: str) -> None:
    page.set_viewport_size({"width": 375, "height": 700})
    page.goto(f"{live_server}/simulator")
    page.select_option("#customer", AMINA)
    say(page, "help")
    expect(page.locator("#chat li.in")).to_contain_text("assistant")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    page.screenshot(path="var/simulator-narrow.png")


def test_first_look_says_what_to_do_and_marks_customers_without_chat_banking(
    page: Page, live_server: str
) -> None:
    page.goto(f"{live_server}/simulator")
    expect(page.locator("#hint")).to_contain_text("Say hi to start")
    grace = page.locator("#customer option", has_text="Grace Okafor")
    expect(grace).to_contain_text("chat banking off")
    expect(page.locator("#customer option", has_text="Amina Yusuf")).not_to_contain_text("off")
    page.select_option("#customer", AMINA)
    say(page, "hi")
    expect(page.locator("#hint")).to_be_hidden()


def test_inbox_shows_email_to_the_customers_address_too(
    page: Page, live_server: str, app: Flask
) -> None:
    messenger = app.extensions["teller"].messenger
    messenger.send(Channel.EMAIL, "amina@example.com", "123456 is your code", subject="Code")
    messenger.send(Channel.EMAIL, "tunde@example.com", "not for Amina", subject="Code")
    page.goto(f"{live_server}/simulator")
    page.select_option("#customer", AMINA)
    expect(page.locator("#inbox li")).to_contain_text("123456 is your code")
    expect(page.locator("#inbox li", has_text="email")).to_have_count(1)
    expect(page.locator("#inbox-number")).to_contain_text("amina@example.com")


def test_old_whatsapp_messages_are_never_replayed_into_the_chat(
    page: Page, live_server: str, app: Flask
) -> None:
    messenger = app.extensions["teller"].messenger
    messenger.send(Channel.WHATSAPP, AMINA, "an old reply from another session")
    page.goto(f"{live_server}/simulator")
    page.select_option("#customer", AMINA)
    page.wait_for_timeout(500)
    expect(page.locator("#chat li")).to_have_count(0)
    messenger.send(Channel.WHATSAPP, AMINA, "a message sent while the page is open")
    expect(page.locator("#chat li.in")).to_contain_text("sent while the page is open", timeout=5000)
    expect(page.locator("#chat li", has_text="an old reply")).to_have_count(0)
