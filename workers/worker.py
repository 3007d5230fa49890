"""The worker entry point: ``python -m workers.worker`` (``make worker`` and the Procfile).

Reads only the environment, builds the job services once, and warms reportlab and pypdf (fonts
parsed, a receipt rendered and encrypted) before the first job, so every forked job starts warm
instead of paying those costs itself. Then it serves the queues in priority order with RQ's JSON
serializer, and a scheduler that re-enqueues retries when their back-off has passed.
"""

from __future__ import annotations

import gc
import importlib
import logging
import sys

from redis import Redis
from rq import Worker
from rq.serializers import JSONSerializer

from workers.queues import QUEUES, queue_for

log = logging.getLogger("teller.worker")

# Imported once in the parent so each forked job starts warm.
PRELOAD = (
    "app",
    "bank.demo",
    "bot.messenger",
    "reportlab.pdfgen.canvas",
    "reportlab.platypus",
    "pypdf",
    "receipts.render",
    "receipts.statement",
    "receipts.protect",
    "workers.jobs",
)


def warm_up() -> None:
    """Render and protect one throwaway receipt: fonts, font subsetting, pypdf's parser and
    AES code paths are then loaded in the parent and shared by every fork."""
    from datetime import UTC, datetime
    from decimal import Decimal

    from receipts.model import Party, Receipt
    from receipts.protect import protect, random_password
    from receipts.render import render_receipt

    sample = Receipt(
        "Bank", "TX000000", datetime.now(UTC), Party("A", "••0000"), Party("B", "••0001"),
        Decimal("1.00"), Decimal("0.00"), "USD", "completed", "WhatsApp",
    )  # fmt: skip
    protect(
        render_receipt(sample, "TX000000-AAAA", "https://x"),
        random_password(),
        title="t",
        author="a",
    )


def main(argv: list[str] | None = None) -> int:
    from app import Config, ConfigError, build_services

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
    build_services(config)  # installs the job context every fork inherits
    warm_up()
    # Objects built so far live for the whole process: keep the collector off their pages so
    # forked jobs don't copy them (copy-on-write) just by scanning them.
    gc.freeze()
    connection = Redis.from_url(config.redis_url)  # RQ's own: it sets long read timeouts
    queues = [queue_for(name, connection) for name in QUEUES]
    worker = Worker(queues, connection=connection, serializer=JSONSerializer)
    worker.work(with_scheduler=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
