"""The staff console: server-rendered pages under ``/admin``."""
