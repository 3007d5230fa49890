"""Sealed replies: what the webhook stores for replays is ciphertext that only its key opens."""

from __future__ import annotations

from bot.sealed import Sealer


def test_round_trip_and_refusals() -> None:
    sealer = Sealer("k" * 32)
    sealed = sealer.seal("<Response><Message>Savings ••6789: USD 2,500.00</Message></Response>")
    assert "2,500.00" not in sealed and sealed.startswith("v1:")
    assert sealer.open(sealed) is not None and "2,500.00" in (sealer.open(sealed) or "")
    assert sealer.seal("same") != sealer.seal("same")  # a fresh nonce each time
    assert Sealer("other" * 8).open(sealed) is None  # another SECRET_KEY
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    assert sealer.open(tampered) is None
    assert sealer.open("<Response/>") is None and sealer.open("v1:%%%") is None
