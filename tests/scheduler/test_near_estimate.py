"""The MinHash estimate read from stored signatures, without numpy."""

import numpy as np

from scheduler.dedup import near


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
