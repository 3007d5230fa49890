"""``propose``: the one way the console makes a KYC change, so that the change goes through four
eyes the moment the pending-change service is wired (one line: ``submit(...)`` in place of the
direct ``apply``).

Until then the change is checked and applied at once by its applier, which audits it with the
actor and the reason. Raises ``Invalid`` (every problem, by field; nothing changed) and
``KycStale`` (made from a value that has changed since).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from admin.kyc.build import kyc_appliers
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
    graph = services()
    appliers = {applier.kind: applier for applier in kyc_appliers(graph.bank, graph.auth)}
    appliers[kind].apply(target, after, base_version, author)
    return Proposed(applied=True)
