"""The bank: the core-banking port (``bank.ports``), the demo bank on SQLite or PostgreSQL
(``bank.demo`` with ``bank.db``, ``bank.pg_db`` and ``bank.ledger``; ``bank.engines`` picks
one from ``BANK_DATABASE``), seed validation and loading (``bank.seed``) and the ``flask bank``
commands (``bank.cli``). Everything outside this package depends on ``bank.ports.CoreBanking``
only; ``app.services`` is the one place that builds a bank (``bank.engines.open_bank``).
"""
