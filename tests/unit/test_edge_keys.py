"""The edge scripts' key lists, built from the number's keys kept per number, are the ones the
scripts' comments declare, in that order (other code reads the results by position)."""

from __future__ import annotations

from auth.stores.languages import LANGUAGE_KEY
from auth.stores.sessions import Sessions
from bot.store import CONV_KEY, LOCK_KEY, SID_KEY, EdgeStore, customer_keys
from bot.window import LAST_INBOUND_KEY

NUMBER = "+2348010000001"
SID = "SM" + "a" * 32


def test_the_numbers_keys_are_lock_conv_inbound_language_then_the_session() -> None:
    assert customer_keys(NUMBER) == (
        LOCK_KEY.format(msisdn=NUMBER),
        CONV_KEY.format(msisdn=NUMBER),
        LAST_INBOUND_KEY.format(msisdn=NUMBER),
        LANGUAGE_KEY.format(msisdn=NUMBER),
        *Sessions.keys(NUMBER),
    )
    assert len(customer_keys(NUMBER)) == 10
    assert all(f"{{{NUMBER}}}" in key for key in customer_keys(NUMBER))  # one hash slot


def test_commit_and_abort_keys_are_sid_lock_conv_and_the_session_when_asked() -> None:
    head = [
        SID_KEY.format(msisdn=NUMBER, sid=SID),
        LOCK_KEY.format(msisdn=NUMBER),
        CONV_KEY.format(msisdn=NUMBER),
    ]
    assert EdgeStore.keys(NUMBER, SID) == head
    assert EdgeStore.keys(NUMBER, SID, session=True) == head + Sessions.keys(NUMBER)


def test_each_number_has_its_own_keys() -> None:
    other = "+2348010000002"
    assert set(customer_keys(NUMBER)).isdisjoint(customer_keys(other))
