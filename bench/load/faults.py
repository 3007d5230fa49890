"""The fault scenario: Redis restarted during load.

The mix runs at the profile's rate; ``DOWN_AT_S`` into it the private redis-server is stopped
(SIGTERM: it writes its append-only file and exits) and ``DOWN_S`` later started again on the
same port, from another thread, so the generator keeps its clock. Nothing else is restarted.
What must hold: while Redis is down a customer is told clearly to try again (``error.try_again``,
never a 500, never "something went wrong"); Teller recovers by itself (every customer's next
message after the run gets a normal reply, the RQ workers still run); no movement is lost or
doubled and no per-customer lock is left (the run's invariants, checked again over everything).
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from bench.load import customers, figures
from bench.webhook import step

if TYPE_CHECKING:
    from bench.load.figures import Problem
    from bench.load.run import Session, Settings

TRY_AGAIN = "try_again"
SETTLE_S = 2.0  # after Redis is back, replies already under way may still say "try again"


def redis_restart(session: Session, rate: float, settings: Settings,
                  balance_before: int) -> dict[str, Any]:  # fmt: skip
    seconds, down_at, down_s = (10.0, 3.0, 2.0) if settings.quick else (30.0, 10.0, 5.0)
    redis = session.stack.redis
    marks: dict[str, float] = {}

    def stop() -> None:
        marks["down"] = time.monotonic()
        redis.stop()
        marks["stopped"] = time.monotonic()

    def start() -> None:
        redis.start()
        marks["up"] = time.monotonic()

    step(f"fault: the mix at {rate:.0f}/s for {seconds:.0f} s, Redis stopped at {down_at:.0f} s"
         f" for {down_s:.0f} s")  # fmt: skip
    timers = [threading.Timer(down_at, stop), threading.Timer(down_at + down_s, start)]
    begun = time.monotonic()
    for timer in timers:
        timer.start()
    got = session.drive(rate, seconds)
    for timer in timers:
        timer.join()
    result = session.results[-1]
    start0 = session.driver.start
    down = marks["down"] - start0
    up = marks["up"] - start0
    told: list[Problem] = []
    other: list[Problem] = []
    for problem in result.problems:
        in_window = down - 0.5 <= problem.at_s <= up + SETTLE_S
        (told if problem.label == TRY_AGAIN and in_window else other).append(problem)
    last_try_again = max((p.at_s for p in told), default=up)
    step("fault: every customer's next message, then the invariants")
    probe = _probe(session)
    workers_alive = sum(p.poll() is None for p in session.stack.workers)
    invariants = session.check(balance_before)
    violations = list(invariants["violations"])
    if other:
        violations.append(f"{len(other)} replies other than a clear 'try again'")
    if probe["not_normal"]:
        violations.append(f"{probe['not_normal']} customers without a normal reply afterwards")
    if workers_alive < len(session.stack.workers):
        violations.append("an RQ worker died with Redis")
    return {
        "seconds": seconds,
        "down_at_s": round(down, 2),
        "down_for_s": round(up - down, 2),
        "figures": got,
        "try_again_replies": len(told),
        "other_problems": dict(figures.summary(result)["problems"]) if other else {},
        "other_count": len(other),
        "last_try_again_after_up_s": round(max(0.0, last_try_again - up), 2),
        "probe": probe,
        "workers_alive": workers_alive,
        "invariants": invariants,
        "violations": violations,
        "wall_s": round(time.monotonic() - begun, 1),
    }


def _probe(session: Session) -> dict[str, Any]:
    """``cancel`` then ``menu`` from every customer: each must get the menu, not busy."""
    labels: dict[str, int] = {}
    not_normal = 0
    classify = session.driver.classify
    for customer in session.driver.free:
        customers.whatsapp(session.stack, customer.msisdn, "cancel")
        reply = customers.whatsapp(session.stack, customer.msisdn, "menu")
        label = classify(200, reply.encode())
        labels[label] = labels.get(label, 0) + 1
        not_normal += label != "menu"
    return {"customers": sum(labels.values()), "labels": labels, "not_normal": not_normal}
