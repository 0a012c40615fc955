"""Text normalisation shared by dedup, tagging, alert rules and search: folding and tokens."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'", "´": "'"})
TOKEN = re.compile(r"[^\W_]+")
# The Unicode blocks of combining diacritics (accents, diaeresis, cedilla...)
COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Kyïv' and 'KYIV' both become 'kyiv'.

    Character by character through a table (half the time of the whole-text way on the
    corpus's texts), which gives the same string unless a character keeps a combining
    mark that the whole-text way might reorder with its neighbours': then the whole text.
    """
    try:
        return text.translate(_FOLDED)
    except _MarkKeptError:
        return fold_whole(text)


def fold_whole(text: str) -> str:
    """fold(), on the whole text at once: decomposed, then stripped of its accents."""
    decomposed = unicodedata.normalize("NFKD", text.translate(APOSTROPHES).casefold())
    return COMBINING_MARKS.sub("", decomposed)


class CharacterTable(dict[int, str]):
    """`convert` of each character met, for str.translate: computed at its first sight
    and remembered for up to `kept` characters (a page has a few hundred; a text in
    thousands of distinct characters does not grow the table without end)."""

    def __init__(self, convert: Callable[[str], str], kept: int = 4096) -> None:
        super().__init__()
        self.convert, self.kept = convert, kept

    def __missing__(self, code: int) -> str:
        value = self.convert(chr(code))
        if len(self) < self.kept:
            self[code] = value
        return value


class _MarkKeptError(Exception):
    pass


def _fold_character(char: str) -> str:
    """fold_whole() of one character, for fold's table.

    Decomposing a text is decomposing each of its characters, then putting the
    combining marks of each run in their canonical order. fold_whole() then removes
    the accents: if it removes every mark, the order they were in does not matter, and
    folding each character alone gives the same string. A character that keeps a mark
    (an Arabic or Hebrew vowel sign) stops the table (`_MarkKeptError`).
    """
    folded = fold_whole(char)
    if any(unicodedata.combining(c) for c in folded):
        raise _MarkKeptError
    return folded


_FOLDED = CharacterTable(_fold_character)


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


def french_lemma(word: str) -> str:
    """simplemma's French lemma of `word`, as written (not folded).

    From simplemma's memory-frugal dictionary (`low_memory=True`): the same lemmas as
    its in-memory dictionary (all 13,865 distinct words of ../shared/corpus), in 1.7
    instead of 25 MB, for 15 µs more a word the caches above it have not seen.
    """
    import simplemma  # loaded by the first lemma, not by every command that folds text

    return simplemma.lemmatize(word, lang="fr", low_memory=True)


@lru_cache(maxsize=200_000)
def lemma_of(word: str) -> str:
    """The folded French lemma of one word: "Trottinettes" and "trottinette" give
    "trottinette", "ukrainiennes" gives "ukrainien". Read in lower case, so that a word
    at the start of a sentence ("Records") and the same word typed in a query ("records")
    are one word (simplemma keeps some capitalised words as names)."""
    return fold(french_lemma(word.lower()))


def lemma_words(text: str) -> list[str]:
    """The words of `text` as folded French lemmas, in order: what search indexes, so that
    singular, plural and feminine forms are found together."""
    return [lemma_of(word) for word in TOKEN.findall(unicodedata.normalize("NFC", text))]
