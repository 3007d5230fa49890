"""What a step-up reads before it decides, in one Redis round trip per message: the customer's
code lockout, credentials (which factors they set up), live challenge, and the MFA
configuration and scenarios. Parsed only when asked for, so an answer pays for no scenario
parsing and a start for no challenge parsing.

Read fresh for every message and never kept: a staff change to a scenario, a block or a new
challenge counts from the next message on. A Redis error propagates (fail closed). Only the
parsing of the scenarios is remembered, by the exact text read: the same stored scenarios parse
to the same rules, and any change to one is other text, parsed anew.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache

from redis import Redis

from auth.ports import StepUpRequest
from auth.scenarios.config import CONFIG_KEY, in_force
from auth.scenarios.evaluate import Decision, evaluate, find_scenario
from auth.scenarios.model import ChallengeType, MfaConfig, Scenario, application_for
from auth.scenarios.store import SCENARIOS_KEY, parse_all
from auth.stepup.challenges import Challenge, ChallengeStore, live
from auth.stores import credentials as creds_store
from auth.stores.credentials import CRED_KEY, Credentials
from auth.stores.languages import LANGUAGE_KEY, language_of
from auth.stores.lockout import BLOCK_KEY, Kind, block_in_force
from bank.ports import Customer

ASKED_QUESTIONS = 2  # of the customer's 3 security questions, on the step-up page
# Distinct scenario sets whose parsing is kept (a staff change makes one more; old ones age out).
PARSED_SETS = 4


@lru_cache(maxsize=PARSED_SETS)
def _parsed(raw: tuple[tuple[str, str], ...]) -> tuple[Scenario, ...]:
    """The scenarios a ``SCENARIOS_KEY`` hash's fields and values (as read) hold. Parsing every
    stored scenario cost a confirming ``yes`` more CPU than the rest of its step-up decision;
    the scenarios are frozen, so the parsed ones can be shared."""
    return tuple(parse_all(dict(raw)))


def amount_of(request: StepUpRequest) -> Decimal | None:
    try:
        return Decimal(request.amount) if request.amount else None
    except InvalidOperation:
        return None  # treated as over any threshold: the challenge still fires


def enrolled(customer: Customer | None, creds: Credentials | None) -> frozenset[ChallengeType]:
    """The challenge types this customer can receive or answer."""
    types = {ChallengeType.SMS_CODE}  # the registered number always receives SMS
    if customer is not None and customer.email:
        types.add(ChallengeType.EMAIL_CODE)
    if creds is not None and creds.totp_secret:
        types.add(ChallengeType.AUTHENTICATOR_APP)
    if creds is not None and len(creds.questions) >= ASKED_QUESTIONS:
        types.add(ChallengeType.SECURITY_QUESTIONS)
    return frozenset(types)


@dataclass(frozen=True)
class Facts:
    """One customer's step-up facts as read at ``now`` (raw values, parsed on first use)."""

    msisdn: str
    now: datetime
    raw_block: str | None
    raw_credentials: dict[str, str]
    raw_challenge: dict[str, str]
    raw_config: str | None
    raw_scenarios: dict[str, str]
    raw_language: str | bytes | None = None  # auth.stores.languages: read in the same pipeline

    @cached_property
    def language(self) -> str:
        """The language the customer's code messages are written in."""
        return language_of(self.raw_language)

    @cached_property
    def code_blocked_until(self) -> datetime | None:
        """The customer's ``code`` lockout, while it holds."""
        return block_in_force(self.raw_block, self.now)

    @cached_property
    def credentials(self) -> Credentials | None:
        raw = self.raw_credentials
        return creds_store.parse(self.msisdn, raw) if raw else None

    @cached_property
    def challenge(self) -> Challenge | None:
        """The live challenge (pending or passed), or None."""
        return live(self.raw_challenge, self.now)

    @cached_property
    def config(self) -> MfaConfig:
        return in_force(self.raw_config)

    @cached_property
    def scenarios(self) -> list[Scenario]:
        return list(_parsed(tuple(self.raw_scenarios.items())))

    def scenario_for(self, request: StepUpRequest) -> Scenario | None:
        """The active scenario ``request`` follows, for its customer's application (None: the
        default)."""
        return find_scenario(self.scenarios, application_for(request.segment), request.action)

    def decide(self, request: StepUpRequest, types: frozenset[ChallengeType]) -> Decision:
        """What the scenarios ask of ``request`` for a customer enrolled in ``types``."""
        return evaluate(
            self.scenarios,
            self.config,
            application_for(request.segment),
            request.action,
            amount_of(request),
            types,
            force=request.force,
        )


@dataclass(frozen=True)
class FactReader:
    redis: Redis

    def read(self, msisdn: str, now: datetime) -> Facts:
        """Everything above in one pipeline (keys in two slots: no MULTI, nothing to write)."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.get(BLOCK_KEY.format(msisdn=msisdn, kind=Kind.CODE))
        pipe.hgetall(CRED_KEY.format(msisdn=msisdn))
        pipe.hgetall(ChallengeStore.key(msisdn))
        pipe.get(CONFIG_KEY)
        pipe.hgetall(SCENARIOS_KEY)
        pipe.get(LANGUAGE_KEY.format(msisdn=msisdn))
        block, credentials, challenge, config, scenarios, language = pipe.execute()
        return Facts(msisdn, now, block, credentials, challenge, config, scenarios, language)
