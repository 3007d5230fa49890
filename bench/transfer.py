"""Benchmark of money movement: the bank's transfers per second on its own, and whole transfer
conversations per second through the webhook against the ``balance`` message.

``python -m bench.transfer`` (part of ``make bench``) writes a seed of ``CUSTOMERS`` demo
customers (each with a savings and a current account and a payee at another bank, KYC level 3)
into a temporary directory, then measures, in one run:

1. **the bank alone**: ``SqliteBank.transfer`` as the app wires it (the KYC guard inside the
   transaction, the real clock, the default durability: WAL with ``synchronous=FULL``) on its
   own SQLite file, one transfer of 1.00 from each customer in turn to their payee: in a loop in
   one thread, then from ``BANK_THREADS`` threads at once; transfers/s and CPU per transfer;
2. **conversations**: a private ``redis-server`` and Teller on 2 gunicorn workers
   (``bench.servers``; ``MESSENGER=outbox``), a valid session for every customer, and
   ``bench.conversations``: 8 threads each chatting as customers of their own, a complete
   transfer (``transfer``, source, payee, amount, ``yes``, the code read back from the outbox)
   or a ``balance`` message, in rounds taken in turn so drift on a shared host hits both alike.
   The ratio of the two rates is what a conversation costs in ``balance`` messages.

Afterwards every ``Done`` reply must be one transfer in the bank and the ledger sound. Results
go to ``bench/results/transfer.json`` (git-ignored) and into the transfer section of
``bench/README.md``.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import platform
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

from redis import Redis

from bench import conversations, report, traffic, transfer_report, webhook
from bench.conversations import BALANCE, CLIENTS, TRANSFER, Chat
from bench.servers import SETTINGS, environment, gunicorn, machine_busy
from bench.webhook import AUTH_TOKEN, PATH, PUBLIC_BASE_URL, TELLER_APP, step
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "transfer.json"
README = ROOT / "bench" / "README.md"
SECTION = ("<!-- transfer:start -->", "<!-- transfer:end -->")

CUSTOMERS = 2_000  # a step-up may start 10 times an hour per number: enough people for a run
BANK_LOOP = 3_000
BANK_THREADS = 4
WARMUP_S = 3
ROUNDS = 3
BALANCE_S = 5
TRANSFER_S = 10
TRIPS = 20  # scripts under MONITOR
PAYEE = ("Chidi Okeke", "044", "0987654321")


def bench_seed(count: int = CUSTOMERS) -> dict[str, Any]:
    """The demo seed's bank, other banks, billers and levels, with ``count`` customers."""
    from app import DEMO_SEED

    doc: dict[str, Any] = json.loads(DEMO_SEED.read_text(encoding="utf-8"))
    name, code, number = PAYEE
    doc["customers"] = [
        {
            "customer_id": f"B{n:05d}",
            "name": f"Bench Customer {n}",
            "msisdn": f"+234803{1_000_000 + n}",
            "email": f"bench{n}@example.com",
            "dob": "1985-06-15",
            "national_id": f"5{n:010d}",
            "kyc_level": 3,
            "accounts": [
                {"number": f"7{n:09d}", "type": "savings", "balance": "1000000.00"},
                {"number": f"8{n:09d}", "type": "current", "balance": "500.00"},
            ],
            "payees": [{"name": name, "bank_code": code, "account_number": number}],
        }
        for n in range(1, count + 1)
    ]
    for customer in doc["customers"]:
        for account in customer["accounts"]:
            account["currency"] = doc["bank"]["currency"]
    return doc


