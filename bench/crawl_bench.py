"""Crawl throughput and memory against a local site built from a corpus of real pages.

    python bench/crawl_bench.py ../shared/corpus [--pages 300] [--workers N]

Serves at least --pages article pages (the corpus pages, repeated under distinct
URLs) behind RSS feeds on 127.0.0.1, crawls them with `veille crawl` in a
subprocess, and prints pages per second and the peak memory of the whole process
tree, next to the per-core reference measured in the same run:
trafilatura.extract plus langdetect on the same page bytes, in one process.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

from veille.demo.pages import FeedItem, rss_feed
from veille.demo.site import NewsSite, Route

FEED_SIZE = 50


def corpus_pages(corpus: Path) -> list[bytes]:
    pages = sorted(p for p in corpus.glob("*.html") if ".expected" not in p.name)
    if not pages:
        sys.exit(f"no .html pages in {corpus}")
    return [p.read_bytes() for p in pages]


def reference_rate(bodies: list[bytes]) -> float:
    """Pages per second of extraction + language detection in this one process."""
    import trafilatura
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    detect_langs("warm up the language profiles")
    start = time.perf_counter()
    for body in bodies:
        text = trafilatura.extract(body, favor_precision=True, include_comments=False,
                                   with_metadata=True)
        if text:
            with contextlib.suppress(LangDetectException):
                detect_langs(text)
    return len(bodies) / (time.perf_counter() - start)


def own_rate(bodies: list[bytes]) -> float:
    """Pages per second of veille's worker function, run in this one process."""
    from crawler.workers import analyse_page
    from scheduler.analysis import PageAnalysisFactory
    from scheduler.tagging.rules import load_rules

    analyser = PageAnalysisFactory(load_rules())()
    analyse_page(bodies[0], "https://example.org/warm-up", None, analyser)
    start = time.perf_counter()
    for i, body in enumerate(bodies):
        analyse_page(body, f"https://example.org/{i}", None, analyser)
    return len(bodies) / (time.perf_counter() - start)


def _field(pid: int, name: str, path: str = "status") -> int:
    """A 'Name: value kB' field of /proc/PID/status or smaps_rollup, in bytes."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _cpu_seconds(pid: int) -> float:
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def _descendants(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        p = stack.pop()
        found.append(p)
        with contextlib.suppress(OSError):  # a process that ended meanwhile has none
            for task in list(Path(f"/proc/{p}/task").iterdir()):
                with contextlib.suppress(OSError):
                    stack += [int(c) for c in (task / "children").read_text().split()]
    return found


class TreeSampler:
    """Peak memory (RSS and PSS) and CPU time of a process and its descendants."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_main_rss = self.peak_tree_rss = self.peak_tree_pss = 0
        self.peak_breakdown: list[int] = []
        self.cpu: dict[int, float] = {}

    def sample(self) -> None:
        pids = _descendants(self.pid)
        self.peak_main_rss = max(self.peak_main_rss, _field(self.pid, "VmRSS"))
        self.peak_tree_rss = max(self.peak_tree_rss, sum(_field(p, "VmRSS") for p in pids))
        pss = {p: _field(p, "Pss", "smaps_rollup") for p in pids}
        if sum(pss.values()) > self.peak_tree_pss:
            self.peak_tree_pss = sum(pss.values())
            self.peak_breakdown = sorted(round(v / 1e6) for v in pss.values())
        for p in pids:
            self.cpu[p] = max(self.cpu.get(p, 0.0), _cpu_seconds(p))


def build_site(bodies: list[bytes], count: int) -> tuple[NewsSite, list[str]]:
    site = NewsSite()
    site.add("/robots.txt", Route(b"User-agent: *\nAllow: /\n", content_type="text/plain"))
    paths = [f"/article/{i:05d}.html" for i in range(count)]
    for i, path in enumerate(paths):
        site.add(path, Route(bodies[i % len(bodies)]))
    feeds = []
    now = datetime.now(UTC)
    for start in range(0, count, FEED_SIZE):
        feed_path = f"/feeds/{start // FEED_SIZE}.xml"
        items = [FeedItem(site.url(p), f"Article {p}", now) for p in paths[start:start + FEED_SIZE]]
        site.add(feed_path, Route(rss_feed("bench", site.base_url, items).encode(),
                                  content_type="application/rss+xml"))
        feeds.append(feed_path)
    return site, feeds


def run_crawl(site: NewsSite, feeds: list[str], workdir: Path,
              workers: int | None) -> tuple[float, TreeSampler, str]:
    sources = workdir / "sources.toml"
    sources.write_text("".join(
        f'[[source]]\nname = "bench{i}"\nurl = "{site.url(path)}"\nallow_private = true\n\n'
        for i, path in enumerate(feeds)), encoding="utf-8")
    command = [sys.executable, "-m", "veille", "-q", "--db", str(workdir / "bench.db"),
               "--sources", str(sources), "crawl", "--keep-offtopic"]
    if workers:
        command += ["--workers", str(workers)]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = TreeSampler(proc.pid)
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.append(proc.stdout.read()), daemon=True)
    reader.start()
    while proc.poll() is None:
        sampler.sample()
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    reader.join()
    if proc.returncode != 0:
        sys.exit(f"veille crawl failed ({proc.returncode}):\n{''.join(output)}")
    return elapsed, sampler, "".join(output)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    bodies = corpus_pages(args.corpus)
    served = [bodies[i % len(bodies)] for i in range(args.pages)]
    print(f"corpus: {len(bodies)} pages; serving {args.pages} article pages "
          f"({sum(map(len, served)) / 1e6:.1f} MB) behind "
          f"{(args.pages + FEED_SIZE - 1) // FEED_SIZE} feeds; {os.cpu_count()} CPUs")
    reference = reference_rate(served)
    print(f"reference (one process, trafilatura.extract + langdetect): {reference:.1f} pages/s")
    own = own_rate(served)
    print(f"veille's own page analysis (extract, language, topics, story features) in one "
          "process: "
          f"{own:.1f} pages/s")
    site, feeds = build_site(bodies, args.pages)
    with site, tempfile.TemporaryDirectory() as tmp:
        elapsed, sampler, output = run_crawl(site, feeds, Path(tmp), args.workers)
        fetched = sum(site.hits(p) for p in site.routes if p.startswith("/article/"))
        times = [t for t in site.request_times if t is not None]
    rate = fetched / elapsed
    window = (max(times) - min(times)) if times else 0.0
    main_cpu = sampler.cpu.get(sampler.pid, 0.0)
    worker_cpu = sum(sampler.cpu.values()) - main_cpu
    print(output.strip().splitlines()[-1])
    print(f"veille crawl: {fetched} article pages in {elapsed:.1f} s wall, process start to exit: "
          f"{rate:.1f} pages/s")
    print(f"  first to last request: {window:.1f} s; CPU: main process {main_cpu:.1f} s, "
          f"extraction workers {worker_cpu:.1f} s")
    print(f"  peak memory: whole process tree PSS {sampler.peak_tree_pss / 1e6:.0f} MB "
          f"(per process: {sampler.peak_breakdown}); RSS sum {sampler.peak_tree_rss / 1e6:.0f} MB; "
          f"main process RSS {sampler.peak_main_rss / 1e6:.0f} MB")
    print(f"ratio end-to-end / per-core reference: {rate / reference:.2f} (target >= 1.5)")
    print(f"ratio end-to-end / veille's own analysis on one core: {rate / own:.2f}")
    verdict = "met" if sampler.peak_tree_pss / 1e6 < 300 else "NOT met"
    print(f"peak memory of the process tree (PSS) < 300 MB: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
