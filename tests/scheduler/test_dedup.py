"""Dedup keys: one canonical URL per article (and never one for two), one hash per text."""

import unicodedata

import pytest

from scheduler.dedup.content import content_hash
from scheduler.dedup.urls import canonical_url, remove_dot_segments, without_tracking

SAME_ARTICLE = [
    # tracking parameters
    ("https://www.lemonde.fr/international/article/2026/11/27/otan_123.html"
     "?utm_source=twitter&utm_medium=social&xtor=RSS-3208&fbclid=abc&gclid=x",
     "https://www.lemonde.fr/international/article/2026/11/27/otan_123.html"),
    ("https://x.fr/a?id=5&at_medium=rss&mtm_campaign=z", "https://x.fr/a?id=5"),
    # fragment, host case, scheme, default ports, trailing and repeated slashes
    ("http://WWW.Example.FR/Monde/Article-1/", "https://www.example.fr/Monde/Article-1"),
    ("https://www.example.fr:443/Monde/Article-1#comments",
     "https://www.example.fr/Monde/Article-1"),
    ("http://www.example.fr:80//Monde//Article-1", "https://www.example.fr/Monde/Article-1"),
    ("https://www.example.fr./a", "https://www.example.fr/a"),
    # percent-escapes: unreserved characters, case of the others, raw non-ASCII
    ("https://x.fr/%7euser/a", "https://x.fr/~user/a"),
    ("https://x.fr/%7Euser/a", "https://x.fr/%7euser/a"),
    ("https://x.fr/%c3%a9t%c3%a9", "https://x.fr/été"),
    ("https://x.fr/a?q=%c3%a9", "https://x.fr/a?q=é"),
    ("https://x.fr/a?q=un%20mot", "https://x.fr/a?q=un+mot"),
    # dot segments, empty query, parameter order, empty items
    ("https://x.fr/a/./b/../c", "https://x.fr/a/c"),
    ("https://x.fr/a/b/../../c", "https://x.fr/c"),
    ("https://x.fr/a?", "https://x.fr/a"),
    ("https://x.fr/a?page=2&id=5", "https://x.fr/a?id=5&page=2"),
    ("https://x.fr/a?&id=5&&", "https://x.fr/a?id=5"),
    ("https://x.fr/spip.php?article123&utm_source=rss", "https://x.fr/spip.php?article123"),
]

DIFFERENT_ARTICLES = [
    # bare-key query items identify SPIP articles
    ("https://www.example.fr/spip.php?article123", "https://www.example.fr/spip.php?article124"),
    ("https://www.example.fr/spip.php?article123", "https://www.example.fr/spip.php"),
    ("https://x.fr/?p=5", "https://x.fr/?p=6"),
    ("https://x.fr/index.php?id=3", "https://x.fr/index.php?id=4"),
    # names that analytics tools use, and CMSs too
    ("https://x.fr/a?source=afp&id=1", "https://x.fr/a?source=reuters&id=1"),
    ("https://x.fr/a?cid=1", "https://x.fr/a?cid=2"),
    ("https://x.fr/a?uid=1", "https://x.fr/a?uid=2"),
    ("https://x.fr/a?session=1", "https://x.fr/a?session=2"),
    ("https://x.fr/a?reference=1", "https://x.fr/a?reference=2"),
    ("https://x.fr/a?from=1", "https://x.fr/a?from=2"),
    ("https://x.fr/a?src=1", "https://x.fr/a?src=2"),
    ("https://x.fr/a?ref=1", "https://x.fr/a?ref=2"),
    # path case, non-default ports, escaped reserved characters, other hosts
    ("https://x.fr/A/b", "https://x.fr/a/b"),
    ("http://127.0.0.1:8080/A/b", "http://127.0.0.1:8081/A/b"),
    ("https://x.fr/a%2Fb", "https://x.fr/a/b"),
    ("https://x.fr/a?q=a%26b", "https://x.fr/a?q=a&b"),
    ("https://www.x.fr/a", "https://x.fr/a"),
    ("https://x.fr/a?id=1", "https://x.fr/a?id=1&id=2"),
]


@pytest.mark.parametrize("a,b", SAME_ARTICLE)
def test_two_urls_of_one_article_share_a_key(a, b):
    assert canonical_url(a) == canonical_url(b)
    assert canonical_url(b) == canonical_url(a)


@pytest.mark.parametrize("a,b", DIFFERENT_ARTICLES)
def test_two_articles_never_share_a_key(a, b):
    assert canonical_url(a) != canonical_url(b)
    assert canonical_url(b) != canonical_url(a)


def test_canonical_url_is_stable():
    for a, b in SAME_ARTICLE + DIFFERENT_ARTICLES:
        for url in (a, b):
            assert canonical_url(canonical_url(url)) == canonical_url(url)


def test_canonical_url_keeps_a_bare_key_as_written():
    assert canonical_url("http://www.example.fr/spip.php?article123") == (
        "https://www.example.fr/spip.php?article123")


def test_canonical_url_of_ipv6_hosts_and_broken_urls():
    assert canonical_url("http://[::1]:8080/a") == "https://[::1]:8080/a"
    assert canonical_url("http://[::1") == "http://[::1"  # not a URL: its own key


def test_remove_dot_segments():
    assert remove_dot_segments("/a/b/c/./../../g") == "/a/g"
    assert remove_dot_segments("/../a") == "/a"
    assert remove_dot_segments("/a/b/..") == "/a/"


def test_without_tracking_keeps_what_identifies_the_article():
    assert without_tracking("https://x.fr/spip.php?article12&utm_source=rss#top") == (
        "https://x.fr/spip.php?article12")
    assert without_tracking("http://X.fr/a?source=afp&xtor=RSS-1") == "http://X.fr/a?source=afp"


def test_content_hash_ignores_unicode_form_case_and_spacing():
    text = "Réunion à Kyïv : l'Otan discute."
    assert content_hash(text) == content_hash(unicodedata.normalize("NFD", text))
    assert content_hash(text) == content_hash("  réunion   à KYÏV  l'otan discute ")
    assert content_hash(text) != content_hash("Réunion à Kyïv : l'Otan hésite.")
