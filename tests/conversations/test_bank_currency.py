"""A bank seeded with another currency (KES: ``tests/seeds.py``) says that currency everywhere a
customer or staff member reads an amount: every chat reply, the step-up SMS, the limit messages,
the receipt PDF, the claim SMS and page, the refund message and the audit stream — for a
transfer to a saved payee, a bill and a payment to a mobile number, through the real webhook.
Amounts typed with the bank's code or symbol are read; another currency's are refused."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from app import Config, ConfigError, Services, build_services
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA, BASE_URL
from tests.conversations.test_identity_journeys import register_amina
from tests.documents import fetch, media_messages, pdf_text, run_jobs, sms_passwords
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in
from tests.seeds import KES_BANK, kes_seed
from workers.claims import refund_claim

SAVINGS = "0123456789"
FRIEND = "+2348039999999"  # no wallet, not a customer
COOLING_OFF_CAP = Decimal("20000.00")  # the KES bank's setting (200.00 would be under USD 2)
_CLAIM = re.compile(r"https://\S+(/claim/\S+)")
# An amount as Teller writes it: a three-letter code, a space, digits with two decimals.
_MONEY = re.compile(r"(?<![A-Za-z])([A-Z]{3}) -?[\d,]+\.\d{2}\b")
_OTHER_MARKS = ("USD", "$", "US$", "dollar")
_VERIFY_CODE = re.compile(r"\b(TX[0-9A-Z]+(?:-[0-9A-Z]{4}){4})\b")
_DOCUMENT = re.compile(r"Your (?:receipt|statement) (\S+) from")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def config(redis_url: str, tmp_path: Path) -> Config:
    """The shared fixtures (services, app, whatsapp, secure, outbox) run on a Kenyan bank."""
    return Config(
        redis_url=redis_url,
        public_base_url=BASE_URL,
        bank_database=str(tmp_path / "bank.sqlite3"),
        bank_seed=str(kes_seed(tmp_path / "kes.json")),
        registration_cooling_off_cap=COOLING_OFF_CAP,
    )


class Chat:
    """Amina's side of the chat, keeping every reply to check them all at the end."""

    def __init__(self, whatsapp: WhatsApp, secure: SecurePages) -> None:
        self.whatsapp, self.secure = whatsapp, secure
        self.replies: list[str] = []

    def send(self, text: str) -> str:
        reply = self.whatsapp.send(AMINA, text).text
        self.replies.append(reply)
        return reply

    def code(self) -> str:
        return self.send(self.secure.last_code(AMINA))

    def past_cooling_off(self, clock: FrozenClock) -> None:
        """Registered a day ago: only the KYC limits apply; logged in again."""
        register_amina(self.whatsapp, self.secure)
        clock.advance(hours=25)
        self.secure.login(link_in(self.send("balance")))


def says_only_kes(texts: Iterable[str]) -> None:
    """Every amount in the texts is in KES, and no other currency's mark appears."""
    texts = list(texts)
    for text in texts:
        assert {code for code in _MONEY.findall(text)} <= {"KES"}, text
        for mark in _OTHER_MARKS:
            assert mark not in text, text
    assert any(_MONEY.search(t) for t in texts), "no amount at all: nothing was checked"


def sms_to(outbox: OutboxMessenger, msisdn: str) -> list[str]:
    return [str(m["body"]) for m in outbox.messages(msisdn) if m["channel"] == "sms"]


def everything_sent(outbox: OutboxMessenger) -> list[str]:
    return [str(m["body"]) for m in outbox.messages()]


def audit_amounts(services: Services) -> list[str]:
    entries = services.auth.audit.entries(count=500)
    for entry in entries:
        assert not any(mark in value for value in entry.fields.values() for mark in ("USD", "$"))
    return [e.fields["amount"] for e in entries if e.fields.get("amount")]


def document_texts(services: Services, outbox: OutboxMessenger, client: FlaskClient) -> list[str]:
    """Render every queued receipt or statement and read each, opened with its SMS password."""
    run_jobs(services.rq_redis)
    passwords = dict(sms_passwords(outbox, AMINA))
    texts = []
    for media in media_messages(outbox, AMINA):
        found = _DOCUMENT.search(str(media["body"]))
        assert found, media
        status, pdf, _ = fetch(client, str(media["media_urls"][0]))
        assert status == 200
        texts.append(pdf_text(pdf, passwords[found.group(1)]))
    return texts


def verify_page(client: FlaskClient, receipt: str) -> str:
    """The public /verify page's answer for the code printed on the receipt."""
    code = _VERIFY_CODE.search(receipt)
    token = _CSRF.search(client.get("/verify").get_data(as_text=True))
    assert code and token, receipt
    form = {"code": code.group(1), "csrf_token": token.group(1)}
    return client.post("/verify", data=form).get_data(as_text=True)


