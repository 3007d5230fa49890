"""Teller's Prometheus metrics: what is counted and timed, declared once with its labels.

The places that count call the small functions below (the webhook, the step-up, the lockouts,
the link and code stores, the worker); ``app.observability`` serves them at ``/metrics``.
Every label takes values from a short fixed set (an intent, a result, a challenge type, a
job's function), never a number, a name or an id, so the series stay few and hold nothing
personal.

Under several gunicorn workers, prometheus-client's multiprocess mode keeps each process's
values in files under ``PROMETHEUS_MULTIPROC_DIR`` (set in the environment before the processes
start) and the scrape adds them up; without it the values live in this process. Metric objects
are not clients: declaring them at import is prometheus-client's own idiom.
"""

from __future__ import annotations

import functools
import sqlite3
from typing import TypeVar

from prometheus_client import Counter, Histogram, disable_created_metrics
from redis.exceptions import RedisError

# The *_created series (when each labelled series began) double the scrape for nothing Teller's
# alerts use.
disable_created_metrics()  # type: ignore[no-untyped-call]

_Metric = TypeVar("_Metric", Counter, Histogram)

MESSAGES = Counter(
    "teller_messages",
    "Inbound WhatsApp messages, by the intent they served and how handling ended",
    ["intent", "result"],
)
WEBHOOK_SECONDS = Histogram(
    "teller_webhook_seconds",
    "Time to answer a Twilio webhook (Twilio expects a reply within 2 s, gives up at 15 s)",
    ["endpoint"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 15.0),
)
HTTP_REQUESTS = Counter(
    "teller_http_requests",
    "HTTP requests answered, by route template, method and status code",
    ["route", "method", "status"],
)
CHALLENGES = Counter(
    "teller_challenges",
    "Step-up challenges started and answered, by type and result",
    ["type", "result"],
)
LOCKOUTS = Counter(
    "teller_lockouts", "Credentials blocked after repeated failures, by kind", ["kind"]
)
LINKS = Counter("teller_links_sent", "One-time secure-page links issued, by purpose", ["purpose"])
CODES = Counter(
    "teller_codes_sent",
    "One-time codes by purpose and channel: sent, failed (not handed over) or refused (the "
    "cooldown or the send limit)",
    ["purpose", "channel", "result"],
)
JOB_SECONDS = Histogram(
    "teller_job_seconds",
    "Background job run time, by job and result (finished or failed)",
    ["job", "result"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0),
)
DEPENDENCY_ERRORS = Counter(
    "teller_dependency_errors",
    "Errors from Redis or the bank, by dependency and where they surfaced",
    ["dependency", "where"],
)

# The intents a message can be counted under; anything else is "other".
INTENTS = frozenset(
    {
        "menu",
        "balance",
        "statement",
        "statement_pdf",
        "transfer",
        "bill",
        "cards",
        "profile",
        "security",
        "step_up",
        "login",
        "help",
        "contact",
        "logout",
        "cancel",
        "wallet",
        "unknown_number",
        "fallback",
        "unknown",
        "other",
    }
)


def message(intent: str, result: str) -> None:
    _series(MESSAGES, intent if intent in INTENTS else "other", result).inc()


def webhook_seconds(endpoint: str) -> Histogram:
    """The webhook's timer for ``endpoint`` (``inbound``, ``status``)."""
    timer: Histogram = _series(WEBHOOK_SECONDS, endpoint)
    return timer


# The methods counted by name. A request line may carry any token as its method, and each new
# label value would be a series kept for the process's life: the rest count as ``other``.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def http_request(route: str, method: str, status: int) -> None:
    _series(HTTP_REQUESTS, route, method if method in METHODS else "other", str(status)).inc()


# The labelled series of the per-message counters, kept once found: their labels come from
# short fixed sets, and ``labels()`` validates and looks them up under a lock on every call.
# (prometheus-client keeps the same objects itself; this only skips the look-up.)
@functools.cache
def _series(metric: _Metric, *labels: str) -> _Metric:
    return metric.labels(*labels)


def challenge(kind: str, result: str) -> None:
    CHALLENGES.labels(kind or "none", result).inc()


def lockout(kind: str) -> None:
    LOCKOUTS.labels(kind).inc()


def link_sent(purpose: str) -> None:
    LINKS.labels(purpose).inc()


def code_sent(purpose: str, channel: str, result: str) -> None:
    CODES.labels(purpose, channel, result).inc()


def job_finished(job: str, result: str, seconds: float) -> None:
    JOB_SECONDS.labels(job, result).observe(seconds)


def dependency_of(exc: BaseException) -> str | None:
    """``redis`` or ``bank`` for an error of either (the demo bank's SQLite, a PostgreSQL bank's
    driver), None for anything else."""
    if isinstance(exc, RedisError):
        return "redis"
    if isinstance(exc, sqlite3.Error) or type(exc).__module__.startswith("psycopg"):
        return "bank"
    return None


def dependency_failed(dependency: str, where: str) -> None:
    """Count an error the caller has already classified (the bank port's BankUnavailable)."""
    DEPENDENCY_ERRORS.labels(dependency, where).inc()


def dependency_error(exc: BaseException, where: str) -> str | None:
    """Count ``exc`` if Redis or the bank raised it; returns which (None: neither)."""
    dependency = dependency_of(exc)
    if dependency is not None:
        DEPENDENCY_ERRORS.labels(dependency, where).inc()
    return dependency
