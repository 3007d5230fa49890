"""Handing back, at once, the jobs of a worker process that died mid-job (``kill -9``, the OOM
killer, a crash in C code).

RQ finds such a job only when its heartbeat lapses and some worker's maintenance looks at the
queue's started registry. The supervisor knows sooner: its child ended abnormally. It marks the
dead worker's executions as lapsed now and lets RQ's own clean-up (``StartedJobRegistry.cleanup``)
do the rest, so the job is retried exactly as a lapsed one would be (its retry count used, the
back-off of ``workers.queues``, its failure after the last). The queue's maintenance lock keeps
this and the workers' own maintenance from handing one job back twice.
"""

from __future__ import annotations

import socket
from typing import Any

from redis import Redis
from rq import Worker
from rq.serializers import JSONSerializer

from workers.queues import QUEUES, queue_for


def _dead_workers(connection: Redis, pid: int) -> list[Any]:  # Any: RQ's workers are untyped
    host = socket.gethostname()
    workers = Worker.all(connection=connection, serializer=JSONSerializer)
    return [w for w in workers if w.pid == pid and w.hostname == host]


def hand_back(connection: Redis, pid: int) -> list[str] | None:
    """Retry (through RQ) the jobs the dead process ``pid`` of this host was running, and
    unregister its worker. Returns the job ids handed back, or None when a queue's maintenance
    was running meanwhile (call again). Raises RedisError when Redis is away."""
    queues = [queue_for(name, connection) for name in QUEUES]
    handed: list[str] = []
    for worker in _dead_workers(connection, pid):
        members: set[bytes] = connection.smembers(worker.executions_key)  # type: ignore[assignment]
        keys = [m.decode() for m in members]
        if keys:
            pipe = connection.pipeline(transaction=False)
            for queue in queues:
                # XX: only an execution still registered as running is marked lapsed.
                pipe.zadd(queue.started_job_registry.key, dict.fromkeys(keys, 0), xx=True)
            pipe.execute()
            for queue in queues:
                if not queue.acquire_maintenance_lock():
                    return None
                try:
                    queue.started_job_registry.cleanup()
                finally:
                    queue.release_maintenance_lock()  # type: ignore[no-untyped-call]
        worker.register_death()
        handed.extend(key.partition(":")[0] for key in keys)
    return handed
