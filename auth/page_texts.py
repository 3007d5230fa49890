"""What the secure pages' Python code writes to the customer: why a PIN, a chat-banking ID, a
card PIN, a security answer or a registration detail is refused, and why no code was sent.

Each text has a key and its English once, with ``{placeholders}`` for what varies;
``say(key, **values)`` looks the key up in the language being written (the page's, chosen when
its link was opened: ``auth.pages.languages``; the chat's, inside ``speaking``) and fills the
placeholders after translating, so a translation may put them where its grammar wants, with
counts in the language's digits (``fill``, which the onboarding pages' texts use too).
``app.languages`` extracts these with the templates' strings (the ``pages`` group), so the
catalogs and the missing-keys report cover them. The onboarding pages keep their own texts
(``auth.onboarding_texts``).
"""

from __future__ import annotations

from messaging.languages import current, direction, text
from messaging.local_format import number

TEXTS: dict[str, str] = {
    # The chat-banking PIN (auth.pins): registration and the PIN change.
    "problem.pin.digits_only": "Use digits only.",
    "problem.pin.length": "Use {min} to {max} digits.",
    "problem.pin.repeat": "Don't repeat the same digit or pattern.",
    "problem.pin.sequence": "Don't use digits in a row, such as 123456.",
    "problem.pin.common": "That PIN is one of the most common: choose a less guessable one.",
    "problem.pin.phone": "Don't use part of your phone number.",
    "problem.pin.dob": "Don't use your date of birth.",
    "problem.pin.mismatch": "The two PINs don't match.",
    # Logging in and changing the PIN (auth.login).
    "problem.login.missing": "Enter your chat-banking ID and your PIN.",
    "problem.pin_change.mismatch": "The two new PINs don't match.",
    "problem.pin_change.current": "Enter your current PIN.",
    "problem.pin_change.same": "Choose a PIN that is different from your current one.",
    # The chat-banking ID (auth.stores.credentials, auth.service).
    "problem.login_id.format": "Use 6 to 20 letters, digits, dots, dashes or underscores.",
    "problem.login_id.phone": "Don't use your phone number as your ID.",
    "problem.login_id.taken": "That ID is taken. Please choose another.",
    "problem.login_id.taken_chat_banking": "That chat-banking ID is taken. Please choose another.",
    # Registration's details and its SMS code (auth.registration, auth.pages.register).
    "problem.details.dob": "Enter your date of birth: day, month and year.",
    "problem.details.nin": "Enter the last 4 digits of your national ID number.",
    "problem.details.code": "Enter the 6-digit code we sent you by SMS.",
    "problem.code.expired": "That code has expired or was used up. Send yourself a new one.",
    "problem.code.all_sent": "You've had 3 codes already. Use the last one.",
    "problem.code.wait": "Please wait {seconds} seconds for another code.",
    "problem.code.not_sent": "We couldn't send the code. Please try again in a minute.",
    # Security questions (auth.questions) and the step-up page (auth.pages.stepup).
    "problem.questions.choose": "Choose {choose} different questions.",
    "problem.questions.length": "Give each answer {min} to {max} letters or digits.",
    "problem.questions.same": "Give a different answer to each question.",
    "problem.stepup.both": "Answer both questions.",
    # The authenticator step (auth.registration).
    "problem.authenticator.wrong": (
        "That code isn't right. Check your phone's time is set automatically, "
        "then enter the code your app shows now — or skip this step."
    ),
    # A card's new PIN (auth.pages.cardpin).
    "problem.card_pin.length": "Use exactly {length} digits.",
    "problem.card_pin.weak": (
        "Don't use the same digit four times or digits in a row (like 1234)."
    ),
}


def say(key: str, **values: object) -> str:
    """The key's text in the current language (English without a current translation), its
    placeholders filled. An unknown key is a programming error: KeyError."""
    return fill(key, TEXTS[key], **values)


def code_refused(retry_after_s: int) -> str:
    """Why no new code was sent: the send limit (0) reached, or the seconds left to wait."""
    if retry_after_s == 0:
        return say("problem.code.all_sent")
    return say("problem.code.wait", seconds=retry_after_s)


def fill(key: str, english: str, **values: object) -> str:
    """``english`` (the key's source text) in the current language, its ``{placeholders}`` filled
    after translating: counts as the language writes its digits, and text (a branch's Latin
    address) isolated in a right-to-left language (FSI … PDI), so its commas and full stop stay
    where the translation puts them instead of moving around the Arabic sentence."""
    language = current()
    found = text(key, english, language)
    if not values:
        return found
    return found.format(**{name: _written(value, language) for name, value in values.items()})


def _written(value: object, language: str) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return number(value, "d", language)
    if isinstance(value, str) and direction(language) == "rtl":
        return f"\u2068{value}\u2069"
    return value
