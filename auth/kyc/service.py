"""The KYC upgrade service the upload page, the staff console and the four-eyes applier share:
take a customer's documents (checked, cleaned, encrypted), list what waits for review, serve a
document to staff, record a decision, and tell the customer the outcome in the chat.

Approving is two steps because the level itself changes only through four eyes
(``customer.kyc_level``): the console first claims the request (``begin_approval``: exactly one
of two staff members wins), then proposes the level; once the level is in force — at once, or
when a second admin approves — the applier calls ``level_applied`` and the customer is told,
with the new limits, which apply to the next movement.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal

from redis import Redis

from auth.kyc.content import Cleaned
from auth.kyc.liveness import LivenessCheck, ManualReview
from auth.kyc.requests import (
    OPEN,
    SLOTS,
    Document,
    NotOpen,
    RequestStore,
    Status,
    UpgradeRequest,
)
from auth.kyc.vault import DocumentVault
from auth.service import AuthService
from auth.stores.audit import AuditLog
from auth.stores.languages import LanguageStore
from bank.ports import CoreBanking, Customer, KycLevel
from messaging import MessengerError, Notice, Notifier, local_format
from messaging.languages import SOURCE
from messaging.masking import mask_phone

log = logging.getLogger("teller.kyc")
MAX_REASON = 300

__all__ = ["KycUpgrades", "NotOpen", "Status", "UpgradeRequest"]


# Letters only: a request id goes into the audited reason of the level change, where a run of 8
# digits is refused as a possible account or ID number (hex ids had one about 1 time in 10).
ID_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_request_id() -> str:
    """``KYC`` and 10 random letters (24^10, about 2^46: ids, not secrets)."""
    return "KYC" + "".join(secrets.choice(ID_LETTERS) for _ in range(10))


@dataclass
class KycUpgrades:
    requests: RequestStore
    vault: DocumentVault
    liveness: LivenessCheck
    bank: CoreBanking
    notifier: Notifier  # the outcome goes to the customer's WhatsApp, as its window allows
    audit: AuditLog
    clock: Callable[[], datetime]
    bank_name: str
    currency: str
    zone: tzinfo
    base_url: str
    languages: LanguageStore | None = None  # each number's language; None: English for all

    @classmethod
    def build(
        cls,
        redis: Redis,
        secret_key: str,
        auth: AuthService,
        currency: str,
        liveness: LivenessCheck | None = None,
        previous_secret_key: str | None = None,
    ) -> KycUpgrades:
        """Over the identity service's bank, notifier, audit and clock; the demo liveness
        adapter unless another is given."""
        return cls(
            requests=RequestStore(redis),
            vault=DocumentVault(redis, secret_key, previous_secret_key=previous_secret_key),
            liveness=liveness or ManualReview(),
            bank=auth.bank,
            notifier=auth.notifier,
            audit=auth.audit,
            clock=auth.clock,
            bank_name=auth.bank_name,
            currency=currency,
            zone=auth.zone,
            base_url=auth.base_url,
            languages=auth.languages,
        )

    # --- the customer's side ---

    def next_level(self, customer: Customer) -> KycLevel | None:
        """The level above the customer's, or None at the bank's highest."""
        higher = [k for k in self.bank.kyc_levels() if k.level > customer.kyc_level]
        return min(higher, key=lambda k: k.level) if higher else None

    def open_of(self, customer_id: str) -> UpgradeRequest | None:
        return self.requests.open_of(customer_id)

    def submit(self, customer: Customer, documents: dict[str, Cleaned]) -> UpgradeRequest:
        """Keep the customer's documents (every slot filled) and queue them for review."""
        target = self.next_level(customer)
        if target is None or set(documents) != set(SLOTS):
            raise ValueError("nothing to upgrade to, or a document is missing")
        request_id = new_request_id()
        for slot, cleaned in documents.items():
            self.vault.put(request_id, slot, cleaned.data)
        check = self.liveness.assess(
            request_id, documents["identity"].data, documents["identity"].kind
        )
        request = UpgradeRequest(
            request_id=request_id,
            customer_id=customer.customer_id,
            msisdn=customer.msisdn,
            from_level=customer.kyc_level,
            to_level=target.level,
            status=Status.PENDING,
            created_at=self.clock(),
            documents=tuple(
                Document(slot, documents[slot].kind, len(documents[slot].data)) for slot in SLOTS
            ),
            liveness=check.verdict.value,
            liveness_note=check.note,
        )
        self.requests.add(request)
        self._audit(request, "kyc.upload", "ok", channel="web", level=str(target.level))
        return request

    # --- the staff's side ---

    def queue(self) -> list[UpgradeRequest]:
        return self.requests.queue()

    def waiting(self) -> int:
        return len(self.requests.queue())

    def get(self, request_id: str) -> UpgradeRequest | None:
        return self.requests.get(request_id)

    def document(self, request: UpgradeRequest, slot: str, actor: str) -> bytes | None:
        """A document's bytes for staff (audited, whoever asks); None when gone."""
        found = request.document(slot)
        content = self.vault.get(request.request_id, slot) if found else None
        result = "ok" if content is not None else "gone"
        self._audit(request, "kyc.document.view", result, actor=actor, kind=slot)
        return content

    def begin_approval(self, request_id: str, actor: str) -> UpgradeRequest:
        """Claim a pending request for approval; ``NotOpen`` when someone decided it first."""
        self.requests.move(request_id, Status.APPROVING, from_=(Status.PENDING,))
        request = self.requests.get(request_id)
        if request is None:
            raise NotOpen("gone")
        return self.requests.note(
            request, decided_by=actor, decided_at=str(int(self.clock().timestamp()))
        )

    def undo_approval(self, request_id: str) -> None:
        """The level change was refused: the request waits for review again."""
        try:
            self.requests.move(request_id, Status.PENDING, from_=(Status.APPROVING,))
        except NotOpen:
            return
        request = self.requests.get(request_id)
        if request is not None:
            self.requests.note(request, decided_by="", decided_at="")

    def awaiting(self, request: UpgradeRequest, change_id: str) -> UpgradeRequest:
        """The level change waits for a second admin (four eyes)."""
        self._audit(request, "kyc.review", "pending", actor=request.decided_by, change=change_id)
        return self.requests.note(request, change=change_id)

    def level_applied(self, customer_id: str, level: int) -> None:
        """The customer is now at ``level`` (the ``customer.kyc_level`` applier says so): an
        approved request for it is done and the customer is told the new limits."""
        request = self.requests.open_of(customer_id)
        if request is None or request.status is not Status.APPROVING or level < request.to_level:
            return
        try:
            self.requests.move(request.request_id, Status.APPROVED, from_=(Status.APPROVING,))
        except NotOpen:
            return
        self.requests.close(request)
        self._audit(
            request, "kyc.review", "approved", actor=request.decided_by, decision="approved",
            level=str(level),
        )  # fmt: skip
        limits = {k.level: k for k in self.bank.kyc_levels()}.get(level)
        if limits is not None:
            self._tell(request, "kyc_approved", level=level, **self._limits(limits, request))

    def reject(self, request_id: str, actor: str, reason: str) -> UpgradeRequest:
        """Reject an open request with a reason the customer is told; ``NotOpen`` if decided."""
        self.requests.move(request_id, Status.REJECTED, from_=OPEN)
        request = self.requests.get(request_id)
        if request is None:
            raise NotOpen("gone")
        request = self.requests.note(
            request,
            decided_by=actor,
            decided_at=str(int(self.clock().timestamp())),
            reason=reason.strip()[:MAX_REASON],
        )
        self.requests.close(request)
        self._audit(request, "kyc.review", "rejected", actor=actor, decision="rejected",
                    reason=request.reason)  # fmt: skip
        self._tell(request, "kyc_rejected", reason=request.reason)
        return request

    # --- shared ---

    def _language(self, msisdn: str) -> str:
        return self.languages.get(msisdn) if self.languages is not None else SOURCE

    def _limits(self, level: KycLevel, request: UpgradeRequest) -> dict[str, str]:
        def money(amount: Decimal) -> str:
            return local_format.money(amount, self.currency, self._language(request.msisdn))

        return {
            "per_transaction": money(level.per_transaction),
            "daily": money(level.daily),
            "monthly": money(level.monthly),
        }

    def _tell(self, request: UpgradeRequest, what: str, **params: object) -> None:
        """The outcome, in the customer's WhatsApp chat; a failure is logged, not raised."""
        language = self._language(request.msisdn)
        fields = {"bank": self.bank_name, **params}
        try:
            self.notifier.notify(Notice(what, request.msisdn, fields, language=language))
        except MessengerError as exc:
            log.warning("kyc outcome to %s not sent: %s", mask_phone(request.msisdn), exc)

    def _audit(
        self, request: UpgradeRequest, event: str, result: str, channel: str = "console",
        **detail: str,
    ) -> None:  # fmt: skip
        self.audit.record(
            event,
            at=self.clock(),
            customer_id=request.customer_id,
            msisdn=request.msisdn,
            channel=channel,
            result=result,
            target=request.request_id,
            **detail,
        )
