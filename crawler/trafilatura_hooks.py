"""What veille changes in trafilatura's work, within `tuned()` only.

trafilatura decides its steps inside `bare_extraction` and has no option for these, so
six of the functions it calls, and nine of its pruning paths, are replaced, once, by
ones that skip work whose result veille would not keep, or find the same result faster,
and otherwise call trafilatura's own:

- the comparison with readability and jusText (`compare_extraction`) runs only for a
  text it could change (`needs_comparison`), and the copy of the raw page it works on
  is made only then (`_extract_and_compare`);
- categories, tags and license (`extract_catstags`, `extract_license`) are not read:
  veille stores none of them. Together they were 5 % of a crawl's CPU (py-spy,
  bench/peers_bench.py --profile);
- the characters XML forbids are not looked for again in a page whose bytes showed
  none (`ForbiddenCharacters`);
- the page's date (htmldate's `find_date`) is not searched when its feed or sitemap
  entry gave one: veille stores the entry's date then, never the page's (0.5 ms of the
  10 a page's extraction takes on the corpus);
- the author named in the page's markup (`extract_author`) is found in one pass over
  the tree instead of five XPath queries and a copy of the tree (`author_in_markup`);
- the elements its pruning paths delete are found by Python tests of each element
  instead of XPath queries calling back into Python (`crawler.prune_paths`).

Outside `tuned()`, another caller in the same process gets trafilatura unchanged.
One change holds for every caller: trafilatura's parser gives each element the class
lxml.html would, from a table in C instead of a Python call per element
(`html_class_lookup`).
constraints.txt pins trafilatura; `install` refuses a trafilatura whose functions are
not the ones it replaces, and tests/crawler/test_extract.py fails on it.

Also set once: jusText's stop words are those of the languages veille meets, not all
100 of trafilatura's default (12 MB a worker, and a French page judged against Tagalog
stop words).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from copy import copy, deepcopy
from dataclasses import dataclass
from typing import Any

from justext.utils import get_stoplist
from lxml import etree
from lxml import html as lxml_html
from lxml.etree import _Element
from lxml.html import HtmlElement
from trafilatura import core as trafilatura_core
from trafilatura import external as trafilatura_external
from trafilatura import metadata as trafilatura_metadata
from trafilatura import utils as trafilatura_utils
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.settings import Extractor
from trafilatura.utils import HTML_PARSER, trim
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from crawler import prune_paths

JUSTEXT_LANGUAGES = ("French", "English", "German", "Spanish", "Italian", "Portuguese",
                     "Dutch", "Catalan", "Romanian", "Polish", "Russian", "Ukrainian")


@dataclass(frozen=True)
class Tuning:
    compare_below: int | None  # see needs_comparison; None: every text is compared
    unused_metadata: bool  # read categories, tags and license all the same
    one_pass_author: bool  # author_in_markup instead of trafilatura's extract_author
    python_paths: bool  # crawler.prune_paths instead of trafilatura's XPath queries
    date_known: bool = False  # the page's listing dated it: trafilatura does not search
    # the decoded page, when its bytes showed none of the characters XML forbids: not
    # scanned for them again (`ForbiddenCharacters`)
    clean_markup: str | None = None


def needs_comparison(body: _Element, text: str, below: int) -> bool:
    """Whether trafilatura's comparison with readability and jusText could change its
    text, by the rules it compares with (`trafilatura.external.compare_extraction`).

    readability's text replaces trafilatura's when the latter is empty or less than half
    as long, or has no paragraph text or more tables than paragraphs; jusText is tried
    on a short text or one that kept asides, figures or navigation. On the 53 pages of
    the corpus and the 181 of Zyte's article-extraction benchmark, readability won only
    over texts under 950 characters; with the comparison skipped above 1,500 the
    output is the same on all 234 pages, and extraction and language cost 35.3 instead
    of 40.4 ms a page (bench/extraction_options.py).
    """
    return bool(len(text) < below or body.xpath(trafilatura_external.SANITIZED_XPATH)
                or not body.xpath(".//p//text()")
                or len(body.findall(".//table")) > len(body.findall(".//p")))


_tuning: ContextVar[Tuning | None] = ContextVar("trafilatura_tuning", default=None)


def _compare_when_needed(cleaned_tree: HtmlElement, raw_tree: HtmlElement, body: _Element,
                         text: str, options: Extractor) -> tuple[_Element, str]:
    tuning = _tuning.get()
    if tuning is not None and tuning.compare_below is not None \
            and options.focus != "recall" and not needs_comparison(body, text,
                                                                   tuning.compare_below):
        return body, text
    return ORIGINALS["compare_extraction"](cleaned_tree, raw_tree, body, text, options)


def _extract_then_compare(cleaned_tree: HtmlElement, cleaned_tree_backup: HtmlElement,
                          tree: HtmlElement, options: Extractor) -> tuple[_Element, str]:
    """trafilatura's `_extract_and_compare`, copying the raw tree for the comparison only
    when the comparison runs (a copy of the page was 2 % of a worker's time)."""
    tuning = _tuning.get()
    if tuning is None or tuning.compare_below is None or options.focus == "recall" \
            or not reproduces(EXTRACT_AND_COMPARE):
        return ORIGINALS["_extract_and_compare"](cleaned_tree, cleaned_tree_backup, tree, options)
    body, text = trafilatura_core.extract_content(cleaned_tree, options)
    if not options.fast and needs_comparison(body, text, tuning.compare_below):
        body, text = ORIGINALS["compare_extraction"](cleaned_tree_backup, copy(tree), body,
                                                     text, options)
    return body, text


def _reads_unused_metadata() -> bool:
    tuning = _tuning.get()
    return tuning is None or tuning.unused_metadata


def _catstags_if_kept(metatype: str, tree: HtmlElement) -> list[str]:
    return ORIGINALS["extract_catstags"](metatype, tree) if _reads_unused_metadata() else []


def _license_if_kept(tree: HtmlElement) -> str | None:
    return ORIGINALS["extract_license"](tree) if _reads_unused_metadata() else None


class ForbiddenCharacters:
    """trafilatura's `INVALID_XML_CHARS`, which `load_html` removes from every page with a
    regular expression over the whole decoded text (0.5 ms of a worker's 15 on the
    corpus), skipping that pass for the very string veille found free of them in its
    bytes (`crawler.extract.xml_safe`): for it, the substitution changes nothing."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        tuning = _tuning.get()
        if tuning is not None and tuning.clean_markup is string:
            return string
        return self.pattern.sub(repl, string, count)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pattern, name)


def _date_unless_known(tree: HtmlElement, **params: Any) -> str | None:
    """htmldate's search of the page, unless its feed or sitemap entry gave the date,
    which veille stores instead of the page's (scheduler/pipeline.py)."""
    tuning = _tuning.get()
    if tuning is not None and tuning.date_known:
        return None
    return ORIGINALS["find_date"](tree, **params)


# trafilatura.xpaths.AUTHOR_DISCARD_XPATHS and AUTHOR_XPATHS, as Python tests of a tag
# and its attributes (an attribute that is absent reads as "", as in XPath). The
# fingerprint below pins them: another trafilatura gets its own function back.
_DISCARD_TAGS = frozenset(("a", "div", "section", "span"))
_DISCARD_CLASSES = ("comments", "title", "date")
_DISCARD_ID = re.compile("^comments|comment-?list|ProductReviews").search
_DISCARD_CLASS = re.compile(
    "^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|"
    "article-(?:share|support)|print|category|meta-date|meta-reviewer").search
_DISCARD_ANY_DEPTH = frozenset(("time", "figure"))
_AUTHOR_TAGS = frozenset(("a", "address", "div", "link", "p", "span", "strong"))
_AUTHOR_TEST_IDS = ("AuthorCard", "AuthorURL")
_AUTHOR_CLASS = re.compile("author-?name|AuthorName|authorName").search
_BYLINE_TAGS = frozenset(("a", "div", "h3", "h4", "p", "span"))
_BYLINE_CLASSES = ("byline", "username", "byl", "BBL")
_BYLINE_ID = re.compile("author|zuozhe|bianji|xiaobian").search
_BYLINE_CLASS = re.compile("author|channel-name|zuozhe|bianji|xiaobian|submitted-by|"
                           "posted-by|journalist-name").search
_ANY_ID = re.compile("[Aa]uthor").search
_ANY_CLASS = re.compile("[Aa]uthor|screenname|writer|[Bb]yline").search


def author_in_markup(tree: HtmlElement) -> str | None:
    """trafilatura's `extract_author`, found in one pass over the page.

    trafilatura copies the tree, deletes from the copy what cannot name the author
    (comments, dates, figures, sidebars), then takes the first element matched by its
    three author paths, in their order, whose text is 3 to 119 characters long. Those
    paths test only tags and attributes: an element matches in the copy exactly when it
    matches in the page and neither it nor an ancestor was deleted, and its text differs
    only when a descendant was, so only such an element is copied (alone) and pruned.
    On the 53 pages of the corpus and the 181 of Zyte's article-extraction benchmark,
    the author is the same and takes 4.7 instead of 13.6 ms a call.
    """
    if tree.find(".//rel") is not None:  # "rel='me'" reads a child's text: trafilatura's way
        return ORIGINALS["extract_author"](tree)
    discarded, candidates = _author_elements(tree)
    for found in candidates:
        for elem in found:
            if elem in discarded or any(a in discarded for a in elem.iterancestors()):
                continue
            if any(d in discarded for d in elem.iterdescendants()):
                elem = prune_unwanted_nodes(deepcopy(elem), AUTHOR_DISCARD_XPATHS)
            content = trim(" ".join(elem.itertext()))
            if content and 2 < len(content) < 120:
                return normalize_authors(None, content)
    return None


def _author_elements(tree: HtmlElement) -> tuple[set[_Element], tuple[list[_Element], ...]]:
    """The elements trafilatura's discard paths match, and those of each author path."""
    discarded: set[_Element] = set()
    candidates: tuple[list[_Element], ...] = ([], [], [])
    for elem in tree.iter(etree.Element):
        tag = elem.tag
        if not elem.keys():  # no attribute: only the tag can match (no pattern matches "")
            if tag in _DISCARD_ANY_DEPTH:
                discarded.add(elem)
            if tag == "author":
                candidates[0].append(elem)
            continue
        get = elem.get
        classes, ident = get("class", ""), get("id", "")
        itemprop, component = get("itemprop", ""), get("data-component", "")
        if tag in _DISCARD_ANY_DEPTH or (tag in _DISCARD_TAGS and elem is not tree and (
                ident == "comments" or classes in _DISCARD_CLASSES or _DISCARD_ID(ident)
                or _DISCARD_CLASS(classes) or "Figure" in component)):
            discarded.add(elem)
        if tag == "author" or (tag in _AUTHOR_TAGS and (
                get("rel") == "author" or ident == "author" or classes == "author"
                or itemprop == "author name" or get("data-testid") in _AUTHOR_TEST_IDS
                or _AUTHOR_CLASS(classes))):
            candidates[0].append(elem)
        if tag in _BYLINE_TAGS and (classes in _BYLINE_CLASSES or "author" in itemprop
                                    or _BYLINE_ID(ident) or _BYLINE_CLASS(classes)):
            candidates[1].append(elem)
        if "Byline" in component or "author" in itemprop or _ANY_ID(ident) \
                or _ANY_CLASS(classes):
            candidates[2].append(elem)
    return discarded, candidates


def author_fingerprint() -> str:
    """What `author_in_markup` reproduces: trafilatura's function and its paths."""
    paths = [xpath.path for xpath in (*AUTHOR_DISCARD_XPATHS, *AUTHOR_XPATHS)]
    source = inspect.getsource(ORIGINALS["extract_author"])
    return hashlib.sha256("\n".join([source, *paths]).encode()).hexdigest()[:16]


def extract_and_compare_fingerprint() -> str:
    """What `_extract_then_compare` reproduces: trafilatura's function."""
    source = inspect.getsource(ORIGINALS["_extract_and_compare"])
    return hashlib.sha256(source.encode()).hexdigest()[:16]


# What each rewrite was written for, with trafilatura 2.3.1: (fingerprint, expected)
AUTHOR = (author_fingerprint, "50d5ec2266ba958b")
EXTRACT_AND_COMPARE = (extract_and_compare_fingerprint, "f7d056c2118222e8")


@functools.cache
def reproduces(rewrite: tuple[Callable[[], str], str]) -> bool:
    """Whether the installed trafilatura is the one a rewrite was written for; if not,
    trafilatura's own function runs (slower, never different)."""
    fingerprint, written_for = rewrite
    try:
        return fingerprint() == written_for
    except OSError:  # no source to read
        return False


def _author(tree: HtmlElement) -> str | None:
    tuning = _tuning.get()
    if tuning is None or not tuning.one_pass_author or not reproduces(AUTHOR):
        return ORIGINALS["extract_author"](tree)
    return author_in_markup(tree)


def _python_paths() -> bool:
    tuning = _tuning.get()
    return tuning is not None and tuning.python_paths


REPLACED: tuple[tuple[Any, str, Callable[..., Any]], ...] = (
    (trafilatura_core, "compare_extraction", _compare_when_needed),
    (trafilatura_core, "_extract_and_compare", _extract_then_compare),
    (trafilatura_metadata, "extract_catstags", _catstags_if_kept),
    (trafilatura_metadata, "extract_license", _license_if_kept),
    (trafilatura_metadata, "extract_author", _author),
    (trafilatura_metadata, "find_date", _date_unless_known),
)
ORIGINALS: dict[str, Callable[..., Any]] = {name: getattr(module, name)
                                            for module, name, _ in REPLACED}


def html_class_lookup() -> etree.ElementNamespaceClassLookup:
    """lxml.html's classes for the elements of a page (FormElement for a form...), looked
    up in C. lxml.html's own lookup is a Python method, called each time Python first
    touches an element: about 12,000 times for one page of the corpus, 4 % of its
    extraction (bench/extraction_options.py)."""
    lookup = etree.ElementNamespaceClassLookup(etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=lxml_html.HtmlComment,
        pi=lxml_html.HtmlProcessingInstruction, entity=lxml_html.HtmlEntity))
    classes = lookup.get_namespace(None)
    for name, element_class in lxml_html.HtmlElementClassLookup._default_element_classes.items():
        classes[name] = element_class
    return lookup


