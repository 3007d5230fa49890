"""Benchmark of receipts: how many one worker renders, protects and sends per second, against a
bare reportlab + pypdf loop doing the same rendering and encryption; and how long a customer
waits for the media message at 20 receipts a second on two workers.

``python -m bench.receipts`` (the last part of ``make bench``) starts a private ``redis-server``,
seeds the demo bank in a temporary directory and makes the transfers through the bank's own
transfer function, then, in one run:

1. **bare**: the same receipts (models built from the same transfers beforehand) rendered with
   ``receipts.render`` and encrypted with ``receipts.protect`` in a loop in this process, warm:
   the limit, with nothing else to do;
2. **one worker**: ``python -m app worker`` (its supervisor forks one warm process that runs the
   jobs one after another, as in production) given a batch of ``send_receipt`` jobs, one per
   transfer; receipts per second is the job count over the span from the first job's start to
   the last job's end (RQ's own timestamps). Bare and worker take 3 turns of 100 receipts each;
   the figures are the rounds' medians. Each job reads the bank, renders, protects, stores the
   PDF in Redis, sends the password SMS and the WhatsApp media message (the dev outbox: Redis,
   no network);
3. **latency at 20 receipts/s on two workers**: a second ``python -m app worker`` joins the
   first, and an open loop enqueues one receipt every 50 ms for 20 s; latency runs from each
   enqueue to the media message naming that receipt's reference in the outbox.

Results go to ``bench/results/receipts.json`` (git-ignored) and into the receipts section of
``bench/README.md``.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from redis import Redis
from rq import Worker
from rq.job import Job
from rq.serializers import JSONSerializer

from app import Config, build_services
from bank.ports import TransferRequest
from bench.receipts_kill import cpu_seconds, kill_mid_job
from bot.messenger import OutboxMessenger
from receipts import verification
from receipts.protect import protect, random_password
from receipts.render import render_receipt
from tests.redis_server import RedisServer
from workers.jobs import enqueue_receipt
from workers.sources import receipt_for

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "receipts.json"
README = ROOT / "bench" / "README.md"
THROUGHPUT_N = 300
ROUNDS = 3  # bare and worker take turns, so drift or a busy neighbour hits both alike
RATE = 20.0
LATENCY_S = 20.0
BASE_URL = "https://bench.example"
CUSTOMER = "+2348030000002"  # C002, whose transfers these are
LATENCY_WORKERS = 2
KILL_TRIES = 20  # receipts to try killing mid-render: most are caught at the first


def transfers(services: Any, count: int, prefix: str) -> list[int]:
    """Transfers from the demo customers' first accounts to the first one's first payee."""
    ids = []
    for n in range(count):
        request = TransferRequest(
            f"{prefix}{n}", "0234567891", "0987654321", "044", Decimal("1.00"), "Bench", "C002"
        )
        ids.append(services.bank.transfer(request).txn_id)
    return ids


def bare_rate(services: Any, txn_ids: list[int]) -> tuple[float, float]:
    """Render + protect the same receipts in a loop: nothing but reportlab and pypdf. The models
    are built first (bank reads are the worker's work, not the limit's). (receipts/s, CPU ms
    per receipt)."""
    receipts = []
    for txn_id in txn_ids:
        record = services.bank.transfer_record(txn_id)
        receipt = receipt_for(services.bank, record, services.bank_name)
        receipts.append((receipt, verification.code_for(receipt, services.verify_key)))
    for receipt, code in receipts[:10]:  # warm-up, as the worker warms up before forking
        protect(render_receipt(receipt, code, BASE_URL), random_password(), title="t", author="a")
    started, cpu = time.perf_counter(), time.process_time()
    for receipt, code in receipts:
        pdf = render_receipt(receipt, code, f"{BASE_URL}/verify")
        protect(pdf, random_password(), title="Transaction receipt", author=services.bank_name)
    cpu_ms = 1000 * (time.process_time() - cpu) / len(receipts)
    return len(receipts) / (time.perf_counter() - started), cpu_ms


def wait_until(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def worker_rate(raw: Redis, jobs: list[Job]) -> tuple[float, float, float]:
    """(receipts/s over the jobs' span, ms per job, mean ms inside the job function) from
    RQ's timestamps; the difference is forking and RQ's own bookkeeping."""
    fetched = [Job.fetch(j.id, connection=raw, serializer=JSONSerializer) for j in jobs]
    assert all(j.get_status() == "finished" for j in fetched), "a receipt job did not finish"
    starts = [j.started_at for j in fetched if j.started_at]
    ends = [j.ended_at for j in fetched if j.ended_at]
    span = (max(ends) - min(starts)).total_seconds()
    inside = statistics.mean(
        (j.ended_at - j.started_at).total_seconds()  # type: ignore[operator]
        for j in fetched
    )
    return len(fetched) / span, 1000 * span / len(fetched), 1000 * inside


def open_loop(raw: Redis, outbox: OutboxMessenger, references: dict[int, str]) -> dict[str, float]:
    """Enqueue at RATE per second; latency from each enqueue to the media message that names
    its receipt's reference (two workers: they need not finish in order)."""
    before = len(outbox.messages(CUSTOMER))
    enqueued: dict[str, float] = {}
    start = time.time() + 0.5
    for i, (txn_id, reference) in enumerate(references.items()):
        delay = start + i / RATE - time.time()
        if delay > 0:
            time.sleep(delay)
        enqueued[reference] = time.time()
        enqueue_receipt(raw, txn_id)
    lag = max(e - (start + i / RATE) for i, e in enumerate(enqueued.values()))

    def media() -> dict[str, float]:
        found = outbox.messages(CUSTOMER)[before:]
        sent = {}
        for m in found:
            if m["channel"] == "whatsapp" and m["media_urls"]:
                reference = m["body"].split()[2]  # "Your receipt <reference> from …"
                sent[reference] = datetime.fromisoformat(m["created_at"]).timestamp()
        return sent

    wait_until(lambda: len(media()) >= len(enqueued), timeout=120)
    sent = media()
    latencies = sorted(1000 * (sent[r] - e) for r, e in enqueued.items() if r in sent)
    return {
        "sent": len(latencies),
        "enqueued": len(enqueued),
        "p50_ms": statistics.median(latencies),
        "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
        "max_ms": latencies[-1],
        "enqueue_lag_ms": 1000 * lag,
    }


def load_average() -> float:
    """The 1-minute load average: other work sharing the cores shows here."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def run() -> dict[str, Any]:
    load_before = load_average()
    redis_server = RedisServer().start()
    folder = tempfile.TemporaryDirectory()
    env = {
        "REDIS_URL": redis_server.url,
        "BANK_DATABASE": str(Path(folder.name) / "bank.sqlite3"),
        "PUBLIC_BASE_URL": BASE_URL,
        "MESSENGER": "outbox",
    }
    workers: list[subprocess.Popen[bytes]] = []
    began = time.monotonic()
    try:
        services = build_services(Config.from_env(env))
        assert isinstance(services.messenger, OutboxMessenger)
        # The customer just wrote (confirming a transfer does): their 24-hour window is open, so
        # documents go as WhatsApp media rather than a "your receipt is ready" notice.
        services.outbound.window.seen(CUSTOMER, services.clock())
        first = transfers(services, THROUGHPUT_N, "t")
        later = transfers(services, int(RATE * LATENCY_S), "l")
        spare = transfers(services, KILL_TRIES, "k")

        def kill_references(services: Any = services) -> list[tuple[int, str]]:
            records = [(t, services.bank.transfer_record(t)) for t in spare]
            return [(t, r.reference) for t, r in records if r is not None]

        raw = Redis.from_url(redis_server.url)
        worker_env = {**os.environ, **env}

        def start_worker(n: int) -> subprocess.Popen[bytes]:
            log = open(Path(folder.name) / f"worker-{n}.log", "wb")  # noqa: SIM115 - with the dir
            return subprocess.Popen(
                [sys.executable, "-m", "app", "worker"], env=worker_env, cwd=ROOT,
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip

        workers.append(start_worker(0))
        assert wait_until(lambda: len(Worker.all(connection=raw)) == 1, timeout=60), "no worker"
        [running] = Worker.all(connection=raw)
        assert running.pid is not None and redis_server.process is not None
        work_pid, redis_pid = running.pid, redis_server.process.pid
        rounds = []
        size = THROUGHPUT_N // ROUNDS
        for n in range(ROUNDS):
            batch = first[n * size : (n + 1) * size]
            bare, bare_cpu = bare_rate(services, batch)
            cpu_before = cpu_seconds(work_pid), cpu_seconds(redis_pid)
            jobs = [enqueue_receipt(raw, txn_id) for txn_id in batch]

            def done(jobs: list[Job] = jobs) -> bool:
                statuses = [
                    Job.fetch(j.id, connection=raw, serializer=JSONSerializer).get_status()
                    for j in jobs[-3:]
                ]
                return all(s in ("finished", "failed") for s in statuses)

            assert wait_until(done, timeout=300), "the worker did not finish the receipts"
            cpu_ms = [
                1000 * (cpu_seconds(pid) - before) / len(batch)
                for pid, before in zip((work_pid, redis_pid), cpu_before, strict=True)
            ]
            rounds.append((bare, *worker_rate(raw, jobs), bare_cpu, *cpu_ms))
        workers.extend(start_worker(n) for n in range(1, LATENCY_WORKERS))
        assert wait_until(lambda: len(Worker.all(connection=raw)) == LATENCY_WORKERS, timeout=60), (
            "the second worker did not start"
        )
        records = {t: services.bank.transfer_record(t) for t in later}
        references = {t: r.reference for t, r in records.items() if r is not None}
        latency = open_loop(raw, services.messenger, references)
        killed = kill_mid_job(raw, services.messenger, CUSTOMER, dict(kill_references(services)))
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(15)
        redis_server.stop()
        folder.cleanup()
    return {
        "measured": datetime.now().strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}",
        "receipts": THROUGHPUT_N,
        "rounds": [
            {
                "bare_per_s": b,
                "worker_per_s": w,
                "ms_per_job": m,
                "ms_in_job": i,
                "bare_cpu_ms": bc,
                "worker_cpu_ms": wc,
                "redis_cpu_ms": rc,
            }
            for b, w, m, i, bc, wc, rc in rounds
        ],
        "bare_per_s": statistics.median(r[0] for r in rounds),
        "worker_per_s": statistics.median(r[1] for r in rounds),
        "worker_ms_per_receipt": statistics.median(r[2] for r in rounds),
        "worker_ms_in_job": statistics.median(r[3] for r in rounds),
        "ratio": statistics.median(r[1] / r[0] for r in rounds),
        "bare_cpu_ms": statistics.median(r[4] for r in rounds),
        "worker_cpu_ms": statistics.median(r[5] for r in rounds),
        "redis_cpu_ms": statistics.median(r[6] for r in rounds),
        "cpu_ratio": statistics.median(r[4] / r[5] for r in rounds),
        "kill": killed,
        "latency": latency,
        "latency_workers": LATENCY_WORKERS,
        "seconds": time.monotonic() - began,
        "load": [load_before, load_average()],
    }


def markdown(r: dict[str, Any]) -> str:
    lat, kill = r["latency"], r["kill"]
    ratio_ok = "yes" if r["ratio"] >= 0.8 else "**no**"
    p95_ok = "yes" if lat["p95_ms"] < 1000 and lat["sent"] == lat["enqueued"] else "**no**"
    retried = kill["retried_s"]
    kill_ok = (
        "yes" if retried is not None and retried < 60 and kill["media_messages"] == 1 else "**no**"
    )
    kill_text = (
        f"`kill -9` of the process running a receipt, as soon as the job had started (attempt "
        f"{kill['attempts']}): its media message came **{retried:.1f} s** after the kill; "
        f"{kill['media_messages']} media message for it, {kill['retries_used']} retry used."
        if retried is not None
        else f"`kill -9`: no kill landed mid-render in {kill['attempts']} attempts."
    )
    return "\n".join(
        [
            f"Measured {r['measured']} on {r['machine']}. {r['receipts']} receipts each way, "
            f"in {len(r['rounds'])} rounds taken in turn (medians); "
            f"the worker, Redis and this benchmark share the cores. Load average before the run "
            f"{r['load'][0]:.1f}, after it {r['load'][1]:.1f} (above 0.5 something else was "
            f"running: figures are then pessimistic). A full run took {r['seconds']:.0f} s.",
            "",
            "| run | receipts/s | CPU ms per receipt | notes |",
            "|---|---:|---:|---|",
            f"| bare reportlab + pypdf loop | {r['bare_per_s']:.1f} | {r['bare_cpu_ms']:.1f} | "
            "render + AES-256, warm, in one process |",
            f"| one worker (`python -m app worker`) | {r['worker_per_s']:.1f} | "
            f"{r['worker_cpu_ms']:.1f} + {r['redis_cpu_ms']:.1f} in redis-server | "
            f"{r['worker_ms_per_receipt']:.1f} ms per receipt, of which "
            f"{r['worker_ms_in_job']:.1f} ms in the job (bare: {1000 / r['bare_per_s']:.1f} ms), "
            f"the rest RQ's bookkeeping; **{100 * r['ratio']:.0f}%** of bare (CPU: "
            f"{100 * r['cpu_ratio']:.0f}%) |",
            "",
            f"At {RATE:.0f} receipts/s for {LATENCY_S:.0f} s on {r['latency_workers']} workers: "
            f"enqueue to media message p50 **{lat['p50_ms']:.0f} ms**, p95 "
            f"**{lat['p95_ms']:.0f} ms**, max {lat['max_ms']:.0f} ms; {lat['sent']} of "
            f"{lat['enqueued']} sent (the generator ran at most {lat['enqueue_lag_ms']:.0f} ms "
            "late).",
            "",
            kill_text,
            "",
            "| goal | measured | met |",
            "|---|---|---|",
            f"| ≥ 80% of the bare rate per worker | {100 * r['ratio']:.0f}% | {ratio_ok} |",
            f"| p95 < 1 s at 20 receipts/s, {r['latency_workers']} workers | "
            f"{lat['p95_ms']:.0f} ms | {p95_ok} |",
            "| a `kill -9` mid-render retried within 60 s, one receipt | "
            + (f"{retried:.1f} s, {kill['media_messages']} receipt" if retried is not None else "—")
            + f" | {kill_ok} |",
        ]
    )


def update_readme(text: str) -> None:
    start, end = "<!-- receipts:start -->", "<!-- receipts:end -->"
    readme = README.read_text()
    if start in readme and end in readme:
        head, rest = readme.split(start, 1)
        readme = head + start + "\n" + text + "\n" + end + rest.split(end, 1)[1]
        README.write_text(readme)


def main() -> int:
    results = run()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    text = markdown(results)
    print(text)
    update_readme(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