def test_a_transfer_to_a_saved_payee_says_kes_everywhere(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    outbox: OutboxMessenger,
    client: FlaskClient,
    clock: FrozenClock,
) -> None:
    chat = Chat(whatsapp, secure)
    register_amina(whatsapp, secure)
    assert "Savings ••6789: KES 250,000.00" in chat.send("balance")
    assert "5 Chidi Okeke (Access Bank ••4321)" in chat.send("transfer")
    asked = chat.send("5")  # Chidi Okeke
    assert "How much (KES) do you want to send to Chidi Okeke" in asked
    assert "You can send up to KES 20,000.00 more today" in asked  # the cooling-off cap
    over = chat.send("20000.01")
    assert over.startswith(  # whose limit: the cooling-off's, and when it ends
        "While your chat banking is new, you can send up to KES 20,000.00 a day: "
        "KES 20,000.00 more today. The lower limit ends 03 Nov 10:00 WAT."
    )
    assert chat.send("KSh 20,000").startswith("Send *KES 20,000.00*")  # exactly the cap passes
    chat.send("cancel")

    clock.advance(hours=25)  # the cooling-off is over; only the KYC level's limits now
    secure.login(link_in(chat.send("balance")))
    for text in ("transfer", "5"):
        chat.send(text)
    over = chat.send("200000.01")  # Amina's KYC level: KES 200,000.00 per transfer
    assert "over your limit of KES 200,000.00 per transfer" in over
    summary = chat.send("15000")
    assert summary.startswith("Send *KES 15,000.00* to Chidi Okeke (Access Bank ••4321)")
    assert "we sent a code by SMS" in chat.send("yes")
    [*_, sms] = sms_to(outbox, AMINA)
    assert sms.startswith(f"{KES_BANK}: ")
    assert "to send KES 15,000.00 to Chidi Okeke (Access Bank ••4321) from ••6789" in sms
    assert chat.code().startswith("Done: KES 15,000.00 sent to Chidi Okeke")

    [receipt] = document_texts(services, outbox, client)
    assert "KES 15,000.00" in receipt and KES_BANK in receipt
    verified = verify_page(client, receipt)
    assert "This receipt is genuine" in verified and "KES 15,000.00" in verified
    says_only_kes([*chat.replies, *everything_sent(outbox), receipt, verified])
    assert set(audit_amounts(services)) == {"KES 15000.00"}


def test_a_bill_says_kes_everywhere(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    outbox: OutboxMessenger,
    client: FlaskClient,
    clock: FrozenClock,
) -> None:
    chat = Chat(whatsapp, secure)
    chat.past_cooling_off(clock)
    assert chat.send("pay bill").startswith("Which bill do you want to pay?")
    chat.send("1")  # City Power
    assert "How much (KES) do you want to pay?" in chat.send("01234567890")
    assert "over your limit of KES 200,000.00 per transfer" in chat.send("KES 250,000")
    summary = chat.send("4,550.50")
    assert summary.startswith("Pay *KES 4,550.50* to City Power (01234567890) from Savings")
    assert "we sent a code by SMS" in chat.send("yes")
    assert "to send KES 4,550.50 to City Power (01234567890)" in sms_to(outbox, AMINA)[-1]
    assert chat.code().startswith("Done: KES 4,550.50 paid to City Power (01234567890)")

    [receipt] = document_texts(services, outbox, client)
    assert "KES 4,550.50" in receipt and KES_BANK in receipt
    says_only_kes([*chat.replies, *everything_sent(outbox), receipt])
    assert set(audit_amounts(services)) == {"KES 4550.50"}


def test_a_payment_to_a_mobile_number_says_kes_everywhere(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    outbox: OutboxMessenger,
    client: FlaskClient,
    clock: FrozenClock,
) -> None:
    chat = Chat(whatsapp, secure)
    chat.past_cooling_off(clock)
    for text in ("transfer", "a mobile number"):
        chat.send(text)
    assert "How much (KES) do you want to send to +234•••••9999" in chat.send("0803 999 9999")
    assert "over your limit of KES 200,000.00 per transfer" in chat.send("KSh 200,001")
    summary = chat.send("KSh 2,500")
    assert f"+234•••••9999 has no {KES_BANK} wallet yet. Send *KES 2,500.00*" in summary
    assert "we sent a code by SMS" in chat.send("yes")
    assert "to send KES 2,500.00 to +234•••••9999" in sms_to(outbox, AMINA)[-1]
    assert "Done: KES 2,500.00 is held for +234•••••9999" in chat.code()

    [claim_sms] = sms_to(outbox, FRIEND)
    assert claim_sms.startswith(f"Amina sent you KES 2,500.00 with {KES_BANK}. Claim it by")
    found = _CLAIM.search(claim_sms)
    assert found
    page = client.get(found.group(1)).get_data(as_text=True)
    assert "KES 2,500.00" in page and "USD" not in page

    receipts = document_texts(services, outbox, client)
    clock.advance(days=7)
    (claim,) = services.bank.expired_claims()
    assert refund_claim(claim) == "refunded"
    # A week on, Amina's WhatsApp window has closed: with no template, the notice is an SMS.
    refund = [str(m["body"]) for m in outbox.messages(AMINA) if "you sent to" in m["body"]][-1]
    assert refund.startswith("The KES 2,500.00 you sent to +234•••••9999")
    says_only_kes([*chat.replies, *everything_sent(outbox), *receipts])
    assert set(audit_amounts(services)) == {"KES 2500.00"}


