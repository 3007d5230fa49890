"""What a customer's page shows, built in one place and masked before any template sees it: the
name, masked number and email, segment, KYC level with its limits (and what is used today and
this month), chat-banking registration (when, status and its reason, authenticator), lockouts
in force per kind, the session, recent logins, the accounts with their latest movements
(masked), and the audit's recent step-ups, money movements and security events.

Nothing here changes anything: the session is read without extending it. The model holds no
full number (the page's actions get the number from the bank again), so no template can show
one by mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from admin.customers.activity import Activity, recent_activity
from admin.customers.search import chat_banking_status
from auth.ports import Status
from auth.service import AuthService
from auth.stores.credentials import BLOCKED_BY_BANK, Credentials
from auth.stores.lockout import Kind
from bank.ports import Account, CoreBanking, Customer, Transaction
from flows.format import money
from messaging.masking import mask_account, mask_email, mask_phone
from messaging.notices import block_reason

MOVEMENTS_PER_ACCOUNT = 5
LOGINS = 5
KIND_LABELS = {
    Kind.PIN: "PIN (log in, change PIN)",
    Kind.CODE: "one-time codes",
    Kind.DETAILS: "personal details (registration)",
}


def when(at: datetime | None, zone: tzinfo) -> str:
    """``02 Nov 2026 10:14 WAT`` on the bank's clock; "" for None."""
    return at.astimezone(zone).strftime("%d %b %Y %H:%M %Z") if at else ""


@dataclass(frozen=True)
class Limits:
    level: int
    per_transaction: str
    daily: str  # the daily limit in force (lower than the level's while a cap applies)
    level_daily: str
    monthly: str
    used_today: str
    used_month: str
    capped: bool  # a lower daily cap (cooling-off, the customer's own limit) is in force


@dataclass(frozen=True)
class Registration:
    registered: bool
    at: str = ""
    status: str = ""  # registered · blocked by the bank · phone reported lost
    reason: str = ""  # staff's reason for a block
    authenticator: bool = False
    cooling_off_until: str = ""
    personal_limit: str = ""


@dataclass(frozen=True)
class Lockout:
    kind: Kind
    label: str
    until: str  # a block in force ends then; "" when none is
    failures: int
    strikes: int

    @property
    def in_force(self) -> bool:
        return bool(self.until)

    @property
    def liftable(self) -> bool:
        return self.in_force or self.failures > 0


@dataclass(frozen=True)
class Session:
    status: Status
    text: str


@dataclass(frozen=True)
class Login:
    at: str
    address: str
    agent: str


@dataclass(frozen=True)
class Movement:
    at: str
    amount: str
    what: str
    reference: str
    debit: bool


@dataclass(frozen=True)
class AccountView:
    number: str
    type: str
    balance: str
    movements: tuple[Movement, ...]


@dataclass(frozen=True)
class CustomerPage:
    customer_id: str
    name: str
    number: str
    email: str
    segment: str
    in_directory: bool
    chat_banking: str
    kyc_level: int
    limits: Limits
    registration: Registration
    lockouts: tuple[Lockout, ...]
    session: Session
    logins: tuple[Login, ...]
    accounts: tuple[AccountView, ...]
    activity: Activity

    @property
    def blocked_by_bank(self) -> bool:
        return self.chat_banking in ("blocked by the bank", "phone reported lost")

    @property
    def can_block(self) -> bool:
        return self.registration.registered and not self.blocked_by_bank

    @property
    def can_reset(self) -> bool:
        return self.can_block

    @property
    def can_lift(self) -> bool:
        return any(lockout.liftable for lockout in self.lockouts)


