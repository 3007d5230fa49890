"""The edge performing the flows' fire-and-forget effects through our own ports (fakes here;
the document effects, which need Redis and a queue, are tested in integration/test_documents).
Each is performed in order, is safe to perform twice, and is never dropped: an effect whose
port isn't wired raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import fakeredis
import pytest

from auth.stores.audit import AuditLog
from bot.effects import EffectNotWired, EffectRunner
from flows.effects import (
    EndStepUp,
    LogOutEverywhere,
    RecordMovement,
    SavePayee,
    SendNotice,
    SetPersonalLimit,
    UpdateEmail,
)
from flows.types import Effect
from tests.fakes import FakeStepUp
from tests.flow_fakes import AMINA, NOW, FlowBank, FlowIdentity


@dataclass
class Ports:
    bank: FlowBank
    identity: FlowIdentity
    stepup: FakeStepUp
    runner: EffectRunner


def ports(**missing: None) -> Ports:
    bank, identity, stepup = FlowBank(), FlowIdentity(), FakeStepUp()
    wired = {"bank": bank, "identity": identity, "stepup": stepup, **missing}
    # No Redis: none of these effects touches it (the runner is given it for documents).
    runner = EffectRunner(None, None, None, lambda: NOW, **wired)
    return Ports(bank, identity, stepup, runner)


def test_each_effect_reaches_its_port_in_order() -> None:
    p = ports()
    effects = (
        SavePayee("Ngozi Eze", "044", "1112223334"),
        UpdateEmail("amina.y@example.org"),
        SendNotice("email_changed"),
        SetPersonalLimit(Decimal("500.00")),
        SetPersonalLimit(None),
        LogOutEverywhere(),
        EndStepUp(),
    )
    assert p.runner.perform(effects, AMINA) is None  # nothing refused: the flow's replies stand
    assert p.bank.written == ["add_payee Ngozi Eze", "update_email amina.y@example.org"]
    assert p.identity.notices == ["email_changed"]
    assert p.identity.limits_set == [Decimal("500.00"), None]
    assert p.identity.logouts == [True]
    assert p.stepup.calls == ["cancel"]


def test_performing_them_again_is_harmless() -> None:
    """A message whose commit failed is processed again: the same writes, the same end state."""
    p = ports()
    effects = (SavePayee("Ngozi Eze", "044", "1112223334"), SetPersonalLimit(Decimal("5")))
    p.runner.perform(effects, AMINA)
    p.runner.perform(effects, AMINA)
    assert p.identity.limits_set == [Decimal("5"), Decimal("5")]


@pytest.mark.parametrize(
    ("effect", "port"),
    [
        (SavePayee("N", "044", "1"), "bank"),
        (UpdateEmail("a@b.co"), "bank"),
        (SendNotice("email_changed"), "identity"),
        (SetPersonalLimit(None), "identity"),
        (LogOutEverywhere(), "identity"),
        (EndStepUp(), "stepup"),
    ],
)
def test_an_effect_whose_port_isnt_wired_is_never_dropped(effect: Effect, port: str) -> None:
    runner = ports(**{port: None}).runner
    with pytest.raises(EffectNotWired):
        runner.perform((effect,), AMINA)


def test_an_unknown_effect_is_a_programming_error() -> None:
    @dataclass(frozen=True)
    class Teleport(Effect):
        pass

    with pytest.raises(TypeError):
        ports().runner.perform((Teleport(),), AMINA)


def test_a_movement_is_appended_to_the_audit_with_only_its_facts() -> None:
    audit = AuditLog(fakeredis.FakeRedis(decode_responses=True))
    runner = EffectRunner(None, None, None, lambda: NOW, audit=audit)
    held = RecordMovement(
        "money.p2p_hold",
        "success",
        amount="USD 25.00",
        parties="from ••6789 to +234•••••9999 (held)",
        reference="TX000001",
    )
    runner.perform((held, RecordMovement("card.lock", "refused", reason="card_locked")), AMINA)
    first, second = (e.fields for e in reversed(audit.entries()))
    assert {k: v for k, v in first.items() if k not in ("at", "prev", "digest")} == {
        "event": "money.p2p_hold",
        "customer": AMINA.customer_id,
        "number": "+234•••••0001",
        "channel": "whatsapp",
        "result": "success",
        "amount": "USD 25.00",
        "parties": "from ••6789 to +234•••••9999 (held)",
        "reference": "TX000001",
    }
    assert (second["event"], second["result"], second["reason"]) == (
        "card.lock",
        "refused",
        "card_locked",
    )
    assert "amount" not in second and "reference" not in second  # empty facts are left out
    assert audit.verify().ok


def test_a_movement_without_the_audit_wired_raises() -> None:
    with pytest.raises(EffectNotWired):
        ports().runner.perform((RecordMovement("money.transfer", "success"),), AMINA)
