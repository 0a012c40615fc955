"""Content keys: the same article text under any URL or markup is one article."""

from __future__ import annotations

import hashlib

from veille.text import folded_words


def content_hash(text: str) -> str:
    """Hash of the normalised text.

    Case, accents, Unicode composition (NFC/NFD), punctuation and whitespace do
    not change it.
    """
    return hashlib.sha256(" ".join(folded_words(text)).encode("utf-8")).hexdigest()
