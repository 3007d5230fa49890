"""The bank: the core-banking port (``bank.ports``), the embedded SQLite demo bank
(``bank.demo`` with ``bank.db`` and ``bank.ledger``), seed validation and loading (``bank.seed``),
the one masking module (``bank.masking``) and the ``flask bank`` commands (``bank.cli``).
Everything outside this package depends on ``bank.ports.CoreBanking`` and ``bank.masking`` only;
``app.py`` is the one place that builds a ``SqliteBank``.
"""
