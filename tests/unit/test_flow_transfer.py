"""The transfer flow, pure: from which account, to whom, how much, then the movement sub-flow
(the summary, ``yes`` or ``no``, the step-up needed or not, the bank's refusals, a repeated
confirmation, a challenge stored by the previous release). New payees and mobile numbers are in
``test_flow_transfer_payees``. Fakes for every port; the tests assert states, reply keys and
effects, never wording (the transcripts pin that).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from auth.ports import StepUpRequest
from bank.ports import (
    BankError,
    IdempotencyConflict,
    InsufficientFunds,
    Limit,
    LimitExceeded,
    UnknownAccount,
)
from flows import stepup, transfer_money
from flows.conversation import Conversation
from flows.effects import SendReceipt
from flows.states import State
from tests.flow_fakes import (
    CURRENT,
    KYC,
    NOW,
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
    assert outcome.data["action"] == transfer_money.INTER
    assert (outcome.data["to"], outcome.data["bank"], outcome.data["new"]) == (
        "0987654321",
        "044",
        False,
    )


def test_own_account_asks_the_amount_without_a_limit() -> None:
    chat = at_payee()
    outcome = chat.say("1")
    assert keys(outcome) == ["transfer.ask_amount"]
    assert (outcome.data["action"], outcome.data["to"]) == (transfer_money.OWN, CURRENT.number)


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
        action=transfer_money.INTER,
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
    first = transfer_money.MOVEMENT.execute(chat.ctx, slots)
    again = transfer_money.MOVEMENT.execute(chat.ctx, slots)
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
        transfer_money.INTER,
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
