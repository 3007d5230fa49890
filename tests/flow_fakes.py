"""Fakes of our own ports for pure flow tests (no Redis, Flask or clock), and ``Chat``: one
customer's conversation driven through ``flows.engine.handle`` the way the edge drives it.

``FlowBank`` is the bank port with everything the money, card and profile flows ask of it:
reads from plain lists, and the answering commands (``transfer``, ``hold_for_mobile``,
``change_card``) recorded, with the refusals a test sets in advance. It writes nothing that a
flow should have returned as an effect: ``add_payee`` and ``update_email`` are recorded so a
test can show a flow never called them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from auth.ports import StepUpState, StepUpView
from bank.ports import (
    Account,
    BankError,
    BankProfile,
    Biller,
    Card,
    CardRefused,
    Claim,
    Customer,
    LimitStatus,
    OtherBank,
    Payee,
    TransferRequest,
    TransferResult,
)
from flows import engine
from flows.conversation import Conversation
from flows.types import Context, Inbound, Outcome
from tests.fakes import FakeIdentity, FakeStepUp

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
IDLE = timedelta(minutes=15)
OWN_CODE = "001"
ACCESS = OtherBank("044", "Access Bank")
AMINA = Customer("C001", "Amina Yusuf", "+2348030000001", "amina@example.com", 2)
BOLA = Customer("C002", "Bola Ade", "+2348030000002", "bola@example.com", 1)
SAVINGS = Account("0123456789", "C001", "savings", "USD", Decimal("2500.00"))
CURRENT = Account("0123456790", "C001", "current", "USD", Decimal("300.00"))
BOLA_WALLET = Account("0200000002", "C002", "wallet", "USD", Decimal("0.00"))
CHIDI = Payee(1, "C001", "Chidi Okeke", "044", "0987654321")
ELEC = Biller("ELEC", "City Power", "Meter number", "^[0-9]{11}$")
TV = Biller("TV", "StarVision", "Smartcard number", "^[0-9]{10}$")
KYC = LimitStatus(
    level=2,
    per_transaction=Decimal("1000.00"),
    daily=Decimal("2000.00"),
    monthly=Decimal("10000.00"),
    used_today=Decimal("0.00"),
    used_month=Decimal("0.00"),
)
NO_CHALLENGE = StepUpView(StepUpState.NOT_NEEDED)


@dataclass
class FlowBank:
    """The bank port as the flows use it. ``refuse`` is raised by the next movement."""

    accounts_by_customer: dict[str, list[Account]] = field(
        default_factory=lambda: {"C001": [SAVINGS, CURRENT]}
    )
    payees_by_customer: dict[str, list[Payee]] = field(default_factory=lambda: {"C001": [CHIDI]})
    billers_list: list[Biller] = field(default_factory=lambda: [ELEC, TV])
    banks: list[OtherBank] = field(default_factory=lambda: [ACCESS])
    cards_by_customer: dict[str, list[Card]] = field(default_factory=dict)
    # name enquiry: (bank code, account number) → the holder's name
    names: dict[tuple[str, str], str] = field(
        default_factory=lambda: {
            ("044", "1112223334"): "Ngozi Eze",
            (OWN_CODE, "0300000003"): "Tunde Bello",
        }
    )
    wallets: dict[str, Account] = field(default_factory=lambda: {BOLA.msisdn: BOLA_WALLET})
    customers: dict[str, Customer] = field(default_factory=lambda: {"C001": AMINA, "C002": BOLA})
    limit: LimitStatus = KYC
    refuse: BankError | None = None
    card_refusal: CardRefused | None = None
    # what the flows asked the bank to do
    transfers: list[TransferRequest] = field(default_factory=list)
    holds: list[tuple[TransferRequest, str, datetime]] = field(default_factory=list)
    card_changes: list[tuple[str, str]] = field(default_factory=list)
    caps: list[Decimal | None] = field(default_factory=list)  # the daily caps limits() was given
    written: list[str] = field(default_factory=list)  # writes a flow must leave to effects
    _done: dict[str, tuple[TransferResult, Claim | None]] = field(default_factory=dict)

    # --- reads ---

    def profile(self) -> BankProfile:
        return BankProfile("Demo Bank", "USD", OWN_CODE)

    def customer(self, customer_id: str) -> Customer | None:
        return self.customers.get(customer_id)

    def accounts(self, customer_id: str) -> list[Account]:
        return list(self.accounts_by_customer.get(customer_id, []))

    def payees(self, customer_id: str) -> list[Payee]:
        return list(self.payees_by_customer.get(customer_id, []))

    def billers(self) -> list[Biller]:
        return list(self.billers_list)

    def other_banks(self) -> list[OtherBank]:
        return list(self.banks)

    def cards(self, customer_id: str) -> list[Card]:
        return list(self.cards_by_customer.get(customer_id, []))

    def account_name(self, bank_code: str, number: str) -> str | None:
        return self.names.get((bank_code, number))

    def wallet_of(self, msisdn: str) -> Account | None:
        return self.wallets.get(msisdn)

    def limits(self, customer_id: str, daily_cap: Decimal | None = None) -> LimitStatus:
        self.caps.append(daily_cap)
        if daily_cap is None:
            return self.limit
        return replace(self.limit, daily=min(self.limit.daily, daily_cap))

    # --- answering commands ---

    def transfer(self, req: TransferRequest) -> TransferResult:
        result, _ = self._move(req)
        self.transfers.append(req)
        return result

    def hold_for_mobile(
        self, req: TransferRequest, msisdn: str, expires_at: datetime
    ) -> tuple[TransferResult, Claim]:
        claim = Claim(
            f"CL{len(self.holds) + 1}",
            req.customer_id,
            req.from_account,
            msisdn,
            req.amount,
            "",
            "pending",
            expires_at,
            NOW,
        )
        result, held = self._move(req, claim)
        self.holds.append((req, msisdn, expires_at))
        assert held is not None
        return result, held

    def _move(
        self, req: TransferRequest, claim: Claim | None = None
    ) -> tuple[TransferResult, Claim | None]:
        """Once per idempotency key: a repeat gets the first result, marked replayed."""
        if self.refuse is not None:
            raise self.refuse
        if req.idempotency_key in self._done:
            first, held = self._done[req.idempotency_key]
            return replace(first, replayed=True), held
        n = len(self._done) + 1
        result = TransferResult(
            f"TX{n:06d}", 100 + n, req.from_account, req.to_account, req.amount, "done", NOW, False
        )
        self._done[req.idempotency_key] = (result, claim)
        return result, claim

    def change_card(self, customer_id: str, card_id: str, action: str) -> tuple[Card, Card | None]:
        if self.card_refusal is not None:
            raise self.card_refusal
        self.card_changes.append((card_id, action))
        cards = self.cards_by_customer[customer_id]
        card = next(c for c in cards if c.card_id == card_id)
        status = {"lock": "locked", "unlock": "active", "activate": "active"}.get(action)
        if action in ("cancel", "replace"):
            status = "cancelled"
        changed = replace(card, status=status or card.status)
        cards[cards.index(card)] = changed
        new = None
        if action == "replace":
            new = Card(f"{card_id}R", customer_id, "5399830000009999", "inactive")
            cards.append(new)
        return changed, new

    # --- writes the flows leave to effects (recorded so a test can show they weren't made) ---

    def add_payee(self, customer_id: str, name: str, bank_code: str, number: str) -> Payee:
        self.written.append(f"add_payee {name}")
        return Payee(99, customer_id, name, bank_code, number)

    def update_email(self, customer_id: str, email: str) -> None:
        self.written.append(f"update_email {email}")


@dataclass
class FlowIdentity(FakeIdentity):
    """The identity port with the customer's own limit apart from the cooling-off cap, and
    chat-banking IDs that are taken by the time the change is made."""

    own_limit: Decimal | None = None
    taken: set[str] = field(default_factory=set)
    limits_set: list[Decimal | None] = field(default_factory=list)

    def personal_limit(self, msisdn: str) -> Decimal | None:
        return self.own_limit

    def set_personal_limit(self, msisdn: str, customer_id: str, limit: Decimal | None) -> None:
        self.limits_set.append(limit)

    def change_login_id(self, msisdn: str, customer_id: str, login_id: str) -> list[str]:
        if login_id in self.taken:
            return ["That ID is taken. Please choose another."]
        return super().change_login_id(msisdn, customer_id, login_id)


@dataclass
class FakeLookups:
    """Counts look-ups of other people's names; refuses once ``allowed`` are used."""

    allowed: int = 10
    seen: list[str] = field(default_factory=list)  # the kinds, in order
    who: list[tuple[str, str]] = field(default_factory=list)  # (msisdn, customer id) of each

    def count_lookup(self, msisdn: str, customer_id: str, kind: str) -> int:
        self.seen.append(kind)
        self.who.append((msisdn, customer_id))
        return 0 if len(self.seen) <= self.allowed else 1800


