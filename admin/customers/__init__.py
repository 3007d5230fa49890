"""Customers in the staff console: finding one (``search``), what their page shows
(``profile``, ``activity``) and reading the action forms (``forms``). The actions themselves
are ``auth.care``'s, shared with the ``flask auth`` commands."""
