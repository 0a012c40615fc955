"""Speed of `veille search` and `veille export` as the database grows.

    python bench/search_bench.py ../shared/corpus [--sizes 10000 100000 1000000]

Builds a synthetic database in veille's schema (bench/synthetic.py: articles from the
corpus sentences, 55 % of them about Russia, Ukraine or NATO, with their tags), stored by
storage.articles.insert_article as the pipeline stores them (both full-text indexes), and
at each size runs a mix of queries through storage.search (the page of 20 results, with
snippets and tags, and the count the command line prints, up to 5,000): words found in
most articles, in some, in very few; phrases; OR, exclusion, prefix; topic, source and
date filters; newest first. Prints each query with how many articles it matches and its
median time over the repeats, then the median and 95th percentile of the mix; and an
export of every article to CSV by `veille export` in a subprocess, with its peak resident
memory read from /proc while it runs (outside the process).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import time
from contextlib import closing
from datetime import timedelta
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import SOURCES, SPAN, START, Generator, Synthetic, make_article, name
from scheduler.dedup.content import content_hash
from storage.articles import insert_article
from storage.db import open_db, transaction
from storage.search import count_upto, search, search_page
from veille.model import ArticleRecord, SearchFilters, SearchSort, TagKind, TopicMatch

BATCH = 2000
COUNT_UPTO = 4_999  # as the command line counts ("more than 5,000")
_state: dict = {}


def _init(state: dict) -> None:
    _state.update(state)


def _make(job: tuple[int, int]) -> Synthetic:
    return make_article(_state, *job)


def _record(article: Synthetic) -> ArticleRecord:
    return ArticleRecord(
        url=article.url, canonical_url=article.url, source=article.source, title=article.title,
        text=article.text, author=None, published_at=article.published,
        fetched_at=article.published, language="fr", language_score=0.99,
        content_hash=content_hash(article.text), description=None, sitename=article.source,
        feed_title=None, keywords=None, run_id=None)


def _tags(article: Synthetic) -> list[TopicMatch]:
    tags = [TopicMatch(topic, 6.0, []) for topic in article.topics]
    if "ukraine" in article.topics and article.n % 3 == 0:
        tags.append(TopicMatch("combats", 4.0, [], kind=TagKind.SUBTOPIC,
                               parents=("ukraine",)))
    return tags


def grow(db_path: Path, state: dict, start: int, stop: int, total: int) -> None:
    db = open_db(db_path)
    batches = [range(b, min(b + BATCH, stop)) for b in range(start, stop, BATCH)]
    with Pool(2, initializer=_init, initargs=(state,)) as pool:
        for batch in batches:
            ready = pool.map(_make, [(n, total) for n in batch], chunksize=100)
            with transaction(db):
                for article in ready:
                    insert_article(db, _record(article), _tags(article), "bench", [])
            if batch.stop % 50_000 == 0:
                print(f"  built {batch.stop:,} articles", flush=True)
    db.close()


def queries(total: int) -> list[tuple[str, SearchFilters]]:
    """The mix: (label, filters)."""
    last_week = (START + SPAN * (total - 1) / total - timedelta(days=7)).isoformat()
    rare = name(1_500_000)  # a name few articles carry (ranks are drawn by Zipf's law)
    few = name(3_000)
    return [
        ("plus (in most articles)", SearchFilters(query="plus")),
        ("Russie", SearchFilters(query="Russie")),
        ("ukrainiens", SearchFilters(query="ukrainiens")),
        ("Otan Pologne", SearchFilters(query="Otan Pologne")),
        (f"{few} (a name)", SearchFilters(query=few)),
        (f"{rare} (a rare name)", SearchFilters(query=rare)),
        ('"armée russe"', SearchFilters(query='"armée russe"')),
        ('"de la" (a phrase in most)', SearchFilters(query='"de la"')),
        ("Kiev OR Kyiv", SearchFilters(query="Kiev OR Kyiv")),
        ("Russie -Otan", SearchFilters(query="Russie -Otan")),
        ("sanction*", SearchFilters(query="sanction*")),
        ("drones --topic ukraine", SearchFilters(query="drones", topics=("ukraine",))),
        ("Russie --subtopic combats", SearchFilters(query="Russie", subtopics=("combats",))),
        ("Russie --since last week", SearchFilters(query="Russie", since=last_week)),
        ("Russie --source outlet-07", SearchFilters(query="Russie", sources=(SOURCES[7],))),
        ("Russie --sort date", SearchFilters(query="Russie", sort=SearchSort.DATE)),
        ("--topic nato --sort date", SearchFilters(topics=("nato",), sort=SearchSort.DATE)),
    ]


def run_queries(db_path: Path, total: int, repeat: int) -> tuple[list[float], list[str]]:
    db = open_db(db_path)
    search(db, SearchFilters(query="warm"))  # the lemmatiser's dictionary loads once
    times: list[float] = []
    lines = []
    for label, filters in queries(total):
        taken = []
        for _ in range(repeat):
            started = time.perf_counter()
            search_page(db, filters, limit=20, count_upto_most=COUNT_UPTO)
            taken.append((time.perf_counter() - started) * 1000)
        times += taken
        matches = count_upto(db, filters, 10_000_000)
        lines.append(f"  {label:<34} {matches:>9,} articles  {statistics.median(taken):8.1f} ms")
    db.close()
    return times, lines


def export_memory(db_path: Path) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB read from /proc, rows) of `veille export` of everything."""
    veille = Path(sys.executable).with_name("veille")
    started = time.perf_counter()
    process = subprocess.Popen([str(veille), "--db", str(db_path), "export", "--format", "csv",
                                "--text", "--out", "/dev/null"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.05)
    stderr = process.communicate()[1]
    rows = int("".join(c for c in stderr.split("article")[0] if c.isdigit()) or 0)
    return time.perf_counter() - started, peak, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", type=Path, default=Path("bench/out/search_bench.db"))
    parser.add_argument("--keep", action="store_true",
                        help="query again the copies an earlier run kept at each size")
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    if not args.keep:
        for old in args.db.parent.glob(args.db.name + "*"):
            old.unlink()
    total = max(args.sizes)
    state = Generator(args.corpus, names=6).state()
    built = 0
    rows = []
    for size in sorted(args.sizes):
        copy = args.db.with_name(f"{args.db.stem}.{size}{args.db.suffix}")
        if not args.keep:
            started = time.perf_counter()
            grow(args.db, state, built, size, total)
            print(f"built {size:,} articles in {time.perf_counter() - started:.0f} s "
                  f"({args.db.stat().st_size / 1e9:.2f} GB)", flush=True)
            built = size
            with closing(sqlite3.connect(args.db)) as db, closing(sqlite3.connect(copy)) as kept:
                db.backup(kept)
        times, lines = run_queries(copy, total, args.repeat)
        print(f"at {size:,} articles:\n" + "\n".join(lines), flush=True)
        seconds, peak, exported = export_memory(copy)
        p95 = sorted(times)[int(len(times) * 0.95)]
        rows.append((size, statistics.median(times), p95, max(times), seconds, exported, peak))
        print(rows[-1], flush=True)
    print(f"\nqueries: {len(queries(total))} x {args.repeat} repeats at each size; each is the "
          "page of 20 results with snippets and tags, and the count up to 5,000")
    print("\n| articles | search median (ms) | p95 (ms) | max (ms) | export CSV with text "
          "| export peak RSS (MB) |")
    print("|---|---|---|---|---|---|")
    for size, median, p95, worst, seconds, exported, peak in rows:
        print(f"| {size:,} | {median:.1f} | {p95:.1f} | {worst:.1f} | {exported:,} rows in "
              f"{seconds:.0f} s | {peak:.0f} |")


if __name__ == "__main__":
    main()
