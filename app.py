"""Teller's composition root: configuration from the environment, the service graph, the Flask app.

This is the one place that creates clients (Redis, the RQ queue, the bank adapter, the Twilio
client, the messenger). Everything else receives what it needs as arguments. With no
``REDIS_URL`` the whole product runs in one process: an in-memory Redis, an in-process worker
thread, the dev outbox instead of Twilio, and the demo bank loaded from the bundled seed.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

import phonenumbers
from flask import Flask
from redis import Redis, RedisError
from rq import Queue
from twilio.rest import Client

from auth.pins import SecretHasher
from auth.scenarios.service import ScenarioService
from auth.service import AuthService
from auth.stepup import StepUpService, build_stepup
from auth.stepup.challenges import ChallengeStore
from bank.demo import SqliteBank
from bank.limits import kyc_guard
from bank.seed import SeedError, load_file
from bot.messenger import OutboxMessenger, SmtpMailer, TwilioMessenger
from bot.sealed import Sealer
from bot.store import EdgeStore
from messaging import Messenger
from receipts.verification import derive_key
from workers import context as job_context
from workers.context import JobContext
from workers.embedded import EmbeddedWorker
from workers.media import MediaStore
from workers.queues import DEFAULT_QUEUE, QUEUES, queue_for

log = logging.getLogger("teller")

ROOT = Path(__file__).resolve().parent
DEMO_SEED = ROOT / "bank" / "seeds" / "demo.json"

# Development-only defaults: production refuses every one of them (see Config.problems).
DEV_SECRETS = {
    "SECRET_KEY": "dev-secret-key-not-for-production",
    "TWILIO_AUTH_TOKEN": "dev-twilio-auth-token-0000000000",
    "PIN_PEPPER": "dev-pin-pepper-not-for-production",
    "AUTH_API_KEY": "dev-auth-api-key-not-for-production",
    "ADMIN_API_KEY": "dev-admin-api-key-not-for-production",
}
KNOWN_VARIABLES = frozenset(
    {
        "REDIS_URL",
        "TELLER_ENV",
        "PUBLIC_BASE_URL",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_WHATSAPP_FROM",
        "TWILIO_SMS_FROM",
        "MESSENGER",
        "SMTP_URL",
        "BANK_DATABASE",
        "BANK_SEED",
        "BANK_NAME",
        "DEFAULT_CURRENCY",
        "CONVERSATION_IDLE_MINUTES",
        "SESSION_IDLE_MINUTES",
        "SESSION_ABSOLUTE_HOURS",
        "REGISTRATION_COOLING_OFF_HOURS",
        "PROXY_HOPS",
        "MEDIA_TTL_MINUTES",
        "DOCUMENT_PASSWORD",
        *DEV_SECRETS,
    }
)
MIN_SECRET_LENGTH = 32


class ConfigError(Exception):
    """The environment holds unknown or unsafe values; carries one message per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid configuration:\n  " + "\n  ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Config:
    """Every setting Teller reads, parsed and checked once at start."""

    env: Literal["development", "production"] = "development"
    redis_url: str | None = None
    secret_key: str = DEV_SECRETS["SECRET_KEY"]
    public_base_url: str = "http://127.0.0.1:5000"
    twilio_account_sid: str | None = None
    twilio_auth_token: str = DEV_SECRETS["TWILIO_AUTH_TOKEN"]
    twilio_whatsapp_from: str = "whatsapp:+14155238886"
    twilio_sms_from: str | None = None
    messenger: Literal["twilio", "outbox"] = "outbox"
    smtp_url: str | None = None
    bank_database: str = "var/bank.sqlite3"
    bank_seed: str | None = str(DEMO_SEED)
    pin_pepper: str = DEV_SECRETS["PIN_PEPPER"]
    auth_api_key: str = DEV_SECRETS["AUTH_API_KEY"]
    admin_api_key: str = DEV_SECRETS["ADMIN_API_KEY"]
    bank_name: str | None = None
    default_currency: str = "USD"
    conversation_idle_minutes: int = 15
    session_idle_minutes: int = 5
    session_absolute_hours: int = 12
    registration_cooling_off_hours: int = 24
    proxy_hops: int = 0  # trusted reverse proxies in front (for client addresses and https)
    media_ttl_minutes: int = 10  # how long a rendered document waits for Twilio to fetch it
    # DOCUMENT_PASSWORD: how PDFs open. random (by SMS), or dob (DDMMYYYY): weaker, opt-in.
    document_unlock: Literal["random", "dob"] = "random"

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """Read and check the environment; raise ConfigError naming every bad variable."""
        env = dict(os.environ if environ is None else environ)
        problems: list[str] = []

        def get(name: str) -> str | None:
            return (env.get(name) or "").strip() or None

        teller_env = get("TELLER_ENV") or "development"
        if teller_env not in ("development", "production"):
            problems.append(f"TELLER_ENV: must be development or production, not {teller_env!r}")
            teller_env = "development"
        production = teller_env == "production"
        messenger = get("MESSENGER") or ("twilio" if production else "outbox")
        if messenger not in ("twilio", "outbox"):
            problems.append(f"MESSENGER: must be twilio or outbox, not {messenger!r}")
            messenger = "outbox"

        def whole(name: str, default: int, low: int, high: int) -> int:
            text = get(name) or str(default)
            if not (text.isascii() and text.isdecimal()) or not low <= int(text) <= high:
                problems.append(f"{name}: must be a whole number from {low} to {high}")
                return default
            return int(text)

        idle = whole("CONVERSATION_IDLE_MINUTES", 15, 1, 24 * 60)
        # Ceilings are the security defaults' outer limits: a setting may tighten, not gut them.
        session_idle = whole("SESSION_IDLE_MINUTES", 5, 1, 30)
        session_absolute = whole("SESSION_ABSOLUTE_HOURS", 12, 1, 24)
        cooling_off = whole("REGISTRATION_COOLING_OFF_HOURS", 24, 0, 30 * 24)
        proxy_hops = whole("PROXY_HOPS", 0, 0, 5)
        # Twilio fetches media within seconds; an hour is already generous for a document URL.
        media_ttl = whole("MEDIA_TTL_MINUTES", 10, 1, 60)
        unlock = get("DOCUMENT_PASSWORD") or "random"
        if unlock not in ("random", "dob"):
            problems.append(f"DOCUMENT_PASSWORD: must be random or dob, not {unlock!r}")
        secrets = {
            name: get(name) or ("" if production else dev) for name, dev in DEV_SECRETS.items()
        }
        config = cls(
            env="production" if production else "development",
            redis_url=get("REDIS_URL"),
            secret_key=secrets["SECRET_KEY"],
            public_base_url=(get("PUBLIC_BASE_URL") or cls.public_base_url).rstrip("/"),
            twilio_account_sid=get("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=secrets["TWILIO_AUTH_TOKEN"],
            twilio_whatsapp_from=get("TWILIO_WHATSAPP_FROM") or cls.twilio_whatsapp_from,
            twilio_sms_from=get("TWILIO_SMS_FROM"),
            messenger="twilio" if messenger == "twilio" else "outbox",
            smtp_url=get("SMTP_URL"),
            bank_database=get("BANK_DATABASE") or cls.bank_database,
            bank_seed=get("BANK_SEED") or (None if production else str(DEMO_SEED)),
            pin_pepper=secrets["PIN_PEPPER"],
            auth_api_key=secrets["AUTH_API_KEY"],
            admin_api_key=secrets["ADMIN_API_KEY"],
            bank_name=get("BANK_NAME"),
            default_currency=get("DEFAULT_CURRENCY") or "USD",
            conversation_idle_minutes=idle,
            session_idle_minutes=session_idle,
            session_absolute_hours=session_absolute,
            registration_cooling_off_hours=cooling_off,
            proxy_hops=proxy_hops,
            media_ttl_minutes=media_ttl,
            document_unlock="dob" if unlock == "dob" else "random",
        )
        problems += config.problems()
        if problems:
            raise ConfigError(problems)
        return config

    def problems(self) -> list[str]:
        """Check values that are unsafe or malformed; production is held to real secrets."""
        found: list[str] = []
        url = urlparse(self.public_base_url)
        if url.scheme not in ("http", "https") or not url.netloc or url.query or url.fragment:
            found.append(
                "PUBLIC_BASE_URL: must be an absolute http(s) URL such as https://bank.example"
            )
        if self.redis_url and urlparse(self.redis_url).scheme not in ("redis", "rediss", "unix"):
            found.append("REDIS_URL: must start with redis://, rediss:// or unix://")
        if not re.fullmatch(r"[A-Z]{3}", self.default_currency):
            found.append("DEFAULT_CURRENCY: must be a three-letter ISO 4217 code such as USD")
        if not _is_e164(self.twilio_whatsapp_from.removeprefix("whatsapp:")) or not (
            self.twilio_whatsapp_from.startswith("whatsapp:")
        ):
            found.append("TWILIO_WHATSAPP_FROM: must look like whatsapp:+14155238886")
        if self.twilio_sms_from and not (
            _is_e164(self.twilio_sms_from) or re.fullmatch(r"MG[0-9a-f]{32}", self.twilio_sms_from)
        ):
            found.append(
                "TWILIO_SMS_FROM: must be an E.164 number or a Messaging Service SID (MG…)"
            )
        if self.twilio_account_sid and not re.fullmatch(r"AC[0-9a-f]{32}", self.twilio_account_sid):
            found.append("TWILIO_ACCOUNT_SID: must be AC followed by 32 hex digits")
        if self.smtp_url and urlparse(self.smtp_url).scheme not in ("smtp", "smtps"):
            found.append("SMTP_URL: must start with smtp:// or smtps://")
        if self.messenger == "twilio" and not self.twilio_account_sid:
            found.append("TWILIO_ACCOUNT_SID: required when MESSENGER=twilio")
        if not self.is_production:
            return found
        for name, value in self._secrets().items():
            if not value:
                found.append(f"{name}: required in production")
            elif value == DEV_SECRETS[name] or len(value) < MIN_SECRET_LENGTH:
                found.append(
                    f"{name}: must be a real secret of at least {MIN_SECRET_LENGTH} characters"
                )
        if not self.redis_url:
            found.append(
                "REDIS_URL: required in production (the in-memory Redis is for development)"
            )
        if url.scheme != "https":
            found.append("PUBLIC_BASE_URL: must be https in production")
        if self.messenger != "twilio":
            found.append("MESSENGER: production must send through twilio, not the dev outbox")
        if not self.twilio_sms_from:
            found.append("TWILIO_SMS_FROM: required in production (codes and passwords go by SMS)")
        return found

    def _secrets(self) -> dict[str, str]:
        return {
            "SECRET_KEY": self.secret_key,
            "TWILIO_AUTH_TOKEN": self.twilio_auth_token,
            "PIN_PEPPER": self.pin_pepper,
            "AUTH_API_KEY": self.auth_api_key,
            "ADMIN_API_KEY": self.admin_api_key,
        }


def _is_e164(value: str) -> bool:
    if not re.fullmatch(r"\+[1-9][0-9]{6,14}", value):
        return False
    try:
        return bool(phonenumbers.is_possible_number(phonenumbers.parse(value)))
    except phonenumbers.NumberParseException:
        return False


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """Teller-looking variables that no setting reads: most likely typos of real ones."""
    prefixes = ("TELLER_", "TWILIO_", "BANK_", "AUTH_", "ADMIN_", "PIN_")
    return sorted(n for n in environ if n.startswith(prefixes) and n not in KNOWN_VARIABLES)


@dataclass
class Services:
    """The service graph one process shares: built once by build_services()."""

    config: Config
    redis: Redis
    rq_redis: Redis
    queue: Queue
    bank: SqliteBank
    messenger: Messenger
    edge: EdgeStore
    auth: AuthService
    scenarios: ScenarioService
    stepup: StepUpService
    clock: Callable[[], datetime]
    embedded_worker: EmbeddedWorker | None = None

    @cached_property
    def bank_name(self) -> str:
        return self.config.bank_name or self.bank.profile().name

    def close(self) -> None:
        if self.embedded_worker is not None:
            self.embedded_worker.stop()

    @cached_property
    def media(self) -> MediaStore:
        """Rendered documents waiting for Twilio (``GET /media/<token>``)."""
        ttl = timedelta(minutes=self.config.media_ttl_minutes)
        return MediaStore(self.rq_redis, self.config.secret_key, ttl, self.clock)

    @cached_property
    def verify_key(self) -> bytes:
        """The receipts' verification-code key, derived from SECRET_KEY for that use only."""
        return derive_key(self.config.secret_key)

    def job_context(self) -> JobContext:
        """What jobs in this process use (``workers.context``)."""
        config = self.config
        return JobContext(
            bank=self.bank,
            redis=self.redis,
            raw=self.rq_redis,
            messenger=self.messenger,
            media=self.media,
            bank_name=self.bank_name,
            public_base_url=config.public_base_url,
            verify_key=self.verify_key,
            unlock=config.document_unlock,
            clock=self.clock,
        )


def utc_now() -> datetime:
    return datetime.now(UTC)


def redis_clients(config: Config) -> tuple[Redis, Redis]:
    """Return (app client with str replies, RQ client with bytes replies) on one server."""
    if config.redis_url is None:
        import fakeredis  # only the embedded default needs it

        server = fakeredis.FakeServer()
        return (
            fakeredis.FakeRedis(server=server, decode_responses=True),
            fakeredis.FakeRedis(server=server),
        )
    # Short timeouts: a webhook must answer Twilio within 2 s even when Redis is gone.
    options: dict[str, Any] = {
        "socket_timeout": 1.0,
        "socket_connect_timeout": 1.0,
        "health_check_interval": 30,
    }
    return (
        Redis.from_url(config.redis_url, decode_responses=True, **options),
        Redis.from_url(config.redis_url, **options),
    )


def twilio_messenger(config: Config, http_client: Any = None) -> TwilioMessenger:
    """The Twilio adapter for this configuration. ``http_client`` is Twilio's own injection
    point; tests pass a recording fake there."""
    client = Client(config.twilio_account_sid, config.twilio_auth_token, http_client=http_client)
    return TwilioMessenger(
        client,
        whatsapp_from=config.twilio_whatsapp_from,
        sms_from=config.twilio_sms_from,
        status_callback=f"{config.public_base_url}/whatsapp/status",
        mailer=SmtpMailer(config.smtp_url) if config.smtp_url else None,
    )


def build_services(
    config: Config,
    *,
    messenger: Messenger | None = None,
    clock: Callable[[], datetime] = utc_now,
    twilio_http_client: Any = None,
    hasher: SecretHasher | None = None,
) -> Services:
    """Create every client once. Tests pass a messenger or Twilio HTTP client and a clock."""
    app_redis, rq_redis = redis_clients(config)
    queue = queue_for(DEFAULT_QUEUE, rq_redis)
    Path(config.bank_database).parent.mkdir(parents=True, exist_ok=True)
    bank = SqliteBank(config.bank_database, clock=clock, guards=[kyc_guard])
    if config.bank_seed and bank.is_empty():
        try:
            summary = load_file(bank, Path(config.bank_seed))
            log.info("bank: loaded seed %s (%s)", Path(config.bank_seed).name, summary)
        except SeedError:
            if bank.is_empty():  # not a sibling process that loaded it first: a real problem
                raise
    if messenger is None:
        if config.messenger == "twilio":
            messenger = twilio_messenger(config, http_client=twilio_http_client)
        else:
            messenger = OutboxMessenger(app_redis, clock=clock)
    auth = AuthService.build(
        app_redis,
        pepper=config.pin_pepper,
        bank=bank,
        messenger=messenger,
        clock=clock,
        base_url=config.public_base_url,
        bank_name=config.bank_name or bank.profile().name,
        hasher=hasher,
        session_idle=timedelta(minutes=config.session_idle_minutes),
        session_absolute=timedelta(hours=config.session_absolute_hours),
        cooling_off=timedelta(hours=config.registration_cooling_off_hours),
    )
    scenarios = ScenarioService.build(app_redis, clock)
    try:
        if scenarios.seed(config.bank_name or bank.profile().name):
            log.info("mfa: stored the out-of-the-box scenarios")
    except RedisError as exc:  # the next start seeds; until then money movements fail closed
        log.warning("mfa: out-of-the-box scenarios not stored yet: %s", exc)
    services = Services(
        config=config,
        redis=app_redis,
        rq_redis=rq_redis,
        queue=queue,
        bank=bank,
        messenger=messenger,
        edge=EdgeStore(app_redis, Sealer(config.secret_key)),
        auth=auth,
        scenarios=scenarios,
        stepup=build_stepup(auth, ChallengeStore(app_redis)),
        clock=clock,
    )
    # Jobs run by this process (the in-process worker, a forked worker's jobs) use these services.
    job_context.install(services.job_context())
    if config.redis_url is None:
        services.embedded_worker = EmbeddedWorker(rq_redis, list(QUEUES))
        services.embedded_worker.start()
    return services


def create_app(config: Config | None = None, services: Services | None = None) -> Flask:
    """The Flask app factory: gunicorn calls it as ``app:create_app()``."""
    from bot.routes import register_blueprints

    if config is None:
        config = services.config if services else Config.from_env()
    _configure_logging()
    for name in unknown_variables(os.environ):
        log.warning("config: %s is set but Teller does not read it (a typo?)", name)
    if services is None:
        services = build_services(config)
    app = Flask(__name__, template_folder="templates", static_folder="static")
    if config.proxy_hops:
        # Behind a TLS-terminating proxy: the client's address (rate limits, login history)
        # and scheme come from the X-Forwarded-* headers the trusted proxies set.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = config.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.config.update(SECRET_KEY=config.secret_key, MAX_CONTENT_LENGTH=64 * 1024)
    app.extensions["teller"] = services
    register_blueprints(app)
    from auth import api as token_api
    from auth import pages as secure_pages

    secure_pages.init_app(app.config, secure_cookies=config.public_base_url.startswith("https"))
    secure_pages.csrf.init_app(app)
    app.register_blueprint(secure_pages.bp)
    app.register_blueprint(token_api.bp)
    from admin import api as admin_api

    app.register_blueprint(admin_api.bp)
    from bank.cli import bank_cli

    app.cli.add_command(bank_cli)
    from auth.cli import auth_cli

    app.cli.add_command(auth_cli)
    _announce(services)
    return app


def _configure_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )


