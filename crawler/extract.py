"""Main text and metadata of an article page, with trafilatura, from the response bytes."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import charset_normalizer
import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document
from trafilatura.utils import load_html
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    resolve_encoding,
)

from crawler.trafilatura_hooks import Tuning, tuned
from veille.model import Extracted

logger = logging.getLogger(__name__)

# Below this many characters of main text a page is a stub (cookie wall, paywall
# teaser, video page), not an article.
MIN_TEXT_CHARS = 200
DATE_PARAMS = {"extensive_search": True, "original_date": True}
# Lines that are navigation inside the article body: related-article links,
# photo credits, paywall prompts. Only short lines are dropped.
BOILERPLATE_LINE = re.compile(
    r"^\s*(?:[ÀA] lire (?:aussi|également|egalement)|lire aussi|lire également|voir aussi|"
    r"sur le même sujet|à voir aussi|a voir aussi|retrouvez .{0,40}sur|crédits? photos?\s*:|"
    r"pour lire la suite|pour accéder en illimité|abonnez-vous|déjà abonné|"
    r"cet article est réservé aux abonnés|la suite est réservée aux abonnés)",
    re.IGNORECASE,
)
MAX_BOILERPLATE_LINE = 300
STUB_WORDS = re.compile(
    r"cookies?|consentement|traceurs|accepter|abonn[ée]|paramétrer|javascript|navigateur",
    re.IGNORECASE,
)


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode page bytes, trusting valid UTF-8 over whatever the headers claim.

    A page that decodes as UTF-8 is UTF-8 even when its Content-Type says
    ISO-8859-1 (a frequent server misconfiguration that turns "français" into
    "franÃ§ais"). Otherwise the <meta> charset, then the HTTP header, decide
    (ISO-8859-1 read as windows-1252, as browsers do); a claim of UTF-8 is
    ignored since the bytes just proved it false; failing all that, the
    encoding is guessed.
    """
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = [html_body_declared_encoding(body), http_content_type_encoding(content_type or "")]
    for name in declared:
        encoding = resolve_encoding(name) if name else None
        if not encoding or encoding in ("utf-8", "utf-8-sig"):
            continue
        try:
            return body.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError):
            continue
    best = charset_normalizer.from_bytes(body[:20000]).best()
    encoding = best.encoding if best else "cp1252"
    return body.decode(encoding, errors="replace"), encoding


# What XML forbids and trafilatura removes before parsing: C0 controls but tab, LF and CR
# (U+FFFE and U+FFFF as well: in UTF-8, EF BF BE and EF BF BF)
_XML_FORBIDDEN_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def xml_safe(body: bytes, encoding: str) -> bool:
    """Whether the page `body` decoded as `encoding` holds none of the characters XML
    forbids, read in its bytes (0.2 ms a page on the corpus, against 0.55 for the
    regular expression over the decoded text). UTF-8 only, where a character below
    U+0020 is its own byte; a page with any character from U+FFC0 to U+FFFF (EF BF) is
    not called safe."""
    return (encoding == "utf-8" and b"\xef\xbf" not in body
            and len(body.translate(None, _XML_FORBIDDEN_BYTES)) == len(body))


def canonical_link(tree: HtmlElement) -> str | None:
    for href in tree.xpath('//head/link[@rel="canonical"]/@href | //link[@rel="canonical"]/@href'):
        href = href.strip()
        if href:
            return href
    return None


JSON_LD_CREDITS = ("author", "creator", "sourceOrganization", "creditText", "copyrightHolder",
                   "provider")
MAX_CREDITS = 6


def _names(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value[:MAX_CREDITS] for name in _names(item)]
    return []


def json_ld_credits(tree: HtmlElement) -> str | None:
    """Who the page's JSON-LD says wrote or supplied the article ("AFP", "Le Figaro avec
    AFP"): bylines that wire attribution reads."""
    found: list[str] = []
    for script in tree.xpath('//script[@type="application/ld+json"]/text()')[:5]:
        try:
            data = json.loads(script)
        except ValueError:
            continue
        for item in data if isinstance(data, list) else data.get("@graph", [data]) \
                if isinstance(data, dict) else []:
            if isinstance(item, dict):
                for key in JSON_LD_CREDITS:
                    found += [n.strip() for n in _names(item.get(key)) if n.strip()]
    unique = list(dict.fromkeys(found))[:MAX_CREDITS]
    return "; ".join(unique) if unique else None


MIN_LEAD_CHARS = 60
LEAD_CANDIDATES = ("//body//p | //body//h2 | //body//div[not(.//p) and not(.//div)]"
                   " | //body//span[not(*)]")


def visible_leads(tree: HtmlElement) -> Iterator[str]:
    """Texts of the page's paragraph-like elements long enough to be a lead (the chapô),
    in page order; `with_lead` keeps the one the page's description repeats. Read as
    `with_lead` asks: it stops at the first that fits (reading them all was 2.4 ms a
    page of the corpus)."""
    for element in tree.xpath(LEAD_CANDIDATES)[:400]:
        text = " ".join(element.text_content().split())
        if len(text) >= MIN_LEAD_CHARS:
            yield text


_NON_WORD = re.compile(r"\W+")


def _key(text: str) -> str:
    return _NON_WORD.sub(" ", text.casefold()).strip()


