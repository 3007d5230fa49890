"""Conversations in French and in Arabic through the real webhook: the menu word of a language
chooses it, the choice is kept for the number, and the chat, its SMS and the resumed replies
follow it; Profile & security's *Language* changes it back; English is unchanged throughout."""

from __future__ import annotations

import re
import unicodedata
from io import BytesIO

from flask.testing import FlaskClient
from pypdf import PdfReader

from app import Services
from bot.messenger import OutboxMessenger
from tests.conftest import AMINA
from tests.documents import fetch, media_messages, run_jobs
from tests.helpers import WhatsApp
from tests.secure_pages import SecurePages, link_in

WELCOME_EN = (
    "Welcome to Demo Bank, Amina. Reply with a number:\n1 Balance\n2 Mini statement"
    "\n3 Statement (PDF)\n4 Transfer\n5 Pay a bill\n6 Cards"
    "\n7 Profile & security\n8 Log out\n9 Security tips\n10 Contact us"
)


def sms_to(outbox: OutboxMessenger, msisdn: str = AMINA) -> list[str]:
    return [m["body"] for m in outbox.messages(msisdn) if m["channel"] == "sms"]


def chat_to(outbox: OutboxMessenger, msisdn: str = AMINA) -> list[str]:
    return [m["body"] for m in outbox.messages(msisdn) if m["channel"] == "whatsapp"]


def receipt_text(services: Services, client: FlaskClient, outbox: OutboxMessenger) -> str:
    """Run the receipt job, fetch the PDF sent on WhatsApp, open it with the password that
    came by SMS, and return its text."""
    run_jobs(services.rq_redis)
    caption = media_messages(outbox, AMINA)[-1]
    status, pdf, _ = fetch(client, str(caption["media_urls"][0]))
    assert status == 200
    sms = [m for m in sms_to(outbox) if re.search(r"\b[2-9A-Z]{10}\b", m) and "TX" in m][-1]
    password = re.findall(r"\b([2-9A-Z]{10})\b", sms)[-1]
    reader = PdfReader(BytesIO(pdf))
    assert reader.is_encrypted and reader.decrypt(password)
    return "\n".join(page.extract_text() for page in reader.pages)


def test_a_conversation_in_french(
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
    services: Services,
    client: FlaskClient,
) -> None:
    welcome = whatsapp.send(AMINA, "Bonjour !").text
    assert welcome.startswith("Bienvenue chez Demo Bank, Amina. Répondez par un numéro :\n1 Solde")
    assert "\n7 Profil et sécurité\n" in welcome
    link = whatsapp.send(AMINA, "1").text
    assert "activez d'abord la banque par chat sur notre page sécurisée" in link
    page = secure.get(link_in(link)).text  # the secure page speaks French too
    assert '<html lang="fr" dir="ltr">' in page and "Confirmez que c'est bien vous" in page
    assert secure.register(link_in(link), AMINA).status == 200
    assert "est votre code d'inscription à la banque par chat" in sms_to(outbox)[0]
    assert "vous vous êtes inscrit à la banque par chat le 02 nov. 10:00 WAT" in sms_to(outbox)[1]
    resumed = chat_to(outbox)[-1]
    assert resumed.startswith("Vous êtes connecté.\n\nVos soldes disponibles :")
    assert "Épargne ••6789: 2\u202f500,00\xa0$US" in resumed
    # a transfer, confirmed with "oui"
    assert "Qui voulez-vous payer ?\n1 Nouveau bénéficiaire" in whatsapp.send(AMINA, "4").text
    chidi = whatsapp.send(AMINA, "5").text
    assert chidi.startswith("Combien (USD) voulez-vous envoyer à Chidi Okeke")
    summary = whatsapp.send(AMINA, "150").text
    assert summary.startswith("Envoyer *150,00\xa0$US* à Chidi Okeke")
    assert "depuis Épargne ••6789 ? Répondez OUI pour confirmer ou NON pour annuler." in summary
    challenge = whatsapp.send(AMINA, "oui").text
    assert challenge.startswith("Pour votre sécurité, nous avons envoyé un code par SMS")
    code_sms = sms_to(outbox)[-1]  # the scenario's template, in French (the bank's default)
    assert (
        " est votre code pour envoyer 150,00\xa0$US à Chidi Okeke (Access Bank ••4321)" in code_sms
    )
    done = whatsapp.send(AMINA, secure.last_code(AMINA)).text
    assert done.startswith(
        "C'est fait : 150,00\xa0$US envoyé à Chidi Okeke (Access Bank ••4321). Réf. "
    )
    # the choice is kept: an English global word still works, and answers in French
    assert whatsapp.send(AMINA, "menu").text.startswith("Bienvenue chez Demo Bank")
    assert whatsapp.send(AMINA, "cancel").text == "Il n'y a rien à annuler."


