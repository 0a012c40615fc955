"""Loaded by the extraction workers' forkserver after `crawler.preload`: simplemma's French
dictionary, which every worker's tagger reads, is then shared between the workers."""

from __future__ import annotations

import gc

from scheduler.tagging.tagger import Analyzer

Analyzer().words("Les Ukrainiennes et les Russes")
gc.freeze()
