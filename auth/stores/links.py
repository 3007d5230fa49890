"""One-time links to the secure pages: ≥ 256-bit tokens bound to a customer's number, a purpose
and an expiry; single use; a newer link of the same purpose replaces the older one.

Only a SHA-256 digest of the token is stored, so a dump of Redis holds no usable link. A link
also carries the state of a multi-step page (which step is next, what was verified) and, from
its first form post on, the browser it is bound to.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from redis import Redis

from messaging import metrics

# Keys — value shape, lifetime:
LINK_KEY = "teller:link:{digest}"
# hash: purpose, msisdn, customer_id, expires (epoch s), browser (binding nonce or ""),
# state (JSON: the page's progress) — expires with the link.
CURRENT_KEY = "teller:{{{msisdn}}}:link:{purpose}"  # str: digest of the newest link; same TTL


# The first browser to post wins; a link that expired meanwhile is not resurrected.
_BIND = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSETNX', KEYS[1], 'browser', ARGV[1])
return redis.call('HGET', KEYS[1], 'browser') == ARGV[1] and 1 or 0
"""


_FORGET = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Purpose(StrEnum):
    REGISTER = "register"
    LOGIN = "login"
    CHANGE_PIN = "pin"
    STEP_UP = "stepup"  # security questions for a step-up challenge
    CARD_PIN = "cardpin"  # a new PIN for one of the customer's cards (state: the card)
    KYC_UPLOAD = "kyc"  # documents for a higher KYC level (auth.pages.kyc)
    ONBOARD = "onboard"  # open a wallet: a number outside the directory (no customer yet)
    CLAIM = "claim"  # log in to receive money held for the number (state: the claim)


TTL: dict[Purpose, timedelta] = {
    Purpose.REGISTER: timedelta(minutes=15),
    Purpose.LOGIN: timedelta(minutes=5),
    Purpose.CHANGE_PIN: timedelta(minutes=5),
    Purpose.STEP_UP: timedelta(minutes=5),
    Purpose.CARD_PIN: timedelta(minutes=5),
    Purpose.KYC_UPLOAD: timedelta(minutes=15),  # time to photograph two documents
    Purpose.ONBOARD: timedelta(minutes=15),
    Purpose.CLAIM: timedelta(minutes=5),  # a login: the login link's lifetime
}


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Link:
    token: str
    purpose: Purpose
    msisdn: str
    customer_id: str
    expires_at: datetime
    browser: str = ""
    state: Mapping[str, Any] = field(default_factory=dict)

    @property
    def minutes(self) -> int:
        return int(TTL[self.purpose].total_seconds() // 60)


class LinkStore:
    def __init__(self, redis: Redis, ttl: Mapping[Purpose, timedelta] = TTL) -> None:
        self.redis = redis
        self.ttl = dict(ttl)
        self._bind = redis.register_script(_BIND)
        self._forget = redis.register_script(_FORGET)

    def issue(self, purpose: Purpose, msisdn: str, customer_id: str, now: datetime) -> Link:
        """A new link; the customer's previous link of this purpose stops working."""
        token = secrets.token_urlsafe(32)
        ttl = self.ttl[purpose]
        expires = now + ttl
        current = CURRENT_KEY.format(msisdn=msisdn, purpose=purpose.value)
        key = LINK_KEY.format(digest=digest(token))
        # The link exists before it becomes current, so whoever replaces it (even a request
        # racing this one) deletes a link that is already there: one live link at the end.
        pipe = self.redis.pipeline(transaction=False)  # keys in two slots: no MULTI in a cluster
        pipe.hset(
            key,
            mapping={
                "purpose": purpose.value,
                "msisdn": msisdn,
                "customer_id": customer_id,
                "expires": str(int(expires.timestamp())),
                "state": "{}",
            },
        )
        pipe.expire(key, int(ttl.total_seconds()))
        pipe.getset(current, digest(token))
        pipe.expire(current, int(ttl.total_seconds()))
        old = pipe.execute()[2]
        if old:
            self.redis.delete(LINK_KEY.format(digest=old))
        metrics.link_sent(purpose.value)
        return Link(token, purpose, msisdn, customer_id, expires)

    def get(self, token: str, purpose: Purpose, now: datetime) -> Link | None:
        """The live link for ``token``; None when unknown, used, expired or of another purpose."""
        if not token or len(token) > 128:
            return None
        raw: dict[str, str] = self.redis.hgetall(LINK_KEY.format(digest=digest(token)))  # type: ignore[assignment]
        if not raw or raw.get("purpose") != purpose.value:
            return None
        expires = datetime.fromtimestamp(float(raw["expires"]), UTC)
        if expires <= now:
            return None
        return Link(
            token=token,
            purpose=purpose,
            msisdn=raw["msisdn"],
            customer_id=raw["customer_id"],
            expires_at=expires,
            browser=raw.get("browser", ""),
            state=json.loads(raw.get("state") or "{}"),
        )

    def bind(self, link: Link, browser: str) -> bool:
        """Bind the link to the first browser that posts it; True if ``browser`` holds it."""
        key = LINK_KEY.format(digest=digest(link.token))
        return bool(self._bind(keys=[key], args=[browser]))

    def save_state(self, link: Link, state: Mapping[str, Any]) -> Link:
        key = LINK_KEY.format(digest=digest(link.token))
        # HSET on a key that expired meanwhile would resurrect it without a TTL: check first.
        if not self.redis.exists(key):
            raise LookupError("link expired")
        self.redis.hset(key, "state", json.dumps(dict(state)))
        return Link(
            link.token,
            link.purpose,
            link.msisdn,
            link.customer_id,
            link.expires_at,
            link.browser,
            dict(state),
        )

    def consume(self, link: Link) -> bool:
        """Use the link up; True for exactly one caller, however many race."""
        used = bool(self.redis.delete(LINK_KEY.format(digest=digest(link.token))))
        current = CURRENT_KEY.format(msisdn=link.msisdn, purpose=link.purpose.value)
        # Compare-and-delete in one step: a newer link issued meanwhile keeps its pointer.
        self._forget(keys=[current], args=[digest(link.token)])
        return used

    def revoke_all(self, msisdn: str) -> None:
        """Every outstanding link of the customer stops working (log out everywhere)."""
        for purpose in Purpose:
            current = CURRENT_KEY.format(msisdn=msisdn, purpose=purpose.value)
            old = self.redis.getdel(current)
            if old:
                self.redis.delete(LINK_KEY.format(digest=old))
