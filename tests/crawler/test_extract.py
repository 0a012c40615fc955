import dataclasses
import subprocess
import sys

import pytest
from lxml import html as lxml_html
from trafilatura import core as trafilatura_core
from trafilatura import external as trafilatura_external

from crawler import trafilatura_hooks
from crawler.extract import ExtractionOptions, decode_html, extract, strip_boilerplate
from crawler.trafilatura_hooks import needs_comparison
from tests.helpers import ROOT, fixture_bytes

URL = "https://www.exemple-figaro.fr/international/otan-baltique-cables-20261127"


def test_extract_keeps_article_and_drops_clutter():
    result = extract(fixture_bytes("figaro_like_otan.html"), URL)
    assert result is not None
    assert "mission de surveillance en mer Baltique" in result.text
    assert "pérennisée au-delà de l’hiver" in result.text
    for clutter in ("cookies", "Je m'abonne", "Jean-Pierre75", "naïveté confondante",
                    "Les plus lus", "Mentions légales", "À lire aussi", "Partager sur"):
        assert clutter not in result.text, clutter


def test_extract_reads_metadata():
    result = extract(fixture_bytes("figaro_like_otan.html"), URL)
    assert result.title == ("L’Otan va renforcer sa présence en mer Baltique après les "
                            "sabotages de câbles")
    assert result.author == "Anne-Laure Besson"
    assert result.published_at == "2026-11-27"
    assert result.description.startswith("Les Alliés déploient frégates")
    assert result.canonical_link == URL


def test_a_page_its_listing_dated_is_not_searched_for_a_date():
    """The entry's date is the one stored (scheduler/pipeline.py): htmldate's search of
    the page is skipped, and nothing else of the extraction changes."""
    page = fixture_bytes("figaro_like_otan.html")
    searched, spared = extract(page, URL), extract(page, URL, dated=True)
    assert searched.published_at == "2026-11-27"
    assert spared.published_at is None
    assert dataclasses.replace(spared, published_at=searched.published_at) == searched
    assert extract(page, URL).published_at == "2026-11-27"  # nothing left behind


@pytest.mark.parametrize("char, safe", [
    ("\t", True), ("\n", True), ("\r", True), ("é", True),
    ("\uff01", True),  # EF BC 81: allowed, and not EF BF
    ("\x00", False), ("\x0b", False), ("\x0c", False), ("\x1f", False),
    ("\ufffe", False), ("\uffff", False),  # EF BF BE, EF BF BF: forbidden
    ("\ufffd", False),  # EF BF BD: allowed, but scanned all the same (any EF BF)
])
def test_xml_safety_is_read_in_the_bytes(char, safe):
    from crawler.extract import xml_safe

    page = f"<html><body><p>Texte {char} de l'article.</p></body></html>".encode()
    assert xml_safe(page, "utf-8") is safe
    assert xml_safe(page, "cp1252") is False  # other encodings: trafilatura's own scan


def test_forbidden_characters_are_removed_and_a_clean_page_is_not_scanned(monkeypatch):
    extract(long_article(), URL)  # installs veille's hooks
    from trafilatura import utils as trafilatura_utils

    scanned = []
    forbidden = trafilatura_utils.INVALID_XML_CHARS
    original = forbidden.pattern
    monkeypatch.setattr(forbidden, "pattern", type("Spy", (), {
        "sub": lambda _, *args: scanned.append(len(args[1])) or original.sub(*args)})())
    clean = extract(long_article(), URL)
    assert scanned == []
    dirty = extract(long_article().replace(b"</p>", b"\x0b\x01</p>", 1), URL)
    assert len(scanned) == 1
    assert "\x0b" not in dirty.text and "\x01" not in dirty.text
    assert dirty == clean
    import trafilatura  # another caller in the process: scanned, as trafilatura does

    trafilatura.bare_extraction(long_article())
    assert len(scanned) == 2


def test_extract_decodes_latin1_page():
    result = extract(fixture_bytes("latin1_regional_ukraine.html"), "http://x.fr/a",
                     "text/html; charset=iso-8859-1")
    assert result.title.startswith("Des réfugiés ukrainiens accueillis à Épinal")
    assert "Françoise Thiébaut" in result.text
    assert "Épinal | Saint-Dié" not in result.text  # the layout-table menu


