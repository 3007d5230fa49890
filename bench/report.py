"""Turning one benchmark run into figures: the JSON shapes, the goals, the table, the README.

``bench.webhook`` collects raw results; this module only summarises and renders them. The
README's figures live between two HTML comments and are replaced whole on every run.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import statistics
import subprocess
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.openloop import OpenLoopResult

START = "<!-- figures:start -->"
END = "<!-- figures:end -->"


def wrk_figures(rounds: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Rounds of wrk_post.lua summaries → medians of rate and latency (ms), totals of the rest."""
    latency = {
        key: round(statistics.median(r["latency_us"][key] for r in rounds) / 1000, 2)
        for key in rounds[0]["latency_us"]
    }
    errors: Counter[str] = Counter()
    responses: Counter[str] = Counter()
    for r in rounds:
        errors.update({k: v for k, v in r["errors"].items() if v})
        responses.update(r["responses"])
    return {
        "rps": round(statistics.median(r["rps"] for r in rounds), 1),
        "requests": sum(r["requests"] for r in rounds),
        "latency_ms": latency,
        "cpu_us_per_request": {
            key: round(statistics.median(r["cpu_us"][key] for r in rounds))
            for key in rounds[0]["cpu_us"]
        },
        "rounds": [
            {
                "rps": round(r["rps"], 1),
                "p50_ms": round(r["latency_us"]["p50"] / 1000, 2),
                "p99_ms": round(r["latency_us"]["p99"] / 1000, 2),
            }
            for r in rounds
        ],
        "errors": dict(errors),
        "responses": dict(responses),
        "repeated_requests": any(r["wrapped"] for r in rounds),
    }


def cpu_ratio(baseline: Mapping[str, Any], teller_rounds: Sequence[Mapping[str, Any]]) -> float:
    """Baseline CPU per request over Teller's (workers + redis-server): the throughput ratio
    the cores allow, steadier than requests/s when something else shares the machine."""
    base = float(sum(baseline["cpu_us_per_request"].values()))
    teller = statistics.median(sum(r["cpu_us"].values()) for r in teller_rounds)
    return round(base / float(teller), 3)


