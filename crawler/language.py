"""Language of an extracted text, with langdetect made deterministic and kept small."""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.lang_detect_exception import LangDetectException
from langdetect.utils.lang_profile import LangProfile
from langdetect.utils.ngram import NGram

from veille.model import DETECTABLE_LANGUAGES
from veille.text import CharacterTable

# Profiles loaded: DETECTABLE_LANGUAGES. Text in other scripts has no n-gram in these
# profiles and comes out 'und' (not French), as it should; leaving out the CJK and
# Indic profiles divides the memory of each worker's detector by three.
LANGUAGES = DETECTABLE_LANGUAGES
SEED = 0
# A line whose letters are mostly capitals ("LA RUSSIE ANNONCE...") reads as German to
# the detector's n-grams: such lines are lower-cased first.
UPPER_SHARE = 0.6
SAMPLE_CHARS = 1200  # bench/extraction_options.py: same decisions as 2,400 on the corpus


@dataclass(frozen=True)
class Language:
    code: str
    probability: float


UNKNOWN = Language("und", 0.0)


@dataclass
class NgramTable:
    """langdetect's n-gram probabilities, one row of `len(langlist)` floats per n-gram.

    langdetect keeps a Python list of float objects per n-gram (34,260 n-grams, 22 MB
    for these profiles). Every detection reads some of them, and in CPython reading an
    object writes its reference count: each worker forked from the preloaded server
    ended up with its own copy of most of those pages. Here the floats sit in one
    array that reading never writes, and `word_lang_prob_map` (the name langdetect's
    Detector reads) maps an n-gram to the offset of its row.
    """

    langlist: list[str]
    word_lang_prob_map: dict[str, int] = field(default_factory=dict)
    probabilities: array = field(default_factory=lambda: array("d"))
    seed: int | None = None
    # word of normalised text -> its known n-grams' rows (TableDetector._extract_ngrams)
    word_ngrams: dict[str, array[int]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, codes: tuple[str, ...], directory: Path = Path(PROFILES_DIRECTORY),
             seed: int | None = SEED) -> NgramTable:
        """The same probabilities as langdetect's `DetectorFactory.load_json_profile`."""
        table = cls(langlist=[], seed=seed)
        width = len(codes)
        for index, code in enumerate(codes):
            profile = LangProfile(**json.loads((directory / code).read_text("utf-8")))
            table.langlist.append(profile.name)
            for word, count in profile.freq.items():
                offset = table.word_lang_prob_map.setdefault(word, len(table.probabilities))
                if offset == len(table.probabilities):
                    table.probabilities.extend([0.0] * width)
                if 1 <= len(word) <= 3:
                    table.probabilities[offset + index] = (
                        1.0 * count / profile.n_words[len(word) - 1])
        return table


# NGram.normalize of each character met, for str.translate
_NORMALISED = CharacterTable(NGram.normalize)


def _windows(text: str) -> Iterator[str]:
    """NGram's buffer after each character, where NGram would read n-grams from it.

    It starts again after a space, holds three characters at most, and is not read
    inside a run of capitals (an acronym says nothing of the language).
    """
    grams, capital = " ", False
    for char in text:
        last = grams[-1]
        if last == " ":
            grams, capital = " ", False
            if char == " ":
                continue
        elif len(grams) >= 3:
            grams = grams[1:]
        grams += char
        capital = char.isupper() and (capital or last.isupper())
        if not capital:
            yield grams


# Words whose n-grams a table remembers (a French article brings a few dozen new ones;
# about 270 bytes each: 1.2 MB for the 4,482 words of the corpus's samples)
WORD_CACHE = 20_000
# langdetect's cleaning_text counts 'A' <= ch <= 'z' as Latin ([\\]^_` too) and every
# character from U+0300 on as not (its test for Latin Extended Additional compares the
# block's number with a name, so it never holds)
_ASCII_LETTERS = re.compile("[A-z]")
_NON_LATIN = re.compile("[\u0300-\U0010ffff]")
_SPACES = re.compile("  +")


def _word_ngrams(word: str, known: dict[str, int]) -> array[int]:
    """The table rows of the known n-grams of one word of normalised text (with its space
    after, if any), in NGram's order: 4 bytes each, not a string object."""
    rows = array("I")
    for grams in _windows(word):
        # grams: the last three characters at most, of one word and the space after it
        if grams[-1] != " " and grams[-1] in known:
            rows.append(known[grams[-1]])
        if len(grams) >= 2:
            if grams[-2:] in known:
                rows.append(known[grams[-2:]])
            if len(grams) == 3 and grams in known:
                rows.append(known[grams])
    return rows


