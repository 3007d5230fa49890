"""Look-ups of other people's names (a new payee's account holder, a mobile number's wallet):
counted per customer and audited, so the chat can't be used to walk a bank's customer list.

Fails closed: a Redis error propagates (the chat answers "try again shortly") and nothing is
looked up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from auth.service import CHANNEL
from auth.stores.audit import AuditLog
from auth.stores.ratelimit import Limit, RateLimited, RateLimiter

# A person paying a few new payees in a day looks up a few names; 10 an hour is plenty.
NAME_LOOKUPS = Limit("name-lookups", 10, 3600)


@dataclass(frozen=True)
class NameLookups:
    limiter: RateLimiter
    audit: AuditLog
    clock: Callable[[], datetime]

    def count_lookup(self, msisdn: str, customer_id: str, kind: str) -> int:
        """Count one look-up and audit it: 0 when it may go ahead, else the seconds to wait."""
        now = self.clock()
        try:
            self.limiter.hit(NAME_LOOKUPS, msisdn, now)
            wait, result = 0, "ok"
        except RateLimited as exc:
            wait, result = max(1, exc.retry_after_s), "refused"
        self.audit.record(
            "name_lookup",
            at=now,
            customer_id=customer_id,
            msisdn=msisdn,
            channel=CHANNEL,
            result=result,
            kind=kind,  # what was looked up: account_name or wallet
        )
        return wait
