"""Wallet opening's own steps in the number's language, through the real pages, Redis and bank:
the email step a scenario adds, its wrong code and its resend cooldown in French; a scenario no
new person can meet refused in Arabic, the branches' Latin addresses isolated in the sentence;
the terms in the language the page linking to them asks for, English for any other."""

from __future__ import annotations

import re

from app import Services
from bot.messenger import OutboxMessenger
from tests.conversations.test_wallet_journeys import BOLA, BOLA_ID, details, plain
from tests.conversations.test_wallet_mfa import onboarding_scenario
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in

_CODE = re.compile(r"\b(\d{6})\b")


def link_in_language(whatsapp: WhatsApp, greeting: str) -> str:
    whatsapp.send(BOLA, greeting)  # the language's menu word chooses it for this number
    return link_in(whatsapp.send(BOLA, "open wallet").text)


def test_the_email_step_speaks_french(
    whatsapp: WhatsApp, secure: SecurePages, services: Services, outbox: OutboxMessenger
) -> None:
    onboarding_scenario(services, "email_code", "sms_code")
    path = link_in_language(whatsapp, "bonjour")
    page = plain(details(secure, path, BOLA, BOLA_ID))
    assert page.status == 200 and "<h1>Confirmez votre adresse e-mail</h1>" in page.text
    assert 'lang="fr"' in page.text and "Code reçu par e-mail" in page.text
    wrong = plain(secure.post(f"{path}/email", {"code": "000000"}, page_path=path))
    assert wrong.status == 401
    assert "Ce code n'est pas celui que nous avons envoyé. Vérifiez l'e-mail" in wrong.text
    assert "Il vous reste 4 essais." in wrong.text
    short = plain(secure.post(f"{path}/email", {"code": "12"}, page_path=path))
    assert short.status == 400
    assert "Saisissez le code à 6 chiffres que nous avons envoyé à votre adresse e-mail." in (
        short.text
    )
    too_soon = plain(secure.post(f"{path}/email/code", {}, page_path=path))
    assert too_soon.status == 429
    wait = re.search(
        r"Veuillez patienter (\d+) secondes avant de demander un autre code\.", too_soon.text
    )
    assert wait is not None and 0 < int(wait.group(1)) <= 60
    email = [m["body"] for m in outbox.messages("bola@example.com")]
    assert email and _CODE.search(email[-1])


def test_a_wallet_that_cant_open_online_is_refused_in_arabic(
    whatsapp: WhatsApp, secure: SecurePages, services: Services
) -> None:
    onboarding_scenario(services, "authenticator_app", "security_questions")
    path = link_in_language(whatsapp, "مرحبا")
    page = plain(details(secure, path, BOLA, BOLA_ID))
    assert page.status == 400 and 'dir="rtl"' in page.text
    assert "لا يمكننا فتح محفظة عبر الإنترنت في الوقت الحالي" in page.text
    assert "\u2068Ikeja, 12 Allen Avenue" in page.text  # the branches, isolated from the Arabic
    assert services.bank.customer_by_msisdn(BOLA) is None


def test_the_terms_open_in_a_language_teller_speaks_else_in_english(secure: SecurePages) -> None:
    french = plain(secure.get("/secure/terms?lang=fr"))
    assert 'lang="fr"' in french.text and "Conditions du portefeuille Demo Bank" in french.text
    for unknown in ("xx", "../fr", ""):
        page = secure.get(f"/secure/terms?lang={unknown}")
        assert page.status == 200 and 'lang="en"' in page.text and "wallet terms" in page.text