def test_a_conversation_in_arabic_then_back_to_english(
    whatsapp: WhatsApp,
    secure: SecurePages,
    outbox: OutboxMessenger,
    services: Services,
    client: FlaskClient,
) -> None:
    welcome = whatsapp.send(AMINA, "مرحبا").text
    assert welcome.startswith("مرحبًا بك في Demo Bank، Amina. أرسل رقمًا:\n1 الرصيد")
    link = whatsapp.send(AMINA, "١").text  # an Arabic-Indic digit is the same choice
    assert "فعّل الخدمة المصرفية عبر الدردشة أولًا" in link
    assert secure.register(link_in(link), AMINA).status == 200
    assert "هو رمزك للتسجيل في الخدمة المصرفية عبر الدردشة" in sms_to(outbox)[0]
    resumed = chat_to(outbox)[-1]
    assert resumed.startswith("تم تسجيل دخولك.\n\nأرصدتك المتاحة:")
    assert "توفير ••6789: \u200f2,500.00\xa0US$" in resumed
    # a transfer confirmed with نعم, and its receipt in Arabic
    assert whatsapp.send(AMINA, "٤").text.startswith("إلى من تريد التحويل؟\n1 مستفيد جديد")
    whatsapp.send(AMINA, "٥")
    assert whatsapp.send(AMINA, "١٥٠").text.startswith("هل ترسل *\u200f150.00\xa0US$* إلى Chidi")
    assert "أرسلنا رمزًا برسالة قصيرة" in whatsapp.send(AMINA, "نعم").text
    assert " هو رمزك لإرسال \u200f150.00\xa0US$ إلى Chidi Okeke" in sms_to(outbox)[-1]
    assert whatsapp.send(AMINA, secure.last_code(AMINA)).text.startswith("تم: أُرسل")
    text = unicodedata.normalize("NFKC", receipt_text(services, client, outbox))
    # Drawn shaped (presentation forms, undone by NFKC); pypdf reads the lines back in order.
    assert "إيصال عملية" in text and "المرجع" in text and "مكتملة" in text
    menu = whatsapp.send(AMINA, "٧").text
    assert menu.startswith("الملف الشخصي والأمان:") and menu.endswith("\n8 اللغة")
    choices = whatsapp.send(AMINA, "8").text
    assert choices == "بأي لغة تريد أن أراسلك؟ أرسل رقمًا:\n1 English\n2 العربية\n3 Français"
    assert whatsapp.send(AMINA, "9").text.startswith("يرجى إرسال رقم من القائمة:")
    done = whatsapp.send(AMINA, "1").text
    assert done.startswith("Done: I'll write to you in English from now on")
    assert whatsapp.send(AMINA, "hi").text == WELCOME_EN  # byte for byte as before


def test_translated_yes_and_no_work_in_any_language(
    whatsapp: WhatsApp, secure: SecurePages
) -> None:
    link = whatsapp.send(AMINA, "balance").text
    assert secure.register(link_in(link), AMINA).status == 200
    for text in ("transfer", "5"):
        whatsapp.send(AMINA, text)
    assert whatsapp.send(AMINA, "150").text.startswith("Send *USD 150.00* to Chidi Okeke")
    assert whatsapp.send(AMINA, "لا").text == "Cancelled. Nothing was changed."  # as "no"
