"""The languages Teller speaks: the gettext catalogs under ``locales/`` and the language of the
message being written.

English is the source: its wording lives in the catalogs of the code (``flows.responses``,
``messaging.notices``), each string under a key. A translation is a ``.po`` file,
``locales/<language>/LC_MESSAGES/messages.po``, whose entries carry that key as ``msgctxt`` and
the English text as ``msgid``; adding a language is adding such a folder (docs/languages.md).
The ``.po`` files are read with Babel when first needed (``catalogs()``, called at start so a
broken file stops the process), so a clean clone needs no compile step.

A translation is used only while its ``msgid`` is still the English text of its key: when the
English changes, the old translation no longer says the same thing, so the English is shown
until a translator catches up (the missing-keys report lists it). A fuzzy or empty entry is
missing likewise.

The language of what is being written is held for the duration of a message
(``speaking(language)``) rather than passed to each of the many places that format an amount
or a time: the edge picks the customer's language once, and everything rendered inside the
block follows it. Outside any block it is English, so existing callers are unchanged.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po

SOURCE = "en"  # the language the code is written in; every key has its English text
DOMAIN = "messages"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
NAME_KEY = "language.name"  # each catalog names its language in that language ("Français")

_current: ContextVar[str] = ContextVar("teller_language", default=SOURCE)


class CatalogError(ValueError):
    """A catalog folder that can't be used: names the file and what is wrong."""


@dataclass(frozen=True)
class Entry:
    source: str  # the English text the translation was made from (msgid)
    text: str  # the translation (msgstr)


@dataclass(frozen=True)
class Catalogs:
    """Every language's translations by key; English has none (it is the source)."""

    entries: Mapping[str, Mapping[str, Entry]]

    @functools.cached_property
    def languages(self) -> tuple[str, ...]:
        """English first, then the catalogs' languages in alphabetical order."""
        return (SOURCE, *sorted(self.entries))

    @functools.cached_property
    def named(self) -> tuple[tuple[str, str], ...]:
        """Each language (as ``languages`` orders them) with its name in itself."""
        return tuple((code, self.name(code)) for code in self.languages)

    def text(self, key: str, english: str, language: str) -> str:
        """The key's text in ``language``; the English when it has no current translation."""
        entry = self.entries.get(language, {}).get(key)
        if entry is None or entry.source != english:
            return english
        return entry.text

    def translated(self, key: str, english: str, language: str) -> bool:
        """Whether ``language`` has a current translation of the key."""
        entry = self.entries.get(language, {}).get(key)
        return entry is not None and entry.source == english

    def name(self, language: str) -> str:
        """The language's name in itself (the catalog's ``language.name``, else Babel's)."""
        entry = self.entries.get(language, {}).get(NAME_KEY)
        if entry is not None:
            return entry.text
        return Locale.parse(language).get_display_name(language) or language


def load(root: Path) -> Catalogs:
    """Read every ``<root>/<language>/LC_MESSAGES/messages.po``; raises CatalogError naming a
    folder that is not a language Babel knows, or a file it cannot read."""
    entries: dict[str, dict[str, Entry]] = {}
    for path in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        language = path.parent.parent.name
        if language == SOURCE:
            continue  # English is the code's own wording
        try:
            Locale.parse(language)
        except (UnknownLocaleError, ValueError) as exc:
            raise CatalogError(f"{path}: {language!r} is not a language code Babel knows") from exc
        try:
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language, abort_invalid=True)
        except Exception as exc:  # Babel raises several kinds; any of them makes the file unusable
            raise CatalogError(f"{path}: can't be read ({exc})") from exc
        found: dict[str, Entry] = {}
        for message in catalog:
            if not message.id or not message.context or message.fuzzy:
                continue
            if isinstance(message.id, str) and isinstance(message.string, str) and message.string:
                found[message.context] = Entry(message.id, message.string)
        entries[language] = found
    return Catalogs(entries)


@functools.cache
def catalogs() -> Catalogs:
    """The shipped catalogs, read once per process (they are part of the code, like CATALOG)."""
    return load(LOCALES_DIR)


def current() -> str:
    """The language of what is being written now (English outside ``speaking``)."""
    return _current.get()


@contextmanager
def speaking(language: str) -> Iterator[str]:
    """Write in ``language`` inside the block; a language without a catalog is English."""
    chosen = language if language in catalogs().languages else SOURCE
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def text(key: str, english: str, language: str | None = None) -> str:
    """The key's text in ``language`` (default: the current one), falling back to English."""
    chosen = current() if language is None else language
    if chosen == SOURCE:
        return english
    return catalogs().text(key, english, chosen)


def direction(language: str) -> str:
    """``rtl`` or ``ltr``, as the locale's script is written (Arabic: rtl)."""
    try:
        return "rtl" if Locale.parse(language).text_direction == "rtl" else "ltr"
    except (UnknownLocaleError, ValueError):
        return "ltr"


@dataclass(frozen=True)
class TypedWords:
    """What customers may type in the catalogs' languages, by normalized text: the global word
    or yes/no each stands for, and the language a menu word chooses (not English's own)."""

    words: Mapping[str, str]  # "bonjour" -> "menu", "oui" -> "yes", "نعم" -> "yes"
    greetings: Mapping[str, str]  # "bonjour" -> "fr", "مرحبا" -> "ar"


WORD_KEYS = {"words.menu": "menu", "words.yes": "yes", "words.no": "no"}


def fold(word: str) -> str:
    """A typed word as the engine compares it: NFKC, case-folded, single-spaced."""
    return " ".join(unicodedata.normalize("NFKC", word).casefold().split())


@functools.cache
def typed_words() -> TypedWords:
    found = catalogs()
    words: dict[str, str] = {}
    greetings: dict[str, str] = {}
    for language, entries in sorted(found.entries.items()):
        for key, meaning in WORD_KEYS.items():
            entry = entries.get(key)
            if entry is None:
                continue
            english = {fold(w) for w in entry.source.split("|")}
            for alternative in entry.text.split("|"):
                word = fold(alternative)
                if not word or word in english:
                    continue
                words.setdefault(word, meaning)
                if meaning == "menu":
                    greetings.setdefault(word, language)
    return TypedWords(words, greetings)


def use(language: str) -> None:
    """Write in ``language`` from here to the end of the current context: for an edge that
    resets it at the start of each request (the secure pages); elsewhere use ``speaking``."""
    _current.set(language if language in catalogs().languages else SOURCE)
