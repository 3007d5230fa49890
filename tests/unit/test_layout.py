"""The shape of the code base: small modules, so a newcomer finds the room for a change at a
look. Text catalogs are the exception: one place for every customer-facing word."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "bot", "admin", "workers", "flows", "auth", "receipts", "bank", "messaging")
CATALOGS = {"flows/responses.py", "messaging/notices.py"}
MAX_LINES = 400


def test_no_module_outside_a_text_catalog_is_over_400_lines() -> None:
    too_long = {
        str(path.relative_to(ROOT)): count
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if str(path.relative_to(ROOT)) not in CATALOGS
        and (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


def test_every_package_is_in_the_layers_contract() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()} - {"tests", "bench"}
    assert found == set(PACKAGES)
    for package in PACKAGES:
        assert f'"{package}"' in text.split("[tool.importlinter]")[1]
