"""The service graph: the one place that creates clients and long-lived objects.

``build_services`` creates Redis clients, the RQ queues, the bank adapter, the messenger, the
identity and step-up services, the conversation dispatcher and everything the web and job sides
share, once per process. Everything else receives what it needs as arguments.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from redis import Redis, RedisError
from rq import Queue
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from admin.approvals.build import build_changes
from admin.approvals.changes import Changes
from admin.staff.accounts import StaffAccounts
from admin.staff.token_records import derive_key as token_key
from admin.staff.tokens import StaffTokens
from app.bank_facts import BankFacts, bank_facts, cooling_off_cap
from app.config import Config, ConfigError
from app.redis_settings import warn_about_redis
from app.redis_topology import RedisClients, redis_clients
from auth.care import CustomerCare
from auth.kyc.service import KycUpgrades
from auth.lookups import NameLookups
from auth.onboarding import Onboarding
from auth.onboarding_mfa import MEETABLE
from auth.pins import SecretHasher
from auth.ports import StepUpRequest
from auth.scenarios.evaluate import Decision
from auth.scenarios.model import ONBOARDING_SEGMENT
from auth.scenarios.service import ScenarioService
from auth.service import AuthService
from auth.stepup import StepUpService, build_stepup
from auth.stepup.challenges import ChallengeStore
from bank.demo import SqlBank
from bank.engines import describe, open_bank
from bank.limits import kyc_guard
from bank.national_id import RegistryVerifier
from bank.ports import BankUnavailable
from bank.seed import SeedError, load_file
from bot.claim_notice import ClaimNotifier
from bot.content.wiring import interactive_replies
from bot.dispatch import Dispatcher
from bot.effects import EffectRunner
from bot.messenger import OutboxMessenger, SmtpMailer, TwilioMessenger
from bot.outbound import ProactiveSender, TemplateMessenger
from bot.sealed import Sealer
from bot.store import EdgeStore
from bot.twilio_http import RetryAfterHttp
from messaging import Messenger
from messaging.keys import secrets_of
from receipts.verification import derive_key
from workers import context as job_context
from workers.context import JobContext
from workers.embedded import EmbeddedWorker
from workers.media import MediaStore
from workers.queues import DEFAULT_QUEUE, QUEUES, queue_for

log = logging.getLogger("teller")


@dataclass
class Services:
    """The service graph one process shares: built once by build_services()."""

    config: Config
    redis: Redis
    rq_redis: Redis  # bytes replies, on the queue's Redis: RQ's queues and the media
    redis_clients: RedisClients  # both clients, and every master (/readyz, the settings check)
    queue: Queue
    bank: SqlBank
    messenger: Messenger
    outbound: ProactiveSender  # the one path of proactive WhatsApp messages (bot.outbound)
    edge: EdgeStore
    auth: AuthService
    scenarios: ScenarioService
    changes: Changes  # four eyes: every staff change to scenarios, MFA configuration, KYC
    stepup: StepUpService
    validator: RequestValidator
    claims: ClaimNotifier
    effects: EffectRunner
    dispatcher: Dispatcher
    facts: BankFacts
    clock: Callable[[], datetime]
    kyc: KycUpgrades  # KYC upgrades with documents: the upload page, the review queue
    embedded_worker: EmbeddedWorker | None = None

    @property
    def bank_name(self) -> str:
        return self.facts.name

    @property
    def currency(self) -> str:
        return self.facts.currency

    @cached_property
    def zone(self) -> ZoneInfo:
        """The bank's clock (its time zone, or BANK_TIMEZONE)."""
        return ZoneInfo(self.facts.timezone)

    @property
    def resume(self) -> Callable[[str], bool]:
        """Carry on with the chat after a secure page succeeded (``Dispatcher.resume``)."""
        return self.dispatcher.resume

    @property
    def welcome(self) -> Callable[[str], bool]:
        """Tell a new wallet's owner in the chat what they can do (``Dispatcher.welcome``)."""
        return self.dispatcher.welcome

    @cached_property
    def onboarding(self) -> Onboarding:
        """Opening a wallet on the secure page, checked by the demo national ID registry."""
        verifier = RegistryVerifier(self.bank.national_id_record)
        return Onboarding(self.auth, verifier, self.config.wallet_minimum_age, self._onboarding_mfa)

    def _onboarding_mfa(self, msisdn: str) -> Decision:
        """What the Customer Onboarding scenarios ask of a wallet opening (``auth.onboarding_mfa``:
        for a person who can receive an SMS code and an email code, nothing else yet)."""
        request = StepUpRequest(action="LOGIN", segment=ONBOARDING_SEGMENT)
        facts = self.stepup.facts.read(msisdn, self.clock())
        return facts.decide(request, MEETABLE)

    def redis_masters(self) -> list[Redis]:
        """A client of each Redis master in use now (``/readyz`` pings each)."""
        return [master.client for master in self.redis_clients.masters()]

    def close(self) -> None:
        if self.embedded_worker is not None:
            self.embedded_worker.stop()
        self.bank.close()  # a PostgreSQL bank's pool: its connections and threads

    @cached_property
    def care(self) -> CustomerCare:
        """Staff actions on a customer's chat banking: the commands, the console and the API."""
        return CustomerCare(self.auth, self.stepup.challenges)

    @cached_property
    def media(self) -> MediaStore:
        """Rendered documents waiting for Twilio (``GET /media/<token>``)."""
        ttl = timedelta(minutes=self.config.media_ttl_minutes)
        config = self.config
        return MediaStore(
            self.rq_redis, config.secret_key, ttl, self.clock, config.secret_key_previous
        )

    @cached_property
    def staff(self) -> StaffAccounts:
        """Staff accounts and their console sessions (``admin.staff``)."""
        config = self.config
        return StaffAccounts(
            self.redis,
            self.auth.hasher,
            config.secret_key,
            config.public_base_url,
            self.clock,
            self.bank_name,
            previous_secret_key=config.secret_key_previous,
        )

    @cached_property
    def tokens(self) -> StaffTokens:
        """Staff's personal API tokens (``admin.staff.tokens``), owned by ``staff`` accounts."""
        key = token_key(self.config.secret_key)
        previous = self.config.secret_key_previous
        return StaffTokens(
            self.redis,
            key,
            self.clock,
            self.auth.audit,
            self.staff,
            previous_key=token_key(previous) if previous else None,
        )

    @cached_property
    def verify_key(self) -> bytes:
        """The receipts' verification-code key, derived from SECRET_KEY for that use only."""
        return derive_key(self.config.secret_key)

    @cached_property
    def verify_keys(self) -> tuple[bytes, ...]:
        """What a typed verification code is checked against: the current key and, during a
        SECRET_KEY rotation, the previous one (receipts printed before it)."""
        return tuple(
            derive_key(secret)
            for secret in secrets_of(self.config.secret_key, self.config.secret_key_previous)
        )

    def job_context(self) -> JobContext:
        """What jobs in this process use (``workers.context``)."""
        config = self.config
        return JobContext(
            bank=self.bank,
            redis=self.redis,
            raw=self.rq_redis,
            messenger=self.messenger,
            notifier=self.outbound,
            window=self.outbound.window,
            media=self.media,
            bank_name=self.bank_name,
            zone=self.zone,
            public_base_url=config.public_base_url,
            verify_key=self.verify_key,
            unlock=config.document_unlock,
            clock=self.clock,
        )


