"""glibc's allocator set for a crawl's processes: page-sized buffers go back to the system.

A crawl allocates and frees one large buffer after another: response bodies (about
160 KB on the corpus's pages), their decoded texts, lxml's buffers, the pickled tasks
and results between the storing process and the workers. glibc serves a request above
its mmap threshold (128 KiB) with its own mapping, returned when freed, but each such
free *raises* the threshold to the size freed: after the first body, the next ones come
from the heap, whose freed holes stay resident between smaller live objects. A fixed
threshold keeps every large buffer in a mapping of its own, and a fixed trim threshold
gives the top of the heap back sooner.

Measured with `bench/peers_bench.py` (1,000 articles on 10 outlets): the process tree's
peak PSS 334 -> 313 MB with glibc's MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ set in
the environment, which `tune()` sets from inside each process instead (the same
`mallopt` calls); no measurable change of CPU.
"""

from __future__ import annotations

import ctypes
import logging
import sys

logger = logging.getLogger(__name__)

# mallopt's parameter numbers (glibc's malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 64 * 1024
TRIM_THRESHOLD = 128 * 1024

_tuned = False


def tune() -> bool:
    """Set the thresholds in this process (glibc only; elsewhere nothing changes). Whether
    they are set."""
    global _tuned
    if _tuned:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # glibc's; musl has none
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    _tuned = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                  and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    if not _tuned:
        logger.debug("mallopt refused the thresholds; glibc's defaults stay")
    return _tuned
