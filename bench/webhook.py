"""Benchmark of the WhatsApp webhook: Teller answering ``menu`` against a bare signed baseline
and against the stateful floor.

``python -m bench.webhook`` (what ``make bench`` runs) starts a private ``redis-server``, a
seeded SQLite demo bank in a temporary directory, and three apps under gunicorn with the same
settings (``bench.servers``): the bare baseline (``bench.baseline_app``), the stateful floor
(``bench.floor_app``: the baseline plus the two Redis round trips any de-duplicated, serialised
webhook needs) and Teller. It then measures, in one run:

1. the baseline's, the floor's and 2. Teller's ``menu`` path's maximum throughput with wrk
   (requests/s, p50, p99, and CPU per request in the workers and redis-server), in short rounds
   taken in turn so that a noisy neighbour on a shared host hits all alike; each ratio is the
   median of the rounds' ratios;
3. Teller at half the baseline's rate with a fixed-rate open-loop generator (``bench.openloop``):
   p50/p99 from each request's scheduled time, and whether the rate was reached;
4. Redis round trips per message: commands the web workers send, seen with MONITOR during a
   slow run, beside INFO's command counters (which also count commands run inside scripts).

Every request carries its own MessageSid (see ``bench.traffic``); senders are spread over the
demo customers with chat banking. Results go to ``bench/results/latest.json`` (git-ignored) and
into the figures section of ``bench/README.md``. Everything started here is stopped on the way
out, also on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import contextlib
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

from redis import Redis
from redis.exceptions import RedisError

from bench import baseline_app, openloop, report, traffic
from bench.openloop import Classify
from bench.servers import (
    SETTINGS,
    Server,
    cpu_seconds,
    environment,
    gunicorn,
    machine_busy,
    seed_bank,
)
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"
README = ROOT / "bench" / "README.md"
LUA = ROOT / "bench" / "wrk_post.lua"

PATH = "/whatsapp/inbound"
PUBLIC_BASE_URL = "http://bench.local"  # the URL Twilio signs; requests go to 127.0.0.1
AUTH_TOKEN = "bench-twilio-auth-token-0123456789abcdef"  # noqa: S105 - a fixed test value
BODY = "menu"
WRK_THREADS = 2
WRK_CONNECTIONS = 8
WARMUP_S = 3
ROUNDS = 3  # full-speed runs alternate between the apps, so drift on a shared host hits both
ROUND_S = 5
HALF_RATE_S = 10
ROUND_TRIP_MESSAGES = 200
ROUND_TRIP_RATE = 50.0
BASELINE_APP = "bench.baseline_app:create_app()"
FLOOR_APP = "bench.floor_app:create_app()"
TELLER_APP = "app:create_app()"
MONITOR_END = "teller-bench-monitor-end"
WRK_SETTINGS = (
    f"{WRK_THREADS} threads, {WRK_CONNECTIONS} connections, {WARMUP_S} s warm-up, "
    f"then {ROUNDS} rounds of {ROUND_S} s per app, taken in turn; medians"
)
OWN_COMMANDS = frozenset({"info", "monitor", "echo", "hello"})  # this script's, not Teller's

# The goals.
GOAL_RATIO = 0.60
GOAL_FLOOR_RATIO = 0.85
GOAL_P99_MS = 25.0
GOAL_ROUND_TRIPS = 4.0


def wrk(
    server: Server,
    requests: Path,
    seconds: int,
    markers: Mapping[str, str],
    *,
    path: str = PATH,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Closed-loop maximum throughput with wrk; returns wrk_post.lua's summary.

    ``headers`` are sent with every request (see wrk_post.lua: they replace its defaults).
    """
    command = [
        "wrk", "--threads", str(WRK_THREADS), "--connections", str(WRK_CONNECTIONS),
        "--duration", f"{seconds}s", "--timeout", "5s",
        "--script", str(LUA), server.url + path,
        "--", str(requests), str(WRK_THREADS), path,
        *(f"header:{name}={value}" for name, value in (headers or {}).items()),
        *(f"{label}={text}" for label, text in markers.items()),
    ]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH_JSON "))
    summary: dict[str, Any] = json.loads(line.removeprefix("BENCH_JSON "))
    if not summary["requests"]:
        raise RuntimeError(f"wrk completed no requests against {server.name}:\n{out}")
    summary["rps"] = summary["requests"] / (summary["duration_us"] / 1e6)
    return summary


