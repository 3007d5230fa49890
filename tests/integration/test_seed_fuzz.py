"""The seed loader under arbitrary input (Hypothesis): whatever JSON value, whatever file bytes,
whatever mix of changes to the demo seed, ``load`` and ``load_file`` into a real SQLite bank
either load or raise ``SeedError`` with at least one problem, each naming its path and saying
what is wrong — never another exception, and a refused load leaves the bank empty."""

from __future__ import annotations

import copy
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bank.demo import SqliteBank
from bank.seed import DEMO_SEED, SeedError, load, load_file

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=30)
    | st.sampled_from(["", "0", "-1", "1e999", "2026-13-40", "+2348030000001", "USD"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)


def demo() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(DEMO_SEED.read_text(encoding="utf-8"))
    return doc


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into the demo seed (keys and list indexes)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += paths(inner, (*prefix, index))
    return found


DEMO_PATHS = paths(demo())[1:]


def mutated(changes: list[tuple[tuple[Any, ...], Any, bool]]) -> Any:
    """The demo seed with each path set to a value, or deleted."""
    doc = demo()
    for path, value, delete in changes:
        parent: Any = doc
        try:
            for step in path[:-1]:
                parent = parent[step]
            if delete:
                del parent[path[-1]]
            else:
                parent[path[-1]] = copy.deepcopy(value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed or replaced this path
    return doc


def assert_refused_cleanly(bank: SqliteBank, exc: SeedError) -> None:
    assert exc.problems, "a refusal names at least one problem"
    for problem in exc.problems:
        assert problem.path and problem.message, problem
        assert str(problem).startswith(problem.path)
    assert bank.is_empty()


@pytest.fixture
def bank(tmp_path: Path) -> SqliteBank:
    return SqliteBank(tmp_path / "bank.sqlite3", clock=lambda: NOW)


@FUZZ
@given(JSON)
def test_any_json_value_loads_or_is_a_seed_error(bank: SqliteBank, doc: Any) -> None:
    try:
        load(bank, doc)
    except SeedError as exc:
        assert_refused_cleanly(bank, exc)
    else:  # pragma: no cover - arbitrary JSON is never a whole valid bank
        pytest.fail("an arbitrary document loaded")


@FUZZ
@given(
    st.lists(st.tuples(st.sampled_from(DEMO_PATHS), JSON, st.booleans()), min_size=1, max_size=4)
)
def test_the_demo_seed_with_any_changes_loads_or_is_a_seed_error(
    tmp_path: Path, changes: list[tuple[tuple[Any, ...], Any, bool]]
) -> None:
    # A file of its own per example: hypothesis runs the same example again when shrinking.
    bank = SqliteBank(Path(tempfile.mkdtemp(dir=tmp_path)) / "bank.sqlite3", clock=lambda: NOW)
    try:
        load(bank, mutated(changes))
    except SeedError as exc:
        assert_refused_cleanly(bank, exc)
    finally:
        bank.close()


@FUZZ
@given(
    st.binary(max_size=200)
    | st.text(max_size=200).map(str.encode)
    | st.integers(1, 200_000).map(lambda depth: b"[" * depth)
    | st.integers(1, 200_000).map(lambda depth: b'{"a":' * depth)
)
def test_any_file_loads_or_is_a_seed_error(bank: SqliteBank, tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "seed.json"
    path.write_bytes(raw)
    with pytest.raises(SeedError) as refused:
        load_file(bank, path)
    assert_refused_cleanly(bank, refused.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["bank"].update(name=None), "bank.name: required (null is not a value)"),
        (
            lambda d: d["customers"][0]["accounts"][0].update(balance=None),
            "customers[0].accounts[0].balance: required (null is not a value)",
        ),
        (
            lambda d: d["customers"][0].update(cards=None),
            "customers[0].cards: must not be null: leave the field out instead",
        ),
        (lambda d: d.update({"": 1}), '[""]: unknown field'),
        (lambda d: d["bank"].update({"a b": 1}), 'bank["a b"]: unknown field'),
    ],
)
def test_nulls_and_odd_keys_are_problems_with_a_path(
    bank: SqliteBank, change: Any, expected: str
) -> None:
    """Each of these raised an IntegrityError or TypeError while loading, or named no path."""
    doc = demo()
    change(doc)
    with pytest.raises(SeedError) as refused:
        load(bank, doc)
    assert expected in [str(p) for p in refused.value.problems]
    assert bank.is_empty()


def test_a_file_nested_too_deeply_is_a_seed_error(bank: SqliteBank, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000)
    with pytest.raises(SeedError) as refused:
        load_file(bank, path)
    assert [str(p) for p in refused.value.problems] == ["$: nested too deeply to read"]