def bank_alone(seed: Path, tmp: Path) -> dict[str, Any]:
    """Transfers/s of ``SqliteBank.transfer``: a loop in one thread, then several threads."""
    from bank.demo import SqliteBank
    from bank.limits import kyc_guard
    from bank.ports import BankUnavailable, TransferRequest
    from bank.seed import load_file

    bank = SqliteBank(tmp / "bank-alone.sqlite3", guards=[kyc_guard])
    load_file(bank, seed)
    db = bank.db.connection()
    durability = {
        "journal_mode": db.execute("PRAGMA journal_mode").fetchone()[0],
        "synchronous": {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(
            db.execute("PRAGMA synchronous").fetchone()[0], "?"
        ),
    }
    customers = [(c.customer_id, bank.accounts(c.customer_id)[0].number)
                 for c in bank.list_customers()]  # fmt: skip
    _, code, number = PAYEE

    busy: Counter[str] = Counter()

    def send(n: int, phase: str) -> None:
        customer, source = customers[n % len(customers)]
        key = f"bench-{phase}-{n}"
        try:
            bank.transfer(
                TransferRequest(key, source, number, code, Decimal("1.00"), "Bench", customer)
            )
        except BankUnavailable:  # the write lock held past the busy timeout: counted, as the
            busy[phase] += 1  # webhook would answer "try again" (a shared disk can be that slow)

    def timed(phase: str, count: int, threads: int) -> dict[str, Any]:
        wall, cpu = time.perf_counter(), time.process_time()
        if threads == 1:
            for n in range(count):
                send(n, phase)
        else:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(lambda n: send(n, phase), range(count)))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        return {
            "transfers": count,
            "threads": threads,
            "per_s": round(count / wall, 1),
            "wall_us": round(1e6 * wall / count),
            "cpu_us": round(1e6 * cpu / count),
            "busy": busy[phase],
        }

    for n in range(100):  # warm-up: connections, page cache
        send(n, "warm")
    step(f"bank alone: {BANK_LOOP} transfers in a loop")
    loop = timed("loop", BANK_LOOP, 1)
    step(f"bank alone: {BANK_LOOP} transfers from {BANK_THREADS} threads")
    threads = timed("threads", BANK_LOOP, BANK_THREADS)
    problems = bank.ledger_problems()
    bank.close()
    return {"durability": durability, "loop": loop, "threaded": threads,
            "ledger_problems": len(problems)}  # fmt: skip


def seed_teller(redis_url: str, seed: Path, database: Path) -> None:
    """Load the seed once, before gunicorn starts (see ``bench.servers.seed_bank``)."""
    from app import Config, build_services

    config = Config(
        redis_url=redis_url,
        public_base_url=PUBLIC_BASE_URL,
        bank_database=str(database),
        bank_seed=str(seed),
    )
    services = build_services(config)
    services.close()
    services.redis.close()
    services.rq_redis.close()


def open_sessions(redis: Any, msisdns: Sequence[str]) -> None:
    """A valid session for every customer, with the real clock the app checks them with."""
    from auth.stores.sessions import Sessions

    sessions, now = Sessions(redis), datetime.now(UTC)
    for msisdn in msisdns:
        sessions.create(msisdn, now)


