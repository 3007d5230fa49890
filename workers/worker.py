"""The worker entry point: ``python -m workers.worker`` (``make worker`` and the Procfile).

Reads only the environment, preloads heavy imports once before jobs run, then serves the queues
in priority order with RQ's JSON serializer.
"""

from __future__ import annotations

import importlib
import logging
import sys

from redis import Redis
from rq import Worker
from rq.serializers import JSONSerializer

from workers.queues import QUEUES, queue_for

log = logging.getLogger("teller.worker")

# Imported once in the parent so each forked job starts warm (receipts add reportlab and pypdf).
PRELOAD = ("app", "bank.demo", "bot.messenger")


def main(argv: list[str] | None = None) -> int:
    from app import Config, ConfigError

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        config = Config.from_env()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    if not config.redis_url:
        print(
            "REDIS_URL is not set. In the embedded default the jobs run inside `make run`; "
            "a separate worker needs a real Redis (set REDIS_URL).",
            file=sys.stderr,
        )
        return 2
    for module in PRELOAD:
        importlib.import_module(module)
    connection = Redis.from_url(config.redis_url)
    queues = [queue_for(name, connection) for name in QUEUES]
    worker = Worker(queues, connection=connection, serializer=JSONSerializer)
    worker.work(with_scheduler=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
