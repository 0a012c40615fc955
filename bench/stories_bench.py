"""Cost of the near-copy check and of story assignment as the database grows.

    python bench/stories_bench.py ../shared/corpus [--sizes 10000 100000 1000000]

Builds a synthetic database in veille's schema (bench/synthetic.py: articles from the
corpus sentences, each with its real fingerprint, LSH bands, story terms and story),
growing it to each size in turn, and at each size stores probe articles through the
same code as the pipeline: copies of stored articles (cut, edited, credited to an
agency, on another outlet) and new articles. Prints per article, at each size:
- near-copy check plus insert (fingerprint, band lookup, candidates checked, its
  fingerprint and band rows),
- the article row itself, with its two full-text indexes (words and lemmas),
- story assignment (terms, candidates in the 72-hour window, the story and its link),
- the commit of the transaction (both together, as the pipeline commits them),
with the median and the 95th percentile, how many copies were found, and the
peak resident memory of a fresh process that stores them (not the one that built the database).

The articles of the largest size span one year (a million articles: 2,700 a day, so
that 16,000 are in a 72-hour window either side); the smaller sizes are its first days
(10,000 articles: all within one window, a young database). Each article adds
`--names` names (default 6) drawn by Zipf's law from two million, so that its
vocabulary is open as the news is (33 French pages of the corpus: 50 story terms each, 1,148
distinct in 25 pages; synthetic: 50 each, 1,012 in 25); `--names 0` keeps only the
corpus words, the worst case where every term is shared by hundreds of articles.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from contextlib import closing
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import Generator, Synthetic, dump_state, make_article
from scheduler.dedup import near
from scheduler.dedup.content import content_hash
from scheduler.stories.assign import Prepared, StoryDesk
from scheduler.stories.terms import story_terms
from storage import stories as store
from storage.articles import insert_article
from storage.db import open_db, transaction
from veille.model import ArticleRecord
from veille.text import folded_words

_state: dict = {}
BATCH = 2000


def _init(state: dict) -> None:
    _state.update(state)


def _prepared(job: tuple[int, int]) -> tuple[Synthetic, object]:
    n, total = job
    article = make_article(_state, n, total)
    desk = StoryDesk.__new__(StoryDesk)  # prepare() needs no database
    from scheduler.stories.wires import WireReader

    desk.wires = WireReader()
    return article, desk.prepare(article.title, article.text, published=article.published)


def _record(article: Synthetic, title: str | None = None) -> ArticleRecord:
    return ArticleRecord(
        url=article.url, canonical_url=article.url, source=article.source,
        title=title or article.title, text=article.text, author=None,
        published_at=article.published, fetched_at=article.published, language="fr",
        language_score=0.99, content_hash=content_hash(article.text), description=None,
        sitename=article.source, feed_title=None, keywords=None, run_id=None)


def grow(db_path: Path, generator: Generator, start: int, stop: int, total: int) -> None:
    """Store articles start..stop: each as the first of its story, with all its rows. Two
    workers prepare the next batch while this process stores the current one."""
    db = open_db(db_path)
    desk = StoryDesk(db)
    scheme = desk.scheme
    batches = [range(b, min(b + BATCH, stop)) for b in range(start, stop, BATCH)]
    with Pool(2, initializer=_init, initargs=(generator.state(),)) as pool:
        pending = pool.map_async(_prepared, [(n, total) for n in batches[0]], chunksize=100) \
            if batches else None
        for i, _ in enumerate(batches):
            assert pending is not None
            ready = pending.get()
            pending = pool.map_async(_prepared, [(n, total) for n in batches[i + 1]],
                                     chunksize=100) if i + 1 < len(batches) else None
            _insert(db, desk, ready, scheme)
            if batches[i].stop % 50_000 == 0:
                print(f"  built {batches[i].stop:,} articles", flush=True)
    db.close()


def _insert(db, desk: StoryDesk, batch: list, scheme: int) -> None:
    with transaction(db):
        for article, prepared in batch:
            article_id = insert_article(db, _record(article), [], "bench", [])
            fp = prepared.fingerprint
            if fp is not None:
                store.add_fingerprint(db, article_id, scheme, fp.shingles, fp.signature,
                                      fp.bands)
            weights, counted = desk._weights(set(prepared.terms.weights),
                                             prepared.terms.weights)
            store.add_story_terms(db, article_id, article.published, prepared.terms.weights,
                                  prepared.terms.days, (sum(weights.values()), counted))
            story = store.new_story(db, article_id)
            db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [story, article_id])
            db.execute("UPDATE stories SET title = ?, first_seen_at = ?, last_seen_at = ?, "
                       "articles = 1, outlets = 1, topics = '[]' WHERE id = ?",
                       [article.title, article.published, article.published, story])


def copy_of(original: Synthetic, rng: random.Random, k: int) -> Synthetic:
    """A republication: cut to 60 %, one sentence changed, credited, on another outlet."""
    sentences = original.text.replace("\n", " ").split(". ")
    kept = sentences[:max(2, round(len(sentences) * 0.6))]
    kept[rng.randrange(len(kept))] = "Une phrase ajoutée par la rédaction précise le contexte"
    return Synthetic(original.n, f"copie-{rng.randint(0, 9)}",
                     original.url.replace("https://", f"https://copie{k}."), original.title,
                     "Avec AFP\n" + ". ".join(kept), original.published, original.topics)


def rss_mb() -> float:
    """The peak resident memory of this process (VmHWM: unlike ru_maxrss, not inherited
    from the process that started it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def probe(db_path: Path, state: dict, size: int, total: int, count: int,
          rng: random.Random) -> dict:
    db = open_db(db_path)
    desk = StoryDesk(db)
    near_ms, story_ms, commit_ms, row_ms, found, false = [], [], [], [], 0, 0
    warm = make_article(state, 0, total)  # the dictionaries load once per process, not here
    desk.prepare(warm.title, warm.text, published=warm.published)
    for i in range(count):
        is_copy = i % 3 == 0
        if is_copy:
            article = copy_of(make_article(state, rng.randrange(size), total), rng, i)
        else:
            article = make_article(state, 10_000_000 + size + i, total)
            article = Synthetic(article.n, article.source, article.url + f"?p={size}-{i}",
                                article.title, article.text,
                                make_article(state, size - 1, total).published, article.topics)
        start = time.perf_counter()
        body = desk.wires.strip_credits(article.text)
        words = folded_words(body)
        shingles = near.word_shingles(words)
        fingerprint = near.sketch(shingles, len(words))
        wire = desk.wires.read(article.text)
        fingerprinted = time.perf_counter()
        terms = story_terms(article.title, body, [], article.published)
        prepared = Prepared(body, near.packed(shingles), fingerprint, terms,
                            wire.id if wire else None)
        termed = time.perf_counter()
        with transaction(db):
            copy = desk.find_copy(prepared)
            row_start = time.perf_counter()
            article_id = insert_article(db, _record(article), [], "bench", [])
            row_ms.append((time.perf_counter() - row_start) * 1000)
            if fingerprint is not None:
                store.add_fingerprint(db, article_id, desk.scheme, fingerprint.shingles,
                                      fingerprint.signature, fingerprint.bands)
            middle = time.perf_counter()
            decision = desk._by_terms(prepared, article.published, article_id) \
                if copy is None else None
            story_id = decision.story_id if decision else None
            if story_id is None:
                story_id = store.new_story(db, article_id)
            store.add_story_terms(db, article_id, article.published, terms.weights, terms.days,
                                  decision.weight if decision else None)
            store.set_story(db, article_id, story_id, None, "bench", 1.0, {})
            end = time.perf_counter()
        committed = time.perf_counter()
        # near-copy check + insert: fingerprint, band lookup and checks, its rows written
        # (the article row is timed apart: its full-text indexes are search's cost);
        # story assignment: terms, candidates, the story and its rows
        near_ms.append(((fingerprinted - start) + (middle - termed)) * 1000 - row_ms[-1])
        story_ms.append(((termed - fingerprinted) + (end - middle)) * 1000)
        commit_ms.append((committed - end) * 1000)
        found += is_copy and copy is not None
        false += (not is_copy) and copy is not None
    db.close()

    def p95(values: list[float]) -> float:
        return sorted(values)[int(len(values) * 0.95)]

    return {"size": size, "near_median": statistics.median(near_ms), "near_p95": p95(near_ms),
            "story_median": statistics.median(story_ms), "story_p95": p95(story_ms),
            "commit_median": statistics.median(commit_ms), "commit_p95": p95(commit_ms),
            "row_median": statistics.median(row_ms), "row_p95": p95(row_ms),
            "copies_found": found, "copies": (count + 2) // 3, "false_copies": false,
            "rss_mb": rss_mb()}


def probe_in_fresh_process(args: argparse.Namespace, db: Path, size: int, total: int,
                           state_path: Path) -> dict:
    """The probes of one size in a new interpreter: its memory is what storing articles
    takes at that size, not what building the database took."""
    result = subprocess.run(
        [sys.executable, __file__, str(args.corpus), "--probe", str(size), "--total", str(total),
         "--db", str(db), "--probes", str(args.probes), "--state", str(state_path)],
        capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"probe at {size:,} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def kept(db: Path, size: int) -> Path:
    return db.with_name(f"{db.stem}.{size}{db.suffix}")


def build_and_probe(args: argparse.Namespace, total: int, state_path: Path) -> list[dict]:
    """Grow the database to each size; keep a copy at each (the probes then store into
    the copy, so that growing goes on from the database as built)."""
    args.db.parent.mkdir(parents=True, exist_ok=True)
    for old in args.db.parent.glob(args.db.stem + "*"):
        if old.is_file() and old.suffix != ".log":
            old.unlink()
    generator = Generator(args.corpus, names=args.names)
    dump_state(generator.state(), state_path)
    rows, built = [], 0
    for size in sorted(args.sizes):
        started = time.perf_counter()
        grow(args.db, generator, built, size, total)
        print(f"built {size:,} articles in {time.perf_counter() - started:.0f} s", flush=True)
        built = size
        with closing(sqlite3.connect(args.db)) as db, \
                closing(sqlite3.connect(kept(args.db, size))) as copy:
            db.backup(copy)
        rows.append(reprobe(args, size, total, state_path))
    return rows


def reprobe(args: argparse.Namespace, size: int, total: int, state_path: Path) -> dict:
    """Probe a copy of the database kept at this size."""
    source = kept(args.db, size)
    probed = source.with_name(source.name + ".probed")
    for old in source.parent.glob(probed.name + "*"):
        old.unlink()
    with closing(sqlite3.connect(source)) as db, closing(sqlite3.connect(probed)) as copy:
        db.backup(copy)
    row = probe_in_fresh_process(args, probed, size, total, state_path)
    print(row, flush=True)
    for old in source.parent.glob(probed.name + "*"):
        old.unlink()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--probes", type=int, default=300)
    parser.add_argument("--db", type=Path, default=Path("bench/out/stories_bench.db"))
    parser.add_argument("--names", type=int, default=6,
                        help="names each article adds, drawn by Zipf's law (an open vocabulary "
                             "as in the news; 0: only the corpus words, the worst case)")
    parser.add_argument("--reprobe", action="store_true",
                        help="probe again the databases kept by an earlier run at each size "
                             "(after a change to the code), without building them")
    parser.add_argument("--probe", type=int, metavar="SIZE", help=argparse.SUPPRESS)
    parser.add_argument("--total", type=int, help="with --reprobe: the largest size the kept "
                        "databases were built for (default: the largest of --sizes)")
    parser.add_argument("--state", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:  # the child of probe_in_fresh_process
        state = json.loads(args.state.read_text(encoding="utf-8"))
        print(json.dumps(probe(args.db, state, args.probe, args.total, args.probes,
                               random.Random(7 + args.probe))))
        return
    state_path = args.db.with_suffix(".state.json")
    total = args.total or max(args.sizes)  # --total: reprobe some sizes of a larger build
    rows = [reprobe(args, size, total, state_path) for size in sorted(args.sizes)] \
        if args.reprobe else build_and_probe(args, total, state_path)
    print(f"\nnames per article: {args.names}; probes per size: {args.probes}")
    print("\n| stored articles | near-copy check + its rows, median / p95 (ms) | story "
          "assignment, median / p95 (ms) | article row with its 2 full-text indexes (ms) | "
          "commit, median / p95 (ms) | copies found | false copies | peak RSS (MB) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['size']:,} | {r['near_median']:.2f} / {r['near_p95']:.2f} | "
              f"{r['story_median']:.2f} / {r['story_p95']:.2f} | "
              f"{r.get('row_median', 0):.2f} / {r.get('row_p95', 0):.2f} | "
              f"{r['commit_median']:.2f} / {r['commit_p95']:.2f} | {r['copies_found']} of "
              f"{r['copies']} | {r['false_copies']} | {r['rss_mb']:.0f} |")


if __name__ == "__main__":
    main()
