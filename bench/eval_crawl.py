"""Crawl a corpus of real pages served behind one RSS feed, as the held-out check does.

    python bench/eval_crawl.py ../shared/corpus

Serves every page of the corpus on 127.0.0.1 behind a single RSS 2.0 feed, runs
`veille --db DB --sources S crawl --keep-offtopic`, then checks the database
against the corpus MANIFEST.tsv: French pages stored, foreign pages not stored,
stored text close to the expected text where the corpus has one, and the
NATO/Russia/Ukraine tags against the manifest's topic column.
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.eval_extraction import expectation, norm, prf
from veille.demo.pages import FeedItem, rss_feed
from veille.demo.site import NewsSite, Route


def manifest(corpus: Path) -> dict[str, dict[str, str]]:
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        return {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    args = parser.parse_args()
    rows = manifest(args.corpus)
    pages = sorted(p for p in args.corpus.glob("*.html") if ".expected" not in p.name)
    with NewsSite() as site, tempfile.TemporaryDirectory() as tmp:
        items = []
        for i, page in enumerate(pages):
            path = f"/articles/{i:03d}.html"
            site.add(path, Route(page.read_bytes()))
            items.append(FeedItem(site.url(path), page.stem, datetime.now(UTC)))
        site.add("/feed.xml", Route(rss_feed("corpus", site.base_url, items).encode(),
                                    content_type="application/rss+xml"))
        sources = Path(tmp) / "sources.toml"
        sources.write_text(f'[[source]]\nname = "corpus"\nurl = "{site.url("/feed.xml")}"\n'
                           'kind = "feed"\nallow_private = true\n', encoding="utf-8")
        db_path = Path(tmp) / "eval.db"
        result = subprocess.run([sys.executable, "-m", "veille", "-q", "--db", str(db_path),
                                 "--sources", str(sources), "crawl", "--keep-offtopic"],
                                capture_output=True, text=True, check=False)
        print(result.stdout)
        db = sqlite3.connect(db_path)
        stored = {row[0].rsplit("/", 1)[1]: row[1:] for row in db.execute(
            "SELECT a.url, a.text, (SELECT group_concat(topic) FROM article_topics t "
            "WHERE t.article_id = a.id AND t.kind = 'topic') FROM articles a")}
    mistakes = 0
    scores = []
    topic_errors = []
    for i, page in enumerate(pages):
        meta = rows.get(page.name, {})
        french = meta.get("language", "fr") == "fr"
        key = f"{i:03d}.html"
        if french != (key in stored):
            mistakes += 1
            print(f"{'MISSING' if french else 'STORED'} {page.name}")
            continue
        if not french:
            continue
        text, topics = stored[key]
        expected = expectation(args.corpus, page.stem)
        if expected and expected[0] == "full":
            scores.append(prf(text, str(expected[1]))[2])
        elif expected:
            gold = expected[1]
            flat = norm(text)
            found = sum(norm(s) in flat for s in gold["with"]) / max(1, len(gold["with"]))
            scores.append(found)
        on_topic = meta.get("topic_nato_russia_ukraine", "no").startswith("yes")
        if on_topic != bool(topics):
            topic_errors.append(f"{page.name}: manifest says {'on' if on_topic else 'off'} "
                                f"topic, veille tagged {topics or 'nothing'}")
    print(f"language gate: {len(pages) - mistakes}/{len(pages)} pages stored or rejected correctly")
    if scores:
        print(f"stored text vs expected: mean {sum(scores) / len(scores):.3f} "
              f"over {len(scores)} pages")
    print(f"topic tags: {len(topic_errors)} disagreement(s) with the manifest")
    for line in topic_errors:
        print("  " + line)
    return 1 if mistakes else 0


if __name__ == "__main__":
    sys.exit(main())
