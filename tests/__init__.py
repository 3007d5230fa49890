"""Teller's test suite (unit, integration, conversations, browser) and its shared helpers."""
