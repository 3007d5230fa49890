"""The transfer flow's payees, pure: a new payee found by name enquiry (the look-up counted, the
holder masked, then saved or not) and payments to a mobile number (counted likewise: a wallet
paid, its owner masked, or the money held for a claim), and every transfer state asked again
after a login. Fakes for every port; states, reply keys and effects.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from bank.ports import P2P_HOLD_CODE
from flows import transfer, transfer_money
from flows.conversation import Conversation
from flows.effects import NotifyClaim, RecordMovement, SavePayee, SendReceipt
from flows.states import State
from flows.types import Context
from tests.flow_fakes import (
    AMINA,
    BOLA,
    BOLA_WALLET,
    CURRENT,
    NOW,
    OWN_CODE,
    SAVINGS,
    Chat,
    FakeLookups,
    keys,
    params,
)


def at_payee(chat: Chat | None = None) -> Chat:
    """At the list of payees: 1 New payee · 2 A mobile number · 3, 4 own accounts · 5 Chidi."""
    chat = chat or Chat()
    chat.say("transfer")
    assert chat.conv.state is State.TRANSFER_PAYEE
    return chat


def at_new_payee_amount(chat: Chat | None = None) -> Chat:
    """Ngozi Eze at Access Bank found by name enquiry: straight to the amount."""
    chat = at_payee(chat)
    chat.say("1", "2", "1112223334")  # New payee · Access Bank · the account
    assert chat.conv.state is State.TRANSFER_AMOUNT
    return chat


NGOZI = {"bank": "044", "bank_name": "Access Bank", "to": "1112223334", "holder": "Ngozi Eze"}


def ctx_without_lookups(chat: Chat) -> Context:
    return replace(chat.ctx, lookups=None)


# --- a new payee: bank, account number, the name looked up ---


def test_new_payee_asks_the_bank() -> None:
    chat = at_payee()
    outcome = chat.say("1")
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_BANK, ["transfer.choose_bank"])
    choices = params(outcome, "transfer.choose_bank")["choices"].splitlines()
    assert choices == ["1 Demo Bank", "2 Access Bank"]  # this bank first
    assert keys(chat.say("9")) == ["fallback.transfer_bank"]
    assert chat.conv.state is State.TRANSFER_BANK


@pytest.mark.parametrize("typed", ["new", "new payee", "someone new"])
def test_new_by_word(typed: str) -> None:
    chat = at_payee()
    assert chat.say(typed).state is State.TRANSFER_BANK


@pytest.mark.parametrize("typed", ["12345", "12345678901", "abcdefghij"])
def test_an_account_number_is_ten_digits(typed: str) -> None:
    chat = at_payee()
    chat.say("1", "2")
    outcome = chat.say(typed)
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_ACCOUNT, ["fallback.transfer_account"])
    assert chat.lookups.seen == []  # nothing looked up, nothing counted


def test_an_own_account_is_not_a_new_payee() -> None:
    chat = at_payee()
    chat.say("1", "1")  # this bank
    outcome = chat.say(CURRENT.number)
    assert (outcome.state, keys(outcome)) == (
        State.TRANSFER_ACCOUNT,
        ["transfer.own_account_as_new"],
    )
    assert chat.lookups.seen == []


def test_an_unknown_account() -> None:
    chat = at_payee()
    chat.say("1", "2")
    outcome = chat.say("5556667778")
    assert (outcome.state, keys(outcome)) == (
        State.TRANSFER_ACCOUNT,
        ["transfer.account_not_found"],
    )
    assert params(outcome, "transfer.account_not_found") == {
        "masked": "••7778",
        "bank_name": "Access Bank",
    }
    assert chat.lookups.seen == ["account_name"]  # a look-up that found nobody still counts


def test_the_name_found_goes_straight_to_the_amount_masked() -> None:
    chat = at_new_payee_amount()
    outcome = chat.last
    assert outcome is not None and keys(outcome) == ["transfer.ask_amount_left"]
    assert params(outcome, "transfer.ask_amount_left")["payee"] == "Ngozi E. (Access Bank ••3334)"
    assert (outcome.data["holder"], outcome.data["new"], outcome.data["action"]) == (
        "Ngozi E.",
        True,
        transfer_money.INTER,
    )
    assert "Eze" not in repr(outcome)  # the full name is never shown nor kept


def test_every_name_look_up_is_counted_for_the_customer() -> None:
    chat = at_new_payee_amount()
    assert chat.lookups.seen == ["account_name"]
    assert chat.lookups.who == [(AMINA.msisdn, AMINA.customer_id)]
    chat.say("cancel")
    at_new_payee_amount(chat)
    assert chat.lookups.seen == ["account_name", "account_name"]


def test_too_many_look_ups_refuse_the_name_and_stay() -> None:
    chat = at_payee(Chat(lookups=FakeLookups(allowed=0)))
    chat.say("1", "2")
    data = dict(chat.conv.data)
    outcome = chat.say("1112223334")
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_ACCOUNT, ["lookup.too_many"])
    assert params(outcome, "lookup.too_many") == {"minutes": "30"}  # the fake says 1800 s
    assert outcome.data == data and "holder" not in outcome.data


def test_the_eleventh_look_up_in_a_while_is_refused() -> None:
    chat = Chat()
    for _ in range(10):
        at_new_payee_amount(chat).say("cancel")
    chat.say("transfer", "1", "2")
    assert keys(chat.say("1112223334")) == ["lookup.too_many"]


def test_look_ups_not_wired_fail_closed() -> None:
    chat = at_payee()
    chat.say("1", "2")
    outcome = transfer.handle_account(chat.conv, "1112223334", ctx_without_lookups(chat))
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_ACCOUNT, ["lookup.unavailable"])
    assert "holder" not in outcome.data


def test_a_name_confirmation_stored_before_still_works() -> None:
    """TRANSFER_NAME is off the path; a conversation stored at it (the full name) goes on."""
    chat = Chat().at(Conversation(State.TRANSFER_NAME, NGOZI, NOW))
    assert keys(chat.say("perhaps")) == ["fallback.transfer_name"]
    assert chat.conv.state is State.TRANSFER_NAME
    outcome = chat.say("yes")
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_AMOUNT, ["transfer.ask_amount_left"])
    assert (outcome.data["holder"], outcome.data["new"], outcome.data["action"]) == (
        "Ngozi E.",
        True,
        transfer_money.INTER,
    )
    assert outcome.data["payee"] == "Ngozi E. (Access Bank ••3334)"
    assert chat.lookups.seen == []  # looked up before it was stored


def test_not_the_right_name_stored_before_asks_the_account_again() -> None:
    chat = Chat().at(Conversation(State.TRANSFER_NAME, NGOZI, NOW))
    outcome = chat.say("no")
    assert (outcome.state, keys(outcome)) == (
        State.TRANSFER_ACCOUNT,
        ["transfer.ask_account_again"],
    )


def test_a_new_payee_at_this_bank_is_intra_bank() -> None:
    chat = at_payee()
    outcome = chat.say("1", "1", "0300000003")
    assert (outcome.data["action"], outcome.data["bank"]) == (transfer_money.INTRA, OWN_CODE)
    assert outcome.data["payee"] == "Tunde B. (••0003)"  # this bank: no bank name


def test_a_new_payees_summary_names_the_masked_holder() -> None:
    chat = at_new_payee_amount()
    summary = chat.say("100")
    assert params(summary, "transfer.summary") == {
        "amount": "USD 100.00",
        "payee": "Ngozi E. (Access Bank ••3334)",
        "source": "Savings ••6789",
    }


def test_a_new_payees_first_transfer_is_always_challenged() -> None:
    chat = at_new_payee_amount(Chat().no_challenge())
    chat.say("100", "yes")
    assert chat.stepup.request is not None and chat.stepup.request.force is True
    assert chat.stepup.request.payee == "Ngozi E. (Access Bank ••3334)"


def test_after_a_new_payees_transfer_yes_saves_them_as_an_effect() -> None:
    chat = at_new_payee_amount(Chat().no_challenge())
    done = chat.say("100", "yes")
    assert (done.state, keys(done)) == (State.TRANSFER_SAVE, ["transfer.done", "transfer.ask_save"])
    assert params(done, "transfer.ask_save") == {"name": "Ngozi E."}
    audited = RecordMovement(
        "money.transfer",
        "success",
        amount="USD 100.00",
        parties="from ••6789 to ••3334 at 044",
        reference="TX000001",
    )
    assert done.effects == (audited, SendReceipt(101))
    [sent] = chat.bank.transfers
    assert sent.narration == "WhatsApp transfer to Ngozi E."
    assert keys(chat.say("hmm")) == ["fallback.transfer_save"]
    saved = chat.say("yes")
    assert (saved.state, keys(saved)) == (State.MAIN_MENU, ["transfer.saved"])
    assert saved.effects == (SavePayee("Ngozi E.", "044", "1112223334"),)  # the masked name
    assert chat.bank.written == []  # the edge saves it, not the flow


def test_after_a_new_payees_transfer_no_saves_nothing() -> None:
    chat = at_new_payee_amount(Chat().no_challenge())
    chat.say("100", "yes")
    outcome = chat.say("no")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["transfer.not_saved", "menu.hint"])
    assert outcome.effects == ()


# --- a mobile number ---


@pytest.mark.parametrize("typed", ["2", "mobile", "phone number", "a mobile number"])
def test_a_mobile_number_by_choice_or_word(typed: str) -> None:
    chat = at_payee()
    outcome = chat.say(typed)
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_MOBILE, ["transfer.ask_mobile"])


def test_a_mobile_number_must_be_valid_and_not_ones_own() -> None:
    chat = at_payee()
    chat.say("2")
    assert keys(chat.say("12")) == ["fallback.transfer_mobile"]
    assert keys(chat.say(AMINA.msisdn)) == ["transfer.own_mobile"]
    assert chat.conv.state is State.TRANSFER_MOBILE
    assert chat.lookups.seen == []  # no one else's name was looked up


def test_a_number_with_a_wallet_pays_the_wallet_and_asks_no_save() -> None:
    chat = at_payee().no_challenge()
    asked = chat.say("2", "08030000002")  # read in the customer's own country
    assert asked.state is State.TRANSFER_AMOUNT
    assert chat.lookups.seen == ["wallet"]
    assert asked.data["payee"] == "Bola A. (wallet +234•••••0002)"  # the owner masked
    assert (asked.data["to"], asked.data["bank"], asked.data["mobile"]) == (
        BOLA_WALLET.number,
        OWN_CODE,
        BOLA.msisdn,
    )
    assert "hold" not in asked.data and "Bola Ade" not in repr(asked)
    assert keys(chat.say("50")) == ["transfer.summary", "movement.other_source"]
    done = chat.say("yes")
    assert (done.state, keys(done)) == (State.MAIN_MENU, ["transfer.done", "menu.hint"])
    audited = RecordMovement(
        "money.p2p",
        "success",
        amount="USD 50.00",
        parties=f"from ••6789 to +234•••••0002 (wallet ••{BOLA_WALLET.number[-4:]})",
        reference="TX000001",
    )
    assert done.effects == (audited, SendReceipt(101))
    assert "Bola" not in repr(done.effects)  # never someone else's name
    assert chat.bank.holds == [] and chat.stepup.request.action == transfer_money.P2P


def test_a_number_without_a_wallet_holds_the_money_for_a_claim() -> None:
    chat = at_payee().no_challenge()
    stranger = "+2348030000099"
    chat.say("2", stranger)
    assert chat.lookups.seen == ["wallet"]  # counted even though no wallet was found
    summary = chat.say("50")
    assert keys(summary) == ["transfer.summary_hold", "movement.other_source"]
    assert (summary.data["to"], summary.data["bank"], summary.data["hold"]) == (
        stranger,
        P2P_HOLD_CODE,
        True,
    )
    done = chat.say("yes")
    assert (done.state, keys(done)) == (State.MAIN_MENU, ["transfer.held", "menu.hint"])
    held = RecordMovement(
        "money.p2p_hold",
        "success",
        amount="USD 50.00",
        parties="from ••6789 to +234•••••0099 (held)",
        reference="TX000001",
    )
    assert done.effects == (held, SendReceipt(101), NotifyClaim("CL1"))
    assert params(done, "transfer.held")["until"] == "09 Nov"
    [(request, msisdn, expires)] = chat.bank.holds
    assert (msisdn, expires, request.amount) == (
        stranger,
        NOW + timedelta(days=7),
        Decimal("50.00"),
    )
    assert chat.bank.transfers == []


def test_a_held_payment_confirmed_twice_is_replayed() -> None:
    chat = at_payee().no_challenge()
    chat.say("2", "+2348030000099", "50")
    slots = dict(chat.conv.data)
    transfer_money.MOVEMENT.execute(chat.ctx, slots)
    again = transfer_money.MOVEMENT.execute(chat.ctx, slots)
    [replayed] = again.effects
    assert isinstance(replayed, RecordMovement)
    assert (keys(again), replayed.event, replayed.result) == (
        ["transfer.already_done"],
        "money.p2p_hold",
        "replayed",
    )


# --- asked again after a login ---


def test_too_many_look_ups_refuse_the_wallet_and_stay() -> None:
    chat = at_payee(Chat(lookups=FakeLookups(allowed=0)))
    chat.say("2")
    outcome = chat.say("08030000002")
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_MOBILE, ["lookup.too_many"])
    assert "mobile" not in outcome.data and "to" not in outcome.data


def test_wallet_look_ups_not_wired_fail_closed() -> None:
    chat = at_payee()
    chat.say("2")
    outcome = transfer.handle_mobile(chat.conv, "08030000002", ctx_without_lookups(chat))
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_MOBILE, ["lookup.unavailable"])


# --- asked again after a login ---


@pytest.mark.parametrize("state", list(transfer.PROMPTS))
def test_every_transfer_state_can_ask_its_question_again(state: State) -> None:
    chat = at_new_payee_amount()
    slots = {**chat.conv.data, "from": SAVINGS.number, "amount": "10.00"}
    outcome = transfer.PROMPTS[state](chat.ctx, slots)
    assert outcome.state is state
    # its one question; the summary also says how to pay from the other account that can
    extra = ["movement.other_source"] if state is State.TRANSFER_CONFIRM else []
    assert len(outcome.replies) == 1 + len(extra) and keys(outcome)[1:] == extra
