"""Benchmark of the demo bank on each engine: the same ``transfer`` and the same reads on a
SQLite file and on PostgreSQL.

``python -m bench.bank_engines`` writes ``bench.transfer``'s seed (``CUSTOMERS`` customers, each
with a payee at another bank) and loads it into a SQLite file and into a private PostgreSQL
started from Debian's server binaries (``tests.postgres_server``: loopback, ``fsync`` off, so
the figures are the engines' CPU and round trips, not a disk's). On each it measures, as the app
wires the bank (the KYC guard inside the transaction): transfers of 1.00 from each customer in
turn to their payee, in a loop in one thread and then from ``THREADS`` threads at once; and a
customer's accounts read (the read nearly every chat message makes). The ledger must be sound
afterwards. Results are printed as JSON and written to ``bench/results/bank_engines.json``
(git-ignored); bench/README.md keeps the latest figures by hand.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

from bank.demo import SqlBank
from bank.engines import open_bank
from bank.limits import kyc_guard
from bank.ports import TransferRequest
from bank.seed import load_file
from bench.transfer import PAYEE, bench_seed
from tests.postgres_server import PostgresServer

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "bank_engines.json"
CUSTOMERS = 500
TRANSFERS = int(os.environ.get("BENCH_TRANSFERS", "1500"))
READS = int(os.environ.get("BENCH_READS", "3000"))
THREADS = 4


def timed(count: int, threads: int, one: Callable[[int], object]) -> dict[str, Any]:
    wall, cpu = time.perf_counter(), time.process_time()
    if threads == 1:
        for n in range(count):
            one(n)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(one, range(count)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "count": count,
        "threads": threads,
        "per_s": round(count / wall, 1),
        "wall_us": round(1e6 * wall / count),
        "client_cpu_us": round(1e6 * cpu / count),
    }


def measure(bank: SqlBank, seed: Path) -> dict[str, Any]:
    load_file(bank, seed)
    customers = [(c.customer_id, bank.accounts(c.customer_id)[0].number)
                 for c in bank.list_customers()]  # fmt: skip
    _, code, number = PAYEE

    def send(phase: str) -> Callable[[int], object]:
        def one(n: int) -> object:
            customer, source = customers[n % len(customers)]
            request = TransferRequest(
                f"bench-{phase}-{n}", source, number, code, Decimal("1.00"), "Bench", customer
            )
            return bank.transfer(request)

        return one

    def read(n: int) -> object:
        return bank.accounts(customers[n % len(customers)][0])

    timed(100, 1, send("warm"))
    result = {
        "transfers_loop": timed(TRANSFERS, 1, send("loop")),
        "transfers_threads": timed(TRANSFERS, THREADS, send("threads")),
        "reads_loop": timed(READS, 1, read),
        "reads_threads": timed(READS, THREADS, read),
        "ledger_problems": len(bank.ledger_problems()),
    }
    bank.close()
    return result


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-engines-") as folder:
        seed = Path(folder) / "seed.json"
        seed.write_text(json.dumps(bench_seed(CUSTOMERS)), encoding="utf-8")
        results: dict[str, Any] = {"customers": CUSTOMERS, "cores": os.cpu_count()}
        results["load_before"] = os.getloadavg()[0]
        sqlite = open_bank(Path(folder) / "bank.sqlite3", guards=[kyc_guard])
        results["sqlite"] = measure(sqlite, seed)
        server = PostgresServer().start()
        try:
            postgres = open_bank(server.new_database(), guards=[kyc_guard])
            results["postgresql"] = measure(postgres, seed)
        finally:
            server.stop()
        results["load_after"] = os.getloadavg()[0]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))
    sound = all(results[e]["ledger_problems"] == 0 for e in ("sqlite", "postgresql"))
    return 0 if sound else 1


if __name__ == "__main__":
    sys.exit(main())