def _limits(bank: CoreBanking, auth: AuthService, customer: Customer, currency: str) -> Limits:
    cap = auth.daily_cap(customer.msisdn)
    status = bank.limits(customer.customer_id, cap)
    level = next((x for x in bank.kyc_levels() if x.level == status.level), None)
    level_daily = level.daily if level else status.daily
    return Limits(
        level=status.level,
        per_transaction=money(status.per_transaction, currency),
        daily=money(status.daily, currency),
        level_daily=money(level_daily, currency),
        monthly=money(status.monthly, currency),
        used_today=money(status.used_today, currency),
        used_month=money(status.used_month, currency),
        capped=status.daily < level_daily,
    )


def _registration(
    auth: AuthService, creds: Credentials | None, zone: tzinfo, currency: str
) -> Registration:
    if creds is None:
        return Registration(registered=False)
    own = auth.personal_limit(creds.msisdn)
    return Registration(
        registered=True,
        at=when(creds.registered_at, zone),
        status=creds.status.value.replace("_", " "),
        reason=creds.status_reason if creds.status in BLOCKED_BY_BANK else "",
        authenticator=bool(creds.totp_secret),
        cooling_off_until=when(auth.cooling_off_until(creds.msisdn), zone),
        personal_limit=money(own, currency) if own is not None else "",
    )


def _session(auth: AuthService, msisdn: str, zone: tzinfo) -> Session:
    check = auth.sessions.check(msisdn, auth.clock(), extend=False)
    if check.status is Status.VALID:
        return Session(check.status, f"active until {when(check.expires_at, zone)} if idle")
    if check.status is Status.EXPIRED:
        return Session(check.status, f"expired {when(check.expires_at, zone)}")
    if check.status is Status.BLOCKED:
        if check.blocked_by == "bank":
            return Session(check.status, "blocked by the bank: no session can be used")
        until = when(check.blocked_until, zone)
        why = block_reason(check.blocked_by)
        return Session(check.status, f"blocked until {until} ({why}): no session can be used")
    return Session(check.status, "none")


def _movement(t: Transaction, currency: str, zone: tzinfo) -> Movement:
    other = t.counterparty
    what = t.description if not other or other in t.description else f"{t.description} · {other}"
    return Movement(
        when(t.created_at, zone), money(t.amount, currency), what, t.reference, t.amount < 0
    )


def _account(bank: CoreBanking, account: Account, zone: tzinfo) -> AccountView:
    lines = bank.mini_statement(account.number, MOVEMENTS_PER_ACCOUNT)
    return AccountView(
        number=mask_account(account.number),
        type=account.type,
        balance=money(account.balance, account.currency),
        movements=tuple(_movement(t, account.currency, zone) for t in lines),
    )


def customer_page(
    bank: CoreBanking,
    auth: AuthService,
    customer: Customer,
    *,
    zone: tzinfo,
    currency: str,
    clock: Callable[[], datetime],
) -> CustomerPage:
    """Everything the page shows about ``customer``, masked."""
    msisdn = customer.msisdn
    creds = auth.credentials.get(msisdn)
    standing = auth.lockouts.standing(msisdn, clock())
    return CustomerPage(
        customer_id=customer.customer_id,
        name=customer.name,
        number=mask_phone(msisdn),
        email=mask_email(customer.email) if customer.email else "",
        segment=customer.segment,
        in_directory=customer.chat_banking,
        chat_banking=chat_banking_status(customer, creds),
        kyc_level=customer.kyc_level,
        limits=_limits(bank, auth, customer, currency),
        registration=_registration(auth, creds, zone, currency),
        lockouts=tuple(
            Lockout(s.kind, KIND_LABELS[s.kind], when(s.blocked_until, zone), s.failures, s.strikes)
            for s in standing
        ),
        session=_session(auth, msisdn, zone),
        logins=tuple(
            Login(when(r.at, zone), r.address, r.agent) for r in auth.recent_logins(msisdn, LOGINS)
        ),
        accounts=tuple(_account(bank, a, zone) for a in bank.accounts(customer.customer_id)),
        activity=recent_activity(auth.audit, customer.customer_id, zone),
    )
