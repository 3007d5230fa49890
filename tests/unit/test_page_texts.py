"""What the secure pages' Python writes, in the language being written: the PIN policy's,
the card PIN's, the security answers' and the chat-banking ID's refusals in French and Arabic,
placeholders filled after translating, English unchanged outside any language."""

from __future__ import annotations

import pytest

from auth.page_texts import TEXTS, say
from auth.pages.cardpin import card_pin_problems
from auth.pins import pin_problems
from auth.questions import QUESTIONS, answer_problems, question_text
from auth.stores.credentials import login_id_problems
from messaging.languages import speaking, text

AMINA = "+2348030000001"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Don't repeat the same digit or pattern.", "Don't use your date of birth."]),
        (
            "fr",
            [
                "Ne répétez pas le même chiffre ni le même motif.",
                "N'utilisez pas votre date de naissance.",
            ],
        ),
        ("ar", ["لا تكرر الرقم نفسه أو النمط نفسه.", "لا تستخدم تاريخ ميلادك."]),
    ],
)
def test_pin_problems_are_in_the_language_being_written(language: str, expected: list[str]) -> None:
    with speaking(language):
        assert pin_problems("959595", msisdn=AMINA, is_dob_pin=True) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Use 6 to 12 digits."),
        ("fr", "Utilisez de 6 à 12 chiffres."),
        ("ar", "استخدم من 6 إلى 12 رقمًا."),
    ],
)
def test_the_length_rule_fills_its_numbers_after_translating(language: str, expected: str) -> None:
    with speaking(language):
        assert pin_problems("12345", msisdn=AMINA) == [expected]


def test_every_pin_rule_has_french_and_arabic() -> None:
    for language in ("fr", "ar"):
        with speaking(language):
            problems = pin_problems("123456", msisdn="+2341234560000") + pin_problems(
                "147258", msisdn=AMINA
            )
            problems += pin_problems("12a", msisdn=AMINA)
        english = set(pin_problems("123456", msisdn="+2341234560000"))
        english |= set(pin_problems("147258", msisdn=AMINA)) | set(
            pin_problems("12a", msisdn=AMINA)
        )
        assert len(problems) == 4 and not set(problems) & english, (language, problems)


def test_card_pin_answers_and_ids_follow_the_language() -> None:
    with speaking("fr"):
        assert card_pin_problems("12", "12") == ["Utilisez exactement 4 chiffres."]
        assert card_pin_problems("8305", "8350") == ["Les deux PIN ne sont pas identiques."]
        assert answer_problems({"q1": "x", "q3": "Bingo", "q6": "Allen"}) == [
            "Donnez à chaque réponse de 2 à 60 lettres ou chiffres."
        ]
        assert login_id_problems("ab", AMINA) == [
            "Utilisez de 6 à 20 lettres, chiffres, points, tirets ou tirets bas."
        ]
    with speaking("ar"):
        assert card_pin_problems("1111", "1111") == [
            "لا تستخدم الرقم نفسه أربع مرات ولا أرقامًا متتالية (مثل 1234)."
        ]
        assert answer_problems({"q1": "Queens", "q3": "Bingo"}) == ["اختر 3 أسئلة مختلفة."]
    assert card_pin_problems("8305", "8350") == ["The two PINs don't match."]  # English outside


def test_the_security_questions_are_translated() -> None:
    with speaking("fr"):
        assert question_text("q2") == "Dans quelle ville votre mère est-elle née ?"
    with speaking("ar"):
        assert question_text("q9") == "ما كان لقبك في الطفولة؟"
    assert [question_text(qid) for qid in QUESTIONS] == list(QUESTIONS.values())


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_say_formats_every_text(language: str) -> None:
    """Each text's placeholders are filled (a translation that renamed one would raise)."""
    values = {"min": 6, "max": 12, "seconds": 30, "choose": 3, "length": 4}
    for key, english in TEXTS.items():
        with speaking(language):
            said = say(key, **values)
        assert said == text(key, english, language).format(**values)
        assert "{" not in said and said != english.format(**values), key
