"""veille against simple crawlers, side by side, on many outlets at once.

    python bench/peers_bench.py ../shared/corpus [--articles 1000] [--outlets 10]
        [--latency 0.05] [--rounds 3] [--only veille,pooled] [--one-host]

Builds a local site of --articles article pages (the corpus pages, repeated under
distinct URLs) spread over --outlets outlets, each on its own loopback address
(127.0.0.2, 127.0.0.3 ...: a separate host for politeness), behind RSS feeds of 50
items, every response delayed by --latency seconds. Then, in interleaved rounds,
crawls it with:

- veille: `veille crawl` on one source per outlet (fresh database each round);
- sequential: a urllib loop over the URL list with `trafilatura.extract`;
- pooled: a thread pool of downloads (16 threads) feeding a process pool of
  extraction (one per core, `trafilatura.extract`, no metadata): the best simple design;
- trafilatura-cli: `trafilatura -i urls.txt --parallel 16` (config: no sleep between
  requests to one host);
- scrapy (only when --only names it): a bare Scrapy spider with veille's settings that
  downloads the same pages and does nothing with them, the floor of veille's downloading
  process;
- pooled-veille and its variants (only when --only names them): the pooled design with
  veille's own work on each page in its processes instead of `trafilatura.extract`
  (veille's extraction with its metadata, language, tags, story features and search
  words), nothing stored: the speed veille's per-page work allows without Scrapy and
  without the storing process. Variants: `-extract` (extraction and language only),
  `-nofallback`, `-nometadata`, `-fast` (neither): each extraction option's speed, in
  the same run as the pooled design, beside its extraction score on the corpus
  (bench/eval_extraction.py);

and measures, for each: articles per second (process start to exit), CPU seconds of
the whole process tree (sampled from /proc every 20 ms: the forkserver's workers are
not children that wait4 accounts for) and peak PSS of the tree. The per-core reference
(trafilatura.extract + langdetect on the same bytes from memory, one process) is
measured in the same run; ratios are to it. Medians over the rounds.

With --one-host every outlet is on 127.0.0.2 too: politeness (2 requests per host)
then bounds veille, which is right for a news site.

--profile FILE records py-spy's raw stacks of veille's whole process tree; with
VEILLE_PROFILE_GIL=1 in the environment, only the threads holding the GIL (the Python
CPU of the storing process, without its threads that wait).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.crawl_bench import _cpu_seconds, _descendants, _field, corpus_pages
from veille.demo.pages import FeedItem, rss_feed
from veille.demo.site import NewsSite, Route

FEED_SIZE = 50
DOWNLOAD_THREADS = 16
CRAWLERS = ("veille", "pooled", "sequential", "trafilatura-cli")
# veille's work on a page in the pooled design, per extraction option: (the options as
# keywords of crawler.extract.ExtractionOptions, whether tags, story features and search
# words are computed too)
ANALYSED: dict[str, tuple[dict[str, bool], bool]] = {
    "pooled-veille": ({}, True),
    "pooled-veille-extract": ({}, False),
    "pooled-veille-nofallback": ({"fallback": False}, True),
    "pooled-veille-nometadata": ({"metadata": False}, True),
    "pooled-veille-fast": ({"fallback": False, "metadata": False}, True),
}
# not run unless named in --only: the floor of veille's fetching framework, and the above
EXTRA = ("scrapy", *ANALYSED)


# -- the sites -----------------------------------------------------------------------

LONG_PARAGRAPH = re.compile(rb"<p[ >][^<]{80,}")


def unique(body: bytes, n: int) -> bytes:
    """The page with a sentence of its own in its longest paragraph, so that the copies
    of one corpus page are distinct articles (near-copies, not the same text)."""
    found = max(LONG_PARAGRAPH.finditer(body), key=lambda m: len(m.group()), default=None)
    if found is None:
        return body
    return body[:found.end()] + f" Dépêche {n} du réseau.".encode() + body[found.end():]

def build_outlets(bodies: list[bytes], articles: int, outlets: int, latency: float,
                  one_host: bool) -> tuple[list[NewsSite], list[str], list[str]]:
    """Sites (one per outlet), their feed URLs, and every article URL."""
    sites, feeds, urls = [], [], []
    now = datetime.now(UTC)
    per_outlet = [articles // outlets + (i < articles % outlets) for i in range(outlets)]
    n = 0
    for k, count in enumerate(per_outlet):
        host = "127.0.0.2" if one_host else f"127.0.0.{k + 2}"
        site = NewsSite(host=host)
        site.add("/robots.txt", Route(b"User-agent: *\nAllow: /\n", content_type="text/plain",
                                      delay=latency))
        paths = []
        for _ in range(count):
            path = f"/o{k}/article/{n:06d}.html"
            site.add(path, Route(unique(bodies[n % len(bodies)], n), delay=latency))
            paths.append(path)
            n += 1
        for start in range(0, count, FEED_SIZE):
            feed_path = f"/o{k}/feed{start // FEED_SIZE}.xml"
            items = [FeedItem(site.url(p), f"Article {p}", now)
                     for p in paths[start:start + FEED_SIZE]]
            site.add(feed_path, Route(rss_feed(f"outlet {k}", site.base_url, items).encode(),
                                      content_type="application/rss+xml", delay=latency))
            feeds.append(site.url(feed_path))
        urls += [site.url(p) for p in paths]
        sites.append(site)
    return sites, feeds, urls


# -- measuring a process tree ---------------------------------------------------------

@dataclass
class Measure:
    name: str
    seconds: float = 0.0
    articles: int = 0
    cpu: float = 0.0
    peak_pss: int = 0
    peak_parts: list[int] = field(default_factory=list)  # MB per process at the peak
    per_pid: dict[int, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


def measure(name: str, command: list[str], cwd: Path) -> tuple[Measure, str]:
    """Run `command`, sampling CPU (every 20 ms) and PSS (every 100 ms) of its tree."""
    result = Measure(name)
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.append(proc.stdout.read()), daemon=True)
    reader.start()
    tick = 0
    while proc.poll() is None:
        pids = _descendants(proc.pid)
        for pid in pids:
            result.per_pid[pid] = max(result.per_pid.get(pid, 0.0), _cpu_seconds(pid))
        if tick % 5 == 0:
            pss = [_field(p, "Pss", "smaps_rollup") for p in pids]
            if sum(pss) > result.peak_pss:
                result.peak_pss = sum(pss)
                result.peak_parts = sorted((round(v / 1e6) for v in pss), reverse=True)
        tick += 1
        time.sleep(0.02)
    result.seconds = time.perf_counter() - start
    reader.join()
    result.cpu = sum(result.per_pid.values())
    if proc.returncode != 0:
        sys.exit(f"{name} failed ({proc.returncode}):\n{''.join(output)[-3000:]}")
    return result, "".join(output)


# -- the crawlers ---------------------------------------------------------------------

def run_veille(feeds: list[str], workdir: Path, articles: int,
               profile: Path | None = None) -> Measure:
    """`articles`: the article URLs served (veille's decided URLs also count its feeds);
    `profile`: a file for py-spy's raw stacks of the run."""
    sources = workdir / "sources.toml"
    sources.write_text("".join(
        f'[[source]]\nname = "outlet{i}"\nurl = "{url}"\nallow_private = true\n\n'
        for i, url in enumerate(feeds)), encoding="utf-8")
    db = workdir / "veille.db"
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{db}{suffix}").unlink()
    command = [sys.executable, "-m", "veille", "-q", "--db", str(db), "--sources",
               str(sources), "crawl", "--keep-offtopic"]
    if profile:
        # py-spy over the whole tree (main process, forkserver, workers): raw stacks
        command = [str(Path(sys.executable).parent / "py-spy"), "record", "--subprocesses",
                   *(["--gil"] if os.environ.get("VEILLE_PROFILE_GIL") else []),
                   "--format", "raw", "--rate", "200", "-o", str(profile), "--", *command]
    result, _ = measure("veille", command, workdir)
    result.articles = min(stored_articles(db), articles)
    return result


def stored_articles(db: Path) -> int:
    """Article pages veille decided (stored, copies, duplicates, off-topic, no text): the
    pages it processed, as the baselines count the pages they extracted."""
    from storage.db import open_db
    from storage.queries import stats

    return int(stats(open_db(db, migrate=False))["urls_decided"])


def run_baseline(name: str, urls_file: Path, workdir: Path) -> Measure:
    if name == "trafilatura-cli":
        config = workdir / "trafilatura.cfg"
        config.write_text("[DEFAULT]\nDOWNLOAD_TIMEOUT = 30\nMAX_FILE_SIZE = 20000000\n"
                          "MIN_FILE_SIZE = 10\nSLEEP_TIME = 0\nUSER_AGENTS =\nCOOKIE =\n"
                          "MAX_REDIRECTS = 2\nMIN_EXTRACTED_SIZE = 250\n"
                          "MIN_EXTRACTED_COMM_SIZE = 1\nMIN_OUTPUT_SIZE = 1\n"
                          "MIN_OUTPUT_COMM_SIZE = 1\nEXTRACTION_TIMEOUT = 0\n"
                          "MIN_DUPLCHECK_SIZE = 100\nMAX_REPETITIONS = 2\n"
                          "EXTENSIVE_DATE_SEARCH = on\nEXTERNAL_URLS = off\n"
                          "MAX_SITEMAPS_SEEN = 10000\n"
                          # the outlets are on loopback addresses, which it refuses
                          "SSRF_PROTECTION = off\n", encoding="utf-8")
        out = workdir / "cli-out"
        command = [str(Path(sys.executable).parent / "trafilatura"), "-v", "-i", str(urls_file),
                   "--parallel", str(DOWNLOAD_THREADS), "-o", str(out),
                   "--config-file", str(config)]
        result, output = measure(name, command, workdir)
        # its output files are named by content hash: count the URLs it did not report
        result.articles = len(urls_file.read_text().split()) - output.count("No result for URL")
        return result
    command = [sys.executable, __file__, "--baseline", name, "--urls", str(urls_file)]
    result, output = measure(name, command, workdir)
    result.articles = int(output.strip().splitlines()[-1])
    return result


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def _extract(body: bytes) -> bool:
    import trafilatura

    return bool(trafilatura.extract(body))


def baseline_sequential(urls: list[str]) -> int:
    return sum(_extract(_download(url)) for url in urls)


def baseline_scrapy(urls: list[str]) -> int:
    """Scrapy alone, with veille's settings (politeness included), the pages unread; of
    veille's own middlewares, those that need no crawl context (not robots.txt, which
    its site allows, nor the private-address guard, which its loopback hosts fail)."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from crawler.settings import scrapy_settings

    class Bare(scrapy.Spider):
        name = "bare"
        fetched = 0

        async def start(self):  # type: ignore[override]
            for url in urls:
                yield scrapy.Request(url, dont_filter=True)

        def parse(self, response):  # type: ignore[override]
            Bare.fetched += 1

    settings = scrapy_settings(ROBOTSTXT_OBEY=False, ITEM_PIPELINES={})
    settings["DOWNLOADER_MIDDLEWARES"] = {
        name: order for name, order in settings["DOWNLOADER_MIDDLEWARES"].items()
        if name.rsplit(".", 1)[1] in ("HeadMetaRefreshMiddleware", "RetryAfterMiddleware")}
    process = CrawlerProcess(settings)
    process.crawl(Bare)
    process.start()
    return Bare.fetched


def baseline_pooled(urls: list[str]) -> int:
    done = 0
    with concurrent.futures.ProcessPoolExecutor(os.cpu_count() or 2) as extractors, \
            concurrent.futures.ThreadPoolExecutor(DOWNLOAD_THREADS) as downloads:
        pending = [extractors.submit(_extract, body) for body in downloads.map(_download, urls)]
        done = sum(f.result() for f in pending)
    return done


_analyse: Any = None  # in each process of baseline_analysed's pool


def _start_analysing(options: dict[str, bool], analysis: bool) -> None:
    """Everything a page's analysis loads, loaded once before the pool forks (as veille's
    forkserver preloads it)."""
    global _analyse
    from crawler.extract import ExtractionOptions, extract, warm_up
    from crawler.language import detect_language
    from scheduler.analysis import PageAnalysisFactory
    from scheduler.tagging.rules import load_rules

    chosen = ExtractionOptions(**options)
    analyser = PageAnalysisFactory(load_rules())() if analysis else None
    warm_up()
    detect_language("Le Kremlin a annoncé des pourparlers avec l'Ukraine.")

    def analyse(body: bytes, url: str) -> bool:
        extracted = extract(body, url, "text/html", chosen)
        if extracted is None:
            return False
        detect_language(extracted.text)
        if analyser is not None:
            analyser(extracted)
        return True

    _analyse = analyse


def _analysed(body: bytes, url: str) -> bool:
    return bool(_analyse(body, url))


def baseline_analysed(name: str, urls: list[str]) -> int:
    """The pooled design, each page analysed as veille's workers do (ANALYSED[name])."""
    _start_analysing(*ANALYSED[name])
    with concurrent.futures.ProcessPoolExecutor(os.cpu_count() or 2) as analysers, \
            concurrent.futures.ThreadPoolExecutor(DOWNLOAD_THREADS) as downloads:
        pending = [analysers.submit(_analysed, body, url)
                   for url, body in zip(urls, downloads.map(_download, urls), strict=True)]
        return sum(f.result() for f in pending)


