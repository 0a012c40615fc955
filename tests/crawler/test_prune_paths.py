"""crawler.prune_paths against trafilatura's XPath queries, which it must match exactly."""

import random
import re
from copy import deepcopy

import pytest
from lxml import html as lxml_html
from trafilatura import xpaths
from trafilatura.htmlprocessing import convert_tags, tree_cleaning
from trafilatura.settings import Extractor
from trafilatura.utils import load_html

from crawler import prune_paths, trafilatura_hooks
from crawler.extract import ExtractionOptions, extract
from tests.helpers import fixture_bytes

FIXTURES = ["figaro_like_otan.html", "latin1_regional_ukraine.html", "english_nato.html",
            "cookie_wall.html"]
URL = "https://www.example.fr/international/article.html"


def _answers():
    return [(name, index, path, build(path)) for (name, index, build), (_, _, path)
            in zip(prune_paths.ANSWERS, prune_paths.original_paths(), strict=True)]


def _same(tree) -> list[str]:
    """The answers that select other elements than their path in `tree`."""
    root = tree.getroottree()
    return [f"{name}[{index}]" for name, index, path, answer in _answers()
            if [root.getpath(e) for e in path(tree)] != [root.getpath(e) for e in answer(tree)]]


def _stages(tree):
    """The tree as each pruning step meets it: raw, cleaned, with trafilatura's tags."""
    cleaned = tree_cleaning(deepcopy(tree), Extractor())
    return [tree, cleaned, convert_tags(deepcopy(cleaned), Extractor())]


# Words of every regular expression and literal of the paths, cut and joined in
# random ways, with the near misses they were written to tell apart.
def _vocabulary() -> list[str]:
    words = set()
    for _, _, path in prune_paths.original_paths():
        for literal in re.findall(r"'([^']*)'", path.path):
            words.update(re.split(r"[|()?:^$\\\[\]!*+]+", literal))
    words.update(["commentary", "Comments", "comment-list", "reply-", "x-reply-y", "ad",
                  "ad-", " ad-x", "dfpAd", "dfpad", "breadcrumb", "bread-crumb", "NAV", "Nav",
                  "navigation", "teaser", "Teaser", "TEASER", "caption", "bottom", "bottom-bar",
                  "padding-bottom-lg", "link", "links", "permalink", "display:none",
                  "display: none", "border", "hidden", "true", "false", "h1", "main", "story",
                  "mvp-post-add-box", "mvp-post-add-wrap", "mvp-post-add", "infinite-scroll",
                  "infinitescroll", "comment", "Comment", "comol", "disqus_thread",
                  "dsq-comments", "article-comments", "post-comments"])
    return sorted(word for word in words if word)


TAGS = ["div", "section", "aside", "span", "p", "ol", "ul", "li", "details", "list", "item",
        "header", "article", "a", "figure", "table", "h2"]
ATTRIBUTES = ["id", "class", "style", "role", "data-component", "aria-hidden",
              "data-lp-replacement-content", "title"]


def _value(rng: random.Random, vocabulary: list[str]) -> str:
    words = [rng.choice(vocabulary) for _ in range(rng.randrange(0, 4))]
    value = "".join(word + rng.choice(["", " ", "-", "_", "\t", "  "]) for word in words)
    return rng.choice([value, value.strip(), value.upper(), value.capitalize()])


def _element(rng: random.Random, vocabulary: list[str], depth: int) -> str:
    tag = rng.choice(TAGS)
    names = rng.sample(ATTRIBUTES, rng.randrange(0, 4))
    attributes = "".join(f' {name}="{_value(rng, vocabulary)}"' for name in names)
    children = "".join(_element(rng, vocabulary, depth + 1)
                       for _ in range(rng.randrange(0, 4 if depth < 4 else 1)))
    if rng.random() < 0.1:
        children += "<h1>Titre</h1>"
    return f"<{tag}{attributes}>Texte {children}</{tag}> suite "


def test_the_answers_were_written_for_the_installed_trafilatura():
    # Fails after a trafilatura upgrade that changes one of the paths: compare the answers
    # with the new paths (this file), then update PATHS_WRITTEN_FOR. Until then the
    # XPath queries run.
    assert prune_paths.paths_fingerprint() == prune_paths.PATHS_WRITTEN_FOR
    assert prune_paths.reproduces_paths()


@pytest.mark.parametrize("name", FIXTURES)
def test_each_answer_selects_its_paths_elements_on_the_fixture_pages(name):
    for stage in _stages(load_html(fixture_bytes(name))):
        assert _same(stage) == []


