"""Loaded once by the forkserver that forks extraction workers, before it forks them.

Importing trafilatura and loading the language profiles, the French lemma
dictionary and the jusText stop words here means each worker starts in
milliseconds and shares these read-mostly pages with its siblings instead of
holding a private copy.
"""

from __future__ import annotations

import gc

from crawler.extract import warm_up as _warm_extraction
from crawler.language import detect_language
from scheduler.tagging import Analyzer  # loads simplemma's French dictionary below

_warm_extraction()
detect_language("Le Kremlin a annoncé des pourparlers avec l'Ukraine.")
Analyzer().words("Les Ukrainiennes et les Russes")
# Objects created so far are never collected: keep the collector from touching
# (and so copying) their pages in every forked worker.
gc.freeze()
