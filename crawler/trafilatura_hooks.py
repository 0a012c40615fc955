"""What veille changes in trafilatura's work, within `tuned()` only.

trafilatura decides its steps inside `bare_extraction` and has no option for these, so
three of the functions it calls are replaced, once, by ones that skip work whose result
veille would not keep and otherwise call trafilatura's own:

- the comparison with readability and jusText (`compare_extraction`) runs only for a
  text it could change (`needs_comparison`);
- categories, tags and license (`extract_catstags`, `extract_license`) are not read:
  veille stores none of them. Together they were 5 % of a crawl's CPU (py-spy,
  bench/peers_bench.py --profile).

Outside `tuned()`, another caller in the same process gets trafilatura unchanged.
constraints.txt pins trafilatura; `install` refuses a trafilatura whose functions are
not the ones it replaces, and tests/crawler/test_extract.py fails on it.

Also set once: jusText's stop words are those of the languages veille meets, not all
100 of trafilatura's default (12 MB a worker, and a French page judged against Tagalog
stop words).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from justext.utils import get_stoplist
from lxml.etree import _Element
from lxml.html import HtmlElement
from trafilatura import core as trafilatura_core
from trafilatura import external as trafilatura_external
from trafilatura import metadata as trafilatura_metadata
from trafilatura.settings import Extractor

JUSTEXT_LANGUAGES = ("French", "English", "German", "Spanish", "Italian", "Portuguese",
                     "Dutch", "Catalan", "Romanian", "Polish", "Russian", "Ukrainian")


@dataclass(frozen=True)
class Tuning:
    compare_below: int | None  # see needs_comparison; None: every text is compared
    unused_metadata: bool  # read categories, tags and license all the same


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


def _reads_unused_metadata() -> bool:
    tuning = _tuning.get()
    return tuning is None or tuning.unused_metadata


def _catstags_if_kept(metatype: str, tree: HtmlElement) -> list[str]:
    return ORIGINALS["extract_catstags"](metatype, tree) if _reads_unused_metadata() else []


def _license_if_kept(tree: HtmlElement) -> str | None:
    return ORIGINALS["extract_license"](tree) if _reads_unused_metadata() else None


REPLACED: tuple[tuple[Any, str, Callable[..., Any]], ...] = (
    (trafilatura_core, "compare_extraction", _compare_when_needed),
    (trafilatura_metadata, "extract_catstags", _catstags_if_kept),
    (trafilatura_metadata, "extract_license", _license_if_kept),
)
ORIGINALS: dict[str, Callable[..., Any]] = {name: getattr(module, name)
                                            for module, name, _ in REPLACED}


def install() -> None:
    """Replace trafilatura's functions by veille's (idempotent)."""
    for module, name, ours in REPLACED:
        current = getattr(module, name)
        if current is ours:
            continue
        if current is not ORIGINALS[name]:
            raise RuntimeError(f"{module.__name__}.{name} is not the function veille replaces")
        setattr(module, name, ours)
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
