"""Quality of copies, wires and stories on the labelled set, crawled as a user would.

    python bench/stories/build_set.py      # after editing bench/stories/events/
    python bench/eval_stories.py [-v]

Serves every outlet of bench/stories/labelled.jsonl on its own site on 127.0.0.1, each
behind an RSS feed, crawls them all with `veille crawl`, then reads articles.copy_of,
articles.story_id and articles.wire and prints:
- copies: pairwise precision and recall (two articles are a pair when they are in
  one copy group: a dispatch and its republications);
- stories: pairwise precision and recall, and B-cubed precision, recall and F1;
- wires: the share of articles whose agency (or none) is right, and how many of the
  false friends (texts that quote an agency or carry its photo) were given one.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sqlite3
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers import ROOT, veille_env, write_sources
from veille.demo.pages import Article, FeedItem, article_html, rss_feed
from veille.demo.site import NewsSite, Route

LABELLED = Path(__file__).parent / "stories" / "labelled.jsonl"


@dataclass
class Scores:
    stored: int
    total: int
    copy_precision: float
    copy_recall: float
    story_precision: float
    story_recall: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    wire_accuracy: float
    false_friends_attributed: int
    false_friends: int

    def lines(self) -> list[str]:
        return [
            f"stored: {self.stored} of {self.total} articles",
            f"copies: pairwise precision {self.copy_precision:.3f}, recall {self.copy_recall:.3f}",
            f"stories: pairwise precision {self.story_precision:.3f}, recall "
            f"{self.story_recall:.3f}; B-cubed precision {self.bcubed_precision:.3f}, recall "
            f"{self.bcubed_recall:.3f}, F1 {self.bcubed_f1:.3f}",
            f"wires: accuracy {self.wire_accuracy:.3f}; false friends attributed "
            f"{self.false_friends_attributed} of {self.false_friends}",
        ]


def load(path: Path = LABELLED) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def page(item: dict) -> Article:
    paragraphs = item["paragraphs"]
    return Article(slug=item["id"], title=item["title"], lead=paragraphs[0],
                   paragraphs=paragraphs[1:] or [""], author=item["author"],
                   published=datetime.fromisoformat(item["published"]), section="monde")


def serve(items: list[dict]) -> dict[str, NewsSite]:
    """One site per outlet, its articles behind /rss.xml."""
    sites: dict[str, NewsSite] = {}
    by_outlet: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        by_outlet[item["outlet"]].append(item)
    for outlet, articles in by_outlet.items():
        site = NewsSite().start()
        feed = []
        for item in articles:
            article = page(item)
            site.add(article.path, Route(article_html(article, site_name=item["sitename"])
                                         .encode("utf-8")))
            feed.append(FeedItem(site.url(article.path), item["title"], article.published,
                                 item["paragraphs"][0][:200]))
        site.add("/rss.xml", Route(rss_feed(outlet, site.base_url, feed).encode("utf-8"),
                                   content_type="application/rss+xml"))
        sites[outlet] = site
    return sites


def pairs(groups: dict[str, str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for item, group in groups.items():
        members[group].append(item)
    return {tuple(sorted(p)) for m in members.values() for p in itertools.combinations(m, 2)}


def precision_recall(truth: dict[str, str], found: dict[str, str]) -> tuple[float, float]:
    true_pairs, found_pairs = pairs(truth), pairs(found)
    hits = len(true_pairs & found_pairs)
    return (hits / len(found_pairs) if found_pairs else 1.0,
            hits / len(true_pairs) if true_pairs else 1.0)


def bcubed(truth: dict[str, str], found: dict[str, str]) -> tuple[float, float, float]:
    by_truth, by_found = defaultdict(set), defaultdict(set)
    for item in truth:
        by_truth[truth[item]].add(item)
        by_found[found[item]].add(item)
    precision = sum(len(by_found[found[i]] & by_truth[truth[i]]) / len(by_found[found[i]])
                    for i in truth) / len(truth)
    recall = sum(len(by_found[found[i]] & by_truth[truth[i]]) / len(by_truth[truth[i]])
                 for i in truth) / len(truth)
    return precision, recall, 2 * precision * recall / (precision + recall)


def crawl(items: list[dict], workdir: Path) -> dict[str, dict]:
    """Crawl the served set; {item id: its row (copy_of as an item id, story, wire)}."""
    sites = serve(items)
    try:
        sources = write_sources(workdir / "sources.toml",
                                {outlet: site.url("/rss.xml") for outlet, site in sites.items()})
        db_path = workdir / "stories.db"
        result = subprocess.run([sys.executable, "-m", "veille", "-q", "--db", str(db_path),
                                 "--sources", str(sources), "crawl"], cwd=ROOT,
                                capture_output=True, text=True, env=veille_env(), check=False)
        if result.returncode != 0:
            raise SystemExit(f"veille crawl failed ({result.returncode}):\n{result.stdout}\n"
                             f"{result.stderr[-3000:]}")
    finally:
        for site in sites.values():
            site.stop()
    with sqlite3.connect(db_path) as db:
        rows = db.execute("SELECT id, url, copy_of, story_id, wire FROM articles").fetchall()
    slug = {row[0]: row[1].rsplit("/", 1)[1].removesuffix(".html") for row in rows}
    return {slug[r[0]]: {"id": r[0], "copy_root": slug.get(r[2], slug[r[0]]) if r[2]
                         else slug[r[0]], "story": r[3], "wire": r[4]} for r in rows}


def score(items: list[dict], found: dict[str, dict]) -> Scores:
    stored = [i for i in items if i["id"] in found]
    copy_truth = {i["id"]: i["copy_group"] for i in stored}
    copy_found = {i["id"]: found[i["id"]]["copy_root"] for i in stored}
    story_truth = {i["id"]: i["story"] for i in stored}
    story_found = {i["id"]: str(found[i["id"]]["story"]) for i in stored}
    copy_p, copy_r = precision_recall(copy_truth, copy_found)
    story_p, story_r = precision_recall(story_truth, story_found)
    b_p, b_r, b_f1 = bcubed(story_truth, story_found)
    wires_right = sum(found[i["id"]]["wire"] == i["wire"] for i in stored)
    friends = [i for i in stored if i["kind"] == "false_friend"]
    return Scores(len(stored), len(items), copy_p, copy_r, story_p, story_r, b_p, b_r, b_f1,
                  wires_right / len(stored) if stored else 0.0,
                  sum(found[i["id"]]["wire"] is not None for i in friends), len(friends))


def explain(items: list[dict], found: dict[str, dict]) -> list[str]:
    """What went wrong, item by item."""
    lines = [f"not stored: {i['id']}" for i in items if i["id"] not in found]
    stored = [i for i in items if i["id"] in found]
    story_of = defaultdict(set)
    for item in stored:
        story_of[found[item["id"]]["story"]].add(item["story"])
    for item in stored:
        row = found[item["id"]]
        if row["wire"] != item["wire"]:
            lines.append(f"wire: {item['id']} is {row['wire']}, should be {item['wire']}")
        same = [o for o in stored if o["copy_group"] == item["copy_group"]]
        if any(found[o["id"]]["copy_root"] != row["copy_root"] for o in same):
            lines.append(f"copy: {item['id']} in group {row['copy_root']} "
                         f"(label {item['copy_group']})")
        if len(story_of[row["story"]]) > 1:
            lines.append(f"story {row['story']} mixes {sorted(story_of[row['story']])}: "
                         f"{item['id']}")
    truth_split = defaultdict(set)
    for item in stored:
        truth_split[item["story"]].add(found[item["id"]]["story"])
    lines += [f"story {story} split into {sorted(split)}" for story, split in truth_split.items()
              if len(split) > 1]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=Path, default=LABELLED)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every error")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="crawl into DIR/stories.db and keep it, to look at")
    args = parser.parse_args()
    items = load(args.items)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        for old in args.keep.glob("stories.db*"):
            old.unlink()
        found = crawl(items, args.keep)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            found = crawl(items, Path(tmp))
    for line in score(items, found).lines():
        print(line)
    if args.verbose:
        for line in explain(items, found):
            print("  " + line)


if __name__ == "__main__":
    main()
