"""Money sent to a mobile number that has no wallet (P2P_CREATE): held in the bank's holding
account, claimed into the recipient's wallet once they have one, or refunded to the sender when
the claim expires. Each step is one write transaction with balanced legs; a claim moves once
(pending → claimed or refunded), so a claim and a refund racing can't both pay.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from bank.db import stamp
from bank.ledger import P2P_HOLD_ACCOUNT as HOLD_ACCOUNT
from bank.ledger import new_reference, post_leg
from bank.money import from_cents
from bank.ports import Claim, ClaimGone, TransferResult
from bank.sql import Connection, Row
from messaging.masking import mask_account, mask_phone


def _claim(row: Row) -> Claim:
    return Claim(
        claim_id=row["claim_id"],
        customer_id=row["customer_id"],
        from_account=row["from_account"],
        msisdn=row["msisdn"],
        amount=from_cents(row["amount"]),
        reference=row["reference"],
        status=row["status"],
        expires_at=datetime.fromisoformat(row["expires_at"]),
        created_at=datetime.fromisoformat(row["created_at"]),
    )


def record_claim(
    db: Connection, result: TransferResult, customer_id: str, msisdn: str, expires: datetime
) -> Claim:
    """The claim for a hold just made (or the one a replayed hold made)."""
    row = db.execute("SELECT * FROM p2p_claims WHERE reference = ?", (result.reference,)).fetchone()
    if row is None:
        db.execute(
            "INSERT INTO p2p_claims (claim_id, customer_id, from_account, msisdn, amount,"
            " reference, status, expires_at, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            (
                "CL" + secrets.token_hex(8),
                customer_id,
                result.from_account,
                msisdn,
                int(result.amount * 100),
                result.reference,
                stamp(expires),
                stamp(result.created_at),
            ),
        )
        row = db.execute(
            "SELECT * FROM p2p_claims WHERE reference = ?", (result.reference,)
        ).fetchone()
    return _claim(row)


def get_claim(db: Connection, claim_id: str) -> Claim | None:
    row = db.execute("SELECT * FROM p2p_claims WHERE claim_id = ?", (claim_id,)).fetchone()
    return _claim(row) if row else None


def by_token(db: Connection, digest: str) -> Claim | None:
    if not digest:
        return None
    row = db.execute("SELECT * FROM p2p_claims WHERE token_digest = ?", (digest,)).fetchone()
    return _claim(row) if row else None


def _settle(
    db: Connection, claim: Claim, credit: str, description: str, status: str, now: datetime
) -> Claim:
    updated = db.execute(
        "UPDATE p2p_claims SET status = ?, settled_at = ?"
        " WHERE claim_id = ? AND status = 'pending'",
        (status, stamp(now), claim.claim_id),
    ).rowcount
    if updated != 1:
        raise ClaimGone(claim.claim_id)
    reference = new_reference(db)
    cents = int(claim.amount * 100)
    created = stamp(now)
    payer = f"Held for {mask_phone(claim.msisdn)}"
    post_leg(db, HOLD_ACCOUNT, -cents, description, mask_account(credit), reference, created)
    post_leg(db, credit, cents, description, payer, reference, created)
    db.execute(
        "UPDATE p2p_claims SET settled_reference = ? WHERE claim_id = ?",
        (reference, claim.claim_id),
    )
    settled = get_claim(db, claim.claim_id)
    assert settled is not None
    return settled


def claim_into(db: Connection, claim_id: str, wallet: str, now: datetime) -> Claim:
    """Pay a pending, unexpired claim into the recipient's wallet (must be theirs)."""
    claim = get_claim(db, claim_id)
    if claim is None or claim.status != "pending" or claim.expires_at <= now:
        raise ClaimGone(claim_id)
    owner = db.execute(
        "SELECT 1 FROM accounts a JOIN customers c ON c.customer_id = a.customer_id"
        " WHERE a.number = ? AND a.type = 'wallet' AND c.msisdn = ?",
        (wallet, claim.msisdn),
    ).fetchone()
    if owner is None:
        raise ClaimGone(claim_id)
    return _settle(db, claim, wallet, "Money received by mobile number", "claimed", now)


def refund(db: Connection, claim_id: str, now: datetime) -> Claim | None:
    """Return an expired pending claim to the sender; None when there's nothing to refund."""
    claim = get_claim(db, claim_id)
    if claim is None or claim.status != "pending" or claim.expires_at > now:
        return None
    return _settle(db, claim, claim.from_account, "Unclaimed money returned", "refunded", now)
