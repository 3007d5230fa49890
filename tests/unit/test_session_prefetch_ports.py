"""bot.prefetch: the first token check of a message is answered from the claim's reading, once."""

from __future__ import annotations

from datetime import UTC, datetime

from auth.ports import Status, StepUpRequest, TokenCheck
from bot.prefetch import Prefetched
from tests.fakes import FakeIdentity, FakeStepUp

AMINA = "+2348030000001"
OTHER = "+2348030000002"
VALID = TokenCheck(Status.VALID, datetime(2026, 11, 2, 9, 5, tzinfo=UTC), True)
EXPIRED = TokenCheck(Status.EXPIRED, datetime(2026, 11, 2, 8, 55, tzinfo=UTC), True)


def test_the_first_check_is_the_reading_and_asks_for_a_slide_when_valid() -> None:
    inner = FakeIdentity(status=Status.MISSING)  # what the service would say now
    prefetched = Prefetched(inner, FakeStepUp(), AMINA, VALID)
    assert prefetched.identity.check(AMINA) == VALID
    assert prefetched.slide


def test_a_reading_that_is_not_valid_is_answered_as_it_is_without_a_slide() -> None:
    prefetched = Prefetched(FakeIdentity(status=Status.VALID), None, AMINA, EXPIRED)
    assert prefetched.identity.check(AMINA) == EXPIRED
    assert not prefetched.slide


def test_later_checks_ask_the_token_service() -> None:
    inner = FakeIdentity(status=Status.MISSING)
    prefetched = Prefetched(inner, None, AMINA, VALID)
    prefetched.identity.check(AMINA)
    assert prefetched.identity.check(AMINA).status is Status.MISSING


def test_a_check_for_another_number_asks_the_token_service() -> None:
    prefetched = Prefetched(FakeIdentity(status=Status.MISSING), None, AMINA, VALID)
    assert prefetched.identity.check(OTHER).status is Status.MISSING
    assert not prefetched.slide
    assert prefetched.identity.check(AMINA).status is Status.MISSING  # the reading is gone


def test_an_identity_call_before_the_check_spoils_the_reading() -> None:
    inner = FakeIdentity(status=Status.VALID)
    prefetched = Prefetched(inner, None, AMINA, VALID)
    assert prefetched.identity.logout(AMINA, "C001")
    assert prefetched.identity.check(AMINA).status is Status.MISSING  # logged out meanwhile
    assert not prefetched.slide


def test_a_step_up_call_before_the_check_spoils_the_reading() -> None:
    stepup = FakeStepUp()
    inner = FakeIdentity(status=Status.BLOCKED)  # e.g. the answer was the fifth wrong code
    prefetched = Prefetched(inner, stepup, AMINA, VALID)
    assert prefetched.stepup is not None
    request = StepUpRequest("transfer", "150.00", "USD", "P1", "A1")
    prefetched.stepup.begin(AMINA, "C001", request)
    prefetched.stepup.answer(AMINA, "C001", request, "000000")
    assert prefetched.identity.check(AMINA).status is Status.BLOCKED
    assert stepup.calls == ["begin transfer", "answer 000000"]  # passed through
    assert not prefetched.slide
