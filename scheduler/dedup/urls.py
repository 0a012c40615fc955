"""URL keys: one key per article, whatever tracking variant links to it, and never one key
for two articles.

Two URLs of one article share a key: tracking parameters, the fragment, the host's
case, the default port, http against https, percent-escapes of unreserved
characters (`%7e` and `~`), the case of other escapes, dot segments
(`/a/./b/../c`), repeated and trailing slashes, an empty query and the order of
parameters do not count. Everything else in the query does: `?article123` (SPIP),
`?p=5` (WordPress), `?id=...`, and `?source=afp&id=1` against `?source=reuters&id=1`
are different articles. (courlan's `normalize_url` drops query items without `=`
and items it guesses are tracking, such as `source`, `cid` or `session`: on a SPIP
site every article would share the first one's key, so it is not used here.)
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import SplitResult, quote, unquote_plus, urlsplit, urlunsplit

# Query parameters that identify a campaign, a click or a session of an analytics tool,
# never the article. Only names that no CMS uses to pick a page: a key that merges two
# articles loses one of them, a key that splits one article costs one download (the
# content hash then finds the copy).
TRACKING_PARAMS = re.compile(
    r"^(utm_[a-z_]*|fbclid|gclid|gclsrc|dclid|msclkid|yclid|twclid|igshid|mc_cid|mc_eid|"
    r"xtor|xts|xtref|xtmc|xtcr|at_[a-z_]*|_ga|_gl|ref_src|cmpid|ns_[a-z_]*|"
    r"s_cid|ito|icid|ocid|wt\.[a-z_]*|piano_[a-z_]*|pk_[a-z_]*|mtm_[a-z_]*|"
    r"oly_[a-z_]*|vero_[a-z_]*|hsctatracking|_hs[a-z_]*|sr_share)$",
    re.IGNORECASE,
)
UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
PATH_SAFE = "/:@!$&'()*+,;=-._~%"
QUERY_SAFE = "/?:@!$'()*+,;=-._~%"  # within one item: '&' separates items, '=' key and value


def _escapes(part: str, safe: str) -> str:
    """Unreserved characters unescaped, other escapes in upper case, raw characters that
    need it (spaces, non-ASCII) escaped as UTF-8."""
    def one(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in UNRESERVED else "%" + match.group(1).upper()

    return quote(ESCAPE.sub(one, part), safe=safe)


def remove_dot_segments(path: str) -> str:
    """RFC 3986, section 5.2.4: '/a/./b/../c' is '/a/c'."""
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(output) > 1:
                output.pop()
        elif segment != ".":
            output.append(segment)
    result = "/".join(output)
    if path.endswith(("/.", "/..")):
        result += "/"
    return result if result.startswith("/") else "/" + result


def _host(parts: SplitResult) -> str:
    hostname = (parts.hostname or "").rstrip(".")
    if not hostname.isascii():
        with contextlib.suppress(UnicodeError):  # not a valid name: kept as written
            hostname = hostname.encode("idna").decode("ascii")
    hostname = hostname.lower()
    if ":" in hostname:  # an IPv6 literal
        hostname = f"[{hostname}]"
    try:
        port = parts.port
    except ValueError:  # not a number: keep whatever was written
        return f"{hostname}:{parts.netloc.rsplit(':', 1)[-1]}"
    return f"{hostname}:{port}" if port and port not in (80, 443) else hostname


def _query(query: str) -> str:
    items = []
    for item in query.split("&"):
        if not item:
            continue
        key = unquote_plus(item.split("=", 1)[0])
        if TRACKING_PARAMS.match(key):
            continue
        items.append(_escapes(item, QUERY_SAFE).replace("%20", "+"))
    return "&".join(sorted(items))


def canonical_url(url: str) -> str:
    """The dedup key of an article URL (see the module's docstring for what counts)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # not a URL (an unclosed IPv6 bracket): its own key
        return url.strip()
    path = _escapes(parts.path, PATH_SAFE) or "/"
    path = remove_dot_segments(re.sub(r"/{2,}", "/", path))
    if len(path) > 1:
        path = path.rstrip("/")
    return urlunsplit(("https", _host(parts), path, _query(parts.query), ""))


def without_tracking(url: str) -> str:
    """The URL as a reader should get it: tracking parameters and fragment removed, the
    rest (scheme, host, path, meaningful query) as it was."""
    parts = urlsplit(url.strip())
    query = "&".join(item for item in parts.query.split("&")
                     if item and not TRACKING_PARAMS.match(unquote_plus(item.split("=", 1)[0])))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
