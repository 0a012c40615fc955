"""Parse RSS 0.9x/1.0/2.0 and Atom feeds from bytes into the links they announce."""

from __future__ import annotations

import calendar
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import feedparser

from crawler.urls import absolute, is_http_url
from veille.model import FeedEntry

logger = logging.getLogger(__name__)
ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


class FeedError(Exception):
    """The document is not a usable feed (malformed, empty of items, or HTML)."""


@dataclass
class ParsedFeed:
    title: str
    link: str
    entries: list[FeedEntry] = field(default_factory=list)
    skipped: int = 0  # items without a usable http(s) link
    warning: str | None = None  # the parser recovered from an error


def _iso(struct: time.struct_time | None) -> str | None:
    if struct is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), UTC).isoformat()
    except (TypeError, ValueError, OverflowError):
        return None


def _entry_link(entry: feedparser.FeedParserDict) -> str:
    link = entry.get("link") or ""
    if not link:
        for candidate in entry.get("links", []):
            if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                return candidate["href"]
        # RSS 2.0 guid that is a permalink
        guid = entry.get("id") or ""
        if entry.get("guidislink") or guid.startswith(("http://", "https://")):
            return guid
    return link


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse feed bytes fetched from `url`; relative links are resolved against it.

    Raises FeedError when the bytes are not a feed at all.
    """
    if ENTITY_DECLARATION.search(body[:65536]):
        # Real feeds never declare entities; hostile ones do (XXE, billion laughs).
        raise FeedError("the feed declares XML entities (<!ENTITY>): refused as unsafe")
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False,
                              resolve_relative_uris=True)
    if not parsed.version and not parsed.entries:
        if re.search(rb"<html|<!doctype html", body[:2048], re.IGNORECASE):
            raise FeedError("not a feed: the URL returned an HTML page")
        reason = parsed.get("bozo_exception") or "no RSS or Atom root element"
        raise FeedError(f"not a feed: {reason}")
    feed = ParsedFeed(title=parsed.feed.get("title", ""), link=parsed.feed.get("link", ""))
    if parsed.bozo and not parsed.entries:
        raise FeedError(f"malformed feed: {parsed.get('bozo_exception', 'unreadable XML')}")
    if parsed.bozo:
        feed.warning = str(parsed.get("bozo_exception", "recovered from malformed XML"))
    seen: set[str] = set()
    for entry in parsed.entries:
        link = _entry_link(entry)
        link = absolute(link, url) if link else ""
        if not is_http_url(link):
            feed.skipped += 1
            continue
        if link in seen:
            continue
        seen.add(link)
        # dict.get: feedparser's own get() maps missing keys onto others, with a warning
        published = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        feed.entries.append(FeedEntry(
            url=link,
            title=(entry.get("title") or "").strip(),
            published_at=_iso(published),
            summary=(entry.get("summary") or "").strip(),
        ))
    return feed
