"""Speed against quality for each extraction option, on a corpus folder.

    python bench/extraction_options.py ../shared/corpus [--rounds 7]

For each set of options: the mean extraction score and language decisions of
bench/eval_extraction.py, the pages whose title and date were found, the pages whose
extraction differs from the shipped options' in any field, and the CPU
milliseconds per page of extraction + language detection in one process (the best of
--rounds passes over every page, interleaved: the machine's speed varies, and a
neighbour only ever adds time). Changes that hold for every row (langdetect's table,
lxml.html's class lookup in C) are not options: they show in the figures of all rows.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.eval_extraction import score_corpus
from crawler.extract import DEFAULT_OPTIONS, ExtractionOptions, extract
from crawler.language import SAMPLE_CHARS, detect_language
from veille.model import Extracted

ALWAYS = None  # compare_below: trafilatura compares every page with readability, jusText

CONFIGS: list[tuple[str, ExtractionOptions, int]] = [
    ("before issue 15: every page compared, categories read, language on 2,400 chars",
     ExtractionOptions(compare_below=ALWAYS, unused_metadata=True, one_pass_author=False,
                       python_paths=False), 2400),
    ("every page compared, categories read, language on 1,200 chars",
     ExtractionOptions(compare_below=ALWAYS, unused_metadata=True, one_pass_author=False,
                       python_paths=False), 1200),
    ("compared when it can change the text, categories read",
     ExtractionOptions(unused_metadata=True, one_pass_author=False, python_paths=False),
     SAMPLE_CHARS),
    ("compared when it can change the text, trafilatura's author search (stop 20)",
     ExtractionOptions(one_pass_author=False, python_paths=False), SAMPLE_CHARS),
    ("compared when it can change the text, trafilatura's pruning queries (stop 21)",
     ExtractionOptions(python_paths=False), SAMPLE_CHARS),
    ("compared when it can change the text (shipped)", ExtractionOptions(), SAMPLE_CHARS),
    ("no fallback", ExtractionOptions(fallback=False), SAMPLE_CHARS),
    ("no fallback, language 600", ExtractionOptions(fallback=False), 600),
    ("no precision pass", ExtractionOptions(precision=False), SAMPLE_CHARS),
    ("no metadata", ExtractionOptions(metadata=False), SAMPLE_CHARS),
    ("trafilatura.extract defaults-like",
     ExtractionOptions(precision=False, metadata=False, compare_below=ALWAYS), SAMPLE_CHARS),
]


def cpu_ms(bodies: list[bytes], options: ExtractionOptions, sample_chars: int) -> float:
    start = time.process_time()
    for i, body in enumerate(bodies):
        extracted = extract(body, f"https://example.org/{i}", None, options)
        if extracted is not None:
            detect_language(extracted.text, sample_chars)
    return (time.process_time() - start) * 1000 / len(bodies)


def outputs(bodies: list[bytes], options: ExtractionOptions) -> list[Extracted | None]:
    return [extract(body, f"https://example.org/{i}", None, options)
            for i, body in enumerate(bodies)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    bodies = [p.read_bytes() for p in sorted(args.corpus.glob("*.html"))
              if ".expected" not in p.name]
    cpu_ms(bodies[:5], ExtractionOptions(), SAMPLE_CHARS)  # warm up
    timings: dict[str, list[float]] = {name: [] for name, _, _ in CONFIGS}
    for _ in range(args.rounds):
        for name, options, chars in CONFIGS:
            timings[name].append(cpu_ms(bodies, options, chars))
    base = min(timings[CONFIGS[0][0]])
    print(f"{len(bodies)} pages; CPU ms per page, best of {args.rounds} interleaved passes\n")
    print("| options | ms/page | × speed | extraction score | language | titles | dates "
          "| pages unlike shipped |")
    print("|---|---|---|---|---|---|---|---|")
    shipped = outputs(bodies, DEFAULT_OPTIONS)
    for name, options, chars in CONFIGS:
        ms = min(timings[name])
        mean, scored, right, pages = score_corpus(args.corpus, options, chars, show=False)
        results = outputs(bodies, options)
        titles = sum(bool(r and r.title) for r in results)
        dates = sum(bool(r and r.published_at) for r in results)
        unlike = sum(r != s for r, s in zip(results, shipped, strict=True))
        print(f"| {name} | {ms:.1f} | {base / ms:.2f} | {mean:.3f} ({scored}) | "
              f"{right}/{pages} | {titles} | {dates} | {unlike} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
