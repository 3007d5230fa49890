"""The transfer flow's payees, pure: a new payee found by name enquiry (then saved or not) and
payments to a mobile number (a wallet paid, or the money held for a claim), and every transfer
state asked again after a login. Fakes for every port; states, reply keys and effects.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bank.ports import P2P_HOLD_CODE
from flows import transfer, transfer_money
from flows.effects import NotifyClaim, SavePayee, SendReceipt
from flows.states import State
from tests.flow_fakes import (
    AMINA,
    BOLA,
    BOLA_WALLET,
    CURRENT,
    NOW,
    OWN_CODE,
    Chat,
    keys,
    params,
)


def at_payee() -> Chat:
    """From Savings, at the list of payees: 1 own Current · 2 Chidi · 3 New · 4 mobile."""
    chat = Chat()
    chat.say("transfer", "1")
    assert chat.conv.state is State.TRANSFER_PAYEE
    return chat


def at_new_payee_name() -> Chat:
    chat = at_payee()
    chat.say("3", "2", "1112223334")  # New payee · Access Bank · the account
    assert chat.conv.state is State.TRANSFER_NAME
    return chat


# --- a new payee: bank, account number, the name ---


def test_new_payee_asks_the_bank() -> None:
    chat = at_payee()
    outcome = chat.say("3")
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_BANK, ["transfer.choose_bank"])
    choices = params(outcome, "transfer.choose_bank")["choices"].splitlines()
    assert choices == ["1 Demo Bank", "2 Access Bank"]  # this bank first
    assert keys(chat.say("9")) == ["fallback.transfer_bank"]
    assert chat.conv.state is State.TRANSFER_BANK


def test_new_by_word() -> None:
    chat = at_payee()
    assert chat.say("new payee").state is State.TRANSFER_BANK


@pytest.mark.parametrize("typed", ["12345", "12345678901", "abcdefghij"])
def test_an_account_number_is_ten_digits(typed: str) -> None:
    chat = at_payee()
    chat.say("3", "2")
    outcome = chat.say(typed)
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_ACCOUNT, ["fallback.transfer_account"])


def test_an_own_account_is_not_a_new_payee() -> None:
    chat = at_payee()
    chat.say("3", "1")  # this bank
    outcome = chat.say(CURRENT.number)
    assert (outcome.state, keys(outcome)) == (
        State.TRANSFER_ACCOUNT,
        ["transfer.own_account_as_new"],
    )


def test_an_unknown_account() -> None:
    chat = at_payee()
    chat.say("3", "2")
    outcome = chat.say("5556667778")
    assert (outcome.state, keys(outcome)) == (
        State.TRANSFER_ACCOUNT,
        ["transfer.account_not_found"],
    )


def test_the_name_found_is_confirmed() -> None:
    chat = at_new_payee_name()
    outcome = chat.last
    assert outcome is not None and keys(outcome) == ["transfer.confirm_name"]
    assert params(outcome, "transfer.confirm_name")["name"] == "Ngozi Eze"
    assert keys(chat.say("perhaps")) == ["fallback.transfer_name"]
    assert chat.conv.state is State.TRANSFER_NAME


def test_not_the_right_name_asks_the_account_again() -> None:
    chat = at_new_payee_name()
    outcome = chat.say("no")
    assert (outcome.state, keys(outcome)) == (
        State.TRANSFER_ACCOUNT,
        ["transfer.ask_account_again"],
    )


def test_the_right_name_goes_to_the_amount_as_a_new_payee() -> None:
    chat = at_new_payee_name()
    outcome = chat.say("yes")
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_AMOUNT, ["transfer.ask_amount_left"])
    assert (outcome.data["new"], outcome.data["action"]) == (True, transfer_money.INTER)


def test_a_new_payee_at_this_bank_is_intra_bank() -> None:
    chat = at_payee()
    outcome = chat.say("3", "1", "0300000003", "yes")
    assert (outcome.data["action"], outcome.data["bank"]) == (transfer_money.INTRA, OWN_CODE)


def test_a_new_payees_first_transfer_is_always_challenged() -> None:
    chat = at_new_payee_name().no_challenge()
    chat.say("yes", "100", "yes")
    assert chat.stepup.request is not None and chat.stepup.request.force is True


def test_after_a_new_payees_transfer_yes_saves_them_as_an_effect() -> None:
    chat = at_new_payee_name().no_challenge()
    done = chat.say("yes", "100", "yes")
    assert (done.state, keys(done)) == (State.TRANSFER_SAVE, ["transfer.done", "transfer.ask_save"])
    assert done.effects == (SendReceipt(101),)
    assert keys(chat.say("hmm")) == ["fallback.transfer_save"]
    saved = chat.say("yes")
    assert (saved.state, keys(saved)) == (State.MAIN_MENU, ["transfer.saved"])
    assert saved.effects == (SavePayee("Ngozi Eze", "044", "1112223334"),)
    assert chat.bank.written == []  # the edge saves it, not the flow


def test_after_a_new_payees_transfer_no_saves_nothing() -> None:
    chat = at_new_payee_name().no_challenge()
    chat.say("yes", "100", "yes")
    outcome = chat.say("no")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["transfer.not_saved", "menu.hint"])
    assert outcome.effects == ()


# --- a mobile number ---


def test_a_mobile_number_by_choice_or_word() -> None:
    chat = at_payee()
    outcome = chat.say("4")
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_MOBILE, ["transfer.ask_mobile"])
    assert at_payee().say("mobile").state is State.TRANSFER_MOBILE


def test_a_mobile_number_must_be_valid_and_not_ones_own() -> None:
    chat = at_payee()
    chat.say("4")
    assert keys(chat.say("12")) == ["fallback.transfer_mobile"]
    assert keys(chat.say(AMINA.msisdn)) == ["transfer.own_mobile"]
    assert chat.conv.state is State.TRANSFER_MOBILE


def test_a_number_with_a_wallet_pays_the_wallet_and_asks_no_save() -> None:
    chat = at_payee().no_challenge()
    asked = chat.say("4", "08030000002")  # read in the customer's own country
    assert asked.state is State.TRANSFER_AMOUNT
    assert (asked.data["to"], asked.data["bank"], asked.data["mobile"]) == (
        BOLA_WALLET.number,
        OWN_CODE,
        BOLA.msisdn,
    )
    assert "hold" not in asked.data
    assert keys(chat.say("50")) == ["transfer.summary"]
    done = chat.say("yes")
    assert (done.state, keys(done)) == (State.MAIN_MENU, ["transfer.done", "menu.hint"])
    assert done.effects == (SendReceipt(101),)
    assert chat.bank.holds == [] and chat.stepup.request.action == transfer_money.P2P


def test_a_number_without_a_wallet_holds_the_money_for_a_claim() -> None:
    chat = at_payee().no_challenge()
    stranger = "+2348030000099"
    chat.say("4", stranger)
    summary = chat.say("50")
    assert keys(summary) == ["transfer.summary_hold"]
    assert (summary.data["to"], summary.data["bank"], summary.data["hold"]) == (
        stranger,
        P2P_HOLD_CODE,
        True,
    )
    done = chat.say("yes")
    assert (done.state, keys(done)) == (State.MAIN_MENU, ["transfer.held", "menu.hint"])
    assert done.effects == (SendReceipt(101), NotifyClaim("CL1"))
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
    chat.say("4", "+2348030000099", "50")
    slots = dict(chat.conv.data)
    transfer_money.MOVEMENT.execute(chat.ctx, slots)
    again = transfer_money.MOVEMENT.execute(chat.ctx, slots)
    assert (keys(again), again.effects) == (["transfer.already_done"], ())


# --- asked again after a login ---


@pytest.mark.parametrize("state", list(transfer.PROMPTS))
def test_every_transfer_state_can_ask_its_question_again(state: State) -> None:
    chat = at_new_payee_name()
    slots = {**chat.conv.data, "payee": "Ngozi Eze (Access Bank ••3334)", "amount": "10.00"}
    outcome = transfer.PROMPTS[state](chat.ctx, slots)
    assert outcome.state is state
    assert len(outcome.replies) == 1
