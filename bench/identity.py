"""Benchmark of the identity path: a secured intent with a valid session, the token API, PINs.

``python -m bench.identity`` (the second half of ``make bench``) starts the same private
``redis-server``, seeded demo bank and gunicorn apps as ``bench.webhook`` (its ``start``), opens
a valid session for every demo customer with chat banking straight in that Redis, and measures,
in one run:

1. the baseline's and Teller's maximum throughput with wrk, Teller answering ``balance`` through
   the token check, in alternating rounds (``bench.webhook.full_speed``); only replies that are
   really balances count as Teller's throughput: a login or registration link means the session
   was not valid, and is counted as an error;
2. Redis round trips per ``balance`` message, with MONITOR (``bench.webhook.round_trips``);
3. the token-check API (``POST /auth/v1/token/check``, bearer key, JSON) on Teller's 2 workers
   with wrk: checks/s, p50/p99, and that every reply is a 200 saying ``valid``;
4. the PIN hash cost: the median time of ``SecretHasher.hash`` and ``.verify`` (argon2id,
   46 MiB) in this process, before any server starts.

Sessions are created with the real clock, as the app checks them with it: they idle-expire
after 5 minutes, every valid check slides them, and they are opened again before each phase,
so none can lapse in a run of about a minute. Results go to ``bench/results/identity.json``
(git-ignored) and into the identity section of ``bench/README.md``.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import report, traffic, webhook
from bench.servers import SETTINGS, machine_busy
from bench.webhook import ROUND_S, ROUNDS, WARMUP_S, WRK_SETTINGS, Rig, costed, step, wrk

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "identity.json"
README = ROOT / "bench" / "README.md"
SECTION = ("<!-- identity:start -->", "<!-- identity:end -->")

BODY = "balance"
API_PATH = "/auth/v1/token/check"
API_KEY = "bench-auth-api-key-0123456789abcdef01234567"  # a fixed test value
PEPPER = "bench-pin-pepper-0123456789abcdef0123456789"
PIN = "495817"
PIN_RUNS = 20

# Teller's replies, labelled; only "balance" counts as throughput.
REPLY_KEYS = {
    "balance": "balance",
    **traffic.REPLY_KEYS,
    "login_link": "auth.login_link",
    "expired_link": "auth.expired_link",
    "register_link": "auth.register_link",
    "blocked": "auth.blocked",
    "too_many_links": "auth.too_many_links",
}
API_MARKERS = {status: f'"{status}"' for status in ("valid", "expired", "missing", "blocked")}

# The goals.
GOAL_RATIO = 0.50
GOAL_FLOOR_RATIO = 0.85
GOAL_ROUND_TRIPS = 6.0
GOAL_CHECKS_PER_S = 3_000.0


def open_sessions(rig: Rig) -> None:
    """A fresh valid session for every sender, created as a login would, with the real clock."""
    from auth.stores.sessions import Sessions

    sessions = Sessions(rig.redis)
    now = datetime.now(UTC)
    for msisdn in rig.senders:
        sessions.create(msisdn, now)


def pin_hash_cost(runs: int = PIN_RUNS) -> dict[str, Any]:
    """Median (and range of) ms for ``SecretHasher.hash`` and a matching ``.verify``."""
    from auth.pins import ARGON2_MEMORY_KIB, ARGON2_PARALLELISM, ARGON2_TIME_COST, SecretHasher

    hasher = SecretHasher(PEPPER)
    hashed: list[float] = []
    verified: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        stored = hasher.hash("pin", PIN)
        hashed.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        if not hasher.verify(stored, "pin", PIN):
            raise RuntimeError("SecretHasher.verify refused the PIN it had just hashed")
        verified.append(1000 * (time.perf_counter() - started))

    def summary(times: Sequence[float]) -> dict[str, float]:
        return {
            "median_ms": round(statistics.median(times), 1),
            "min_ms": round(min(times), 1),
            "max_ms": round(max(times), 1),
        }

    return {
        "runs": runs,
        "argon2id": f"{ARGON2_MEMORY_KIB // 1024} MiB, time cost {ARGON2_TIME_COST}, "
        f"parallelism {ARGON2_PARALLELISM}",
        "hash": summary(hashed),
        "verify": summary(verified),
    }


def only_balances(rounds: Sequence[dict[str, Any]]) -> None:
    """Count only balance replies as Teller's throughput (``rps_all`` keeps wrk's own rate)."""
    for r in rounds:
        r["rps_all"] = r["rps"]
        r["rps"] = r["rps"] * r["responses"].get("balance", 0) / r["requests"]


def token_api(rig: Rig) -> dict[str, Any]:
    """The token-check API at full speed on Teller's workers: a warm-up, then ROUNDS rounds."""
    rows = [json.dumps({"channel": "whatsapp", "user": user}) for user in rig.senders]
    requests = rig.tmp / "token-checks.txt"  # repeats are fine: a check has no replay cache
    requests.write_text("".join(f"{row}\n" for row in rows * 200), encoding="ascii")
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {API_KEY}"}
    step(f"token API: {WARMUP_S} s warm-up, then {ROUNDS} rounds of {ROUND_S} s (wrk)")
    wrk(rig.teller, requests, WARMUP_S, API_MARKERS, path=API_PATH, headers=headers)
    rounds = [
        costed(rig.teller, requests, API_MARKERS, rig.redis_pid, path=API_PATH, headers=headers)
        for _ in range(ROUNDS)
    ]
    return report.wrk_figures(rounds)


