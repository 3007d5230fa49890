"""Requests in one line, through the real webhook, bank and Redis: what the customer names is
taken, what is missing is asked, an ambiguous name is a short numbered choice, nothing typed is
dropped; and the message counts of each journey, pinned (a saved payee: 3 in one line, 5 by the
menus; a new payee: 7; a bill: 3 in one line, 5 by the menus)."""

from __future__ import annotations

import re
from decimal import Decimal

from app import Services
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.conversations.test_identity_journeys import register_amina, whatsapp_to
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in

SAVINGS, CURRENT = "0123456789", "0123456790"
DONE = re.compile(r"Done: USD [\d,.]+ (sent|paid) to .+\. Ref TX")


def balance(services: Services, number: str) -> Decimal:
    return next(a.balance for a in services.bank.accounts("C001") if a.number == number)


class Journey:
    """Counts what the customer sends, as a journey's length is counted."""

    def __init__(self, whatsapp: WhatsApp, secure: SecurePages) -> None:
        self.whatsapp, self.secure, self.sent = whatsapp, secure, 0

    def say(self, text: str) -> str:
        self.sent += 1
        return self.whatsapp.send(AMINA, text).text

    def code(self) -> str:
        return self.say(self.secure.last_code(AMINA))


def test_a_saved_payee_in_one_line_is_three_messages(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    register_amina(whatsapp, secure)
    chat = Journey(whatsapp, secure)
    summary = chat.say("send 150 to Chidi")
    assert summary.startswith(
        "Send *USD 150.00* to Chidi Okeke (Access Bank ••4321) from Savings ••6789?"
    )
    assert "we sent a code by SMS" in chat.say("yes")
    assert DONE.match(chat.code())
    assert chat.sent == 3
    assert balance(services, SAVINGS) == Decimal("2350.00")


def test_by_the_menus_a_saved_payee_is_five_a_new_payee_seven_a_bill_five(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    register_amina(whatsapp, secure)
    saved = Journey(whatsapp, secure)
    for text in ("4", "5", "150", "yes"):  # transfer · Chidi · amount · yes
        saved.say(text)
    assert DONE.match(saved.code()) and saved.sent == 5

    new = Journey(whatsapp, secure)
    for text in ("4", "1", "1", "0345678901", "25", "yes"):  # new payee at Demo Bank
        new.say(text)
    assert DONE.match(new.code().split("\n")[0]) and new.sent == 7
    whatsapp.send(AMINA, "no")  # don't save them

    bill = Journey(whatsapp, secure)
    for text in ("5", "1", "01234567890 10", "yes"):  # the reference and the amount in one
        bill.say(text)
    assert DONE.match(bill.code()) and bill.sent == 5


def test_a_bill_in_one_line_is_three_messages_by_code_or_by_name(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    register_amina(whatsapp, secure)
    chat = Journey(whatsapp, secure)
    summary = chat.say("pay ELEC 01234567890 45")
    assert summary.startswith("Pay *USD 45.00* to City Power (01234567890) from Savings ••6789?")
    chat.say("yes")
    assert DONE.match(chat.code()) and chat.sent == 3
    # By name, without the reference: it is asked, and the amount typed is kept.
    asked = whatsapp.send(AMINA, "pay city power 20").text
    assert asked.startswith("What is your Meter number for City Power?")
    summary = whatsapp.send(AMINA, "01234567890").text
    assert summary.startswith("Pay *USD 20.00* to City Power (01234567890)")


def test_partial_requests_ask_for_what_is_missing(whatsapp: WhatsApp, secure: SecurePages) -> None:
    register_amina(whatsapp, secure)
    asked = whatsapp.send(AMINA, "send money to chidi").text
    assert asked.startswith("How much (USD) do you want to send to Chidi Okeke")
    whatsapp.send(AMINA, "cancel")
    listed = whatsapp.send(AMINA, "send 20").text  # to whom? the list, the amount kept
    assert listed.startswith("Who do you want to pay?\n1 New payee")
    assert whatsapp.send(AMINA, "5").text.startswith("Send *USD 20.00* to Chidi Okeke")


def test_names_by_prefix_initials_accents_and_an_ambiguous_one(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    register_amina(whatsapp, secure)
    services.bank.add_payee("C001", "Chidinma Obi", "044", "0987654322")
    assert "to Chidi Okeke" in whatsapp.send(AMINA, "send 20 to CHÍDI").text  # a whole word
    whatsapp.send(AMINA, "cancel")
    assert "to Tunde Bakare" in whatsapp.send(AMINA, "send 20 to tb").text  # initials
    whatsapp.send(AMINA, "cancel")
    which = whatsapp.send(AMINA, "transfer 20 to chid from current").text
    assert which == (
        'Which one do you mean by "chid"? Reply with a number:\n1 Chidi Okeke\n2 Chidinma Obi'
    )
    assert "Please reply with a number from the list" in whatsapp.send(AMINA, "3").text
    summary = whatsapp.send(AMINA, "2").text
    assert summary.startswith("Send *USD 20.00* to Chidinma Obi (Access Bank ••4322) from Current")


def test_what_cant_be_placed_is_said_back_and_nothing_moves(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    register_amina(whatsapp, secure)
    said = whatsapp.send(AMINA, "send 50 to chidi for lunch tomorrow").text
    assert "I didn't understand 'for lunch tomorrow' in that" in said
    unknown = whatsapp.send(AMINA, "send 20 to fatuma").text
    assert unknown.startswith('I couldn\'t find a payee called "fatuma" among yours.')
    assert "1 New payee" in unknown
    whatsapp.send(AMINA, "cancel")
    assert "couldn't find an account of yours" in whatsapp.send(AMINA, "bal cheque").text
    assert balance(services, SAVINGS) == Decimal("2500.00")


def test_balances_statements_and_cards_in_one_line(
    whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger
) -> None:
    register_amina(whatsapp, secure)
    both = whatsapp.send(AMINA, "bal").text
    assert "Savings ••6789: USD 2,500.00" in both and "Current ••6790" in both
    one = whatsapp.send(AMINA, "balance savings").text
    assert "Savings ••6789: USD 2,500.00" in one and "Current" not in one
    assert "Electricity token" in whatsapp.send(AMINA, "mini statement savings").text
    account = whatsapp.send(AMINA, "statement pdf october").text  # which account? then sent
    assert "Which account" in account
    assert "01 Oct 2026 to 31 Oct 2026" in whatsapp.send(AMINA, "1").text
    assert "You have no card ending 0000." in whatsapp.send(AMINA, "lock card 0000").text
    whatsapp.send(AMINA, "cancel")
    locked = whatsapp.send(AMINA, "lock card 4249").text  # straight to that card's step-up
    assert "we sent a code by SMS" in locked
    assert "locked" in whatsapp.send(AMINA, secure.last_code(AMINA)).text.lower()


def test_a_one_line_request_before_logging_in_is_taken_up_after(
    whatsapp: WhatsApp, secure: SecurePages, outbox: OutboxMessenger
) -> None:
    link = whatsapp.send(AMINA, "send 150 to chidi").text
    assert "set up chat banking first" in link
    assert secure.register(link_in(link), AMINA).status == 200
    resumed = whatsapp_to(outbox, AMINA)[-1]
    assert resumed.startswith("You're logged in.")
    assert "Send *USD 150.00* to Chidi Okeke (Access Bank ••4321)" in resumed
