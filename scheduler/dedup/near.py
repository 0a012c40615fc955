"""Near-copies: the same dispatch republished with edits, cut short, or in other furniture.

Each stored text gets a MinHash signature (datasketch, scheme "affine32", 128
permutations) of its word 5-shingles, with credit lines, datelines and "Lire aussi"
lines left out, and 64 band keys of 2 rows kept in SQLite (`fingerprint_bands`, an
index on the key). A new text's bands find the stored texts that may be copies;
their signatures estimate the overlap; the best few are checked on their words.

A copy must contain most of the shorter text: containment (shared shingles over
the smaller set), not only Jaccard, because a copy cut to its first 60 % has a
Jaccard of about 0.6 with the full text but a containment near 1. The thresholds
below were chosen on bench/stories/ (see bench/eval_stories.py for the figures).
"""

from __future__ import annotations

import hashlib
import operator
import sys
import types
import zlib
from array import array
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from veille.model import Fingerprint
from veille.text import folded_words

if TYPE_CHECKING:
    import numpy as np

SHINGLE_WORDS = 5
NUM_PERM = 128
# Bands of 2 rows, so that copies cut to a third of the dispatch are found: a pair with
# Jaccard 0.2 shares one of 64 bands with probability 0.93, 0.3: 0.998 (with 42 bands of 3
# rows: 0.29 and 0.68; bench/stories_bench.py found 39 of 50 cut copies so). Unrelated
# news texts have a Jaccard of at most 0.002 (the 1,326 pairs of 52 pages of
# ../shared/corpus): about 8e-7 shared bands per stored article, under one false
# candidate per new article at 1M stored.
BANDS, ROWS = 64, 2
SEED = 1
# The shingle hash: CRC-32 is enough, as the affine32 scheme mixes every input hash with
# the MurmurHash3 finalizer first (and ten times faster than the default SHA-1 in Python).
SCHEME = (f"datasketch-2/affine32/crc32/perm{NUM_PERM}/bands{BANDS}x{ROWS}/w{SHINGLE_WORDS}"
          f"/seed{SEED}")
# Decision (chosen on bench/stories/, see the module docstring):
# On bench/stories/, copies share at least 0.64 of the smaller text's shingles (two
# republications cut and edited differently), other pairs at most 0.12.
MIN_CONTAINMENT = 0.5  # of the smaller text's shingles found in the other
MIN_SHARED = 12  # and at least this many shingles shared (a quote is not a copy)
# On one site, a copy is the same article (AMP and canonical pages, print and web) and is
# not stored again: only when nearly all of the smaller text is in the other, so that two
# articles of one outlet sharing a recap paragraph are never one.
SAME_SITE_CONTAINMENT = 0.9
# candidates whose signatures say they share less than this of the smaller text are not
# checked on their words
MIN_LIKELY_CONTAINMENT = 0.3
MAX_CHECKED = 4  # candidates checked on their words, best estimate first
MIN_WORDS = 25  # a text shorter than this (a brief, a caption) is never a copy


@dataclass(frozen=True)
class Copy:
    """A stored article the new text is a copy of, and how much of it they share."""

    article_id: int
    containment: float
    jaccard: float
    shared: int


def shingles(text: str) -> set[int]:
    """The keys of the folded text's word 5-shingles (the words of shorter texts, as 1
    shingle)."""
    return word_shingles(folded_words(text))


def word_shingles(words: list[str]) -> set[int]:
    """Each distinct shingle as a 64-bit key: its CRC-32, which the MinHash signature
    hashes, in the low half, and its Adler-32 in the high half, so that two shingles of
    the texts compared share a key only when they are the same (a 32-bit key alone would
    give a false shared shingle once in some 9,000 pairs of 700-shingle texts). A key is
    an eighth of the shingle's size to send from a worker and to keep for the next
    copy's check."""
    if len(words) < SHINGLE_WORDS:
        grams = [" ".join(words).encode()] if words else []
    else:
        grams = [" ".join(words[i:i + SHINGLE_WORDS]).encode()
                 for i in range(len(words) - SHINGLE_WORDS + 1)]
    return {low | high << 32 for low, high in zip(map(zlib.crc32, grams),
                                                  map(zlib.adler32, grams), strict=True)}


