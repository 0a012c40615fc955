from pathlib import Path

import pytest
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

from crawler.extract import extract
from crawler.language import LANGUAGES, SEED, NgramTable, TableDetector, detect_language
from tests.helpers import fixture_bytes, random_texts


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


# --- veille's detector against langdetect's own, which it must match to the bit ---

@pytest.fixture(scope="module")
def langdetect_factory() -> DetectorFactory:
    factory = DetectorFactory()
    factory.load_json_profile([(Path(PROFILES_DIRECTORY) / code).read_text("utf-8")
                               for code in LANGUAGES])
    factory.set_seed(SEED)
    return factory


def _probabilities(detector, text: str):
    detector.append(text)
    try:
        return [(found.lang, found.prob) for found in detector.get_probabilities()]
    except Exception as error:  # langdetect's "no features" error must match too
        return type(error).__name__


TEXTS = [
    "Le Kremlin a annoncé des pourparlers avec l'Ukraine, a indiqué l'Otan mardi à Bruxelles.",
    "LA RUSSIE ANNONCE UN CESSEZ-LE-FEU. Les Ukrainiens doutent.",
    "NATO-Generalsekretär Mark Rutte sprach am Dienstag in Brüssel über die Ukraine.",
    "The alliance's defence ministers met in Brussels on Tuesday.",
    "Путин заявил, что Россия готова к переговорам с НАТО.",
    "Зеленський провів зустріч з генсеком НАТО у Києві.",
    "Ο ΝΑΤΟ συνεδρίασε στις Βρυξέλλες για την Ουκρανία.",
    "قال الأمين العام لحلف شمال الأطلسي إن الحلف سيدعم أوكرانيا",
    "Tổng thư ký NATO đến Kyiv hôm thứ Ba.",  # precomposed Vietnamese
    "Tổng thư ký NATO đến Kyiv",  # letters and combining marks
    "Președintele României și ministrul țării au discutat.",  # s and t with comma below
    "北约峰会在维尔纽斯举行。ひらがなカタカナ한국어",
    "Москва NATO Kyiv Washington Берлин Paris",  # mostly Latin in a Cyrillic text, and back
    "Voir https://www.example.org/otan?x=1 ou écrire à redaction@example.fr — « Otan » !",
    "Otan : sommet à Vilnius", "OTAN", "x", "", "   ", "12 345 — 678 !!", "ÉÉÉ Ééé éÉé",
    "l'OTAN, l’UE et l'ONU ; c'est-à-dire… «\u00a0bon\u00a0»",
]


def test_table_holds_langdetects_probabilities(langdetect_factory):
    table = NgramTable.load(LANGUAGES)
    assert table.langlist == langdetect_factory.langlist
    assert table.word_lang_prob_map.keys() == langdetect_factory.word_lang_prob_map.keys()
    width = len(table.langlist)
    for word, row in langdetect_factory.word_lang_prob_map.items():
        offset = table.word_lang_prob_map[word]
        assert table.probabilities[offset:offset + width].tolist() == row, word


def test_detector_gives_langdetects_probabilities_to_the_bit(langdetect_factory):
    table = NgramTable.load(LANGUAGES)
    for text in TEXTS:
        assert _probabilities(TableDetector(table), text) == \
            _probabilities(langdetect_factory.create(), text), text


def test_detector_matches_langdetect_on_random_mixtures(langdetect_factory):
    """Random strings of letters of every case and script, marks, spaces and punctuation."""
    table = NgramTable.load(LANGUAGES)
    pool = ("aàâbcçdeéèêfghiîjklmnoôpqrstuùvwxyzAÀBCÇDEÉFGHIJKLMNOPQRSTUVWXYZ"
            "абвгдежзийклмнопрстуфхцчшщыэюяАБВГДЕЖЗИЙКЛМНЯіїєІЇЄ"
            "αβγδΑΒΓΔابتثșțȘȚạảấ\u0300\u0301\u0303ăơư漢字かなカナ가"
            "     ''’-—.,;:!?«»()0123456789\n\t\u00a0\u2019")
    for text in random_texts(pool, 300, 400, seed=7):
        assert _probabilities(TableDetector(table), text) == \
            _probabilities(langdetect_factory.create(), text), repr(text)


def test_the_detector_remembers_a_bounded_number_of_characters(langdetect_factory):
    from crawler import language

    table = NgramTable.load(LANGUAGES)
    text = "".join(chr(code) for code in range(0x4E00, 0x4E00 + 2 * language._NORMALISED.kept))
    mixed = "Le Kremlin a annoncé des pourparlers. " + text[:3000]
    assert _probabilities(TableDetector(table), text) == \
        _probabilities(langdetect_factory.create(), text)
    assert _probabilities(TableDetector(table), mixed) == \
        _probabilities(langdetect_factory.create(), mixed)
    assert len(language._NORMALISED) <= language._NORMALISED.kept


def test_lines_in_capitals_are_lowered_as_the_letter_count_says():
    """case_normalised counts capitals in C first; the decision stays the one made on
    letters alone, also for capitals that are not letters (circled Ⓐ, Roman Ⅻ)."""
    from crawler.language import UPPER_SHARE, case_normalised

    def by_letters(text: str) -> str:
        lines = []
        for line in text.splitlines() or [text]:
            letters = [c for c in line if c.isalpha()]
            upper = sum(c.isupper() for c in letters)
            lines.append(line.lower() if letters and upper / len(letters) > UPPER_SHARE
                         else line)
        return "\n".join(lines)

    pool = "abcéèAÉBCDXYZ ⒶⒷⅫⅩ12-'.\n"
    texts = [*random_texts(pool, 500, 60, seed=3), "LA RUSSIE ANNONCE", "ⒶⒷⒸ ab",
             "ⒶⒷⒸⒹ abC", "OTAN otan", "OTAN ota", ""]
    for text in texts:
        assert case_normalised(text) == by_letters(text), repr(text)
    assert case_normalised("LA RUSSIE ANNONCE\nLe Kremlin") == "la russie annonce\nLe Kremlin"


def test_words_remembered_stay_bounded_and_answers_do_not_change(langdetect_factory,
                                                                   monkeypatch):
    from crawler import language

    monkeypatch.setattr(language, "WORD_CACHE", 40)
    table = NgramTable.load(LANGUAGES)
    texts = random_texts("abcdefghijklmnopqrstuvwxyzéèàç    ", 60, 300, seed=11)
    for text in texts + texts:  # the second time, some words come from the cache
        assert _probabilities(TableDetector(table), text) == \
            _probabilities(langdetect_factory.create(), text), repr(text)
        assert len(table.word_ngrams) <= 40 + len(text.split())
    assert table.word_ngrams
