"""Job run times and failures (``messaging.metrics``) and each job's log scope.

RQ's workers call ``execute_job`` in the process that pulled the job: the forking worker's main
process (its work horse is forked inside the call, and inherits the log scope) or, for the
embedded thread worker, the thread itself. Timing the call there counts every job once, in a
long-lived process, whether the job finished, raised or its work horse was killed: the horse,
a new process per job, writes no metrics of its own.
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
        status = job.get_status(refresh=True)
    except Exception:  # Redis gone while the job ran: the job's own retry covers it
        return "unknown"
    return str(getattr(status, "value", status) or "unknown")
