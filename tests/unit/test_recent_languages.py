"""The languages a process remembers for the apology when Redis can't be read: bounded, least
recently seen forgotten first, English for a number it doesn't hold."""

from __future__ import annotations

from bot.recent_languages import RecentLanguages


def test_the_last_language_noted_is_the_one_given() -> None:
    recent = RecentLanguages()
    assert recent.get("+2348030000001") == "en"
    recent.note("+2348030000001", "fr")
    recent.note("+2348030000001", "ar")
    assert recent.get("+2348030000001") == "ar"


def test_the_least_recently_seen_number_is_forgotten_first() -> None:
    recent = RecentLanguages(capacity=2)
    recent.note("+1", "fr")
    recent.note("+2", "ar")
    recent.note("+1", "fr")  # seen again: now the most recent
    recent.note("+3", "ar")
    assert (recent.get("+1"), recent.get("+2"), recent.get("+3")) == ("fr", "en", "ar")
