"""Secrets never printed: URL credentials, token-like parameters and registered targets.

The alert sender registers each target URL it loads (a webhook URL is a secret);
the log formatters and every command that prints a target pass text through
`redact()`.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

# Credentials in URLs (user:password@host) and token-like query parameters.
SECRETS = (
    (re.compile(r"(?<=://)[^/@\s:]+:[^/@\s]+@"), "***:***@"),
    (re.compile(r"(?i)([?&](?:token|access_token|api_key|apikey|key|secret|password|sig|"
                r"signature|auth)=)[^&\s#\"']+"), r"\1***"),
)

_registered: dict[str, str] = {}  # secret text -> what to print instead
# Apprise services whose "host" is a name, not a token
NAMED_HOSTS = ("json", "jsons", "form", "forms", "xml", "xmls", "http", "https", "mailto",
               "mailtos", "ntfy", "ntfys", "matrix", "matrixs", "mmost", "mmosts", "gotify",
               "gotifys")


def _token_like(text: str) -> bool:
    """Machine-made secrets: long, or mixing digits with letters."""
    return len(text) >= 16 or (len(text) >= 6 and any(c.isdigit() for c in text)
                               and any(c.isalpha() for c in text))


def secret_parts(url: str) -> list[str]:
    """The parts of a target URL that may be secrets: its password, token-like user,
    host (for services whose host is a token), path segments and query values, and every
    value of a `+Header=value`."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
    except ValueError:
        return [p for p in re.split(r"[/:@?&=#]+", url) if _token_like(p)]
    userinfo, _, host = netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    found = [unquote(password)] if password else []
    found += [unquote(user)] if _token_like(user) else []
    if parts.scheme.lower() not in NAMED_HOSTS:
        found += [p for p in re.split(r"[:]+", host) if _token_like(p)]
    found += [unquote(p) for p in parts.path.split("/") if _token_like(unquote(p))]
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.startswith(("+", "-")) or _token_like(value):
            found.append(value)
    return [p for p in found if len(p) >= 4]


def register_secret(url: str, masked: str) -> None:
    """Never print `url` (an alert target with a token in it): print `masked` instead,
    and mask each of its secret parts wherever they appear on their own."""
    if not url or url == masked:
        return
    _registered[url] = masked
    for part in secret_parts(url):
        if part not in masked:
            _registered[part] = "***"


def redact(text: str) -> str:
    """Mask passwords and tokens that URLs may carry, and every registered secret."""
    for secret in sorted(_registered, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, _registered[secret])
    for pattern, replacement in SECRETS:
        text = pattern.sub(replacement, text)
    return text
