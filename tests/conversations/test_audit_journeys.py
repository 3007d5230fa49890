"""Money movements and card changes in the audit (SECURITY.md 26), through the real webhook,
the real bank and real Redis: a transfer, a bill, money held for a number and refunded, a
claim into a wallet, card changes and the card PIN page — each with its event, result, amount,
masked parties and the bank's reference, in one verifiable chain. A retried message records
nothing twice. Nothing in the audit is a full account or card number, someone else's name, a
PIN or a code.
"""

from __future__ import annotations

import re
from decimal import Decimal

from flask import Flask

from app import Services
from bot.messenger import OutboxMessenger
from flows import transfer_money
from flows.types import Context
from tests.conftest import AMINA
from tests.conversations.test_card_journeys import confirmed
from tests.conversations.test_claim_journeys import (
    TUNDE,
    TUNDE_WALLET,
    give_wallet,
    login_path,
    register_tunde,
)
from tests.conversations.test_identity_journeys import register_amina
from tests.conversations.test_p2p_journeys import (
    FRIEND,
    GRACE,
    claim_link,
    savings,
    send_to_mobile,
)
from tests.fakes import FrozenClock
from tests.helpers import WhatsApp, new_sid
from tests.secure_pages import SecurePages, link_in
from workers.claims import refund_claim

_REF = re.compile(r"Ref (TX\w+)")
NEVER = (
    "0123456789",  # Amina's savings
    "0123456790",  # her current account
    "0987654321",  # Chidi's account
    "5399831234564249",  # her card
    "01234567890",  # the meter number
    "Chidi",
    "Okeke",
    "Grace",
    "Okafor",
    FRIEND,
    GRACE,
    "Bakare",
    TUNDE,
)


def money(services: Services) -> list[dict[str, str]]:
    entries = reversed(services.auth.audit.entries(count=500))
    return [dict(e.fields) for e in entries if e.fields["event"].startswith(("money.", "card."))]


def no_secrets(services: Services, *secrets: str) -> None:
    recorded = "\n".join(
        f"{k}={v}"
        for e in services.auth.audit.entries(count=500)
        for k, v in e.fields.items()
        if k not in ("prev", "digest")  # hex hashes: digits that aren't anyone's number
    )
    for secret in (*NEVER, *secrets):
        assert secret not in recorded, secret


