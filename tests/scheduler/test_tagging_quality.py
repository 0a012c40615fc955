"""Quality gate: tagging on every labelled set of bench/tagging must not fall below the
figures measured when the rules changed (bench/tagging/README.md, issue 14's note)."""

import json

import pytest

from scheduler.tagging.rules import load_rules
from scheduler.tagging.tagger import Tagger
from tests.helpers import ROOT

SETS = ROOT / "bench" / "tagging"
FILES = ["written_fr.jsonl", "blind_fr.jsonl", "blind2_fr.jsonl", "blind3_fr.jsonl"]


def _items(names):
    return [json.loads(line) for name in names
            for line in (SETS / name).read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="module")
def tagger():
    return Tagger(load_rules())


def _predict(tagger, items, kind):
    out = []
    for item in items:
        result = tagger.tag(item["title"], item["text"])
        out.append((set(item[kind]), {m.topic for m in result.tags if m.kind == {
            "topics": "topic", "subtopics": "subtopic", "entities": "entity"}[kind]}))
    return out


def _micro(pairs):
    tp = sum(len(gold & got) for gold, got in pairs)
    fp = sum(len(got - gold) for gold, got in pairs)
    fn = sum(len(gold - got) for gold, got in pairs)
    return tp / (tp + fp), tp / (tp + fn), 2 * tp / (2 * tp + fp + fn)


@pytest.mark.parametrize("topic", ["nato", "russia", "ukraine"])
def test_tagging_f1_per_topic_on_every_labelled_set(tagger, topic):
    pairs = _predict(tagger, _items(FILES), "topics")
    tp = sum(topic in gold and topic in got for gold, got in pairs)
    fp = sum(topic not in gold and topic in got for gold, got in pairs)
    fn = sum(topic in gold and topic not in got for gold, got in pairs)
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.96, f"{topic}: F1 {f1:.3f} (tp {tp}, fp {fp}, fn {fn})"


def test_tagging_micro_f1_and_traps(tagger):
    items = _items(FILES)
    precision, recall, f1 = _micro(_predict(tagger, items, "topics"))
    assert f1 >= 0.975 and precision >= 0.99, (precision, recall, f1)
    traps = [i for i in items if i.get("trap")]
    right = sum(set(i["topics"]) == got for i, (_, got) in
                zip(traps, _predict(tagger, traps, "topics"), strict=True))
    assert right >= 67 and len(traps) == 69, f"{right} of {len(traps)} traps right"


@pytest.mark.parametrize("kind, low", [("subtopics", 0.88), ("entities", 0.98)])
def test_subtopic_and_entity_precision_and_recall(tagger, kind, low):
    labelled = [i for i in _items(FILES) if kind in i]
    precision, recall, _ = _micro(_predict(tagger, labelled, kind))
    assert precision >= low and recall >= low, (kind, precision, recall)
