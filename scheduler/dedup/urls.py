"""URL keys: one key per article, whatever tracking variant links to it."""

from __future__ import annotations

import contextlib
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from courlan import normalize_url

# Query parameters that identify a campaign or a click, never the article.
TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]*|fbclid|gclid|gclsrc|dclid|msclkid|yclid|twclid|igshid|mc_cid|mc_eid|"
    r"xtor|xts|xtref|at_[a-z_]*|_ga|_gl|ref|ref_src|referrer|cmp|cmpid|ns_[a-z_]*|"
    r"origin|partner|from|src|sr_share|share|feature|amp|outputtype|output_type|"
    r"s_cid|ito|icid|ocid|wt\.[a-z_]*|piano_[a-z_]*|pk_[a-z_]*|mtm_[a-z_]*|"
    r"oly_[a-z_]*|vero_[a-z_]*|hsctatracking|_hs[a-z_]*|rss|rss_id|xtmc|xtcr)$",
    re.IGNORECASE,
)
SAFE_PATH_CHARS = "/:@!$&'()*+,;=-._~%"


def canonical_url(url: str) -> str:
    """The dedup key of an article URL.

    Tracking parameters and the fragment go, the host is lower-cased, the default
    port dropped, http and https are the same article, a trailing slash is not
    significant, percent-escapes are normalised and the remaining query is sorted.
    """
    url = url.strip()
    with contextlib.suppress(ValueError):
        url = normalize_url(url, strict=False, trailing_slash=True)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = quote(unquote(parts.path), safe=SAFE_PATH_CHARS) or "/"
    path = re.sub(r"/{2,}", "/", path)
    if len(path) > 1:
        path = path.rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not TRACKING_PARAMS.match(k)]
    return urlunsplit(("https", host, path, urlencode(sorted(query)), ""))


def without_tracking(url: str) -> str:
    """The URL as a reader should get it: tracking parameters and fragment removed, the
    rest (scheme, host, path, meaningful query) as it was."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not TRACKING_PARAMS.match(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
