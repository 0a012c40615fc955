"""Secrets never printed: URL credentials, token-like parameters and registered targets.

The alert sender registers each target URL it loads (a webhook URL is a secret);
the log formatters and every command that prints a target pass text through
`redact()`.
"""

from __future__ import annotations

import re

# Credentials in URLs (user:password@host) and token-like query parameters.
SECRETS = (
    (re.compile(r"(?<=://)[^/@\s:]+:[^/@\s]+@"), "***:***@"),
    (re.compile(r"(?i)([?&](?:token|access_token|api_key|apikey|key|secret|password|sig|"
                r"signature|auth)=)[^&\s#\"']+"), r"\1***"),
)

_registered: dict[str, str] = {}  # secret text -> what to print instead


def register_secret(url: str, masked: str) -> None:
    """Never print `url` (an alert target with a token in it): print `masked` instead,
    and mask each of its secret parts wherever they appear on their own."""
    if not url or url == masked:
        return
    _registered[url] = masked
    shown = set(re.split(r"[/:@?&=#]+", masked))
    for part in re.split(r"[/:@?&=#]+", url):
        if len(part) >= 6 and part not in shown:
            _registered[part] = "***"


def redact(text: str) -> str:
    """Mask passwords and tokens that URLs may carry, and every registered secret."""
    for secret in sorted(_registered, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, _registered[secret])
    for pattern, replacement in SECRETS:
        text = pattern.sub(replacement, text)
    return text
