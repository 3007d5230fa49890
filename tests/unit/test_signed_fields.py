"""The fields handed to Twilio's RequestValidator: the signature it computes over them is the
one it computes over Flask's form itself, for any fields, repeated names and empty values too."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from bot.signature import signed_fields

URL = "https://bank.example/whatsapp/inbound"
VALIDATOR = RequestValidator("auth-token")
PAIRS = st.lists(st.tuples(st.sampled_from(["Body", "From", "To", "Ü", ""]), st.text()), max_size=8)


@given(PAIRS)
def test_the_signature_over_the_fields_is_the_one_over_the_form(
    pairs: list[tuple[str, str]],
) -> None:
    form = MultiDict(pairs)
    fields = signed_fields(form)
    assert fields is not None
    assert VALIDATOR.compute_signature(URL, fields) == VALIDATOR.compute_signature(URL, form)
    signature = VALIDATOR.compute_signature(URL, form)
    assert VALIDATOR.validate(URL, fields, signature)
    assert not VALIDATOR.validate(URL, fields, VALIDATOR.compute_signature(URL + "x", form))


def test_every_value_of_a_repeated_field_is_signed() -> None:
    fields = signed_fields(MultiDict([("Body", "b"), ("Body", "a"), ("To", "")]))
    assert fields == {"Body": ["b", "a"], "To": [""]}
    assert fields is not None and fields.getall("Body") == ["b", "a"]


def test_a_field_without_a_name_is_refused() -> None:
    assert signed_fields(MultiDict([(None, "abc"), ("Body", "x")])) is None  # type: ignore[list-item]
