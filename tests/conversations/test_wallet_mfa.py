"""The Customer Onboarding MFA scenario on wallet opening, through the real pages, Redis and
bank: a scenario that names the SMS code is met by the code on the first step; one that names
an email code adds a step with a code sent to the typed address (wrong codes count); one that
names only what a new person can't have opens nothing online."""

from __future__ import annotations

import re
from typing import Any

from app import Services
from auth.scenarios.model import Status
from bot.messenger import OutboxMessenger
from tests.conversations.test_wallet_journeys import (
    BOLA,
    BOLA_ID,
    details,
    finish,
    onboarding_link,
    plain,
)
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages

_EMAIL_CODE = re.compile(r"\b(\d{6}) is your code to confirm this email")


def onboarding_scenario(services: Services, primary: str, backup: str | None = None) -> None:
    data: dict[str, Any] = {
        "application": "Customer Onboarding",
        "action": "LOGIN",
        "scenario_type": "non_monetary",
        "activity_type": "login",
        "description": "Wallet opening",
        "primary_challenge": primary,
        "sms_template": "Code {otp}",
        "email_template": "Code {otp}",
    }
    if backup:
        data["backup_challenge"] = backup
    scenario = services.scenarios.create(data, "alice")
    services.scenarios.set_status(scenario.scenario_id, Status.ACTIVE, "alice")


def email_code(outbox: OutboxMessenger) -> str:
    for message in reversed(outbox.messages("bola@example.com")):
        found = _EMAIL_CODE.search(message["body"])
        if found:
            return found.group(1)
    raise AssertionError("no email code")


def audit(services: Services, event: str) -> list[dict[str, str]]:
    return [dict(e.fields) for e in services.auth.audit.window() if e.fields["event"] == event]


def test_an_sms_code_scenario_is_met_by_the_code_on_the_page(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    onboarding_scenario(services, "sms_code", "email_code")
    path = onboarding_link(whatsapp, BOLA)
    page = details(secure, path, BOLA, BOLA_ID)
    assert "Create your chat-banking ID and PIN" in page.text
    [checked] = audit(services, "wallet_details")
    assert checked["challenge"] == "sms_code" and "Wallet opening" in checked["decision"]


def test_an_email_code_scenario_adds_a_step_before_the_id_and_pin(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    outbox: OutboxMessenger,
    clock: FrozenClock,
) -> None:
    onboarding_scenario(services, "email_code", "sms_code")
    path = onboarding_link(whatsapp, BOLA)
    page = details(secure, path, BOLA, BOLA_ID)
    assert page.status == 200 and "Confirm your email" in page.text, page.text
    assert "@example.com" in page.text and "bola@example.com" not in page.text  # masked
    code = email_code(outbox)
    assert code not in str([m["body"] for m in outbox.messages(BOLA)])  # not by SMS or chat
    # The credentials can't be posted before the email step is done.
    skipped = secure.post(
        f"{path}/credentials",
        {"login_id": "bola.ade", "pin": "495817", "repeat_pin": "495817"},
        page_path=path,
    )
    assert skipped.status == 404
    wrong = plain(secure.post(f"{path}/email", {"code": "000000"}, page_path=path))
    assert wrong.status == 401 and "isn't the one we sent" in wrong.text
    assert "You have 4 tries left" in wrong.text
    too_soon = secure.post(f"{path}/email/code", {}, page_path=path)
    assert too_soon.status == 429 and "seconds for another code" in too_soon.text
    clock.advance(minutes=2)
    resent = plain(secure.post(f"{path}/email/code", {}, page_path=path))
    assert resent.status == 200 and "We sent a new code" in resent.text
    page = plain(secure.post(f"{path}/email", {"code": email_code(outbox)}, page_path=path))
    assert "Create your chat-banking ID and PIN" in page.text
    done = finish(secure, path)
    assert done.status == 200 and "Your wallet is open" in done.text
    assert services.bank.wallet_of(BOLA) is not None
    [checked] = audit(services, "wallet_details")
    assert checked["challenge"] == "email_code"
    emails = audit(services, "wallet_email")
    assert sorted(e["result"] for e in emails) == ["failure", "success"]


def test_a_challenge_no_new_person_can_meet_opens_nothing_online(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    onboarding_scenario(services, "authenticator_app", "security_questions")
    path = onboarding_link(whatsapp, BOLA)
    page = details(secure, path, BOLA, BOLA_ID)
    assert page.status == 400 and "can't open a wallet online" in page.text
    assert "12 Allen Avenue" in page.text
    assert "Create your chat-banking ID" not in page.text
    assert services.bank.customer_by_msisdn(BOLA) is None
    [refused] = audit(services, "wallet_details")
    assert (refused["result"], refused["reason"]) == ("refused", "mfa_unavailable")
