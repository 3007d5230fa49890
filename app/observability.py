"""Logs and metrics for the whole app: the log format, each request's id and scope, and the
Prometheus endpoint ``GET /metrics``.

Every request gets an id (the ``X-Request-Id`` it came with, if that looks like an id, else a
new one), sent back in the reply's ``X-Request-Id``; every log line written while it runs
carries the id, the route template, the masked customer once the webhook knows them and the
milliseconds so far (``messaging.logs``), and its last line (``teller.request``) says how it
ended, unless the view wrote that line itself (the webhook's per-message line: one line a
message, not two). ``/metrics`` answers with a Bearer ``METRICS_TOKEN``; without one configured
it is 404 in production and open in development. Under several processes (gunicorn workers,
RQ workers on the same host) ``PROMETHEUS_MULTIPROC_DIR`` makes the scrape add up every
process's values.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import secrets
from collections.abc import Iterator

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from redis import Redis
from redis.exceptions import RedisError
from rq.registry import FailedJobRegistry

from app.config import Config
from bank.ports import BankUnavailable
from bot.access_log import install_redaction
from messaging import logs, metrics
from workers.queues import QUEUES, queue_for

log = logging.getLogger("teller.request")

# An incoming id is kept when it is short and plain (a proxy's or a load balancer's); anything
# else (empty, long, spaces, quotes, newlines that could forge a log line) gets a new one.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,99}")
REQUEST_ID_HEADER = "X-Request-Id"


def configure_logging(config: Config) -> None:
    """The process's log set-up, for the web side and the worker alike: redaction of one-time
    tokens (SECURITY.md 20) and the request scope on every record, then the root handler in
    ``LOG_FORMAT`` (a handler someone already installed keeps its place, with our format)."""
    install_redaction()
    logs.install_context()
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO)
    chosen = logs.formatter(config.log_format == "json")
    for handler in root.handlers:
        if not _is_capture(handler):
            handler.setFormatter(chosen)


def _is_capture(handler: logging.Handler) -> bool:
    """pytest's capture handlers keep their own format (tests read records, not lines)."""
    return type(handler).__module__.startswith("_pytest")


def request_id(offered: str | None) -> str:
    """The id a request is logged and answered under."""
    if offered and _SANE_ID.fullmatch(offered):
        return offered
    return secrets.token_hex(16)  # 32 hex digits, as uuid4().hex, without building a UUID


def install(app: Flask, config: Config, rq_redis: Redis) -> None:
    """The request hooks, the exception counter and ``/metrics``, on ``app``."""

    @app.before_request
    def _open_scope() -> None:
        # The request looked up once: every access through the proxy is a context look-up.
        req = request._get_current_object()  # type: ignore[attr-defined]
        rule = req.url_rule.rule if req.url_rule is not None else "unmatched"
        rid = request_id(req.headers.get(REQUEST_ID_HEADER))
        g.teller_request_id = rid
        g.teller_log_scope = logs.begin(request_id=rid, route=rule)

    @app.after_request
    def _close_line(response: Response) -> Response:
        rid = g.get("teller_request_id")
        if rid is None:
            return response
        response.headers[REQUEST_ID_HEADER] = rid
        route = logs.current().get("route", "unmatched")
        method, status = request.method, response.status_code
        metrics.http_request(route, method, status)
        if status < 400 and logs.is_summarized():
            return response  # one line per message: the webhook's own said how it went
        log.info("%s %s %d", method, route, status, extra={"method": method, "status": status})
        return response

    @app.teardown_request
    def _end_scope(_exc: BaseException | None) -> None:
        token = g.pop("teller_log_scope", None)
        if token is not None:
            logs.end(token)

    _count_view_errors(app)
    app.add_url_rule("/metrics", "metrics", lambda: _metrics(config, rq_redis), methods=["GET"])


def _count_view_errors(app: Flask) -> None:
    """A Redis or bank error a view let out (an error page or a JSON 503 follows) is counted
    before Flask looks for its handler; errors views catch themselves count where caught."""
    handle = app.handle_user_exception

    def counting(exc: Exception) -> object:
        if isinstance(exc, BankUnavailable):
            metrics.dependency_failed("bank", "view")
        else:
            metrics.dependency_error(exc, "view")
        return handle(exc)

    app.handle_user_exception = counting  # type: ignore[method-assign,assignment]


def _metrics(config: Config, rq_redis: Redis) -> Response:
    if not config.metrics_token:
        if config.is_production:
            return Response("not found\n", status=404, mimetype="text/plain")
    elif not _bearer_matches(config.metrics_token):
        return Response(
            "metrics need Authorization: Bearer <METRICS_TOKEN>\n",
            status=401,
            mimetype="text/plain",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    body = generate_latest(_registry()) + generate_latest(_queues(rq_redis))
    return Response(body, mimetype=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def _bearer_matches(token: str) -> bool:
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(offered.strip(), token)


def _registry() -> CollectorRegistry:
    """Every process's values under multiprocess mode, else this process's own."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def _queues(rq_redis: Redis) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=True)
    registry.register(QueueDepth(rq_redis))
    return registry


class QueueDepth(Collector):
    """Jobs waiting and failed jobs kept, per queue, read from Redis at each scrape (the same
    for every process, so not a per-process value); a Redis that doesn't answer is counted."""

    def __init__(self, rq_redis: Redis) -> None:
        self.rq_redis = rq_redis

    def collect(self) -> Iterator[GaugeMetricFamily]:
        waiting = GaugeMetricFamily(
            "teller_queue_depth", "Jobs waiting, per queue", labels=["queue"]
        )
        failed = GaugeMetricFamily(
            "teller_queue_failed", "Failed jobs kept for inspection, per queue", labels=["queue"]
        )
        try:
            for name in QUEUES:
                queue = queue_for(name, self.rq_redis)
                waiting.add_metric([name], queue.count)
                failed.add_metric([name], FailedJobRegistry(queue=queue).count)
        except RedisError as exc:
            metrics.dependency_error(exc, "metrics")
            return
        yield waiting
        yield failed
