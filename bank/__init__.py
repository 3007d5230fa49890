"""The bank: the core-banking port (``bank.ports``), the embedded SQLite demo bank
(``bank.demo`` with ``bank.db`` and ``bank.ledger``), seed validation and loading (``bank.seed``)
and the ``flask bank`` commands (``bank.cli``). Everything outside this package depends on
``bank.ports.CoreBanking`` only; ``app.services`` is the one place that builds a ``SqliteBank``.
"""
