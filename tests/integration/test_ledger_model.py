"""The demo bank against a model of it, in randomized runs (hypothesis stateful testing).

Each run makes random transfers from three customers of different KYC levels: to their own
accounts, to other customers, to other banks (settlement accounts), to accounts and banks that
don't exist, with a daily cap now and then, fresh keys and reused ones (replays and conflicts),
while the clock moves on by hours and days across a month's end. A small model predicts every
outcome: the balances, the refusal and its limit, the replay's first result. After every step
the ledger is balanced, no customer is overdrawn, money only leaves the customers through
transfers to other banks (each landing in that bank's settlement account, so the bank's total
never changes), and the limits the bank reports are the model's.

``test_bank_transfer`` has the plain randomized run; this one adds the limits (the KYC guard as
the app wires it), several customers, the clock, and an exact prediction of each outcome.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from bank.engines import open_bank
from bank.limits import kyc_guard
from bank.ports import (
    BankError,
    IdempotencyConflict,
    InsufficientFunds,
    Limit,
    LimitExceeded,
    TransferRequest,
    UnknownAccount,
    UnknownBank,
)
from bank.seed import DEMO_SEED, load
from tests.bank_locations import BankLocations

OWN_CODE = "001"
# customer → (their accounts, per transfer, daily, monthly) in cents: the demo seed's levels,
# except that level 1's month is short (1,500.00) so a run can reach it in two days.
CUSTOMERS = {
    "C001": (("0123456789", "0123456790"), 200_000, 500_000, 3_000_000),
    "C002": (("0234567890", "0234567891"), 1_000_000, 2_500_000, 20_000_000),
    "C003": (("0345678901",), 50_000, 100_000, 150_000),
}
SOURCES = [(c, a) for c, (accounts, *_) in CUSTOMERS.items() for a in accounts]
OTHER_BANKS = [("044", "0987654321"), ("058", "0112233445")]
TARGETS = [
    *((OWN_CODE, a) for _, a in SOURCES),  # own accounts, other customers', the source itself
    *OTHER_BANKS,  # to their settlement accounts
    (OWN_CODE, "0000000000"),  # no such account
    ("999", "0987654321"),  # no such bank
]
CAPS = [None, None, None, Decimal("300.00"), Decimal("0.00")]


OWNER = {account: customer for customer, account in SOURCES}


@dataclass(frozen=True)
class Facts:
    customer: str
    source: str
    bank: str
    target: str
    cents: int


def is_own(facts: Facts) -> bool:
    """Between one customer's accounts: neither counted nor limited."""
    return facts.bank == OWN_CODE and OWNER.get(facts.target) == facts.customer


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class LedgerModel(RuleBasedStateMachine):
    locations: BankLocations  # set by the test: SQLite files or PostgreSQL databases

    @initialize()
    def start_bank(self) -> None:
        self.location = self.locations.new()
        self.clock = Clock()
        self.bank = open_bank(self.location, self.clock, guards=[kyc_guard])
        doc = json.loads(DEMO_SEED.read_text(encoding="utf-8"))
        doc["kyc_levels"][0]["monthly"] = "1500.00"
        doc["customers"][2]["accounts"][0]["balance"] = "6000.00"  # Ngozi: enough for a month
        load(self.bank, doc)
        self.total = self.bank.total_balance()
        self.balances = {a: self._cents(a) for _, a in SOURCES}
        self.start = dict(self.balances)
        self.settled: dict[str, int] = defaultdict(int)  # cents credited to each other bank
        self.done: dict[str, tuple[Facts, str]] = {}  # key → (facts, reference)
        self.counted: list[tuple[str, datetime, int]] = []  # limited transfers: who, when, cents
        self.fresh = 0
        # Earlier this month Ngozi sent 1,200.00 of her 1,500.00 (two days: 1,000.00 a day), so
        # the month's limit is the tightest from the start; runs begin two days before it ends.
        ngozi = ("C003", "0345678901", *OTHER_BANKS[0])
        for cents in (50_000, 50_000, 20_000):
            if cents == 20_000:
                self.clock.now += timedelta(days=1)
            self._send(Facts(*ngozi, cents), self._fresh_key(), None)
        self.clock.now = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
        assert self.bank.limits("C003").left_today == Decimal("300.00")

    def teardown(self) -> None:
        if hasattr(self, "bank"):
            self.bank.close()
            self.locations.discard(self.location)

    def _cents(self, account: str) -> int:
        rows = self.bank.db.rows("SELECT balance FROM accounts WHERE number = ?", account)
        return int(rows[0]["balance"]) if rows else 0

    def _used(self, customer: str, since: datetime) -> int:
        return sum(c for who, at, c in self.counted if who == customer and at >= since)

    def _expected(self, facts: Facts, cap: Decimal | None) -> type[BankError] | Limit | None:
        """What the bank must do with a new key: the refusal, the limit, or None (move it)."""
        if facts.bank == "999":
            return UnknownBank
        if facts.bank == OWN_CODE and (facts.target not in OWNER or facts.target == facts.source):
            return UnknownAccount
        if not is_own(facts):
            _, per_transfer, daily, monthly = CUSTOMERS[facts.customer]
            if cap is not None:
                daily = min(daily, int(cap * 100))
            day = self.clock.now.replace(hour=0, minute=0, second=0, microsecond=0)
            if facts.cents > per_transfer:
                return Limit.PER_TRANSACTION
            if self._used(facts.customer, day) + facts.cents > daily:
                return Limit.DAILY
            if self._used(facts.customer, day.replace(day=1)) + facts.cents > monthly:
                return Limit.MONTHLY
        if facts.cents > self.balances[facts.source]:
            return InsufficientFunds
        return None

    def _send(self, facts: Facts, key: str, cap: Decimal | None) -> None:
        """One request to the bank, its outcome checked against the model's, the model moved."""
        amount = Decimal(facts.cents) / 100
        req = TransferRequest(
            key, facts.source, facts.target, facts.bank, amount, "model", facts.customer, cap
        )
        if key in self.done:
            first, reference = self.done[key]
            if first == facts:
                event("replay")
                again = self.bank.transfer(req)
                assert again.replayed and again.reference == reference
                return
            event("conflict")
            try:
                self.bank.transfer(req)
            except IdempotencyConflict:
                return
            raise AssertionError("the same key with other facts was not refused")
        expected = self._expected(facts, cap)
        # Shown with --hypothesis-show-statistics: how often each outcome was exercised.
        event(getattr(expected, "__name__", str(expected)) if expected else "moved")
        try:
            done = self.bank.transfer(req)
        except LimitExceeded as refused:
            assert refused.limit is expected, (refused.limit, expected)
            return
        except BankError as refused:
            assert type(refused) is expected, (type(refused), expected)
            return
        assert expected is None and not done.replayed, expected
        self.done[key] = (facts, done.reference)
        self.balances[facts.source] -= facts.cents
        if facts.bank != OWN_CODE:
            self.settled[facts.bank] += facts.cents
        elif facts.target in self.balances:
            self.balances[facts.target] += facts.cents
        if not is_own(facts):
            self.counted.append((facts.customer, self.clock.now, facts.cents))

    def _fresh_key(self) -> str:
        self.fresh += 1
        return f"k{self.fresh}"

    @rule(
        source=st.sampled_from(SOURCES),
        payee=st.sampled_from(TARGETS),  # `target` is the name of a hypothesis argument
        # Small amounts fit the smallest limits; large ones reach the others and the balances.
        cents=st.integers(1, 50_000) | st.integers(1, 300_000),
        reuse=st.none() | st.integers(0, 3),
        cap=st.sampled_from(CAPS),
    )
    def transfer(
        self,
        source: tuple[str, str],
        payee: tuple[str, str],
        cents: int,
        reuse: int | None,
        cap: Decimal | None,
    ) -> None:
        """Any transfer, with a fresh key or one already used (a replay or a conflict)."""
        keys = list(self.done)
        key = keys[reuse] if reuse is not None and reuse < len(keys) else self._fresh_key()
        self._send(Facts(*source, *payee, cents), key, cap)

    @rule(
        source=st.sampled_from(SOURCES),
        payee=st.sampled_from(OTHER_BANKS),
        offset=st.sampled_from([-1, 0, 1]),
    )
    def to_the_edge(self, source: tuple[str, str], payee: tuple[str, str], offset: int) -> None:
        """A transfer of what the tightest limit allows now, a cent less or a cent more."""
        customer = source[0]
        _, per_transfer, daily, monthly = CUSTOMERS[customer]
        day = self.clock.now.replace(hour=0, minute=0, second=0, microsecond=0)
        allowed = min(
            per_transfer,
            daily - self._used(customer, day),
            monthly - self._used(customer, day.replace(day=1)),
        )
        if allowed + offset > 0:
            self._send(Facts(*source, *payee, allowed + offset), self._fresh_key(), None)

    @rule(data=st.data(), cap=st.sampled_from(CAPS))
    def retry(self, data: st.DataObject, cap: Decimal | None) -> None:
        """A confirmation retried: the same key and facts get the first result, whatever the
        limits, the cap or the balance say now."""
        if not self.done:
            return
        key = data.draw(st.sampled_from(sorted(self.done)))
        facts, _ = self.done[key]
        self._send(facts, key, cap)

    @rule(hours=st.integers(1, 30))
    def time_passes(self, hours: int) -> None:
        self.clock.now += timedelta(hours=hours)

    @invariant()
    def balances_are_the_models(self) -> None:
        assert {a: self._cents(a) for a in self.balances} == self.balances
        assert all(cents >= 0 for cents in self.balances.values())
        for code in ("044", "058"):
            assert self._cents(f"SETTLE-{code}") == self.settled[code]

    @invariant()
    def money_only_leaves_through_other_banks(self) -> None:
        left = sum(self.start.values()) - sum(self.balances.values())
        assert left == sum(self.settled.values())
        assert self.bank.total_balance() == self.total
        assert self.bank.ledger_problems() == []

    @invariant()
    def the_limits_the_bank_reports_are_the_models(self) -> None:
        day = self.clock.now.replace(hour=0, minute=0, second=0, microsecond=0)
        for customer in CUSTOMERS:
            status = self.bank.limits(customer)
            assert status.used_today * 100 == self._used(customer, day)
            assert status.used_month * 100 == self._used(customer, day.replace(day=1))


def test_the_bank_behaves_like_its_model(bank_locations: BankLocations) -> None:
    class Model(LedgerModel):
        locations = bank_locations

    run_state_machine_as_test(
        Model, settings=settings(max_examples=40, stateful_step_count=40, deadline=None)
    )