def run(tmp: Path, stack: contextlib.ExitStack) -> dict[str, Any]:
    """Every measurement, in order; the processes it starts are stopped by ``stack``."""
    busy_before = round(machine_busy(), 2)  # anything else running skews every figure
    step(f"PIN hash cost: {PIN_RUNS} hashes and verifies")
    pins = pin_hash_cost()
    rig = webhook.start(tmp, stack, REPLY_KEYS, {"AUTH_API_KEY": API_KEY})
    open_sessions(rig)
    speed = webhook.full_speed(rig, BODY)
    only_balances(speed.teller)
    open_sessions(rig)  # before MONITOR: its own commands would count as round trips
    redis_figures = webhook.round_trips(rig, BODY, "balance")
    open_sessions(rig)
    checks = token_api(rig)
    busy_after = round(machine_busy(), 2)
    baseline, floor, teller_max = speed.figures()
    return {
        "date": datetime.now().astimezone().date().isoformat(),
        "machine": report.machine(str(rig.redis.info("server")["redis_version"])),
        "settings": {
            "gunicorn": SETTINGS,
            "wrk": WRK_SETTINGS,
            "body": BODY,
            "customers": len(rig.senders),
            "machine_busy_before": busy_before,
            "machine_busy_after": busy_after,
        },
        "pin_hash": pins,
        "baseline": baseline,
        "floor": floor,
        "teller_max": teller_max,
        "cpu_ratio": report.cpu_ratio(baseline, speed.teller),
        "floor_cpu_ratio": report.cpu_ratio(floor, speed.teller),
        "redis": redis_figures | {"at_full_speed": speed.at_full_speed()},
        "token_api": checks,
    }


def goals(results: Mapping[str, Any]) -> dict[str, Any]:
    """The issue's three goals, each with what was measured and whether it is met."""
    full, trips = results["teller_max"], results["redis"]["round_trips_per_message"]
    checks = results["token_api"]
    valid = checks["responses"].get("valid", 0) == checks["requests"] and not checks["errors"]
    return {
        "throughput": {
            "goal": f"`balance` at ≥ {GOAL_RATIO:.0%} of the baseline's throughput",
            "measured": f"{full['ratio']:.0%} ({full['rps']:.0f} of "
            f"{results['baseline']['rps']:.0f} req/s; by CPU {results['cpu_ratio']:.0%})",
            "met": full["ratio"] >= GOAL_RATIO,
        },
        "floor": report.floor_goal(results, "`balance`", GOAL_FLOOR_RATIO),
        "redis": {
            "goal": f"≤ {GOAL_ROUND_TRIPS:.0f} Redis round trips per message",
            "measured": f"{trips:.2f}",
            "met": results["redis"]["all_answered"] and trips <= GOAL_ROUND_TRIPS,
        },
        "token_api": {
            "goal": f"token check ≥ {GOAL_CHECKS_PER_S:,.0f} checks/s on 2 workers",
            "measured": f"{checks['rps']:,.0f} checks/s"
            + ("" if valid else ", not every reply a 200 `valid`"),
            "met": valid and checks["rps"] >= GOAL_CHECKS_PER_S,
        },
    }


