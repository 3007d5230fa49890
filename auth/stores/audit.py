"""The audit stream (SECURITY.md 26): logins, failures, blocks, unblocks, logouts, registrations,
step-ups, admin changes and money movements (``money.*``, ``card.*``), appended to one Redis
Stream.

Entries hold who, what, when, the channel and the result, never a secret: numbers are masked
and callers pass only the fields below. Staff filter it by event and customer. The stream is
append-only and hash-chained (``auth.stores.audit_chain``): no Teller code path edits or
deletes an entry; retention (``AUDIT_RETENTION_DAYS``) drops the oldest with ``trim``, which
keeps the chain verifiable from its anchor.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from redis import Redis
from redis.client import Pipeline

from auth.stores.audit_chain import APPEND, TRIM, Anchor, Verdict, check
from messaging.masking import mask_phone

# One hash tag, so the append and trim scripts touch one cluster slot.
AUDIT_STREAM = "teller:{audit}"  # stream of flat string fields, each with prev and digest
AUDIT_ANCHOR = "teller:{audit}:anchor"  # hash: digest, id of the last entry trimmed
PAGE = 1000  # entries read per round trip when verifying
# Fields a caller may add beyond the fixed ones (an allow-list, so no secret slips in by name).
DETAIL_FIELDS = frozenset(
    {"reason", "address", "agent", "until", "purpose", "step", "remaining", "actor", "intent"}
    # name look-ups: what was looked up (account_name, wallet), never the name or the number
    | {"kind"}
    # MFA: staff changes (before/after are scenario JSON, never customer data) and challenges
    | {"scenario", "action", "before", "after", "amount", "challenge", "destination", "decision"}
    # money movements and card changes: masked parties (••1234, +234•••0001), the bank's
    # reference, a card's masked replacement
    | {"parties", "reference", "card", "new_card"}
    # staff: the staff user acted on, a role, a pending change's id, an API token's public id,
    # a KYC level, the fields a change touched (never a password, code or token)
    | {"target", "role", "change", "token_id", "level", "fields"}
)


@dataclass(frozen=True)
class AuditEntry:
    entry_id: str
    fields: Mapping[str, str]


def _entry(
    event: str,
    at: datetime,
    customer_id: str,
    msisdn: str,
    channel: str,
    result: str,
    detail: Mapping[str, str],
) -> dict[str, str]:
    unknown = set(detail) - DETAIL_FIELDS
    if unknown:
        raise ValueError(f"audit fields not allowed: {sorted(unknown)}")
    return {
        "at": at.isoformat(),
        "event": event,
        "customer": customer_id,
        "number": mask_phone(msisdn) if msisdn else "",  # staff events may name no one
        "channel": channel,
        "result": result,
        **{k: str(v) for k, v in detail.items()},
    }


def _args(entry: Mapping[str, str]) -> list[str]:
    """The append script's arguments: name, value, … in the order of the names (canonical)."""
    return [part for name in sorted(entry) for part in (name, entry[name])]


