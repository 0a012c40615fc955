from crawler.extract import extract
from crawler.language import detect_language
from tests.helpers import fixture_bytes


def test_detect_language_french_and_english_pages():
    french = extract(fixture_bytes("figaro_like_otan.html"), "https://x.fr/a")
    english = extract(fixture_bytes("english_nato.html"), "https://x.fr/en/a")
    assert detect_language(french.text).code == "fr"
    assert detect_language(french.text).probability > 0.9
    assert detect_language(english.text).code == "en"


def test_detect_language_is_deterministic_on_short_text():
    headline = "Otan : sommet à Vilnius"
    answers = {detect_language(headline) for _ in range(20)}
    assert len(answers) == 1


def test_detect_language_undecidable_text():
    result = detect_language("12 345 — 678 !!")
    assert result.code == "und"
    assert result.probability == 0.0
