"""The translation catalogs (locales/): the missing-keys report, placeholders that match the
English, a stale translation falling back to English, the template in step with the code."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from app.languages import REQUIRED, missing, sources, template_catalog
from messaging import notices
from messaging.languages import (
    LOCALES_DIR,
    SOURCE,
    CatalogError,
    catalogs,
    load,
    speaking,
    text,
    typed_words,
)

LANGUAGES = [lang for lang in catalogs().languages if lang != SOURCE]
ENTRIES = [
    (lang, key, english)
    for lang in LANGUAGES
    for texts in sources().values()
    for key, english in texts.items()
    if catalogs().translated(key, english, lang)
]


TYPED = re.compile(r"\*([a-z][a-z0-9 ]*)\*")  # *menu*, *upgrade kyc*: words the engine reads


PERCENT = re.compile(r"%\((\w+)\)s")  # the pages' placeholders (Jinja's newstyle gettext)


def fields(template: str) -> set[str]:
    braces = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
    return braces | {f"%{name}" for name in PERCENT.findall(template)}


def test_french_and_arabic_are_shipped() -> None:
    assert {"fr", "ar"} <= set(LANGUAGES)


def test_the_missing_keys_report() -> None:
    """Every key each language lacks, by group, printed for whoever adds keys; it fails only
    where a language must be complete: French and Arabic, for the chat and the notices."""
    report = missing()
    for lang, groups in report.items():
        for group, keys in groups.items():
            print(f"{lang} {group}: {len(keys)} missing {keys}")
    incomplete = {
        f"{lang} {group}": report[lang][group]
        for lang in ("fr", "ar")
        for group in REQUIRED
        if report[lang][group]
    }
    assert not incomplete, f"translate these (flask --app app languages missing): {incomplete}"


@pytest.mark.parametrize(("lang", "key", "english"), ENTRIES, ids=lambda v: str(v)[:40])
def test_a_translation_has_the_english_placeholders_and_markup(
    lang: str, key: str, english: str
) -> None:
    translated = text(key, english, lang)
    assert fields(translated) == fields(english), key
    assert translated.count("*") % 2 == 0, f"{key}: an unclosed *bold*"
    # What customers type is never translated: *menu*, *cancel*, *statement pdf*, *link*...
    typed = set(TYPED.findall(english))
    assert typed <= set(TYPED.findall(translated)), f"{key}: keep {typed}"
    assert translated.count("\n") >= english.count("\n") - 1, f"{key}: the lines of a list"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_notice_renders_in_each_language(lang: str) -> None:
    """The format specs (``{when:%d %b %H:%M %Z}``, ``{amount:,.2f}``) work for the locale."""
    zone = datetime(2026, 11, 2, 9, 14, tzinfo=UTC).astimezone().tzinfo
    for key in notices.NOTICES:
        params: dict[str, object] = {
            name: Decimal("1500.5")
            if name == "amount" and key == "claim_link"
            else datetime(2026, 11, 2, 9, 14, tzinfo=UTC)
            if name in {"when", "expires"}
            else "x"
            for name in notices.fields(key)
        }
        rendered = notices.render_notice(key, zone=zone, language=lang, **params)
        assert rendered and rendered != notices.render_notice(key, zone=zone, **params), key


def test_the_template_is_current() -> None:
    """locales/messages.pot is what ``flask --app app languages extract`` writes today."""
    with (LOCALES_DIR / "messages.pot").open("rb") as handle:
        shipped = read_po(handle)
    assert {(m.context, m.id) for m in shipped if m.id} == {
        (m.context, m.id) for m in template_catalog() if m.id
    }


def _write(root: Path, lang: str, entries: dict[str, tuple[str, str]]) -> None:
    catalog = Catalog(locale=None if "_" in lang else lang)
    for key, (english, translated) in entries.items():
        catalog.add(english, translated, context=key)
    path = root / lang / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True)
    with path.open("wb") as handle:
        write_po(handle, catalog)


def test_a_stale_or_missing_translation_falls_back_to_english(tmp_path: Path) -> None:
    _write(tmp_path, "fr", {"a": ("Hello", "Bonjour"), "b": ("Old English", "Vieux")})
    found = load(tmp_path)
    assert found.text("a", "Hello", "fr") == "Bonjour"
    assert found.text("b", "New English", "fr") == "New English"  # the English changed
    assert found.text("c", "Missing", "fr") == "Missing"
    assert found.text("a", "Hello", "de") == "Hello"  # no catalog at all


def test_adding_a_language_is_adding_a_folder(tmp_path: Path) -> None:
    _write(tmp_path, "sw", {"language.name": ("English", "Kiswahili"), "a": ("Hi", "Habari")})
    found = load(tmp_path)
    assert found.languages == ("en", "sw")
    assert found.name("sw") == "Kiswahili"


def test_a_folder_that_is_not_a_language_is_refused_by_name(tmp_path: Path) -> None:
    _write(tmp_path, "xx_nope", {"a": ("Hi", "Ho")})
    with pytest.raises(CatalogError, match="xx_nope"):
        load(tmp_path)


def test_words_customers_type_in_each_language() -> None:
    typed = typed_words()
    assert typed.greetings["bonjour"] == "fr" and typed.greetings["مرحبا"] == "ar"
    assert typed.greetings["قائمة"] == "ar"
    assert "menu" not in typed.greetings  # English's own word chooses nothing
    assert typed.words["oui"] == "yes" and typed.words["non"] == "no"
    assert typed.words["نعم"] == "yes" and typed.words["لا"] == "no"
    assert typed.words["bonjour"] == "menu"


def test_outside_a_language_block_everything_is_english() -> None:
    assert (
        text("cancel.done", "Cancelled. Nothing was changed.") == "Cancelled. Nothing was changed."
    )
    with speaking("fr"):
        assert (
            text("cancel.done", "Cancelled. Nothing was changed.")
            == "Annulé. Rien n'a été modifié."
        )
    with speaking("xx"):  # no such catalog: English
        assert text("cancel.done", "Cancelled. Nothing was changed.").startswith("Cancelled")
