"""Teller's own CPU per webhook message, measured in one process: steady on a busy machine.

``python -m bench.hotpath`` builds the apps as production would (``app.create_app`` with a
``REDIS_URL`` on a private ``redis-server``, the seeded demo bank in a temporary directory,
``MESSENGER=outbox``, the per-message INFO log going to a file), beside the stateful floor
(``bench.floor_app``) and the bare baseline (``bench.baseline_app``) on the same Redis. Each
request is a fresh Twilio-signed post (its own MessageSid, ``bench.traffic``), turned into a
WSGI environ before the clock starts and handed straight to the app: no HTTP server, no load
generator, so only the app's own work is counted. For each body (``menu``; ``balance`` with a
valid session for every sender, opened as ``bench.identity`` opens them) the apps take turns
for several rounds of N messages; each round's ``time.process_time()`` per message is kept and
the medians reported, with Teller's ratio to the floor and to the baseline (by CPU: the
throughput ratio one core allows). redis-server's CPU per message is read from ``/proc``.

Wall-clock throughput on a shared machine is noise; CPU time of one process is not, or much
less. gunicorn's own cost (accept, HTTP parse, write: about 200 µs a request on the bench
machine) is outside these figures for all three apps alike, so the ratios here are lower than
``make bench``'s.

``--profile`` also runs one round of Teller per body under cProfile and writes the top entries
by cumulative and by own time to ``bench/results/hotpath-profile.txt`` (and the raw stats
beside it). Results go to ``bench/results/hotpath.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import io
import json
import logging
import pstats
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder

from bench import baseline_app, floor_app, traffic
from bench.servers import cpu_seconds, environment, machine_busy, seed_bank
from bench.webhook import AUTH_TOKEN, PATH, PUBLIC_BASE_URL
from tests.redis_server import RedisServer

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "hotpath.json"
PROFILE = ROOT / "bench" / "results" / "hotpath-profile.txt"
MESSAGES = 2_000
ROUNDS = 5
WARMUP = 300
BODIES = ("menu", "balance")
PROFILE_LINES = 40

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# The reply each body must get from Teller (catalog keys, labelled as bench.identity does).
REPLY_KEYS = {"menu": "welcome", "balance": "balance", **traffic.REPLY_KEYS}
EXPECTED = {"menu": "menu", "balance": "balance"}


def environs(rows: Sequence[traffic.Row]) -> list[dict[str, Any]]:
    """A WSGI environ per signed post, built before any timing starts."""
    built = []
    for signature, body in rows:
        builder = EnvironBuilder(
            path=PATH,
            method="POST",
            base_url="http://127.0.0.1:8000",
            headers=[("X-Twilio-Signature", signature)],
            content_type="application/x-www-form-urlencoded",
            data=body.encode("ascii"),
        )
        built.append(builder.get_environ())
        builder.close()
    return built


def call(app: WsgiApp, environ: dict[str, Any]) -> tuple[int, bytes]:
    """One request through the WSGI interface, as a server would make it."""
    status: list[str] = []

    def start_response(code: str, headers: object, exc_info: object = None) -> None:
        status.append(code)

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return int(status[0].split(" ", 1)[0]), body


class Bench:
    """The private Redis, the seeded bank and the three apps, built in this process."""

    def __init__(self, tmp: Path, stack: contextlib.ExitStack) -> None:
        from redis import Redis

        from app import DEMO_SEED, Config, create_app
        from flows.responses import CATALOG

        server = RedisServer().start()
        stack.callback(server.stop)
        self.redis_pid = [server.process.pid] if server.process else []
        self.redis = Redis.from_url(server.url, decode_responses=True)
        stack.callback(self.redis.close)
        database = tmp / "bank.sqlite3"
        seed_bank(server.url, PUBLIC_BASE_URL, database)
        env = environment(
            {
                "TELLER_ENV": "development",
                "REDIS_URL": server.url,
                "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
                "BANK_DATABASE": str(database),
                "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                "MESSENGER": "outbox",
            }
        )
        # Production's per-message INFO lines, written to a file as gunicorn's would be.
        handler = logging.FileHandler(tmp / "teller.log", encoding="utf-8")
        stack.callback(handler.close)
        logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
        teller = create_app(Config.from_env(env))
        self.apps: dict[str, WsgiApp] = {
            "baseline": baseline_app.create_app(AUTH_TOKEN, PUBLIC_BASE_URL),
            "floor": floor_app.create_app(AUTH_TOKEN, PUBLIC_BASE_URL, server.url),
            "teller": teller,
        }
        self.senders = traffic.chat_customers(DEMO_SEED)
        markers = traffic.reply_markers(CATALOG, REPLY_KEYS)
        self.classify = traffic.classifier(markers | {"baseline": baseline_app.REPLY})

    def requests(self, body: str, count: int) -> list[dict[str, Any]]:
        url = PUBLIC_BASE_URL + PATH
        return environs(traffic.signed(AUTH_TOKEN, url, self.senders, body, count))

    def open_sessions(self) -> None:
        """A fresh valid session for every sender, as a login makes it, on the real clock."""
        from auth.stores.sessions import Sessions

        sessions = Sessions(self.redis)
        now = datetime.now(UTC)
        for msisdn in self.senders:
            sessions.create(msisdn, now)

    def round(
        self, name: str, body: str, count: int, profiler: cProfile.Profile | None = None
    ) -> dict[str, Any]:
        """``count`` fresh messages of ``body`` to app ``name``: CPU µs per message, replies."""
        if body == "balance":
            self.open_sessions()
        prepared = self.requests(body, count)
        app = self.apps[name]
        replies: Counter[str] = Counter()
        gc.collect()
        redis_0 = cpu_seconds(self.redis_pid)
        started = time.process_time()
        if profiler is not None:
            profiler.enable()
        for environ in prepared:
            status, reply = call(app, environ)
            replies[self.classify(status, reply)] += 1
        if profiler is not None:
            profiler.disable()
        cpu = time.process_time() - started
        redis_cpu = cpu_seconds(self.redis_pid) - redis_0
        return {
            "cpu_us": 1e6 * cpu / count,
            "redis_us": 1e6 * redis_cpu / count,
            "replies": dict(replies),
        }


def measure(bench: Bench, body: str, messages: int, rounds: int) -> dict[str, Any]:
    """Rounds of each app in turn (baseline, floor, Teller); medians and Teller's ratios."""
    for name in bench.apps:
        bench.round(name, body, WARMUP)
    taken: dict[str, list[dict[str, Any]]] = {name: [] for name in bench.apps}
    for _ in range(rounds):
        for name in bench.apps:
            taken[name].append(bench.round(name, body, messages))
    wanted = {"baseline": "baseline", "floor": "baseline", "teller": EXPECTED[body]}
    figures: dict[str, Any] = {}
    for name, found in taken.items():
        replies: Counter[str] = Counter()
        for r in found:
            replies.update(r["replies"])
        figures[name] = {
            "cpu_us": round(statistics.median(r["cpu_us"] for r in found), 1),
            "cpu_us_rounds": [round(r["cpu_us"], 1) for r in found],
            "redis_us": round(statistics.median(r["redis_us"] for r in found), 1),
            "replies": dict(replies),
            "all_expected": set(replies) == {wanted[name]},
        }
    teller = figures["teller"]["cpu_us"]
    figures["floor_ratio"] = round(figures["floor"]["cpu_us"] / teller, 3)
    figures["baseline_ratio"] = round(figures["baseline"]["cpu_us"] / teller, 3)
    return figures