class TableDetector(Detector):
    """langdetect's Detector reading an NgramTable, with the same results to the bit.

    langdetect walks the text one NGram.add_char call at a time and multiplies the
    probabilities in index loops. The same n-grams come out of one pass over the text
    normalised by str.translate, and the same products from list comprehensions (the
    same operations on the same floats in the same order).
    """

    text: str  # langdetect's: the text appended so far

    def __init__(self, table: NgramTable) -> None:
        super().__init__(table)
        self._probabilities = table.probabilities
        self._width = len(table.langlist)
        self._word_ngrams = table.word_ngrams

    def _extract_ngrams(self) -> list[int]:
        """The n-grams NGram.add_char would give, in the same order (NGram.N_GRAM = 3),
        as their rows in the table: langdetect draws from this list and hands what it
        draws to `_update_lang_prob`.

        NGram starts again after each space, so a word's n-grams depend on the word
        alone: they are read once per word and table (`_word_ngrams`), and a page's
        are those of its words in turn, the last one without the space after it when
        the text does not end with one.
        """
        words = self.text.translate(_NORMALISED).split(" ")
        known, cache = self.word_lang_prob_map, self._word_ngrams
        if len(cache) > WORD_CACHE:
            cache.clear()
        ngrams: list[int] = []
        for word in words[:-1]:
            if word:
                grams = cache.get(word)
                if grams is None:
                    grams = cache[word] = _word_ngrams(word + " ", known)
                ngrams += grams
        if words[-1]:
            ngrams += _word_ngrams(words[-1], known)
        return ngrams

    def append(self, text: str) -> None:
        """langdetect's: addresses and e-mails blanked, Vietnamese letters composed, at
        most `max_text_length` characters kept and runs of spaces made one (by a regular
        expression instead of a loop over characters)."""
        text = NGram.normalize_vi(self.MAIL_RE.sub(" ", self.URL_RE.sub(" ", text)))
        self.text += _SPACES.sub(" ", text[:self.max_text_length])

    def cleaning_text(self) -> None:
        """langdetect's: a text with more than twice as many characters from U+0300 on
        as ASCII letters loses the latter; counted by regular expressions instead of a
        loop over characters."""
        latin = len(_ASCII_LETTERS.findall(self.text))
        if latin * 2 < len(_NON_LATIN.findall(self.text)):
            self.text = _ASCII_LETTERS.sub("", self.text)

    def _update_lang_prob(self, prob: list[float], offset: int,
                          alpha: float) -> bool:
        weight = alpha / self.BASE_FREQ
        row = self._probabilities[offset:offset + self._width]
        prob[:] = [p * (weight + q) for p, q in zip(prob, row, strict=True)]
        return True

    def _normalize_prob(self, prob: list[float]) -> float:
        total = sum(prob)
        prob[:] = [p / total for p in prob]
        # langdetect's loop: the largest, starting from 0.0, by the same comparisons.
        return max(0.0, *prob)


_table: NgramTable | None = None


def _ngram_table() -> NgramTable:
    global _table
    if _table is None:
        _table = NgramTable.load(LANGUAGES)
    return _table


def sample(text: str, size: int = SAMPLE_CHARS) -> str:
    """Beginning, middle and end of a long text: enough to tell its language.

    langdetect reads n-grams of up to 10,000 characters in pure Python; on a long
    article that was a third of the cost of analysing the page.
    """
    if len(text) <= size:
        return text
    third = size // 3
    middle = len(text) // 2 - third // 2
    return " ".join((text[:third], text[middle:middle + third], text[-third:]))


def case_normalised(text: str) -> str:
    """Lines written in capitals lower-cased; the others as they are."""
    lines = []
    for line in text.splitlines() or [text]:
        # capitals of any kind bound the capital letters from above: most lines are
        # decided by two counts in C, the few with many capitals by the exact one
        letters = sum(map(str.isalpha, line))
        if letters and sum(map(str.isupper, line)) / letters > UPPER_SHARE:
            upper = sum(1 for c in line if c.isupper() and c.isalpha())
            if upper / letters > UPPER_SHARE:
                line = line.lower()
        lines.append(line)
    return "\n".join(lines)


def detect_language(text: str, sample_chars: int = SAMPLE_CHARS) -> Language:
    """Most probable language of `text`; 'und' with probability 0 when undecidable.

    The seed is fixed: langdetect samples n-grams at random, so without it a
    short headline can come out French on one run and Italian on the next.
    """
    try:
        detector = TableDetector(_ngram_table())
        detector.append(case_normalised(sample(text, sample_chars)))
        candidates = detector.get_probabilities()
    except LangDetectException:
        return UNKNOWN
    if not candidates:
        return UNKNOWN
    best = candidates[0]
    return Language(best.lang, round(best.prob, 4))
