"""A document's password derived from a key and its seed: the same every time for one document,
another for another seed or key, always 10 symbols of the random password's alphabet."""

from __future__ import annotations

from receipts.protect import PASSWORD_ALPHABET, PASSWORD_LENGTH, derived_password


def test_the_same_key_and_material_give_the_same_password() -> None:
    assert derived_password(b"k" * 32, "receipt:7\0seed") == derived_password(
        b"k" * 32, "receipt:7\0seed"
    )


def test_another_seed_or_key_gives_another_password() -> None:
    first = derived_password(b"k" * 32, "receipt:7\0seed")
    assert derived_password(b"k" * 32, "receipt:7\0other") != first
    assert derived_password(b"j" * 32, "receipt:7\0seed") != first
    assert derived_password(b"k" * 32, "receipt:8\0seed") != first


def test_it_is_ten_symbols_of_the_alphabet_spread_over_all_of_it() -> None:
    seen: set[str] = set()
    for n in range(300):
        password = derived_password(b"k" * 32, f"receipt:{n}\0seed")
        assert len(password) == PASSWORD_LENGTH
        assert set(password) <= set(PASSWORD_ALPHABET)
        seen |= set(password)
    assert seen == set(PASSWORD_ALPHABET)
