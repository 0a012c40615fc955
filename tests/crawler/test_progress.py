"""The progress line of a crawl: on a terminal only, done of wanted, time left."""

from __future__ import annotations

import dataclasses
import io
import os
import pty
import subprocess
import sys

from crawler.progress import Progress, progress_line
from crawler.runstats import RunStats
from tests.helpers import ROOT, distinct, publish, write_sources
from veille.demo import content
from veille.demo.site import NewsSite


def test_the_line_counts_pages_done_of_those_to_download_and_the_time_left():
    stats = RunStats(["a", "b"])
    assert progress_line(stats, 0.0) == "pages 0/0 · listings 0/2"
    stats.feed_ok("a")
    stats.count("a", "links", 12)
    stats.count("a", "known", 2)
    for reason, n in (("new", 3), ("duplicate", 1), ("errors", 1)):
        stats.count("a", reason, n)
    assert progress_line(stats, 10.0) == "pages 5/10 · listings 1/2 · about 10 s left"
    assert progress_line(stats, 600.0).endswith("about 10 min left")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_written_in_place_and_cleared_on_a_terminal_only():
    assert not Progress.wanted(io.StringIO())
    terminal = Terminal()
    assert Progress.wanted(terminal)
    progress = Progress(RunStats(["a"]), terminal)
    progress.tick()
    progress.tick()
    progress.clear()
    assert terminal.getvalue().count("\r") == 4 and "\n" not in terminal.getvalue()


def test_a_crawl_on_a_terminal_shows_it(tmp_path):
    with NewsSite() as site:
        publish(site, [distinct(content.KHARKIV, n) for n in range(8)])
        for path, route in list(site.routes.items()):  # slow pages: the crawl takes seconds
            if "/article/" in path:
                site.routes[path] = dataclasses.replace(route, delay=0.6)
        sources = write_sources(tmp_path / "s.toml", {"local": site.url("/rss.xml")})
        primary, secondary = pty.openpty()
        try:
            process = subprocess.run(
                [sys.executable, "-m", "veille", "--db", str(tmp_path / "v.db"), "--sources",
                 str(sources), "crawl"], stdout=subprocess.PIPE, stderr=secondary,
                cwd=ROOT, timeout=120, check=False)
            os.close(secondary)
            seen = b""
            while True:
                try:
                    chunk = os.read(primary, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
        finally:
            os.close(primary)
    assert process.returncode == 0
    assert b"\rpages " in seen and b"/8 " in seen
    assert b"pages " not in process.stdout  # the summary on stdout is untouched