def packed(keys: set[int]) -> array[int]:
    """Shingle keys as an array: 8 bytes each, against some 70 for a key in a set."""
    return array("Q", keys)


def _crc32_half(key: int) -> int:
    """The CRC-32 half of a shingle key: what the signature hashes, as before keys."""
    return key & 0xFFFFFFFF


def _scipy_quad(*args: Any, **kwargs: Any) -> Any:
    from scipy.integrate import quad

    return quad(*args, **kwargs)


@cache
def _minhash_class() -> Any:
    """datasketch's MinHash, imported without scipy.

    datasketch's package imports every index it has, and its LSH classes import
    `scipy.integrate` for one function, `quad`, which they call only to tune their
    bands: 445 modules and 44 MB more in the extraction workers' forkserver (0.55 s of
    CPU to import), for an index veille does not use (its bands are in SQLite). While
    datasketch is imported, `scipy.integrate` is a module whose `quad` imports the real
    one when called, so that every datasketch class still works.
    """
    if "datasketch" not in sys.modules and "scipy.integrate" not in sys.modules:
        deferred = types.ModuleType("scipy.integrate")
        deferred.quad = _scipy_quad  # type: ignore[attr-defined]
        sys.modules["scipy.integrate"] = deferred
        try:
            import datasketch  # noqa: F401
        finally:
            del sys.modules["scipy.integrate"]
    from datasketch import MinHash

    return MinHash


@cache
def _permutations() -> Any:
    """The permutations of SEED, drawn once (drawing them costs as much as hashing)."""
    MinHash = _minhash_class()  # noqa: N806

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32",
                   hashfunc=zlib.crc32).permutations


def _band_key(index: int, values: np.ndarray) -> int:
    digest = hashlib.blake2b(bytes([index]) + values.tobytes(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def fingerprint(text: str) -> Fingerprint | None:
    """The text's signature and band keys; None for a text too short to be a copy."""
    words = folded_words(text)
    return sketch(word_shingles(words), len(words))


def sketch(found: set[int], words: int) -> Fingerprint | None:
    """The signature and band keys of a text's shingle keys (`words`: its length in
    words); the same signature as the shingles' CRC-32 gave when they were bytes."""
    if words < MIN_WORDS or not found:
        return None
    MinHash = _minhash_class()  # noqa: N806  # numpy loads only when a text is sketched
    minhash = MinHash(num_perm=NUM_PERM, scheme="affine32", hashfunc=_crc32_half,
                      permutations=_permutations())
    minhash.update_batch(list(found))
    values = minhash.hashvalues
    bands = tuple(_band_key(b, values[b * ROWS:(b + 1) * ROWS]) for b in range(BANDS))
    return Fingerprint(values.tobytes(), len(found), bands)


def estimate(a: bytes, b: bytes) -> float:
    """The share of equal MinHash values (4 bytes each): an estimate of the two texts'
    Jaccard. Plain arrays, so that the storing process never loads numpy."""
    values = len(a) // 4
    if len(a) != len(b) or not values:
        return 0.0
    mine, theirs = array("I", a[:4 * values]), array("I", b[:4 * values])
    return sum(map(operator.eq, mine, theirs)) / values


def likely_containment(jaccard: float, size: int, other: int) -> float:
    """The containment two texts of `size` and `other` shingles have, from their Jaccard."""
    shared = jaccard / (1 + jaccard) * (size + other)
    return shared / max(1, min(size, other))


def compare(new: set[int], old: Collection[int]) -> tuple[float, float, int]:
    """(containment of the smaller in the other, Jaccard, shared shingles) of two texts'
    distinct shingle keys."""
    shared = len(new.intersection(old))
    smaller = min(len(new), len(old)) or 1
    union = len(new) + len(old) - shared or 1
    return shared / smaller, shared / union, shared


def is_copy(containment: float, shared: int) -> bool:
    return containment >= MIN_CONTAINMENT and shared >= MIN_SHARED
