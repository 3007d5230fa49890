"""MFA scenarios (SECURITY.md 12): the rules bank staff set, per application and action, for when
a customer must pass a step-up challenge and of which type.

``model`` holds the catalogues and the frozen records, ``templates`` the SMS and email message
templates, ``validate`` every rule checked on create and edit, ``store`` and ``config`` the Redis
stores, ``seed`` the out-of-the-box scenarios, ``evaluate`` the pure decision and ``service`` the
one object the rest of the product holds.
"""
