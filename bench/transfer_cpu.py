"""Teller's CPU per transfer conversation, in-process: exact enough to compare two trees on a
busy machine, where the gunicorn benchmark's rates are noise.

``python -m bench.transfer_cpu`` (a minute or so, not part of ``make bench``) starts a private
``redis-server``, writes ``bench.transfer``'s seed (``CUSTOMERS`` customers, each with a savings
and a current account and a saved payee at another bank) and builds Teller in this process on
them (the dev outbox, the real clock, a valid session for every customer). Then, through the
WSGI app (Flask's test client posting signed WhatsApp messages), in ``ROUNDS`` rounds taken in
turn, each customer used by one conversation at most:

- ``balance``: one message;
- the guided transfer (``bench.conversations.TRANSFER``): ``transfer``, the payee, ``1.00``,
  ``yes``, the SMS code read back from the outbox;
- the one-line transfer: ``send 1.00 to chidi``, ``yes``, the code.

For each it measures the CPU time of this process inside the app's WSGI call
(``time.process_time``: Teller's own Python and redis-py, not the test client's request
building), the CPU the ``redis-server`` process used meanwhile, and the Redis round trips as the
server saw them (``INFO``'s read events; a pipeline arrives in one). Figures are per script,
medians of the rounds, and each message's CPU inside the call (by what was typed); the ratio of a
conversation's CPU to a ``balance``'s is what it costs in ``balance`` messages, measured the
same way. Every reply is checked: a conversation that does
not end in ``Done`` stops the run.

The figures go to ``bench/results/transfer_cpu.json`` (git-ignored); ``--json`` prints them as
JSON instead of the table. ``--profile`` measures nothing: it plays ``PROFILED`` scripts of each
kind (after the same warm-up) under ``cProfile``, one profile per message of each script, and
prints each message's functions with the most own time (``--profile=N`` for N of them), to see
where a message's CPU goes beyond a ``balance``'s.
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import json
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis import Redis

from app import Config, build_services, create_app
from bench.conversations import BALANCE, CODE, TRANSFER, latest_code
from bench.servers import cpu_seconds
from bench.transfer import bench_seed, open_sessions
from tests.helpers import WhatsApp
from tests.redis_server import RedisServer

CUSTOMERS = 2_000
ROUNDS = 15
PER_ROUND = 30  # scripts of each kind a round
WARMUP = 5  # scripts of each kind first, not counted (scripts loaded, caches filled)
PROFILED = 200  # scripts of each kind under --profile
PROFILE_TOP = 25  # functions shown per message under --profile
BASE_URL = "https://teller.test"
ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results" / "transfer_cpu.json"
ONE_LINE = (("send 1.00 to chidi", "summary"), ("yes", "code_sent"), (CODE, "done"))

# What each step's reply must start with or contain (the English catalog texts).
EXPECTED: dict[str, Callable[[str], bool]] = {
    "balance": lambda text: "balance" in text.lower(),
    "choose_payee": lambda text: "Chidi Okeke" in text,
    "ask_amount": lambda text: "how much" in text.lower(),
    "summary": lambda text: text.startswith("Send *"),
    "code_sent": lambda text: "we sent a code by SMS" in text,
    "done": lambda text: text.startswith("Done"),
}
SCRIPTS: dict[str, Sequence[tuple[str, str]]] = {
    "balance": BALANCE,
    "guided transfer": TRANSFER,
    "one-line transfer": ONE_LINE,
}


@dataclass
class InWsgi:
    """CPU time this process spends inside the app's WSGI call."""

    app: Callable[..., Any]
    cpu_s: float = 0.0
    last_s: float = 0.0  # the last call's
    profile: cProfile.Profile | None = None  # set by --profile around the calls it wants

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        started = time.process_time()
        profile = self.profile
        if profile is not None:
            profile.enable()
        try:
            return list(self.app(environ, start_response))
        finally:
            if profile is not None:
                profile.disable()
            self.last_s = time.process_time() - started
            self.cpu_s += self.last_s


class UnexpectedReply(RuntimeError):
    pass


