"""Content keys: the same article text under any URL or markup is one article."""

from __future__ import annotations

import hashlib

from veille.text import folded_words


def content_hash(text: str) -> str:
    """Hash of the normalised text.

    Case, accents, Unicode composition (NFC/NFD), punctuation and whitespace do
    not change it.
    """
    return words_hash(folded_words(text))


def words_hash(words: list[str]) -> str:
    """content_hash() of a text whose `folded_words` are `words`."""
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()
