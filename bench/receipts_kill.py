"""Parts of the receipts benchmark (``bench.receipts``): CPU time read from ``/proc``, and
``kill -9`` of the process running a receipt job while it renders, timed to the retried
receipt's media message.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

from redis import Redis
from rq.job import Job

from bot.messenger import OutboxMessenger
from workers.jobs import enqueue_receipt

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def process_of(raw: Redis, job: Job) -> int | None:
    """The process running ``job``: RQ records its worker's name on the job and the worker's
    pid on the worker."""
    job.refresh()  # type: ignore[no-untyped-call]
    pid = raw.hget(f"rq:worker:{job.worker_name}", "pid") if job.worker_name else None
    return int(pid) if pid else None


def _media(outbox: OutboxMessenger, to: str, reference: str) -> int:
    return sum(
        1
        for m in outbox.messages(to)
        if m["channel"] == "whatsapp" and m["media_urls"] and reference in m["body"]
    )


def kill_mid_job(
    raw: Redis, outbox: OutboxMessenger, to: str, receipts: dict[int, str]
) -> dict[str, Any]:
    """Enqueue a receipt, ``kill -9`` the process running it as soon as it has started, and
    time the retry to its media message; one receipt after another until a kill lands before
    the media went out. Then checks, 2 s later, that exactly one media message was sent."""
    for attempt, (txn_id, reference) in enumerate(receipts.items(), start=1):
        job = enqueue_receipt(raw, txn_id)
        deadline = time.monotonic() + 30
        while job.get_status(refresh=True) != "started" and time.monotonic() < deadline:
            time.sleep(0.001)
        pid = process_of(raw, job)
        if pid is None:
            continue
        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        if _media(outbox, to, reference):
            continue  # it had finished: not a kill mid-render
        deadline = killed_at + 120
        while not _media(outbox, to, reference) and time.monotonic() < deadline:
            time.sleep(0.01)
        retried_s = time.monotonic() - killed_at
        time.sleep(2.0)  # a second delivery, were there one, would land by now
        job.refresh()  # type: ignore[no-untyped-call]
        return {
            "attempts": attempt,
            "retried_s": retried_s,
            "media_messages": _media(outbox, to, reference),
            "retries_used": 3 - (job.retries_left or 0),
        }
    return {"attempts": len(receipts), "retried_s": None, "media_messages": 0, "retries_used": 0}
