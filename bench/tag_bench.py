"""Tagging cost per article next to extraction cost, on a corpus of real pages.

    python bench/tag_bench.py ../shared/corpus [--rounds 5]

Extracts every page once (timed), then tags every extracted article `rounds`
times with the shipped rules (timed), and prints milliseconds per article.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.extract import extract
from scheduler.tagging.rules import load_rules
from scheduler.tagging.tagger import Tagger


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    pages = [p.read_bytes() for p in sorted(args.corpus.glob("*.html"))
             if ".expected" not in p.name]
    tagger = Tagger(load_rules())
    extract(pages[0], "https://example.org/warm-up")
    tagger.tag("warm up", "Les Russes et les Ukrainiennes")
    articles, extraction = [], []
    for page in pages:
        start = time.perf_counter()
        result = extract(page, "https://example.org/a")
        extraction.append(time.perf_counter() - start)
        if result:
            articles.append(result)
    tagging = []
    for _ in range(args.rounds):
        for article in articles:
            start = time.perf_counter()
            tagger.tag(article.title or "", article.text)
            tagging.append(time.perf_counter() - start)
    words = statistics.mean(len(a.text.split()) for a in articles)
    ext_ms = statistics.mean(extraction) * 1000
    tag_ms = statistics.mean(tagging) * 1000
    print(f"{len(pages)} pages, {len(articles)} articles (mean {words:.0f} words); "
          f"{len(load_rules().all_tags)} tags in the rules")
    print(f"extraction: {ext_ms:.1f} ms per page (mean), {statistics.median(extraction) * 1000:.1f}"
          f" ms median")
    print(f"tagging:    {tag_ms:.2f} ms per article (mean), "
          f"{statistics.median(tagging) * 1000:.2f} ms median, "
          f"{max(tagging) * 1000:.1f} ms max")
    print(f"tagging costs {tag_ms / ext_ms:.1%} of extraction")
    return 0


if __name__ == "__main__":
    sys.exit(main())
