"""A progress line on a terminal while a crawl runs: pages done of those to download, the
listings read, and an estimate of the time left. Not a log line: it is rewritten in
place every second, on stderr, and only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from crawler.runstats import PENDING, RunStats

OUTCOMES = ("new", "updated", "duplicate", "not_french", "offtopic", "no_text", "errors")


def progress_line(stats: RunStats, elapsed: float) -> str:
    """'pages 45/120 · listings 3/4 · about 12 s left' from the counters so far."""
    totals = stats.totals()
    wanted = max(0, totals.get("links", 0) - totals.get("known", 0))
    done = min(wanted, sum(totals.get(k, 0) for k in OUTCOMES))
    listings = sum(1 for s in stats.sources.values() if s.feed != PENDING)
    line = f"pages {done}/{wanted} · listings {listings}/{len(stats.sources)}"
    if done and wanted > done and elapsed > 0:
        left = (wanted - done) * elapsed / done
        line += f" · about {left:.0f} s left" if left < 120 else \
            f" · about {left / 60:.0f} min left"
    return line


class Progress:
    """Writes progress_line() in place; `tick` is called by the crawl's reactor."""

    def __init__(self, stats: RunStats, stream: TextIO | None = None) -> None:
        self.stats = stats
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.width = 0
        self.loop: Any = None

    @staticmethod
    def wanted(stream: TextIO | None = None) -> bool:
        stream = stream or sys.stderr
        return hasattr(stream, "isatty") and stream.isatty()

    def tick(self) -> None:
        line = progress_line(self.stats, time.monotonic() - self.started)[:99]
        self.stream.write("\r" + line.ljust(self.width))
        self.stream.flush()
        self.width = len(line)

    def start(self) -> None:
        """Tick every second on the crawl's reactor, from now on."""
        from twisted.internet import task

        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(1.0, now=False)

    def clear(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0
