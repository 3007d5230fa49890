"""Identity: credentials (chat-banking ID, PIN, security answers, authenticator), sessions and the
token-check service, lockouts, one-time links and codes, rate limits, the audit stream, and the
secure web pages where secrets are typed. Redis holds it all; nothing here holds a balance.

Its parts, top-down: ``pages/`` (the ``/secure`` pages) with ``registration`` and ``login``
(what those pages do) and ``api`` (the token API); ``stepup/`` (challenges: decide, deliver,
check, audit, and the live challenge's store); ``service`` (``AuthService``, the identity
service over the stores) and ``ports`` (what the conversation needs, as plain data and
Protocols); ``scenarios/`` (MFA scenarios); ``stores/`` (one Redis store per module: keys,
TTLs, atomic rules); helpers ``pins``, ``totp``, ``questions``, ``attempts``. Nothing here
imports ``bot``, ``flows``, ``workers``, ``admin`` or ``app``.
"""
