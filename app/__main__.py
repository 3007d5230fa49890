"""``python -m app``: serve the embedded default (``make run``); ``python -m app worker``: the RQ
worker (``make worker``, the Procfile). Both read only the environment; an operator's mistake
ends the process with a message, not a traceback.
"""

from __future__ import annotations

import logging
import os
import sys

from admin.staff.roles import Role
from app.config import Config, ConfigError
from app.observability import configure_logging
from app.redis_topology import queue_connection
from app.services import Services, build_services
from app.web import create_app
from bank.seed import SeedError
from bot.access_log import QuietPolling, RedactingFilter
from messaging.languages import CatalogError, catalogs
from workers import supervisor


def serve() -> None:
    """Serve the embedded default on 127.0.0.1:$PORT (5000)."""
    port = int(os.environ.get("PORT", "5000"))
    # Links in replies must reach this server: default the public URL to the port it serves.
    os.environ.setdefault("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}")
    try:
        app = create_app()
    except (ConfigError, SeedError, CatalogError) as exc:
        raise SystemExit(f"Teller cannot start: {exc}") from None
    _first_admin(app.extensions["teller"])
    requests = logging.getLogger("werkzeug")
    requests.addFilter(RedactingFilter())  # its request lines hold tokens
    requests.addFilter(QuietPolling())
    app.run(host="127.0.0.1", port=port, threaded=True)


def _first_admin(services: Services) -> None:
    """The embedded default keeps staff accounts in memory, out of reach of ``flask admin
    create-user`` (another process): with none yet, make ``admin`` and print its set-up link
    (to the terminal only: the log never holds a link token)."""
    if services.config.redis_topology != "embedded" or services.staff.all():
        return
    token = services.staff.create("admin", Role.ADMIN, by="make run")
    print(
        "Staff console: set up the first admin (valid 24 hours, once): "
        f"{services.staff.setup_url(token)}",
        flush=True,
    )


def worker() -> int:
    """Build the job side's services from the same builder as the web side, then serve the
    queues (``workers.supervisor.run``): the process it forks to run jobs inherits them."""
    try:
        config = Config.from_env()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    # The web side's format (LOG_FORMAT), redaction and scopes: each job logs under its id.
    configure_logging(config)
    if config.redis_topology == "embedded":
        print(
            "REDIS_URL is not set. In the embedded default the jobs run inside `make run`; "
            "a separate worker needs a real Redis (set REDIS_URL, or the Sentinel or Cluster "
            "settings: docs/redis.md).",
            file=sys.stderr,
        )
        return 2
    try:
        catalogs()  # the translations are read at start: a broken catalog is named here
        build_services(config)  # installs the job context (workers.context)
    except (ConfigError, SeedError, CatalogError) as exc:
        print(f"Teller cannot start: {exc}", file=sys.stderr)
        return 2
    # RQ's connections are made from the job queue's settings (a URL or a Sentinel master): the
    # supervisor's with short timeouts, the work process's with none (RQ sets a long one).
    return supervisor.run(lambda **timeouts: queue_connection(config, **timeouts))


def main(argv: list[str]) -> int:
    if argv[:1] == ["worker"]:
        return worker()
    if argv:
        print("usage: python -m app [worker]", file=sys.stderr)
        return 2
    serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
