"""The Flask app factory: the service graph, the blueprints and the CLI commands, put together."""

from __future__ import annotations

import logging
import os
from urllib.parse import urlparse

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from admin import api as admin_api
from admin import console
from admin import wiring as admin_wiring
from admin.cli import admin_cli
from app import observability
from app.config import ROOT, Config, unknown_variables
from app.languages import languages_cli
from app.services import Services, build_services
from auth import api as token_api
from auth import pages as secure_pages
from auth import wiring as auth_wiring
from auth.audit_cli import audit_cli
from auth.cli import auth_cli
from auth.pages import languages as page_languages
from bank.cli import bank_cli
from bank.engines import describe
from bank.ports import BankUnavailable
from bot.content.cli import whatsapp_cli
from bot.routes import register_blueprints
from messaging.languages import catalogs

log = logging.getLogger("teller")


def create_app(config: Config | None = None, services: Services | None = None) -> Flask:
    """The Flask app factory: gunicorn calls it as ``app:create_app()``."""
    if config is None:
        config = services.config if services else Config.from_env()
    _configure_logging(config)
    catalogs()  # the translations are read at start: a broken catalog stops here, by name
    for name in unknown_variables(os.environ):
        log.warning("config: %s is set but Teller does not read it (a typo?)", name)
    if services is None:
        services = build_services(config)
    app = Flask("app", root_path=str(ROOT), template_folder="templates", static_folder="static")
    if config.proxy_hops:
        # Behind a TLS-terminating proxy: the client's address (rate limits, login history)
        # and scheme come from the X-Forwarded-* headers the trusted proxies set.
        hops = config.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.config.update(SECRET_KEY=config.secret_key, MAX_CONTENT_LENGTH=64 * 1024)
    if config.secret_key_previous:
        # A rotation: cookies and form tokens signed with the previous key still read; new ones
        # are signed with the current key (itsdangerous signs with a list's last key).
        app.config.update(
            SECRET_KEY_FALLBACKS=[config.secret_key_previous],
            WTF_CSRF_SECRET_KEY=[config.secret_key_previous, config.secret_key],
        )
    app.extensions["teller"] = services  # the whole graph: the bank CLI and tests use it
    observability.install(app, config, services.rq_redis)  # request ids, /metrics
    if config.is_production:
        # Browsers then refuse plain http for a year; not in development, where the simulator
        # and the pages are served on http://127.0.0.1.
        app.after_request(_strict_transport)
    register_blueprints(app, services, production=config.is_production)
    # Pages, the console and the APIs answer a busy bank in their own words; anything else
    # gets this plain 503 rather than a 500.
    app.register_error_handler(BankUnavailable, _bank_busy)
    secure_pages.init_app(app.config, secure_cookies=config.public_base_url.startswith("https"))
    secure_pages.csrf.init_app(app)
    page_languages.init_app(app)
    app.register_blueprint(secure_pages.bp)
    app.register_blueprint(token_api.bp)
    auth_wiring.install(app, services)
    admin_wiring.install(app, services)
    app.register_blueprint(admin_api.bp)
    app.register_blueprint(console.bp)
    app.cli.add_command(bank_cli)
    app.cli.add_command(auth_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(admin_cli)
    app.cli.add_command(whatsapp_cli)
    app.cli.add_command(languages_cli)
    _announce(services)
    return app


HSTS = "max-age=31536000; includeSubDomains"


def _bank_busy(exc: BankUnavailable) -> Response:
    log.error("%s %s: the bank is unavailable (%s)", request.method, request.path, exc)
    text = "The bank is temporarily unavailable. Nothing was changed: try again in a minute.\n"
    return Response(text, status=503, mimetype="text/plain", headers={"Retry-After": "60"})


def _strict_transport(response: Response) -> Response:
    response.headers["Strict-Transport-Security"] = HSTS
    return response


def _configure_logging(config: Config) -> None:
    # One-time tokens in URLs never reach a log (SECURITY.md 20); every line of a request
    # carries its id, route, customer and duration, in LOG_FORMAT (app.observability).
    observability.configure_logging(config)


def _announce(services: Services) -> None:
    config = services.config
    if config.redis_topology == "embedded":
        log.info("embedded mode: in-memory Redis, in-process worker thread, dev outbox messenger")
        log.info("demo bank %s from %s", services.bank_name, describe(config.bank_database))
    else:
        log.info("%s mode: Redis %s, messenger %s", config.env, _where(config), config.messenger)
    if not config.is_production:
        log.info("chat simulator: %s/simulator", config.public_base_url)


def _where(config: Config) -> str:
    """Where the stores and the queue live, for the first log lines (no password)."""
    settings = config.redis
    nodes = settings.sentinels or settings.cluster_nodes
    listed = ",".join(f"{host}:{port}" for host, port in nodes)
    if config.redis_topology == "cluster":
        where = f"Cluster {listed}"
    elif config.redis_topology == "sentinel":
        where = f"Sentinel master {settings.sentinel_master} from {listed}"
    else:
        where = f"at {_redacted(config.redis_url or '')}"
    if settings.queue_url:
        where += f", queue at {_redacted(settings.queue_url)}"
    elif settings.queue_sentinel_master:
        where += f", queue on Sentinel master {settings.queue_sentinel_master}"
    return where


def _redacted(url: str) -> str:
    """A Redis URL without its password, for logs."""
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(parsed.password, "***")
    return url
