"""The wallet-opening and KYC-upload pages' problems in the page's language: each key has its
French and Arabic text, placeholders are filled after translating (numbers in the language's
digits), and outside a page the texts stay English (what the console and the logs see)."""

from __future__ import annotations

import pytest

from auth.kyc.content import Refused, clean
from auth.kyc.requests import SLOT_LABELS
from auth.onboarding import Applicant, _form_problems, _taken_message
from auth.onboarding_texts import TEXTS, say
from bank.wallet_types import Taken
from messaging.languages import catalogs, speaking

EMPTY = Applicant(name="", dob_text="", national_id="", email="", code="", terms=False)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_text_has_a_current_translation(language: str) -> None:
    untranslated = [k for k, en in TEXTS.items() if not catalogs().translated(k, en, language)]
    assert untranslated == []


def test_an_empty_form_is_told_what_to_fix_in_french() -> None:
    with speaking("fr"):
        problems = _form_problems("", None, "", EMPTY)
    assert len(problems) == 6
    assert problems[0].startswith("Saisissez votre nom complet tel qu'il figure sur votre pièce")
    assert problems[-1] == "Lisez et acceptez les conditions pour ouvrir un portefeuille."
    assert not any(p in TEXTS.values() for p in problems)  # none left in English


def test_the_same_form_in_arabic_and_outside_a_page_in_english() -> None:
    with speaking("ar"):
        arabic = _form_problems("", None, "", EMPTY)
    assert arabic[1] == "أدخل تاريخ ميلادك: اليوم والشهر والسنة."
    english = _form_problems("", None, "", EMPTY)
    assert english[1] == "Enter your date of birth: day, month and year."


def test_placeholders_are_filled_after_translating() -> None:
    with speaking("fr"):
        wait = say("problem.code.wait", seconds=30)
        taken = _taken_message(Taken.NUMBER, "Ikeja, 12 Allen Avenue")
    assert wait == "Veuillez patienter 30 secondes avant de demander un autre code."
    assert taken.endswith("Ikeja, 12 Allen Avenue.") and "{" not in taken
    with speaking("ar"):
        under_age = say("onboarding.refusal.under_age", age=18, branches="Ikeja")
    assert "18" in under_age and under_age.startswith("يجب")
    assert "\u2068Ikeja\u2069" in under_age  # a Latin address keeps its order in Arabic


def test_a_refused_document_says_why_in_the_page_language() -> None:
    with speaking("fr"), pytest.raises(Refused) as refused:
        clean(b"")
    assert (
        refused.value.reason
        == "Le fichier est vide. Choisissez la photo ou le PDF de votre document."
    )
    with speaking("ar"), pytest.raises(Refused) as refused:
        clean(b"not a document at all")
    assert refused.value.reason.startswith("هذا الملف ليس")


def test_the_console_keeps_the_document_labels_in_english() -> None:
    with speaking("fr"):
        assert SLOT_LABELS == {"identity": "Identity document", "address": "Proof of address"}
        assert say("kyc_upload.slot.identity") == "Pièce d'identité"
