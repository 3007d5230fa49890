"""One inbound message, end to end: claim it, run the conversation engine, store, reply.

The order matters for money software: the MessageSid and the customer's lock are claimed before
anything is read, the new conversation and the reply are written together, and a failure in
between gives the message back so a retry can process it. A replayed MessageSid gets the first
reply again and touches nothing.
"""

from __future__ import annotations

import functools
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from auth.ports import Identity, StepUp
from auth.stores.languages import LanguageStore, language_of
from bank.ports import CoreBanking
from bot import twiml
from bot.content.replies import InteractiveReplies
from bot.counting import intent_of
from bot.effects import EffectRunner
from bot.inbound import InboundMessage
from bot.prefetch import Prefetched
from bot.recent_languages import RecentLanguages
from bot.store import Begin, BeginStatus, EdgeStore
from flows import engine
from flows.conversation import Conversation
from flows.effects import SetLanguage
from flows.responses import render_all, template
from flows.router import normalize
from flows.types import Context, Effect, Inbound, NameLookups, Outcome, Reply
from messaging import MessengerError, Notice, Notifier, Path, logs, metrics
from messaging.languages import SOURCE, catalogs, speaking, typed_words
from messaging.masking import mask_phone

log = logging.getLogger("teller.webhook")

WAIT_S = 1.5  # how long to wait for a busy customer or a duplicate in flight (Twilio allows 15 s)
_POLL_S = (0.005, 0.01, 0.02, 0.04, 0.08, 0.1)


class Unfinished(Exception):
    """A message whose handling failed (the failure is ``__cause__``): nothing was stored and
    the message was given back. ``language`` is the customer's as the claim read it (or as this
    process last read it, when the claim failed), so the edge's apology is written in it
    without another round trip."""

    def __init__(self, language: str) -> None:
        super().__init__(language)
        self.language = language


