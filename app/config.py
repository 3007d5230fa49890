"""Every setting Teller reads from the environment, parsed and checked once at start.

Unknown or unsafe values fail fast with one message per problem (``ConfigError``); production is
held to real secrets. Nothing here creates a client: ``app.services`` does that.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

import phonenumbers

from bank.seed_validate import is_timezone

ROOT = Path(__file__).resolve().parents[1]  # the checkout: the bank seeds, templates, static
DEMO_SEED = ROOT / "bank" / "seeds" / "demo.json"

# Development-only defaults: production refuses every one of them (see Config.problems).
DEV_SECRETS = {
    "SECRET_KEY": "dev-secret-key-not-for-production",
    "TWILIO_AUTH_TOKEN": "dev-twilio-auth-token-0000000000",
    "PIN_PEPPER": "dev-pin-pepper-not-for-production",
    "AUTH_API_KEY": "dev-auth-api-key-not-for-production",
    "ADMIN_API_KEY": "dev-admin-api-key-not-for-production",
}
# During a key rotation the old value stays readable (never used to make anything new) until
# what it made has expired: docs/operations.md, "Rotating keys".
ROTATING = ("SECRET_KEY_PREVIOUS", "PIN_PEPPER_PREVIOUS")
KNOWN_VARIABLES = frozenset(
    {
        "REDIS_URL",
        "TELLER_ENV",
        "PUBLIC_BASE_URL",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_WHATSAPP_FROM",
        "TWILIO_SMS_FROM",
        "TWILIO_TIMEOUT_SECONDS",
        "MESSENGER",
        "SMTP_URL",
        "BANK_DATABASE",
        "BANK_SEED",
        "BANK_NAME",
        "BANK_TIMEZONE",
        "DEFAULT_CURRENCY",
        "CONVERSATION_IDLE_MINUTES",
        "SESSION_IDLE_MINUTES",
        "SESSION_ABSOLUTE_HOURS",
        "REGISTRATION_COOLING_OFF_HOURS",
        "REGISTRATION_COOLING_OFF_CAP",
        "WALLET_MINIMUM_AGE",
        "PROXY_HOPS",
        "MEDIA_TTL_MINUTES",
        "DOCUMENT_PASSWORD",
        "STEPUP_STARTS_PER_HOUR",
        "AUDIT_RETENTION_DAYS",
        "ADMIN_FOUR_EYES",
        "LOG_FORMAT",
        "METRICS_TOKEN",
        *ROTATING,
        "TELLER_OUTBOX_CONTENT",
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
    # Each Twilio REST call's connect and read timeout: well inside the 10 s customer lock and
    # gunicorn's 30 s worker timeout (Twilio's own default is to wait for ever).
    twilio_timeout_seconds: int = 5
    messenger: Literal["twilio", "outbox"] = "outbox"
    smtp_url: str | None = None
    bank_database: str = "var/bank.sqlite3"
    bank_seed: str | None = str(DEMO_SEED)
    pin_pepper: str = DEV_SECRETS["PIN_PEPPER"]
    # The values being rotated out: they still open and verify what they made, never make more.
    secret_key_previous: str | None = None
    pin_pepper_previous: str | None = None
    auth_api_key: str = DEV_SECRETS["AUTH_API_KEY"]
    admin_api_key: str = DEV_SECRETS["ADMIN_API_KEY"]
    bank_name: str | None = None
    default_currency: str | None = None  # only names the currency of an empty bank
    bank_timezone: str | None = None  # overrides the bank's own time zone (its seed's)
    conversation_idle_minutes: int = 15
    session_idle_minutes: int = 5
    session_absolute_hours: int = 12
    registration_cooling_off_hours: int = 24
    # Sent per day while the cooling-off runs, in the bank's currency (unset: 200.00); at most
    # the bank's KYC level 1 daily limit (checked against the bank at start: app.services).
    registration_cooling_off_cap: Decimal | None = None
    wallet_minimum_age: int = 18  # the youngest a person opening a wallet in the chat may be
    proxy_hops: int = 0  # trusted reverse proxies in front (for client addresses and https)
    media_ttl_minutes: int = 10  # how long a rendered document waits for Twilio to fetch it
    # DOCUMENT_PASSWORD: how PDFs open. random (by SMS), or dob (DDMMYYYY): weaker, opt-in.
    document_unlock: Literal["random", "dob"] = "random"
    stepup_starts_per_hour: int = 10  # distinct requests challenged an hour (resends don't count)
    audit_retention_days: int = 400  # audit entries older are dropped by `audit trim`
    # Four eyes: a change to a scenario, the MFA configuration or a KYC level (and a customer's
    # KYC level) takes effect only once a second staff member approves it. On in production.
    admin_four_eyes: bool = False
    # LOG_FORMAT: json lines for a log collector (production's default) or text for a terminal.
    log_format: Literal["json", "text"] = "text"
    # METRICS_TOKEN: the Bearer token /metrics asks for; unset, /metrics is 404 in production
    # and open in development. PROMETHEUS_MULTIPROC_DIR (prometheus-client's own) is checked.
    metrics_token: str | None = None
    metrics_dir: str | None = None
    # TELLER_OUTBOX_CONTENT: with the dev outbox, register the button and list templates
    # locally at start (what `whatsapp sync-content` does against Twilio), so the simulator
    # shows them. Off: replies stay text, as with Twilio before a sync.
    outbox_content: bool = False

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
        cap_text = get("REGISTRATION_COOLING_OFF_CAP")
        cooling_off_cap = _amount(cap_text) if cap_text else None
        if cap_text and cooling_off_cap is None:
            problems.append(
                "REGISTRATION_COOLING_OFF_CAP: must be an amount in the bank's currency, more "
                "than 0 with at most 2 decimals, such as 200.00"
            )
        proxy_hops = whole("PROXY_HOPS", 0, 0, 5)
        # Twilio fetches media within seconds; an hour is already generous for a document URL.
        media_ttl = whole("MEDIA_TTL_MINUTES", 10, 1, 60)
        unlock = get("DOCUMENT_PASSWORD") or "random"
        if unlock not in ("random", "dob"):
            problems.append(f"DOCUMENT_PASSWORD: must be random or dob, not {unlock!r}")
        four_eyes = get("ADMIN_FOUR_EYES") or ("on" if production else "off")
        if four_eyes not in ("on", "off"):
            problems.append(f"ADMIN_FOUR_EYES: must be on or off, not {four_eyes!r}")
        outbox_content = get("TELLER_OUTBOX_CONTENT") or "off"
        if outbox_content not in ("on", "off"):
            problems.append(f"TELLER_OUTBOX_CONTENT: must be on or off, not {outbox_content!r}")
        elif outbox_content == "on" and messenger != "outbox":
            problems.append(
                "TELLER_OUTBOX_CONTENT: only with MESSENGER=outbox (with Twilio, run "
                "`flask --app app whatsapp sync-content` instead)"
            )
        log_format = (get("LOG_FORMAT") or ("json" if production else "text")).lower()
        if log_format not in ("json", "text"):
            problems.append(f"LOG_FORMAT: must be json or text, not {log_format!r}")
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
            twilio_timeout_seconds=whole("TWILIO_TIMEOUT_SECONDS", 5, 1, 20),
            messenger="twilio" if messenger == "twilio" else "outbox",
            smtp_url=get("SMTP_URL"),
            bank_database=get("BANK_DATABASE") or cls.bank_database,
            bank_seed=get("BANK_SEED") or (None if production else str(DEMO_SEED)),
            pin_pepper=secrets["PIN_PEPPER"],
            secret_key_previous=get("SECRET_KEY_PREVIOUS"),
            pin_pepper_previous=get("PIN_PEPPER_PREVIOUS"),
            auth_api_key=secrets["AUTH_API_KEY"],
            admin_api_key=secrets["ADMIN_API_KEY"],
            bank_name=get("BANK_NAME"),
            default_currency=get("DEFAULT_CURRENCY"),
            bank_timezone=get("BANK_TIMEZONE"),
            conversation_idle_minutes=idle,
            session_idle_minutes=session_idle,
            session_absolute_hours=session_absolute,
            registration_cooling_off_hours=cooling_off,
            registration_cooling_off_cap=cooling_off_cap,
            # 16 is the youngest any bank lets a person hold a wallet alone; 25 the oldest rule.
            wallet_minimum_age=whole("WALLET_MINIMUM_AGE", 18, 16, 25),
            proxy_hops=proxy_hops,
            media_ttl_minutes=media_ttl,
            document_unlock="dob" if unlock == "dob" else "random",
            stepup_starts_per_hour=whole("STEPUP_STARTS_PER_HOUR", 10, 3, 60),
            # At least 90 days (PCI DSS 10.5.1 keeps 3 months at hand, a year in all).
            audit_retention_days=whole("AUDIT_RETENTION_DAYS", 400, 90, 10 * 366),
            admin_four_eyes=four_eyes != "off",
            log_format="json" if log_format == "json" else "text",
            metrics_token=get("METRICS_TOKEN"),
            metrics_dir=get("PROMETHEUS_MULTIPROC_DIR"),
            outbox_content=outbox_content == "on" and messenger == "outbox",
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
        found += _bank_database_problems(self.bank_database)
        if self.redis_url and urlparse(self.redis_url).scheme not in ("redis", "rediss", "unix"):
            found.append("REDIS_URL: must start with redis://, rediss:// or unix://")
        if self.bank_timezone and not is_timezone(self.bank_timezone):
            found.append("BANK_TIMEZONE: must be an IANA time zone such as Africa/Lagos")
        cap = self.registration_cooling_off_cap
        if cap is not None and not (cap > 0 and cap == cap.quantize(Decimal("0.01"))):
            found.append("REGISTRATION_COOLING_OFF_CAP: must be more than 0, at most 2 decimals")
        if self.default_currency and not re.fullmatch(r"[A-Z]{3}", self.default_currency):
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
        found += _metrics_problems(self.metrics_token, self.metrics_dir, self.is_production)
        found += self._rotation_problems()
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

    def _rotation_problems(self) -> list[str]:
        """A previous value must differ from the current one and, in production, be a real
        secret too (a development default there would let anyone forge what it verifies)."""
        found: list[str] = []
        pairs = (
            ("SECRET_KEY", self.secret_key, self.secret_key_previous),
            ("PIN_PEPPER", self.pin_pepper, self.pin_pepper_previous),
        )
        for name, current, previous in pairs:
            if previous is None:
                continue
            if previous == current:
                found.append(
                    f"{name}_PREVIOUS: is the same as {name}; set {name} to the new value and "
                    f"{name}_PREVIOUS to the old one, or unset {name}_PREVIOUS"
                )
            elif self.is_production and (
                previous == DEV_SECRETS[name] or len(previous) < MIN_SECRET_LENGTH
            ):
                found.append(
                    f"{name}_PREVIOUS: must be a real secret of at least {MIN_SECRET_LENGTH} "
                    "characters in production"
                )
        return found

    def _secrets(self) -> dict[str, str]:
        return {
            "SECRET_KEY": self.secret_key,
            "TWILIO_AUTH_TOKEN": self.twilio_auth_token,
            "PIN_PEPPER": self.pin_pepper,
            "AUTH_API_KEY": self.auth_api_key,
            "ADMIN_API_KEY": self.admin_api_key,
        }


def _amount(text: str) -> Decimal | None:
    """An amount setting (plain digits, more than 0, at most 2 decimals: the bank's currency is
    implied), or None if the text can't be one."""
    if not re.fullmatch(r"[0-9]{1,12}(?:\.[0-9]{1,2})?", text) or Decimal(text) <= 0:
        return None
    return Decimal(text).quantize(Decimal("0.01"))


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