def test_balances_statements_and_the_own_limit_say_kes(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    outbox: OutboxMessenger,
    client: FlaskClient,
    clock: FrozenClock,
) -> None:
    chat = Chat(whatsapp, secure)
    chat.past_cooling_off(clock)
    for text in ("statement", "1"):
        chat.send(text)
    assert "Available balance: KES 250,000.00" in chat.replies[-1]
    assert "KES 180,000.00  Salary" in chat.replies[-1]
    for text in ("statement pdf", "1", "1"):
        chat.send(text)
    [statement] = document_texts(services, outbox, client)
    assert "Account statement (KES)" in statement and "Amounts in KES." in statement
    chat.send("profile")
    limit = chat.send("6")  # Daily limit
    assert limit.startswith("Your daily limits:\n• your account level: KES 500,000.00 a day")
    assert chat.send("KSh 300,000").startswith("Done: you can send up to KES 300,000.00 a day")
    says_only_kes([*chat.replies, *everything_sent(outbox), statement])


def test_an_own_limit_in_another_currency_is_told_the_banks(
    whatsapp: WhatsApp, secure: SecurePages, clock: FrozenClock
) -> None:
    chat = Chat(whatsapp, secure)
    chat.past_cooling_off(clock)
    for text in ("profile", "6"):
        chat.send(text)
    refused = chat.send("USD 100")
    assert "KES" in refused and "USD" not in refused


@pytest.mark.parametrize("typed", ["KES 150", "150 kes", "KSh 150", "KSh150", "Ksh 150"])
def test_the_banks_code_and_symbol_are_read(
    whatsapp: WhatsApp, secure: SecurePages, clock: FrozenClock, typed: str
) -> None:
    chat = Chat(whatsapp, secure)
    chat.past_cooling_off(clock)
    for text in ("transfer", "5"):
        chat.send(text)
    assert chat.send(typed).startswith("Send *KES 150.00* to Chidi Okeke")


@pytest.mark.parametrize("typed", ["USD 150", "150 USD", "$150", "US$150", "€150", "₦150"])
def test_another_currency_is_refused_in_the_banks(
    whatsapp: WhatsApp, secure: SecurePages, clock: FrozenClock, typed: str
) -> None:
    chat = Chat(whatsapp, secure)
    chat.past_cooling_off(clock)
    for text in ("transfer", "5"):
        chat.send(text)
    refused = chat.send(typed)
    assert refused == "Transfers here are in KES only. Please send the amount in KES."
    assert chat.send("KSh 150").startswith("Send *KES 150.00*")  # and it carries on


def test_a_configured_currency_that_disagrees_refuses_to_start(
    config: Config, clock: FrozenClock
) -> None:
    over_level_1 = Decimal("100000.01")  # the KES bank's KYC level 1: KES 100,000.00 a day
    for wrong in (
        {"default_currency": "USD"},
        {"bank_name": "Demo Bank"},
        {"registration_cooling_off_cap": over_level_1},
    ):
        with pytest.raises(ConfigError) as refused:
            build_services(Config(**{**config.__dict__, **wrong}), clock=clock)
        assert KES_BANK in str(refused.value) or "KES" in str(refused.value)
    agreeing = Config(**{**config.__dict__, "default_currency": "KES", "bank_name": KES_BANK})
    services = build_services(agreeing, clock=clock)
    try:
        assert (services.currency, services.bank_name) == ("KES", KES_BANK)
        assert services.bank.profile().currency == "KES"
        assert {a.currency for a in services.bank.accounts("C001")} == {"KES"}
        assert Decimal(services.bank.kyc_levels()[0].daily) == Decimal("100000.00")
    finally:
        services.close()


def test_an_empty_bank_speaks_the_configured_currency(
    redis_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    empty = Config(
        redis_url=redis_url,
        public_base_url=BASE_URL,
        bank_database=str(tmp_path / "empty.sqlite3"),
        bank_seed=None,
        default_currency="EUR",
        bank_name="Euro Savings",
    )
    services = build_services(empty, clock=clock)
    try:
        assert (services.currency, services.bank_name) == ("EUR", "Euro Savings")
        assert services.dispatcher.currency == "EUR"
        assert services.auth.cooling_off_cap == Decimal("200.00")  # no KYC levels to bound it
    finally:
        services.close()