def test_each_answer_selects_its_paths_elements_on_generated_pages():
    rng, vocabulary = random.Random(3), _vocabulary()
    for _ in range(200):
        body = "".join(_element(rng, vocabulary, 0) for _ in range(rng.randrange(1, 6)))
        tree = load_html(f"<html><body><main>{body}</main><p>Fin.</p></body></html>")
        for stage in _stages(tree):
            assert _same(stage) == [], lxml_html.tostring(stage)


# Hand-written traps: (markup, the path that must select something in it)
TRAPS = [
    ('<ul id="disqus_thread"><li>a</li></ul><ol id="dsq-comments"><li>b</li></ol>'
     '<div id="disqus_thread">c</div><ul class="comments"><li>d</li></ul>',
     "REMOVE_COMMENTS_AND_LISTS_XPATH[0]"),
    ('<div id="commentary">a</div><section class="comments-commentary">b</section>',
     "REMOVE_COMMENTS_XPATH[0]"),
    ('<div class="infinite-scroll"><h1>Titre</h1><p>a</p></div>'
     '<div class="infinite-scroll"><p>b</p></div>'
     '<aside id="mvp-post-add-box"><h1>Autre</h1></aside>', "RAW_TREE_PRUNE_XPATH[0]"),
    ('<span role="Navigation">a</span><p data-lp-replacement-content="">b</p>'
     '<div data-component="MostPopularStories">c</div><item class=" ad ">d</item>',
     "OVERALL_DISCARD_XPATH[0]"),
    ('<div style="display: none">a</div><div aria-hidden="true">b</div>'
     '<a class="reply-link">c</a><a style="x" id="hidden">d</a><a id="x" style="hidden">e</a>',
     "OVERALL_DISCARD_XPATH[1]"),
    ('<p id="Teaser-1">a</p><span class="TEASER">b</span>', "TEASER_DISCARD_XPATH[0]"),
    ('<div class="page bottom">a</div><div class="padding-bottom-lg">b</div>'
     '<div class="link">c</div><div style="border:1px">d</div>', "PRECISION_DISCARD_XPATH[1]"),
]


@pytest.mark.parametrize(("markup", "path"), TRAPS)
def test_each_answer_selects_its_paths_elements_in_the_traps(markup, path):
    tree = load_html(f"<html><body><main>{markup}</main><p>Fin.</p></body></html>")
    answers = {f"{name}[{index}]": answer for name, index, _, answer in _answers()}
    assert answers[path](tree)
    for stage in _stages(tree):
        assert _same(stage) == []


def test_the_first_of_two_attributes_is_the_first_in_the_markup():
    # XPath's string(@id|@class) reads whichever attribute the markup gives first
    id_first = load_html('<html><body><div id="cookie" class="x">a</div>'
                         '<div class="x" id="cookie">b</div><p>c</p></body></html>')
    overall = dict(((name, index), answer) for name, index, _, answer in _answers())
    selected = overall["OVERALL_DISCARD_XPATH", 0](id_first)
    assert [e.text for e in selected] == ["a"]
    assert _same(id_first) == []


def test_veille_prunes_with_the_answers_and_others_get_the_queries(monkeypatch):
    extract(fixture_bytes("figaro_like_otan.html"), URL)
    stand_ins = [getattr(xpaths, name)[index] for name, index, _ in prune_paths.ANSWERS]
    assert all(isinstance(path, prune_paths.PythonPath) for path in stand_ins)
    calls = []
    for path in stand_ins:
        monkeypatch.setattr(path, "original",
                            lambda tree, _xpath=path.original: calls.append(1) or _xpath(tree))
    with_answers = extract(fixture_bytes("figaro_like_otan.html"), URL)
    assert calls == []
    with_queries = extract(fixture_bytes("figaro_like_otan.html"), URL,
                           options=ExtractionOptions(python_paths=False))
    assert calls and with_queries == with_answers
    calls.clear()
    import trafilatura

    assert trafilatura.extract(fixture_bytes("figaro_like_otan.html")) is not None
    assert calls


def test_trafilaturas_parser_gives_each_element_lxml_htmls_class():
    page = ("<html><body><form><label>Nom</label><input name='q'><select><option>a</option>"
            "</select><textarea>t</textarea></form><div><p>Texte</p><!-- note --></div>"
            "</body></html>")
    trafilatura_hooks.install()
    ours = load_html(page)
    theirs = lxml_html.fromstring(page)  # lxml.html's own parser and lookup
    assert [type(e) for e in ours.iter()] == [type(e) for e in theirs.iter()
                                             if not isinstance(e, lxml_html.HtmlComment)]
    assert {type(e).__name__ for e in ours.iter()} >= {
        "FormElement", "LabelElement", "InputElement", "SelectElement", "TextareaElement",
        "HtmlElement"}
