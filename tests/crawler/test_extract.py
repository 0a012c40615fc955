from crawler.extract import decode_html, extract, strip_boilerplate
from tests.helpers import fixture_bytes

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
