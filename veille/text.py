"""Text normalisation shared by dedup, tagging, alert rules and search: folding and tokens."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'", "´": "'"})
TOKEN = re.compile(r"[^\W_]+")
# The Unicode blocks of combining diacritics (accents, diaeresis, cedilla...)
COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Kyïv' and 'KYIV' both become 'kyiv'."""
    decomposed = unicodedata.normalize("NFKD", text.translate(APOSTROPHES).casefold())
    return COMBINING_MARKS.sub("", decomposed)


@lru_cache(maxsize=100_000)
def fold_word(word: str) -> str:
    """fold() of one word, remembered: words recur from one article to the next."""
    return fold(word)


def tokens(text: str) -> list[tuple[int, int, str]]:
    """Word tokens of `text` with their character spans, lower-cased.

    Apostrophes and hyphens split words, so "l'Otan" gives "l", "otan" and
    "Otan-Russie" gives "otan", "russie".
    """
    text = unicodedata.normalize("NFC", text)
    return [(m.start(), m.end(), m.group().lower()) for m in TOKEN.finditer(text)]


def folded_words(text: str) -> list[str]:
    """The words of `text`, folded: what content hashes and alert queries compare."""
    return TOKEN.findall(fold(text))


@lru_cache(maxsize=200_000)
def lemma_of(word: str) -> str:
    """The folded French lemma of one word: "Trottinettes" and "trottinette" give
    "trottinette", "ukrainiennes" gives "ukrainien". Read in lower case, so that a word
    at the start of a sentence ("Records") and the same word typed in a query ("records")
    are one word (simplemma keeps some capitalised words as names)."""
    import simplemma  # loaded by the first lemma, not by every command that folds text

    return fold(simplemma.lemmatize(word.lower(), lang="fr"))


def lemma_words(text: str) -> list[str]:
    """The words of `text` as folded French lemmas, in order: what search indexes, so that
    singular, plural and feminine forms are found together."""
    return [lemma_of(word) for word in TOKEN.findall(unicodedata.normalize("NFC", text))]
