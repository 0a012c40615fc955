"""trafilatura's pruning paths as Python tests of each element's tag and attributes.

trafilatura deletes comment threads, share bars, menus, captions and the like by
running XPath queries over the tree, at four steps of every extraction. Most of their
tests are `re:test`, an XPath extension that calls back into Python for each element
and converts its attributes on the way: on the corpus pages those queries were a fifth
of a worker's time (py-spy, bench/peers_bench.py --profile). The same elements, in the
same order, come out of one Python walk per query that reads the attributes with
`get` and runs the same regular expressions directly.

Each function below answers one of trafilatura's paths; the regular expressions are
read from the path itself. `PATHS_WRITTEN_FOR` pins the paths' text: with another
trafilatura, `reproduces_paths()` is false and the XPath queries run (slower, never
different). tests/crawler/test_prune_paths.py compares every function with its path on
the project's pages and on thousands of generated elements.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator

from lxml import etree
from lxml.etree import XPath, _Element
from trafilatura import xpaths

Select = Callable[[_Element], list[_Element]]

# The tags of `.//*[self::div or self::item or ...]`, the most common filter.
_BLOCKS = ("div", "item", "list", "p", "section", "span")


def _patterns(path: XPath) -> list[Callable[[str], re.Match[str] | None]]:
    """The search of each of the path's `re:test` regular expressions, in their order.

    (Keeping each one's answers for the attribute values met before saved no time on
    the corpus: the searches are not where the time goes once no XPath calls them.)"""
    return [re.compile(pattern).search
            for pattern in re.findall(r"re:test\([@\w|-]+, '([^']*)'\)", path.path)]


def _first(elem: _Element, names: list[str], one: str, other: str) -> str:
    """XPath's string(@one|@other): the value of whichever comes first in the markup.

    `names`: the element's attribute names, in the markup's order (`elem.keys()`)."""
    for name in names:
        if name in (one, other):
            return elem.get(name)
    return ""


def _selected(elems: Iterable[_Element],
              test: Callable[[_Element, list[str]], bool]) -> list[_Element]:
    """The elements that pass `test`; every path tests an attribute, so an element
    without any is passed over."""
    return [elem for elem in elems if (names := elem.keys()) and test(elem, names)]


def _raw_tree_prune(path: XPath) -> Select:
    """RAW_TREE_PRUNE_XPATH[0]: infinite-scroll containers of follow-up articles."""
    any_id, any_class, post_id, post_class = _patterns(path)

    def test(elem: _Element, names: list[str]) -> bool:
        ident, classes = elem.get("id", ""), elem.get("class", "")
        return bool((any_id(ident) or any_class(classes)) and (
            next(elem.iterdescendants("h1"), None) is None
            or post_id(ident) or post_class(classes)))

    return lambda tree: _selected(tree.iterdescendants("div", "section", "aside"), test)


def _share_buttons(tree: _Element) -> list[_Element]:
    """RAW_TREE_PRUNE_XPATH[1]."""
    return [elem for elem in tree.iterdescendants("div", "section", "aside")
            if "elementor-share-buttons" in elem.get("class", "")]


def _comments_and_lists(path: XPath) -> Select:
    """REMOVE_COMMENTS_AND_LISTS_XPATH[0]: comment threads, ol and ul ones included."""
    thread_id, thread_class, list_id, list_class = _patterns(path)

    def test(elem: _Element, names: list[str]) -> bool:
        ident, classes = elem.get("id", ""), elem.get("class", "")
        return bool((thread_id(ident) or thread_class(classes)) and (
            elem.tag not in ("ol", "ul") or list_id(ident) or list_class(classes)))

    return lambda tree: _selected(
        tree.iterdescendants("div", "list", "section", "details", "ol", "ul"), test)


def _comments(path: XPath) -> Select:
    """REMOVE_COMMENTS_XPATH[0]: comment threads."""
    thread_id, thread_class = _patterns(path)
    return lambda tree: [
        elem for elem in tree.iterdescendants("div", "list", "section", "details")
        if thread_id(elem.get("id", "")) or thread_class(elem.get("class", ""))]


def _overall_discard(path: XPath) -> Select:
    """OVERALL_DISCARD_XPATH[0]: navigation, share bars, newsletters, ads, bylines..."""
    consent, by_id, by_class = _patterns(path)

    def test(elem: _Element, names: list[str]) -> bool:
        get = elem.get
        return bool("data-lp-replacement-content" in names
                    or "nav" in get("role", "").replace("N", "n")
                    or "MostPopularStories" in get("data-component", "")
                    or consent(_first(elem, names, "id", "class"))
                    or by_id(get("id", "")) or by_class(get("class", "")))

    return lambda tree: _selected(tree.iterdescendants(*_BLOCKS), test)


def _hidden(path: XPath) -> Select:
    """OVERALL_DISCARD_XPATH[1]: hidden elements, reply forms, comment titles."""
    hidden, by_id, by_class = _patterns(path)

    def test(elem: _Element, names: list[str]) -> bool:
        get = elem.get
        classes, style = get("class", ""), get("style", "")
        return bool(classes == "comments-title"
                    or _first(elem, names, "id", "class").startswith("reply-")
                    or hidden(_first(elem, names, "id", "style"))
                    or "display:none" in style or "display: none" in style
                    or by_id(get("id", "")) or by_class(classes)
                    or get("aria-hidden") == "true")

    return lambda tree: _selected(tree.iterdescendants(etree.Element), test)


def _teasers(tree: _Element) -> list[_Element]:
    """TEASER_DISCARD_XPATH[0]."""
    return [elem for elem in tree.iterdescendants(*_BLOCKS)
            if "teaser" in elem.get("id", "").replace("T", "t")
            or "teaser" in elem.get("class", "").replace("T", "t")]


def _bottoms_and_links(path: XPath) -> Select:
    """PRECISION_DISCARD_XPATH[1]: page-bottom blocks, "link" blocks, bordered boxes."""
    bottom, link = _patterns(path)

    def test(elem: _Element, names: list[str]) -> bool:
        first = _first(elem, names, "id", "class")
        return bool(bottom(first) or link(first) or "border" in elem.get("style", ""))

    return lambda tree: _selected(tree.iterdescendants(*_BLOCKS), test)


def _captions(tree: _Element) -> list[_Element]:
    """DISCARD_IMAGE_ELEMENTS[0]."""
    return [elem for elem in tree.iterdescendants(*_BLOCKS)
            if "caption" in elem.get("id", "") or "caption" in elem.get("class", "")]


# (list in trafilatura.xpaths, index in it, the Python answer built from the path)
ANSWERS: tuple[tuple[str, int, Callable[[XPath], Select]], ...] = (
    ("RAW_TREE_PRUNE_XPATH", 0, _raw_tree_prune),
    ("RAW_TREE_PRUNE_XPATH", 1, lambda path: _share_buttons),
    ("REMOVE_COMMENTS_AND_LISTS_XPATH", 0, _comments_and_lists),
    ("REMOVE_COMMENTS_XPATH", 0, _comments),
    ("OVERALL_DISCARD_XPATH", 0, _overall_discard),
    ("OVERALL_DISCARD_XPATH", 1, _hidden),
    ("TEASER_DISCARD_XPATH", 0, lambda path: _teasers),
    ("PRECISION_DISCARD_XPATH", 1, _bottoms_and_links),
    ("DISCARD_IMAGE_ELEMENTS", 0, lambda path: _captions),
)


def original_paths() -> Iterator[tuple[str, int, XPath]]:
    """trafilatura's XPath for each answer (also when a PythonPath stands in its place)."""
    for name, index, _ in ANSWERS:
        current = getattr(xpaths, name)[index]
        yield name, index, current.original if isinstance(current, PythonPath) else current


