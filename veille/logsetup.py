"""Logging for the command line: readable lines or JSON lines on stderr, secrets masked,
library chatter kept down."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from veille.redact import redact

HUMAN_FORMAT = "%(asctime)s %(levelname)-7s %(message)s"
# Libraries that log per request or per page; their warnings are enough.
NOISY = ("scrapy", "twisted", "trafilatura", "htmldate", "charset_normalizer", "asyncio",
         "py.warnings", "pebble", "filelock", "courlan", "readability", "justext", "apscheduler")
# Said again, more briefly, by veille's own log lines and run summary.
REPEATED = ("scrapy.downloadermiddlewares.retry", "scrapy.core.scraper")
# Fields a log call may pass with extra={...} that the JSON format keeps.
STRUCTURED = ("run_id", "source", "status", "counts", "trigger", "duration_s", "pid", "event")


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


class HumanFormatter(logging.Formatter):
    # On a terminal, a line first erases what the crawl's progress line left on it.
    def __init__(self, *args: Any, terminal: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prefix = "\r\x1b[K" if terminal else ""

    def format(self, record: logging.LogRecord) -> str:
        return self.prefix + redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for journald and log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        for name in STRUCTURED:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def setup_logging(verbosity: int = 0, fmt: str = "human") -> None:
    """verbosity: -1 quiet (warnings), 0 progress (info), 1 debug, 2 debug with libraries."""
    level = logging.WARNING if verbosity < 0 else logging.INFO if verbosity == 0 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(HumanFormatter(HUMAN_FORMAT, datefmt="%H:%M:%S",
                                            terminal=sys.stderr.isatty()))
    # trafilatura warns about every page without a date or text: the summary counts those
    handler.addFilter(LibraryFilter(logging.DEBUG if verbosity >= 2 else logging.ERROR))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