def test_extract_ignores_false_utf8_claim_on_latin1_bytes():
    result = extract(fixture_bytes("latin1_regional_ukraine.html"), "http://x.fr/a",
                     "text/html; charset=utf-8")
    assert "Françoise Thiébaut" in result.text
    assert "\ufffd" not in result.text


def test_decode_html_trusts_utf8_bytes_over_latin1_header():
    text, encoding = decode_html("<p>Le français à Kyïv</p>".encode(),
                                 "text/html; charset=ISO-8859-1")
    assert encoding == "utf-8"
    assert "français à Kyïv" in text
    assert "Ã§" not in text


def test_extract_returns_none_for_cookie_wall():
    assert extract(fixture_bytes("cookie_wall.html"), "https://x.fr/") is None


def test_extract_returns_none_for_empty_and_script_only_pages():
    assert extract(b"", "https://x.fr/") is None
    assert extract(b"<html><body><script>app.start()</script></body></html>",
                   "https://x.fr/") is None
    assert extract(b"\x89PNG\r\n\x1a\n\x00\x00binary", "https://x.fr/") is None


def test_strip_boilerplate_drops_only_short_navigation_lines():
    long_line = "Lire aussi " + "le texte continue " * 30
    text = "\n".join(["Premier paragraphe.", "À lire aussi : Un autre article",
                      "LIRE AUSSI - Encore un", "Crédits photos : AFP", long_line,
                      "| Accueil | Monde |"])
    assert strip_boilerplate(text) == "Premier paragraphe.\n" + long_line.strip()


def test_extract_drops_a_first_line_that_repeats_the_title():
    result = extract(fixture_bytes("figaro_like_otan.html"), URL)
    assert not result.text.startswith(result.title)
    assert result.text.startswith("Les Alliés déploient frégates")


# -- trafilatura's comparison with readability and jusText, run when it can matter -----

PARAGRAPH = ("Les ministres de la Défense de l'Alliance ont examiné à Bruxelles le renforcement "
             "du flanc oriental, la livraison de systèmes de défense aérienne à l'Ukraine et "
             "le financement des stocks de munitions pour les deux prochaines années. ")


def long_article(paragraphs: int = 12) -> bytes:
    body = "".join(f"<p>{PARAGRAPH}Point {i} de la réunion.</p>" for i in range(paragraphs))
    return (f"<html><head><title>L'Otan renforce son flanc est</title></head><body>"
            f"<nav><a href='/'>Accueil</a> <a href='/monde'>Monde</a></nav>"
            f"<article><h1>L'Otan renforce son flanc est</h1>{body}</article>"
            f"<footer>Mentions légales</footer></body></html>").encode()


@pytest.fixture
def readability_calls(monkeypatch):
    calls = []
    original = trafilatura_external.try_readability

    def counted(tree):
        calls.append(tree)
        return original(tree)

    monkeypatch.setattr(trafilatura_external, "try_readability", counted)
    return calls


def test_a_long_clean_text_is_not_compared_and_comes_out_the_same(readability_calls,
                                                                   monkeypatch):
    copies = []
    monkeypatch.setattr(trafilatura_hooks, "copy",
                        lambda tree, _copy=trafilatura_hooks.copy: copies.append(1) or _copy(tree))
    gated = extract(long_article(), URL)
    assert gated is not None and len(gated.text) > 2000
    assert readability_calls == [] and copies == []  # nor is the raw page copied for it
    assert extract(fixture_bytes("figaro_like_otan.html"), URL) is not None
    assert len(readability_calls) == len(copies) == 1
    readability_calls.clear()
    always = extract(long_article(), URL, options=ExtractionOptions(compare_below=None))
    assert len(readability_calls) == 1
    assert always == gated


@pytest.mark.parametrize("name", ["figaro_like_otan.html", "latin1_regional_ukraine.html",
                                  "english_nato.html"])
def test_a_short_text_is_compared(readability_calls, name):
    assert extract(fixture_bytes(name), URL) is not None
    assert len(readability_calls) >= 1


def _body(markup: str):
    return lxml_html.fromstring(f"<body>{markup}</body>")


