"""Extraction and language quality on a corpus folder (e.g. ../shared/corpus).

For each page with an expected extraction, compares veille's extracted text with
it: word-level precision/recall/F1 against full expected texts, and the share of
"must contain" / "must not contain" snippets for partial expectations. Also
checks the language decision (French kept, others rejected) on every page.

    python bench/eval_extraction.py ../shared/corpus [--baseline 0.90]

Exits 1 when the mean score falls below --baseline.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.extract import DEFAULT_OPTIONS, ExtractionOptions, extract
from crawler.language import SAMPLE_CHARS, detect_language


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def prf(predicted: str, gold: str) -> tuple[float, float, float]:
    p, g = words(predicted), words(gold)
    overlap = sum((p & g).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision, recall = overlap / sum(p.values()), overlap / sum(g.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def expectation(corpus: Path, stem: str) -> tuple[str, object] | None:
    txt, page, js = (corpus / f"{stem}.expected.txt", corpus / f"{stem}.expected.html",
                     corpus / f"{stem}.expected.json")
    if txt.exists():
        lines = txt.read_text(encoding="utf-8").splitlines()
        return "full", "\n".join(lines[1:])  # the first line is the title
    if page.exists():
        return "full", html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))
    if js.exists():
        data = json.loads(js.read_text(encoding="utf-8"))
        if "with" in data:
            return "snippets", data
    return None


def norm(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").replace("\u00ad", "").split())


def score_corpus(corpus: Path, options: ExtractionOptions = DEFAULT_OPTIONS,
                 sample_chars: int = SAMPLE_CHARS,
                 show: bool = True) -> tuple[float, int, int, int]:
    """(mean extraction score, pages scored, language decisions right, pages)."""
    scores: list[float] = []
    language_errors = 0
    pages = sorted(p for p in corpus.glob("*.html") if ".expected" not in p.name)
    for path in pages:
        stem = path.name[:-5]
        is_french = not stem.startswith("neg-")
        extracted = extract(path.read_bytes(), f"https://example.org/{stem}", None, options)
        text = extracted.text if extracted else ""
        language = detect_language(text, sample_chars).code if text else "und"
        kept = language == "fr"
        if kept != is_french:
            language_errors += 1
            if show:
                print(f"LANGUAGE {stem}: detected {language}")
        expected = expectation(corpus, stem)
        if expected is None or not is_french:
            continue
        kind, gold = expected
        if kind == "full":
            precision, recall, f1 = prf(text, str(gold))
            scores.append(f1)
            line = f"{f1:5.2f}  {stem:55} P {precision:.2f} R {recall:.2f}"
        else:
            flat = norm(text)
            with_ = [s for s in gold["with"] if norm(s) not in flat]  # type: ignore[index]
            without = [s for s in gold.get("without", []) if norm(s) in flat]  # type: ignore[union-attr]
            n_with, n_without = len(gold["with"]), len(gold.get("without", []))  # type: ignore[index, union-attr]
            score = ((1 - len(with_) / max(1, n_with)) + (1 - len(without) / max(1, n_without))) / 2
            scores.append(score)
            detail = (f" missing {with_}" if with_ else "") + (f" boilerplate {without}"
                                                                 if without else "")
            line = f"{score:5.2f}  {stem:55}{detail[:150]}"
        if show:
            print(line)
    mean = sum(scores) / len(scores) if scores else 0.0
    return mean, len(scores), len(pages) - language_errors, len(pages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--baseline", type=float, default=0.0,
                        help="fail when the mean extraction score is below this")
    args = parser.parse_args()
    mean, scored, right, pages = score_corpus(args.corpus)
    print(f"\nextraction: mean score {mean:.3f} over {scored} French pages with expectations")
    print(f"language: {right}/{pages} pages kept or rejected correctly")
    return 1 if mean < args.baseline or right < pages else 0


if __name__ == "__main__":
    sys.exit(main())
