"""No Teller code path edits or deletes an audit entry: only the audit store names the stream,
and the only removal anywhere is the store's retention trim (which keeps the anchor). A static
check over the source tree, so a new ``XDEL`` or a cap on the stream can't slip in unnoticed.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "admin", "auth", "bank", "bot", "flows", "messaging", "receipts", "workers")
STORE = {"auth/stores/audit.py", "auth/stores/audit_chain.py"}
# Deleting stream entries anywhere (a MAXLEN cap on the audit would have to name the stream).
REMOVALS = re.compile(r"\b(xdel|xtrim|xsetid)\b", re.IGNORECASE)
STREAM = re.compile(r"AUDIT_STREAM|AUDIT_ANCHOR|teller:\{audit\}")


def sources() -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(ROOT)), path.read_text())
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    ]


def test_only_the_audit_store_names_the_stream() -> None:
    naming = [name for name, text in sources() if STREAM.search(text) and name not in STORE]
    assert naming == []


def test_nothing_removes_stream_entries_but_the_retention_trim() -> None:
    removing = [name for name, text in sources() if REMOVALS.search(text)]
    assert removing == ["auth/stores/audit_chain.py"]  # the TRIM script, with its anchor