@dataclass
class Chat:
    """One customer talking to the engine, with fakes for every port. ``say`` keeps the
    conversation the way the edge stores it (or leaves it, when an outcome doesn't persist)."""

    bank: FlowBank = field(default_factory=FlowBank)
    identity: FlowIdentity = field(default_factory=FlowIdentity)
    stepup: FakeStepUp = field(default_factory=FakeStepUp)
    lookups: FakeLookups = field(default_factory=FakeLookups)
    customer: Customer = AMINA
    conv: Conversation = field(default_factory=lambda: Conversation(updated_at=NOW))
    last: Outcome | None = None

    @property
    def ctx(self) -> Context:
        return Context(
            self.customer,
            "Demo Bank",
            NOW,
            bank=self.bank,
            identity=self.identity,
            currency=self.bank.profile().currency,
            zone=UTC,
            stepup=self.stepup,
            lookups=self.lookups,
        )

    def say(self, *texts: str) -> Outcome:
        """Send each text in turn; the last outcome."""
        assert texts
        for text in texts:
            self.last = engine.handle(self.conv, Inbound(text), self.ctx, IDLE)
            self.keep(self.last)
        assert self.last is not None
        return self.last

    def keep(self, outcome: Outcome) -> Outcome:
        """Store an outcome got some other way (a handler or a continuation called directly)."""
        if outcome.persist:
            self.conv = Conversation(outcome.state, outcome.data, NOW)
        return outcome

    def at(self, conv: Conversation) -> Chat:
        self.conv = conv
        return self

    def no_challenge(self) -> Chat:
        """The MFA scenarios ask for no step-up: continuations run at once."""
        self.stepup.view = NO_CHALLENGE
        return self


def keys(outcome: Outcome) -> list[str]:
    return [r.key for r in outcome.replies]


def params(outcome: Outcome, key: str) -> dict[str, str]:
    """The parameters of the reply with ``key`` (it must be there)."""
    return dict(next(r.params for r in outcome.replies if r.key == key))
