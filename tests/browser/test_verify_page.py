"""/verify in real Chromium, 375 px wide: a genuine receipt's code shows its facts (masked), a
forged one gets the neutral answer; the page keeps the secure pages' headers and CSP, asks
nothing of another host, logs no console error and labels its field."""

from __future__ import annotations

import os
import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, Response, expect

from app import Services
from receipts import verification
from tests.documents import AMINA_SAVINGS, transfer
from workers.sources import receipt_for

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 375, "height": 740}
SHOTS = os.environ.get("SECURE_SHOTS", "")
# Chromium logs every non-2xx document as a console error; statuses are asserted directly.
_STATUS_LOG = re.compile(r"^Failed to load resource: the server responded with a status of 4\d\d")


def receipt_code(services: Services) -> str:
    record = services.bank.transfer_record(transfer(services, "verify-browser"))
    assert record is not None
    receipt = receipt_for(services.bank, record, services.bank_name)
    return verification.code_for(receipt, services.verify_key)


def watch(page: Page, origin: str) -> tuple[set[str], list[str]]:
    hosts: set[str] = set()
    problems: list[str] = []

    def response(resp: Response) -> None:
        if urlparse(resp.url).path != "/verify":
            if resp.status not in (200, 304):
                problems.append(f"{resp.status} for {resp.url}")
            return
        headers = resp.headers
        csp = headers.get("content-security-policy", "")
        if headers.get("cache-control") != "no-store" or headers.get("x-frame-options") != "DENY":
            problems.append(f"headers on {resp.url}: {headers}")
        if "default-src 'none'" not in csp or "unsafe-inline" in csp:
            problems.append(f"CSP {csp!r}")

    page.set_viewport_size(PHONE)
    page.on("request", lambda r: hosts.add(urlparse(r.url).netloc))
    page.on("response", response)
    page.on(
        "console",
        lambda m: (
            problems.append(m.text) if m.type == "error" and not _STATUS_LOG.match(m.text) else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return hosts, problems


def check_layout(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"verify-{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    unlabelled = page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden])')]
             .filter(el => el.labels.length === 0).map(el => el.name)"""
    )
    assert unlabelled == []


def test_a_genuine_code_shows_the_receipt_and_a_forged_one_does_not(
    page: Page, live_server: str, services: Services
) -> None:
    hosts, problems = watch(page, live_server)
    code = receipt_code(services)
    response = page.goto(f"{live_server}/verify")
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_have_text("Check a receipt")
    check_layout(page, "form")
    # Typed the way people do: lower case, spaces instead of dashes.
    page.fill("#code", code.lower().replace("-", " "))
    page.click("#check")
    verdict = page.locator("#verdict")
    expect(verdict).to_contain_text("This receipt is genuine")
    expect(page.locator("#amount")).to_have_text("USD 150.00")
    expect(page.locator("#sender")).to_have_text("Amina Yusuf (••6789)")
    expect(page.locator("#recipient")).to_have_text("Chidi Okeke (Access Bank ••4321)")
    expect(page.locator("#reference")).to_have_text(code.split("-")[0])
    assert AMINA_SAVINGS not in page.content()
    check_layout(page, "genuine")
    forged = code[:-1] + ("2" if code[-1] != "2" else "3")
    page.fill("#code", forged)
    page.click("#check")
    expect(verdict).to_contain_text("We can't confirm this receipt")
    expect(page.locator("#amount")).to_have_count(0)
    check_layout(page, "forged")
    assert hosts <= {urlparse(live_server).netloc}, hosts
    assert problems == []
