"""Which ways a step-up offers: the rule's own types first (the scenario's primary and backup,
or the configured default's), then every other way the customer has set up that the bank has
enabled and that is at least as strong as the weakest the rule itself accepts — so ``other``
can offer an enrolled authenticator app under an "SMS, else email" rule, but never something
weaker than what staff asked for (an "authenticator, else SMS" rule never falls to email).

Strength follows NIST SP 800-63B: an authenticator app's one-time code (a possession factor
nobody can redirect) above an SMS code (a *restricted* authenticator: SIM swaps), above an
email code and security questions (knowledge anyone close may share).
"""

from __future__ import annotations

from collections.abc import Iterable

from auth.scenarios.model import ChallengeType, MfaConfig

STRENGTH: dict[ChallengeType, int] = {
    ChallengeType.AUTHENTICATOR_APP: 3,
    ChallengeType.SMS_CODE: 2,
    ChallengeType.EMAIL_CODE: 1,
    ChallengeType.SECURITY_QUESTIONS: 1,
}


def offered(
    options: tuple[ChallengeType, ...],
    wanted: Iterable[ChallengeType | None],
    config: MfaConfig,
    enrolled: frozenset[ChallengeType],
) -> tuple[ChallengeType, ...]:
    """``options`` (the decision's usable types, first one first), then the other enrolled and
    enabled types no weaker than the weakest ``wanted`` type, strongest first."""
    listed = [t for t in wanted if t is not None]
    if not options or not listed:
        return options
    floor = min(STRENGTH[t] for t in listed)
    extra = sorted(
        (
            t
            for t in ChallengeType
            if t not in options
            and t in enrolled
            and t in config.enabled_types
            and STRENGTH[t] >= floor
        ),
        key=lambda t: -STRENGTH[t],
    )
    return (*options, *extra)