@pytest.mark.parametrize("markup, text_chars, expected", [
    ("<p>texte</p>" * 3, 3000, False),
    ("<p>texte</p>" * 3, 1499, True),  # short: readability may be twice as long
    ("<p>texte</p><figure>photo</figure>", 3000, True),  # unclean: jusText is consulted
    ("<p>texte</p><aside>Lire aussi</aside>", 3000, True),
    ("<div>texte sans paragraphe</div>", 3000, True),  # no paragraph text
    ("<p>a</p><table><tr><td>1</td></tr></table><table><tr><td>2</td></tr></table>",
     3000, True),  # more tables than paragraphs
])
def test_needs_comparison_follows_trafilatura_rules(markup, text_chars, expected):
    assert needs_comparison(_body(markup), "x" * text_chars, 1500) is expected


def test_veille_replaces_trafilatura_functions_and_others_get_them_unchanged():
    extract(long_article(), URL)
    assert trafilatura_core.compare_extraction.__module__ == "crawler.trafilatura_hooks"
    for _, name, ours in trafilatura_hooks.REPLACED:
        assert trafilatura_hooks.ORIGINALS[name].__module__.startswith(("trafilatura.",
                                                                         "htmldate."))
        assert ours.__module__ == "crawler.trafilatura_hooks"
    # another caller of trafilatura in the process: categories, tags, dates and every
    # comparison
    page = long_article().replace(
        b"<head>", b'<head><meta property="article:section" content="International">'
                   b'<meta property="article:tag" content="Otan">'
                   b'<meta property="article:published_time" content="2026-11-27">')
    import trafilatura

    document = trafilatura.bare_extraction(page, with_metadata=True)
    assert document.categories == ["International"] and document.tags == ["Otan"]
    assert document.date == "2026-11-27"


def test_categories_tags_and_license_are_not_read_by_veille(monkeypatch):
    read = []
    for name in ("extract_catstags", "extract_license"):
        original = trafilatura_hooks.ORIGINALS[name]
        monkeypatch.setitem(trafilatura_hooks.ORIGINALS, name,
                            lambda *args, _name=name, _f=original: read.append(_name) or _f(*args))
    assert extract(fixture_bytes("figaro_like_otan.html"), URL) is not None
    assert read == []
    assert extract(fixture_bytes("figaro_like_otan.html"), URL,
                   options=ExtractionOptions(unused_metadata=True)) is not None
    assert set(read) == {"extract_catstags", "extract_license"}


def test_a_trafilatura_whose_functions_changed_is_refused(monkeypatch):
    monkeypatch.setattr(trafilatura_core, "compare_extraction", lambda *args: args[2:4])
    with pytest.raises(RuntimeError, match="compare_extraction"):
        extract(long_article(), URL)


def _page(body: str) -> str:
    return f"<html><head><title>Titre</title></head><body>{body}</body></html>"


# Pages where trafilatura finds the author in the markup (no meta tag names one), each
# with a trap of its author paths: discarded parents and children, tails, path order.
AUTHOR_PAGES = {
    "byline": '<p class="byline">Par Jeanne Martin</p><p>Texte.</p>',
    "author class first": '<div class="byline">Par Paul Dupont</div>'
                          '<span class="author">Marie Curie</span>',
    "inside comments": '<div id="comments"><span class="author">Lecteur Anonyme</span></div>'
                       '<p class="byline">Par Jeanne Martin</p>',
    "date inside the byline": '<p class="byline">Par <time>12 mars</time>Jeanne Martin, '
                              '<span class="date">le 12</span> à Kyiv</p>',
    "figure inside": '<div class="author-name">Jeanne <figure>photo</figure>Martin</div>',
    "too short then long": '<span class="author">JM</span><span class="author">Jeanne Martin'
                           '</span>',
    "too long": '<span class="author">' + "Jeanne Martin " * 10 + "</span>",
    "any element": '<section data-component="Byline">Par Léa Roux</section>',
    "itemprop": '<h4 itemprop="author">Léa Roux</h4>',
    "sidebar": '<aside><div class="sidebar"><a rel="author">Autre Auteur</a></div></aside>'
               '<em class="writer">Léa Roux</em>',
    "author element": "<author>Léa Roux</author>",
    "rel me": '<a href="/x"><rel>me</rel>Léa Roux</a>',
    "nobody": "<p>Texte sans auteur.</p>",
    # whole documents: the root is matched by the author paths, never deleted
    "root class": '<html class="author-Léa Roux"><body><p>Texte.</p></body></html>',
    "fragment root": '<div class="sidebar"><span class="author">Léa Roux</span></div>',
}