def warnings(results: Mapping[str, Any]) -> list[str]:
    """Anything that makes this run's figures doubtful."""
    found = []
    settings = results["settings"]
    for when in ("before", "after"):
        busy = settings[f"machine_busy_{when}"]
        if busy > 0.15:
            found.append(f"something else kept the machine {busy:.0%} busy {when} the run: rerun")
    expected = {
        "baseline": "baseline",
        "floor": "baseline",
        "teller_max": "balance",
        "token_api": "valid",
    }
    for name, label in expected.items():
        figures = results[name]
        odd = {k: v for k, v in figures["responses"].items() if k != label}
        if odd or figures["errors"]:
            errors = figures["errors"]
            found.append(f"{name}: replies other than {label} {odd or ''} errors {errors}")
    if results["teller_max"]["repeated_requests"]:
        found.append("teller_max: wrk ran out of fresh requests and repeated some MessageSids")
    redis = results["redis"]
    if not redis["all_answered"]:
        found.append(f"round trips: not every message got a balance: {redis['responses']}")
    return found


def markdown(results: Mapping[str, Any]) -> str:
    """The README's identity section."""
    base, full, api = results["baseline"], results["teller_max"], results["token_api"]
    redis, pins, floor = results["redis"], results["pin_hash"], results["floor"]
    settings = results["settings"]

    def row(name: str, figures: Mapping[str, Any], note: str) -> str:
        lat = figures["latency_ms"]
        return f"| {name} | {figures['rps']:.0f} | {lat['p50']:.2f} | {lat['p99']:.2f} | {note} |"

    not_balance = sum(v for k, v in full["responses"].items() if k != "balance")
    lines = [
        f"{report.measured_on(results)} {settings['customers']} demo customers, each with a "
        f"valid session. wrk: {settings['wrk']}. The machine was "
        f"{settings['machine_busy_before']:.0%} busy before the run and "
        f"{settings['machine_busy_after']:.0%} after it. A full run took "
        f"{results['run_seconds']} s.",
        "",
        "| run | req/s | p50 ms | p99 ms | notes |",
        "|---|---:|---:|---:|---|",
        row("baseline, full speed (wrk)", base, f"rounds: {report.rounds_text(base)} req/s"),
        row("stateful floor, full speed (wrk)", floor,
            f"rounds: {report.rounds_text(floor)} req/s; {floor['ratio']:.0%} of the baseline"),
        row("Teller `balance`, valid session, full speed (wrk)", full,
            f"rounds: {report.rounds_text(full)} balances/s; **{full['ratio']:.0%}** of the "
            f"baseline, **{full['floor_ratio']:.0%}** of the floor (medians of the rounds' "
            f"ratios); {not_balance} replies that were not a balance"),
        row("token-check API, full speed (wrk)", api,
            f"rounds: {report.rounds_text(api)} checks/s; "
            f"{api['responses'].get('valid', 0)} of {api['requests']} replies 200 `valid`"),
        "",
        report.redis_text(redis, BODY) + " "
        f"At full speed Teller sent {redis['at_full_speed']['evalsha_per_request']:.3f} "
        "`EVALSHA` per message.",
        "",
        f"CPU per request at full speed (medians): baseline {report.cpu_text(base)}; "
        f"floor {report.cpu_text(floor)}; Teller `balance` {report.cpu_text(full)} (a CPU "
        f"ratio of {results['cpu_ratio']:.0%} to the baseline, "
        f"{results['floor_cpu_ratio']:.0%} to the floor); "
        f"a token check {report.cpu_text(api)}.",
        "",
        f"PIN hash cost (argon2id, {pins['argon2id']}; {pins['runs']} runs in one process, "
        f"no other load): `SecretHasher.hash` **{pins['hash']['median_ms']:.1f} ms** median "
        f"({pins['hash']['min_ms']:.1f}–{pins['hash']['max_ms']:.1f}), `.verify` "
        f"**{pins['verify']['median_ms']:.1f} ms** median "
        f"({pins['verify']['min_ms']:.1f}–{pins['verify']['max_ms']:.1f}).",
        "",
        *report.goals_lines(results["goals"], warnings(results)),
    ]  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    results = webhook.measure(run)
    if results is None:
        return 130
    results["goals"] = goals(results)
    webhook.save(results, RESULTS)
    report.update_readme(README, results, markdown, SECTION)
    print(markdown(results))
    print(f"\nwrote {RESULTS.relative_to(ROOT)} and {README.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
