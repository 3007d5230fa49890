"""The HTTP request counter's method label comes from a short fixed set: a client may send any
token as its method, and each new label value would be a series kept for the process's life."""

from __future__ import annotations

from prometheus_client import REGISTRY

from messaging import metrics


def _methods() -> set[str]:
    return {
        sample.labels["method"]
        for family in REGISTRY.collect()
        if family.name == "teller_http_requests"
        for sample in family.samples
    }


def test_an_unknown_method_is_counted_as_other() -> None:
    for n in range(50):
        metrics.http_request("unmatched", f"BREW{n}", 405)
    metrics.http_request("/healthz", "GET", 200)
    found = _methods()
    assert "other" in found and "GET" in found
    assert not any(method.startswith("BREW") for method in found)
