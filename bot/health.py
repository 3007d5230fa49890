"""Liveness and readiness: ``/healthz`` says the process answers, ``/readyz`` that its
dependencies (Redis, the bank, the job queue) answer too."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from redis import Redis

from bot.wiring import services

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    graph = services()
    checks: dict[str, Callable[[], object]] = {
        "redis": lambda: _ping_each(graph.redis_masters()),
        "bank": graph.bank.ping,
        "queue": lambda: graph.queue.count,
    }
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # readiness reports every failure, whatever its kind
            results[name] = f"unavailable ({type(exc).__name__})"
    ready = all(value == "ok" for value in results.values())
    return jsonify(
        status="ready" if ready else "unavailable", checks=results
    ), 200 if ready else 503


def _ping_each(masters: list[Redis]) -> None:
    """Every master must answer (on a Cluster, one master down is a slot range down)."""
    for master in masters:
        master.ping()