def costed(
    server: Server,
    requests: Path,
    markers: Mapping[str, str],
    redis_pid: list[int],
    *,
    path: str = PATH,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One full-speed round, with the CPU its workers and redis-server used per request."""
    workers = server.workers()
    before = cpu_seconds(workers), cpu_seconds(redis_pid)
    summary = wrk(server, requests, ROUND_S, markers, path=path, headers=headers)
    after = cpu_seconds(workers), cpu_seconds(redis_pid)
    summary["cpu_us"] = {
        name: 1e6 * (after[i] - before[i]) / summary["requests"]
        for i, name in enumerate(("workers", "redis_server"))
    }
    return summary


def command_calls(redis: Redis) -> dict[str, int]:
    """INFO commandstats: calls per command so far, commands run inside scripts included."""
    stats = redis.info("commandstats")
    return {k.removeprefix("cmdstat_"): int(v["calls"]) for k, v in stats.items()}


def calls_delta(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, int]:
    names = (set(before) | set(after)) - OWN_COMMANDS
    changed = {n: after.get(n, 0) - before.get(n, 0) for n in names}
    return dict(sorted(((n, d) for n, d in changed.items() if d), key=lambda x: -x[1]))


@contextlib.contextmanager
def monitored(redis_url: str, redis: Redis) -> Iterator[tuple[Counter[str], Counter[str]]]:
    """MONITOR while the body runs; yields (commands clients sent, commands scripts ran).

    The watcher stops at an ``ECHO`` of MONITOR_END, sent with ``redis`` on the way out.
    """
    sent: Counter[str] = Counter()
    scripted: Counter[str] = Counter()
    started = threading.Event()

    def watch() -> None:
        client = Redis.from_url(redis_url, socket_timeout=None)  # quiet spells are normal
        with client.monitor() as monitor:  # type: ignore[no-untyped-call]  # redis-py: untyped
            started.set()
            for entry in monitor.listen():
                command = str(entry["command"])
                name = command.split(" ", 1)[0].lower()
                if entry["client_type"] == "lua":
                    scripted[name] += 1
                elif name == "echo" and MONITOR_END in command:
                    break
                else:
                    sent[name] += 1
        client.close()

    thread = threading.Thread(target=watch, name="redis-monitor", daemon=True)
    thread.start()
    if not started.wait(5):
        raise RuntimeError("MONITOR did not start")
    time.sleep(0.2)  # the MONITOR command is in effect once its OK is read
    try:
        yield sent, scripted
    finally:
        with contextlib.suppress(RedisError):  # on Ctrl-C redis-server may be gone already
            redis.echo(MONITOR_END)
        thread.join(10)


@dataclass
class Rig:
    """What a run starts: a private Redis, the seeded demo bank, the three apps under gunicorn
    (the bare baseline, the stateful floor, Teller)."""

    tmp: Path
    redis_server: RedisServer
    redis: Redis
    base: Server
    floor: Server
    teller: Server
    senders: list[str]
    markers: dict[str, str]
    classify: Classify
    files: Iterator[int] = field(default_factory=lambda: iter(range(1_000_000)))

    @property
    def redis_pid(self) -> list[int]:
        return [self.redis_server.process.pid] if self.redis_server.process else []

    def signed(self, body: str, count: int) -> list[traffic.Row]:
        """``count`` fresh signed webhook posts of ``body``, the senders in turn."""
        url = PUBLIC_BASE_URL + PATH
        return traffic.signed(AUTH_TOKEN, url, self.senders, body, max(count, 1))

    def pool(self, body: str, count: int) -> Path:
        """A wrk requests file of ``count`` fresh posts of ``body``."""
        path = self.tmp / f"requests-{next(self.files)}.txt"
        return traffic.write(path, self.signed(body, count))


def start(
    tmp: Path,
    stack: contextlib.ExitStack,
    reply_keys: Mapping[str, str] = traffic.REPLY_KEYS,
    settings: Mapping[str, str] | None = None,
) -> Rig:
    """Start Redis, seed the bank, then the three apps under gunicorn; ``stack`` stops them all.

    ``reply_keys`` label Teller's replies (see ``traffic.reply_markers``); ``settings`` are
    added to Teller's environment.
    """
    from app import DEMO_SEED
    from flows.responses import CATALOG

    markers = traffic.reply_markers(CATALOG, reply_keys) | {"baseline": baseline_app.REPLY}
    redis_server = RedisServer().start()
    stack.callback(redis_server.stop)
    redis = Redis.from_url(redis_server.url, decode_responses=True)
    stack.callback(redis.close)
    database = tmp / "bank.sqlite3"
    seed_bank(redis_server.url, PUBLIC_BASE_URL, database)
    env = environment(
        {
            "TELLER_ENV": "development",
            "REDIS_URL": redis_server.url,
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "BANK_DATABASE": str(database),
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "MESSENGER": "outbox",
            **(settings or {}),
        }
    )
    log = tmp / "gunicorn.log"
    step(f"starting the baseline, the stateful floor and Teller under gunicorn ({SETTINGS})")
    base = stack.enter_context(gunicorn("baseline", BASELINE_APP, env, log))
    floor = stack.enter_context(gunicorn("floor", FLOOR_APP, env, log))
    teller = stack.enter_context(gunicorn("teller", TELLER_APP, env, log))
    senders = traffic.chat_customers(DEMO_SEED)
    classify = traffic.classifier(markers)
    return Rig(tmp, redis_server, redis, base, floor, teller, senders, markers, classify)


@dataclass
class FullSpeed:
    """Alternating wrk rounds: each app's summaries, and the commands Redis ran meanwhile
    (Teller's only: the floor's rounds are not counted in ``commands``)."""

    baseline: list[dict[str, Any]]
    floor: list[dict[str, Any]]
    teller: list[dict[str, Any]]
    commands: dict[str, int]

    def figures(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """(baseline, floor, Teller) medians. Teller's and the floor's ``ratio`` is the median
        of the rounds' ratios to the baseline; Teller's ``floor_ratio`` to the floor."""

        def ratios(apps: list[dict[str, Any]], to: list[dict[str, Any]]) -> list[float]:
            return [a["rps"] / b["rps"] for a, b in zip(apps, to, strict=True)]

        def with_ratios(
            rounds: list[dict[str, Any]], **against: list[dict[str, Any]]
        ) -> dict[str, Any]:
            figures = report.wrk_figures(rounds)
            for name, to in against.items():
                found = ratios(rounds, to)
                figures[name] = round(statistics.median(found), 3)
                figures[f"{name}_rounds"] = found
            return figures

        return (
            report.wrk_figures(self.baseline),
            with_ratios(self.floor, ratio=self.baseline),
            with_ratios(self.teller, ratio=self.baseline, floor_ratio=self.floor),
        )

    def at_full_speed(self) -> dict[str, Any]:
        requests = sum(r["requests"] for r in self.teller)
        return {
            # Above the path's own count: messages that waited for their customer's lock.
            "evalsha_per_request": round(self.commands.get("evalsha", 0) / requests, 3),
            "commands_executed_per_request": round(sum(self.commands.values()) / requests, 2),
            "commandstats_delta": self.commands,
        }


def full_speed(rig: Rig, body: str) -> FullSpeed:
    """A warm-up of each app, then ROUNDS rounds of each in turn (baseline, floor, Teller),
    Teller answering ``body``. The floor, like Teller, gets a fresh MessageSid per request."""
    step(f"warm-up: {WARMUP_S} s each")
    base_pool = rig.pool(body, 20_000)  # the baseline ignores MessageSid: repeats cost it nothing
    estimate = wrk(rig.base, base_pool, WARMUP_S, rig.markers)["rps"]
    enough = max(estimate, 2_000) * 1.5  # the floor and Teller do more work than the baseline
    wrk(rig.floor, rig.pool(body, int(enough * WARMUP_S)), WARMUP_S, rig.markers)
    wrk(rig.teller, rig.pool(body, int(enough * WARMUP_S)), WARMUP_S, rig.markers)

    step(
        f"full speed: {ROUNDS} rounds of {ROUND_S} s each, baseline, floor and Teller in turn (wrk)"
    )
    floor_pools = [rig.pool(body, int(enough * ROUND_S)) for _ in range(ROUNDS)]
    teller_pools = [rig.pool(body, int(enough * ROUND_S)) for _ in range(ROUNDS)]
    base_rounds, floor_rounds, teller_rounds = [], [], []
    commands: Counter[str] = Counter()
    for floor_pool, teller_pool in zip(floor_pools, teller_pools, strict=True):
        base_rounds.append(costed(rig.base, base_pool, rig.markers, rig.redis_pid))
        floor_rounds.append(costed(rig.floor, floor_pool, rig.markers, rig.redis_pid))
        time.sleep(0.2)  # the floor's requests still in flight when wrk stopped
        calls_0 = command_calls(rig.redis)
        teller_rounds.append(costed(rig.teller, teller_pool, rig.markers, rig.redis_pid))
        time.sleep(0.5)  # requests still in flight when wrk stopped
        commands.update(calls_delta(calls_0, command_calls(rig.redis)))
    return FullSpeed(base_rounds, floor_rounds, teller_rounds, dict(commands.most_common()))


def round_trips(rig: Rig, body: str, label: str) -> dict[str, Any]:
    """Redis commands per message: ROUND_TRIP_MESSAGES of ``body`` under MONITOR, slowly.

    ``label`` is the reply every message should get; the others are counted under theirs.
    """
    step(f"round trips: {ROUND_TRIP_MESSAGES} messages at {ROUND_TRIP_RATE:.0f} req/s, MONITOR on")
    requests = traffic.raw(rig.teller.port, PATH, rig.signed(body, ROUND_TRIP_MESSAGES))
    calls_0 = command_calls(rig.redis)
    with monitored(rig.redis_server.url, rig.redis) as (sent, scripted):
        trips = openloop.run("127.0.0.1", rig.teller.port, requests, ROUND_TRIP_RATE, rig.classify)
    executed = calls_delta(calls_0, command_calls(rig.redis))
    messages = trips.responses[label]
    return {
        "messages": messages,
        "responses": dict(trips.responses),
        "all_answered": messages == ROUND_TRIP_MESSAGES,
        "round_trips_per_message": round(sum(sent.values()) / max(messages, 1), 2),
        "sent_commands": dict(sent.most_common()),
        "commands_run_by_scripts": dict(scripted.most_common()),
        "commands_executed_per_message": round(sum(executed.values()) / max(messages, 1), 2),
        "commandstats_delta": executed,
    }


def run(tmp: Path, stack: contextlib.ExitStack) -> dict[str, Any]:
    """Every measurement, in order; the processes it starts are stopped by ``stack``."""
    busy_before = round(machine_busy(), 2)  # anything else running skews every figure
    rig = start(tmp, stack)
    speed = full_speed(rig, BODY)
    # Round trips next, on an idle server: the open loop below may leave a backlog.
    redis_figures = round_trips(rig, BODY, "menu")
    baseline, floor, teller_max = speed.figures()
    half_rate = baseline["rps"] / 2
    step(f"half the baseline's rate: {half_rate:.0f} req/s for {HALF_RATE_S} s (open loop)")
    half_rows = rig.signed(BODY, int(half_rate * HALF_RATE_S))
    half_requests = traffic.raw(rig.teller.port, PATH, half_rows)
    half = openloop.run("127.0.0.1", rig.teller.port, half_requests, half_rate, rig.classify)
    return {
        "date": datetime.now().astimezone().date().isoformat(),
        "machine": report.machine(str(rig.redis.info("server")["redis_version"])),
        "settings": {
            "gunicorn": SETTINGS,
            "wrk": WRK_SETTINGS,
            "open_loop": f"{HALF_RATE_S} s, a connection per request, at most 64 open",
            "body": BODY,
            "customers": len(rig.senders),
            "machine_busy_before": busy_before,
        },
        "baseline": baseline,
        "floor": floor,
        "teller_max": teller_max,
        "cpu_ratio": report.cpu_ratio(baseline, speed.teller),
        "floor_cpu_ratio": report.cpu_ratio(floor, speed.teller),
        "teller_half_rate": report.open_loop_figures(half),
        "redis": redis_figures
        | {
            "all_answered_with_menu": redis_figures["all_answered"],
            "at_full_speed": speed.at_full_speed(),
        },
    }


def step(text: str) -> None:
    print(f"· {text}", file=sys.stderr, flush=True)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


Run = Callable[[Path, contextlib.ExitStack], dict[str, Any]]


def measure(run: Run) -> dict[str, Any] | None:
    """``run`` in a temporary directory, all it started stopped after; None if interrupted."""
    signal.signal(signal.SIGTERM, _terminate)
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="teller-bench-")))
        try:
            results = run(tmp, stack)
        except KeyboardInterrupt:
            print("interrupted: stopping what this run started", file=sys.stderr)
            return None
    results["run_seconds"] = round(time.monotonic() - started)
    return results


def save(results: Mapping[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def main() -> int:
    results = measure(run)
    if results is None:
        return 130
    results["goals"] = report.goals(
        results, GOAL_RATIO, GOAL_FLOOR_RATIO, GOAL_P99_MS, GOAL_ROUND_TRIPS
    )
    save(results, RESULTS)
    report.update_readme(README, results)
    print(report.table(results))
    print(f"\nwrote {RESULTS.relative_to(ROOT)} and {README.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
