"""Four eyes, the one entry point: every change the console or the API makes to a scenario, the
MFA configuration or a KYC level goes through ``submit``; with ``ADMIN_FOUR_EYES`` on it waits,
pending, until another admin ``approve``s it.

``submit`` with four eyes off applies the change at once (audited ``change.applied``); on, it
checks the change with its applier (every problem → ``Invalid``, nothing stored), stores it
pending with a snapshot of the target and audits ``change.proposed``. ``approve`` refuses the
change's own author and anyone without ``Permission.APPROVE``, claims the change atomically (of
two admins approving at once exactly one applies it), checks it again and applies it from its
base version: if the target moved on meanwhile (the service's ``Stale``) the change becomes
``superseded`` and the approver is told what changed. The service's own audit entry of the
change names both people: actor ``<author>, approved by <approver>``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from admin.approvals.diff import DiffLine, diff
from admin.approvals.kinds import Impact, Registry
from admin.approvals.outcomes import (
    Decided,
    Outdated,
    Refused,
    Staff,
    Submitted,
    approved_by,
    base_of,
    meanwhile,
    person,
)
from admin.approvals.store import ChangeStore, NotPending, PendingChange, Status
from admin.staff.roles import Permission, can
from auth.scenarios.store import NotFound, Stale
from auth.scenarios.validate import Invalid
from auth.stores.audit import AuditLog

log = logging.getLogger("teller.approvals")
IMPACT_DAYS = 30
CLAIM_TIMEOUT = timedelta(minutes=2)
MAX_NOTE = 500
MAX_REASON = 500


@dataclass
class Changes:
    """The pending-change service: store + appliers + clock + audit + the four-eyes switch."""

    store: ChangeStore
    registry: Registry
    audit: AuditLog
    clock: Callable[[], datetime]
    four_eyes: bool

    # --- proposing ---

    def submit(
        self,
        kind: str,
        target: str,
        after: Mapping[str, Any],
        base_version: int | None,
        author: str,
        reason: str = "",
        *,
        channel: str = "console",
    ) -> Submitted:
        applier = self.registry[kind]
        if not self.four_eyes:
            result = applier.apply(target, after, base_version, author)
            self._record("change.applied", channel, author, kind, target)
            return Submitted(applied=True, result=result)
        reason = reason.strip()
        problems = applier.check(target, after)
        if len(reason) > MAX_REASON:
            problems.append(f"reason: at most {MAX_REASON} characters")
        before = applier.snapshot(target)
        base_version = base_of(before, base_version)
        if problems:
            raise Invalid(problems)
        change = self.store.add(
            kind, target, before, after, base_version, author, reason, self.clock()
        )
        self._record("change.proposed", channel, author, kind, target, change.change_id, reason)
        return Submitted(applied=False, pending=change)

    # --- deciding ---

    def approve(self, change_id: str, by_user: Staff, *, channel: str = "console") -> Decided:
        """Apply a pending change as ``by_user``. ``Refused`` for its author or without the
        permission; ``NotPending`` if someone decided it first; ``Invalid`` (change left
        pending) if it breaks a rule now."""
        change = self._recovered(self.store.get(change_id))
        self._may_decide(change, by_user, "approve")
        change = self.store.move(
            change_id, Status.PENDING, Status.DECIDING, by_user.username, self.clock()
        )
        applier = self.registry[change.kind]
        actor = approved_by(change.author, by_user.username)
        seen = self._impact_before(change)
        try:
            problems = applier.check(change.target, change.after)
            if problems:  # it breaks a rule now (another change meanwhile): left pending
                raise Invalid(problems)
            result = applier.apply(change.target, change.after, change.base_version, actor)
        except (Stale, Outdated, NotFound):  # the target moved on (or went) meanwhile
            now = applier.snapshot(change.target)
            return self._supersede(change, by_user, channel, meanwhile(change, now))
        except Exception:  # nothing applied: the change waits for another try
            self.store.move(change_id, Status.DECIDING, Status.PENDING)
            raise
        done = self.store.move(
            change_id, Status.DECIDING, Status.APPROVED, by_user.username, self.clock()
        )
        if seen is not None:
            self.store.keep_impact(change_id, seen)
            done = replace(done, impact=seen)
        self._record(
            "change.approved", channel, by_user.username, change.kind, change.target, change_id
        )
        return Decided(done, applied=True, result=result)

    def reject(
        self, change_id: str, by_user: Staff, note: str, *, channel: str = "console"
    ) -> PendingChange:
        """Close a pending change unapplied, with a note for its author."""
        change = self._recovered(self.store.get(change_id))
        self._may_decide(change, by_user, "reject", allow_author=True)
        note = note.strip()
        if len(note) > MAX_NOTE:
            raise Invalid([f"note: at most {MAX_NOTE} characters"])
        done = self.store.move(
            change_id, Status.PENDING, Status.REJECTED, by_user.username, self.clock(), note
        )
        self._record(
            "change.rejected",
            channel,
            by_user.username,
            change.kind,
            change.target,
            change_id,
            note,
        )
        return done

    # --- reading ---

    def get(self, change_id: str) -> PendingChange:
        return self.store.get(change_id)

    def pending(self) -> list[PendingChange]:
        return self.store.pending()

    def pending_count(self) -> int:
        return self.store.pending_count()

    def decided(self, limit: int = 50) -> list[PendingChange]:
        return self.store.decided(limit)

    def diff(self, change: PendingChange) -> list[DiffLine]:
        return diff(change.before, change.after)

    def impact(self, change: PendingChange) -> Impact | None:
        """The change replayed against the last 30 days (None: not known for its kind)."""
        since = self.clock() - timedelta(days=IMPACT_DAYS)
        return self.registry[change.kind].impact(change.target, change.before, change.after, since)

    def refusal(self, change: PendingChange, by_user: Staff) -> str:
        """Why ``by_user`` may not approve ``change`` ("" when they may)."""
        try:
            self._may_decide(change, by_user, "approve")
        except Refused as exc:
            return exc.reason
        except NotPending as exc:
            if exc.change.status is Status.DECIDING:
                return "another admin is deciding this change right now"
            return f"this change is {exc.change.status.value} already"
        return ""

    # --- helpers ---

    def _recovered(self, change: PendingChange) -> PendingChange:
        """A claim whose decision never finished (its process died mid-way) is handed back
        after ``CLAIM_TIMEOUT``; applying takes milliseconds, and a late second apply from
        the same base version would be refused as stale anyway."""
        claimed = change.decided_at
        if change.status is not Status.DECIDING or claimed is None:
            return change
        if self.clock() - claimed <= CLAIM_TIMEOUT:
            return change
        try:
            return self.store.move(change.change_id, Status.DECIDING, Status.PENDING)
        except NotPending as exc:  # another approver recovered it first
            return exc.change

    def _may_decide(
        self, change: PendingChange, by_user: Staff, verb: str, allow_author: bool = False
    ) -> None:
        if not can(by_user.role, Permission.APPROVE):
            raise Refused(f"only an admin may {verb} a pending change; ask one to")
        if not change.pending:
            raise NotPending(change)
        if person(change.author) == person(by_user.username) and not allow_author:
            raise Refused("you proposed this change; another admin must approve it")

    def _impact_before(self, change: PendingChange) -> Impact | None:
        """The impact as it stands just before applying; a replay that fails never stops an
        approval (it is information, not a rule)."""
        try:
            return self.impact(change)
        except Exception:
            log.exception("four eyes: impact of change %s not kept", change.change_id)
            return None

    def _supersede(self, change: PendingChange, by_user: Staff, channel: str, note: str) -> Decided:
        done = self.store.move(
            change.change_id,
            Status.DECIDING,
            Status.SUPERSEDED,
            by_user.username,
            self.clock(),
            note,
        )
        self._record(
            "change.superseded",
            channel,
            by_user.username,
            change.kind,
            change.target,
            change.change_id,
            note,
            result="refused",
        )
        return Decided(done, applied=False, reason=note)

    def _record(
        self,
        event: str,
        channel: str,
        actor: str,
        kind: str,
        target: str,
        change_id: str = "",
        reason: str = "",
        result: str = "ok",
    ) -> None:
        detail = {"actor": actor, "kind": kind, "target": target}
        if change_id:
            detail["change"] = change_id
        if reason:
            detail["reason"] = reason
        self.audit.record(
            event,
            at=self.clock(),
            customer_id="",
            msisdn="",
            channel=channel,
            result=result,
            **detail,
        )


def submit(
    changes: Changes,
    kind: str,
    target: str,
    after: Mapping[str, Any],
    base_version: int | None,
    author: str,
    reason: str = "",
    *,
    channel: str = "console",
) -> Submitted:
    """Make a change, or propose it when four eyes is on (see the module docstring).

    ``kind`` names an applier (``scenario.update``, ``mfa_config.put``, ...); ``target`` what it
    changes (a scenario id; "" for a new scenario or the MFA configuration); ``after`` the
    proposed value; ``base_version`` the version it was made from (None: none, e.g. a create);
    ``channel`` the audit's ("console" or "api"). Raises the applier's errors (``Invalid``,
    ``NotFound``, the service's ``Stale`` when applied now) and ``Outdated`` when proposed from
    an old version.
    """
    return changes.submit(kind, target, after, base_version, author, reason, channel=channel)


__all__ = ["Changes", "Decided", "NotPending", "Outdated", "Refused", "Submitted", "submit"]
