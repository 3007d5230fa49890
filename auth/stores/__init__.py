"""Identity's Redis stores, one module each, each declaring its keys, value shapes and TTLs once
(hash-tagged per customer): credentials, sessions (the token check), lockouts, one-time links
and codes, rate limits, login history and the audit stream. (A step-up's live challenge is
the step-up's own state: ``auth.stepup.challenges``, above the MFA scenarios it names.)

They hold data and its atomic rules (Lua where a read and a write must not race) and nothing
else: what to do with the answers is decided in ``auth.service``, ``auth.stepup`` and the pages.
Redis errors propagate, so every caller fails closed.
"""
