"""Impact replay for KYC changes: what new limits would have done to the last 30 days of money
movements. The audit holds every transfer, bill, payment to a mobile number and money held for
one (``money.*``, with its amount): each a customer asked to send. Those that went through and
those refused for a limit are replayed in time order, customer by customer, with the limits in
force and with the change, as the bank checks them (``LimitStatus.refusal``: per transaction,
then the day's total, then the month's, UTC days as the bank's books); what passes counts
towards that customer's day and month. Each limit gets a line: how many movements were over
it before and would be after.

Only the KYC limits are replayed (and the cooling-off cap, when that is the change): a
customer's own lower limit is not in the audit. Money moved to the customer (a claim) or back
(a refund) is not theirs to limit. Bounded: at most ``MAX_ENTRIES`` audit entries are read,
newest first; the note says how far back the reading went when the cap stopped it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from admin.approvals.kinds import Impact, ImpactLine
from auth.stores.audit import AuditLog
from bank.ports import Limit, LimitStatus

DAYS = 30
MAX_ENTRIES = 50_000  # audit entries read per replay (every event type, not only money)
PAGE = 1000
LIMITED = frozenset({"money.transfer", "money.bill", "money.p2p", "money.p2p_hold"})
WHAT = "over the limit"
LABELS = {
    Limit.PER_TRANSACTION: "per-transaction limit",
    Limit.DAILY: "daily limit",
    Limit.MONTHLY: "monthly limit",
}


@dataclass(frozen=True)
class Movement:
    """Money a customer asked to send: who, when, how much."""

    customer_id: str
    at: datetime
    amount: Decimal


@dataclass(frozen=True)
class Allowance:
    """The limits one movement is checked against."""

    per_transaction: Decimal
    daily: Decimal
    monthly: Decimal


@dataclass(frozen=True)
class History:
    movements: tuple[Movement, ...]  # oldest first
    capped_at: datetime | None = None  # the oldest entry read, when MAX_ENTRIES stopped it


Rule = Callable[[Movement], Allowance]  # the limits a movement is checked against


def _amount(raw: str) -> Decimal | None:
    """``"USD 150.00"`` → 150.00; unreadable → None (not replayed)."""
    try:
        value = Decimal(raw.rpartition(" ")[2])
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None


def _movement(fields: dict[str, str], at: datetime) -> Movement | None:
    if fields.get("event") not in LIMITED:
        return None
    result, why = fields.get("result"), fields.get("reason", "")
    if not (result == "success" or (result == "refused" and why.startswith("limit."))):
        return None  # a replayed yes moved nothing; other refusals say nothing of limits
    value = _amount(fields.get("amount", ""))
    customer_id = fields.get("customer", "")
    if value is None or not customer_id:
        return None
    return Movement(customer_id, at, value)


@dataclass
class MovementReader:
    """Reads the money movements since a time from the audit stream; keeps the last reading a
    minute (a page showing several pending changes reads the stream once)."""

    audit: AuditLog
    clock: Callable[[], datetime]
    max_entries: int = MAX_ENTRIES
    _cache: tuple[datetime, datetime, History] | None = field(default=None, repr=False)

    def since(self, since: datetime) -> History:
        now = self.clock()
        if self._cache is not None:
            read_at, read_since, history = self._cache
            fresh = now - read_at < timedelta(minutes=1)
            if fresh and abs(read_since - since) < timedelta(minutes=1):
                return history
        history = self._read(since)
        self._cache = (now, since, history)
        return history

    def _entries(self) -> Iterator[dict[str, str]]:
        """Newest first, at most ``max_entries``."""
        for entry in self.audit.newest(self.max_entries, PAGE):
            yield dict(entry.fields)

    def _read(self, since: datetime) -> History:
        found: list[Movement] = []
        read, oldest = 0, None
        for fields in self._entries():
            read += 1
            try:
                at = datetime.fromisoformat(fields.get("at", ""))
            except ValueError:
                continue
            if at < since:  # the stream is in time order: nothing older is wanted
                return History(tuple(reversed(found)))
            oldest = at
            movement = _movement(fields, at)
            if movement is not None:
                found.append(movement)
        capped = oldest if read >= self.max_entries else None
        return History(tuple(reversed(found)), capped)


def _over(movements: list[Movement], rule: Rule) -> dict[Limit, int]:
    """How many ``movements`` each limit refuses under ``rule``, the refused not counting
    towards the day and the month (the bank moved nothing for them)."""
    used: dict[tuple[str, str], Decimal] = {}
    over = dict.fromkeys(Limit, 0)
    for movement in movements:
        allowance = rule(movement)
        day = movement.at.astimezone(UTC)
        keys = ((movement.customer_id, f"{day:%Y-%m-%d}"), (movement.customer_id, f"{day:%Y-%m}"))
        status = LimitStatus(
            0,
            allowance.per_transaction,
            allowance.daily,
            allowance.monthly,
            used.get(keys[0], Decimal(0)),
            used.get(keys[1], Decimal(0)),
        )
        refusal = status.refusal(movement.amount)
        if refusal is not None:
            over[refusal.limit] += 1
            continue
        for key in keys:
            used[key] = used.get(key, Decimal(0)) + movement.amount
    return over


def replay(
    history: History, concerned: Callable[[Movement], bool], before: Rule, after: Rule
) -> Impact:
    """The ``concerned`` movements replayed with ``before`` and ``after``: a line per limit."""
    movements = [m for m in history.movements if concerned(m)]
    old, new = _over(movements, before), _over(movements, after)
    lines = tuple(
        ImpactLine(LABELS[limit], len(movements), old[limit], new[limit]) for limit in Limit
    )
    notes = []
    if not movements:
        notes.append(f"no money movement this change concerns in the last {DAYS} days")
    if history.capped_at is not None:
        notes.append(
            f"only the newest {MAX_ENTRIES:,} audit entries were read, back to"
            f" {history.capped_at:%Y-%m-%d %H:%M} UTC"
        )
    return Impact(DAYS, WHAT, lines, "; ".join(notes), total=len(movements))
