"""The identity service: one object over the stores that the bot (through ``auth.ports.Identity``),
the secure pages and the token API share. It holds no state of its own; time comes from the
clock it is given, so tests freeze it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal

from redis import Redis

from auth.cooling_off import CoolingOff, CoolingOffSettings
from auth.page_texts import say
from auth.pins import SecretHasher
from auth.ports import IssuedLink, LinkRefused, LoginRecord, Status, TokenCheck
from auth.stores.audit import AuditLog
from auth.stores.codes import Codes
from auth.stores.credentials import CredentialStore, LoginIdTaken, login_id_problems
from auth.stores.history import LoginHistory
from auth.stores.languages import LanguageStore
from auth.stores.links import Link, LinkStore, Purpose
from auth.stores.lockout import Kind, Lockouts, Strike
from auth.stores.ratelimit import LINK_REQUESTS, RateLimited, RateLimiter
from auth.stores.sessions import ABSOLUTE, IDLE, Sessions
from bank.ports import CoreBanking
from messaging import Channel, Messenger, MessengerError, Notifier
from messaging.languages import SOURCE, speaking
from messaging.masking import mask_phone
from messaging.notices import (
    SECURITY_NOTICES,
    STAFF_NOTICES,
    block_reason,
    help_line,
    render_notice,
)

log = logging.getLogger("teller.auth")

# Sent per day while the cooling-off runs: a stolen phone's new registration can't empty accounts.
COOLING_OFF_DAILY_CAP = Decimal("200.00")
CHANNEL = "whatsapp"  # the only chat channel so far; audit entries name it


@dataclass
class AuthService:
    """Implements ``auth.ports.Identity`` for the bot; the pages and the API use the rest."""

    credentials: CredentialStore
    sessions: Sessions
    lockouts: Lockouts
    links: LinkStore
    codes: Codes
    limiter: RateLimiter
    audit: AuditLog
    history: LoginHistory
    hasher: SecretHasher
    bank: CoreBanking
    messenger: Messenger  # SMS and email: codes and security notices
    notifier: Notifier  # the customer's WhatsApp, by the path its window allows
    clock: Callable[[], datetime]
    base_url: str
    bank_name: str
    cooling: CoolingOffSettings  # lower limits after registering (changed at run time)
    zone: tzinfo = UTC  # the bank's clock: every time a notice or page shows is on it
    languages: LanguageStore | None = None  # each number's language; None: English for all

    @classmethod
    def build(
        cls,
        redis: Redis,
        *,
        pepper: str,
        previous_pepper: str | None = None,
        bank: CoreBanking,
        messenger: Messenger,
        notifier: Notifier,
        clock: Callable[[], datetime],
        base_url: str,
        bank_name: str,
        hasher: SecretHasher | None = None,
        session_idle: timedelta = IDLE,
        session_absolute: timedelta = ABSOLUTE,
        cooling_off: timedelta = timedelta(hours=24),
        cooling_off_cap: Decimal = COOLING_OFF_DAILY_CAP,
        zone: tzinfo = UTC,
    ) -> AuthService:
        return cls(
            credentials=CredentialStore(redis),
            sessions=Sessions(redis, session_idle, session_absolute),
            lockouts=Lockouts(redis),
            links=LinkStore(redis),
            codes=Codes(redis, pepper, previous_pepper),
            limiter=RateLimiter(redis),
            audit=AuditLog(redis),
            history=LoginHistory(redis),
            hasher=hasher or SecretHasher(pepper, previous=previous_pepper),
            bank=bank,
            messenger=messenger,
            notifier=notifier,
            clock=clock,
            base_url=base_url,
            bank_name=bank_name,
            cooling=CoolingOffSettings(
                redis, CoolingOff(int(cooling_off.total_seconds() // 3600), cooling_off_cap), bank
            ),
            zone=zone,
            languages=LanguageStore(redis),
        )

    def language(self, msisdn: str) -> str:
        """The number's language (``auth.stores.languages``): its notices are written in it."""
        return self.languages.get(msisdn) if self.languages is not None else SOURCE

    @property
    def cooling_off(self) -> timedelta:
        """How long the lower limits after registering last, as set now."""
        return self.cooling.get().period

    @property
    def cooling_off_cap(self) -> Decimal:
        """What may be sent a day while the cooling-off runs, as set now."""
        return self.cooling.get().cap

    # --- the bot's port (auth.ports.Identity) ---

    def check(self, msisdn: str) -> TokenCheck:
        return self.sessions.check(msisdn, self.clock())

    def link(self, msisdn: str, customer_id: str, purpose: str) -> IssuedLink:
        issued = self._issue(msisdn, customer_id, Purpose(purpose))
        return IssuedLink(self.url_for(issued), issued.minutes)

    def _issue(self, msisdn: str, customer_id: str, purpose: Purpose) -> Link:
        """A new one-time link (rate-limited per number; audited)."""
        now = self.clock()
        try:
            self.limiter.hit(LINK_REQUESTS, msisdn, now)
        except RateLimited as exc:
            raise LinkRefused(exc.retry_after_s) from exc
        issued = self.links.issue(purpose, msisdn, customer_id, now)
        self.audit.record(
            "link_issued",
            at=now,
            customer_id=customer_id,
            msisdn=msisdn,
            channel=CHANNEL,
            result="ok",
            purpose=purpose.value,
        )
        return issued

    def card_pin_link(self, msisdn: str, customer_id: str, card_id: str) -> IssuedLink:
        """A one-time page to set a card's new PIN (after the card's step-up)."""
        issued = self.links.save_state(
            self._issue(msisdn, customer_id, Purpose.CARD_PIN), {"card_id": card_id}
        )
        return IssuedLink(self.url_for(issued), issued.minutes)

    def claim_login_link(self, msisdn: str, customer_id: str, claim_id: str) -> IssuedLink:
        """A one-time login page that pays the claim into the customer's wallet once they log
        in (``auth.claims``): the chat login's rules, bound to the claim."""
        issued = self.links.save_state(
            self._issue(msisdn, customer_id, Purpose.CLAIM), {"claim_id": claim_id}
        )
        return IssuedLink(self.url_for(issued), issued.minutes)

    def logout(
        self, msisdn: str, customer_id: str, *, everywhere: bool = False, channel: str = CHANNEL
    ) -> bool:
        had_session = self.sessions.revoke(msisdn)
        if everywhere:
            self.links.revoke_all(msisdn)
        self.audit.record(
            "logout_everywhere" if everywhere else "logout",
            at=self.clock(),
            customer_id=customer_id,
            msisdn=msisdn,
            channel=channel,
            result="ok" if had_session else "no_session",
        )
        return had_session

    def recent_logins(self, msisdn: str, limit: int = 5) -> list[LoginRecord]:
        return self.history.recent(msisdn, limit)

    def cooling_off_until(self, msisdn: str) -> datetime | None:
        """When the post-registration cooling-off ends, if it is still running."""
        creds = self.credentials.get(msisdn)
        if creds is None:
            return None
        ends = creds.registered_at + self.cooling.get().period
        return ends if ends > self.clock() else None

    def login_id_problems(self, msisdn: str, login_id: str) -> list[str]:
        """Why ``login_id`` can't become this customer's new chat-banking ID (empty: it can)."""
        problems = login_id_problems(login_id, msisdn)
        owner = None if problems else self.credentials.owner_of(login_id)
        if owner is not None and owner != msisdn:
            problems.append(say("problem.login_id.taken"))
        return problems

    def change_login_id(self, msisdn: str, customer_id: str, login_id: str) -> list[str]:
        """Change the chat-banking ID (after the step-up); notify by SMS and audit."""
        problems = self.login_id_problems(msisdn, login_id)
        if not problems:
            try:
                self.credentials.change_login_id(msisdn, login_id)
            except LoginIdTaken:
                problems = [say("problem.login_id.taken")]
        result = "failure" if problems else "success"
        self.audit.record(
            "login_id_change",
            at=self.clock(),
            customer_id=customer_id,
            msisdn=msisdn,
            channel=CHANNEL,
            result=result,
        )
        if not problems:
            self.notify(msisdn, "login_id_changed")
        return problems

    def daily_cap(self, msisdn: str) -> Decimal | None:
        """The lowest daily cap in force: the customer's own limit, and the cooling-off cap
        while it runs. None: only the KYC level's limits apply."""
        # One round trip for both (two slots: no MULTI; nothing is written). The cooling-off
        # is read for every movement: a change made in the console applies to the next one.
        pipe = self.credentials.redis.pipeline(transaction=False)
        self.credentials.queue_limit_facts(pipe, msisdn)
        self.cooling.queue_get(pipe)
        facts, settings = pipe.execute()
        registered, own = self.credentials.limit_facts_of(facts)
        caps = [own]
        if registered is not None:
            cooling = self.cooling.of(settings)
            if registered + cooling.period > self.clock():
                caps.append(cooling.cap)
        found = [c for c in caps if c is not None]
        return min(found) if found else None

    def personal_limit(self, msisdn: str) -> Decimal | None:
        return self.credentials.personal_limit(msisdn)

    def set_personal_limit(self, msisdn: str, customer_id: str, limit: Decimal | None) -> None:
        """Set (or with None remove) the customer's own daily limit; audited, SMS notice."""
        self.credentials.set_personal_limit(msisdn, limit)
        self.audit.record(
            "daily_limit_change",
            at=self.clock(),
            customer_id=customer_id,
            msisdn=msisdn,
            channel=CHANNEL,
            result="success",
            amount=f"{limit:.2f}" if limit is not None else "removed",
        )
        self.notify(msisdn, "limit_changed")

    # --- shared by the pages ---

    def url_for(self, link: Link) -> str:
        return f"{self.base_url}/secure/{link.purpose.value}/{link.token}"

    def open_link(self, token: str, purpose: Purpose) -> Link | None:
        return self.links.get(token, purpose, self.clock())

    def audit_link(
        self, link: Link, event: str, result: str, channel: str = "web", **detail: str
    ) -> None:
        """Audit what happened on a secure page, for the link's customer."""
        self.audit.record(
            event,
            at=self.clock(),
            customer_id=link.customer_id,
            msisdn=link.msisdn,
            channel=channel,
            result=result,
            **detail,
        )

    def fail(self, link: Link, kind: Kind, event: str, address: str, **detail: str) -> Strike:
        """Count a failed attempt, audit it, and audit the block it may cause."""
        strike = self.lockouts.failure(link.msisdn, kind, self.clock())
        remaining = str(strike.remaining)
        self.audit_link(link, event, "failure", address=address, remaining=remaining, **detail)
        if strike.blocked_until is not None:
            until = strike.blocked_until
            reason = f"5 wrong {kind.value} attempts"
            self.audit_link(link, "block", "blocked", reason=reason, until=until.isoformat())
            self.notify_block(link.msisdn, kind, until)
        return strike

    def blocked_until(self, msisdn: str) -> datetime | None:
        return self.lockouts.any_block(msisdn, self.clock())

    def block_of(self, msisdn: str) -> tuple[str, datetime | None] | None:
        """What blocks chat banking on this number now — (a lockout's kind or ``bank``, until
        when; None: until the bank lifts it) — as the token check answers it, or None."""
        check = self.sessions.check(msisdn, self.clock(), extend=False)
        if check.status is not Status.BLOCKED:
            return None
        return check.blocked_by, check.blocked_until

    def help_line(self) -> str:
        """The number a blocked or worried customer should call (the bank's fraud line)."""
        profile = self.bank.profile()
        return help_line(profile.fraud_phone, profile.phone)

    def start_session(self, link: Link, address: str, user_agent: str, event: str) -> None:
        now = self.clock()
        self.sessions.create(link.msisdn, now)
        self.lockouts.success(link.msisdn, Kind.PIN)
        self.history.add(link.msisdn, now, address, user_agent)
        self.audit_link(link, event, "success", address=address)

    def notify(self, msisdn: str, what: str, until: datetime | None = None) -> None:
        """A security notice by SMS to the registered number; a failure is logged, not raised."""
        if what not in SECURITY_NOTICES:
            raise KeyError(what)
        when = until or self.clock()
        text = render_notice(
            what, zone=self.zone, language=self.language(msisdn), bank=self.bank_name, when=when
        )
        self._sms(msisdn, what, text)

    def notify_staff(self, msisdn: str, what: str) -> None:
        """The SMS that the bank's staff changed this number's chat banking (blocked, restored,
        registration reset), with whom to call; a failure is logged, not raised."""
        if what not in STAFF_NOTICES:
            raise KeyError(what)
        text = render_notice(
            what,
            zone=self.zone,
            language=self.language(msisdn),
            bank=self.bank_name,
            when=self.clock(),
            phone=self.help_line(),
        )
        self._sms(msisdn, what, text)

    def notify_block(self, msisdn: str, kind: str, until: datetime) -> None:
        """The SMS that a lockout of ``kind`` now blocks chat banking until ``until``: why, till
        when on the bank's clock, and whom to call (the chat and the page say the same)."""
        language = self.language(msisdn)
        with speaking(language):  # the reason too
            reason = block_reason(kind)
        text = render_notice(
            "blocked",
            zone=self.zone,
            language=language,
            bank=self.bank_name,
            when=until,
            reason=reason,
            phone=self.help_line(),
        )
        self._sms(msisdn, "blocked", text)

    def _sms(self, msisdn: str, what: str, text: str) -> None:
        try:
            self.messenger.send(Channel.SMS, msisdn, text)
        except MessengerError as exc:
            log.warning("notice %s to %s not sent: %s", what, mask_phone(msisdn), exc)

    def messenger_send_code(
        self, msisdn: str, code: str, expires: datetime, notice: str = "register_code"
    ) -> None:
        """The registration (or wallet-opening) code, by SMS to the number (never into the chat)."""
        text = render_notice(
            notice,
            zone=self.zone,
            language=self.language(msisdn),
            bank=self.bank_name,
            code=code,
            expires=expires,
        )
        self.messenger.send(Channel.SMS, msisdn, text)