def play(
    whatsapp: WhatsApp,
    redis: Redis,
    msisdn: str,
    script: Sequence[tuple[str, str]],
    profiles: Sequence[cProfile.Profile] | None = None,
    wsgi: InWsgi | None = None,
    steps: list[float] | None = None,
) -> int:
    """One customer through ``script``; returns this client's own Redis reads (the outbox).
    With ``wsgi``: ``profiles`` (one per step) runs each step's WSGI call under its own, and
    each step's CPU inside the call is added to ``steps`` (one total per step)."""
    own = 0
    for step, (text, expected) in enumerate(script):
        if text == CODE:
            code = latest_code(redis, msisdn)
            own += 1
            if code is None:
                raise UnexpectedReply(f"{msisdn}: no code in the outbox")
            text = code
        if profiles is not None and wsgi is not None:
            wsgi.profile = profiles[step]
        try:
            reply = whatsapp.send(msisdn, text).text
        finally:
            if wsgi is not None:
                wsgi.profile = None
        if steps is not None and wsgi is not None:
            steps[step] += wsgi.last_s
        if not EXPECTED[expected](reply):
            raise UnexpectedReply(f"{msisdn} {text!r}: expected {expected}, got {reply!r}")
    return own


def _reads(redis: Redis) -> int:
    return int(redis.info("stats")["total_reads_processed"])


def one_kind(
    whatsapp: WhatsApp,
    wsgi: InWsgi,
    redis: Redis,
    redis_pid: int,
    customers: Iterator[str],
    script: Sequence[tuple[str, str]],
    count: int,
) -> dict[str, float]:
    """``count`` scripts one after another: per script, Teller's CPU (µs), the redis-server's
    CPU (µs) and the round trips the server saw."""
    own = 0
    steps = [0.0] * len(script)
    reads = _reads(redis)
    server_cpu, teller_cpu, total_cpu = cpu_seconds([redis_pid]), wsgi.cpu_s, time.process_time()
    for _ in range(count):
        own += play(whatsapp, redis, next(customers), script, wsgi=wsgi, steps=steps)
    total_cpu = time.process_time() - total_cpu
    teller_cpu = wsgi.cpu_s - teller_cpu
    server_cpu = cpu_seconds([redis_pid]) - server_cpu
    trips = _reads(redis) - reads - 1 - own  # - 1: the second INFO itself
    return {
        "teller_us": 1e6 * teller_cpu / count,
        "process_us": 1e6 * total_cpu / count,
        "redis_server_us": 1e6 * server_cpu / count,
        "round_trips": trips / count,
        **{f"step{n}_us": 1e6 * cpu / count for n, cpu in enumerate(steps)},
    }


def medians(rounds: Iterable[dict[str, float]]) -> dict[str, float]:
    """The rounds' median of each figure, and the least CPU of any round (``…_least``: on a
    shared machine others' work only ever adds to it, so the least is the steadiest)."""
    listed = list(rounds)
    found = {key: statistics.median(r[key] for r in listed) for key in listed[0]}
    found["teller_us_least"] = min(r["teller_us"] for r in listed)
    # The server's CPU comes in clock ticks (10 ms): over the whole run, not a round's median.
    found["redis_server_us"] = statistics.fmean(r["redis_server_us"] for r in listed)
    return found


@dataclass
class Rig:
    """Teller built in this process on a private redis-server, and what drives it."""

    whatsapp: WhatsApp
    wsgi: InWsgi
    redis: Redis
    redis_pid: int
    people: Iterator[str]


@contextlib.contextmanager
def rig(customers: int) -> Iterator[Rig]:
    """The seed written, Teller built on it, every customer's session open; torn down after."""
    server = RedisServer().start()
    assert server.process is not None
    redis = Redis.from_url(server.url, decode_responses=True)
    with tempfile.TemporaryDirectory(prefix="teller-bench-cpu-") as tmp:
        seed = Path(tmp) / "seed.json"
        seed.write_text(json.dumps(bench_seed(customers)), encoding="utf-8")
        config = Config(
            redis_url=server.url,
            public_base_url=BASE_URL,
            bank_database=str(Path(tmp) / "bank.sqlite3"),
            bank_seed=str(seed),
            messenger="outbox",
        )
        services = build_services(config)
        try:
            msisdns = [c["msisdn"] for c in json.loads(seed.read_text())["customers"]]
            open_sessions(services.redis, msisdns)
            app = create_app(services=services)
            app.config.update(TESTING=True)
            wsgi = InWsgi(app.wsgi_app)
            app.wsgi_app = wsgi  # type: ignore[method-assign]
            whatsapp = WhatsApp(app.test_client(), config.twilio_auth_token, BASE_URL)
            yield Rig(whatsapp, wsgi, redis, server.process.pid, iter(msisdns))
        finally:
            services.close()
            redis.close()
            server.stop()


def warm_up(rigged: Rig) -> None:
    for script in SCRIPTS.values():
        for _ in range(WARMUP):
            play(rigged.whatsapp, rigged.redis, next(rigged.people), script)


