"""A business customer is asked what the Business Banking scenarios say, through the real
webhook, bank, Redis and admin API: Oluwaseun (C006, ``"segment": "business"`` in the demo seed)
and Amina (retail) make the same kind of transfer; a Business Banking scenario created through
the API changes what Oluwaseun is asked — no code up to its threshold, a code by email above it —
and nothing of what Amina is asked; deactivated again, the default challenge is back.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from app import Config, Services
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.integration.test_admin_api import Admin
from tests.secure_pages import SecurePages, link_in

SEUN, SEUN_EMAIL, SEUN_ID = "+2348030000006", "seun@example.com", "seun.a"
INTERBANK = "INTER_BANK_ACCOUNT_FUND_TRANSFER_CREATE"  # to Bola (First Bank), to Chidi (Access)
BUSINESS_RULE = {
    "application": "Business Banking",
    "action": INTERBANK,
    "scenario_type": "monetary",
    "frequency": "value_based",
    "value_above": "500.00",
    "description": "Business interbank transfers",
    "primary_challenge": "email_code",
    "backup_challenge": "sms_code",
    "email_template": "Demo Bank: {otp} is your code to send {transfer_amount} to {payee_name}.",
    "sms_template": "Demo Bank: {otp} is your code to send {transfer_amount} to {payee_name}.",
}
SMS_ASKED = "For your security, we sent a code by SMS to +234•••••00"
EMAIL_ASKED = "For your security, we sent a code by email to s"


@pytest.fixture
def admin(client: FlaskClient, config: Config) -> Admin:
    return Admin(client, config.admin_api_key, staff="ada")


@pytest.fixture
def both_logged_in(whatsapp: WhatsApp, secure: SecurePages, clock: FrozenClock) -> None:
    """Both registered a day ago (past the cooling-off cap), logged in again now."""
    register_amina(whatsapp, secure)
    reply = whatsapp.send(SEUN, "balance")
    done = secure.register(
        link_in(reply.text), SEUN, login_id=SEUN_ID, dob="1983-03-17", nin4="8906"
    )
    assert done.status == 200
    clock.advance(hours=25)
    assert secure.login(link_in(whatsapp.send(AMINA, "balance").text)).status == 200
    login = secure.login(link_in(whatsapp.send(SEUN, "balance").text), login_id=SEUN_ID)
    assert login.status == 200


def pay(whatsapp: WhatsApp, msisdn: str, request: str) -> str:
    """One transfer to its summary and ``yes``: what the chat says next."""
    assert whatsapp.send(msisdn, request).text.startswith("Send *USD ")
    return whatsapp.send(msisdn, "yes").text


def test_a_business_banking_scenario_steps_up_the_business_customer_only(
    both_logged_in: None,
    whatsapp: WhatsApp,
    secure: SecurePages,
    admin: Admin,
    services: Services,
    outbox: OutboxMessenger,
) -> None:
    seun, amina = services.bank.customer("C006"), services.bank.customer("C001")
    assert seun is not None and seun.segment == "business"
    assert amina is not None and amina.segment == "retail"
    # Before: no Business Banking scenario, so the default challenge (money always gets one);
    # the Retail Banking rules are not Oluwaseun's.
    assert pay(whatsapp, SEUN, "send 100 to Bola").startswith(SMS_ASKED)
    whatsapp.send(SEUN, "cancel")

    created = admin.ok("POST", "/scenarios", BUSINESS_RULE, status=201)
    assert created["created_by"] == "automation:ada"

    # Up to the threshold: no code at all for the business customer.
    done = pay(whatsapp, SEUN, "send 100 to Bola")
    assert done.startswith("Done: USD 100.00 sent to Bola Ade")
    # Above it: the scenario's primary, a code by email, with its template.
    asked = pay(whatsapp, SEUN, "send 600 to Bola")
    assert asked.startswith(EMAIL_ASKED)
    [email] = outbox.messages(SEUN_EMAIL)
    assert email["body"].startswith("Demo Bank: ") and "USD 600.00" in email["body"]
    assert whatsapp.send(SEUN, secure.last_code(SEUN_EMAIL)).text.startswith(
        "Done: USD 600.00 sent to Bola Ade"
    )

    # The retail customer's same transfer still follows Retail Banking: always an SMS code.
    assert pay(whatsapp, AMINA, "send 100 to Chidi").startswith(SMS_ASKED)
    assert outbox.messages("amina@example.com") == []
    whatsapp.send(AMINA, "cancel")

    # The audit says which rule decided each.
    starts = services.scenarios.audit.entries(event="stepup.start")
    by_customer = {e.fields["customer"]: e.fields for e in reversed(starts)}
    assert by_customer["C006"]["scenario"] == created["id"]
    assert by_customer["C001"]["scenario"] == "oob07"

    # Deactivated (with the version it read), the default is back for the business customer.
    admin.ok("POST", f"/scenarios/{created['id']}/deactivate")
    assert pay(whatsapp, SEUN, "send 100 to Bola").startswith(SMS_ASKED)
