"""The transfer benchmark's figures: its goals, its warnings and its section of the README.

``bench.transfer`` collects the raw results; this module only judges and renders them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bench import conversations, report

# The goals.
GOAL_COST = 6.0  # a whole conversation costs at most this many `balance` messages (issue 15)
GOAL_BANK_PER_S = 500.0


def goals(results: Mapping[str, Any]) -> dict[str, Any]:
    """The issue's goals, each with what was measured and whether it is met."""
    transfer, balance = results["transfer"], results["balance"]
    loop, threaded = results["bank_alone"]["loop"], results["bank_alone"]["threaded"]
    sound = not transfer["failed"] and results["bank"]["matches_done"]
    return {
        "cost": {
            "goal": f"a whole transfer conversation costs ≤ {GOAL_COST:.0f} `balance` messages",
            "measured": f"{results['cost']:.1f} ({balance['per_s']:.0f} balances/s, "
            f"{transfer['per_s']:.1f} conversations/s; by CPU {results['cost_cpu']:.1f})",
            "met": sound and results["cost"] <= GOAL_COST,
        },
        "bank_loop": {
            "goal": f"the bank alone ≥ {GOAL_BANK_PER_S:.0f} transfers/s, one thread in a loop",
            "measured": f"{loop['per_s']:.0f} transfers/s",
            "met": loop["per_s"] >= GOAL_BANK_PER_S,
        },
        "bank_threads": {
            "goal": f"the bank alone ≥ {GOAL_BANK_PER_S:.0f} transfers/s, "
            f"{threaded['threads']} threads",
            "measured": f"{threaded['per_s']:.0f} transfers/s",
            "met": threaded["per_s"] >= GOAL_BANK_PER_S,
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
    for name in ("balance", "transfer"):
        figures = results[name]
        if figures["failed"] or figures["unexpected"]:
            found.append(f"{name}: {figures['failed']} not completed, {figures['unexpected']}")
    bank = results["bank"]
    if not bank["matches_done"] or bank["problems"]:
        found.append(
            f"the bank holds {bank['transfers']} transfers for {results['done_replies']} "
            f"Done replies; {bank['problems']} ledger problems"
        )
    if results["bank_alone"]["ledger_problems"]:
        found.append("the bank alone: its ledger has problems")
    for phase in ("loop", "threaded"):
        refused = results["bank_alone"][phase].get("busy", 0)
        if refused:
            found.append(
                f"the bank alone ({phase}): {refused} transfers refused as busy (the write lock "
                "held past SQLite's busy timeout: the disk was shared and slow)"
            )
    if results["log_errors"]:
        found.append(f"{results['log_errors']} tracebacks in the gunicorn log")
    return found


def markdown(results: Mapping[str, Any]) -> str:
    """The README's transfer section."""
    box, settings = results["machine"], results["settings"]
    alone, balance, transfer = results["bank_alone"], results["balance"], results["transfer"]
    loop, threaded = alone["loop"], alone["threaded"]

    def row(name: str, figures: Mapping[str, Any], unit: str) -> str:
        lat, msg = figures["latency_ms"], figures["message_latency_ms"]
        cpu = figures["cpu_us"]
        rounds = " / ".join(f"{r:.1f}" for r in figures["rounds"])
        return (
            f"| {name} | {figures['per_s']:.1f} | {figures['messages_per_s']:.0f} | "
            f"{lat['p50']:.1f} / {lat['p99']:.1f} | {msg['p50']:.1f} / {msg['p99']:.1f} | "
            f"{cpu['workers']:,} + {cpu['redis_server']:,} | rounds: {rounds} {unit} |"
        )

    lines = [
        f"Measured {results['date']} on {box['cores']} cores ({box['cpu']}), {box['os']}; "
        f"Python {box['python']}, gunicorn {box['gunicorn']}, Flask {box['flask']}, "
        f"redis-server {box['redis_server']}. {settings['customers']:,} customers; "
        f"{settings['clients']} client threads; {settings['rounds']}. The client, Redis and "
        f"both gunicorn workers share the {box['cores']} cores. The machine was "
        f"{settings['machine_busy_before']:.0%} busy before the run and "
        f"{settings['machine_busy_after']:.0%} after it. A full run took "
        f"{results['run_seconds']} s.",
        "",
        "| run | per s | messages/s | p50 / p99 ms | per message p50 / p99 ms | "
        "CPU µs each (workers + redis-server) | notes |",
        "|---|---:|---:|---:|---:|---:|---|",
        row("`balance`", balance, "balances/s"),
        row(
            f"transfer conversation ({len(conversations.TRANSFER)} messages)",
            transfer,
            "conversations/s",
        ),
        "",
        f"A conversation costs **{results['cost']:.1f} `balance` messages** in throughput "
        f"(median of the rounds' ratios: {', '.join(f'{r:.1f}' for r in results['ratios'])}) "
        f"and {results['cost_cpu']:.1f} in CPU (workers + redis-server). The client used "
        f"{balance['cpu_us']['client']:,} µs per `balance` and "
        f"{transfer['cpu_us']['client']:,} µs per conversation of the same cores. "
        f"{results['done_replies']:,} `Done` replies, {results['bank']['transfers']:,} "
        f"transfers in the bank, {results['bank']['problems']} ledger problems.",
        "",
        redis_text(results["redis"]),
        "",
        f"The bank alone ({alone['durability']['journal_mode'].upper()} journal, "
        f"`synchronous={alone['durability']['synchronous']}`, the KYC guard, "
        f"{settings['customers']:,} customers in turn): **{loop['per_s']:.0f} transfers/s** "
        f"in a loop ({loop['wall_us']:,} µs each, {loop['cpu_us']:,} µs of it CPU), "
        f"**{threaded['per_s']:.0f} transfers/s** from {threaded['threads']} threads "
        f"({threaded['cpu_us']:,} µs CPU each).",
        "",
        *report.goals_lines(results["goals"], warnings(results)),
    ]
    return "\n".join(lines)


def redis_text(redis: Mapping[str, Any]) -> str:
    """The README's sentence on Redis round trips per conversation and per ``balance``."""
    balance, transfer = redis["balance"], redis["transfer"]
    commands = ", ".join(f"`{k}` {v:g}" for k, v in transfer["per_script"].items())
    return (
        f"Redis, {transfer['scripts']} conversations and {balance['scripts']} balances one at "
        f"a time under MONITOR: **{transfer['round_trips']:.1f} round trips per conversation** "
        f"({commands}; a `MULTI` … `EXEC` block counts once, under `multi`; the scripts ran "
        f"{transfer['run_by_scripts']:.1f} commands more), "
        f"against {balance['round_trips']:.1f} per `balance`. MONITOR counts each command of "
        "a pipeline without `MULTI` apart; as the server saw them (its read events, a "
        f"pipeline in one), **{transfer['reads']:.1f} round trips per conversation** and "
        f"{balance['reads']:.1f} per `balance`."
    )
