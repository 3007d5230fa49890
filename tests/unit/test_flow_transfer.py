"""The transfer flow, pure: to whom, how much (and so from which account), then the movement
sub-flow (the summary, ``from current`` at it, ``yes`` or ``no``, the step-up needed or not, the
bank's refusals, a repeated confirmation, a challenge stored by the previous release). New
payees and mobile numbers are in ``test_flow_transfer_payees``. Fakes for every port; the tests
assert states, reply keys and effects, never wording (the transcripts pin that).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from auth.ports import StepUpRequest
from bank.ports import (
    Account,
    BankError,
    IdempotencyConflict,
    InsufficientFunds,
    Limit,
    LimitExceeded,
    Payee,
    UnknownAccount,
)
from flows import stepup, transfer_money
from flows.conversation import Conversation
from flows.effects import RecordMovement, SendReceipt
from flows.states import State
from tests.flow_fakes import (
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

# The audit entry of the usual transfer (flows.audit_trail): masked parties, the reference.
AUDITED = RecordMovement(
    "money.transfer",
    "success",
    amount="USD 150.00",
    parties="from ••6789 to ••4321 at 044",
    reference="TX000001",
)


PAYEES = [
    "1 New payee",
    "2 A mobile number",
    "3 your Savings ••6789",
    "4 your Current ••6790",
    "5 Chidi Okeke (Access Bank ••4321)",
]
CHIDI_AT = "5"  # Chidi's number in PAYEES
TO_SAVINGS, TO_CURRENT = "3", "4"
SECOND = Account("0123456791", "C001", "current", "USD", Decimal("500.00"))


def at_payee(chat: Chat | None = None) -> Chat:
    """At the list of payees (PAYEES): no account asked first."""
    chat = chat or Chat()
    chat.say("transfer")
    assert chat.conv.state is State.TRANSFER_PAYEE
    return chat


def at_summary(amount: str = "150", chat: Chat | None = None) -> Chat:
    """To Chidi (a saved payee at another bank), the summary shown: from Savings, the richest."""
    chat = at_payee(chat)
    chat.say(CHIDI_AT, amount)
    assert chat.conv.state is State.TRANSFER_CONFIRM
    return chat


# --- no "from which account?" first ---


def test_no_accounts() -> None:
    chat = Chat(bank=FlowBank(accounts_by_customer={}))
    outcome = chat.say("transfer")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["transfer.no_accounts"])


@pytest.mark.parametrize("accounts", [[SAVINGS], [SAVINGS, CURRENT]], ids=["one", "several"])
def test_start_goes_straight_to_the_payee(accounts: list[Account]) -> None:
    chat = Chat(bank=FlowBank(accounts_by_customer={"C001": accounts}))
    outcome = chat.say("transfer")
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_PAYEE, ["transfer.choose_payee"])
    assert outcome.data == {}  # the account it leaves from is settled with the amount


def test_a_source_asked_by_a_stored_conversation_and_a_wrong_choice_asks_again() -> None:
    """TRANSFER_SOURCE is only reached through a conversation stored before (or a request)."""
    chat = Chat().at(Conversation(State.TRANSFER_SOURCE, {}, NOW))
    for typed in ("3", "0", "savings", "1.5"):
        again = chat.say(typed)
        assert (again.state, keys(again)) == (State.TRANSFER_SOURCE, ["fallback.transfer_source"])
    chosen = chat.say("2")
    assert (chosen.state, chosen.data["from"]) == (State.TRANSFER_PAYEE, CURRENT.number)
    offered = params(chosen, "transfer.choose_payee")["choices"].splitlines()
    assert offered == [  # not the account it leaves from
        "1 New payee",
        "2 A mobile number",
        "3 your Savings ••6789",
        "4 Chidi Okeke (Access Bank ••4321)",
    ]


def test_a_source_chosen_before_the_payee_is_kept_for_the_amount() -> None:
    chat = Chat().at(Conversation(State.TRANSFER_SOURCE, {}, NOW))
    chat.say("2", "4")  # from Current, to Chidi
    assert chat.conv.data["from"] == CURRENT.number
    summary = chat.say("150")
    assert params(summary, "transfer.summary")["source"] == "Current ••6790"
    assert chat.conv.data["from"] == CURRENT.number  # not the richer Savings


def test_a_source_asked_with_the_payee_known_goes_to_the_amount() -> None:
    stored = {"to": "0987654321", "bank": "044", "payee": "Chidi Okeke (Access Bank ••4321)"}
    chat = Chat().at(Conversation(State.TRANSFER_SOURCE, {**stored, "action": "x"}, NOW))
    outcome = chat.say("1")
    assert (outcome.state, outcome.data["from"]) == (State.TRANSFER_AMOUNT, SAVINGS.number)


# --- to whom ---


def test_the_payees_offered() -> None:
    outcome = at_payee().last
    assert outcome is not None
    assert params(outcome, "transfer.choose_payee")["choices"].splitlines() == PAYEES


def test_one_account_offers_no_own_account() -> None:
    chat = at_payee(Chat(bank=FlowBank(accounts_by_customer={"C001": [SAVINGS]})))
    assert chat.last is not None
    assert params(chat.last, "transfer.choose_payee")["choices"].splitlines() == [
        "1 New payee",
        "2 A mobile number",
        "3 Chidi Okeke (Access Bank ••4321)",
    ]


def test_new_payee_and_a_mobile_number_keep_their_numbers_as_payees_are_saved() -> None:
    chat = Chat()
    saved = chat.bank.payees_by_customer["C001"]
    saved.append(Payee(2, "C001", "Ngozi Eze", OWN_CODE, "0300000004"))
    saved.insert(0, Payee(3, "C001", "Ada Obi", "044", "1000000005"))
    outcome = at_payee(chat).last
    assert outcome is not None
    assert params(outcome, "transfer.choose_payee")["choices"].splitlines() == [
        "1 New payee",
        "2 A mobile number",
        "3 your Savings ••6789",
        "4 your Current ••6790",
        "5 Ada Obi (Access Bank ••0005)",  # saved payees in the order they were saved
        "6 Chidi Okeke (Access Bank ••4321)",
        "7 Ngozi Eze (••0004)",  # this bank: no bank name
    ]
    assert chat.say("1").state is State.TRANSFER_BANK


@pytest.mark.parametrize("typed", ["6", "0", "chidi?"])
def test_a_wrong_payee_choice_asks_again(typed: str) -> None:
    chat = at_payee()
    data = dict(chat.conv.data)
    outcome = chat.say(typed)
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_PAYEE, ["fallback.transfer_payee"])
    assert outcome.data == data
    assert params(outcome, "fallback.transfer_payee")["choices"].splitlines() == PAYEES


def test_a_saved_payee_at_another_bank() -> None:
    chat = at_payee()
    outcome = chat.say(CHIDI_AT)
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_AMOUNT, ["transfer.ask_amount_left"])
    assert params(outcome, "transfer.ask_amount_left")["left"] == "USD 2,000.00"
    assert outcome.data["action"] == transfer_money.INTER
    assert (outcome.data["to"], outcome.data["bank"], outcome.data["new"]) == (
        "0987654321",
        "044",
        False,
    )
    assert "from" not in outcome.data


def test_own_account_asks_the_amount_without_a_limit() -> None:
    chat = at_payee()
    outcome = chat.say(TO_CURRENT)
    assert keys(outcome) == ["transfer.ask_amount"]
    assert (outcome.data["action"], outcome.data["to"]) == (transfer_money.OWN, CURRENT.number)


def test_the_limit_used_up_ends_the_flow_before_the_amount() -> None:
    chat = at_payee()
    chat.bank.limit = replace(KYC, used_today=Decimal("2000.00"))
    outcome = chat.say(CHIDI_AT)
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["transfer.limit_used_up"])


def test_the_cooling_off_cap_reaches_the_bank() -> None:
    chat = at_payee()
    chat.identity.cap = Decimal("200.00")
    outcome = chat.say(CHIDI_AT)
    assert params(outcome, "transfer.ask_amount_left")["left"] == "USD 200.00"
    assert chat.bank.caps[-1] == Decimal("200.00")


# --- how much, and from which account ---


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("lots", "amount.not_a_number"),
        ("0", "amount.zero"),
        ("10.001", "amount.too_many_decimals"),
        ("2600", "transfer.not_enough"),  # more than any account holds
        ("1500", "limit.per_transaction"),
    ],
)
def test_an_amount_that_cant_be_sent_stays_and_says_why(typed: str, key: str) -> None:
    chat = at_payee()
    chat.say(CHIDI_AT)
    data = dict(chat.conv.data)
    outcome = chat.say(typed)
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_AMOUNT, [key])
    assert outcome.data == data


def test_not_enough_anywhere_says_what_the_richest_account_holds() -> None:
    chat = at_payee()
    outcome = chat.say(CHIDI_AT, "2600")
    assert params(outcome, "transfer.not_enough") == {"available": "USD 2,500.00"}


@pytest.mark.parametrize(
    ("accounts", "paying"),
    [
        ([SAVINGS, CURRENT], SAVINGS),
        ([replace(SAVINGS, balance=Decimal("100.00")), CURRENT], CURRENT),
    ],
    ids=["savings-richer", "current-richer"],
)
def test_the_account_with_the_most_money_pays(accounts: list[Account], paying: Account) -> None:
    chat = at_summary(chat=Chat(bank=FlowBank(accounts_by_customer={"C001": accounts})))
    assert chat.conv.data["from"] == paying.number
    assert chat.last is not None
    assert params(chat.last, "transfer.summary")["source"].startswith(paying.type.title())


def test_between_own_accounts_the_limits_dont_apply() -> None:
    chat = at_payee()
    outcome = chat.say(TO_CURRENT, "1500")  # over the per-transaction limit, under the balance
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_CONFIRM, ["transfer.summary"])
    assert outcome.data["from"] == SAVINGS.number


def test_between_own_accounts_the_destination_never_pays() -> None:
    chat = at_payee()
    chat.say(TO_SAVINGS)
    refused = chat.say("400")  # Savings could, but it is where the money goes
    assert (refused.state, keys(refused)) == (State.TRANSFER_AMOUNT, ["transfer.not_enough"])
    assert params(refused, "transfer.not_enough") == {"available": "USD 300.00"}
    summary = chat.say("200")
    assert (summary.state, keys(summary)) == (State.TRANSFER_CONFIRM, ["transfer.summary"])
    assert (summary.data["from"], summary.data["to"]) == (CURRENT.number, SAVINGS.number)


def test_no_account_left_meanwhile() -> None:
    chat = at_payee()
    chat.say(CHIDI_AT)
    chat.bank.accounts_by_customer["C001"] = []
    outcome = chat.say("150")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["transfer.source_gone"])


def test_the_richest_account_gone_meanwhile_another_pays() -> None:
    chat = at_payee()
    chat.say(CHIDI_AT)
    chat.bank.accounts_by_customer["C001"] = [CURRENT]
    outcome = chat.say("150")
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_CONFIRM, ["transfer.summary"])
    assert outcome.data["from"] == CURRENT.number


def test_a_stored_source_is_the_only_one_that_pays() -> None:
    slots = {
        "from": CURRENT.number,
        "to": "0987654321",
        "bank": "044",
        "payee": "Chidi Okeke (Access Bank ••4321)",
        "action": transfer_money.INTER,
        "new": False,
    }
    chat = Chat().at(Conversation(State.TRANSFER_AMOUNT, slots, NOW))
    refused = chat.say("400")
    assert params(refused, "transfer.not_enough") == {"available": "USD 300.00"}
    assert chat.say("150").data["from"] == CURRENT.number
    gone = Chat(bank=FlowBank(accounts_by_customer={"C001": [SAVINGS]}))
    outcome = gone.at(Conversation(State.TRANSFER_AMOUNT, slots, NOW)).say("150")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["transfer.source_gone"])


def test_the_summary_marks_the_confirmation() -> None:
    outcome = at_summary().last
    assert outcome is not None
    assert keys(outcome) == ["transfer.summary", "movement.other_source"]
    assert params(outcome, "transfer.summary") == {
        "amount": "USD 150.00",
        "payee": "Chidi Okeke (Access Bank ••4321)",
        "source": "Savings ••6789",
    }
    assert outcome.data["amount"] == "150.00"
    assert outcome.data["asked_at"] == NOW.isoformat() and len(outcome.data["summary"]) == 16


# --- the summary: another account ---


def test_the_summary_offers_the_other_accounts_that_can_pay() -> None:
    outcome = at_summary().last
    assert outcome is not None
    assert params(outcome, "movement.other_source") == {
        "choices": "*from current* (Current ••6790)"
    }


def test_no_other_account_offered_when_none_other_can_pay() -> None:
    outcome = at_summary("400").last  # Current holds 300
    assert outcome is not None and keys(outcome) == ["transfer.summary"]


@pytest.mark.parametrize("typed", ["from current", "from 6790", "current"])
def test_from_another_account_at_the_summary_is_a_new_summary(typed: str) -> None:
    chat = at_summary()
    first = dict(chat.conv.data)
    outcome = chat.say(typed)
    assert (outcome.state, keys(outcome)) == (
        State.TRANSFER_CONFIRM,
        ["transfer.summary", "movement.other_source"],
    )
    assert params(outcome, "transfer.summary")["source"] == "Current ••6790"
    assert params(outcome, "movement.other_source") == {
        "choices": "*from savings* (Savings ••6789)"
    }
    assert outcome.data["from"] == CURRENT.number and outcome.data["amount"] == "150.00"
    assert outcome.data["summary"] != first["summary"]  # new marks: a new confirmation
    assert chat.bank.transfers == [] and chat.stepup.calls == []


def test_a_switched_summary_moves_the_money_from_there_with_a_new_key() -> None:
    chat = at_summary().no_challenge()
    first = dict(chat.conv.data)
    chat.say("from current")
    switched = dict(chat.conv.data)
    outcome = chat.say("yes")
    assert keys(outcome) == ["transfer.done", "menu.hint"]
    assert chat.stepup.request is not None and chat.stepup.request.account == CURRENT.number
    [sent] = chat.bank.transfers
    assert sent.from_account == CURRENT.number
    key = transfer_money.MOVEMENT.request
    assert sent.idempotency_key == key(chat.ctx, switched).idempotency_key
    assert sent.idempotency_key != key(chat.ctx, first).idempotency_key


@pytest.mark.parametrize("typed", ["from savings", "from bonus", "from", "from 1234"])
def test_from_an_account_that_isnt_another_payer_asks_again(typed: str) -> None:
    chat = at_summary()
    data = dict(chat.conv.data)
    outcome = chat.say(typed)
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_CONFIRM, ["fallback.transfer_confirm"])
    assert outcome.data == data


def test_from_an_account_that_cant_pay_asks_again() -> None:
    chat = at_summary("400")
    data = dict(chat.conv.data)
    outcome = chat.say("from current")
    assert (outcome.state, keys(outcome)) == (State.TRANSFER_CONFIRM, ["fallback.transfer_confirm"])
    assert outcome.data == data


def test_two_accounts_of_a_type_are_named_by_their_last_digits() -> None:
    bank = FlowBank(accounts_by_customer={"C001": [SAVINGS, CURRENT, SECOND]})
    chat = at_payee(Chat(bank=bank))
    summary = chat.say("6", "150")  # three own accounts: Chidi is 6
    assert summary.data["to"] == "0987654321"
    assert params(summary, "movement.other_source") == {
        "choices": "*from 6790* (Current ••6790), *from 6791* (Current ••6791)"
    }
    assert keys(chat.say("from current")) == ["fallback.transfer_confirm"]  # which one?
    assert chat.say("from 6791").data["from"] == SECOND.number


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
        segment="retail",
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
    assert outcome.effects == (AUDITED, SendReceipt(101))  # audited first
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
    assert outcome.effects == (AUDITED, SendReceipt(101))


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
    kind = {
        "limit.daily": "limit.daily",
        "limit.monthly": "limit.monthly",
        "transfer.not_enough": "insufficient_funds",
        "transfer.conflict": "idempotency_conflict",
        "transfer.refused": "unknown_account",
    }[expected[0]]
    refused = RecordMovement(
        "money.transfer",
        "refused",
        reason=kind,  # the refusal's kind, never its message
        amount="USD 150.00",
        parties="from ••6789 to ••4321 at 044",
    )
    assert outcome.effects == (refused,)  # no receipt


def test_a_refusal_states_the_amounts() -> None:
    chat = at_summary().no_challenge()
    chat.bank.refuse = LimitExceeded(Limit.DAILY, Decimal("2000.00"), Decimal("50.00"))
    outcome = chat.say("yes")
    assert params(outcome, "limit.daily") == {
        "allowed": "USD 2,000.00",
        "left": "USD 50.00",
        "limit": "USD 2,000.00",  # the account level's: no lower cap of the customer's
    }


def test_the_same_confirmation_twice_is_replayed_not_moved_again() -> None:
    chat = at_summary().no_challenge()
    slots = dict(chat.conv.data)
    first = transfer_money.MOVEMENT.execute(chat.ctx, slots)
    again = transfer_money.MOVEMENT.execute(chat.ctx, slots)
    assert keys(first) == ["transfer.done", "menu.hint"]
    assert first.effects[0] == AUDITED
    assert (again.state, keys(again), again.effects) == (
        State.MAIN_MENU,
        ["transfer.already_done"],
        (replace(AUDITED, result="replayed"),),  # the replay, not a second movement
    )
    assert params(again, "transfer.already_done")["reference"] == "TX000001"
    keys_used = {r.idempotency_key for r in chat.bank.transfers}
    assert len(keys_used) == 1


def test_another_summary_of_the_same_payment_is_a_new_movement() -> None:
    chat = at_summary().no_challenge()
    chat.say("yes")
    chat.say("transfer", CHIDI_AT, "150", "yes")
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
