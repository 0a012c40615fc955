"""The MinHash estimate read from stored signatures, without numpy."""

import zlib

import numpy as np

from scheduler.dedup import near
from tests.storyset import labelled
from veille.text import folded_words


def test_estimate_is_the_share_of_equal_values():
    rng = np.random.default_rng(3)
    a = rng.integers(0, 2**32, size=128, dtype=np.uint32)
    b = a.copy()
    b[:32] += 1
    assert near.estimate(a.tobytes(), b.tobytes()) == 0.75
    assert near.estimate(a.tobytes(), a.tobytes()) == 1.0
    assert near.estimate(a.tobytes(), b.tobytes()) == float(np.mean(a == b))
    assert near.estimate(a.tobytes(), a[:64].tobytes()) == 0.0  # other scheme's length
    assert near.estimate(b"", b"") == 0.0


def test_fingerprints_load_datasketch_without_scipy_and_every_class_still_works():
    """datasketch's package imports scipy.integrate (445 modules, 44 MB) for its LSH
    indexes, which veille does not use; fingerprints import it without, and an LSH
    index built afterwards in the same process still tunes its bands with scipy."""
    import subprocess
    import sys

    code = ("import sys; from scheduler.dedup import near; "
            "f = near.fingerprint(' '.join(f'mot{i}' for i in range(60))); "
            "assert f is not None and len(f.bands) == near.BANDS; "
            "assert 'scipy.integrate' not in sys.modules, 'scipy.integrate loaded'; "
            "from datasketch import MinHashLSH; lsh = MinHashLSH(threshold=0.7, num_perm=128); "
            "assert 'scipy.integrate' in sys.modules; print(lsh.b, lsh.r)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    bands, rows = map(int, done.stdout.split())
    assert bands * rows <= 128 and bands > 1


def test_compare_gives_containment_and_jaccard_of_the_shingle_sets():
    rng = np.random.default_rng(5)
    for _ in range(200):
        pool = [int(k) for k in rng.integers(0, 400, size=rng.integers(0, 300))]
        new, old = set(pool[::2]), set(pool[1::3])
        shared = len(new & old)
        assert near.compare(new, near.packed(old)) == (
            shared / (min(len(new), len(old)) or 1), shared / (len(new | old) or 1), shared)


def _byte_shingles(text: str) -> set[bytes]:
    """Shingles as they were stored before keys: the folded words joined, as bytes."""
    words = folded_words(text)
    return {" ".join(words[i:i + near.SHINGLE_WORDS]).encode()
            for i in range(len(words) - near.SHINGLE_WORDS + 1)}


def test_shingle_keys_give_the_signatures_stored_from_shingle_bytes():
    """Fingerprints stored before shingle keys hashed each shingle's bytes with CRC-32:
    the keys give the same signatures and bands, so that old and new ones still match."""
    from datasketch import MinHash

    texts = ["\n".join(item["paragraphs"]) for item in labelled().values()]
    for text in texts[:40]:
        fingerprint = near.fingerprint(text)
        if fingerprint is None:
            continue
        before = MinHash(num_perm=near.NUM_PERM, scheme="affine32", hashfunc=zlib.crc32,
                         permutations=near._permutations())
        before.update_batch(list(_byte_shingles(text)))
        assert fingerprint.signature == before.hashvalues.tobytes()
        assert fingerprint.shingles == len(_byte_shingles(text))


def test_shingle_keys_compare_as_the_shingles_themselves():
    texts = ["\n".join(item["paragraphs"]) for item in labelled().values()][:30]
    for a, b in zip(texts, texts[1:] + texts[:1], strict=True):
        keys, theirs = near.shingles(a), near.packed(near.shingles(b))
        old, other = _byte_shingles(a), _byte_shingles(b)
        shared = len(old & other)
        assert near.compare(keys, theirs) == (shared / (min(len(old), len(other)) or 1),
                                              shared / (len(old | other) or 1), shared)
