"""Job run times and failures (``messaging.metrics``) and each job's log scope.

RQ's workers call ``execute_job`` in the process that pulled the job, and Teller's run the job
inside that call, in the same long-lived process: ``python -m app worker``'s work process
(``workers.worker``) or the embedded thread worker. Timing the call there counts every job
once, whether it finished or raised; the job's status is then the one RQ has just set on the
job object, with no need to read it back from Redis. A job whose process is killed is counted
by the retry that follows.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from messaging import logs, metrics

log = logging.getLogger("teller.worker")


class Metered:
    """Mixed in before an RQ worker class (``class W(Metered, Worker)``)."""

    def execute_job(self, job: Any, queue: Any) -> Any:
        name = str(getattr(job, "func_name", "") or "unknown")
        started = time.perf_counter()
        with logs.scope(request_id=str(job.id), route=f"job {name}"):
            try:
                return super().execute_job(job, queue)  # type: ignore[misc]
            finally:
                took = time.perf_counter() - started
                result = _result(job)
                metrics.job_finished(name, result, took)
                log.info("job %s %s in %.1f ms", name, result, took * 1000)


def _result(job: Any) -> str:
    """``finished``, ``failed`` or what else RQ says (``scheduled`` for a retry waiting);
    ``unknown`` when Redis can't say."""
    try:
        status = job.get_status(refresh=False) or job.get_status(refresh=True)
    except Exception:  # Redis gone while the job ran: the job's own retry covers it
        return "unknown"
    return str(getattr(status, "value", status) or "unknown")