@pytest.mark.parametrize("name", sorted(AUTHOR_PAGES))
def test_the_author_in_markup_is_trafilaturas(name):
    markup = AUTHOR_PAGES[name]
    if "root" not in name:
        markup = _page(markup)
    original = trafilatura_hooks.ORIGINALS["extract_author"]
    assert trafilatura_hooks.author_in_markup(lxml_html.fromstring(markup)) \
        == original(lxml_html.fromstring(markup))


@pytest.mark.parametrize("name", ["figaro_like_otan.html", "latin1_regional_ukraine.html",
                                  "english_nato.html", "cookie_wall.html"])
def test_the_author_of_a_fixture_page_is_trafilaturas(name):
    from trafilatura.utils import load_html

    page = fixture_bytes(name)
    original = trafilatura_hooks.ORIGINALS["extract_author"]
    assert trafilatura_hooks.author_in_markup(load_html(page)) == original(load_html(page))


def test_author_in_markup_was_written_for_the_installed_trafilatura():
    # Fails after a trafilatura upgrade that touches extract_author or its paths: compare
    # author_in_markup with it again, then update AUTHOR. Until then trafilatura's own
    # function runs. The same for _extract_then_compare and EXTRACT_AND_COMPARE.
    for rewrite in (trafilatura_hooks.AUTHOR, trafilatura_hooks.EXTRACT_AND_COMPARE):
        fingerprint, written_for = rewrite
        assert fingerprint() == written_for
        assert trafilatura_hooks.reproduces(rewrite)


def test_veille_finds_the_author_its_own_way_and_others_get_trafilaturas(monkeypatch):
    calls = []
    original = trafilatura_hooks.ORIGINALS["extract_author"]
    monkeypatch.setitem(trafilatura_hooks.ORIGINALS, "extract_author",
                        lambda tree: calls.append(tree) or original(tree))
    page = _page(AUTHOR_PAGES["date inside the byline"] + "<p>" + "Texte. " * 80 + "</p>")
    extracted = extract(page.encode(), URL)
    assert extracted is not None and "Jeanne Martin" in extracted.author
    assert "12" not in extracted.author  # the dates inside the byline were left out
    assert calls == []
    import trafilatura

    assert trafilatura.bare_extraction(page, with_metadata=True).author == extracted.author
    assert len(calls) == 1


def test_warm_up_loads_what_the_workers_would_each_load_at_their_first_pages():
    # run in a fresh interpreter: another test may have loaded them in this one
    probe = ("import tld.utils\n"
             "from crawler.extract import warm_up\n"
             "from trafilatura import external\n"
             "warm_up()\n"
             "print(len(tld.utils.tld_names), external.JT_STOPLIST is not None)\n")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["1", "True"]  # the public-suffix list, the jusText stop words


@pytest.mark.parametrize("precision", [True, False])
def test_trafilatura_leaves_the_tree_veille_gives_it_as_parsed(precision):
    # extract() reads the page's leads from that tree after trafilatura has run on it
    from trafilatura.utils import load_html

    from crawler.extract import DEFAULT_OPTIONS, _trafilatura

    # trafilatura deletes comment threads and share bars from the raw tree it works on
    pruned = long_article().replace(b"</article>", b'<div class="elementor-share-buttons">'
                                    b'Partager</div><div id="comments"><p>Un lecteur</p>'
                                    b"</div></article>")
    for page in (fixture_bytes("figaro_like_otan.html"), pruned):
        tree = load_html(page)
        before = lxml_html.tostring(tree)
        with trafilatura_hooks.tuned(trafilatura_hooks.Tuning(1500, False, True, True)):
            _trafilatura(tree, URL, precision, DEFAULT_OPTIONS)
        assert lxml_html.tostring(tree) == before
