"""KYC levels and the cooling-off after registering, changed by staff through four eyes: the
appliers (``appliers``: ``kyc_level.put``, ``kyc_settings.put``, ``customer.kyc_level``), the
replay of recent money movements that shows a change's impact (``replay``), and ``propose``,
the one way the console makes such a change."""
