"""Every customer-facing string, by key: the one place wording lives.

Templates use ``str.format`` fields. ``{bank}`` is always available; other fields come from the
Reply's parameters. Replies never echo what the customer typed (it might be a PIN sent by
mistake) and never contain a full account or card number.

This English is the source of the translations in ``locales/`` (each under its key:
``messaging.languages``); a reply is written in the language of the message being answered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from string import Formatter

from flows.types import Reply
from messaging.languages import text

CATALOG: dict[str, str] = {
    # greetings and the menu
    "welcome": "Welcome to {bank}, {first_name}. Reply with a number:\n{menu}",
    "menu": "Reply with a number:\n{menu}",
    "menu.hint": "Send *menu* at any time to see what I can do.",
    # help
    "help.main_menu": (
        "I'm the {bank} assistant. Reply with a number from the menu, or one of these words at "
        "any time:\n*menu* – show the menu\n*help* – this message\n*cancel* – stop what you're "
        "doing\n*logout* – end your chat-banking session\n\nOr say it in one line: *send 150 "
        "to Chidi*, *pay city power 50*, *bal*, *statement pdf october*, *lock card 4242*.\n\n"
        "We never ask for your PIN or password in this chat, and we never send a code into it. "
        "Type a code here only right after you asked for a payment or a change."
    ),
    "help.contact_menu": (
        "You're in *Contact us*. Reply 1, 2 or 3 to choose, *menu* to go back, or *cancel*."
    ),
    # global words
    "cancel.done": "Cancelled. Nothing was changed.",
    "cancel.nothing": "There's nothing to cancel.",
    "logout.none": "You're not logged in on this number, so there's nothing to log out of.",
    "logout.done": (
        "You're logged out. The next time you ask for something private, I'll send you a "
        "login link."
    ),
    # the token check in front of secured intents
    "auth.register_link": (
        "To keep your money safe, set up chat banking first on our secure page. You'll confirm "
        "your details and create your chat-banking ID and PIN there, never in this chat. "
        "The link is for you only and works for {minutes} minutes:\n{url}"
    ),
    "auth.login_link": "Please log in to continue (link valid {minutes} minutes):\n{url}",
    "auth.expired_link": (
        "Your session has ended. Log in to continue (link valid {minutes} minutes):\n{url}"
    ),
    "auth.blocked": (
        "For your safety, chat banking on this number (payments, changes and balances) is "
        "blocked until {until}, after {reason}. If it was you, wait until then and try again. "
        "If it wasn't, call us now on {phone}."
    ),
    "auth.blocked_by_bank": (
        "For your safety, {bank} has stopped chat banking on this number (payments, changes and "
        "balances) until {until}. To start again, call us on {phone}."
    ),
    "auth.too_many_links": (
        "You've asked for several links in a short time. Please use the last one we sent, or "
        "try again in {minutes} minutes."
    ),
    "auth.resumed": "You're logged in.",
    "fallback.await_auth": (
        "Please finish on the secure page we sent you. Reply *link* for a new link, or *menu* "
        "to do something else."
    ),
    "help.await_auth": (
        "I've sent you a link to our secure page: open it, finish there, and I'll carry on "
        "here. Reply *link* for a new link, *menu* for the menu, or *cancel*."
    ),
    # balance and mini statement
    "balance": "Your available balances:\n{lines}",
    "accounts.none": (
        "I can't find an account to show here. Please contact us if you think that's wrong."
    ),
    "statement.choose": "Which account?\n{choices}",
    "fallback.statement_account": "Please reply with a number from the list:\n{choices}",
    "help.statement_account": (
        "Reply with the number of the account you want the mini statement for, or *cancel*."
    ),
    "statement.mini": ("Last transactions on {account}:\n{lines}\nAvailable balance: {balance}"),
    "statement.empty": "No transactions on {account} yet. Available balance: {balance}",
    # profile & security
    "security.menu": (
        "Profile & security:\n1 Recent logins\n2 Change PIN\n3 Log out everywhere"
        "\n4 Change email\n5 Change chat-banking ID\n6 Daily limit\n7 Upgrade KYC level"
        "\n8 Language"
    ),
    "fallback.security_menu": "Please reply with a number from 1 to 8, or *menu* to go back.",
    "help.security_menu": (
        "You're in *Profile & security*. Reply 1 to see recent logins, 2 to change your PIN "
        "(on a secure page), 3 to log out everywhere, 4 to change your email, 5 to change your "
        "chat-banking ID, 6 to set your own daily limit, 7 to upgrade your KYC level with "
        "documents (on a secure page), 8 to choose the language I write in, or *cancel*."
    ),
    "security.logins": (
        "Your recent logins:\n{lines}\nDon't recognise one? Reply *profile*, choose *Log out "
        "everywhere*, and call us on the number on your card."
    ),
    "security.no_logins": "There are no logins to show yet.",
    "security.pin_link": (
        "Change your PIN on our secure page (link valid {minutes} minutes). You'll need your "
        "current PIN; never type a PIN in this chat.\n{url}"
    ),
    # the language Teller writes in (flows.languages)
    "language.menu": "Which language should I write in? Reply with a number:\n{choices}",
    "fallback.language_menu": "Please reply with a number from the list:\n{choices}",
    "help.language_menu": (
        "Reply with the number of the language you want me to use in this chat, by SMS and on "
        "our secure pages, or *cancel*."
    ),
    "language.set": (
        "Done: I'll write to you in English from now on, here, by SMS and on our secure pages."
    ),
    # upgrading the KYC level: documents on a secure page, never in the chat
    "kyc.upload_link": (
        "To move up to KYC level {level} (higher limits), upload a photo or PDF of your ID "
        "document and a proof of address on our secure page. The link is for you only and "
        "works for {minutes} minutes:\n{url}"
    ),
    "kyc.highest": (
        "Your account is at KYC level {level}, the highest we offer, so there's nothing to upgrade."
    ),
    "security.logged_out_everywhere": (
        "Done: you're logged out everywhere, and any links we sent you no longer work."
    ),
    # step-up challenges (codes never appear in the chat; only where they went, masked)
    "stepup.sent_sms": (
        "For your security, we sent a code by SMS to {destination} for the request you just "
        "made. Type it here (valid {minutes} minutes). If you didn't ask for this, don't type it "
        "anywhere."
    ),
    "stepup.sent_sms.again": (
        "We sent a new code by SMS to {destination} for this request. Type it here."
    ),
    "stepup.sent_email": (
        "For your security, we sent a code by email to {destination} for the request you just "
        "made. Type it here (valid {minutes} minutes). If you didn't ask for this, don't type "
        "it anywhere."
    ),
    "stepup.sent_email.again": (
        "We sent a new code by email to {destination} for this request. Type it here."
    ),
    "stepup.authenticator": (
        "For your security, open your authenticator app and reply with the 6-digit code it "
        "shows for {bank}."
    ),
    "stepup.questions": (
        "For your security, answer two of your security questions on this secure page (link "
        "valid {minutes} minutes):\n{url}\nNever type the answers in this chat."
    ),
    "stepup.questions_pending": (
        "Please answer your security questions on the secure page we sent. Reply *resend* "
        "for a new link, or *cancel*."
    ),
    "stepup.switch_hint": "No code? Reply *resend*, or *other* to use another way.",
    "stepup.no_backup": "There's no other way to confirm this. Reply *resend* or *cancel*.",
    "stepup.digits_only": "Please reply with the code's digits only, or *resend* or *cancel*.",
    "stepup.wrong": "That code isn't right. You have {remaining} tries left.",
    "stepup.wrong_last": (
        "That code isn't right. You have 1 try left: another wrong code will block "
        "confirmations for a while."
    ),
    "stepup.expired": (
        "That code has expired or was already used. Reply *resend* for a new one, or *cancel*."
    ),
    "stepup.exhausted": (
        "That was too many wrong codes, so we stopped this request. Nothing was changed; you "
        "can start again."
    ),
    "stepup.mismatch": (
        "The details changed after we sent the code, so it no longer works. Nothing was "
        "changed; please start again."
    ),
    "stepup.blocked": (
        "Nothing was changed. For your safety, chat banking on this number (payments, changes "
        "and balances) is blocked until {until}, after {reason}. If it was you, wait until then "
        "and try again. If it wasn't, call us now on {phone}."
    ),
    "stepup.wait": (
        "We sent your last code less than 30 seconds ago, so nothing was sent now. The next "
        "one can go in {seconds} seconds: reply *resend* then, or *other* for another way."
    ),
    "stepup.too_many": (
        "You've started many security checks in the last hour, so the next one can start at "
        "{until} (in {minutes} minutes). I've kept your request: reply *retry* then and we'll "
        "go on. Nothing was changed; *cancel* drops it."
    ),
    "stepup.paused": (
        "Your request is kept. The next security check can start at {until}: reply *retry* "
        "then, or *cancel* to drop it."
    ),
    "stepup.choose_way": (
        "How do you want to confirm instead? Reply with a number:\n{choices}\n"
        "Once you choose, the earlier code stops working."
    ),
    "stepup.switched": "Your earlier code no longer works.",
    "stepup.send_limit": (
        "We've sent as many codes as we can for this request. Reply *other* to use another "
        "way, or *cancel* and start again later."
    ),
    "stepup.not_delivered": (
        "We couldn't send your code just now. Reply *resend* to try again, or *cancel*."
    ),
    "stepup.unavailable": (
        "This needs a security check you haven't set up yet, so we can't go on here. Please "
        "call us on the number on your card. Nothing was changed."
    ),
    "stepup.expired_start_again": (
        "That request has expired. Nothing was changed; please start again."
    ),
    "fallback.step_up": "Please reply with the code's digits, *resend*, *other* or *cancel*.",
    "help.step_up": (
        "We're waiting for the code we sent you. Reply with its digits, *resend* for a new "
        "code, *other* for another way, or *cancel* to stop. Nothing changes until it's right."
    ),
    # PDF statements and documents (the worker's messages too)
    "statement_pdf.account": "Which account do you want a PDF statement for?\n{choices}",
    "fallback.statement_pdf_account": "Please reply with a number from the list:\n{choices}",
    "help.statement_pdf_account": (
        "Reply with the number of the account you want a PDF statement for, or *cancel*."
    ),
    "statement_pdf.period": (
        "Which period?\n1 Last 30 days\n2 Last 3 months\n3 A calendar month\n"
        "It comes here as a protected PDF; its password comes by SMS."
    ),
    "fallback.statement_pdf_period": "Please reply 1, 2 or 3, or *cancel*.",
    "help.statement_pdf_period": (
        "Reply 1 for the last 30 days, 2 for the last 3 months, 3 to choose a month, or "
        "*cancel*. You can also type a month, like *October 2026*."
    ),
    "statement_pdf.month": (
        "Which month? Reply like *October 2026* or *10/2026* (up to 12 months back)."
    ),
    "fallback.statement_pdf_month": (
        "I couldn't find that month. Reply like *October 2026* or *10/2026*; statements go "
        "back 12 months."
    ),
    "help.statement_pdf_month": (
        "Type a month of the last 12, like *October 2026* or *10/2026*, or *cancel*."
    ),
    "statement_pdf.on_its_way": (
        "Your statement for {account}, {period}, is on its way. It comes here as a PDF; its "
        "password comes by SMS to your registered number, never in this chat."
    ),
    "statement_pdf.rate_limited": (
        "You've asked for several statements in a short time. Please try again in {minutes} "
        "minutes."
    ),
    "document.resending": "We're sending it again; it'll be here in a moment.",
    "document.nothing_to_resend": (
        "There's nothing waiting to be sent again. Send *statement pdf* for a new statement."
    ),
    "document.caption": (
        "Your {what} {reference} from {bank}. Its password reaches you by SMS, never in this chat."
    ),
    "document.caption_dob": (
        "Your {what} {reference} from {bank}. Open it with your date of birth as DDMMYYYY."
    ),
    "document.password_sms": (
        "{bank}: the password for your {what} {reference} is {password}. It opens the PDF we "
        "sent you on WhatsApp. Never share it."
    ),
    # transfers
    "transfer.no_accounts": "You have no account to send money from here.",
    "transfer.choose_source": "Which account do you want to send from?\n{choices}",
    "fallback.transfer_source": "Please reply with a number from the list:\n{choices}",
    "help.transfer_source": "Reply with the number of the account to send from, or *cancel*.",
    "transfer.choose_payee": "Who do you want to pay?\n{choices}",
    "fallback.transfer_payee": "Please reply with a number from the list:\n{choices}",
    "help.transfer_payee": (
        "Reply with the number of who you want to pay. Choose *New payee* to pay an account "
        "you haven't paid before, or send *cancel*."
    ),
    "transfer.choose_bank": "Which bank is the new payee's account with?\n{choices}",
    "fallback.transfer_bank": "Please reply with a number from the list:\n{choices}",
    "help.transfer_bank": "Reply with the number of the payee's bank, or *cancel*.",
    "transfer.ask_account": "What is the 10-digit account number at {bank_name}?",
    "transfer.ask_account_again": (
        "OK. Please check the 10-digit account number at {bank_name} and send it again, or "
        "*cancel*."
    ),
    "fallback.transfer_account": "An account number has 10 digits. Please send it again.",
    "help.transfer_account": "Send the payee's 10-digit account number, or *cancel*.",
    "transfer.own_account_as_new": (
        "That's one of your own accounts: choose it from the list instead. Send another "
        "number, or *cancel*."
    ),
    "transfer.account_not_found": (
        "We couldn't find account {masked} at {bank_name}. Please check the number and send "
        "it again, or *cancel*."
    ),
    "transfer.confirm_name": (
        "Account {masked} at {bank_name} belongs to *{name}*. Is this who you want to pay? "
        "Reply YES or NO."
    ),
    "fallback.transfer_name": "Please reply YES if the name is right, or NO to change the number.",
    "help.transfer_name": (
        "Check the name: if it isn't who you mean, reply NO and send the number again. Money "
        "sent to the wrong account may not come back."
    ),
    "transfer.ask_mobile": (
        "What's their mobile number? For example 0803 000 0002, or with the country code."
    ),
    "fallback.transfer_mobile": (
        "That doesn't look like a mobile number. Please send it again, for example "
        "0803 000 0002, or *cancel*."
    ),
    "help.transfer_mobile": "Send the mobile number you want to send money to, or *cancel*.",
    "transfer.own_mobile": "That's your own number. Send someone else's, or *cancel*.",
    "transfer.summary_hold": (
        "{payee} has no {bank} wallet yet. Send *{amount}* from {source}? We'll hold it and "
        "text them a link to claim it within 7 days; if they don't, it comes back to you. "
        "Reply YES to confirm or NO to cancel."
    ),
    "transfer.held": (
        "Done: {amount} is held for {payee}, Ref {reference}. We've texted them a link to "
        "claim it by {until}; if they don't, it comes back to you. Your receipt follows."
    ),
    "transfer.ask_amount": "How much ({currency}) do you want to send to {payee}?",
    "transfer.ask_amount_left": (
        "How much ({currency}) do you want to send to {payee}? You can send up to {left} "
        "more today."
    ),
    "help.transfer_amount": (
        "Send the amount as a number, for example 1500 or 1,500.50, or *cancel*."
    ),
    "fallback.transfer_amount": "Please send the amount as a number, for example 1500.",
    "transfer.limit_used_up": (
        "You've sent the most your account level allows today ({limit} a day), so nothing more "
        "can go until midnight. Nothing was sent. A higher level (KYC) raises it: ask at any "
        "branch."
    ),
    "transfer.limit_used_up_own": (
        "You've reached your own daily limit of {limit}, so nothing more can go until midnight. "
        "Nothing was sent. To change your limit, send *profile* and choose *Daily limit*."
    ),
    "transfer.limit_used_up_cooling_off": (
        "While your chat banking is new, you can send up to {limit} a day, and that is used up "
        "for today. Nothing was sent. The lower limit ends {until}; after that your account's "
        "usual limits apply."
    ),
    "transfer.not_enough": (
        "That's more than the account has available ({available}). Send a smaller amount, or "
        "*cancel*."
    ),
    "transfer.source_gone": "That account is no longer available. Nothing was sent.",
    "transfer.summary": (
        "Send *{amount}* to {payee} from {source}? Reply YES to confirm or NO to cancel."
    ),
    "fallback.transfer_confirm": "Please reply YES to send the money, or NO to cancel.",
    "movement.other_source": "To pay from another account, reply {choices}.",
    # one-line requests ("send 150 to fatuma"): what they name that can't be found, or fits several
    "oneline.leftover": (
        "I didn't understand {words} in that, so I haven't done anything. Please send it again "
        "without it, or send *menu* to go step by step."
    ),
    "oneline.which": 'Which one do you mean by "{name}"? Reply with a number:\n{choices}',
    "fallback.request_choice": "Please reply with a number from the list:\n{choices}",
    "help.request_choice": (
        "Your request fits more than one name. Reply with the number of the one you mean, or "
        "*cancel*."
    ),
    "oneline.no_account": (
        'I couldn\'t find an account of yours called "{words}". Send *balance* to see your '
        "accounts, or send the request again without it."
    ),
    "oneline.no_payee": 'I couldn\'t find a payee called "{name}" among yours.',
    "oneline.no_biller": 'I couldn\'t find a biller called "{name}".',
    "lookup.too_many": (
        "You've looked up several names in a short time, so I've paused look-ups to protect "
        "other customers. Please try again in {minutes} minutes; nothing was sent."
    ),
    "lookup.unavailable": (
        "I can't look up that name right now. Please try again shortly; nothing was sent."
    ),
    "help.transfer_confirm": (
        "Nothing has been sent yet. Reply YES to send, or NO (or *cancel*) to stop."
    ),
    "transfer.done": "Done: {amount} sent to {payee}. Ref {reference}. Your receipt follows.",
    "transfer.already_done": (
        "That transfer was already made: {amount} to {payee}, Ref {reference}. Nothing was "
        "sent twice."
    ),
    "transfer.not_sent": "Nothing was sent.",
    "transfer.conflict": (
        "That confirmation was already used for a different transfer, so nothing was sent. "
        "Please start again."
    ),
    "transfer.refused": (
        "The bank couldn't make this transfer, so nothing was sent. Please try again later or "
        "call us."
    ),
    "transfer.ask_save": "Save {name} as a payee for next time? Reply YES or NO.",
    "transfer.saved": "Saved: {name} is in your payees now.",
    "transfer.not_saved": "OK, not saved.",
    "fallback.transfer_save": "Please reply YES to save the payee, or NO.",
    "help.transfer_save": "Reply YES to save this payee for next time, or NO.",
    # bill payments
    "bill.none": "There are no billers to pay here yet.",
    "bill.choose_biller": "Which bill do you want to pay?\n{choices}",
    "fallback.bill_biller": "Please reply with a number from the list:\n{choices}",
    "help.bill_biller": "Reply with the number of the biller you want to pay, or *cancel*.",
    "bill.biller_gone": "That biller is no longer available. Nothing was paid.",
    "bill.ask_reference": (
        "What is your {label} for {biller}? You can add the amount after it, like *{example} 45*."
    ),
    "bill.bad_reference": (
        "That doesn't look like a valid {label}. Please check it on your bill and send it "
        "again, or *cancel*."
    ),
    "fallback.bill_reference": "Please send the reference from your bill, or *cancel*.",
    "help.bill_reference": (
        "Send the reference printed on your bill (for example your meter number), or *cancel*."
    ),
    "bill.choose_source": "Which account do you want to pay from?\n{choices}",
    "fallback.bill_source": "Please reply with a number from the list:\n{choices}",
    "help.bill_source": "Reply with the number of the account to pay from, or *cancel*.",
    "bill.ask_amount": (
        "How much ({currency}) do you want to pay? You can send up to {left} more today."
    ),
    "fallback.bill_amount": "Please send the amount as a number, for example 45.",
    "help.bill_amount": "Send the amount as a number, for example 45 or 45.50, or *cancel*.",
    "bill.summary": (
        "Pay *{amount}* to {payee} from {source}? Reply YES to confirm or NO to cancel."
    ),
    "fallback.bill_confirm": "Please reply YES to pay the bill, or NO to cancel.",
    "help.bill_confirm": (
        "Nothing has been paid yet. Reply YES to pay, or NO (or *cancel*) to stop."
    ),
    "bill.done": "Done: {amount} paid to {payee}. Ref {reference}. Your receipt follows.",
    # cards (numbers always masked)
    "cards.none": "You have no cards with us.",
    "cards.not_found": "You have no card ending {last4}.",
    "cards.list": "Your cards:\n{choices}\nReply with a number to manage a card.",
    "fallback.cards_list": "Please reply with a number from the list:\n{choices}",
    "help.cards_list": "Reply with the number of the card you want to manage, or *cancel*.",
    "cards.gone": "That card is no longer available. Nothing was changed.",
    "cards.cancelled": "Card {card} is cancelled, so there's nothing more to do with it.",
    "cards.actions": "{card}. What do you want to do?\n{choices}",
    "fallback.card_action": "Please reply with a number from the list:\n{choices}",
    "help.card_action": "Reply with the number of what you want to do with this card, or *cancel*.",
    "cards.ask_reason": "Why do you need a new card?\n{choices}",
    "fallback.card_replace_reason": "Please reply with a number from the list:\n{choices}",
    "help.card_replace_reason": (
        "Reply 1 if the card is lost, 2 if it was stolen, 3 if it is damaged, or *cancel*. "
        "The old card stops working as soon as you confirm."
    ),
    "cards.cancel_first": (
        "Cancel card {card} for good? It can't be used again and this can't be undone. "
        "Reply YES or NO."
    ),
    "cards.cancel_sure": (
        "Are you sure? Card {card} will stop working at once. Reply YES again to cancel it, "
        "or NO to keep it."
    ),
    "fallback.card_cancel_confirm": "Please reply YES to cancel the card, or NO to keep it.",
    "help.card_cancel_confirm": "Reply YES to cancel the card for good, or NO to keep it.",
    "cards.kept": "OK, your card is unchanged.",
    "cards.refused": "We couldn't change that card (it is {status} now). Nothing was changed.",
    "cards.pin_link": (
        "Set your new card PIN on this secure page (link valid {minutes} minutes):\n{url}\n"
        "Never type a PIN in this chat."
    ),
    "cards.done_lock": "Done: card {card} is locked. Unlock it here whenever you want.",
    "cards.done_unlock": "Done: card {card} is unlocked and works again.",
    "cards.done_activate": "Done: card {card} is active. You can use it now.",
    "cards.done_cancel": "Done: card {card} is cancelled and can't be used again.",
    "cards.done_replace": (
        "Done: card {card} is cancelled and stops working now. Your new card {new} is on its "
        "way; activate it here in *Cards* when it arrives."
    ),
    # profile changes
    "profile.ask_email": "What is your new email address?",
    "fallback.profile_email": (
        "That doesn't look like an email address. Please send it like name@example.com, or "
        "*cancel*."
    ),
    "help.profile_email": "Send your new email address, or *cancel* to keep the current one.",
    "profile.same_email": "That's already your email address. Send another one, or *cancel*.",
    "profile.email_changed": (
        "Done: your email address is now {email}. We've sent an SMS to confirm the change."
    ),
    "profile.ask_login_id": (
        "What should your new chat-banking ID be? Use 6 to 20 letters, digits, dots, dashes "
        "or underscores (not your phone number)."
    ),
    "profile.bad_login_id": "{problems} Send another ID, or *cancel*.",
    "fallback.profile_login_id": "Please send the new chat-banking ID, or *cancel*.",
    "help.profile_login_id": (
        "Send the chat-banking ID you want to log in with from now on, or *cancel*."
    ),
    "profile.login_id_changed": (
        "Done: your chat-banking ID is now {login_id}. Use it the next time you log in. We've "
        "sent an SMS to confirm the change."
    ),
    "profile.ask_limit": (
        "Your daily limits:\n• your account level: {bank_limit} a day\n• your own limit: {own}\n"
        "Today you can still send {left}.\n\nSend a lower amount to set your own daily limit, or "
        "*remove* to go back to the bank's."
    ),
    "profile.limit_cooling_off": (
        "While your chat banking is new, a lower limit of {limit} a day also applies, until "
        "{until}."
    ),
    "fallback.profile_limit": (
        "Please send the daily limit as an amount, for example 500, or *remove*, or *cancel*."
    ),
    "help.profile_limit": (
        "Your own daily limit caps what can leave your accounts each day, below the bank's. "
        "Send an amount, *remove*, or *cancel*."
    ),
    "profile.limit_not_lower": (
        "Your own limit must be lower than the bank's ({bank_limit}). Send a lower amount, or "
        "*remove*."
    ),
    "profile.no_limit_to_remove": "You have no daily limit of your own to remove.",
    "profile.limit_set": "Done: you can send up to {limit} a day from now on.",
    "profile.limit_removed": "Done: your own daily limit is removed; the bank's limit applies.",
    # amounts and limits
    "amount.not_a_number": (
        "Please send the amount as a number, for example 1500 or 1,500.50 ({currency})."
    ),
    "amount.zero": "The amount must be more than zero. How much do you want to send?",
    "amount.negative": "The amount can't be negative. How much do you want to send?",
    "amount.too_many_decimals": (
        "Amounts have at most 2 decimal places, for example 1500.50. Please send it again."
    ),
    "amount.other_currency": (
        "Transfers here are in {currency} only. Please send the amount in {currency}."
    ),
    "amount.too_large": "That amount is too large. Please check it and send it again.",
    "limit.per_transaction": (
        "That's over your limit of {allowed} per transfer. Send {allowed} or less, or *cancel*."
    ),
    "limit.daily": (
        "That's over your account level's daily limit ({limit} a day): you can send up to "
        "{left} more today. Send a smaller amount, or *cancel*."
    ),
    "limit.daily_own": (
        "That's over your own daily limit ({limit}): you can send up to {left} more today. "
        "Send a smaller amount, or change your limit: *profile*, then *Daily limit*."
    ),
    "limit.daily_cooling_off": (
        "While your chat banking is new, you can send up to {limit} a day: {left} more today. "
        "The lower limit ends {until}. Send a smaller amount, or *cancel*."
    ),
    "limit.monthly": ("That's over your monthly limit: you can send up to {left} more for now."),
    # things we could not use
    "fallback.main_menu": "Sorry, I didn't catch that. Reply with a number:\n{menu}",
    "fallback.contact_menu": "Please reply 1, 2 or 3, or *menu* to go back.",
    "media.not_kept": (
        "For your safety I don't keep photos or files sent in this chat, and I haven't kept "
        "this one: a chat isn't a safe place for documents. If it's a document for your KYC "
        "level, upload it on our secure page instead (send *upgrade kyc* for the link)."
    ),
    "empty.message": "I received an empty message. Send *menu* to see what I can do.",
    "idle.reset": "It's been a while, so we've started over.",
    # numbers the bank does not know
    "directory.unknown_number": (
        "Hello! This WhatsApp number isn't registered for {bank} chat banking yet. "
        "Reply with a number:\n"
        "1 Open a wallet (it takes a minute)\n"
        "2 Claim money sent to you\n"
        "3 Contact us\n"
        "If you already bank with {bank}, message us from the number the bank has on file."
    ),
    # opening a wallet (flows.wallet)
    "wallet.open_link": (
        "Let's open your {bank} wallet. Tap this secure link (valid {minutes} minutes, for this "
        "number only): {url}\nYou'll type your name, date of birth and national ID there, "
        "never in this chat."
    ),
    "wallet.claim_link": (
        "To receive money sent to this number, open a {bank} wallet: it's paid in as soon as "
        "the wallet opens. Tap this secure link (valid {minutes} minutes, for this number only): "
        "{url}"
    ),
    "wallet.opened": (
        "Welcome to {bank}, {name}! Your wallet {wallet} is open.\n"
        "Balance: {balance}\n"
        "Your limits (KYC level {level}): {per_transaction} per transfer, {daily} a day, "
        "{monthly} a month.\n"
        "You can now check your balance, send money, pay bills and receive money sent to "
        "this number. To raise your limits, bring your ID and a proof of address to a branch."
    ),
    "wallet.already": (
        "You already bank with {bank} on this number, so there's no wallet to open. Reply "
        "*menu* to see your accounts."
    ),
    # edge trouble (the customer's message changed nothing)
    "error.try_again": "Sorry, we can't reach our systems right now. Please try again shortly.",
    "error.unexpected": (
        "Sorry, something went wrong on our side and nothing was changed. Please try again, "
        "or send *menu* to start over."
    ),
    "error.busy": (
        "I'm still working on your previous message. Please send this one again in a moment."
    ),
    # information flows
    "tips": (
        "Stay safe with {bank}:\n"
        "• We never ask for your PIN or password in this chat, and we never send a code into "
        "it.\n"
        "• Type a code here only right after you asked for a payment or a change; if you didn't "
        "ask for anything, don't type it anywhere.\n"
        "• Your PIN and other secrets are only typed on secure pages that start with "
        "{base_url}.\n"
        "• Codes come by SMS or email, never in this chat. Don't share them with anyone, "
        "not even bank staff.\n"
        "• Lost your phone? Call us at once so we can block chat banking."
    ),
    "contact.menu": "How can we help?\n{choices}",
    "contact.call": "Call {bank} on {phone}, any day from 8am to 8pm.",
    "contact.fraud": (
        "If you see a payment you don't recognise, or your phone was lost or stolen, call "
        "{bank} on {phone} straight away — it's answered 24/7. We'll block chat banking on "
        "your number until you're safe."
    ),
    "contact.branch": (
        "Our branches are open Monday to Friday, 9am to 4pm:\n{branches}\nBring a photo ID "
        "for anything that changes your account."
    ),
    # a list of choices shown as a WhatsApp list (bot.content.replies): its button, and how
    # each item can be typed instead
    "choices.button": "Choose",
    "choices.type": "Or type {id}",
    "contact.no_branches": (
        "Our branches are open Monday to Friday, 9am to 4pm. Bring a photo ID for anything "
        "that changes your account."
    ),
}

# The labels of the yes/no choices a confirmation offers (``flows.moving.yes_no``): the
# titles of its WhatsApp buttons, translated as ``choice.yes`` and ``choice.no``.
CHOICE_LABELS: dict[str, str] = {"yes": "Yes", "no": "No"}

# The "Contact us" sub-menu's labels, in its order (flows.info); translated as
# ``contact_label.call`` … (the ``contact.*`` keys are the replies themselves).
CONTACT_LABELS: dict[str, str] = {
    "contact.call": "Call us",
    "contact.fraud": "Report fraud or a lost phone",
    "contact.branch": "Find a branch",
}

# Menu labels by entry key (see flows.menu); kept here so all wording stays in one file.
MENU_LABELS: dict[str, str] = {
    "balance": "Balance",
    "statement": "Mini statement",
    "statement_pdf": "Statement (PDF)",
    "transfer": "Transfer",
    "bill": "Pay a bill",
    "cards": "Cards",
    "security": "Profile & security",
    "logout": "Log out",
    "tips": "Security tips",
    "contact": "Contact us",
}


# Account kinds as replies name them ("Savings ••6789"), by the bank's type.
ACCOUNT_TYPES: dict[str, str] = {
    "account_type.savings": "Savings",
    "account_type.current": "Current",
    "account_type.wallet": "Wallet",
}

# What a document is called in its caption and its password's SMS (``{what}``), by kind.
DOCUMENTS: dict[str, str] = {
    "document.receipt": "receipt",
    "document.statement": "statement",
}

# What a customer may type in each language, for the catalogs (alternatives separated by ``|``).
# English's own words are the contract in ``flows.router`` and ``flows.moving``; a translation's
# ``words.menu`` also chooses its language (``flows.languages``).
WORDS: dict[str, str] = {
    "words.menu": "menu | hi | hello",
    "words.yes": "yes",
    "words.no": "no",
}


def template(key: str) -> str:
    """The reply's template in the current language (English when it has no translation)."""
    return text(key, CATALOG[key])


def label(key: str) -> str:
    """A menu label in the current language."""
    return text(f"menu_label.{key}", MENU_LABELS[key])


def choice_label(choice: str) -> str:
    """A yes/no choice's label (``yes``, ``no``) in the current language."""
    return text(f"choice.{choice}", CHOICE_LABELS[choice])


def contact_label(key: str) -> str:
    """A "Contact us" entry's label (its key in CONTACT_LABELS) in the current language."""
    return text(contact_label_key(key), CONTACT_LABELS[key])


def contact_label_key(key: str) -> str:
    """``contact.call`` → ``contact_label.call``: the label's own key in the catalogs."""
    return "contact_label." + key.removeprefix("contact.")


def fields(template: str) -> set[str]:
    """The ``{names}`` a template uses."""
    return {name for _, name, _, _ in Formatter().parse(template) if name}


def render(reply: Reply, common: Mapping[str, str]) -> str:
    """One reply as text; a missing parameter is a bug in a flow, so it raises KeyError."""
    return template(reply.key).format_map({**common, **reply.params})


def render_all(replies: Iterable[Reply], common: Mapping[str, str]) -> list[str]:
    return [render(reply, common) for reply in replies]