def utc_now() -> datetime:
    return datetime.now(UTC)


def twilio_messenger(config: Config, http_client: Any = None) -> TwilioMessenger:
    """The Twilio adapter. ``http_client``: Twilio's injection point (tests pass one); else its
    own client with ``TWILIO_TIMEOUT_SECONDS`` (its default waits for ever, past the customer
    lock), wrapped to keep a 429's Retry-After for the jobs' retries (the SDK drops it)."""
    http = RetryAfterHttp(http_client or TwilioHttpClient(timeout=config.twilio_timeout_seconds))
    client = Client(config.twilio_account_sid, config.twilio_auth_token, http_client=http)
    return TwilioMessenger(
        client,
        whatsapp_from=config.twilio_whatsapp_from,
        sms_from=config.twilio_sms_from,
        status_callback=f"{config.public_base_url}/whatsapp/status",
        mailer=SmtpMailer(config.smtp_url) if config.smtp_url else None,
        retry_after=http.retry_after,
    )


def build_services(
    config: Config,
    *,
    messenger: TemplateMessenger | None = None,
    clock: Callable[[], datetime] = utc_now,
    twilio_http_client: Any = None,
    hasher: SecretHasher | None = None,
) -> Services:
    """Create every client once. Tests pass a messenger or Twilio HTTP client and a clock."""
    clients = redis_clients(config)
    app_redis, rq_redis = clients.app, clients.raw
    if config.is_production:
        for master in clients.masters():
            warn_about_redis(master.client, master.name)
    queue = queue_for(DEFAULT_QUEUE, rq_redis)
    try:
        bank = open_bank(config.bank_database, clock=clock, guards=[kyc_guard])
    except BankUnavailable as exc:  # a PostgreSQL bank down or unreachable at start
        raise ConfigError(
            [
                f"BANK_DATABASE: {describe(config.bank_database)} did not answer; check that "
                "the database server is running and reachable, and the URL's user, password "
                "and database name"
            ]
        ) from exc
    if config.bank_seed and bank.is_empty():
        try:
            summary = load_file(bank, Path(config.bank_seed))
            log.info("bank: loaded seed %s (%s)", Path(config.bank_seed).name, summary)
        except SeedError:
            if bank.is_empty():  # not a sibling process that loaded it first: a real problem
                raise
    facts = bank_facts(config, bank)
    if messenger is None:
        if config.messenger == "twilio":
            messenger = twilio_messenger(config, http_client=twilio_http_client)
        else:
            messenger = OutboxMessenger(app_redis, clock=clock)
    outbound = ProactiveSender.build(messenger, app_redis, clock, ZoneInfo(facts.timezone))
    auth = AuthService.build(
        app_redis,
        pepper=config.pin_pepper,
        previous_pepper=config.pin_pepper_previous,
        bank=bank,
        messenger=messenger,
        notifier=outbound,
        clock=clock,
        base_url=config.public_base_url,
        bank_name=facts.name,
        hasher=hasher,
        session_idle=timedelta(minutes=config.session_idle_minutes),
        session_absolute=timedelta(hours=config.session_absolute_hours),
        cooling_off=timedelta(hours=config.registration_cooling_off_hours),
        cooling_off_cap=cooling_off_cap(config, bank, facts.currency),
        zone=ZoneInfo(facts.timezone),
    )
    scenarios = ScenarioService.build(app_redis, clock)
    try:
        if scenarios.seed(facts.name):
            log.info("mfa: stored the out-of-the-box scenarios")
    except RedisError as exc:  # the next start seeds; until then money movements fail closed
        log.warning("mfa: out-of-the-box scenarios not stored yet: %s", exc)
    edge = EdgeStore(
        app_redis, Sealer(config.secret_key, previous_secret_key=config.secret_key_previous)
    )
    stepup = build_stepup(auth, ChallengeStore(app_redis), config.stepup_starts_per_hour)
    claims = ClaimNotifier(bank, messenger, rq_redis, config.public_base_url, facts.name)
    effects = EffectRunner(
        app_redis,
        rq_redis,
        auth.limiter,
        clock,
        claims=claims,
        bank=bank,
        identity=auth,
        stepup=stepup,
        audit=auth.audit,
    )
    dispatcher = Dispatcher(
        interactive=interactive_replies(app_redis, messenger, config.outbox_content),
        edge=edge,
        bank=bank,
        identity=auth,
        stepup=stepup,
        notifier=outbound,
        currency=facts.currency,
        zone=ZoneInfo(facts.timezone),
        lookups=NameLookups(auth.limiter, auth.audit, clock),
        bank_name=facts.name,
        public_base_url=config.public_base_url,
        idle=timedelta(minutes=config.conversation_idle_minutes),
        clock=clock,
        effects=effects,
        prefetch_session=True,  # auth's sessions live on app_redis, the edge store's client
    )
    kyc = KycUpgrades.build(
        app_redis,
        config.secret_key,
        auth,
        facts.currency,
        previous_secret_key=config.secret_key_previous,
    )
    services = Services(
        config=config,
        redis=app_redis,
        rq_redis=rq_redis,
        redis_clients=clients,
        queue=queue,
        bank=bank,
        messenger=messenger,
        outbound=outbound,
        edge=edge,
        auth=auth,
        scenarios=scenarios,
        changes=build_changes(
            app_redis,
            scenarios=scenarios,
            audit=auth.audit,
            bank=bank,
            auth=auth,
            clock=clock,
            four_eyes=config.admin_four_eyes,
            on_kyc_level=[kyc.level_applied],
        ),
        stepup=stepup,
        validator=RequestValidator(config.twilio_auth_token),
        claims=claims,
        effects=effects,
        dispatcher=dispatcher,
        facts=facts,
        clock=clock,
        kyc=kyc,
    )
    # Jobs run by this process (the in-process worker, a forked worker's jobs) use these services.
    job_context.install(services.job_context())
    if config.redis_topology == "embedded":
        services.embedded_worker = EmbeddedWorker(rq_redis, list(QUEUES))
        services.embedded_worker.start()
    return services
