"""Short, human descriptions of why a download failed, for logs and run summaries."""

from __future__ import annotations

from scrapy.spidermiddlewares.httperror import HttpError


def describe_exception(exc: BaseException) -> str:
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status}"
    name = type(exc).__name__
    text = str(exc).strip()
    if text.startswith("refused: "):
        return text.removeprefix("refused: ")
    if text.startswith("Forbidden by robots.txt"):
        return text.replace("Forbidden by robots.txt: ", "") if ": " in text else (
            "forbidden by robots.txt")
    if "Timeout" in name or "timed out" in text.lower() or "took longer than" in text:
        return "timed out"
    if "ConnectionRefused" in name:
        return "connection refused"
    if "DNSLookup" in name:
        return "DNS lookup failed"
    if "ResponseNeverReceived" in name or "ConnectionLost" in name or "DataLoss" in name:
        return "connection lost before the response was complete"
    if "max size" in text or "maxsize" in text.lower():
        return "response larger than the size cap"
    if "Cancelled" in name:
        return "download cancelled: larger than the size cap"
    if "max redirections" in text.lower():
        return "too many redirects (a redirect loop?)"
    return f"{name}: {text[:200]}" if text else name
