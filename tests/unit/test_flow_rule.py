"""The side-effect rule of ``flows/README.md`` holds in the code: every port call in ``flows/``
is a query or an answering command listed in the README's table, no flow calls a port method
the table says is performed as an effect, and the table names only real port methods and
effects. (What a call is *for* is judged by people; this keeps the table and the code in step.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import flows
from auth.ports import Identity, StepUp
from bank.ports import CoreBanking
from flows import effects
from flows.types import NameLookups

FLOWS = Path(flows.__file__).parent
README = FLOWS / "README.md"
PORTS = {"bank": CoreBanking, "identity": Identity, "step-up": StepUp, "lookups": NameLookups}
# ctx.bank.transfer(…), ctx.identity.link(…); stepup.py also says ``port`` and ``_port(ctx)``
CALL = {
    "bank": re.compile(r"ctx\.bank\.(\w+)\("),
    "identity": re.compile(r"ctx\.identity\.(\w+)\("),
    "step-up": re.compile(r"(?:ctx\.stepup|_port\(ctx\)|\bport)\.(\w+)\("),
    "lookups": re.compile(r"ctx\.lookups\.(\w+)\("),
}
NAME = re.compile(r"`(\w+)`")
# A remark in a cell, ``count_lookup`` (counted before `account_name` reads a name): the names
# in it are another port's methods, not this row's.
REMARK = re.compile(r"\([^)]*\)")


def table() -> dict[str, tuple[set[str], set[str], set[str], set[str]]]:
    """port → (queries, answering commands, methods left to effects, the effects named)."""
    rows: dict[str, tuple[set[str], set[str], set[str], set[str]]] = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [REMARK.sub("", c).strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0]:
            continue
        port = next((p for p in PORTS if cells[0].startswith(p)), None)
        if port is None:
            continue
        left: set[str] = set()
        named: set[str] = set()
        for part in cells[3].split("·"):
            found = NAME.findall(part)
            if found:
                left.add(found[0])
                named.update(found[1:])
        rows[port] = (set(NAME.findall(cells[1])), set(NAME.findall(cells[2])), left, named)
    assert set(rows) == set(PORTS), f"the README's table has rows for {sorted(rows)}"
    return rows


def calls(port: str) -> dict[str, list[str]]:
    """Each method of ``port`` that flows/ calls → where."""
    found: dict[str, list[str]] = {}
    for path in sorted(FLOWS.glob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for method in CALL[port].findall(line):
                found.setdefault(method, []).append(f"{path.name}:{n}")
    return found


@pytest.mark.parametrize("port", list(PORTS))
def test_every_port_call_is_a_query_or_an_answering_command(port: str) -> None:
    queries, commands, _, _ = table()[port]
    unlisted = {m: where for m, where in calls(port).items() if m not in queries | commands}
    assert not unlisted, f"{port} calls the README doesn't classify: {unlisted}"


@pytest.mark.parametrize("port", list(PORTS))
def test_no_flow_performs_what_is_an_effect(port: str) -> None:
    _, commands, left, _ = table()[port]
    made = {m: where for m, where in calls(port).items() if m in left - commands}
    assert not made, f"flows call {port} for what must be an effect: {made}"


@pytest.mark.parametrize("port", list(PORTS))
def test_the_table_names_real_methods_and_effects(port: str) -> None:
    queries, commands, left, named = table()[port]
    protocol = PORTS[port]
    unknown = sorted(m for m in queries | commands | left if not hasattr(protocol, m))
    assert not unknown, f"{protocol.__name__} has no {unknown}"
    missing = sorted(e for e in named if not hasattr(effects, e))
    assert not missing, f"flows.effects has no {missing}"
    # a port with methods left to effects names them; one with none (lookups) names none
    assert bool(named) == bool(left), f"{port}: methods left to effects {left}, effects {named}"


def test_a_remark_names_no_method_of_its_row() -> None:
    """The lookups row's remark mentions the bank's ``account_name`` and ``wallet_of``."""
    _, commands, _, _ = table()["lookups"]
    assert commands == {"count_lookup"}
    assert calls("lookups") and set(calls("lookups")) == commands


def test_the_flows_call_no_port_outside_the_context() -> None:
    """Ports come in through the Context only: no flow builds or imports an adapter."""
    for path in FLOWS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(?:from|import) (?:bank\.demo|auth\.service|bot)\b", text, re.M)
