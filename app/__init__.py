"""Teller's composition root: the configuration (``app.config``), the service graph that creates
every client (``app.services``), the Flask app factory (``app.web``) and the process entry points
(``python -m app`` serves; ``python -m app worker`` runs the RQ worker).

Nothing below this package imports it: the layers are declared in ``pyproject.toml`` and checked
by import-linter. gunicorn calls ``app:create_app()``; the Flask CLI finds the same factory.
"""

from app.config import DEMO_SEED, DEV_SECRETS, ROOT, Config, ConfigError, unknown_variables
from app.redis_topology import redis_clients
from app.services import Services, build_services, twilio_messenger, utc_now
from app.web import create_app

__all__ = [
    "DEMO_SEED",
    "DEV_SECRETS",
    "ROOT",
    "Config",
    "ConfigError",
    "Services",
    "build_services",
    "create_app",
    "redis_clients",
    "twilio_messenger",
    "unknown_variables",
    "utc_now",
]
