"""Identity: credentials (chat-banking ID, PIN, security answers, authenticator), sessions and the
token-check service, lockouts, one-time links and codes, rate limits, the audit stream, and the
secure web pages where secrets are typed. Redis holds it all; nothing here holds a balance.
"""
