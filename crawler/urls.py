"""Links as the crawler sees them: absolute http(s) URLs, and the site each belongs to."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit


def is_http_url(url: str) -> bool:
    """True for absolute http(s) URLs with a host; everything else is refused."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def absolute(url: str, base: str) -> str:
    return urljoin(base, url.strip())


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def site_of(url: str) -> str:
    """The site a URL belongs to: its registrable domain when known, else its host.

    'www.lemonde.fr' and 'lemonde.fr' are one site; so are 'feeds.leparisien.fr'
    and 'www.leparisien.fr'. An IP address or a local name, with its port, is a
    site of its own.
    """
    host = host_of(url)
    if not host or re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?", host) or "." not in host:
        port = urlsplit(url).port
        if host in ("localhost", "::1") or host.startswith("127."):
            host = "loopback"  # localhost and 127.0.0.1 are one machine
        return f"{host}:{port}" if port else host
    labels = host.split(".")
    # Two-level public suffixes common among French-language outlets' hosts
    if len(labels) >= 3 and labels[-2] in {"co", "com", "gouv", "org", "net", "ac", "qc"}:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_site(a: str, b: str) -> bool:
    return site_of(a) == site_of(b)