def verified(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_transfer_and_a_bill_are_audited_once_with_their_reference(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, app: Flask
) -> None:
    register_amina(whatsapp, secure)
    whatsapp.send(AMINA, "transfer")
    whatsapp.send(AMINA, "5")  # Chidi Okeke, a saved payee
    whatsapp.send(AMINA, "150")
    whatsapp.send(AMINA, "yes")
    code = secure.last_code(AMINA)
    sid = new_sid()
    done = whatsapp.send(AMINA, code, sid=sid)
    again = whatsapp.send(AMINA, code, sid=sid)  # Twilio retries the same message
    assert again.text == done.text
    found = _REF.search(done.text)
    assert found, done.text
    [transfer] = money(services)  # the retry moved nothing and recorded nothing
    assert {k: transfer[k] for k in ("event", "result", "amount", "parties", "reference")} == {
        "event": "money.transfer",
        "result": "success",
        "amount": "USD 150.00",
        "parties": "from ••6789 to ••4321 at 044",
        "reference": found.group(1),
    }
    assert (transfer["customer"], transfer["number"], transfer["channel"]) == (
        "C001",
        "+234•••••0001",
        "whatsapp",
    )

    whatsapp.send(AMINA, "pay bill")
    whatsapp.send(AMINA, "1")
    whatsapp.send(AMINA, "0123 4567 890")
    whatsapp.send(AMINA, "45.50")
    whatsapp.send(AMINA, "yes")
    paid = whatsapp.send(AMINA, secure.last_code(AMINA)).text
    bill = money(services)[-1]
    assert (bill["event"], bill["result"], bill["amount"]) == ("money.bill", "success", "USD 45.50")
    assert bill["parties"].startswith("from ••6789 to biller ")
    assert bill["parties"].endswith("ref ••7890")  # the meter number masked
    assert bill["reference"] in paid
    no_secrets(services, code)
    assert verified(app).endswith("entries verified\n")


def test_a_refused_transfer_is_audited_with_why(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    register_amina(whatsapp, secure)
    for text in ("transfer", "5", "150"):
        whatsapp.send(AMINA, text)
    services.bank.db.run(  # the money goes between the summary and the yes
        "UPDATE accounts SET balance = 1 WHERE number = '0123456789'"
    )
    whatsapp.send(AMINA, "yes")
    whatsapp.send(AMINA, secure.last_code(AMINA))
    [refused] = money(services)
    assert (refused["event"], refused["result"], refused["reason"]) == (
        "money.transfer",
        "refused",
        "insufficient_funds",
    )
    assert "reference" not in refused


def test_held_refunded_and_claimed_money_is_audited(
    whatsapp: WhatsApp,
    secure: SecurePages,
    services: Services,
    outbox: OutboxMessenger,
    clock: FrozenClock,
    app: Flask,
) -> None:
    register_amina(whatsapp, secure)
    said = send_to_mobile(whatsapp, secure, "0803 999 9999", "25")
    [held] = money(services)
    assert (held["event"], held["result"], held["amount"]) == (
        "money.p2p_hold",
        "success",
        "USD 25.00",
    )
    assert held["parties"] == "from ••6789 to +234•••••9999 (held)"
    assert held["reference"] in said
    clock.advance(days=7)
    (claim,) = services.bank.expired_claims()
    assert refund_claim(claim) == "refunded"
    assert refund_claim(claim) == "nothing to refund"  # run twice: audited once
    refunded = money(services)[1:]
    assert [(e["event"], e["result"], e["channel"]) for e in refunded] == [
        ("money.refund", "success", "worker")
    ]
    assert refunded[0]["parties"] == "from +234•••••9999 (held) to ••6789"
    assert refunded[0]["reference"] == held["reference"] and refunded[0]["customer"] == "C001"

    # Held for Tunde, who gets a wallet, logs in on the claim's page and is paid
    secure.login(link_in(whatsapp.send(AMINA, "balance").text))  # a week later: log in again
    send_to_mobile(whatsapp, secure, TUNDE, "10")  # no wallet yet: held
    link = claim_link(outbox, TUNDE)
    register_tunde(whatsapp, secure)
    give_wallet(services, "C002", TUNDE_WALLET)
    page = secure.login(login_path(secure, link), login_id="tunde.b")
    assert page.status == 200, page.text
    claimed = money(services)[-1]
    assert (claimed["event"], claimed["result"], claimed["channel"]) == (
        "money.claim",
        "success",
        "web",
    )
    assert claimed["parties"] == "from ••6789 to +234•••••0002 (wallet ••9999)"
    assert claimed["customer"] == "C002" and claimed["amount"] == "USD 10.00"
    no_secrets(services, TUNDE_WALLET)
    verified(app)


def test_card_changes_and_the_pin_page_are_audited(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, app: Flask
) -> None:
    register_amina(whatsapp, secure)
    whatsapp.send(AMINA, "cards")
    assert "locked" in confirmed(whatsapp, secure, "1")
    codes = [secure.last_code(AMINA)]
    whatsapp.send(AMINA, "cards")
    reply = confirmed(whatsapp, secure, "1")  # unlock
    assert "unlocked" in reply
    whatsapp.send(AMINA, "cards")
    path = link_in(confirmed(whatsapp, secure, "2"))  # change its PIN
    codes.append(secure.last_code(AMINA))
    done = secure.post(path, {"new_pin": "8305", "repeat_pin": "8305"})
    assert done.status == 200
    whatsapp.send(AMINA, "cards")
    whatsapp.send(AMINA, "3")  # replace
    assert "new card" in confirmed(whatsapp, secure, "2").lower()  # stolen
    entries = money(services)
    assert [(e["event"], e["result"], e.get("card")) for e in entries] == [
        ("card.lock", "success", "••4249"),
        ("card.unlock", "success", "••4249"),
        ("card.pin", "success", "••4249"),
        ("card.replace", "success", "••4249"),
    ]
    assert entries[-1]["reason"] == "stolen" and entries[-1]["new_card"].startswith("••")
    [new] = [c for c in services.bank.cards("C001") if c.card_id != "K1"]
    no_secrets(services, "8305", new.pan, *codes)
    verified(app)


def test_a_confirmation_executed_again_is_audited_as_replayed(
    services: Services, app: Flask
) -> None:
    """A message processed again (its commit failed) runs the same confirmation twice: the real
    bank replays the first result and the audit says ``replayed``, not a second movement."""
    amina = services.bank.customer("C001")
    assert amina is not None
    ctx = Context(
        customer=amina,
        bank_name=services.bank_name,
        now=services.clock(),
        bank=services.bank,
        identity=services.auth,
        currency=services.currency,
        zone=services.zone,
    )
    slots = {
        "action": transfer_money.INTRA,
        "from": "0123456789",
        "to": "0987654321",
        "bank": "044",
        "payee": "Chidi Okeke (Access Bank ••4321)",
        "amount": "150.00",
        "asked_at": ctx.now.isoformat(),
        "summary": "0011223344556677",
    }
    before = savings(services)
    for _ in range(2):
        outcome = transfer_money.MOVEMENT.execute(ctx, slots)
        services.effects.perform(outcome.effects, amina)
    first, again = money(services)
    assert (first["result"], again["result"]) == ("success", "replayed")
    assert first["reference"] == again["reference"] and first["amount"] == again["amount"]
    assert before - savings(services) == Decimal("150.00")  # moved once
    verified(app)
