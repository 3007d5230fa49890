"""The bank's reads shared within one message (flows.shared_reads): a repeat is answered from the
message's first read, a movement or any other call forgets every answer, and the next message
reads fresh. Fakes for every port (tests.flow_fakes)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from bank.ports import Account, LimitStatus, TransferRequest, TransferResult
from flows.shared_reads import SharedReads, shared
from flows.states import State
from tests.flow_fakes import SAVINGS, Chat, FlowBank, keys


@dataclass
class CountingBank(FlowBank):
    """The flows' fake bank, counting what it was asked."""

    asked: Counter[str] = field(default_factory=Counter)

    def accounts(self, customer_id: str) -> list[Account]:
        self.asked["accounts"] += 1
        return super().accounts(customer_id)

    def limits(self, customer_id: str, daily_cap: Decimal | None = None) -> LimitStatus:
        self.asked["limits"] += 1
        return super().limits(customer_id, daily_cap)

    def transfer(self, req: TransferRequest) -> TransferResult:
        self.asked["transfer"] += 1
        return super().transfer(req)


def _request(**changes: Any) -> TransferRequest:
    base = TransferRequest("k1", SAVINGS.number, "1112223334", "044", Decimal("1.00"), "n", "C001")
    return replace(base, **changes)


def test_a_repeated_read_asks_the_bank_once() -> None:
    bank = CountingBank()
    reads = SharedReads(bank)
    assert reads.accounts("C001") == reads.accounts("C001") == bank.accounts("C001")
    assert reads.limits("C001") == reads.limits("C001")
    assert bank.asked == Counter(accounts=2, limits=1)  # one of the accounts was the test's own


def test_other_arguments_are_other_reads() -> None:
    bank = CountingBank()
    reads = SharedReads(bank)
    reads.accounts("C001")
    reads.accounts("C002")
    capped = reads.limits("C001", Decimal("10"))
    whole = reads.limits("C001")
    assert bank.asked == Counter(accounts=2, limits=2)
    assert capped.daily == Decimal("10") and whole.daily > capped.daily


def test_each_caller_gets_its_own_list() -> None:
    reads = SharedReads(CountingBank())
    mine = reads.accounts("C001")
    mine.clear()
    assert reads.accounts("C001")  # the shared answer is untouched


def test_a_movement_forgets_every_answer() -> None:
    bank = CountingBank()
    reads = shared(bank)
    reads.accounts("C001")
    reads.limits("C001")
    reads.transfer(_request())
    reads.accounts("C001")
    reads.limits("C001")
    assert bank.asked == Counter(accounts=2, limits=2, transfer=1)
    assert bank.transfers == [_request()]


def test_any_other_call_forgets_too_and_goes_to_the_bank() -> None:
    bank = CountingBank()
    reads = shared(bank)
    reads.accounts("C001")
    assert reads.wallet_of("+2348000000000") is None  # not one of the shared reads
    reads.accounts("C001")
    assert bank.asked["accounts"] == 2


def test_a_bank_is_wrapped_once() -> None:
    reads = shared(CountingBank())
    assert shared(reads) is reads
    assert isinstance(reads, SharedReads)


def test_one_message_reads_the_accounts_and_limits_once_and_the_next_reads_fresh() -> None:
    bank = CountingBank()
    Chat(bank=bank).say("send 150 to chidi")  # the source, the check, what's left, the summary
    assert bank.asked == Counter(accounts=1, limits=1)
    bank.limit = replace(bank.limit, used_today=bank.limit.daily)  # a transfer elsewhere
    again = Chat(bank=bank)
    outcome = again.say("send 150 to chidi")
    assert bank.asked == Counter(accounts=2, limits=2)
    assert again.conv.state is not State.TRANSFER_CONFIRM and "transfer.summary" not in keys(
        outcome
    )


def test_the_code_moves_the_money_once_with_its_limits_read_in_its_own_message() -> None:
    bank = CountingBank()
    chat = Chat(bank=bank).no_challenge()
    chat.say("send 150 to chidi")
    asked = bank.asked.copy()
    outcome = chat.say("yes")
    assert "transfer.done" in keys(outcome)
    assert bank.asked["transfer"] == 1 and len(bank.transfers) == 1
    assert bank.asked["limits"] - asked["limits"] <= 1