_HTML_CLASS_LOOKUP = html_class_lookup()


def install() -> None:
    """Replace trafilatura's functions by veille's (idempotent)."""
    for module, name, ours in REPLACED:
        current = getattr(module, name)
        if current is ours:
            continue
        if current is not ORIGINALS[name]:
            raise RuntimeError(f"{module.__name__}.{name} is not the function veille replaces")
        setattr(module, name, ours)
    prune_paths.install(_python_paths)
    if not isinstance(trafilatura_utils.INVALID_XML_CHARS, ForbiddenCharacters):
        setattr(trafilatura_utils, "INVALID_XML_CHARS",  # noqa: B010
                ForbiddenCharacters(trafilatura_utils.INVALID_XML_CHARS))
    HTML_PARSER.set_element_class_lookup(_HTML_CLASS_LOOKUP)
    if trafilatura_external.JT_STOPLIST is None:
        stoplist = tuple({word for language in JUSTEXT_LANGUAGES
                          for word in get_stoplist(language)})
        setattr(trafilatura_external, "JT_STOPLIST", stoplist)  # noqa: B010


@contextmanager
def tuned(tuning: Tuning) -> Iterator[None]:
    """Within: trafilatura works as `tuning` says."""
    install()
    token = _tuning.set(tuning)
    try:
        yield
    finally:
        _tuning.reset(token)
