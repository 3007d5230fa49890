"""The transfer flow, pure: every state's happy path, what a mistyped answer does, ``no``, the
step-up needed or not, the bank's refusals, a repeated confirmation, a new payee (saved or not)
and payments to a mobile number (a wallet, or held for a claim). Fakes for every port; the
tests assert states, reply keys and effects, never wording (the transcripts pin that).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from auth.ports import StepUpRequest
from bank.ports import (
    P2P_HOLD_CODE,
    BankError,
    IdempotencyConflict,
    InsufficientFunds,
    Limit,
    LimitExceeded,
    UnknownAccount,
)
from flows import stepup, transfer
from flows.conversation import Conversation
from flows.effects import NotifyClaim, SavePayee, SendReceipt
from flows.states import State
from tests.flow_fakes import (
    AMINA,
    BOLA,
    BOLA_WALLET,
    CURRENT,
    KYC,
    NOW,
    OWN_CODE,
    SAVINGS,
    Chat,
    FlowBank,
    keys,
    params,
)

CODE = "123456"  # the fake step-up port's right answer


def at_payee() -> Chat:
    """From Savings, at the list of payees: 1 own Current · 2 Chidi · 3 New · 4 mobile."""
    chat = Chat()
    chat.say("transfer", "1")
    assert chat.conv.state is State.TRANSFER_PAYEE
    return chat


def at_summary(amount: str = "150") -> Chat:
    """To Chidi (a saved payee at another bank), the summary shown."""
    chat = at_payee()
    chat.say("2", amount)
    assert chat.conv.state is State.TRANSFER_CONFIRM
    return chat


def at_new_payee_name() -> Chat:
    chat = at_payee()
    chat.say("3", "2", "1112223334")  # New payee · Access Bank · the account
    assert chat.conv.state is State.TRANSFER_NAME
    return chat


# --- from which account ---


def test_no_accounts() -> None:
    chat = Chat(bank=FlowBank(accounts_by_customer={}))
    outcome = chat.say("transfer")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["transfer.no_accounts"])


def test_one_account_goes_straight_to_the_payee() -> None:
    chat = Chat(bank=FlowBank(accounts_by_customer={"C001": [SAVINGS]}))
    outcome = chat.say("transfer")
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_PAYEE, ["transfer.choose_payee"])
    assert outcome.data == {"from": SAVINGS.number}


def test_several_accounts_ask_which_and_a_wrong_choice_asks_again() -> None:
    chat = Chat()
    assert keys(chat.say("transfer")) == ["transfer.choose_source"]
    for typed in ("3", "0", "savings", "1.5"):
        again = chat.say(typed)
        assert (again.state, keys(again)) == (State.TRANSFER_SOURCE, ["fallback.transfer_source"])
    chosen = chat.say("2")
    assert (chosen.state, chosen.data["from"]) == (State.TRANSFER_PAYEE, CURRENT.number)


# --- to whom ---


def test_the_payees_offered_from_savings() -> None:
    chat = Chat()
    outcome = chat.say("transfer", "1")
    choices = params(outcome, "transfer.choose_payee")["choices"].splitlines()
    assert len(choices) == 4  # the other own account, Chidi, a new payee, a mobile number
    assert choices[0].startswith("1 your Current") and "Chidi Okeke" in choices[1]


def test_a_wrong_payee_choice_asks_again() -> None:
    chat = at_payee()
    data = dict(chat.conv.data)
    outcome = chat.say("5")
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_PAYEE, ["fallback.transfer_payee"])
    assert outcome.data == data


def test_a_saved_payee_at_another_bank() -> None:
    chat = at_payee()
    outcome = chat.say("2")
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_AMOUNT, ["transfer.ask_amount_left"])
    assert params(outcome, "transfer.ask_amount_left")["left"] == "USD 2,000.00"
    assert outcome.data["action"] == transfer.INTER
    assert (outcome.data["to"], outcome.data["bank"], outcome.data["new"]) == (
        "0987654321",
        "044",
        False,
    )


def test_own_account_asks_the_amount_without_a_limit() -> None:
    chat = at_payee()
    outcome = chat.say("1")
    assert keys(outcome) == ["transfer.ask_amount"]
    assert (outcome.data["action"], outcome.data["to"]) == (transfer.OWN, CURRENT.number)


def test_the_limit_used_up_ends_the_flow_before_the_amount() -> None:
    chat = at_payee()
    chat.bank.limit = replace(KYC, used_today=Decimal("2000.00"))
    outcome = chat.say("2")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["transfer.limit_used_up"])


def test_the_cooling_off_cap_reaches_the_bank() -> None:
    chat = at_payee()
    chat.identity.cap = Decimal("200.00")
    outcome = chat.say("2")
    assert params(outcome, "transfer.ask_amount_left")["left"] == "USD 200.00"
    assert chat.bank.caps[-1] == Decimal("200.00")


# --- how much ---


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("lots", "amount.not_a_number"),
        ("0", "amount.zero"),
        ("10.001", "amount.too_many_decimals"),
        ("2600", "transfer.not_enough"),  # more than the balance
        ("1500", "limit.per_transaction"),
    ],
)
def test_an_amount_that_cant_be_sent_stays_and_says_why(typed: str, key: str) -> None:
    chat = at_payee()
    chat.say("2")
    data = dict(chat.conv.data)
    outcome = chat.say(typed)
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_AMOUNT, [key])
    assert outcome.data == data


def test_between_own_accounts_the_limits_dont_apply() -> None:
    chat = at_payee()
    outcome = chat.say("1", "1500")  # over the per-transaction limit, under the balance
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_CONFIRM, ["transfer.summary"])


def test_the_source_account_gone_meanwhile() -> None:
    chat = at_payee()
    chat.say("2")
    chat.bank.accounts_by_customer["C001"] = [CURRENT]
    outcome = chat.say("150")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["transfer.source_gone"])


def test_the_summary_marks_the_confirmation() -> None:
    outcome = at_summary().last
    assert outcome is not None
    assert keys(outcome) == ["transfer.summary"]
    assert params(outcome, "transfer.summary")["amount"] == "USD 150.00"
    assert outcome.data["amount"] == "150.00"
    assert outcome.data["asked_at"] == NOW.isoformat() and len(outcome.data["summary"]) == 16


# --- the summary: yes, no, anything else ---


def test_something_else_at_the_summary_asks_again() -> None:
    chat = at_summary()
    data = dict(chat.conv.data)
    outcome = chat.say("maybe")
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_CONFIRM, ["fallback.transfer_confirm"])
    assert outcome.data == data


def test_no_moves_nothing() -> None:
    chat = at_summary()
    outcome = chat.say("no")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["cancel.done", "menu.hint"])
    assert chat.bank.transfers == [] and chat.stepup.calls == []


def test_yes_asks_for_the_step_up_bound_to_the_payment() -> None:
    chat = at_summary()
    outcome = chat.say("yes")
    assert (outcome.state, keys(outcome)) == (
        State.STEP_UP,
        ["stepup.sent_sms", "stepup.switch_hint"],
    )
    assert outcome.data["then"] == "transfer.execute"
    assert chat.stepup.request == StepUpRequest(
        action=transfer.INTER,
        amount="150.00",
        currency="USD",
        payee="Chidi Okeke (Access Bank ••4321)",
        account=SAVINGS.number,
        force=False,
        destination="044:0987654321",
    )
    assert chat.bank.transfers == []  # nothing moves before the code


def test_the_right_code_moves_the_money_once_and_sends_the_receipt() -> None:
    chat = at_summary()
    chat.say("yes")
    outcome = chat.say(CODE)
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["transfer.done", "menu.hint"])
    assert params(outcome, "transfer.done") == {
        "amount": "USD 150.00",
        "payee": "Chidi Okeke (Access Bank ••4321)",
        "reference": "TX000001",
    }
    assert outcome.effects == (SendReceipt(101),)
    [sent] = chat.bank.transfers
    assert (sent.from_account, sent.to_account, sent.to_bank_code, sent.amount) == (
        SAVINGS.number,
        "0987654321",
        "044",
        Decimal("150.00"),
    )
    assert sent.customer_id == "C001" and sent.idempotency_key.startswith("wa-")


def test_no_step_up_needed_moves_the_money_at_yes() -> None:
    chat = at_summary().no_challenge()
    outcome = chat.say("yes")
    assert keys(outcome) == ["transfer.done", "menu.hint"]
    assert outcome.effects == (SendReceipt(101),)


def test_a_wrong_code_keeps_the_money_where_it_is() -> None:
    chat = at_summary()
    chat.say("yes")
    outcome = chat.say("000000")
    assert (outcome.state, keys(outcome)) == (State.STEP_UP, ["stepup.wrong"])
    assert chat.bank.transfers == []


def test_cancel_during_the_step_up_moves_nothing() -> None:
    chat = at_summary()
    chat.say("yes")
    outcome = chat.say("cancel")
    assert outcome.state is State.MAIN_MENU
    assert chat.bank.transfers == []


# --- the bank says no, or has done it already ---


@pytest.mark.parametrize(
    ("refusal", "expected"),
    [
        (
            LimitExceeded(Limit.DAILY, Decimal("2000.00"), Decimal("50.00")),
            ["limit.daily", "transfer.not_sent"],
        ),
        (
            LimitExceeded(Limit.MONTHLY, Decimal("10000.00"), Decimal("0.00")),
            ["limit.monthly", "transfer.not_sent"],
        ),
        (InsufficientFunds(Decimal("20.00")), ["transfer.not_enough", "transfer.not_sent"]),
        (IdempotencyConflict("wa-x"), ["transfer.conflict"]),
        (UnknownAccount("0987654321"), ["transfer.refused"]),
    ],
    ids=["daily", "monthly", "funds", "conflict", "other"],
)
def test_a_refusal_says_why_and_sends_no_receipt(refusal: BankError, expected: list[str]) -> None:
    chat = at_summary().no_challenge()
    chat.bank.refuse = refusal
    outcome = chat.say("yes")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, expected)
    assert outcome.effects == ()


def test_a_refusal_states_the_amounts() -> None:
    chat = at_summary().no_challenge()
    chat.bank.refuse = LimitExceeded(Limit.DAILY, Decimal("2000.00"), Decimal("50.00"))
    outcome = chat.say("yes")
    assert params(outcome, "limit.daily") == {"allowed": "USD 2,000.00", "left": "USD 50.00"}


def test_the_same_confirmation_twice_is_replayed_not_moved_again() -> None:
    chat = at_summary().no_challenge()
    slots = dict(chat.conv.data)
    first = transfer.MOVEMENT.execute(chat.ctx, slots)
    again = transfer.MOVEMENT.execute(chat.ctx, slots)
    assert keys(first) == ["transfer.done", "menu.hint"]
    assert (again.state, keys(again), again.effects) == (
        State.MAIN_MENU,
        ["transfer.already_done"],
        (),
    )
    assert params(again, "transfer.already_done")["reference"] == "TX000001"
    keys_used = {r.idempotency_key for r in chat.bank.transfers}
    assert len(keys_used) == 1


def test_another_summary_of_the_same_payment_is_a_new_movement() -> None:
    chat = at_summary().no_challenge()
    chat.say("yes")
    chat.say("transfer", "1", "2", "150", "yes")
    first, second = chat.bank.transfers
    assert first.idempotency_key != second.idempotency_key
    assert keys(chat.last) == ["transfer.done", "menu.hint"]


def test_a_challenge_stored_before_the_sub_flow_still_resumes() -> None:
    """A conversation written by the previous release: STEP_UP, ``then`` = transfer.execute."""
    chat = at_summary()
    slots = dict(chat.conv.data)
    request = StepUpRequest(
        transfer.INTER,
        "150.00",
        "USD",
        str(slots["payee"]),
        SAVINGS.number,
        False,
        "044:0987654321",
    )
    stored = Conversation(
        State.STEP_UP,
        {
            "stepup": request.as_dict(),
            "then": "transfer.execute",
            "slots": slots,
            "kind": "sms_code",
        },
        NOW,
    )
    chat.stepup.request = request  # the challenge the port began then
    outcome = chat.at(Conversation.from_json(stored.to_json())).say(CODE)
    assert keys(outcome) == ["transfer.done", "menu.hint"]
    assert "transfer.execute" in stepup.CONTINUATIONS and "bill.execute" in stepup.CONTINUATIONS


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
    assert (outcome.data["new"], outcome.data["action"]) == (True, transfer.INTER)


def test_a_new_payee_at_this_bank_is_intra_bank() -> None:
    chat = at_payee()
    outcome = chat.say("3", "1", "0300000003", "yes")
    assert (outcome.data["action"], outcome.data["bank"]) == (transfer.INTRA, OWN_CODE)


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
    assert chat.bank.holds == [] and chat.stepup.request.action == transfer.P2P


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
    transfer.MOVEMENT.execute(chat.ctx, slots)
    again = transfer.MOVEMENT.execute(chat.ctx, slots)
    assert (keys(again), again.effects) == (["transfer.already_done"], ())


# --- asked again after a login ---


@pytest.mark.parametrize("state", list(transfer.PROMPTS))
def test_every_transfer_state_can_ask_its_question_again(state: State) -> None:
    chat = at_new_payee_name()
    slots = {**chat.conv.data, "payee": "Ngozi Eze (Access Bank ••3334)", "amount": "10.00"}
    outcome = transfer.PROMPTS[state](chat.ctx, slots)
    assert outcome.state is state
    assert len(outcome.replies) == 1