def with_lead(text: str, leads: Iterable[str], description: str | None) -> str:
    """The text opening on its lead. Many French pages set the chapô apart from the body,
    and trafilatura leaves it out or puts it last; it is the one paragraph of the page
    that the meta description repeats, and it goes first."""
    if not description or len(description) < MIN_LEAD_CHARS:
        return text
    wanted = _key(description.rstrip("…."))
    lead = next((t for t in leads if (key := _key(t)).startswith(wanted) or (
        wanted.startswith(key) and len(t) >= len(description) * 0.8)), None)
    if lead is None:
        return text
    lead_key = _key(lead)
    lines = text.splitlines()
    if lines and _key(lines[0]) == lead_key:
        return text
    return "\n".join([lead, *(line for line in lines if _key(line) != lead_key)])


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = re.sub(r"\s+", " ", value).strip()
    return value or None


def is_navigation_row(line: str) -> bool:
    """A layout-table row of short, number-free cells: a menu, not article data."""
    if not line.startswith("|"):
        return False
    cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
    return all(len(c) < 60 for c in cells) and not any(ch.isdigit() for ch in line)


def strip_boilerplate(text: str) -> str:
    """Drop short "Lire aussi", photo-credit, paywall and menu lines from the main text."""
    kept = []
    for line in text.splitlines():
        line = line.strip()
        if not line or (len(line) <= MAX_BOILERPLATE_LINE and BOILERPLATE_LINE.match(line)):
            continue
        if is_navigation_row(line):
            continue
        kept.append(line)
    return "\n".join(kept)


def without_title(text: str, title: str | None) -> str:
    """The text without a first line that repeats the title (stored apart, and counted
    once by the tagger, not twice)."""
    first, _, rest = text.partition("\n")
    if title and rest and " ".join(first.split()).casefold() == title.casefold():
        return rest
    return text


def is_stub(text: str) -> bool:
    """A short text that is mostly a cookie banner, paywall or JavaScript notice."""
    if len(text) < MIN_TEXT_CHARS:
        return True
    if len(text) > 800:
        return False
    words = max(1, len(text.split()))
    return len(STUB_WORDS.findall(text)) / words > 0.04


@dataclass(frozen=True)
class ExtractionOptions:
    """How much work extraction does; `bench/extraction_options.py` measures each against
    the corpus expectations."""

    precision: bool = True  # trafilatura's favor_precision first (default on retry)
    # trafilatura compares its text with readability's and jusText's and keeps the
    # better (a second and third parse of the page) ...
    fallback: bool = True
    # ... when its text could lose it (trafilatura_hooks.needs_comparison); None: always
    compare_below: int | None = 1500
    metadata: bool = True  # title, date, author, site name, description
    unused_metadata: bool = False  # trafilatura's categories, tags, license
    one_pass_author: bool = True  # trafilatura_hooks.author_in_markup: same author, faster
    python_paths: bool = True  # crawler.prune_paths: the same elements pruned, faster


DEFAULT_OPTIONS = ExtractionOptions()


def _trafilatura(tree: HtmlElement, url: str, precision: bool,
                 options: ExtractionOptions) -> Document | None:
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        favor_precision=precision,
        no_fallback=not options.fallback,
        include_comments=False,
        include_tables=True,
        with_metadata=options.metadata,
        date_extraction_params=DATE_PARAMS,
    )
    return document if isinstance(document, Document) else None


def warm_up() -> None:
    """Load what extraction loads lazily (stop words, public suffixes) ahead of the first page."""
    extract(b"<html><body><article><p>" + b"Texte de l'article. " * 20
            + b"</p></article></body></html>", "https://example.org/a")
    # The host name of a page whose canonical URL defeats courlan's regular expression is
    # read with tld's public-suffix list (1.2 MB of Python objects): built here, once,
    # rather than by each worker at such a page.
    from courlan.urlutils import get_tldinfo

    get_tldinfo("https://www.example.org/a")


def extract(body: bytes, url: str, content_type: str | None = None,
            options: ExtractionOptions = DEFAULT_OPTIONS, dated: bool = False
            ) -> Extracted | None:
    """Extract the article from page bytes; None when the page has no main text.

    Precision first (it leaves out more menus and "Lire aussi" blocks on the
    corpus); when that finds too little, the default, more inclusive extraction.
    `dated`: the page's feed or sitemap entry gave its date, which is stored instead of
    the page's: the page is not searched for one (`published_at` is None).
    """
    html, encoding = decode_html(body, content_type)
    tuning = Tuning(options.compare_below if options.fallback else None,
                    options.unused_metadata, options.one_pass_author, options.python_paths,
                    dated, html if xml_safe(body, encoding) else None)
    with tuned(tuning):
        tree = load_html(html)
        if tree is None:
            return None
        # trafilatura works on a copy of the tree it is given: this one stays as parsed,
        # for the JSON-LD credits, the canonical link and the visible lead.
        credits, link = json_ld_credits(tree), canonical_link(tree)
        doc = _trafilatura(tree, url, options.precision, options)
        text = strip_boilerplate(doc.text) if doc is not None and doc.text else ""
        if len(text) < MIN_TEXT_CHARS and options.precision:
            doc = _trafilatura(tree, url, False, options) or doc
            text = strip_boilerplate(doc.text) if doc is not None and doc.text else ""
    if doc is None or is_stub(text):
        return None
    title = _clean(doc.title)
    description = _clean(doc.description)
    text = with_lead(without_title(text, title), visible_leads(tree), description)
    return Extracted(
        title=title,
        text=text,
        author=_clean(doc.author),
        published_at=doc.date,
        sitename=_clean(doc.sitename),
        description=description,
        canonical_link=link,
        encoding=encoding,
        credits=credits,
    )
