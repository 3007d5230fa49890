"""Variants of the demo seed (``bank/seeds/demo.json``) for tests of a bank that is not the demo
one: another currency, name and code, so a fact taken from anywhere but the bank shows."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from app import DEMO_SEED

KES_BANK = "Jamii Bank"
KES_BANK_CODE = "068"
KES_PER_USD = Decimal(100)  # every amount of the demo seed, scaled to sensible shillings


def _scaled(amount: str) -> str:
    return f"{Decimal(amount) * KES_PER_USD:.2f}"


def kes_seed(path: Path) -> Path:
    """Write the demo seed as a Kenyan bank's (currency ``KES``: the bank, every account, the
    KYC limits, balances and history ×100; its own name and code) to ``path``; return ``path``."""
    doc: dict[str, Any] = json.loads(DEMO_SEED.read_text(encoding="utf-8"))
    own_code = doc["bank"]["code"]
    doc["bank"].update(name=KES_BANK, currency="KES", code=KES_BANK_CODE)
    for level in doc["kyc_levels"]:
        for key in ("per_transaction", "daily", "monthly"):
            level[key] = _scaled(level[key])
    for customer in doc["customers"]:
        for account in customer.get("accounts", []):
            account.update(currency="KES", balance=_scaled(account["balance"]))
            for txn in account.get("transactions", []):
                txn["amount"] = _scaled(txn["amount"])
        for payee in customer.get("payees", []):
            if payee["bank_code"] == own_code:
                payee["bank_code"] = KES_BANK_CODE
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path
