"""The receipt job's own cost, in-process and by CPU: ``send_receipt`` run directly, wired as
``python -m app worker`` wires it (``build_services`` installs the job context, the supervisor's
``warm_up`` renders a throwaway receipt, the log configured as the worker's), against the bare
loop of ``bench.receipts`` (render + AES-256 of the same receipts, models built beforehand).

``python -m bench.receipts_job`` starts a private ``redis-server``, seeds the demo bank in a
temporary directory, opens the customer's 24-hour window and makes the transfers. Then, receipt
by receipt, the bare render + encrypt and the whole job alternate, each timed by this process's
CPU clock (``time.process_time``): whatever else shares the machine slows both alike, which
wall-clock figures or whole loops run one after the other can't promise on a busy host. The
figures are the medians of the rounds' CPU time per receipt; redis-server's CPU during the jobs
is read from ``/proc``. The job logs its INFO lines to a file, as the worker does.
``--trips`` counts the job's Redis round trips; ``--profile`` adds a cProfile of the jobs (most
cumulative time first). Nothing is written to the README: the figures are for reading.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from redis.connection import Connection

from app import Config, build_services
from app.observability import configure_logging
from bench.receipts import BASE_URL, CUSTOMER, load_average, transfers
from bench.receipts_kill import cpu_seconds
from receipts import verification
from receipts.protect import protect, random_password
from receipts.render import render_receipt
from tests.redis_server import RedisServer
from workers.jobs import send_receipt
from workers.sources import receipt_for
from workers.supervisor import warm_up

ROUNDS = 5
PER_ROUND = 100


def alternate(services: Any, txn_ids: list[int], redis_pid: int) -> tuple[float, float, float]:
    """(bare, job, redis-server) CPU ms per receipt, bare and job taking turns receipt by
    receipt on the same transfers."""
    models = []
    for txn_id in txn_ids:  # the bare loop's models, built beforehand as bench.receipts does
        record = services.bank.transfer_record(txn_id)
        receipt = receipt_for(services.bank, record, services.bank_name)
        models.append((receipt, verification.code_for(receipt, services.verify_key)))
    bare = job = redis = 0.0
    for txn_id, (receipt, code) in zip(txn_ids, models, strict=True):
        started = time.process_time()
        pdf = render_receipt(receipt, code, f"{BASE_URL}/verify")
        protect(pdf, random_password(), title="Transaction receipt", author=services.bank_name)
        bare += time.process_time() - started
        redis_before, started = cpu_seconds(redis_pid), time.process_time()
        assert send_receipt(txn_id) == "sent", f"receipt {txn_id} was not sent"
        job += time.process_time() - started
        redis += cpu_seconds(redis_pid) - redis_before
    return tuple(1000 * x / len(txn_ids) for x in (bare, job, redis))  # type: ignore[return-value]


class TripCounter:
    """Counts what the Redis clients write to their sockets, one write per command or pipeline:
    one per round trip. (A diagnostic wrapped round redis-py for the span of a ``with``.)"""

    def __init__(self) -> None:
        self.trips = 0
        self._send: Any = Connection.send_packed_command

    def __enter__(self) -> TripCounter:
        send = self._send

        def counted(conn: Connection, command: Any, check_health: bool = True) -> None:
            self.trips += 1
            send(conn, command, check_health)

        Connection.send_packed_command = counted  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        Connection.send_packed_command = self._send  # type: ignore[method-assign]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", action="store_true", help="cProfile the jobs")
    parser.add_argument("--trips", action="store_true", help="count Redis round trips per job")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args(argv)
    redis_server = RedisServer().start()
    folder = tempfile.TemporaryDirectory()
    env = {
        "REDIS_URL": redis_server.url,
        "BANK_DATABASE": str(Path(folder.name) / "bank.sqlite3"),
        "PUBLIC_BASE_URL": BASE_URL,
        "MESSENGER": "outbox",
    }
    try:
        config = Config.from_env(env)
        configure_logging(config)
        root = logging.getLogger()
        for handler in root.handlers:  # the worker's log lines, written as the worker writes them
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(open(Path(folder.name) / "job.log", "w"))  # noqa: SIM115
        services = build_services(config)
        warm_up()
        services.outbound.window.seen(CUSTOMER, services.clock())
        n = args.rounds * PER_ROUND
        txns = transfers(services, n + 20, "j")
        for txn_id in txns[-20:]:  # warm: the first jobs open connections and fill caches
            send_receipt(txn_id)
        assert redis_server.process is not None
        redis_pid = redis_server.process.pid
        rounds = []
        for r in range(args.rounds):
            batch = txns[r * PER_ROUND : (r + 1) * PER_ROUND]
            bare, job, redis_ms = alternate(services, batch, redis_pid)
            rounds.append((bare, job, redis_ms))
            print(f"round {r + 1}: bare {bare:.2f} ms, job {job:.2f} ms (+ {redis_ms:.2f} redis)")
        bare = statistics.median(r[0] for r in rounds)
        job = statistics.median(r[1] for r in rounds)
        redis_ms = statistics.median(r[2] for r in rounds)
        ratio = statistics.median(r[0] / r[1] for r in rounds)
        extra_ms = statistics.median(r[1] - r[0] for r in rounds)
        print(
            f"CPU per receipt, medians of {len(rounds)} rounds of {PER_ROUND}: bare {bare:.2f} ms,"
            f" job {job:.2f} ms (+{extra_ms:.2f} ms; bare/job {100 * ratio:.0f}%), "
            f"redis-server {redis_ms:.2f} ms during the job; load average {load_average():.1f}"
        )
        extra = transfers(services, PER_ROUND, "p")
        if args.trips:
            with TripCounter() as counter:
                for txn_id in extra[: PER_ROUND // 2]:
                    send_receipt(txn_id)
            print(f"Redis round trips per job: {counter.trips / (PER_ROUND // 2):.1f}")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for txn_id in extra[PER_ROUND // 2 :]:
                send_receipt(txn_id)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
    finally:
        redis_server.stop()
        folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
