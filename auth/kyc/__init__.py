"""Upgrading a customer's KYC level with documents: what an upload must be (``content``), where
the documents are kept (``vault``: encrypted, expiring), the requests staff review
(``requests``), the liveness hook (``liveness``) and the service the pages, the console and the
chat share (``service``)."""
