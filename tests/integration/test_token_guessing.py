"""Guessing one-time tokens gets nowhere (SECURITY.md 9-11): link, claim and set-up tokens carry
256 random bits and media ids 128 bits plus a signature; a guessed or altered token gets the one
neutral 404 page whatever it is (no oracle in status, wording or length), and a form post
without the page's own CSRF token is refused before anything is looked up."""

from __future__ import annotations

import secrets

import pytest
from flask.testing import FlaskClient

from app import Services
from auth.stores.links import LinkStore, Purpose
from tests.conftest import AMINA

PATHS = ["/secure/login/{}", "/secure/register/{}", "/secure/pin/{}", "/claim/{}",
         "/admin/setup/{}", "/media/{}"]  # fmt: skip


@pytest.mark.parametrize("path", PATHS)
def test_guessed_tokens_all_get_the_same_neutral_page(client: FlaskClient, path: str) -> None:
    guesses = [secrets.token_urlsafe(32), secrets.token_urlsafe(8), "a" * 43, "..", "%00"]
    answers = set()
    for guess in guesses:
        answer = client.get(path.format(guess))
        assert answer.status_code == 404
        answers.add(answer.get_data(as_text=True).replace(guess, ""))
    assert len(answers) == 1  # the token guessed changes nothing in what is shown


def test_an_altered_real_link_is_as_unknown_as_a_guess(
    client: FlaskClient, services: Services
) -> None:
    token = LinkStore(services.redis).issue(Purpose.REGISTER, AMINA, "C001", services.clock()).token
    assert len(token) >= 43  # 32 random bytes, base64url
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    guess = secrets.token_urlsafe(32)
    assert client.get(f"/secure/register/{token}").status_code == 200
    wrong = client.get(f"/secure/register/{altered}")
    guessed = client.get(f"/secure/register/{guess}")
    assert wrong.status_code == guessed.status_code == 404
    assert wrong.get_data(as_text=True).replace(altered, "") == guessed.get_data(
        as_text=True
    ).replace(guess, "")


@pytest.mark.parametrize("path", ["/secure/login/{}", "/claim/{}", "/admin/setup/{}"])
def test_a_post_without_the_pages_csrf_token_is_refused(client: FlaskClient, path: str) -> None:
    answer = client.post(path.format(secrets.token_urlsafe(32)), data={"pin": "123456"})
    assert answer.status_code == 400
