"""Short, human descriptions of why a download failed, for logs and run summaries."""

from __future__ import annotations

from collections.abc import Callable

from scrapy.spidermiddlewares.httperror import HttpError

# (test on the exception's class name and its lower-cased message, description), in order
_KNOWN: tuple[tuple[Callable[[str, str], bool], str], ...] = (
    (lambda name, text: "Timeout" in name or "timed out" in text or "took longer than" in text,
     "timed out"),
    (lambda name, _: "ConnectionRefused" in name, "connection refused"),
    (lambda name, _: "DNSLookup" in name, "DNS lookup failed"),
    (lambda name, _: any(k in name for k in ("ResponseNeverReceived", "ConnectionLost",
                                             "DataLoss")),
     "connection lost before the response was complete"),
    (lambda _, text: "max size" in text or "maxsize" in text, "response larger than the size cap"),
    (lambda name, _: "Cancelled" in name, "download cancelled: larger than the size cap"),
    (lambda _, text: "max redirections" in text, "too many redirects (a redirect loop?)"),
)


def describe_exception(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status}"
    name = type(exc).__name__
    text = str(exc).strip()
    if text.startswith("refused: "):
        return text.removeprefix("refused: ")
    if text.startswith("Forbidden by robots.txt"):
        return text.replace("Forbidden by robots.txt: ", "") if ": " in text else (
            "forbidden by robots.txt")
    for matches, description in _KNOWN:
        if matches(name, text.lower()):
            return description
    return f"{name}: {text[:200]}" if text else name
