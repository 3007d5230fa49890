"""What a secure-page action answers: done, or refused with messages, tries left or a block.

Refusals never say which factor was wrong (SECURITY.md 11): a wrong ID and a wrong PIN give the
same ``Attempt``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from auth.stores.lockout import Strike


@dataclass(frozen=True)
class Attempt:
    ok: bool
    problems: tuple[str, ...] = ()  # input to correct; nothing was counted against the customer
    remaining: int | None = None  # a counted failure: tries left before a block
    blocked_until: datetime | None = None  # blocked: even the right answer is refused
    gone: bool = False  # the link expired or was used meanwhile

    @classmethod
    def done(cls) -> Attempt:
        return cls(ok=True)

    @classmethod
    def invalid(cls, *problems: str) -> Attempt:
        return cls(ok=False, problems=problems)

    @classmethod
    def blocked(cls, until: datetime) -> Attempt:
        return cls(ok=False, blocked_until=until)

    @classmethod
    def struck(cls, strike: Strike) -> Attempt:
        return cls(ok=False, remaining=strike.remaining, blocked_until=strike.blocked_until)

    @classmethod
    def link_gone(cls) -> Attempt:
        return cls(ok=False, gone=True)
