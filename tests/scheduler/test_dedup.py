"""Dedup keys: one canonical URL per article, one hash per text."""

import unicodedata

from scheduler.dedup.content import content_hash
from scheduler.dedup.urls import canonical_url


def test_canonical_url_removes_tracking_parameters():
    url = ("https://www.lemonde.fr/international/article/2026/11/27/otan_123.html"
           "?utm_source=twitter&utm_medium=social&xtor=RSS-3208&fbclid=abc&gclid=x")
    assert canonical_url(url) == (
        "https://www.lemonde.fr/international/article/2026/11/27/otan_123.html")


def test_canonical_url_keeps_meaningful_query_sorted():
    assert canonical_url("https://x.fr/a?page=2&id=5&utm_campaign=z") == "https://x.fr/a?id=5&page=2"


def test_canonical_url_normalises_scheme_host_port_slash_and_fragment():
    variants = [
        "http://WWW.Example.FR/Monde/Article-1/",
        "https://www.example.fr:443/Monde/Article-1#comments",
        "http://www.example.fr:80/Monde/Article-1?at_medium=rss",
        "https://www.example.fr/Monde/Article-1",
    ]
    assert len({canonical_url(v) for v in variants}) == 1


def test_canonical_url_keeps_path_case_and_non_default_port():
    assert canonical_url("http://127.0.0.1:8080/A/b") == "https://127.0.0.1:8080/A/b"
    assert canonical_url("http://127.0.0.1:8080/A/b") != canonical_url("http://127.0.0.1:8081/A/b")


def test_canonical_url_normalises_percent_escapes():
    assert canonical_url("https://x.fr/%c3%a9t%c3%a9") == canonical_url("https://x.fr/été")


def test_content_hash_ignores_unicode_form_case_and_spacing():
    text = "Réunion à Kyïv : l'Otan discute."
    assert content_hash(text) == content_hash(unicodedata.normalize("NFD", text))
    assert content_hash(text) == content_hash("  réunion   à KYÏV  l'otan discute ")
    assert content_hash(text) != content_hash("Réunion à Kyïv : l'Otan hésite.")
