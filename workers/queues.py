"""Queue names and how jobs are enqueued: RQ's JSON serializer (never pickle), explicit TTLs.

Connections are always passed in; nothing here creates a client.
"""

from __future__ import annotations

from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer

MESSAGES_QUEUE = "messages"  # outbound messages the bank sends on its own initiative
DOCUMENTS_QUEUE = "documents"  # receipts and statements (CPU-heavy rendering)
DEFAULT_QUEUE = "default"
QUEUES = (MESSAGES_QUEUE, DOCUMENTS_QUEUE, DEFAULT_QUEUE)  # a worker serves them in this order

JOB_TIMEOUT_S = 60
RESULT_TTL_S = 600  # results are only for inspection; job effects are recorded elsewhere
FAILURE_TTL_S = 7 * 24 * 3600  # failed jobs stay a week for an operator to look at


def queue_for(name: str, connection: Redis) -> Queue:
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}; expected one of {', '.join(QUEUES)}")
    return Queue(
        name,
        connection=connection,
        serializer=JSONSerializer,
        default_timeout=JOB_TIMEOUT_S,
    )