def measure(
    customers: int = CUSTOMERS, rounds: int = ROUNDS, per_round: int = PER_ROUND
) -> dict[str, Any]:
    """Every script's figures (medians of the rounds), and each one's cost in balances."""
    needed = len(SCRIPTS) * (WARMUP + rounds * per_round)
    if needed > customers:
        raise ValueError(f"{needed} scripts need as many customers; the seed has {customers}")
    with rig(customers) as rigged:
        warm_up(rigged)
        figures: dict[str, list[dict[str, float]]] = {name: [] for name in SCRIPTS}
        for _ in range(rounds):  # kinds in turn, so drift on a shared host hits all alike
            for name, script in SCRIPTS.items():
                figures[name].append(
                    one_kind(
                        rigged.whatsapp,
                        rigged.wsgi,
                        rigged.redis,
                        rigged.redis_pid,
                        rigged.people,
                        script,
                        per_round,
                    )
                )
    result: dict[str, Any] = {"rounds": rounds, "per_round": per_round}
    balance = medians(figures["balance"])
    for name in SCRIPTS:
        row: dict[str, Any] = dict(medians(figures[name]))
        row["messages"] = len(SCRIPTS[name])
        row["balances_by_teller_cpu"] = row["teller_us"] / balance["teller_us"]
        row["balances_by_teller_cpu_least"] = row["teller_us_least"] / balance["teller_us_least"]
        row["balances_by_cpu"] = (row["teller_us"] + row["redis_server_us"]) / (
            balance["teller_us"] + balance["redis_server_us"]
        )
        row["rounds_teller_us"] = [round(r["teller_us"]) for r in figures[name]]
        # Each message's Teller CPU (µs, the rounds' median), by what the customer typed.
        row["per_message_us"] = {
            text: row.pop(f"step{n}_us") for n, (text, _) in enumerate(SCRIPTS[name])
        }
        result[name] = row
    return result


def profile(top: int = PROFILE_TOP, count: int = PROFILED, customers: int = CUSTOMERS) -> str:
    """Each message of each script under its own ``cProfile`` (``count`` scripts of each kind):
    the time per message and the ``top`` functions by own time, per call of the message."""
    if len(SCRIPTS) * (WARMUP + count) > customers:
        raise ValueError(f"{count} scripts of each kind need more customers than {customers}")
    out = io.StringIO()
    with rig(customers) as rigged:
        warm_up(rigged)
        for name, script in SCRIPTS.items():
            profiles = [cProfile.Profile(time.process_time) for _ in script]  # CPU, not waits
            for _ in range(count):
                play(
                    rigged.whatsapp,
                    rigged.redis,
                    next(rigged.people),
                    script,
                    profiles,
                    rigged.wsgi,
                )
            for (text, _expected), prof in zip(script, profiles, strict=True):
                stats = pstats.Stats(prof, stream=out)
                total_us = 1e6 * stats.total_tt / count  # type: ignore[attr-defined]
                out.write(f"\n## {name}: {text!r}, {total_us:,.0f} µs a message (profiled)\n")
                stats.sort_stats("tottime").print_stats(top)
                # Teller's own functions by cumulative time: which step of the flow costs what.
                stats.sort_stats("cumulative").print_stats(str(ROOT), top)
    return out.getvalue()


def table(result: dict[str, Any]) -> str:
    lines = [
        "| script | messages | Teller CPU µs, median / least of the rounds "
        "| redis-server CPU µs | round trips (server) "
        "| in `balance` messages: Teller CPU, median / least; with Redis's |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in SCRIPTS:
        row = result[name]
        lines.append(
            f"| {name} | {row['messages']} | {row['teller_us']:,.0f} / "
            f"{row['teller_us_least']:,.0f} | {row['redis_server_us']:,.0f} "
            f"| {row['round_trips']:.1f} | {row['balances_by_teller_cpu']:.2f} / "
            f"{row['balances_by_teller_cpu_least']:.2f}; {row['balances_by_cpu']:.2f} |"
        )
    lines += ["", "| script | message | Teller CPU µs (median of the rounds) |", "|---|---|---:|"]
    for name in SCRIPTS:
        for text, cpu in result[name]["per_message_us"].items():
            lines.append(f"| {name} | `{text}` | {cpu:,.0f} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    for arg in argv:
        if arg == "--profile" or arg.startswith("--profile="):
            top = int(arg.partition("=")[2] or PROFILE_TOP)
            print(profile(top))
            return 0
    result = measure()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2) if "--json" in argv else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