def _announce(services: Services) -> None:
    config = services.config
    if config.redis_url is None:
        log.info("embedded mode: in-memory Redis, in-process worker thread, dev outbox messenger")
        log.info("demo bank %s from %s", services.bank_name, config.bank_database)
    else:
        log.info(
            "%s mode: Redis at %s, messenger %s",
            config.env,
            _redacted(config.redis_url),
            config.messenger,
        )
    if not config.is_production:
        log.info("chat simulator: %s/simulator", config.public_base_url)


def _redacted(url: str) -> str:
    """A Redis URL without its password, for logs."""
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(parsed.password, "***")
    return url


def main() -> None:
    """``python -m app``: serve the embedded default on 127.0.0.1:5000 (what ``make run`` does)."""
    port = int(os.environ.get("PORT", "5000"))
    # Links in replies must reach this server: default the public URL to the port it serves.
    os.environ.setdefault("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}")
    try:
        app = create_app()
    except (ConfigError, SeedError) as exc:
        # An operator's mistake, not a crash: say what is wrong, without a traceback.
        raise SystemExit(f"Teller cannot start: {exc}") from None
    from bot.access_log import RedactingFilter

    logging.getLogger("werkzeug").addFilter(RedactingFilter())  # its request lines hold tokens
    app.run(host="127.0.0.1", port=port, threaded=True)


if __name__ == "__main__":
    main()
