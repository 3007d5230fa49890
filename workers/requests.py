"""Statement requests and the "send it again" pointer: what a job needs beyond its id.

A job takes only a request id (``ST7K2M9Q``, also the statement's printed reference); the
request itself (whose, which account, which days) waits here in Redis for as long as the job
and its retries may need it. The pointer names, per customer, the last document that could not
be delivered, so ``retry`` in the chat can send it again.
"""

from __future__ import annotations

import json
import secrets
import string
from dataclasses import asdict, dataclass
from datetime import date

from redis import Redis

# hash: msisdn, customer_id, account, first, last (ISO dates); TTL = REQUEST_TTL_S
REQUEST_KEY = "teller:statement:{request_id}"
REQUEST_TTL_S = 8 * 24 * 3600  # outlives the job's failure record (a week)
# str: JSON {"kind": "receipt" | "statement", "id": ...}; per customer; TTL = RETRY_TTL_S
RETRY_KEY = "teller:docs:{{{msisdn}}}:retry"
RETRY_TTL_S = 7 * 24 * 3600
_ID_ALPHABET = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class StatementRequest:
    request_id: str
    msisdn: str
    customer_id: str
    account: str
    first: date
    last: date


def create_request(
    redis: Redis, *, msisdn: str, customer_id: str, account: str, first: date, last: date
) -> StatementRequest:
    """Store a new request under a fresh id (``ST`` + 6 random symbols, claimed by HSETNX)."""
    while True:
        request_id = "ST" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(6))
        key = REQUEST_KEY.format(request_id=request_id)
        if redis.hsetnx(key, "customer_id", customer_id):
            pipe = redis.pipeline(transaction=True)
            pipe.hset(
                key,
                mapping={
                    "msisdn": msisdn,
                    "account": account,
                    "first": first.isoformat(),
                    "last": last.isoformat(),
                },
            )
            pipe.expire(key, REQUEST_TTL_S)
            pipe.execute()
            return StatementRequest(request_id, msisdn, customer_id, account, first, last)


def load_request(redis: Redis, request_id: str) -> StatementRequest | None:
    raw: dict[str, str] = redis.hgetall(REQUEST_KEY.format(request_id=request_id))  # type: ignore[assignment]
    if not raw:
        return None
    return StatementRequest(
        request_id,
        raw["msisdn"],
        raw["customer_id"],
        raw["account"],
        date.fromisoformat(raw["first"]),
        date.fromisoformat(raw["last"]),
    )


@dataclass(frozen=True)
class DocumentRef:
    kind: str  # receipt | statement
    id: str  # the transaction id (as text) or the statement request id


def remember_failed(redis: Redis, msisdn: str, ref: DocumentRef) -> None:
    redis.set(RETRY_KEY.format(msisdn=msisdn), json.dumps(asdict(ref)), ex=RETRY_TTL_S)


def take_failed(redis: Redis, msisdn: str) -> DocumentRef | None:
    """The customer's last undelivered document, removed so one ``retry`` sends it once."""
    raw = redis.getdel(RETRY_KEY.format(msisdn=msisdn))
    if not raw:
        return None
    doc = json.loads(str(raw))
    return DocumentRef(str(doc["kind"]), str(doc["id"]))
