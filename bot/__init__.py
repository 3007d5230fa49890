"""The WhatsApp edge: the only package that knows Twilio.

Signature checks, parsing inbound form posts, TwiML replies, the per-message store, outbound
messengers, the dev outbox and the chat simulator.
"""