def chats(tmp: Path, stack: contextlib.ExitStack, seed: Path) -> dict[str, Any]:
    """Teller on 2 gunicorn workers: balance and transfer rounds in turn."""
    from flows.responses import CATALOG

    redis_server = RedisServer().start()
    stack.callback(redis_server.stop)
    redis = Redis.from_url(redis_server.url, decode_responses=True)
    stack.callback(redis.close)
    database = tmp / "bank.sqlite3"
    seed_teller(redis_server.url, seed, database)
    env = environment(
        {
            "TELLER_ENV": "development",
            "REDIS_URL": redis_server.url,
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "BANK_DATABASE": str(database),
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "MESSENGER": "outbox",
        }
    )
    step(f"starting Teller under gunicorn ({SETTINGS})")
    teller = stack.enter_context(gunicorn("teller", TELLER_APP, env, tmp / "gunicorn.log"))
    msisdns = [c["msisdn"] for c in json.loads(seed.read_text())["customers"]]
    markers = traffic.reply_markers(CATALOG, conversations.REPLY_KEYS)
    chat = Chat(teller, AUTH_TOKEN, PUBLIC_BASE_URL + PATH, traffic.classifier(markers))
    # Each thread its own customers, taken in turn across rounds: nobody waits for their own
    # lock, and nobody starts more step-ups an hour than the limit allows.
    groups: list[Iterator[str]] = [itertools.cycle(msisdns[i::CLIENTS]) for i in range(CLIENTS)]
    pid = [redis_server.process.pid] if redis_server.process else []

    def run(script: Sequence[tuple[str, str]], seconds: float) -> dict[str, Any]:
        return conversations.rounds(chat, redis, groups, script, seconds, pid)

    open_sessions(redis, msisdns)
    step(f"warm-up: {WARMUP_S} s of balance, {WARMUP_S} s of transfers")
    warm = [run(BALANCE, WARMUP_S), run(TRANSFER, WARMUP_S)]
    open_sessions(redis, msisdns)
    step(f"{ROUNDS} rounds: {BALANCE_S} s of balance, then {TRANSFER_S} s of transfers")
    balance_rounds, transfer_rounds = [], []
    for _ in range(ROUNDS):
        balance_rounds.append(run(BALANCE, BALANCE_S))
        transfer_rounds.append(run(TRANSFER, TRANSFER_S))
    step(f"round trips: {TRIPS} conversations and {TRIPS} balances one at a time, MONITOR on")
    time.sleep(0.5)
    trips = {
        "balance": conversations.round_trips(chat, redis, redis_server.url, groups[0],
                                             BALANCE, TRIPS),
        "transfer": conversations.round_trips(chat, redis, redis_server.url, groups[0],
                                              TRANSFER, TRIPS),
    }  # fmt: skip
    done = sum(r["completed"] for r in [warm[1], *transfer_rounds]) + trips["transfer"]["scripts"]
    return {
        "redis_server": str(redis.info("server")["redis_version"]),
        "balance": conversations.medians(balance_rounds),
        "transfer": conversations.medians(transfer_rounds),
        "ratios": [
            round(b["per_s"] / t["per_s"], 2) if t["per_s"] else float("inf")
            for b, t in zip(balance_rounds, transfer_rounds, strict=True)
        ],
        "redis": trips,
        "done_replies": done,
        "bank": check_bank(database, done),
        "log_errors": (tmp / "gunicorn.log").read_text(errors="replace").count("Traceback"),
    }


def check_bank(database: Path, done: int) -> dict[str, Any]:
    """Every ``Done`` a customer read is one transfer in the bank; the ledger is sound."""
    from bank.demo import SqliteBank

    bank = SqliteBank(database)
    transfers = int(bank.db.rows("SELECT COUNT(*) AS n FROM transfers")[0]["n"])
    problems = bank.ledger_problems()
    bank.close()
    return {"transfers": transfers, "matches_done": transfers == done, "problems": len(problems)}


def run(tmp: Path, stack: contextlib.ExitStack) -> dict[str, Any]:
    busy_before = round(machine_busy(), 2)
    seed = tmp / "bench-seed.json"
    seed.write_text(json.dumps(bench_seed()), encoding="utf-8")
    bank = bank_alone(seed, tmp)
    chatted = chats(tmp, stack, seed)
    busy_after = round(machine_busy(), 2)
    balance, transfer = chatted["balance"], chatted["transfer"]
    cost_cpu = sum(transfer["cpu_us"][k] for k in ("workers", "redis_server")) / max(
        1, sum(balance["cpu_us"][k] for k in ("workers", "redis_server"))
    )
    return {
        "date": datetime.now().astimezone().date().isoformat(),
        "machine": {
            "cores": os.cpu_count(),
            "cpu": cpu_model(),
            "os": platform.platform(),
            "python": platform.python_version(),
            "gunicorn": version("gunicorn"),
            "flask": version("flask"),
            "redis_server": chatted.pop("redis_server"),
        },
        "settings": {
            "customers": CUSTOMERS,
            "clients": CLIENTS,
            "rounds": f"{ROUNDS} rounds of {BALANCE_S} s of balance then {TRANSFER_S} s of "
            f"transfers, after {WARMUP_S} s of each to warm up",
            "machine_busy_before": busy_before,
            "machine_busy_after": busy_after,
        },
        "bank_alone": bank,
        **chatted,
        "cost": round(statistics.median(chatted["ratios"]), 2),
        "cost_cpu": round(cost_cpu, 2),
    }


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        return found.group(1).strip() if found else ""
    return ""


def main() -> int:
    results = webhook.measure(run)
    if results is None:
        return 130
    results["goals"] = transfer_report.goals(results)
    webhook.save(results, RESULTS)
    report.update_readme(README, results, transfer_report.markdown, SECTION)
    print(transfer_report.markdown(results))
    print(f"\nwrote {RESULTS.relative_to(ROOT)} and {README.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
