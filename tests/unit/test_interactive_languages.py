"""Buttons and lists in the customer's language: the yes/no template of their language, the
list's button and "Or type 3" from their catalog, every shipped label within WhatsApp's limits,
and labels too long for a field cut whole graphemes at a time (Arabic's marks stay on their
letters)."""

from __future__ import annotations

import unicodedata

import pytest

from bot.content.definitions import (
    MAX_BUTTON_TITLE,
    MAX_ITEM_DESCRIPTION,
    MAX_ITEMS,
    MAX_LIST_BUTTON,
    QUICK_REPLY,
    interactive,
    list_name,
    yes_no_name,
)
from bot.content.fitting import ELLIPSIS, fit, length
from bot.content.replies import template_for
from flows.moving import options, yes_no_choices
from flows.responses import CATALOG, CHOICE_LABELS
from messaging.languages import catalogs, speaking, text

LANGUAGES = catalogs().languages


def test_a_yes_no_question_uses_the_template_of_its_language() -> None:
    for language in LANGUAGES:
        with speaking(language):
            found = template_for("؟", yes_no_choices(), language)
        assert found == (yes_no_name(language), {"1": "؟"})
    assert yes_no_name("en") == "teller_yes_no"  # the name stored before languages
    assert yes_no_name("ar") == "teller_yes_no_ar"


def test_each_yes_no_template_carries_its_language_s_titles() -> None:
    by_name = {d.friendly_name: d for d in interactive()}
    arabic = by_name["teller_yes_no_ar"]
    assert arabic.language == "ar"
    actions = arabic.types[QUICK_REPLY]["actions"]
    assert [(a["id"], a["title"]) for a in actions] == [("yes", "نعم"), ("no", "لا")]
    french = by_name["teller_yes_no_fr"].types[QUICK_REPLY]["actions"]
    assert [a["title"] for a in french] == ["Oui", "Non"]
    english = by_name["teller_yes_no"].types[QUICK_REPLY]["actions"]
    assert [a["title"] for a in english] == ["Yes", "No"]


def test_a_language_without_the_labels_falls_back_to_english_s_buttons() -> None:
    assert template_for("Pick", yes_no_choices(), "sw") == ("teller_yes_no", {"1": "Pick"})


def test_an_arabic_list_speaks_arabic() -> None:
    with speaking("ar"):
        labels = ["مستفيد جديد", "رقم هاتف محمول", "شيدي أوكيكي (بنك أكسس ••4321)"]
        found = template_for("إلى من تريد التحويل؟", options(labels), "ar")
    assert found is not None
    name, variables = found
    assert name == list_name(3)
    assert variables["2"] == "اختر"
    assert (variables["3"], variables["4"]) == ("مستفيد جديد", "أو اكتب 1")
    assert variables["6"] == "أو اكتب 2"
    # 29 characters: cut to 24 for the title, given whole as the description
    assert length(variables["7"]) <= 24 and variables["7"].endswith(ELLIPSIS)
    assert variables["8"] == labels[2]


def test_the_list_s_words_follow_the_language_passed() -> None:
    _, french = template_for("Qui ?", options(["A", "B", "C", "D"]), "fr") or ("", {})
    assert (french["2"], french["4"]) == ("Choisir", "Ou tapez 1")
    _, english = template_for("Who?", options(["A", "B", "C", "D"])) or ("", {})
    assert (english["2"], english["4"]) == ("Choose", "Or type 1")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_shipped_label_fits_its_field(language: str) -> None:
    for choice, english in CHOICE_LABELS.items():
        assert length(text(f"choice.{choice}", english, language)) <= MAX_BUTTON_TITLE
    button = text("choices.button", CATALOG["choices.button"], language)
    assert length(button) <= MAX_LIST_BUTTON
    typed = text("choices.type", CATALOG["choices.type"], language)
    assert length(typed.format(id=MAX_ITEMS)) <= MAX_ITEM_DESCRIPTION


def test_too_long_a_translation_is_cut_to_the_field() -> None:
    long = "اختر " * 10
    assert length(fit(long, MAX_LIST_BUTTON)) <= MAX_LIST_BUTTON
    assert fit("Choose", MAX_LIST_BUTTON) == "Choose"  # what fits is untouched


def test_a_cut_never_separates_an_arabic_letter_from_its_marks() -> None:
    # "مُحَمَّد" with its harakat: each letter is followed by one or two combining marks.
    vowelled = "حِسَابُ التَّوْفِيرِ الخَاصُّ بِمُحَمَّدٍ"
    for limit in range(2, len(vowelled)):
        cut = fit(vowelled, limit)
        assert length(cut) <= limit
        kept = cut.removesuffix(ELLIPSIS)
        assert vowelled.startswith(kept)
        after = vowelled[len(kept) : len(kept) + 1]
        assert not after or unicodedata.category(after) not in {"Mn", "Mc", "Me"}, limit


def test_a_cut_keeps_emoji_sequences_whole() -> None:
    family = "Family 👨\u200d👩\u200d👧 savings"
    for limit in range(8, 20):
        kept = fit(family, limit).removesuffix(ELLIPSIS)
        assert (not kept.endswith("\u200d") and "👨" not in kept) or "👧" in kept, (limit, kept)
    thumbs = "OK 👍🏽 done"
    assert fit(thumbs, 5) in {"OK…", "OK 👍🏽…"}
    assert length("👍") == 2  # WhatsApp counts UTF-16 units: an emoji is two
