"""``propose``: the one way the console makes a KYC change — through four eyes (``submit``):
with ``ADMIN_FOUR_EYES`` off the applier checks, applies and audits it at once; on, it waits,
pending, for another admin's approval.

Raises ``Invalid`` (every problem, by field; nothing changed or stored) and ``KycStale`` (made
from a value that has changed since, whichever layer found it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from admin.approvals.changes import Outdated, submit
from admin.kyc.base import KycStale
from admin.wiring import services


@dataclass(frozen=True)
class Proposed:
    """What became of a change: in force now (``applied``), or pending a second admin's
    approval (``pending``: the pending change)."""

    applied: bool
    pending: object | None = None


def propose(
    kind: str,
    target: str,
    after: Mapping[str, Any],
    base_version: int | None,
    author: str,
    reason: str,
) -> Proposed:
    """Make (or, with four eyes, propose) the change ``kind`` of ``target`` as ``author``."""
    try:
        done = submit(services().changes, kind, target, after, base_version, author, reason)
    except KycStale:
        raise
    except Outdated as exc:  # four eyes' own refusal of a proposal made from an old version
        raise KycStale(exc.current, exc.version) from exc
    return Proposed(done.applied, done.pending)
