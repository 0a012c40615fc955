"""Tagging quality: precision, recall and F1 per topic, sub-topic and entity (`veille tag`).

    python bench/eval_tagging.py [--corpus ../shared/corpus] [--items FILE ...] [--topics RULES]

Items are JSON lines with "id", "title", "text" and the expected "topics" (a
list, empty for an item about none of them). By default: the texts written for
veille (bench/tagging/written_fr.jsonl) and, with --corpus, the titles and
descriptions of the real feeds in the corpus, labelled in
bench/tagging/corpus_labels.jsonl (the texts are read from the corpus, not
copied here). Every item goes through the real command line, as a rule change
would be tried. Exits 1 when a topic's F1 is below --min-f1.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.feeds import parse_feed

HERE = Path(__file__).resolve().parent / "tagging"
TOPICS = ("nato", "russia", "ukraine")


def load_items(paths: list[Path]) -> list[dict]:
    items = []
    for path in paths:
        with path.open(encoding="utf-8") as fh:
            items += [json.loads(line) for line in fh if line.strip()]
    return items


def corpus_items(corpus: Path) -> list[dict]:
    """Feed items of the corpus with their labels (texts read from the corpus folder)."""
    labels = load_items([HERE / "corpus_labels.jsonl"])
    feeds: dict[str, list] = {}
    items = []
    for n, label in enumerate(labels, start=1):
        if label["feed"] not in feeds:
            body = (corpus / label["feed"]).read_bytes()
            feeds[label["feed"]] = parse_feed(body, "https://www.lemonde.fr/rss").entries
        entry = next(e for e in feeds[label["feed"]] if label["link_contains"] in e.url)
        items.append({"id": f"c{n:03d}", "title": entry.title, "text": entry.summary,
                      "topics": label["topics"]})
    return items


def run_veille_tag(items: list[dict], topics_file: str | None) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False,
                                     encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps({k: item[k] for k in ("id", "title", "text")},
                                ensure_ascii=False) + "\n")
    command = [sys.executable, "-m", "veille"]
    if topics_file:
        command += ["--topics", topics_file]
    result = subprocess.run([*command, "tag", fh.name], capture_output=True, text=True,
                            check=False)
    Path(fh.name).unlink()
    if result.returncode not in (0, 1):
        sys.exit(f"veille tag failed ({result.returncode}): {result.stderr}")
    return {out["id"]: out for out in map(json.loads, result.stdout.splitlines())}


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _predicted(out: dict, kind: str) -> set[str]:
    if kind == "topics":
        return set(out.get("topics", []))
    return set(out.get("details", {}).get(kind, []))


def score_kind(items: list[dict], output: dict, kind: str,
               mistakes: list[str]) -> tuple[int, int, int, float]:
    """Per-label table of one kind (topics, subtopics, entities); returns micro counts."""
    labelled = [i for i in items if kind in i]
    if not labelled:
        return 0, 0, 0, 1.0
    names = sorted({n for i in labelled for n in i[kind]}
                   | {n for i in labelled for n in _predicted(output.get(i["id"], {}), kind)})
    if kind == "topics":
        names = list(TOPICS)
    print(f"\n{kind}: {len(labelled)} labelled items")
    print(f"{'label':<12} {'gold':>5} {'tagged':>6} {'TP':>4} {'FP':>4} {'FN':>4} "
          f"{'precision':>9} {'recall':>7} {'F1':>6}")
    total = [0, 0, 0]
    worst = 1.0
    for name in names:
        tp = fp = fn = 0
        for item in labelled:
            out = output.get(item["id"], {})
            gold = name in item[kind]
            got = name in _predicted(out, kind)
            tp += gold and got
            fp += got and not gold
            fn += gold and not got
            if gold != got:
                score = out.get("details", {}).get("scores", {}).get(name, "")
                mistakes.append(f"{'FP' if got else 'FN'} {name:<12} {item['id']:<8} "
                                f"{score!s:<5} {item['title'][:72]}")
        precision, recall, f1 = _prf(tp, fp, fn)
        if kind == "topics":
            worst = min(worst, f1)
        total = [total[0] + tp, total[1] + fp, total[2] + fn]
        print(f"{name:<12} {tp + fn:>5} {tp + fp:>6} {tp:>4} {fp:>4} {fn:>4} "
              f"{precision:>9.3f} {recall:>7.3f} {f1:>6.3f}")
    precision, recall, f1 = _prf(*total)
    print(f"{'micro':<12} {total[0] + total[2]:>5} {total[0] + total[1]:>6} {total[0]:>4} "
          f"{total[1]:>4} {total[2]:>4} {precision:>9.3f} {recall:>7.3f} {f1:>6.3f}")
    return total[0], total[1], total[2], worst


def traps_right(items: list[dict], output: dict) -> None:
    """Items written as traps: right when all three topics are right."""
    classes: dict[str, list[bool]] = {}
    for item in items:
        if item.get("trap"):
            right = set(item["topics"]) == _predicted(output.get(item["id"], {}), "topics")
            classes.setdefault(item["trap"], []).append(right)
    if classes:
        print("\ntraps: " + ", ".join(f"{name} {sum(v)}/{len(v)}"
                                       for name, v in sorted(classes.items()))
              + f"; all {sum(sum(v) for v in classes.values())}/"
              f"{sum(len(v) for v in classes.values())}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="corpus folder with the labelled feeds")
    parser.add_argument("--items", type=Path, nargs="*", default=[HERE / "written_fr.jsonl"])
    parser.add_argument("--topics", help="rules file to evaluate (default: the shipped rules)")
    parser.add_argument("--min-f1", type=float, default=0.0)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every mistake")
    args = parser.parse_args()
    items = load_items(args.items) + (corpus_items(args.corpus) if args.corpus else [])
    output = run_veille_tag(items, args.topics)
    print(f"{len(items)} items ({sum(1 for i in items if not i['topics'])} about none "
          f"of the topics)")
    mistakes: list[str] = []
    worst = score_kind(items, output, "topics", mistakes)[3]
    for kind in ("subtopics", "entities"):
        score_kind(items, output, kind, mistakes)
    traps_right(items, output)
    if args.verbose:
        print("\n".join(["", *mistakes]))
    return 1 if worst < args.min_f1 else 0


if __name__ == "__main__":
    sys.exit(main())
