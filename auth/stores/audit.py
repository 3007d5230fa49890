"""The audit stream (SECURITY.md 26): logins, failures, blocks, unblocks, logouts, registrations
— later step-ups, admin changes and money movements — appended to one Redis Stream.

Entries hold who, what, when, the channel and the result, never a secret: numbers are masked
and callers pass only the fields below. Staff filter it by event and customer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from redis import Redis
from redis.client import Pipeline

from messaging.masking import mask_phone

AUDIT_STREAM = "teller:audit"  # stream of flat string fields; capped near MAX_ENTRIES
MAX_ENTRIES = 1_000_000
# Fields a caller may add beyond the fixed ones (an allow-list, so no secret slips in by name).
DETAIL_FIELDS = frozenset(
    {"reason", "address", "agent", "until", "purpose", "step", "remaining", "actor", "intent"}
    # name look-ups: what was looked up (account_name, wallet), never the name or the number
    | {"kind"}
    # MFA: staff changes (before/after are scenario JSON, never customer data) and challenges
    | {"scenario", "action", "before", "after", "amount", "challenge", "destination", "decision"}
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
        "number": mask_phone(msisdn),
        "channel": channel,
        "result": result,
        **{k: str(v) for k, v in detail.items()},
    }


class AuditLog:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

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
        """Append one entry; returns its id."""
        entry = _entry(event, at, customer_id, msisdn, channel, result, detail)
        return str(
            self.redis.xadd(AUDIT_STREAM, entry, maxlen=MAX_ENTRIES, approximate=True)  # type: ignore[arg-type]
        )

    @staticmethod
    def queue(
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
        pipe.xadd(AUDIT_STREAM, entry, maxlen=MAX_ENTRIES, approximate=True)  # type: ignore[arg-type]

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
