"""The invariants a load run must keep, checked at its end against the bank, Redis and logs.

- no error reply: every reply the one its step expects (the driver's problems), no HTTP error,
  no transport failure, every replayed MessageSid answered with the same reply;
- no lost or doubled message: every MessageSid answered was processed exactly once (Teller's
  per-message log line) and its reply is stored for replays; one answered "try again" (Redis
  down) was processed at most once;
- every movement has exactly one receipt (a WhatsApp PDF in the outbox naming its reference),
  every ``Done`` the customers read is one transfer in the bank and the other way round;
- the ledger balances: the sum of every account's balance (the bank's own accounts included)
  is what it was before the run, and SQLite's double-entry checks find nothing;
- the audit has every movement, once, with its reference, and its hash chain verifies;
- no per-customer lock is left behind.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from redis import Redis
from rq import Queue
from rq.registry import StartedJobRegistry

from bench.load.outbox import Outbox
from bot.store import SID_KEY
from workers.queues import QUEUES

_PROCESSED = re.compile(r"inbound (SM[0-9a-f]{32}) from ")
MOVEMENT_EVENTS = frozenset({"money.transfer", "money.bill", "money.p2p", "money.p2p_hold"})
# Redis was down: the customer is told to try again; such a message may not have been processed.
TRY_AGAIN = "try_again"


def total_balance(database: Path) -> int:
    from bank.demo import SqliteBank

    bank = SqliteBank(database)
    try:
        return int(bank.db.rows("SELECT COALESCE(SUM(balance), 0) AS s FROM accounts")[0]["s"])
    finally:
        bank.close()


def drain(url: str, outbox: Outbox, timeout_s: float = 180.0) -> float:
    """Wait for the workers to finish every queued job (receipts, statements); seconds taken."""
    started = time.monotonic()
    raw = Redis.from_url(url)  # RQ reads its job data as bytes
    queues = [Queue(name, connection=raw) for name in QUEUES]
    while time.monotonic() - started < timeout_s:
        outbox.poll()
        waiting = sum(q.count for q in queues)
        running = sum(StartedJobRegistry(q.name, connection=raw).count for q in queues)
        if waiting == 0 and running == 0:
            break
        time.sleep(0.5)
    raw.close()
    time.sleep(1.0)  # the last job's messages
    outbox.poll()
    return time.monotonic() - started


def processed_counts(logs: Iterable[Path]) -> Counter[str]:
    found: Counter[str] = Counter()
    for log in logs:
        found.update(_PROCESSED.findall(log.read_text(errors="replace")))
    return found


def messages(sids: Mapping[str, tuple[str, str]], processed: Counter[str],
             redis: Redis) -> dict[str, int]:  # fmt: skip
    """Each MessageSid against what Teller did with it."""
    stored = redis.pipeline(transaction=False)
    for sid, (msisdn, _) in sids.items():
        stored.exists(SID_KEY.format(msisdn=msisdn, sid=sid))
    exists = stored.execute()
    out = Counter[str]()
    for (sid, (_, label)), kept in zip(sids.items(), exists, strict=True):
        times = processed[sid]
        if label == "":
            out["unanswered"] += 1
        elif label == TRY_AGAIN:
            out["try_again"] += 1
            out["doubled"] += times > 1
        else:
            out["answered"] += 1
            out["lost"] += times == 0
            out["doubled"] += times > 1
            out["reply_not_stored"] += not kept
    return {k: int(v) for k, v in out.items()}


def movements(database: Path, done: list[str], outbox: Outbox, redis: Redis) -> dict[str, Any]:
    """Bank transfers against the Done replies, their receipts and their audit entries."""
    from auth.stores.audit import AuditLog
    from bank.demo import SqliteBank

    bank = SqliteBank(database)
    try:
        references = [str(r["reference"]) for r in bank.db.rows("SELECT reference FROM transfers")]
        ledger = bank.ledger_problems()
    finally:
        bank.close()
    receipts = Counter(ref for ref, _ in outbox.documents())
    audit = AuditLog(redis)
    audited: Counter[str] = Counter()
    for _, fields in audit.oldest_first():
        if fields.get("event") in MOVEMENT_EVENTS and fields.get("result") == "success":
            audited[fields.get("reference", "")] += 1
    in_bank = Counter(references)
    told = Counter(done)
    verdict = audit.verify()
    return {
        "transfers": len(references),
        "done_replies": len(done),
        "done_not_in_bank": sum((told - in_bank).values()),
        "in_bank_not_told": sum((in_bank - told).values()),
        "without_receipt": sum(1 for r in in_bank if receipts[r] == 0),
        "receipt_twice": sum(1 for r in in_bank if receipts[r] > 1),
        "receipts": sum(receipts[r] for r in in_bank),
        "statements_delivered": sum(n for r, n in receipts.items() if r.startswith("ST")),
        "not_audited": sum(1 for r in in_bank if audited[r] == 0),
        "audited_twice": sum(1 for r in in_bank if audited[r] > 1),
        "ledger_problems": len(ledger),
        "audit_chain_ok": bool(getattr(verdict, "ok", verdict)),
        "outbox_overflowed": outbox.overflowed,
    }


def locks_left(redis: Redis) -> int:
    return sum(1 for _ in redis.scan_iter(match="teller:*:lock", count=1000))


_EXCEPTION = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit)\b.*)$", re.M)


def tracebacks(logs: Iterable[Path]) -> dict[str, int]:
    """Each traceback in the logs, by log and the exception that ended it."""
    found: Counter[str] = Counter()
    for log in logs:
        chunks = log.read_text(errors="replace").split("Traceback (most recent call last)")[1:]
        for n, chunk in enumerate(chunks):
            if n + 1 < len(chunks) and chunk.rstrip().endswith("another exception occurred:"):
                continue  # a chained exception: counted once, by the one that ended it
            last = _EXCEPTION.search(chunk)
            found[f"{log.stem}: {last.group(1)[:100] if last else '?'}"] += 1
    return dict(found)


def violations(found: Mapping[str, Any]) -> list[str]:
    """Every broken invariant, in words (empty: all held)."""
    out = []
    msgs, moves = found["messages"], found["movements"]
    for name, text in (
        ("lost", "answered but never processed"), ("doubled", "processed twice"),
        ("unanswered", "never answered"), ("reply_not_stored", "reply not kept for replays"),
    ):  # fmt: skip
        if msgs.get(name):
            out.append(f"{msgs[name]} messages {text}")
    for name, text in (
        ("done_not_in_bank", "Done replies without a transfer"),
        ("in_bank_not_told", "transfers nobody was told of"),
        ("without_receipt", "movements without a receipt"),
        ("receipt_twice", "movements with two receipts"),
        ("not_audited", "movements missing from the audit"),
        ("audited_twice", "movements audited twice"),
        ("ledger_problems", "ledger problems"),
    ):
        if moves.get(name):
            out.append(f"{moves[name]} {text}")
    if not moves["audit_chain_ok"]:
        out.append("the audit's hash chain does not verify")
    if found["balance_before"] != found["balance_after"]:
        out.append("the sum of balances changed")
    if found["locks_left"]:
        out.append(f"{found['locks_left']} per-customer locks left behind")
    if found["tracebacks"]:
        out.append(f"{sum(found['tracebacks'].values())} tracebacks in the logs")
    return out