class AuditLog:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis  # str replies
        self._append = redis.register_script(APPEND)
        self._trim = redis.register_script(TRIM)

    def record(
        self,
        event: str,
        *,
        at: datetime,
        customer_id: str,
        msisdn: str,
        channel: str,
        result: str,
        **detail: str,
    ) -> str:
        """Append one entry, chained to the last; returns its id."""
        entry = _entry(event, at, customer_id, msisdn, channel, result, detail)
        return str(self._append(keys=[AUDIT_STREAM, AUDIT_ANCHOR], args=_args(entry)))

    def queue(
        self,
        pipe: Pipeline,
        event: str,
        *,
        at: datetime,
        customer_id: str,
        msisdn: str,
        channel: str,
        result: str,
        **detail: str,
    ) -> None:
        """Queue one entry on ``pipe``: it is appended when the pipeline is sent."""
        entry = _entry(event, at, customer_id, msisdn, channel, result, detail)
        # EVAL, not the registered script: that would cost the pipeline a SCRIPT EXISTS round
        # trip each time; Redis compiles the body once and keeps it by its digest. Sent as a
        # plain command: a Cluster pipeline has no eval() method, only commands it routes by key.
        pipe.execute_command(  # type: ignore[no-untyped-call]
            "EVAL", APPEND, 2, AUDIT_STREAM, AUDIT_ANCHOR, *_args(entry)
        )

    def entries(
        self, *, count: int = 100, event: str | None = None, customer_id: str | None = None
    ) -> list[AuditEntry]:
        """Newest first, filtered by event and customer (scans at most 10 × count entries)."""
        found: list[AuditEntry] = []
        raw: list[tuple[str, dict[str, str]]] = self.redis.xrevrange(  # type: ignore[assignment]
            AUDIT_STREAM, count=count * 10
        )
        for entry_id, fields in raw:
            if event and fields.get("event") != event:
                continue
            if customer_id and fields.get("customer") != customer_id:
                continue
            found.append(AuditEntry(str(entry_id), dict(fields)))
            if len(found) >= count:
                break
        return found

    def window(
        self, low: str = "-", high: str = "+", count: int = 100, *, newest_first: bool = True
    ) -> list[AuditEntry]:
        """Up to ``count`` entries with ids from ``low`` to ``high`` (both included), newest
        first or oldest first: the one read the console's queries are built on."""
        if newest_first:
            raw = self.redis.xrevrange(AUDIT_STREAM, max=high, min=low, count=count)
        else:
            raw = self.redis.xrange(AUDIT_STREAM, min=low, max=high, count=count)
        pairs: list[tuple[str, dict[str, str]]] = raw  # type: ignore[assignment]
        return [AuditEntry(str(entry_id), dict(fields)) for entry_id, fields in pairs]

    def newest(self, limit: int, page: int = PAGE) -> Iterator[AuditEntry]:
        """Entries newest first, at most ``limit``, read a page at a time (for the console's
        replays and summaries, which stop early when they have what they need)."""
        high, read = "+", 0
        while read < limit:
            count = min(page, limit - read)
            found = self.window(high=high, count=count)
            yield from found
            read += len(found)
            if len(found) < count:
                return
            high = f"({found[-1].entry_id}"  # exclusive: the page below the last entry read

    def anchor(self) -> Anchor:
        """Where the chain starts: the last entry trimmed, or the genesis."""
        found: dict[str, str] = self.redis.hgetall(AUDIT_ANCHOR)  # type: ignore[assignment]
        if not found:
            return Anchor()
        return Anchor(found.get("digest", ""), found.get("id", ""))

    def oldest_first(self) -> Iterator[tuple[str, dict[str, str]]]:
        """Every entry, oldest to newest, read a page at a time."""
        start = "-"
        while True:
            page: list[tuple[str, dict[str, str]]] = self.redis.xrange(  # type: ignore[assignment]
                AUDIT_STREAM, min=start, count=PAGE
            )
            yield from ((str(entry_id), dict(fields)) for entry_id, fields in page)
            if len(page) < PAGE:
                return
            ms, _, seq = str(page[-1][0]).partition("-")
            start = f"{ms}-{int(seq) + 1}"

    def verify(self) -> Verdict:
        """Walk the chain from its anchor; the first entry that breaks it, if any."""
        return check(self.oldest_first(), self.anchor())

    def trim(self, retention_days: int, now: datetime | None = None) -> int:
        """Drop the entries older than ``retention_days``, keeping the last one's digest as the
        anchor; returns how many were dropped. Age is by the entry's id, so ``now`` defaults to
        Redis' own clock (the one that made the ids)."""
        if now is None:
            seconds, micros = self.redis.time()
            now = datetime.fromtimestamp(seconds + micros / 1e6, UTC)
        cutoff_ms = int((now - timedelta(days=retention_days)).timestamp() * 1000)
        return int(self._trim(keys=[AUDIT_STREAM, AUDIT_ANCHOR], args=[max(cutoff_ms, 1)]))
