"""The load run's figures as Markdown, and the "Load" section of bench/README.md they rewrite."""

from __future__ import annotations

import os
import platform
from collections.abc import Mapping
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.load.figures import LAG_LIMIT_MS
from bench.report import update_readme as replace_section
from bench.transfer import cpu_model

README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = ("<!-- load:start -->", "<!-- load:end -->")
GOAL_P99_MS = 50.0


def machine(results: Mapping[str, Any]) -> str:
    return (
        f"{os.cpu_count()} cores ({cpu_model() or 'unknown CPU'}), {platform.platform()}; "
        f"Python {platform.python_version()}, gunicorn {version('gunicorn')}, "
        f"Flask {version('flask')}, rq {version('rq')}, redis-server {results['redis_version']}"
    )


def _types(figures: Mapping[str, Any]) -> list[str]:
    rows = ["| message type | count | p50 ms | p95 ms | p99 ms | max ms |",
            "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
    named = {**figures["by_type"], "**all non-money**": figures["non_money"],
             "**all money** (`yes`, code)": figures["money"]}  # fmt: skip
    for kind, f in named.items():
        rows.append(
            f"| {kind} | {f['count']} | {f['p50']} | {f['p95']} | {f['p99']} | {f['max']} |"
        )
    return rows


def _invariants(found: Mapping[str, Any]) -> str:
    m, v = found["messages"], found["movements"]
    held = (
        "all held"
        if not found["violations"]
        else "**broken: " + "; ".join(found["violations"]) + "**"
    )
    return (
        f"Invariants: {held}. {m.get('answered', 0)} messages answered, each processed once "
        f"({m.get('lost', 0)} lost, {m.get('doubled', 0)} doubled, "
        f"{m.get('reply_not_stored', 0)} replies not kept), {m.get('try_again', 0)} told to try "
        f"again; {v['transfers']} movements in the bank for {v['done_replies']} `Done` replies, "
        f"{v['receipts']} receipts ({v['without_receipt']} missing, {v['receipt_twice']} twice), "
        f"{v['statements_delivered']} statements; audit: {v['not_audited']} movements missing, "
        f"{v['audited_twice']} twice, chain {'verified' if v['audit_chain_ok'] else 'BROKEN'}; "
        f"ledger: {v['ledger_problems']} problems, sum of balances "
        f"{'unchanged' if found['balance_before'] == found['balance_after'] else 'CHANGED'}; "
        f"{found['locks_left']} locks left; {_tracebacks(found['tracebacks'])}; the "
        f"workers took {found['drain_s']} s after the window to deliver the last documents."
    )


def _tracebacks(found: Mapping[str, int]) -> str:
    if not found:
        return "no traceback in the logs"
    return "tracebacks in the logs: " + ", ".join(f"{k} × {v}" for k, v in found.items())


def markdown(results: Mapping[str, Any]) -> str:
    s, p = results["settings"], results["profile"]
    date = datetime.now().astimezone().date().isoformat()
    lines = [
        f"Measured {date} on {machine(results)}. The load generator, Redis, both gunicorn "
        f"workers and {s['rq_workers']} RQ workers share the cores, and the machine is shared "
        "with other work: the figures are from one run, to be read as ratios. The machine was "
        f"{results['machine_busy_before']:.0%} busy before the run and "
        f"{results['machine_busy_after']:.0%} after it. {s['customers']} customers registered "
        f"through the secure pages in {results['registration_s']} s; think time "
        f"{s['think_s']} s; {s['mean_messages']} messages per conversation on average. "
        f"A full run took {results.get('run_seconds', results['run_s'])} s.",
        "",
    ]
    search = results["search"]
    if search:
        lines += ["| step: messages/s | achieved | p50 ms | p99 ms | non-money p99 ms | held |",
                  "|---:|---:|---:|---:|---:|---|"]  # fmt: skip
        for st in search["steps"]:
            lines.append(
                f"| {st['rate']:.0f} | {st['messages_per_s']} | {st['all']['p50']} | "
                f"{st['all']['p99']} | {st['non_money']['p99']} | "
                f"{'yes' if st['held'] else 'no: ' + _why(st)} |"
            )
        lines += ["", f"**Teller's maximum: {search['maximum']:.0f} messages/s** (the highest "
                  f"step held: {search['rule']}, every conversation completed, the generator on "
                  "time).", ""]  # fmt: skip
    lines += [
        f"**The mix at {results['rate']:.0f} messages/s for {p['seconds']:.0f} s**: "
        f"{p['messages_per_s']} messages/s answered, {p['conversations']} conversations "
        f"({p['completed']} completed, {p['shortfall']} without a free customer), "
        f"{p['replays']} replayed MessageSids ({p['replay_mismatches']} answered differently), "
        f"{len(p['problems'])} kinds of unexpected reply, transport errors "
        f"{p['transport_errors'] or 'none'}; the generator's send lag p99 "
        f"{p['send_lag_p99_ms']} ms.",
        "",
        *_types(p),
        "",
        _invariants(results["invariants"]),
    ]
    if p["problems"]:
        lines += [
            "",
            "Unexpected replies: " + ", ".join(f"{k} × {v}" for k, v in p["problems"].items()),
            *(
                f"- {k}, the first: `{' '.join(text.split())[:300]}`"
                for k, text in p.get("samples", {}).items()
            ),
        ]
    fault = results.get("fault")
    if fault:
        lines += ["", *fault_lines(fault)]
    lines += ["", *goal_lines(results)]
    return "\n".join(lines)


def _why(step: Mapping[str, Any]) -> str:
    if step["problems"] or step["transport_errors"]:
        return "errors"
    if step["shortfall"]:
        return "no free customer"
    if step["send_lag_p99_ms"] >= LAG_LIMIT_MS:
        return "generator late"
    return "p99"


def fault_lines(fault: Mapping[str, Any]) -> list[str]:
    f = fault["figures"]
    probe = fault["probe"]
    verdict = (
        "held" if not fault["violations"] else "**broken: " + "; ".join(fault["violations"]) + "**"
    )
    return [
        f"**Redis restarted during load** ({fault['seconds']:.0f} s of the mix at "
        f"{f['rate']:.0f} messages/s; redis-server stopped {fault['down_at_s']} s in and "
        f"started again on its port {fault['down_for_s']} s later, nothing else restarted): "
        f"{fault['try_again_replies']} replies told the customer to try again, "
        f"{fault['other_count']} other unexpected replies "
        f"{fault['other_problems'] or ''}; the last 'try again' came "
        f"{fault['last_try_again_after_up_s']} s after Redis was back; afterwards "
        f"{probe['customers'] - probe['not_normal']} of {probe['customers']} customers got the "
        f"menu at once ({probe['labels']}); {fault['workers_alive']} RQ workers still running. "
        f"Every invariant over the whole run, checked again: {verdict}.",
        "",
        _invariants(fault["invariants"]),
    ]


def goal_lines(results: Mapping[str, Any]) -> list[str]:
    p = results["profile"]
    ok_latency = p["non_money"]["p99"] < GOAL_P99_MS
    violations = results["invariants"]["violations"]
    search = results["search"]
    half = search is not None and search["maximum"] > 0
    held = half and p["seconds"] >= 60 and not p["problems"] and not p["transport_errors"]
    rows = [
        "| goal | measured | met |",
        "|---|---|---|",
        f"| the mix held for 60 s at half of Teller's maximum | {p['seconds']:.0f} s at "
        f"{results['rate']:.0f} messages/s{_basis(search)} | {'yes' if held else '**no**'} |",
        f"| p99 < {GOAL_P99_MS:.0f} ms for non-money messages | {p['non_money']['p99']} ms | "
        f"{'yes' if ok_latency else '**no**'} |",
        f"| zero invariant violations | {len(violations)} | "
        f"{'yes' if not violations else '**no**'} |",
    ]
    return rows


def _basis(search: Mapping[str, Any] | None) -> str:
    if search is None:
        return " (LOAD_RATE)"
    if not search["maximum"]:
        return " (no step was held: half the lowest step tried)"
    return " (half the maximum)"


def update_readme(results: Mapping[str, Any]) -> None:
    replace_section(README, results, markdown, SECTION)
