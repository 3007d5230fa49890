"""`make load` still runs: a few seconds of the conversation mix at a low rate against gunicorn,
RQ workers and a private redis-server, its invariants held, and Redis restarted under it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.load.run import Settings, run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("load")]


def test_a_short_load_run_keeps_every_invariant_and_rides_out_a_redis_restart(
    tmp_path: Path,
) -> None:
    settings = Settings(seconds=3, rate=8, customers=6, quick=True, faults=True, warmup_s=1)

    results = run(tmp_path, settings)

    profile, found = results["profile"], results["invariants"]
    assert profile["conversations"] > 0
    assert profile["completed"] == profile["conversations"], profile["problems"]
    assert profile["replay_mismatches"] == 0
    assert not profile["transport_errors"]
    assert found["violations"] == []
    assert found["movements"]["transfers"] > 0
    assert found["movements"]["receipts"] == found["movements"]["transfers"]
    assert found["messages"]["lost"] == found["messages"]["doubled"] == 0

    fault = results["fault"]
    assert fault["try_again_replies"] > 0  # Redis really was down under load
    assert fault["other_count"] == 0, fault["other_problems"]
    assert fault["probe"]["not_normal"] == 0
    after = fault["invariants"]
    assert after["locks_left"] == 0
    assert after["balance_before"] == after["balance_after"]
    moves = after["movements"]
    # Not asserted here, open in issue 15 item 2 (bench/README.md, "What the first runs found"):
    # an RQ worker may die with Redis, and the job it held then waits for RQ's cleanup.
    for broken in ("done_not_in_bank", "in_bank_not_told", "receipt_twice", "not_audited",
                   "audited_twice", "ledger_problems"):  # fmt: skip
        assert moves[broken] == 0, broken
    assert after["messages"]["lost"] == after["messages"]["doubled"] == 0
