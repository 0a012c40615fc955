"""Parse RSS 0.9x/1.0/2.0 and Atom feeds from bytes into the links they announce."""

from __future__ import annotations

import calendar
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from crawler.urls import absolute, is_http_url
from crawler.xmlsafety import UnsafeXMLError, make_safe
from veille.model import FeedEntry

logger = logging.getLogger(__name__)
ITEM = re.compile(rb"<(item|entry)[\s>].*?</\1\s*>", re.IGNORECASE | re.DOTALL)


class FeedError(Exception):
    """The document is not a usable feed (malformed, empty of items, or HTML)."""


@dataclass
class ParsedFeed:
    title: str
    link: str
    entries: list[FeedEntry] = field(default_factory=list)
    skipped: int = 0  # items without a usable http(s) link
    bad_items: int = 0  # items that could not be read at all
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


def _feedparser(body: bytes, url: str, content_type: str | None) -> feedparser.FeedParserDict:
    headers = {"content-location": url, "content-type": content_type or "application/xml"}
    return feedparser.parse(body, response_headers=headers, sanitize_html=False,
                            resolve_relative_uris=True)


def _items_one_by_one(body: bytes, url: str, content_type: str | None
                      ) -> tuple[feedparser.FeedParserDict, list[Any], int]:
    """The feed parsed item by item, when something in it makes the whole parse fail:
    each <item> or <entry> inside the feed's own head and tail. Returns the head's
    parse, the entries that parsed, and how many items did not."""
    items = list(ITEM.finditer(body))
    if not items:
        raise FeedError("unreadable feed and no <item> or <entry> in it")
    head, tail = body[:items[0].start()], body[items[-1].end():]
    entries, bad = [], 0
    for item in items:
        try:
            parsed = _feedparser(head + item.group(0) + tail, url, content_type)
            entries += parsed.entries[:1]
            bad += not parsed.entries
        except Exception:
            bad += 1
    try:
        channel = _feedparser(head + tail, url, content_type)
    except Exception:
        channel = feedparser.FeedParserDict(feed=feedparser.FeedParserDict(), version="")
    return channel, entries, bad


def _xml_error(exc: object) -> str:
    """feedparser's '<unknown>:2:7: not well-formed' as 'not XML: not well-formed (line 2,
    column 7)'."""
    text = str(exc or "unreadable XML")
    match = re.match(r"<unknown>:(\d+):(\d+): (.*)", text)
    if match:
        return f"not XML: {match.group(3)} (line {match.group(1)}, column {match.group(2)})"
    return text


def _entry(entry: Any, url: str) -> FeedEntry | None:
    """One item as a FeedEntry; None when it has no usable http(s) link."""
    link = _entry_link(entry)
    link = absolute(link, url) if link else ""
    if not is_http_url(link):
        return None
    # dict.get: feedparser's own get() maps missing keys onto others, with a warning
    published = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    return FeedEntry(url=link, title=(entry.get("title") or "").strip(),
                     published_at=_iso(published),
                     summary=(entry.get("summary") or "").strip())


def _read(body: bytes, url: str, content_type: str | None
          ) -> tuple[feedparser.FeedParserDict, list[Any], int]:
    """(the parse, its entries, the items that could not be read)."""
    try:
        parsed = _feedparser(body, url, content_type)
    except Exception as exc:
        logger.info("%s: the feed does not parse whole (%s: %s); reading it item by item",
                    url, type(exc).__name__, exc)
        return _items_one_by_one(body, url, content_type)
    entries = list(parsed.entries)
    if len(entries) < len(ITEM.findall(body)):  # a broken item swallowed the ones after it
        _, one_by_one, failed = _items_one_by_one(body, url, content_type)
        if len(one_by_one) > len(entries):
            return parsed, one_by_one, failed
    return parsed, entries, 0


def _refuse_non_feeds(parsed: feedparser.FeedParserDict, entries: list[Any],
                      body: bytes) -> None:
    if not parsed.get("version") and not entries:
        if re.search(rb"<html|<!doctype html", body[:2048], re.IGNORECASE):
            raise FeedError("not a feed: the URL returned an HTML page")
        reason = parsed.get("bozo_exception")
        raise FeedError(f"not a feed: {_xml_error(reason)}" if reason
                        else "not a feed: no RSS or Atom root element")
    if parsed.get("bozo") and not entries:
        raise FeedError(f"malformed feed: {_xml_error(parsed.get('bozo_exception'))}")


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse feed bytes fetched from `url`; relative links are resolved against it.

    An item that cannot be read is skipped and counted (`bad_items`), the others
    go on. Raises FeedError when the bytes are not a feed at all, with a reason an
    operator can act on.
    """
    if not body.lstrip(b"\xef\xbb\xbf").strip():
        raise FeedError("empty response: the feed URL answered with no content")
    try:
        body = make_safe(body)
    except UnsafeXMLError as exc:
        raise FeedError(f"the feed declares unsafe XML entities ({exc}): refused") from None
    parsed, entries, bad = _read(body, url, content_type)
    _refuse_non_feeds(parsed, entries, body)
    channel = parsed.get("feed") or {}
    feed = ParsedFeed(title=channel.get("title", ""), link=channel.get("link", ""),
                      bad_items=bad)
    if parsed.get("bozo"):
        feed.warning = _xml_error(parsed.get("bozo_exception", "recovered from malformed XML"))
    seen: set[str] = set()
    for raw in entries:
        try:
            entry = _entry(raw, url)
        except Exception as exc:
            logger.info("%s: item skipped (%s: %s)", url, type(exc).__name__, exc)
            feed.bad_items += 1
            continue
        if entry is None:
            feed.skipped += 1
        elif entry.url not in seen:
            seen.add(entry.url)
            feed.entries.append(entry)
    return feed
