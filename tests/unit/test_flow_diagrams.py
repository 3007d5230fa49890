"""The diagrams in ``flows/README.md`` tell the truth: together they show every ``State``, name
nothing that isn't one, and use the menu numbers the customer types today. Parsed, not
rendered: each Mermaid block is a ``stateDiagram-v2`` of transitions (``A --> B: label``), and
a line the parser doesn't understand fails the test rather than hiding a state.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import flows
from flows import engine, menu, security, stepup
from flows.states import State

README = Path(flows.__file__).with_name("README.md")
assert engine.HANDLERS  # importing the engine imports every flow, so every continuation is filed
BLOCK = re.compile(r"```mermaid\n(.*?)```", re.DOTALL)
TRANSITION = re.compile(r"^(\S+)\s+-->\s+(\S+?)(?:\s*:\s*(.*))?$")
DECLARED = re.compile(r"^state\s+(?:\"[^\"]*\"\s+as\s+)?(\w+)")
START_END = "[*]"
# A number the customer types, then the key it picks: "4 transfer", "10 contact".
NUMBERED = re.compile(r"(?<![\w-])(\d+) ([a-z_]+)")

Transition = tuple[str, str, str]  # from, to, label


def diagrams() -> list[list[Transition]]:
    blocks = BLOCK.findall(README.read_text(encoding="utf-8"))
    assert blocks, f"no Mermaid diagram in {README}"
    return [_parse(block) for block in blocks]


def _parse(block: str) -> list[Transition]:
    lines = [line.strip() for line in block.splitlines()]
    assert lines[0] == "stateDiagram-v2", f"not a state diagram: {lines[0]!r}"
    transitions: list[Transition] = []
    for line in lines[1:]:
        if not line or line.startswith("%%"):
            continue
        declared = DECLARED.match(line)
        if declared:
            transitions.append((declared.group(1), declared.group(1), ""))
            continue
        found = TRANSITION.match(line)
        assert found, f"a diagram line this test can't read: {line!r}"
        transitions.append((found.group(1), found.group(2), found.group(3) or ""))
    return transitions


def named() -> set[str]:
    return {node for d in diagrams() for t in d for node in t[:2]} - {START_END}


def labels_from(state: State) -> list[str]:
    return [label for d in diagrams() for src, _, label in d if src == state.name]


def test_every_state_is_in_a_diagram() -> None:
    missing = sorted(s.name for s in State if s.name not in named())
    assert not missing, f"flows/README.md has no diagram showing {', '.join(missing)}"


def test_the_diagrams_name_only_states() -> None:
    unknown = sorted(named() - {s.name for s in State})
    assert not unknown, f"flows/README.md draws {', '.join(unknown)}, which are not States"


def test_each_flow_has_its_own_diagram() -> None:
    assert len(diagrams()) >= 7  # menu, statements, transfer, bills, cards, profile, step-up


@pytest.mark.parametrize(
    ("state", "choices"),
    [
        (State.MAIN_MENU, {str(n): e.key for n, e in enumerate(menu.ENTRIES, start=1)}),
        (
            State.SECURITY_MENU,
            {k: v for k, v in security._CHOICES.items() if k.isdecimal()},
        ),
    ],
    ids=["main menu", "profile & security"],
)
def test_menu_numbers_are_todays(state: State, choices: dict[str, str]) -> None:
    drawn = [(n, key) for label in labels_from(state) for n, key in NUMBERED.findall(label)]
    wrong = sorted({f"{n} {key}" for n, key in drawn if choices.get(n) != key})
    assert not wrong, f"from {state.name} the diagrams say {wrong}; the menu is {choices}"
    undrawn = sorted(set(choices) - {n for n, _ in drawn}, key=int)
    assert not undrawn, f"from {state.name} no diagram shows choice {', '.join(undrawn)}"


def test_the_parser_reads_what_it_checks() -> None:
    """Guard the guard: a missing state and a stray name are both found."""
    block = "stateDiagram-v2\n    [*] --> MAIN_MENU\n    MAIN_MENU --> NOT_A_STATE: 1 balance\n"
    parsed = _parse(block)
    assert parsed == [("[*]", "MAIN_MENU", ""), ("MAIN_MENU", "NOT_A_STATE", "1 balance")]
    with pytest.raises(AssertionError):
        _parse("stateDiagram-v2\n    MAIN_MENU -> TRANSFER_SOURCE\n")


def test_every_step_up_continuation_is_named() -> None:
    """The names stored in conversations are listed beside the step-up diagram."""
    text = README.read_text(encoding="utf-8")
    names = {n for n in stepup.CONTINUATIONS if not n.startswith("tests.")}  # tests add theirs
    unnamed = sorted(n for n in names if f"`{n}`" not in text)
    assert names and not unnamed, f"flows/README.md doesn't name {', '.join(unnamed)}"
