"""Finding a customer (``admin.customers.search``) by each key on the demo bank and real Redis,
and the customer page model (``admin.customers.profile``, ``activity``): masked, complete, and
read without changing anything."""

from __future__ import annotations

import pytest

from admin.customers.activity import PER_LIST, recent_activity
from admin.customers.profile import customer_page
from admin.customers.search import By, Results, search
from app import Services
from auth.ports import Status
from auth.stores.lockout import Kind
from tests.conftest import AMINA
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in


def find(services: Services, query: str) -> Results:
    return search(services.bank, services.auth.credentials, query)


def ids(results: Results) -> list[str]:
    return [f.customer.customer_id for f in results.found]


@pytest.mark.parametrize(
    ("query", "expected", "by"),
    [
        ("+2348030000001", ["C001"], By.NUMBER),
        ("+234 803 000 0001", ["C001"], By.NUMBER),
        ("0001", ["C001"], By.NUMBER),
        ("08030000002", ["C002"], By.NUMBER),  # the national form, leading 0
        ("2348030000006", ["C006"], By.NUMBER),
        ("amina", ["C001"], By.NAME),
        ("YUSUF amina", ["C001"], By.NAME),  # any case, words in any order
        ("c003", ["C003"], By.CUSTOMER_ID),
    ],
)
def test_search_by_each_key(services: Services, query: str, expected: list[str], by: By) -> None:
    results = find(services, query)
    assert results.searched and ids(results) == expected
    assert by in results.found[0].by


def test_search_by_chat_banking_id(
    services: Services, whatsapp: WhatsApp, secure: SecurePages
) -> None:
    assert ids(find(services, "amina.y")) == []
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA, login_id="Amina.Y")
    results = find(services, "amina.y")  # IDs are case-insensitive
    assert ids(results) == ["C001"] and results.found[0].by == (By.LOGIN_ID,)
    assert results.found[0].chat_banking == "registered"


def test_results_are_masked_and_say_the_chat_banking_standing(services: Services) -> None:
    [grace] = find(services, "0005").found
    assert grace.chat_banking == "not in chat banking"  # in the bank, out of the directory
    [amina] = find(services, "0001").found
    assert amina.number == "+234•••••0001" and amina.chat_banking == "not registered"
    assert [f.customer.segment for f in find(services, "adebayo").found] == ["business"]


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("a", "Type at least 2 letters"),
        ("123", "Type at least the last 4 digits"),
        ("+12", "Type at least the last 4 digits"),
        ("x" * 101, "Keep it to 100"),
    ],
)
def test_a_query_that_cant_be_searched_says_why(
    services: Services, query: str, problem: str
) -> None:
    results = find(services, query)
    assert results.problem.startswith(problem) and not results.found and not results.searched


def test_nothing_found_and_empty(services: Services) -> None:
    assert find(services, "zebedee").found == ()
    assert not find(services, "   ").searched


def test_the_page_model_is_masked_and_complete(
    services: Services, whatsapp: WhatsApp, secure: SecurePages
) -> None:
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA)
    for _ in range(3):
        services.auth.lockouts.failure(AMINA, Kind.PIN, services.clock())
    for _ in range(5):
        services.auth.lockouts.failure(AMINA, Kind.CODE, services.clock())
    customer = services.bank.customer("C001")
    assert customer is not None
    model = customer_page(
        services.bank,
        services.auth,
        customer,
        zone=services.zone,
        currency=services.currency,
        clock=services.clock,
    )
    text = repr(model)
    for secret in (AMINA, "amina@example.com", "0123456789", "amina.y", "1990-04-12"):
        assert secret not in text
    assert model.number == "+234•••••0001" and model.email == "a••••@example.com"
    assert model.segment == "retail" and model.kyc_level == 2
    assert model.registration.registered and model.registration.status == "registered"
    assert model.registration.at.endswith("WAT")  # on the bank's clock
    assert model.registration.authenticator is False
    assert model.limits.capped and model.limits.daily == "USD 200.00"  # the cooling-off
    lockouts = {lockout.kind: lockout for lockout in model.lockouts}
    assert lockouts[Kind.PIN].failures == 3 and not lockouts[Kind.PIN].in_force
    assert lockouts[Kind.CODE].in_force and lockouts[Kind.CODE].strikes == 1
    assert model.session.status is Status.BLOCKED and "too many wrong codes" in model.session.text
    assert model.can_lift and model.can_block and not model.blocked_by_bank
    assert len(model.logins) == 1
    assert [a.number for a in model.accounts] == ["••6789", "••6790"]
    assert model.accounts[0].movements[0].debit
    assert [e.event for e in model.activity.security] == ["registration"]


def test_the_session_is_read_without_extending_it(
    services: Services, whatsapp: WhatsApp, secure: SecurePages
) -> None:
    secure.register(link_in(whatsapp.send(AMINA, "balance").text), AMINA)
    customer = services.bank.customer("C001")
    assert customer is not None
    before = services.auth.sessions.check(AMINA, services.clock(), extend=False).expires_at
    services.clock.advance(minutes=4)  # type: ignore[attr-defined]
    model = customer_page(
        services.bank,
        services.auth,
        customer,
        zone=services.zone,
        currency=services.currency,
        clock=services.clock,
    )
    assert model.session.status is Status.VALID
    after = services.auth.sessions.check(AMINA, services.clock(), extend=False).expires_at
    assert after == before


def record(services: Services, event: str, customer: str = "C001", **detail: str) -> None:
    services.auth.audit.record(
        event,
        at=services.clock(),
        customer_id=customer,
        msisdn=AMINA,
        channel="whatsapp",
        result="success",
        **detail,
    )


def test_activity_sorts_the_customers_own_entries(services: Services) -> None:
    record(services, "stepup.verify", action="transfer", amount="USD 150.00", challenge="sms_otp")
    record(services, "money.transfer", amount="USD 150.00", parties="from ••6789 to ••4321")
    record(services, "card.lock", card="••4242")
    record(services, "customer.view", actor="olu")
    record(services, "money.transfer", customer="C002", amount="USD 9.00")
    for _ in range(PER_LIST + 3):
        record(services, "login")
    found = recent_activity(services.auth.audit, "C001", services.zone)
    assert [e.event for e in found.challenges] == ["stepup.verify"]
    assert "amount USD 150.00" in found.challenges[0].summary
    assert [e.event for e in found.movements] == ["card.lock", "money.transfer"]  # newest first
    assert "parties from ••6789 to ••4321" in found.movements[1].summary
    assert len(found.security) == PER_LIST and {e.event for e in found.security} == {"login"}


def test_activity_reads_past_a_page_of_other_customers(services: Services) -> None:
    record(services, "money.bill", amount="USD 45.00")
    pipe = services.redis.pipeline(transaction=False)
    for _ in range(1200):
        services.auth.audit.queue(
            pipe,
            "login",
            at=services.clock(),
            customer_id="C002",
            msisdn="+2348030000002",
            channel="whatsapp",
            result="success",
        )
    pipe.execute()
    found = recent_activity(services.auth.audit, "C001", services.zone)
    assert [e.event for e in found.movements] == ["money.bill"]
