"""What the wallet-opening and KYC-upload pages' Python code tells a person, by key: the form
problems and refusals of ``auth.onboarding``, the code-sending answers of
``auth.pages.onboard``, the document refusals of ``auth.kyc.content`` and the upload page's own
texts (``auth.pages.kyc``).

Each English text is written once, here, with ``{placeholders}``; ``say`` looks the key up in
the current language (the page's, chosen when its link opened: ``auth.pages.languages``) and
fills the placeholders after translating, numbers written for that language
(``auth.page_texts.fill``). Outside a page request the language is English, so what staff and
logs see is unchanged. ``app.languages`` puts these keys in the ``pages`` group, so the catalogs
must translate them all.
"""

from __future__ import annotations

from auth import page_texts

TEXTS = {
    # auth.onboarding: the first step's form, asked again (no strike)
    "onboarding.problem.name": (
        "Enter your full name as on your national ID: first and last name."
    ),
    "onboarding.problem.nin": "Enter your national ID number: the 11 digits on your ID card.",
    "onboarding.problem.email": "Enter your email address, such as name@example.com.",
    "onboarding.problem.terms": "Read and accept the terms to open a wallet.",
    "onboarding.problem.email_code": "Enter the 6-digit code we sent to your email.",
    # auth.onboarding: refusals of the person (strikes)
    "onboarding.refusal.wrong_sms_code": (
        "That code isn't the one we sent. Check the SMS, or send a new code."
    ),
    "onboarding.refusal.wrong_email_code": (
        "That code isn't the one we sent. Check the email, or send a new code."
    ),
    "onboarding.refusal.implausible_date": (
        "That date of birth can't be right. Check the day, month and year, then try again."
    ),
    "onboarding.refusal.under_age": (
        "You need to be {age} or older to open a wallet here. A parent or guardian can open an "
        "account for you at a branch: {branches}."
    ),
    "onboarding.refusal.national_id_mismatch": (
        "Your name, date of birth and national ID number don't match the national ID record. "
        "Type them exactly as on your ID card. If they are right, visit a branch with your ID: "
        "{branches}."
    ),
    "onboarding.refusal.number_taken": (
        "This number already belongs to a customer of ours, so it can't open another wallet. "
        "To use chat banking on it, visit a branch with your ID: {branches}."
    ),
    "onboarding.refusal.national_id_taken": (
        "A wallet is already open for this national ID: one person can have one wallet. If you "
        "didn't open it, or it's on another number, visit a branch with your ID: {branches}."
    ),
    "onboarding.refusal.unavailable": (
        "We can't open a wallet online at the moment. Please visit a branch with your ID: "
        "{branches}."
    ),
    "onboarding.any_branch": "any of our branches",
    # auth.pages.onboard: sending the email code (the SMS code's answers are registration's)
    "onboarding.send.email_failed": "We couldn't send the email. Please try again in a minute.",
    # auth.pages.kyc and auth.kyc.content: the upload page
    "kyc_upload.slot.identity": "Identity document",
    "kyc_upload.slot.address": "Proof of address",
    "kyc_upload.too_large": (
        "Together the files are larger than 10 MB. Choose smaller photos or scans (5 MB each)."
    ),
    "kyc_upload.no_file": "Choose a file: a photo (JPEG or PNG) or a PDF.",
    "kyc_upload.empty": "The file is empty. Choose the photo or PDF of your document.",
    "kyc_upload.file_too_large": (
        "The file is larger than 5 MB. Take a smaller photo or scan, and try again."
    ),
    "kyc_upload.not_a_document": (
        "That file isn't a JPEG, PNG or PDF, whatever its name says. Choose a photo (JPEG or "
        "PNG) or a PDF of your document."
    ),
    "kyc_upload.unreadable_image": (
        "That file says it is a {kind} image but can't be read as one. Take the photo again, or "
        "choose another file."
    ),
    "kyc_upload.image_too_large": "That image is too large. Take a smaller photo and try again.",
    "kyc_upload.pdf_protected": (
        "That PDF is protected with a password, so we can't check it. Save or scan it without a "
        "password and try again."
    ),
    "kyc_upload.unreadable_pdf": (
        "That file says it is a PDF but can't be read as one. Scan or save it again, or send a "
        "photo instead."
    ),
    "kyc_upload.pdf_pages": "A PDF document must have 1 to {pages} pages.",
    "kyc_upload.pdf_active": (
        "That PDF contains scripts, actions or attached files, which we don't accept. Print it to "
        "a new PDF or scan the paper document, and try again."
    ),
}


def say(key: str, **values: object) -> str:
    """The key's text in the current language, its ``{placeholders}`` filled after
    translating (``page_texts.fill``). A text registration's pages say the same way (the date of
    birth, the SMS code and its sending) is theirs, by its key in ``auth.page_texts``. An unknown
    key is a KeyError."""
    english = TEXTS[key] if key in TEXTS else page_texts.TEXTS[key]
    return page_texts.fill(key, english, **values)
