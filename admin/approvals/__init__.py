"""Four eyes: a change to a scenario, the MFA configuration, a KYC level or a customer's KYC
level takes effect only once a second staff member approves it (``ADMIN_FOUR_EYES``)."""
