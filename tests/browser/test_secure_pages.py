"""The /secure pages in real Chromium, reached from links in WhatsApp replies: registration (with
and without an authenticator), login with wrong PINs up to the block, dead links, the PIN change
and CSRF. Every page is opened 375 px wide and watched: security headers on each /secure
response, no request off the live server, no console error or CSP violation, no horizontal
scroll, and a label for every field.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
from collections.abc import Iterator
from urllib.parse import urlparse

import pyotp
import pytest
from playwright.sync_api import Browser, Locator, Page, Request, Response, expect

from app import Services
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import AMINA_DOB, AMINA_NIN4, ANSWERS, SecurePages, link_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 375, "height": 740}
PIN = "495817"
HEADERS = {
    "cache-control": "no-store",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
# Chromium logs every non-2xx document as a console error; those statuses are asserted directly.
_STATUS_LOG = re.compile(r"^Failed to load resource: the server responded with a status of 4\d\d")
_CODE = re.compile(r"\b(\d{6}) is your code")
SHOTS = os.environ.get("SECURE_SHOTS", "")  # a directory: screenshot every page into it
_SHOT = itertools.count(1)


class Secure:
    """One browser tab on the secure pages, with everything it does watched."""

    def __init__(self, page: Page, origin: str) -> None:
        self.page = page
        self.origin = origin
        self.hosts: set[str] = set()
        self.errors: list[str] = []
        self.bad_headers: list[str] = []
        self.secure_responses = 0
        page.set_viewport_size(PHONE)
        page.on("request", self._request)
        page.on("response", self._response)
        page.on("console", lambda m: self._console(m.type, m.text))
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def _request(self, request: Request) -> None:
        url = urlparse(request.url)
        if url.scheme != "data":
            self.hosts.add(url.netloc)

    def _response(self, response: Response) -> None:
        url = response.url
        if not urlparse(url).path.startswith("/secure/"):
            if response.status not in (200, 304):  # a stylesheet, script or icon missing
                self.errors.append(f"{response.status} for {url}")
            return
        self.secure_responses += 1
        headers = response.headers
        for name, value in HEADERS.items():
            if headers.get(name) != value:
                self.bad_headers.append(f"{name}={headers.get(name)!r} on {url}")
        csp = headers.get("content-security-policy", "")
        if (
            "default-src 'none'" not in csp
            or "unsafe-inline" in csp
            or "frame-ancestors" not in csp
        ):
            self.bad_headers.append(f"CSP {csp!r} on {url}")

    def _console(self, kind: str, text: str) -> None:
        if kind == "error" and not _STATUS_LOG.match(text):
            self.errors.append(text)

    def open(self, path: str) -> int:
        response = self.page.goto(self.origin + path)
        assert response is not None
        self.check_layout()
        return response.status

    def submit(self, button: str | Locator) -> int:
        """Click a submit button; the status of the page the browser lands on."""
        target = self.page.locator(button) if isinstance(button, str) else button
        with self.page.expect_navigation() as navigation:
            target.click()
        response = navigation.value
        assert response is not None
        self.check_layout()
        return response.status

    def check_layout(self) -> None:
        if SHOTS:  # to look at every page as a phone shows it
            name = f"{os.getpid()}-{next(_SHOT):03d}.png"
            self.page.screenshot(path=os.path.join(SHOTS, name), full_page=True)
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"horizontal scroll on {self.page.url}: {width}px"
        unlabelled = self.page.evaluate(
            """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
                 .filter(el => el.labels.length === 0).map(el => el.name)"""
        )
        assert unlabelled == [], f"fields without a label on {self.page.url}"

    def heading(self) -> str:
        return self.page.locator("h1").inner_text()

    def alert(self) -> str:
        return self.page.locator("#alert").inner_text()

    def csrf(self) -> str:
        return self.page.locator("input[name=csrf_token]").first.input_value()

    def assert_clean(self) -> None:
        assert self.hosts <= {urlparse(self.origin).netloc}, self.hosts
        assert self.errors == []
        assert self.bad_headers == []


@pytest.fixture
def secure_tab(page: Page, live_server: str) -> Iterator[Secure]:
    tab = Secure(page, live_server)
    yield tab
    tab.assert_clean()
    assert tab.secure_responses > 0


def sms_code(outbox: OutboxMessenger) -> str:
    for message in reversed(outbox.messages(AMINA)):
        found = _CODE.search(message["body"])
        if found:
            return found.group(1)
    raise AssertionError("no code was sent")


def whatsapp_to(outbox: OutboxMessenger) -> list[str]:
    return [m["body"] for m in outbox.messages(AMINA) if m["channel"] == "whatsapp"]


def feedback(page: Page) -> dict[str, str]:
    """The live PIN rules and their state: pass, fail or '' (not judged yet)."""
    items = page.locator("#pin-feedback li")
    return {
        str(item.get_attribute("data-rule")): (item.get_attribute("class") or "")
        for item in items.all()
    }


def fill_details(tab: Secure, dob: str, code: str, nin4: str = AMINA_NIN4) -> int:
    """The details step as a customer types it: ``dob`` (ISO, for the test) goes into the
    day, named month and year fields."""
    year, month, day = dob.split("-")
    dob_group = tab.page.get_by_role("group", name="Date of birth")
    dob_group.get_by_label("Day").fill(str(int(day)))
    dob_group.get_by_label("Month").select_option(str(int(month)))
    dob_group.get_by_label("Year").fill(year)
    tab.page.get_by_label("Last 4 digits of your national ID number").fill(nin4)
    tab.page.get_by_label("Code from the SMS").fill(code)
    return tab.submit("#continue")


def fill_credentials(tab: Secure, pin: str = PIN) -> int:
    tab.page.get_by_label("Chat-banking ID").fill("amina.y")
    tab.page.get_by_label("PIN", exact=True).fill(pin)
    tab.page.get_by_label("PIN again").fill(pin)
    return tab.submit("#continue")


def fill_questions(tab: Secure) -> int:
    for n, (question, answer) in enumerate([("q1", "Queens"), ("q3", "Bingo"), ("q6", "Allen")]):
        fieldset = tab.page.locator("fieldset").nth(n)
        fieldset.get_by_label("Question", exact=True).select_option(question)
        fieldset.get_by_label("Answer").fill(answer)
    return tab.submit("#continue")


def registered_login_link(whatsapp: WhatsApp, secure: SecurePages) -> str:
    """Register Amina through the test client (fast), log out, and get a login link."""
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA, pin=PIN)
    whatsapp.send(AMINA, "logout")
    return link_in(whatsapp.send(AMINA, "balance").text)


def test_registration_with_an_authenticator_resumes_the_chat(
    secure_tab: Secure, whatsapp: WhatsApp, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    page = secure_tab.page
    assert secure_tab.open(link_in(whatsapp.send(AMINA, "balance").text)) == 200
    assert secure_tab.heading() == "Confirm it's you"
    assert secure_tab.submit(page.get_by_role("button", name="Send me a code")) == 200
    expect(page.locator("#code-sent")).to_contain_text("We sent a code to")
    assert fill_details(secure_tab, AMINA_DOB, sms_code(outbox)) == 200

    assert secure_tab.heading() == "Create your chat-banking ID and PIN"
    page.get_by_label("Chat-banking ID").fill("amina.y")
    pin = page.get_by_label("PIN", exact=True)
    assert set(feedback(page).values()) == {""}  # nothing judged before typing
    pin.press_sequentially("1212")
    assert feedback(page)["length"] == "fail"
    pin.press_sequentially("12")
    assert feedback(page) == {"length": "pass", "pattern": "fail", "sequence": "pass", "match": ""}
    pin.fill("")
    pin.press_sequentially("456789")
    assert feedback(page)["sequence"] == "fail"
    pin.fill(PIN)
    page.get_by_label("PIN again").press_sequentially(PIN[:3])
    assert feedback(page)["match"] == "fail"
    page.get_by_label("PIN again").press_sequentially(PIN[3:])
    assert set(feedback(page).values()) == {"pass"}
    assert secure_tab.submit("#continue") == 200

    assert secure_tab.heading() == "Choose 3 security questions"
    assert fill_questions(secure_tab) == 200

    assert secure_tab.heading() == "Add an authenticator app (optional)"
    assert page.eval_on_selector("img.qr", "img => img.naturalWidth") > 0  # data: QR under CSP
    shown = page.locator("#totp-key").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} )+[A-Z2-7]{1,4}", shown), shown  # in 4s, to type by hand
    key = shown.replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(key).at(clock.now))
    assert secure_tab.submit("#enable") == 200
    assert secure_tab.heading() == "You're registered"
    expect(page.locator("#done")).to_contain_text("we've carried on with your request there")

    resumed = whatsapp_to(outbox)[-1]
    assert resumed.startswith("You're logged in.")
    assert "Savings ••6789: USD 2,500.00" in resumed


def test_a_wrong_date_of_birth_then_registration_without_an_authenticator(
    secure_tab: Secure, whatsapp: WhatsApp, outbox: OutboxMessenger, clock: FrozenClock
) -> None:
    page = secure_tab.page
    secure_tab.open(link_in(whatsapp.send(AMINA, "balance").text))
    secure_tab.submit("#send-code")
    assert fill_details(secure_tab, "1990-04-13", sms_code(outbox)) == 401
    assert secure_tab.alert() == "That didn't match our records. You have 4 tries left."
    assert secure_tab.heading() == "Confirm it's you"
    assert secure_tab.submit("#send-code") == 429  # too soon for another code
    # The cooldown also runs on Redis's own clock, where real seconds pass between the two posts:
    # on a slow machine the wait shown may be a second or two under 30.
    wait = re.search(r"Please wait (\d+) seconds? for another code\.", secure_tab.alert())
    assert wait is not None and 25 <= int(wait.group(1)) <= 30
    clock.advance(seconds=31)
    assert secure_tab.submit("#send-code") == 200
    assert fill_details(secure_tab, AMINA_DOB, sms_code(outbox)) == 200
    assert fill_credentials(secure_tab) == 200
    assert fill_questions(secure_tab) == 200
    assert secure_tab.submit(page.get_by_role("button", name="Skip and finish")) == 200
    assert secure_tab.heading() == "You're registered"
    assert whatsapp_to(outbox)[-1].startswith("You're logged in.")


def test_five_wrong_details_block_registration(
    secure_tab: Secure, whatsapp: WhatsApp, outbox: OutboxMessenger
) -> None:
    path = link_in(whatsapp.send(AMINA, "balance").text)
    secure_tab.open(path)
    secure_tab.submit("#send-code")
    code = sms_code(outbox)
    for tries_left in (4, 3, 2):
        assert fill_details(secure_tab, "1991-01-01", code) == 401
        assert f"You have {tries_left} tries left." in secure_tab.alert()
    assert fill_details(secure_tab, "1991-01-01", code) == 401
    assert "one more wrong try blocks chat banking" in secure_tab.alert()
    assert fill_details(secure_tab, "1991-01-01", code) == 403
    assert secure_tab.heading().startswith("Chat banking is blocked until ")
    assert secure_tab.open(path) == 403
    assert "blocked" in whatsapp.send(AMINA, "balance").text


def test_wrong_pins_warn_then_block_and_the_right_pin_stays_refused(
    secure_tab: Secure, whatsapp: WhatsApp, secure: SecurePages
) -> None:
    page = secure_tab.page
    path = registered_login_link(whatsapp, secure)
    assert secure_tab.open(path) == 200
    assert secure_tab.heading() == "Log in to chat banking"
    for tries_left in (4, 3, 2, 1):
        page.get_by_label("Chat-banking ID").fill("amina.y")
        page.get_by_label("PIN").fill("000001")
        assert secure_tab.submit("#login") == 401
        if tries_left > 1:
            assert (
                secure_tab.alert()
                == f"That didn't match our records. You have {tries_left} tries left."
            )
        else:
            assert "Careful: one more wrong try blocks chat banking" in secure_tab.alert()
    token = secure_tab.csrf()
    page.get_by_label("Chat-banking ID").fill("amina.y")
    page.get_by_label("PIN").fill("000001")
    assert secure_tab.submit("#login") == 403
    assert secure_tab.heading().startswith("Chat banking is blocked until ")
    assert secure_tab.open(path) == 403
    right = page.request.post(
        secure_tab.origin + path, form={"csrf_token": token, "login_id": "amina.y", "pin": PIN}
    )
    assert right.status == 403 and "Chat banking is blocked until" in right.text()
    assert "(payments, changes and balances) is blocked" in whatsapp.send(AMINA, "balance").text


def test_expired_used_foreign_and_made_up_links_get_the_same_page(
    secure_tab: Secure,
    whatsapp: WhatsApp,
    secure: SecurePages,
    clock: FrozenClock,
    browser: Browser,
) -> None:
    page = secure_tab.page
    path = registered_login_link(whatsapp, secure)
    secure_tab.open(path)
    page.get_by_label("Chat-banking ID").fill("amina.y")
    page.get_by_label("PIN").fill("000001")
    assert secure_tab.submit("#login") == 401  # the link is now bound to this browser

    other = browser.new_context().new_page()
    response = other.goto(secure_tab.origin + path)
    assert response is not None and response.status == 404
    assert other.locator("h1").inner_text() == "This link can't be used"
    other.context.close()

    page.get_by_label("Chat-banking ID").fill("amina.y")
    page.get_by_label("PIN").fill(PIN)
    assert secure_tab.submit("#login") == 200
    assert secure_tab.heading() == "You're logged in"

    assert secure_tab.open(path) == 404  # used
    assert secure_tab.heading() == "This link can't be used"
    gone = page.locator("main").inner_text()
    whatsapp.send(AMINA, "logout")
    expired = link_in(whatsapp.send(AMINA, "balance").text)
    clock.advance(minutes=6)
    made_up = secrets.token_urlsafe(32)
    for dead in (
        expired,
        f"/secure/login/{made_up}",
        f"/secure/register/{made_up}",
        f"/secure/pin/{made_up}",
    ):
        assert secure_tab.open(dead) == 404
        assert page.locator("main").inner_text() == gone


def test_change_pin_from_the_security_centre(
    secure_tab: Secure, whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger
) -> None:
    page = secure_tab.page
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA, pin=PIN)
    whatsapp.send(AMINA, "profile")
    assert "code by SMS" in whatsapp.send(AMINA, "2").text  # PASSWORD_UPDATE's step-up first
    assert secure_tab.open(link_in(whatsapp.send(AMINA, sms_code(outbox)).text)) == 200
    assert secure_tab.heading() == "Change your chat-banking PIN"
    page.get_by_label("Current PIN").fill("000001")
    page.get_by_label("New PIN", exact=True).press_sequentially("111111")
    assert feedback(page)["pattern"] == "fail"
    page.get_by_label("New PIN", exact=True).fill("730518")
    page.get_by_label("New PIN again").fill("730518")
    assert set(feedback(page).values()) == {"pass"}
    assert secure_tab.submit("#change") == 401
    assert secure_tab.alert() == "That didn't match our records. You have 4 tries left."
    page.get_by_label("Current PIN").fill(PIN)
    page.get_by_label("New PIN", exact=True).fill("730518")
    page.get_by_label("New PIN again").fill("730518")
    assert secure_tab.submit("#change") == 200
    assert secure_tab.heading() == "Your PIN is changed"
    assert any("PIN was changed" in m["body"] for m in outbox.messages(AMINA))
    whatsapp.send(AMINA, "logout")
    assert secure.login(link_in(whatsapp.send(AMINA, "balance").text), pin="730518").status == 200


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    secure_tab: Secure, whatsapp: WhatsApp, outbox: OutboxMessenger
) -> None:
    page = secure_tab.page
    path = link_in(whatsapp.send(AMINA, "balance").text)
    secure_tab.open(path)
    page.evaluate("document.querySelectorAll('input[name=csrf_token]').forEach(i => i.remove())")
    assert secure_tab.submit("#send-code") == 400
    assert secure_tab.heading() == "This form has expired"
    assert outbox.messages(AMINA) == [] or all(
        not _CODE.search(m["body"]) for m in outbox.messages(AMINA)
    )
    forged = page.request.post(
        secure_tab.origin + path + "/details",
        form={"dob": "1991-01-01", "nin_last4": AMINA_NIN4, "code": "000000"},
    )
    assert forged.status == 400
    secure_tab.open(path)
    secure_tab.submit("#send-code")
    assert fill_details(secure_tab, "1991-01-01", sms_code(outbox)) == 401
    assert "You have 4 tries left." in secure_tab.alert()  # the refused posts counted nothing


def test_a_step_up_by_security_questions(
    secure_tab: Secure,
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
    services: Services,
) -> None:
    page = secure_tab.page
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA, pin=PIN)
    update = services.scenarios.update
    scenario = services.scenarios.find(search="PASSWORD_UPDATE")[0]
    swap = {"primary_challenge": "security_questions", "backup_challenge": "sms_code"}
    update(scenario.scenario_id, swap, "officer")
    whatsapp.send(AMINA, "profile")
    assert secure_tab.open(link_in(whatsapp.send(AMINA, "2").text)) == 200
    assert secure_tab.heading() == "Answer your security questions"
    fields = page.locator("form input[type=password]")
    assert fields.count() == 2
    asked = [str(fields.nth(n).get_attribute("name")) for n in range(2)]
    fields.nth(0).fill(ANSWERS[asked[0]])
    fields.nth(1).fill("wrong answer")
    assert secure_tab.submit("#confirm") == 401
    assert secure_tab.alert() == "That didn't match our records. You have 4 tries left."
    for n, qid in enumerate(asked):
        page.locator("form input[type=password]").nth(n).fill(ANSWERS[qid].lower())
    assert secure_tab.submit("#confirm") == 200
    assert secure_tab.heading() == "Thank you, that's confirmed"
    assert "/secure/pin/" in whatsapp_to(outbox)[-1]  # the chat went on by itself
