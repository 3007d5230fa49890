"""The bill-payment flow, pure: biller, reference (the amount may come with it), amount (and so
the account it leaves from), then the movement sub-flow (summary, ``from current`` at it, yes,
step-up, the bank once, refusals, a repeated confirmation). Fakes for every port; states, reply
keys and effects, never wording.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from auth.ports import StepUpRequest
from bank.ports import (
    BILLER_BANK_CODE,
    Account,
    BankError,
    Biller,
    IdempotencyConflict,
    InsufficientFunds,
    Limit,
    LimitExceeded,
)
from flows import bills
from flows.conversation import Conversation
from flows.effects import RecordMovement, SendReceipt
from flows.states import State
from tests.flow_fakes import (
    CURRENT,
    ELEC,
    KYC,
    NOW,
    SAVINGS,
    TV,
    Chat,
    FlowBank,
    keys,
    params,
)

CODE = "123456"
METER = "12345678901"


def one_account() -> Chat:
    return Chat(bank=FlowBank(accounts_by_customer={"C001": [SAVINGS]}))


def at_summary(chat: Chat | None = None, amount: str = "50") -> Chat:
    chat = chat or one_account()
    chat.say("pay bill", "1", METER, amount)
    assert chat.conv.state is State.BILL_CONFIRM
    return chat


# --- biller ---


def test_no_billers() -> None:
    chat = Chat(bank=FlowBank(billers_list=[]))
    outcome = chat.say("pay bill")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["bill.none"])


def test_no_accounts() -> None:
    chat = Chat(bank=FlowBank(accounts_by_customer={}))
    outcome = chat.say("pay bill")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["transfer.no_accounts"])


@pytest.mark.parametrize("accounts", [[SAVINGS], [SAVINGS, CURRENT]], ids=["one", "several"])
def test_the_biller_is_asked_first_and_no_account(accounts: list[Account]) -> None:
    chat = Chat(bank=FlowBank(accounts_by_customer={"C001": accounts}))
    outcome = chat.say("pay bill")
    assert (outcome.state, keys(outcome)) == (State.BILL_BILLER, ["bill.choose_biller"])
    assert outcome.data == {}  # the account it leaves from is settled with the amount
    assert params(outcome, "bill.choose_biller")["choices"] == "1 City Power\n2 StarVision"


@pytest.mark.parametrize("typed", ["3", "water", "0"])
def test_a_wrong_biller_asks_again(typed: str) -> None:
    chat = one_account()
    chat.say("pay bill")
    outcome = chat.say(typed)
    assert (outcome.state, keys(outcome)) == (State.BILL_BILLER, ["fallback.bill_biller"])


@pytest.mark.parametrize(("typed", "code"), [("1", "ELEC"), ("2", "TV"), ("starvision", "TV")])
def test_a_biller_by_number_or_name(typed: str, code: str) -> None:
    chat = one_account()
    chat.say("pay bill")
    outcome = chat.say(typed)
    assert (outcome.state, keys(outcome)) == (State.BILL_REFERENCE, ["bill.ask_reference"])
    assert outcome.data["biller"] == code
    biller = ELEC if code == "ELEC" else TV
    assert params(outcome, "bill.ask_reference") == {
        "biller": biller.name,
        "label": biller.reference_label,
        "example": "01234567890" if code == "ELEC" else "0123456789",  # shaped like the pattern
    }


@pytest.mark.parametrize(
    ("pattern", "example"),
    [
        ("^[0-9]{11}$", "01234567890"),
        ("[0-9]{4}", "0123"),
        ("^[0-9]{12}$", "012345678901"),
        ("^WC[0-9]{8}$", "WC01234567"),  # a literal prefix is kept
        ("^[A-Z]{2}[0-9]{6}$", "your reference"),
        ("([0-9]", "your reference"),
    ],
)
def test_the_example_reference_is_shaped_like_the_billers(pattern: str, example: str) -> None:
    assert bills.example_reference(pattern) == example


# --- reference ---


@pytest.mark.parametrize("typed", ["1234", "123456789012", "meter"])
def test_a_reference_must_match_the_billers_pattern(typed: str) -> None:
    chat = one_account()
    chat.say("pay bill", "1")
    outcome = chat.say(typed)
    assert (outcome.state, keys(outcome)) == (State.BILL_REFERENCE, ["bill.bad_reference"])


def test_spaces_and_dashes_between_groups_are_dropped() -> None:
    chat = one_account()
    chat.say("pay bill", "1")
    outcome = chat.say("123-4567 8901")
    assert (outcome.state, outcome.data["reference"]) == (State.BILL_AMOUNT, METER)
    assert keys(outcome) == ["bill.ask_amount"]
    assert params(outcome, "bill.ask_amount")["left"] == "USD 2,000.00"


def test_a_biller_set_up_with_a_broken_pattern_refuses_every_reference() -> None:
    broken = Biller("GAS", "Gas Co", "Account", "([0-9]")
    chat = Chat(bank=FlowBank(accounts_by_customer={"C001": [SAVINGS]}, billers_list=[broken]))
    chat.say("pay bill", "1")
    assert keys(chat.say("12345")) == ["bill.bad_reference"]


def test_a_biller_gone_meanwhile() -> None:
    chat = one_account()
    chat.say("pay bill", "1")
    chat.bank.billers_list = [TV]
    outcome = chat.say(METER)
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["bill.biller_gone"])


def test_several_accounts_ask_no_account_after_the_reference() -> None:
    chat = Chat()
    outcome = chat.say("pay bill", "1", METER)
    assert (outcome.state, keys(outcome)) == (State.BILL_AMOUNT, ["bill.ask_amount"])
    assert "from" not in outcome.data
    summary = chat.say("50")
    assert (summary.state, keys(summary)) == (
        State.BILL_CONFIRM,
        ["bill.summary", "movement.other_source"],
    )
    assert summary.data["from"] == SAVINGS.number  # the one with the most money
    assert params(summary, "movement.other_source") == {
        "choices": "*from current* (Current ••6790)"
    }


def test_a_source_asked_by_a_stored_conversation() -> None:
    """BILL_SOURCE is only reached through a conversation stored before (or a request)."""
    stored = Conversation(State.BILL_SOURCE, {"biller": "ELEC", "reference": METER}, NOW)
    chat = Chat().at(stored)
    assert keys(chat.say("7")) == ["fallback.bill_source"]
    assert chat.conv.state is State.BILL_SOURCE
    chosen = chat.say("2")
    assert (chosen.state, chosen.data["from"]) == (State.BILL_AMOUNT, CURRENT.number)
    refused = chat.say("500")  # Savings could, but Current was chosen
    assert (refused.state, keys(refused)) == (State.BILL_AMOUNT, ["transfer.not_enough"])
    assert params(refused, "transfer.not_enough") == {"available": "USD 300.00"}
    summary = chat.say("50")
    assert (summary.state, summary.data["from"]) == (State.BILL_CONFIRM, CURRENT.number)
    assert params(summary, "bill.summary")["source"] == "Current ••6790"


def test_the_chosen_account_gone_meanwhile() -> None:
    slots = {"biller": "ELEC", "reference": METER, "from": CURRENT.number}
    chat = one_account().at(Conversation(State.BILL_AMOUNT, slots, NOW))
    outcome = chat.say("50")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["transfer.source_gone"])


# --- the amount with the reference ---


@pytest.mark.parametrize(
    ("typed", "amount"),
    [(f"{METER} 45.50", "45.50"), ("123-4567 8901 45", "45.00"), (f"{METER} 45", "45.00")],
)
def test_the_amount_may_come_with_the_reference(typed: str, amount: str) -> None:
    chat = one_account()
    outcome = chat.say("pay bill", "1", typed)
    assert (outcome.state, keys(outcome)) == (State.BILL_CONFIRM, ["bill.summary"])
    assert (outcome.data["reference"], outcome.data["amount"]) == (METER, amount)
    assert outcome.data["from"] == SAVINGS.number


def test_the_whole_text_as_a_reference_wins() -> None:
    chat = one_account()
    outcome = chat.say("pay bill", "1", "1234567890 1")  # 11 digits: a meter number
    assert (outcome.state, outcome.data["reference"]) == (State.BILL_AMOUNT, METER)


@pytest.mark.parametrize("typed", [f"{METER} please", "1234 45", f"{METER}45"])
def test_a_reference_with_something_else_is_refused(typed: str) -> None:
    chat = one_account()
    outcome = chat.say("pay bill", "1", typed)
    assert (outcome.state, keys(outcome)) == (State.BILL_REFERENCE, ["bill.bad_reference"])


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        (f"{METER} 3000", "transfer.not_enough"),
        (f"{METER} 1200", "limit.per_transaction"),
        (f"{METER} 0", "amount.zero"),
    ],
)
def test_an_amount_with_the_reference_that_cant_be_paid_asks_the_amount(
    typed: str, key: str
) -> None:
    chat = one_account()
    outcome = chat.say("pay bill", "1", typed)
    assert (outcome.state, keys(outcome)) == (State.BILL_AMOUNT, [key])
    assert outcome.data["reference"] == METER and "amount" not in outcome.data
    assert chat.say("50").state is State.BILL_CONFIRM


def test_an_amount_with_the_reference_and_several_accounts() -> None:
    outcome = Chat().say("pay bill", "1", f"{METER} 400")  # only Savings holds 400
    assert (outcome.state, keys(outcome)) == (State.BILL_CONFIRM, ["bill.summary"])
    assert outcome.data["from"] == SAVINGS.number


def test_the_limit_used_up_ends_the_flow_even_with_the_amount_in_the_reference() -> None:
    chat = one_account()
    chat.bank.limit = replace(KYC, used_today=KYC.daily)
    outcome = chat.say("pay bill", "1", f"{METER} 50")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["transfer.limit_used_up"])


# --- amount ---


def test_the_limit_used_up_ends_the_flow_before_the_amount() -> None:
    chat = one_account()
    chat.bank.limit = replace(KYC, used_today=KYC.daily)
    outcome = chat.say("pay bill", "1", METER)
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["transfer.limit_used_up"])


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("fifty", "amount.not_a_number"),
        ("-5", "amount.negative"),
        ("3000", "transfer.not_enough"),
        ("1200", "limit.per_transaction"),
    ],
)
def test_an_amount_that_cant_be_paid_stays_and_says_why(typed: str, key: str) -> None:
    chat = one_account()
    chat.say("pay bill", "1", METER)
    outcome = chat.say(typed)
    assert (outcome.state, keys(outcome)) == (State.BILL_AMOUNT, [key])


def test_the_summary_names_the_biller_and_reference() -> None:
    outcome = at_summary().last
    assert outcome is not None and keys(outcome) == ["bill.summary"]
    assert params(outcome, "bill.summary") == {
        "amount": "USD 50.00",
        "payee": f"City Power ({METER})",
        "source": "Savings ••6789",
    }


# --- the summary: yes, no, anything else ---


def test_from_current_at_the_summary_pays_from_there() -> None:
    chat = at_summary(Chat().no_challenge())
    first = dict(chat.conv.data)
    switched = chat.say("from current")
    assert (switched.state, keys(switched)) == (
        State.BILL_CONFIRM,
        ["bill.summary", "movement.other_source"],
    )
    assert params(switched, "bill.summary")["source"] == "Current ••6790"
    assert switched.data["summary"] != first["summary"]
    assert keys(chat.say("yes")) == ["bill.done", "menu.hint"]
    [paid] = chat.bank.transfers
    assert paid.from_account == CURRENT.number
    assert paid.idempotency_key != bills.MOVEMENT.request(chat.ctx, first).idempotency_key


def test_something_else_at_the_summary_asks_again() -> None:
    chat = at_summary()
    outcome = chat.say("later")
    assert (outcome.state, keys(outcome)) == (State.BILL_CONFIRM, ["fallback.bill_confirm"])


def test_no_pays_nothing() -> None:
    chat = at_summary()
    outcome = chat.say("no")
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["cancel.done", "menu.hint"])
    assert chat.bank.transfers == [] and chat.stepup.calls == []


def test_yes_asks_for_the_step_up_bound_to_the_biller_and_reference() -> None:
    chat = at_summary()
    outcome = chat.say("yes")
    assert outcome.state is State.STEP_UP
    assert outcome.data["then"] == "bill.execute"
    assert chat.stepup.request == StepUpRequest(
        action=bills.ACTION,
        amount="50.00",
        currency="USD",
        payee=f"City Power ({METER})",
        account=SAVINGS.number,
        destination=f"ELEC:{METER}",
        segment="retail",
    )


def test_the_right_code_pays_the_biller_once_with_a_receipt() -> None:
    chat = at_summary()
    chat.say("yes")
    outcome = chat.say(CODE)
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["bill.done", "menu.hint"])
    audited = RecordMovement(
        "money.bill",
        "success",
        amount="USD 50.00",
        parties="from ••6789 to biller ELEC ref ••8901",  # the meter number masked
        reference="TX000001",
    )
    assert outcome.effects == (audited, SendReceipt(101))  # audited first
    assert params(outcome, "bill.done")["reference"] == "TX000001"
    [paid] = chat.bank.transfers
    assert (paid.to_account, paid.to_bank_code, paid.amount, paid.narration) == (
        "ELEC",
        BILLER_BANK_CODE,
        Decimal("50.00"),
        f"Meter number {METER}",  # what the statement and receipt say
    )


def test_no_step_up_needed_pays_at_yes() -> None:
    chat = at_summary().no_challenge()
    assert keys(chat.say("yes")) == ["bill.done", "menu.hint"]


@pytest.mark.parametrize(
    ("refusal", "expected"),
    [
        (
            LimitExceeded(Limit.PER_TRANSACTION, Decimal("1000.00"), Decimal("1000.00")),
            ["limit.per_transaction", "transfer.not_sent"],
        ),
        (InsufficientFunds(Decimal("1.00")), ["transfer.not_enough", "transfer.not_sent"]),
        (IdempotencyConflict("wa-x"), ["transfer.conflict"]),
    ],
    ids=["limit", "funds", "conflict"],
)
def test_a_refusal_says_why_and_sends_no_receipt(refusal: BankError, expected: list[str]) -> None:
    chat = at_summary()
    chat.say("yes")
    chat.bank.refuse = refusal
    outcome = chat.say(CODE)
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, expected)
    [audited] = outcome.effects  # no receipt: only the refusal, audited with its kind
    assert isinstance(audited, RecordMovement)
    assert (audited.event, audited.result, audited.reference) == ("money.bill", "refused", "")
    assert audited.reason in ("limit.per_transaction", "insufficient_funds", "idempotency_conflict")


def test_the_same_confirmation_twice_is_replayed_not_paid_again() -> None:
    chat = at_summary()
    slots = dict(chat.conv.data)
    bills.MOVEMENT.execute(chat.ctx, slots)
    again = bills.MOVEMENT.execute(chat.ctx, slots)
    replayed = RecordMovement(
        "money.bill",
        "replayed",  # recorded as the replay it is, not as a second payment
        amount="USD 50.00",
        parties="from ••6789 to biller ELEC ref ••8901",
        reference="TX000001",
    )
    assert (again.state, keys(again), again.effects) == (
        State.MAIN_MENU,
        ["transfer.already_done"],
        (replayed,),
    )
    assert len({p.idempotency_key for p in chat.bank.transfers}) == 1


def test_a_challenge_stored_before_the_sub_flow_still_resumes() -> None:
    chat = at_summary()
    slots = dict(chat.conv.data)
    request = StepUpRequest(
        bills.ACTION,
        "50.00",
        "USD",
        f"City Power ({METER})",
        SAVINGS.number,
        False,
        f"ELEC:{METER}",
    )
    stored = {"stepup": request.as_dict(), "then": "bill.execute", "slots": slots}
    chat.stepup.request = request
    outcome = chat.at(Conversation(State.STEP_UP, stored, NOW)).say(CODE)
    assert keys(outcome) == ["bill.done", "menu.hint"]


@pytest.mark.parametrize("state", list(bills.PROMPTS))
def test_every_bill_state_can_ask_its_question_again(state: State) -> None:
    slots = {"from": SAVINGS.number, "biller": "ELEC", "reference": METER, "amount": "50.00"}
    outcome = bills.PROMPTS[state](one_account().ctx, slots)
    assert outcome.state is state and len(outcome.replies) == 1


def test_the_summary_asked_again_with_the_account_gone() -> None:
    chat = at_summary()
    chat.bank.accounts_by_customer["C001"] = []
    outcome = bills.PROMPTS[State.BILL_CONFIRM](chat.ctx, chat.conv.data)
    assert (outcome.state, keys(outcome)) == (State.MAIN_MENU, ["transfer.source_gone"])
