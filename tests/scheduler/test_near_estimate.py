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
