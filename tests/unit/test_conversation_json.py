"""The conversation record's JSON: the same text ``json.dumps`` with compact separators writes
(the store keeps what older processes wrote and read), and it reads back unchanged."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from flows.conversation import Conversation
from flows.states import State

VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


def written_as_before(conv: Conversation) -> str:
    return json.dumps(
        {
            "state": conv.state.value,
            "data": dict(conv.data),
            "updated_at": conv.updated_at.isoformat() if conv.updated_at else None,
            "hinted": conv.hinted,
        },
        separators=(",", ":"),
    )


@given(
    st.sampled_from(list(State)),
    st.dictionaries(st.text(), VALUES, max_size=4),
    st.none() | st.datetimes(timezones=st.just(UTC)),
    st.booleans(),
)
def test_the_record_is_written_as_json_dumps_wrote_it(
    state: State, data: dict[str, object], at: datetime | None, hinted: bool
) -> None:
    conv = Conversation(state, data, at, hinted)
    assert conv.to_json() == written_as_before(conv)
    assert Conversation.from_json(conv.to_json()) == conv


def test_a_record_written_before_still_reads() -> None:
    at = datetime(2026, 12, 1, 18, 0, tzinfo=timezone(timedelta(hours=1)))
    old = written_as_before(Conversation(State.MAIN_MENU, {"transfer_amount": "12.50"}, at, True))
    assert Conversation.from_json(old) == Conversation(
        State.MAIN_MENU, {"transfer_amount": "12.50"}, at, True
    )
    assert "é" not in Conversation(State.MAIN_MENU, {"name": "Zoé"}).to_json()  # ASCII, as before
