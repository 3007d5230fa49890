"""RQ glue: queue names and settings, the worker entry point, and the in-process worker that runs
the same jobs in the embedded default. Jobs take ids only and are safe to run twice."""
