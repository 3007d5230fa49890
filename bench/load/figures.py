"""A load run's results as the driver records them, and its figures: rates and percentiles
per message type."""

from __future__ import annotations

import collections
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.load.mix import MONEY_TYPES


@dataclass
class Problem:
    at_s: float  # since the run's start
    script: str
    kind: str
    label: str


@dataclass
class Result:
    rate: float  # messages/s aimed at
    seconds: float
    conversations: int = 0
    completed: int = 0
    shortfall: int = 0  # conversations due with no customer free
    latencies: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    send_lag_s: list[float] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    samples: dict[str, str] = field(default_factory=dict)  # problem → the first reply's text
    transport_errors: Counter[str] = field(default_factory=Counter)
    sids: dict[str, tuple[str, str]] = field(default_factory=dict)  # MessageSid → (msisdn, label)
    done_references: list[str] = field(default_factory=list)
    replays: int = 0
    replay_mismatches: int = 0
    elapsed_s: float = 0.0
    cpu_s: float = 0.0
    labels: Counter[str] = field(default_factory=Counter)

    @property
    def messages(self) -> int:
        return sum(len(v) for k, v in self.latencies.items() if k != "replay")


def percentile(values: Sequence[float], p: float) -> float:
    data = sorted(values)
    if not data:
        return math.nan
    return data[min(len(data) - 1, max(0, math.ceil(p / 100 * len(data)) - 1))]


def latency_ms(values: Sequence[float]) -> dict[str, float]:
    return {
        "count": len(values),
        **{f"p{p}": round(1000 * percentile(values, p), 1) for p in (50, 95, 99)},
        "max": round(1000 * max(values), 1) if values else math.nan,
    }


def summary(result: Result) -> dict[str, Any]:
    """One run: what was sent and answered, latencies by type and for non-money messages."""
    kinds = {k: v for k, v in result.latencies.items() if v}
    non_money = [x for k, v in kinds.items() if k not in MONEY_TYPES | {"replay"} for x in v]
    money = [x for k, v in kinds.items() if k in MONEY_TYPES for x in v]
    problems = Counter(f"{p.script} / {p.kind}: {p.label}" for p in result.problems)
    return {
        "rate": result.rate,
        "seconds": result.seconds,
        "messages": result.messages,
        "messages_per_s": round(result.messages / result.seconds, 1),
        "conversations": result.conversations,
        "completed": result.completed,
        "shortfall": result.shortfall,
        "by_type": {k: latency_ms(v) for k, v in sorted(kinds.items())},
        "non_money": latency_ms(non_money),
        "money": latency_ms(money),
        "all": latency_ms([x for k, v in kinds.items() if k != "replay" for x in v]),
        "send_lag_p99_ms": round(1000 * percentile(result.send_lag_s, 99), 1),
        "problems": dict(problems.most_common()),
        "samples": dict(result.samples),
        "transport_errors": dict(result.transport_errors),
        "replays": result.replays,
        "replay_mismatches": result.replay_mismatches,
        "generator_cpu_s": round(result.cpu_s, 1),
    }


LAG_LIMIT_MS = 50.0  # the generator shares 2 busy cores: later than this, it can't keep a rate


def held(figures: dict[str, Any], p99_limit_ms: float) -> bool:
    """The rate was held: every conversation completed as expected, none short of a customer,
    the generator on time, and the p99 of every message under ``p99_limit_ms``."""
    return (
        not figures["problems"]
        and not figures["transport_errors"]
        and figures["shortfall"] == 0
        and figures["completed"] == figures["conversations"]
        and figures["send_lag_p99_ms"] < LAG_LIMIT_MS
        and figures["all"]["p99"] < p99_limit_ms
    )


def merged(results: Iterable[Result]) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """Every MessageSid sent and every Done reference read, over several runs."""
    sids: dict[str, tuple[str, str]] = {}
    done: list[str] = []
    for result in results:
        sids.update(result.sids)
        done += result.done_references
    return sids, done
