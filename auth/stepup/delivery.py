"""Delivering a step-up challenge: a code's text from the scenario's template (or the bank's
default), sent by SMS to the registered number or by email — never into the chat — and audited
with the channel and the masked destination; the one-time page for security questions; what
the chat may say about each (``StepUpView``, never the code).

A send the messenger could not deliver is taken back (``Codes.unsend``), so "resend" works at
once instead of meeting a cooldown or the send limit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from redis.client import Pipeline

from auth.ports import StepUpRequest, StepUpState, StepUpView
from auth.scenarios.model import ACTIONS, CODE_CHANNELS, ChallengeType, MfaConfig, Scenario
from auth.scenarios.seed import default_templates
from auth.scenarios.templates import MessageValues, render
from auth.stepup.audit import StepUpAudit
from auth.stepup.challenges import CODE_PURPOSE, Challenge
from auth.stepup.facts import amount_of
from auth.stores.codes import Codes, SendRefused
from auth.stores.links import Link, LinkStore, Purpose
from bank.ports import Customer
from messaging import Channel, Messenger, MessengerError, local_format, metrics
from messaging.languages import SOURCE
from messaging.masking import mask_email, mask_phone
from messaging.notices import render_notice

log = logging.getLogger("teller.stepup")


def authenticator_view(challenge: Challenge) -> StepUpView:
    """The customer types what their app shows: nothing to deliver."""
    return StepUpView(
        StepUpState.AUTHENTICATOR,
        kind=challenge.kind.value,
        can_switch=bool(challenge.others),
        ways=challenge.others,
    )


@dataclass(frozen=True)
class Delivery:
    codes: Codes
    messenger: Messenger
    links: LinkStore
    url_for: Callable[[Link], str]
    audit: StepUpAudit
    bank_name: str
    clock: Callable[[], datetime]
    zone: tzinfo = UTC  # the bank's clock: a template's {server_time} is on it

    def template(
        self, challenge: Challenge, scenario: Scenario | None, language: str = SOURCE
    ) -> str:
        """The scenario's template for the challenge's channel in ``language``, else its
        English one, else the bank's default. A scenario still on the bank's default wording
        gets that wording's translation (the catalogs' ``mfa`` group)."""
        field = CODE_CHANNELS[challenge.kind]
        email = challenge.kind is ChallengeType.EMAIL_CODE
        monetary = ACTIONS[challenge.action].monetary
        default = default_templates(self.bank_name, monetary)[1 if email else 0]
        if scenario is not None and scenario.spec.translations.get(language, {}).get(field):
            return str(scenario.spec.translations[language][field])
        chosen = str(getattr(scenario.spec, field) or "") if scenario is not None else ""
        if chosen and chosen != default:
            return chosen
        return default_templates(self.bank_name, monetary, language)[1 if email else 0]

    def values(
        self, request: StepUpRequest, code: str, now: datetime, language: str = SOURCE
    ) -> MessageValues:
        """What a template may say: the code, the time, and what it approves (SECURITY.md 14)."""
        amount = amount_of(request)
        shown = ""
        if amount is not None and request.currency:
            shown = local_format.money(amount, request.currency, language)
        elif amount is not None:
            shown = f"{amount:,.2f}"
        return MessageValues(
            otp=code,
            at=now.astimezone(self.zone),
            account_number=request.account,
            payee_name=request.payee,
            transfer_amount=shown,
        )

    def resend(
        self,
        pipe: Pipeline,
        msisdn: str,
        customer_id: str,
        customer: Customer | None,
        request: StepUpRequest,
        challenge: Challenge,
        config: MfaConfig,
        scenario: Scenario | None,
        now: datetime,
        language: str = SOURCE,
    ) -> StepUpView:
        """A new code for the live challenge (the tries stay), unless the cooldown or the send
        limit refuses it; written in ``language`` (the customer's: ``Facts.language``)."""
        try:
            code, expires = self.codes.issue(
                msisdn,
                CODE_PURPOSE,
                challenge.binding,
                now,
                length=config.code_length,
                ttl=challenge.expires_at - now,
            )
        except SendRefused as exc:
            metrics.code_sent(CODE_PURPOSE, challenge.kind.value, "refused")
            return StepUpView(
                StepUpState.REFUSED,
                kind=challenge.kind.value,
                retry_after_s=exc.retry_after_s,
                can_switch=bool(challenge.others),
                ways=challenge.others,
            )
        return self.send(
            pipe,
            msisdn,
            customer_id,
            customer,
            request,
            challenge,
            code,
            expires,
            scenario,
            now,
            language=language,
        )

    def send(
        self,
        pipe: Pipeline,
        msisdn: str,
        customer_id: str,
        customer: Customer | None,
        request: StepUpRequest,
        challenge: Challenge,
        code: str,
        expires: datetime,
        scenario: Scenario | None,
        now: datetime,
        language: str = SOURCE,
    ) -> StepUpView:
        """Send an issued code in ``language``; the delivery (or its failure) is audited on
        ``pipe``."""
        template = self.template(challenge, scenario, language)
        text = render(template, self.values(request, code, now, language))
        if challenge.kind is ChallengeType.EMAIL_CODE:
            channel, to = Channel.EMAIL, customer.email if customer else ""
            shown = mask_email(to)
        else:
            channel, to, shown = Channel.SMS, msisdn, mask_phone(msisdn)
        # Email only: an SMS has no subject (the dev outbox would prepend it to the text).
        subject = render_notice("stepup_email_subject", language=language, bank=self.bank_name)
        try:
            self.messenger.send(
                channel, to, text, subject=subject if channel is Channel.EMAIL else None
            )
        except MessengerError as exc:
            log.warning("step-up code to %s not sent: %s", shown, exc)
            metrics.code_sent(CODE_PURPOSE, channel.value, "failed")
            self.codes.unsend(msisdn, CODE_PURPOSE)  # not a send: see the module docstring
            self.audit.record(
                pipe,
                "stepup.deliver",
                msisdn,
                customer_id,
                request,
                "failure",
                destination=shown,
                kind=challenge.kind,
            )
            return StepUpView(
                StepUpState.FAILED,
                kind=challenge.kind.value,
                can_switch=bool(challenge.others),
                ways=challenge.others,
            )
        metrics.code_sent(CODE_PURPOSE, channel.value, "sent")
        self.audit.record(
            pipe,
            "stepup.deliver",
            msisdn,
            customer_id,
            request,
            "success",
            destination=shown,
            kind=challenge.kind,
        )
        return StepUpView(
            StepUpState.SENT,
            kind=challenge.kind.value,
            destination=shown,
            minutes=max(1, round((expires - now).total_seconds() / 60)),
            can_switch=bool(challenge.others),
            ways=challenge.others,
        )

    def questions_link(self, msisdn: str, customer_id: str, challenge: Challenge) -> StepUpView:
        """A one-time secure page where the customer answers the challenge's questions."""
        link = self.links.issue(Purpose.STEP_UP, msisdn, customer_id, self.clock())
        return StepUpView(
            StepUpState.QUESTIONS,
            kind=challenge.kind.value,
            url=self.url_for(link),
            minutes=link.minutes,
            can_switch=bool(challenge.others),
            ways=challenge.others,
        )
