"""``python -m bench.load``: the whole load run (what ``make load`` does).

Settings from the environment: ``LOAD_SECONDS`` (the profile's length, 60), ``LOAD_RATE``
(messages/s; unset: find Teller's maximum first and run at half of it), ``LOAD_CUSTOMERS``
(150), ``LOAD_QUICK=1`` (a smoke test: 20 customers, short steps, no README update),
``LOAD_FAULTS=0`` (skip the Redis restart scenario).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import traffic
from bench.load import checks, customers, faults, figures, mix, stack
from bench.load.driver import Driver
from bench.load.figures import Result
from bench.load.outbox import Outbox
from bench.servers import machine_busy
from bench.webhook import step

ROOT = Path(__file__).resolve().parent.parent.parent
RESULTS = ROOT / "bench" / "results" / "load.json"
P99_HOLD_MS = 200.0  # above this the open loop is queueing: the rate is not held


@dataclass(frozen=True)
class Settings:
    seconds: float = 60.0
    rate: float | None = None
    customers: int = 150
    quick: bool = False
    faults: bool = True
    start_rate: float = 40.0
    step_s: float = 10.0
    warmup_s: float = 5.0

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        quick = env.get("LOAD_QUICK", "") not in ("", "0")
        rate = env.get("LOAD_RATE")
        return cls(
            seconds=float(env.get("LOAD_SECONDS") or (5 if quick else 60)),
            rate=float(rate) if rate else None,
            customers=int(env.get("LOAD_CUSTOMERS") or (20 if quick else 150)),
            quick=quick,
            faults=env.get("LOAD_FAULTS", "1") not in ("0", ""),
            start_rate=10.0 if quick else 40.0,
            step_s=3.0 if quick else 10.0,
            warmup_s=1.0 if quick else 5.0,
        )


class Session:
    """One stack, its customers, and every driver run made on it (for the final checks)."""

    def __init__(self, st: stack.Stack, people: list[customers.Customer]) -> None:
        from flows.responses import CATALOG

        self.stack = st
        self.redis = st.client()
        self.outbox = Outbox(self.redis)
        classify = traffic.classifier(traffic.reply_markers(CATALOG, mix.REPLY_KEYS))
        self.driver = Driver(st, people, self.outbox, classify)
        self.results: list[Result] = []
        self.schedule = mix.schedule(1000)

    def drive(self, rate: float, seconds: float, **kw: Any) -> dict[str, Any]:
        result = self.driver.run(rate, seconds, self.schedule, **kw)
        self.results.append(result)
        return figures.summary(result)

    def logs(self) -> list[Path]:
        """gunicorn's and the RQ workers' logs."""
        return sorted(self.stack.tmp.glob("*.log"))

    def check(self, balance_before: int) -> dict[str, Any]:
        drained = checks.drain(self.stack.redis.url, self.outbox)
        sids, done = figures.merged(self.results)
        found: dict[str, Any] = {
            "drain_s": round(drained, 1),
            "messages": checks.messages(sids, checks.processed_counts(self.logs()), self.redis),
            "movements": checks.movements(self.stack.database, done, self.outbox, self.redis),
            "balance_before": balance_before,
            "balance_after": checks.total_balance(self.stack.database),
            "locks_left": checks.locks_left(self.redis),
            "tracebacks": checks.tracebacks(self.logs()),
        }
        found["violations"] = checks.violations(found)
        return found


def find_maximum(session: Session, settings: Settings) -> dict[str, Any]:
    """Step the rate up by half each time until it is not held, then try once between."""
    steps: list[dict[str, Any]] = []
    rate, best, failed = settings.start_rate, 0.0, 0.0
    while rate < 5000:
        step(f"maximum: {rate:.0f} messages/s for {settings.step_s:.0f} s")
        got = session.drive(rate, settings.step_s)
        ok = figures.held(got, P99_HOLD_MS)
        steps.append({**got, "held": ok})
        time.sleep(1.0)
        if not ok:
            failed = rate
            break
        best, rate = rate, rate * 1.5
    while not best and rate > settings.start_rate / 8:  # not even the first step: go down
        rate /= 2
        step(f"maximum: {rate:.0f} messages/s for {settings.step_s:.0f} s")
        got = session.drive(rate, settings.step_s)
        ok = figures.held(got, P99_HOLD_MS)
        steps.append({**got, "held": ok})
        time.sleep(1.0)
        if ok:
            best = rate
    if best and failed and best * 1.5 == failed:
        middle = round((best + failed) / 2)
        step(f"maximum: {middle} messages/s for {settings.step_s:.0f} s")
        got = session.drive(middle, settings.step_s)
        ok = figures.held(got, P99_HOLD_MS)
        steps.append({**got, "held": ok})
        best = middle if ok else best
        time.sleep(1.0)
    return {"maximum": best, "steps": steps, "rule": f"p99 < {P99_HOLD_MS:.0f} ms, no error"}


def keep_logs(logs: list[Path]) -> None:
    """The servers' logs outlive the temporary directory, beside the results (git-ignored)."""
    target = RESULTS.parent / "load-logs"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for log in logs:
        shutil.copy(log, target / log.name)


def run(tmp: Path, settings: Settings) -> dict[str, Any]:
    busy_before = round(machine_busy(), 2)
    started = time.monotonic()
    with stack.running(tmp, settings.customers) as st:
        seed = json.loads((tmp / "load-seed.json").read_text(encoding="utf-8"))
        people = customers.customers(seed)
        step(f"registering {len(people)} customers through the secure pages")
        t0 = time.monotonic()
        customers.register_all(st, people)
        registered_s = time.monotonic() - t0
        session = Session(st, people)
        balance_before = checks.total_balance(st.database)
        step(f"warm-up: {settings.warmup_s:.0f} s at {settings.start_rate:.0f} messages/s")
        session.drive(settings.start_rate, settings.warmup_s)
        search = None
        rate = settings.rate
        if rate is None:
            search = find_maximum(session, settings)
            rate = search["maximum"] / 2 or settings.start_rate / 16
        step(f"the mix at {rate:.0f} messages/s for {settings.seconds:.0f} s")
        profile = session.drive(rate, settings.seconds)
        step("waiting for the workers, then checking the invariants")
        invariants = session.check(balance_before)
        fault = None
        if settings.faults:
            fault = faults.redis_restart(session, rate, settings, balance_before)
        redis_version = str(session.redis.info("server")["redis_version"])
        session.redis.close()
        keep_logs(session.logs())
    return {
        "settings": {
            "seconds": settings.seconds,
            "customers": settings.customers,
            "quick": settings.quick,
            "think_s": 0.25,
            "rq_workers": stack.RQ_WORKERS,
            "mix": {s.name: s.weight for s in mix.SCRIPTS},
            "mean_messages": round(mix.mean_messages(), 2),
            **stack.SETTINGS,
        },
        "machine_busy_before": busy_before,
        "machine_busy_after": round(machine_busy(), 2),
        "registration_s": round(registered_s, 1),
        "redis_version": redis_version,
        "search": search,
        "rate": rate,
        "profile": profile,
        "invariants": invariants,
        "fault": fault,
        "run_s": round(time.monotonic() - started),
    }


def main() -> int:
    from bench.load import report
    from bench.webhook import measure

    settings = Settings.from_env()
    results = measure(lambda tmp, _: run(tmp, settings))
    if results is None:
        return 130
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(report.markdown(results))
    if not settings.quick:
        report.update_readme(results)
        print(f"\nwrote {RESULTS.relative_to(ROOT)} and bench/README.md")
    broken = results["invariants"]["violations"] + (
        results["fault"]["violations"] if results["fault"] else []
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
