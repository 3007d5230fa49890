"""Staff accounts: who may use the console and the admin API, with which role (``roles``), and
how they prove it (passwords, authenticator codes, sessions, personal API tokens)."""
