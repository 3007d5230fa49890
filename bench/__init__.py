"""Benchmarks (not timed tests): ``python -m bench.webhook`` measures the WhatsApp webhook.

See ``bench/README.md`` for what is measured, how to run it and the latest figures.
"""
