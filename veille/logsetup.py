"""Logging for the command line: readable lines on stderr; library chatter kept down."""

from __future__ import annotations

import logging
import sys

HUMAN_FORMAT = "%(asctime)s %(levelname)-7s %(message)s"
# Libraries that log per request or per page; their warnings are enough.
NOISY = ("scrapy", "twisted", "trafilatura", "htmldate", "charset_normalizer", "asyncio",
         "py.warnings", "pebble", "filelock", "courlan", "readability", "justext")

# Said again, more briefly, by veille's own log lines and run summary.
REPEATED = ("scrapy.downloadermiddlewares.retry", "scrapy.core.scraper")


class LibraryFilter(logging.Filter):
    """Drop library records below `level`; Scrapy resets its loggers' levels at start."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name in REPEATED and self.level > logging.DEBUG:
            return False
        if record.levelno >= self.level:
            return True
        return not record.name.startswith(NOISY)


def setup_logging(verbosity: int = 0) -> None:
    """verbosity: -1 quiet (warnings), 0 progress (info), 1 debug, 2 debug with libraries."""
    level = logging.WARNING if verbosity < 0 else logging.INFO if verbosity == 0 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(HUMAN_FORMAT, datefmt="%H:%M:%S"))
    # trafilatura warns about every page without a date or text: the summary counts those
    handler.addFilter(LibraryFilter(logging.DEBUG if verbosity >= 2 else logging.ERROR))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
