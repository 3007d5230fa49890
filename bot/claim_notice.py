"""Money sent to a mobile number without a wallet: the SMS with the one-time claim link (the
token is made here and only its digest stored, so it never reaches a job, a log or the chat) and
the refund scheduled for the expiry. Performed at the edge, for the flows' ``NotifyClaim`` effect.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass

from redis import Redis

from auth.stores.languages import LanguageStore
from bank.ports import CoreBanking
from messaging import Channel, Messenger, MessengerError
from messaging.masking import mask_phone
from messaging.notices import render_notice
from workers.claims import schedule_refund

log = logging.getLogger("teller.claims")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ClaimNotifier:
    bank: CoreBanking
    messenger: Messenger
    rq: Redis  # bytes replies: the queues
    base_url: str
    bank_name: str

    def notify(self, claim_id: str, sender_name: str) -> None:
        """Text the recipient their claim link and schedule the refund at expiry."""
        claim = self.bank.claim(claim_id)
        if claim is None:
            return
        schedule_refund(self.rq, claim.claim_id, claim.expires_at)
        token = secrets.token_urlsafe(32)
        self.bank.set_claim_token(claim.claim_id, digest(token))
        text = render_notice(
            "claim_link",
            language=LanguageStore(self.rq).get(claim.msisdn),
            sender=sender_name,
            currency=self.bank.profile().currency,
            amount=claim.amount,
            bank=self.bank_name,
            expires=claim.expires_at,
            url=f"{self.base_url}/claim/{token}",
        )
        try:
            self.messenger.send(Channel.SMS, claim.msisdn, text)
        except MessengerError as exc:  # the sender was told it's held; the refund still runs
            log.warning("claim link to %s not sent: %s", mask_phone(claim.msisdn), exc)
