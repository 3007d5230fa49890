"""The conversation: a pure state machine from (conversation, message, context) to an Outcome.

Nothing here imports Flask, Twilio, RQ, Redis or SQLite: the webhook in ``bot/`` loads the
conversation, calls ``flows.engine.handle`` and performs what the Outcome asks for.
"""