def paths_fingerprint() -> str:
    """What the answers reproduce: the text of trafilatura's paths."""
    texts = [f"{name}[{index}] {path.path}" for name, index, path in original_paths()]
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]


PATHS_WRITTEN_FOR = "a1db9c13440dbed3"  # paths_fingerprint() with trafilatura 2.3.1


@functools.cache
def reproduces_paths() -> bool:
    """Whether the installed trafilatura has the paths the answers were written for."""
    return paths_fingerprint() == PATHS_WRITTEN_FOR


class PythonPath:
    """Stands in trafilatura's list for one XPath: the Python answer when `enabled()`
    says so (veille's extraction, see trafilatura_hooks.tuned), the XPath otherwise."""

    def __init__(self, original: XPath, answer: Select, enabled: Callable[[], bool]) -> None:
        self.original, self.answer, self.enabled = original, answer, enabled
        self.path = original.path

    def __call__(self, tree: _Element) -> list[_Element]:
        return self.answer(tree) if self.enabled() else self.original(tree)


def install(enabled: Callable[[], bool]) -> None:
    """Put a PythonPath in place of each answered XPath in trafilatura's lists
    (idempotent; nothing changes if the paths are not the ones answered)."""
    if not reproduces_paths():
        return
    for (name, index, build), (_, _, original) in zip(ANSWERS, original_paths(), strict=True):
        paths = getattr(xpaths, name)
        if not isinstance(paths[index], PythonPath):
            paths[index] = PythonPath(original, build(original), enabled)
