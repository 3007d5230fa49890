"""The bank: the core-banking port, the embedded SQLite demo bank, seed loading and masking."""