def _bank_database_problems(value: str) -> list[str]:
    """BANK_DATABASE is the demo bank's SQLite file: a path. A URL (``postgresql://…``,
    ``sqlite:///…``) is refused rather than taken for a folder name (it once created a folder
    named ``postgresql:`` and kept the bank there, saying nothing)."""
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", value)
    if "://" in value or (scheme and len(scheme.group(1)) > 1):
        kind = scheme.group(1) if scheme else "a URL"
        return [
            f"BANK_DATABASE: {kind} URLs are not supported; set the path of the demo bank's "
            "SQLite file, such as var/bank.sqlite3"
        ]
    if not value.strip() or "\0" in value:
        return ["BANK_DATABASE: must be the path of a SQLite file, such as var/bank.sqlite3"]
    return []


def _metrics_problems(token: str | None, folder: str | None, production: bool) -> list[str]:
    """METRICS_TOKEN is a secret like the others (held to their length in production);
    PROMETHEUS_MULTIPROC_DIR must be a folder this process can write (each process keeps its
    values there: a wrong one would lose them, or fail at the first count)."""
    found = []
    if token is not None and (len(token) < MIN_SECRET_LENGTH if production else len(token) < 16):
        least = MIN_SECRET_LENGTH if production else 16
        found.append(f"METRICS_TOKEN: must be a real secret of at least {least} characters")
    if folder is not None and not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
        found.append(
            "PROMETHEUS_MULTIPROC_DIR: must be an existing folder Teller can write (create it, "
            "empty, before the processes start)"
        )
    return found
