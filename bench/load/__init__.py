"""``make load``: Teller under whole conversations at a fixed rate, with its invariants checked.

``python -m bench.load`` starts a production-like stack on loopback (``bench.load.stack``),
registers its customers through the real secure pages (``bench.load.customers``), drives them
open-loop through the conversation mix (``bench.load.driver``, ``bench.load.mix``), checks the
invariants at the end (``bench.load.checks``) and writes the figures (``bench.load.report``).
"""