@dataclass(frozen=True)
class Dispatcher:
    """Turns an InboundMessage into TwiML. Redis errors propagate to the view (fail closed)."""

    edge: EdgeStore
    bank: CoreBanking
    identity: Identity
    notifier: Notifier  # the resumed chat's replies are proactive: the window decides their path
    bank_name: str
    public_base_url: str
    idle: timedelta
    clock: Callable[[], datetime]
    currency: str  # the bank's, from the bank (app.services.bank_facts): no default of its own
    zone: tzinfo  # the bank's clock, likewise
    lookups: NameLookups | None = None  # counts and audits look-ups of other people's names
    stepup: StepUp | None = None
    effects: EffectRunner | None = None  # performs the flows' effects (flows.effects)
    interactive: InteractiveReplies | None = None  # buttons and lists, once templates are synced
    # True when ``identity`` is the token service on the edge's Redis (app.services): the
    # session is then read in the claim's round trip and slid in the commit's (bot.prefetch).
    prefetch_session: bool = False
    # The languages last read per number, for the apology when the claim itself fails.
    recent: RecentLanguages = field(default_factory=RecentLanguages)

    @functools.cached_property
    def languages(self) -> LanguageStore:
        """Each number's language, beside its conversation in the edge's Redis."""
        return LanguageStore(self.edge.redis)

    def handle(self, msg: InboundMessage) -> str:
        """The message's TwiML reply. A failure is raised as ``Unfinished`` (the cause
        chained), carrying the language the edge's "try again" is written in: the one the claim
        read, or when the claim itself failed, the one last read for the number here."""
        try:
            begin = self._claim(msg)
        except Exception as exc:  # nothing was claimed (Redis didn't answer)
            raise Unfinished(_answering_in(msg, self.recent.get(msg.msisdn))) from exc
        if begin.status is not BeginStatus.DUPLICATE:  # a duplicate's claim reads no language
            self.recent.note(msg.msisdn, language_of(begin.language))
        if begin.status is BeginStatus.DUPLICATE:
            # The reply first: if waiting for it fails, the request's line is the error's.
            reply = begin.reply or self._wait_for_reply(msg) or twiml.EMPTY
            log.info("inbound %s: duplicate, answered with the stored reply", msg.sid)
            metrics.message("unknown", "duplicate")
            logs.summarized()
            return reply
        if begin.status is BeginStatus.BUSY:
            log.warning("inbound %s from %s: customer busy", msg.sid, mask_phone(msg.msisdn))
            metrics.message("unknown", "busy")
            return self.text_reply("error.busy", language_of(begin.language))
        try:
            return self._process(msg, begin)
        except BaseException as exc:
            # If Redis is gone too, the release is retried until it answers (bot.late_release).
            self.edge.release(msg.msisdn, msg.sid, begin)
            if isinstance(exc, Exception):
                raise Unfinished(_answering_in(msg, language_of(begin.language))) from exc
            raise

    def _text(self, msg: InboundMessage) -> str:
        """The text the engine reads: a tap on a choice Teller offered reads as that choice's
        id (what the customer could have typed); any other message as its Body."""
        if (
            msg.tap
            and self.interactive is not None
            and self.interactive.tapped(msg.msisdn, msg.tap)
        ):
            return msg.tap
        return msg.body

    def text_reply(self, key: str, language: str = SOURCE) -> str:
        """One of the edge's own replies (busy, try again) as TwiML, in ``language``."""
        with speaking(language):
            return twiml.reply([template(key).format(bank=self.bank_name)])

    def _process(self, msg: InboundMessage, begin: Begin) -> str:
        started = time.perf_counter()
        now = self.clock()
        conv = Conversation.from_json(begin.doc)
        typed = self._text(msg)
        language = self._language(msg.msisdn, begin, typed)
        ctx, prefetched = self._context(msg.msisdn, now, begin, language)
        with speaking(language):
            outcome = engine.handle(conv, Inbound(typed, msg.num_media > 0), ctx, self.idle)
            replies = self._perform(outcome, ctx)
        with speaking(_chosen(outcome, language)) as written:
            texts = render_all(replies, self._common())
        # Choices go out as buttons or a list only through the REST API (TwiML can't carry a
        # Content SID): the stored reply is then empty TwiML, and a replay sends nothing.
        plan = self.interactive.plan(replies, texts, written) if self.interactive else None
        xml = twiml.reply(texts) if plan is None else twiml.EMPTY
        doc = None
        if outcome.persist:
            doc = Conversation(outcome.state, outcome.data, now, outcome.hinted).to_json()
        slide = now if prefetched is not None and prefetched.slide else None
        if not self.edge.commit(msg.msisdn, msg.sid, begin, xml, doc, slide):
            # The lock expired or another writer moved the record: keep nothing, ask again.
            self.edge.abort(msg.msisdn, msg.sid, begin)
            log.warning("inbound %s: lost the customer's lock, nothing stored", msg.sid)
            metrics.message(intent_of(outcome), "lost_lock")
            return self.text_reply("error.busy", language)
        if plan is not None and self.interactive is not None:
            unsent = self.interactive.send(msg.msisdn, plan)
            xml = twiml.reply(unsent) if unsent else xml  # what didn't go, as text
        log.info(
            "inbound %s from %s: %s -> %s, %d replies, %.1f ms",
            msg.sid,
            mask_phone(msg.msisdn),
            conv.state,
            outcome.state,
            len(outcome.replies),
            (time.perf_counter() - started) * 1000,
        )
        metrics.message(intent_of(outcome), "ok")
        logs.summarized()  # the request's one line: its closing line would repeat it
        return xml

    def resume(self, msisdn: str) -> bool:
        """After a secure page logged the customer in: carry on with the interrupted intent and
        send its replies as WhatsApp messages. Runs under the customer's lock like a message;
        returns False (nothing changed) if the customer stayed busy or sending failed."""
        return self._push(msisdn, engine.resume)

    def welcome(self, msisdn: str) -> bool:
        """After a wallet opened on the secure page: tell its owner what they can do now and
        their limits, as ``resume`` sends its replies."""
        return self._push(msisdn, engine.welcome)

    def _push(self, msisdn: str, run: Callable[[Conversation, Context], Outcome]) -> bool:
        sid = f"RS{secrets.token_hex(16)}"  # a synthetic message id: never a Twilio one
        begin = self._claim_sid(msisdn, sid)
        if begin.status is not BeginStatus.OK:
            return False
        try:
            now = self.clock()
            language = self._language(msisdn, begin)
            ctx, prefetched = self._context(msisdn, now, begin, language)
            if ctx.customer is None:
                self.edge.abort(msisdn, sid, begin)
                return False
            with speaking(language):
                outcome = run(Conversation.from_json(begin.doc), ctx)
                # One WhatsApp message (split only past 1,600 characters), not one per reply.
                replies = render_all(self._perform(outcome, ctx), self._common())
            texts = twiml.split_message("\n\n".join(replies))
            doc = Conversation(outcome.state, outcome.data, now, outcome.hinted).to_json()
            slide = now if prefetched is not None and prefetched.slide else None
            if not self.edge.commit(msisdn, sid, begin, twiml.EMPTY, doc, slide):
                self.edge.abort(msisdn, sid, begin)
                return False
        except BaseException:
            self.edge.release(msisdn, sid, begin)
            raise
        try:
            for text in texts:
                notice = Notice("chat_waiting", msisdn, self._common(), session_text=text)
                if self.notifier.notify(notice).path is not Path.SESSION:
                    break  # outside the window the notice says to write: the rest waits
        except MessengerError as exc:
            log.warning("resume for %s: reply not sent (%s)", mask_phone(msisdn), exc)
            return False
        log.info("resumed the conversation of %s: -> %s", mask_phone(msisdn), outcome.state)
        return True

    def _perform(self, outcome: Outcome, ctx: Context) -> tuple[Reply, ...]:
        """Perform the outcome's effects before anything is stored; a refusal's replies
        replace the flow's (the state still moves on: nothing is left half-done). A language
        chosen is kept here, for any number."""
        effects = self._keep_language(ctx.msisdn, outcome.effects)
        if not effects or ctx.customer is None:
            return outcome.replies
        if self.effects is None:  # never drop what the flow said was done: fail closed
            raise RuntimeError("the flow returned effects but no EffectRunner is wired")
        refused = self.effects.perform(effects, ctx.customer)
        return outcome.replies if refused is None else refused

    def _language(self, msisdn: str, begin: Begin, body: str = "") -> str:
        """The number's language (read with the conversation: no round trip of its own); a
        menu word of another language (``bonjour``) chooses it."""
        chosen = typed_words().greetings.get(normalize(body)) if body else None
        if chosen is not None and chosen != language_of(begin.language):
            self.languages.set(msisdn, chosen)
            self.recent.note(msisdn, chosen)
        return chosen or language_of(begin.language)

    def _keep_language(self, msisdn: str, effects: tuple[Effect, ...]) -> tuple[Effect, ...]:
        for effect in effects:
            if isinstance(effect, SetLanguage):
                self.languages.set(msisdn, effect.language)
                self.recent.note(msisdn, effect.language)
        return tuple(e for e in effects if not isinstance(e, SetLanguage))

    def _context(
        self, msisdn: str, now: datetime, begin: Begin, language: str = SOURCE
    ) -> tuple[Context, Prefetched | None]:
        """The flows' context; its identity and step-up ports answer the first token check
        from the session ``begin`` read, when it read one (built here rather than replaced
        into a finished context: a message builds one context, not two)."""
        prefetched = None
        identity, stepup = self.identity, self.stepup
        if begin.session is not None:
            prefetched = Prefetched(self.identity, self.stepup, msisdn, begin.session)
            identity, stepup = prefetched.identity, prefetched.stepup
        ctx = Context(
            customer=self.bank.customer_by_msisdn(msisdn),
            bank_name=self.bank_name,
            now=now,
            bank=self.bank,
            identity=identity,
            currency=self.currency,
            zone=self.zone,
            stepup=stepup,
            lookups=self.lookups,
            msisdn=msisdn,
            languages=catalogs().named,
            language=language,
            words=typed_words().words,
        )
        return ctx, prefetched

    def _common(self) -> dict[str, str]:
        return {"bank": self.bank_name, "base_url": self.public_base_url}

    def _claim(self, msg: InboundMessage) -> Begin:
        # The customer wrote: their 24-hour window opens now (recorded in the same round trip).
        return self._claim_sid(msg.msisdn, msg.sid, self.clock())

    def _claim_sid(self, msisdn: str, sid: str, seen_at: datetime | None = None) -> Begin:
        """Claim the message, waiting a little while another message of this customer runs."""
        deadline = time.monotonic() + WAIT_S
        for attempt in range(10_000):
            session_at = self.clock() if self.prefetch_session else None
            begin = self.edge.begin(msisdn, sid, session_at, seen_at)
            if begin.status is not BeginStatus.BUSY or time.monotonic() >= deadline:
                return begin
            time.sleep(_POLL_S[min(attempt, len(_POLL_S) - 1)])
        return begin

    def _wait_for_reply(self, msg: InboundMessage) -> str | None:
        """A duplicate that arrived while the first copy is still being handled."""
        deadline = time.monotonic() + WAIT_S
        attempt = 0
        while time.monotonic() < deadline:
            time.sleep(_POLL_S[min(attempt, len(_POLL_S) - 1)])
            attempt += 1
            stored = self.edge.stored_reply(msg.msisdn, msg.sid)
            if stored:
                return stored
            if stored is None:
                return None  # the first copy gave up; Twilio's retry will be processed
        return None


def _answering_in(msg: InboundMessage, known: str) -> str:
    """The language a failed message is answered in: the one its menu word chooses
    (``bonjour``), else the number's as far as it is ``known``."""
    return typed_words().greetings.get(normalize(msg.body)) or known


def _chosen(outcome: Outcome, language: str) -> str:
    """The language the replies are written in: one the outcome just chose, else the number's."""
    for effect in outcome.effects:
        if isinstance(effect, SetLanguage):
            return effect.language
    return language
