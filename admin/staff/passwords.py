"""The staff password rule (OWASP ASVS 2.1, NIST SP 800-63B 5.1.1): at least 12 characters, at
most 128, and not a common, dictionary or breached-style password — zxcvbn's dictionaries (the
most used passwords, English words, names) with its l33t, reversal, keyboard-pattern, date and
repeat matching, plus the user's name and the bank's. Hashing is the PIN hasher's (argon2id over
a peppered HMAC, ``auth.pins.SecretHasher``) under its own purpose.
"""

from __future__ import annotations

from typing import Any

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn's score: 0-4; 3 is "safely unguessable: moderate protection from offline slow-hash
# attacks" (about 10^8 guesses and more), which argon2id makes expensive.
MIN_SCORE = 3
PURPOSE = "staff-password"


def password_problems(password: str, username: str, bank_name: str = "") -> list[str]:
    """What is wrong with ``password`` (each message starts with ``password:``); [] when it may
    be used. Nothing here logs or keeps the password."""
    if len(password) < MIN_LENGTH:
        return [f"password: at least {MIN_LENGTH} characters (a few unrelated words work well)"]
    if len(password) > MAX_LENGTH:
        return [f"password: at most {MAX_LENGTH} characters"]
    if password.strip() != password:
        return ["password: must not start or end with a space"]
    own = [username, *username.replace(".", " ").replace("_", " ").split(), bank_name, "teller"]
    verdict: dict[str, Any] = zxcvbn(password, user_inputs=[w for w in own if w])
    if _is_common(verdict, password):
        return ["password: too common (it is on lists of breached passwords); choose another"]
    if int(verdict["score"]) < MIN_SCORE:
        warning = str(verdict["feedback"].get("warning") or "too easy to guess").rstrip(".")
        return [f"password: {warning[0].lower() + warning[1:]}; add words or make it longer"]
    return []


def _is_common(verdict: dict[str, Any], password: str) -> bool:
    """A password that is mostly one entry of the breached-password list (with its l33t or
    case variants and a few digits or symbols around it, like ``P@ssw0rd2024!``)."""
    for match in verdict.get("sequence", []):
        if match.get("pattern") != "dictionary" or match.get("dictionary_name") != "passwords":
            continue
        if len(str(match.get("token", ""))) * 2 >= len(password):
            return True
    return False