def extraction_scores(corpus: Path, names: list[str]) -> dict[str, float]:
    """bench/eval_extraction.py's mean score of each variant's extraction options."""
    from bench.eval_extraction import score_corpus
    from crawler.extract import ExtractionOptions

    return {name: score_corpus(corpus, ExtractionOptions(**ANALYSED[name][0]), show=False)[0]
            for name in names}


# -- the per-core reference -------------------------------------------------------------

def reference_rate(bodies: list[bytes]) -> float:
    """Pages per second of trafilatura.extract + langdetect in this one process."""
    import trafilatura
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    detect_langs("warm up the language profiles")
    start = time.perf_counter()
    for body in bodies:
        text = trafilatura.extract(body)
        if text:
            with contextlib.suppress(LangDetectException):
                detect_langs(text)
    return len(bodies) / (time.perf_counter() - start)


# -- main ---------------------------------------------------------------------------------

def report(results: dict[str, list[Measure]], reference: float, articles: int,
           scores: dict[str, float]) -> None:
    print(f"\n{'crawler':<16} {'articles/s':>10} {'× ref':>6} {'CPU s':>7} {'CPU ms/art':>10} "
          f"{'peak PSS':>9} {'stored':>7}")
    veille_rate = None
    for name, runs in results.items():
        rate = statistics.median(r.rate for r in runs)
        cpu = statistics.median(r.cpu for r in runs)
        pss = statistics.median(r.peak_pss for r in runs) / 1e6
        stored = statistics.median(r.articles for r in runs)
        if name == "veille":
            veille_rate = rate
        print(f"{name:<16} {rate:>10.1f} {rate / reference:>6.2f} {cpu:>7.1f} "
              f"{cpu / max(stored, 1) * 1000:>10.1f} {pss:>7.0f} MB {stored:>7.0f}")
    if veille_rate:
        others = {n: statistics.median(r.rate for r in runs) for n, runs in results.items()
                  if n != "veille"}
        print("veille / " + ", ".join(f"{n} {veille_rate / v:.2f}" for n, v in others.items()))
    print(f"per-core reference (extract + langdetect, one process): {reference:.1f} pages/s; "
          f"{articles} articles per round")
    if scores:
        pooled = statistics.median(r.rate for r in results["pooled"]) \
            if results.get("pooled") else None
        print("\nveille's work on a page, in the pooled design (medians; extraction score: "
              "bench/eval_extraction.py)")
        for name, score in scores.items():
            rate = statistics.median(r.rate for r in results[name])
            versus = f", {rate / pooled:.2f} × pooled" if pooled else ""
            print(f"  {name:<26} {rate:6.1f} articles/s{versus}, extraction score {score:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, nargs="?")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--outlets", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default=",".join(CRAWLERS))
    parser.add_argument("--one-host", action="store_true")
    parser.add_argument("--profile", type=Path, help="py-spy raw stacks of veille's crawl")
    parser.add_argument("--baseline", help=argparse.SUPPRESS)
    parser.add_argument("--urls", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:  # a baseline's own process, started by measure()
        urls = args.urls.read_text().split()
        if args.baseline in ANALYSED:
            print(baseline_analysed(args.baseline, urls))
            return 0
        run = {"sequential": baseline_sequential, "scrapy": baseline_scrapy}.get(
            args.baseline, baseline_pooled)
        print(run(urls))
        return 0
    if args.corpus is None:
        parser.error("the corpus folder is required")
    crawlers = [c for c in args.only.split(",") if c]
    unknown = set(crawlers) - set(CRAWLERS) - set(EXTRA)
    if unknown:
        parser.error(f"unknown crawler {sorted(unknown)}; known: "
                     f"{', '.join(CRAWLERS + EXTRA)}")
    bodies = corpus_pages(args.corpus)
    served = [bodies[i % len(bodies)] for i in range(args.articles)]
    sites, feeds, urls = build_outlets(bodies, args.articles, args.outlets, args.latency,
                                       args.one_host)
    hosts = len({s.base_url.split("//")[1].split(":")[0] for s in sites})
    print(f"{args.articles} articles ({sum(map(len, served)) / 1e6:.1f} MB) on {args.outlets} "
          f"outlets, {hosts} hosts, {args.latency * 1000:.0f} ms per response; "
          f"{os.cpu_count()} CPUs; rounds {args.rounds}")
    results: dict[str, list[Measure]] = {c: [] for c in crawlers}
    references = []
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        for site in sites:
            stack.enter_context(site)
        workdir = Path(tmp)
        urls_file = workdir / "urls.txt"
        urls_file.write_text("\n".join(urls) + "\n")
        for round_ in range(args.rounds):
            references.append(reference_rate(served[:200]))
            for name in crawlers:
                run_dir = workdir / f"{name}-{round_}"
                run_dir.mkdir()
                if name == "veille":
                    measured = run_veille(feeds, run_dir, args.articles, args.profile)
                else:
                    measured = run_baseline(name, urls_file, run_dir)
                results[name].append(measured)
                top = sorted(measured.per_pid.values(), reverse=True)[:4]
                print(f"round {round_ + 1}: {name:<16} {measured.rate:6.1f} articles/s, "
                      f"CPU {measured.cpu:5.1f} s (busiest processes "
                      f"{', '.join(f'{c:.1f}' for c in top)}; {len(measured.per_pid)} "
                      f"processes), PSS {measured.peak_pss / 1e6:4.0f} MB {measured.peak_parts}, "
                      f"{measured.articles} stored in {measured.seconds:.1f} s", flush=True)
    report(results, statistics.median(references), args.articles,
           extraction_scores(args.corpus, [c for c in crawlers if c in ANALYSED]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