def profile(bench: Bench, bodies: Sequence[str], messages: int) -> str:
    """One round of Teller per body under cProfile: the top entries, as text."""
    out = io.StringIO()
    for body in bodies:
        profiler = cProfile.Profile(time.process_time)  # CPU time, as the figures
        bench.round("teller", body, messages, profiler)
        stats = pstats.Stats(profiler, stream=out)
        stats.dump_stats(PROFILE.with_name(f"hotpath-{body}.pstats"))
        stats.strip_dirs()
        for order in ("cumulative", "tottime"):
            out.write(f"\n===== Teller `{body}`, {messages} messages, by {order} =====\n")
            stats.sort_stats(order).print_stats(PROFILE_LINES)
    return out.getvalue()


def table(results: Mapping[str, Any]) -> str:
    lines = [
        "| body | baseline µs | floor µs | Teller µs | Teller/floor (CPU) | Teller/baseline |"
        " redis-server µs (floor / Teller) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for body, f in results["bodies"].items():
        lines.append(
            f"| `{body}` | {f['baseline']['cpu_us']:.0f} | {f['floor']['cpu_us']:.0f} "
            f"| {f['teller']['cpu_us']:.0f} | {100 * f['floor_ratio']:.0f} % "
            f"| {100 * f['baseline_ratio']:.0f} % "
            f"| {f['floor']['redis_us']:.0f} / {f['teller']['redis_us']:.0f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hotpath", description=__doc__)
    parser.add_argument("--messages", type=int, default=MESSAGES, help="messages per round")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="rounds per app and body")
    parser.add_argument("--body", choices=BODIES, action="append", help="default: both")
    parser.add_argument("--profile", action="store_true", help=f"also write {PROFILE.name}")
    args = parser.parse_args(argv)
    bodies: list[str] = args.body or list(BODIES)
    busy = round(machine_busy(), 2)
    results: dict[str, Any] = {
        "date": datetime.now().astimezone().date().isoformat(),
        "messages_per_round": args.messages,
        "rounds": args.rounds,
        "machine_busy_before": busy,
        "bodies": {},
    }
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="teller-hotpath-")))
        bench = Bench(tmp, stack)
        for body in bodies:
            print(f"· {body}: {args.rounds} rounds of {args.messages}", file=sys.stderr)
            results["bodies"][body] = measure(bench, body, args.messages, args.rounds)
        if args.profile:
            PROFILE.parent.mkdir(parents=True, exist_ok=True)
            PROFILE.write_text(profile(bench, bodies, args.messages), encoding="utf-8")
            print(f"wrote {PROFILE.relative_to(ROOT)}", file=sys.stderr)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    unexpected = [
        f"{body} {name}: {f[name]['replies']}"
        for body, f in results["bodies"].items()
        for name in ("baseline", "floor", "teller")
        if not f[name]["all_expected"]
    ]
    for line in unexpected:
        print(f"unexpected replies: {line}", file=sys.stderr)
    print(f"(machine {100 * busy:.0f} % busy before the run; wrote {RESULTS.relative_to(ROOT)})")
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
