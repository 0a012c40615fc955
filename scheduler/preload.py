"""Loaded by the extraction workers' forkserver after `crawler.preload`: what the analysis
of every page needs (simplemma's French dictionary, the tagger of the shipped rules,
datasketch and the wire rules), built once and shared by the workers it forks."""

from __future__ import annotations

import gc

from scheduler.analysis import PageAnalysisFactory
from scheduler.tagging.rules import load_rules
from veille.model import Extracted

PageAnalysisFactory(load_rules())()(
    Extracted("Les Russes", "Les Ukrainiennes à Kyiv, selon l'AFP. " * 10, None, None, None,
              None, None, "utf-8"))
gc.freeze()