def open_loop_figures(result: OpenLoopResult) -> dict[str, Any]:
    latency = {
        key: round(result.percentile(p) * 1000, 2)
        for key, p in (("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("p999", 99.9))
    }
    latency["max"] = round(max(result.latencies_s, default=0.0) * 1000, 2)
    return {
        "target_rps": round(result.target_rps, 1),
        "achieved_rps": round(result.achieved_rps, 1),
        "rate_reached": result.rate_reached(),
        "scheduled": result.scheduled,
        "completed": result.completed,
        "errors": result.errors,
        "unanswered": result.unanswered,
        "latency_ms": latency,
        "generator_send_lag_p99_ms": round(result.percentile(99, result.send_lag_s) * 1000, 2),
        "generator_cpu_percent": round(100 * result.cpu_s / result.elapsed_s, 1),
        "responses": dict(result.responses),
    }


def machine(redis_version: str) -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        model = found.group(1).strip() if found else ""
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "os": platform.platform(),
        "python": platform.python_version(),
        "gunicorn": version("gunicorn"),
        "flask": version("flask"),
        "redis_server": redis_version,
        "wrk": wrk.split()[1] if len(wrk.split()) > 1 else "?",
    }


def floor_goal(results: Mapping[str, Any], body: str, ratio: float) -> dict[str, Any]:
    """Teller answering ``body`` against the stateful floor (``bench.floor_app``)."""
    full, floor = results["teller_max"], results["floor"]
    return {
        "goal": f"{body} at ≥ {ratio:.0%} of the stateful floor's throughput",
        "measured": f"{full['floor_ratio']:.0%} ({full['rps']:.0f} of {floor['rps']:.0f} req/s; "
        f"by CPU {results['floor_cpu_ratio']:.0%})",
        "met": full["floor_ratio"] >= ratio,
    }


def goals(
    results: Mapping[str, Any], ratio: float, floor_ratio: float, p99_ms: float, trips: float
) -> dict[str, Any]:
    """The issue's goals, each with what was measured and whether it is met."""
    full, half, redis = results["teller_max"], results["teller_half_rate"], results["redis"]
    p99 = half["latency_ms"]["p99"]
    return {
        "throughput": {
            "goal": f"menu at ≥ {ratio:.0%} of the baseline's throughput",
            "measured": f"{full['ratio']:.0%} ({full['rps']:.0f} of "
            f"{results['baseline']['rps']:.0f} req/s; by CPU {results['cpu_ratio']:.0%})",
            "met": full["ratio"] >= ratio,
        },
        "floor": floor_goal(results, "menu", floor_ratio),
        "latency": {
            "goal": f"p99 < {p99_ms:.0f} ms at half the baseline's rate "
            f"({half['target_rps']:.0f} req/s)",
            "measured": f"p99 {p99:.1f} ms, {half['achieved_rps']:.0f} req/s achieved"
            + ("" if half["rate_reached"] else ", rate not reached"),
            "met": half["rate_reached"] and p99 < p99_ms,
        },
        "redis": {
            "goal": f"≤ {trips:.0f} Redis round trips per message",
            "measured": f"{redis['round_trips_per_message']:.2f}",
            "met": redis["round_trips_per_message"] <= trips,
        },
    }


def _busy(figures: Mapping[str, Any]) -> int:
    return int(figures["responses"].get("busy", 0))


def rounds_text(figures: Mapping[str, Any]) -> str:
    return " / ".join(f"{r['rps']:.0f}" for r in figures["rounds"])


def cpu_text(figures: Mapping[str, Any]) -> str:
    cpu = figures["cpu_us_per_request"]
    text = f"{cpu['workers']} µs in the workers"
    return text + (f" + {cpu['redis_server']} µs in redis-server" if cpu["redis_server"] else "")


def warnings(results: Mapping[str, Any]) -> list[str]:
    """Anything that makes this run's figures doubtful."""
    found = []
    busy = results["settings"]["machine_busy_before"]
    if busy > 0.15:
        found.append(f"something else kept the machine {busy:.0%} busy before the run: rerun")
    for name in ("baseline", "floor", "teller_max", "teller_half_rate"):
        figures = results[name]
        expected = "baseline" if name in ("baseline", "floor") else "menu"
        odd = {k: v for k, v in figures["responses"].items() if k != expected}
        if odd or figures["errors"]:
            found.append(f"{name}: unexpected replies {odd or ''} errors {figures['errors']}")
    if results["teller_max"]["repeated_requests"]:
        found.append("teller_max: wrk ran out of fresh requests and repeated some MessageSids")
    if not results["redis"]["all_answered_with_menu"]:
        found.append("round trips: not every message was answered with the menu")
    return found


def table(results: Mapping[str, Any]) -> str:
    """A plain-text summary for the terminal."""
    base, full, half = results["baseline"], results["teller_max"], results["teller_half_rate"]
    redis, box, floor = results["redis"], results["machine"], results["floor"]
    rows = [
        ("baseline, full speed (wrk)", base["rps"], base["latency_ms"],
         f"rounds {rounds_text(base)}"),
        ("stateful floor, full speed (wrk)", floor["rps"], floor["latency_ms"],
         f"rounds {rounds_text(floor)}; {floor['ratio']:.0%} of baseline"),
        ("teller menu, full speed (wrk)", full["rps"], full["latency_ms"],
         f"rounds {rounds_text(full)}; {full['ratio']:.0%} of baseline, "
         f"{full['floor_ratio']:.0%} of the floor"),
        (f"teller menu, {half['target_rps']:.0f} req/s open loop", half["achieved_rps"],
         half["latency_ms"], "rate reached" if half["rate_reached"] else "RATE NOT REACHED"),
    ]  # fmt: skip
    lines = [
        f"Teller webhook benchmark, {results['date']}, {box['cores']} cores ({box['cpu']}), "
        f"{results['settings']['customers']} demo customers",
        "",
        f"{'':40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}",
    ]
    for name, rps, lat, note in rows:
        lines.append(f"{name:40} {rps:8.0f} {lat['p50']:8.2f} {lat['p99']:8.2f}  {note}")
    sent = ", ".join(f"{n} {c}" for n, c in redis["sent_commands"].items())
    lines += [
        "",
        f"Redis: {redis['round_trips_per_message']:.2f} round trips per message ({sent} "
        f"for {redis['messages']} messages); {redis['commands_executed_per_message']:.1f} "
        "commands executed per message, scripts' own calls included",
        f"CPU per request at full speed: baseline {cpu_text(base)}; floor {cpu_text(floor)}; "
        f"Teller {cpu_text(full)} (CPU ratio {results['cpu_ratio']:.0%} of the baseline, "
        f"{results['floor_cpu_ratio']:.0%} of the floor)",
        f"Per-customer lock: {_busy(full)} busy replies of {full['requests']} at full speed, "
        f"{_busy(half)} of {half['completed']} in the open loop; "
        f"{redis['at_full_speed']['evalsha_per_request']:.3f} EVALSHA per message at full speed "
        "(above 2: begin retried while waiting for the lock)",
        "",
    ]
    for goal in results["goals"].values():
        mark = "met   " if goal["met"] else "MISSED"
        lines.append(f"[{mark}] {goal['goal']}: {goal['measured']}")
    lines += [f"WARNING: {text}" for text in warnings(results)]
    return "\n".join(lines)


def markdown(results: Mapping[str, Any]) -> str:
    """The README's figures section."""
    base, full, half = results["baseline"], results["teller_max"], results["teller_half_rate"]
    redis, floor = results["redis"], results["floor"]

    def row(name: str, rps: float, lat: Mapping[str, float], note: str) -> str:
        return f"| {name} | {rps:.0f} | {lat['p50']:.2f} | {lat['p99']:.2f} | {note} |"

    lines = [
        f"{measured_on(results)} {results['settings']['customers']} demo customers. "
        "Full speed: wrk, "
        f"{results['settings']['wrk']}. A full run took {results['run_seconds']} s.",
        "",
        "| run | req/s | p50 ms | p99 ms | notes |",
        "|---|---:|---:|---:|---|",
        row("baseline, full speed (wrk)", base["rps"], base["latency_ms"],
            f"rounds: {rounds_text(base)} req/s"),
        row("stateful floor, full speed (wrk)", floor["rps"], floor["latency_ms"],
            f"rounds: {rounds_text(floor)} req/s; {floor['ratio']:.0%} of the baseline"),
        row("Teller `menu`, full speed (wrk)", full["rps"], full["latency_ms"],
            f"rounds: {rounds_text(full)} req/s; **{full['ratio']:.0%}** of the baseline, "
            f"**{full['floor_ratio']:.0%}** of the floor (medians of the rounds' ratios); "
            f"{_busy(full)} busy replies"),
        row(f"Teller `menu`, open loop at {half['target_rps']:.0f} req/s", half["achieved_rps"],
            half["latency_ms"],
            ("rate reached" if half["rate_reached"] else "**rate not reached**")
            + f"; {_busy(half)} busy replies; generator used "
            f"{half['generator_cpu_percent']:.0f} % of a core"),
        "",
        redis_text(redis, "menu"),
        "",
        f"CPU per request at full speed (medians): baseline {cpu_text(base)}; "
        f"floor {cpu_text(floor)}; Teller {cpu_text(full)}: "
        f"a CPU ratio of {results['cpu_ratio']:.0%} to the baseline and "
        f"{results['floor_cpu_ratio']:.0%} to the floor, the throughput ratios the cores allow, "
        "steadier than requests/s when something else shares the machine. "
        f"At full speed Teller sent {redis['at_full_speed']['evalsha_per_request']:.3f} "
        "`EVALSHA` per message: anything above 2 is `begin` retried by a message waiting for its "
        "customer's lock.",
        "",
        *goals_lines(results["goals"], warnings(results)),
    ]  # fmt: skip
    return "\n".join(lines)


def measured_on(results: Mapping[str, Any]) -> str:
    """The README's first sentences: when, on what, with which versions."""
    box = results["machine"]
    return (
        f"Measured {results['date']} on {box['cores']} cores ({box['cpu']}), {box['os']}; "
        f"Python {box['python']}, gunicorn {box['gunicorn']}, Flask {box['flask']}, "
        f"redis-server {box['redis_server']}, wrk {box['wrk']}. Load generator, Redis and "
        f"the gunicorn workers share the {box['cores']} cores."
    )


def redis_text(redis: Mapping[str, Any], body: str) -> str:
    """The README's sentence on Redis round trips per ``body`` message."""
    sent = ", ".join(f"`{n}` × {c}" for n, c in redis["sent_commands"].items())
    scripted = ", ".join(f"`{n}` × {c}" for n, c in redis["commands_run_by_scripts"].items())
    return (
        f"Redis per `{body}` message ({redis['messages']} messages under MONITOR): "
        f"**{redis['round_trips_per_message']:.2f} round trips** ({sent or 'none'}); the scripts "
        f"themselves ran {scripted or 'nothing'}, "
        f"{redis['commands_executed_per_message']:.1f} commands executed per message in all."
    )


def goals_lines(goals: Mapping[str, Mapping[str, Any]], warned: Sequence[str]) -> list[str]:
    """The README's goals table, then a line per warning."""
    return [
        "| goal | measured | met |",
        "|---|---|---|",
        *(
            f"| {g['goal']} | {g['measured']} | {'yes' if g['met'] else '**no**'} |"
            for g in goals.values()
        ),
        *(f"\n**Warning:** {text}" for text in warned),
    ]


def update_readme(
    readme: Path,
    results: Mapping[str, Any],
    render: Callable[[Mapping[str, Any]], str] = markdown,
    markers: tuple[str, str] = (START, END),
) -> None:
    """Replace the figures between the two markers (the README must already hold both)."""
    start, end = markers
    text = readme.read_text(encoding="utf-8")
    head, found, rest = text.partition(start)
    _, found_end, tail = rest.partition(end)
    if not (found and found_end):
        raise ValueError(f"{readme} lacks the {start} … {end} markers")
    readme.write_text(f"{head}{start}\n{render(results)}\n{end}{tail}", encoding="utf-8")
