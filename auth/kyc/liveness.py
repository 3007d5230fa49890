"""The face-match / liveness hook of a KYC upgrade: a port that compares the face on the
identity document with the person (a selfie, a video check) and says whether it passed, failed
or needs a person to look. The demo adapter has no such service, so it marks every case for
manual review; a real adapter would call the bank's provider. Fails closed: only ``passed``
would ever mean "checked", and nothing here approves a case on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from auth.kyc.content import Kind


class Verdict(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    MANUAL_REVIEW = "manual_review"


@dataclass(frozen=True)
class Liveness:
    verdict: Verdict
    note: str  # for the reviewing staff member


class LivenessCheck(Protocol):
    def assess(self, request_id: str, identity: bytes, kind: Kind) -> Liveness:
        """The face match / liveness of the identity document ``identity`` of a request."""
        ...


class ManualReview:
    """The demo adapter: no face-match service, so a person compares the photo."""

    NOTE = (
        "No face-match or liveness service is connected: compare the photo on the identity "
        "document with the customer's details yourself."
    )

    def assess(self, request_id: str, identity: bytes, kind: Kind) -> Liveness:
        return Liveness(Verdict.MANUAL_REVIEW, self.NOTE)
