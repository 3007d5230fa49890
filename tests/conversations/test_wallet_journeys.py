"""Opening a wallet from WhatsApp, through the real webhook, secure pages, Redis and bank: an
unknown number gets the new-to-bank menu and a one-time onboarding link; the page checks the
person against the national ID registry, proves the phone by SMS, reuses registration's steps,
and the chat then shows a zero balance and the level-1 limits. Every refusal says why, changes
nothing and counts toward the details lockout; money held for the number arrives once."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from decimal import Decimal
from urllib.parse import urlparse

from app import Services
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina
from tests.conversations.test_p2p_journeys import claim_link, send_to_mobile
from tests.helpers import WhatsApp
from tests.secure_pages import Page, SecurePages, link_in

BOLA = "+2348039990001"  # not a customer; Bola Ade is in the demo national ID registry
BOLA_ID = {"name": "Bola Ade", "dob": "2001-09-30", "national_id": "29876543210"}
EMEKA_ID = {"name": "Emeka Nwosu", "dob": "1995-02-14", "national_id": "29876543211"}
GRACE = "+2348030000005"  # Grace Okafor: a customer without chat banking
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def onboarding_link(whatsapp: WhatsApp, number: str) -> str:
    menu = whatsapp.send(number, "hi").text
    assert "1 Open a wallet" in menu and "2 Claim money sent to you" in menu
    reply = whatsapp.send(number, "open wallet").text
    assert "valid 15 minutes" in reply
    return link_in(reply)


def details(
    secure: SecurePages, path: str, number: str, person: dict[str, str], **override: str
) -> Page:
    secure.post(f"{path}/code", {}, page_path=path)
    year, month, day = person["dob"].split("-")
    form = {
        "name": person["name"],
        "dob_day": day,
        "dob_month": str(int(month)),
        "dob_year": year,
        "national_id": person["national_id"],
        "email": "bola@example.com",
        "code": secure.last_code(number),
        "terms": "2026-01",
        **override,
    }
    return plain(secure.post(f"{path}/details", form, page_path=path))


def plain(page: Page) -> Page:
    """The page with its HTML entities read (``don&#39;t`` is "don't")."""
    return Page(page.status, html.unescape(page.text))


def finish(secure: SecurePages, path: str, login_id: str = "bola.ade") -> Page:
    secure.post(
        f"{path}/credentials",
        {"login_id": login_id, "pin": "495817", "repeat_pin": "495817"},
        page_path=path,
    )
    secure.post(f"{path}/questions", secure.answers(), page_path=path)
    return plain(secure.post(f"{path}/authenticator", {"action": "skip"}, page_path=path))


def open_wallet(
    whatsapp: WhatsApp, secure: SecurePages, number: str, person: dict[str, str]
) -> Page:
    path = onboarding_link(whatsapp, number)
    page = details(secure, path, number, person)
    assert page.status == 200 and "Create your chat-banking ID and PIN" in page.text, page.text
    return finish(secure, path, login_id=person["name"].split()[0].lower() + ".w")


def test_an_unknown_number_opens_a_wallet_in_a_few_steps(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, outbox: OutboxMessenger
) -> None:
    done = open_wallet(whatsapp, secure, BOLA, BOLA_ID)
    assert done.status == 200 and "Your wallet is open" in done.text
    customer = services.bank.customer_by_msisdn(BOLA)
    assert customer is not None and customer.kyc_level == 1 and customer.name == "Bola Ade"
    assert services.bank.terms_accepted(customer.customer_id) == "2026-01"
    welcome = [m["body"] for m in outbox.messages(BOLA) if m["channel"] == "whatsapp"][-1]
    assert "Welcome to Demo Bank, Bola! Your wallet ••" in welcome
    assert "Balance: USD 0.00" in welcome
    assert (
        "Your limits (KYC level 1): USD 500.00 per transfer, USD 1,000.00 a day, "
        "USD 5,000.00 a month." in welcome
    )
    # Logged in: the balance shows at once, with no further link.
    assert "USD 0.00" in whatsapp.send(BOLA, "balance").text
    events = {e.fields["event"]: e.fields for e in services.auth.audit.window()}
    assert events["wallet_open"]["customer"] == customer.customer_id
    assert "Customer Onboarding" in events["wallet_details"]["decision"] or events[
        "wallet_details"
    ]["decision"].startswith("no active scenario")
    # The person's details never reached Redis in the clear.
    dump = str({k: services.redis.dump(k) for k in services.redis.keys("*")})
    assert "29876543210" not in dump and "2001-09-30" not in dump


def test_a_national_id_with_a_wallet_already_is_refused(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    open_wallet(whatsapp, secure, BOLA, BOLA_ID)
    other = "+2348039990002"
    path = onboarding_link(whatsapp, other)
    page = details(secure, path, other, BOLA_ID)
    assert page.status == 401
    assert "A wallet is already open for this national ID" in page.text
    assert "12 Allen Avenue, Ikeja, Lagos" in page.text and "You have 4 tries left" in page.text
    assert services.bank.customer_by_msisdn(other) is None


def test_a_number_that_is_a_customers_already_is_refused(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    before = len(services.bank.list_customers())
    path = onboarding_link(whatsapp, GRACE)
    page = details(secure, path, GRACE, EMEKA_ID)
    assert page.status == 401 and "This number already belongs to a customer" in page.text
    assert "Victoria Island" in page.text
    assert len(services.bank.list_customers()) == before


def test_details_that_dont_match_the_registry_are_refused(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    path = onboarding_link(whatsapp, BOLA)
    page = details(secure, path, BOLA, {**BOLA_ID, "dob": "2001-09-29"})
    assert page.status == 401
    assert "don't match the national ID record" in page.text
    assert services.bank.customer_by_msisdn(BOLA) is None
    # Corrected, the same link goes on: the code was not used up by the refusal.
    page = details(secure, path, BOLA, {**BOLA_ID, "name": "ADE bólá"})
    assert "Create your chat-banking ID and PIN" in page.text


def test_too_young_and_impossible_dates_say_why_and_count(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    services.__dict__["onboarding"] = replace(services.onboarding, minimum_age=30)
    path = onboarding_link(whatsapp, BOLA)
    page = details(secure, path, BOLA, BOLA_ID)
    assert "You need to be 30 or older to open a wallet here" in page.text
    assert "Wuse II, 22 Aminu Kano Crescent" in page.text and "4 tries left" in page.text
    page = details(secure, path, BOLA, {**BOLA_ID, "dob": "1850-01-01"})
    assert "That date of birth can't be right" in page.text and "3 tries left" in page.text
    page = details(secure, path, BOLA, {**BOLA_ID, "dob": "2001-02-30"})  # not a date: asked
    assert "Enter your date of birth" in page.text and "tries left" not in page.text
    for _ in range(3):
        page = details(secure, path, BOLA, {**BOLA_ID, "dob": "2090-01-01"})
    assert page.status == 403  # the fifth refusal blocks, as registration's lockout does
    assert services.bank.customer_by_msisdn(BOLA) is None


def test_money_held_for_the_number_arrives_when_the_wallet_opens(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, outbox: OutboxMessenger
) -> None:
    register_amina(whatsapp, secure)
    send_to_mobile(whatsapp, secure, BOLA, "40")
    open_wallet(whatsapp, secure, BOLA, BOLA_ID)
    wallet = services.bank.wallet_of(BOLA)
    assert wallet is not None and wallet.balance == Decimal("40.00")
    welcome = [m["body"] for m in outbox.messages(BOLA) if m["channel"] == "whatsapp"][-1]
    assert "Balance: USD 40.00" in welcome
    # Amina sent it from the chat just now: she's told there (her window is open).
    told = [m["body"] for m in outbox.messages(AMINA) if m.get("path") == "session"][-1]
    assert told.startswith("The USD 40.00 you sent to +234•••••0001 (Ref ")
    claims = [e for e in services.auth.audit.window() if e.fields["event"] == "money.claim"]
    assert len(claims) == 1 and claims[0].fields["result"] == "success"
    assert services.bank.ledger_problems() == []


def test_a_claim_link_leads_through_opening_a_wallet_and_pays_once(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    outbox: OutboxMessenger,
) -> None:
    register_amina(whatsapp, secure)
    send_to_mobile(whatsapp, secure, BOLA, "25")
    claim = claim_link(outbox, BOLA)
    page = secure.get(claim)
    assert "Open a wallet and receive it" in page.text
    token = _CSRF.search(page.text)
    assert token is not None
    sent = secure.client.post(claim, data={"csrf_token": token.group(1)})
    assert sent.status_code == 303 and "/secure/onboard/" in sent.headers["Location"]
    path = urlparse(sent.headers["Location"]).path
    assert "Create your chat-banking ID" in details(secure, path, BOLA, BOLA_ID).text
    secure.post(
        f"{path}/credentials",
        {"login_id": "bola.ade", "pin": "495817", "repeat_pin": "495817"},
        page_path=path,
    )
    secure.post(f"{path}/questions", secure.answers(), page_path=path)
    form = {"action": "skip", "csrf_token": secure.csrf}
    first = secure.client.post(f"{path}/authenticator", data=form)
    again = secure.client.post(f"{path}/authenticator", data=form)  # the final form twice
    assert first.status_code == 200 and again.status_code == 404
    wallet = services.bank.wallet_of(BOLA)
    assert wallet is not None and wallet.balance == Decimal("25.00")
    assert secure.get(claim).status == 404  # the claim link is used: the neutral page
    paid = [e for e in services.auth.audit.window() if e.fields["event"] == "money.claim"]
    assert len(paid) == 1
    assert services.bank.ledger_problems() == []
