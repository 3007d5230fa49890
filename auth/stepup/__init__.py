"""Step-up challenges (SECURITY.md 12-15): the MFA scenarios decide whether a request needs one
and of which type; this package starts it, delivers codes through the messenger with the
scenario's template, and checks answers. ``StepUpService`` implements ``auth.ports.StepUp``.

- ``sms_code`` / ``email_code``: random digits (``auth.stores.codes``: hashed, bound to the
  request's digest, the configured length, expiry and tries, at most 3 sends 30 seconds apart, a
  resend never resets the tries), sent to the registered number or email, never into the chat.
- ``authenticator_app``: the current or previous 30-second step, each step accepted once.
- ``security_questions``: 2 of the customer's 3, answered on a one-time secure page.

By job: ``service`` decides and runs the course (begin, answer, resend, switch, cancel, passed,
the questions page), ``facts`` reads what it decides on (one round trip), ``checks`` checks
answers, ``delivery`` sends codes and links, ``audit`` writes every step (started, delivered
with channel and masked destination, every verification, with the action and amount).
"""

from __future__ import annotations

from auth.service import AuthService
from auth.stepup.audit import StepUpAudit
from auth.stepup.challenges import STARTS_PER_HOUR, ChallengeStore
from auth.stepup.checks import Checks
from auth.stepup.delivery import Delivery
from auth.stepup.facts import FactReader
from auth.stepup.service import StepUpService

__all__ = ["StepUpService", "build_stepup"]


def build_stepup(
    auth: AuthService, challenges: ChallengeStore, starts_per_hour: int = STARTS_PER_HOUR
) -> StepUpService:
    """The step-up service over the identity service's stores, clients and settings;
    ``starts_per_hour``: distinct requests challenged an hour (STEPUP_STARTS_PER_HOUR)."""
    audit = StepUpAudit(auth.audit, auth.clock)
    delivery = Delivery(
        codes=auth.codes,
        messenger=auth.messenger,
        links=auth.links,
        url_for=auth.url_for,
        audit=audit,
        bank_name=auth.bank_name,
        clock=auth.clock,
        zone=auth.zone,
    )
    return StepUpService(
        redis=challenges.redis,
        facts=FactReader(challenges.redis),
        challenges=challenges,
        codes=auth.codes,
        lockouts=auth.lockouts,
        checks=Checks(challenges, auth.codes, auth.credentials, auth.hasher),
        customer=auth.bank.customer,
        delivery=delivery,
        audit=audit,
        notify_block=auth.notify_block,
        clock=auth.clock,
        starts_per_hour=starts_per_hour,
    )
