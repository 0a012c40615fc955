"""Loaded once by the forkserver that forks extraction workers, before it forks them.

Importing trafilatura and loading the language profiles and the jusText stop
words here means each worker starts in milliseconds and shares these read-mostly
pages with its siblings instead of holding a private copy. What the analysis
passed in by the scheduler loads is preloaded by its own module, listed after
this one.
"""

from __future__ import annotations

import gc

from crawler import allocator

allocator.tune()  # inherited by every worker forked from here

from crawler.extract import warm_up as _warm_extraction  # noqa: E402
from crawler.language import detect_language  # noqa: E402

_warm_extraction()
detect_language("Le Kremlin a annoncé des pourparlers avec l'Ukraine.")
# Objects created so far are never collected: keep the collector from touching
# (and so copying) their pages in every forked worker.
gc.freeze()
