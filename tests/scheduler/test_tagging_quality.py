"""Quality gate: tagging F1 on the labelled set written for veille must not fall below 0.95."""

import json

import pytest

from scheduler.tagging.rules import load_rules
from scheduler.tagging.tagger import Tagger
from tests.helpers import ROOT

ITEMS = ROOT / "bench" / "tagging" / "written_fr.jsonl"


@pytest.fixture(scope="module")
def predictions():
    tagger = Tagger(load_rules())
    items = [json.loads(line) for line in ITEMS.read_text(encoding="utf-8").splitlines()]
    return [(set(i["topics"]), {m.topic for m in tagger.tag(i["title"], i["text"]).topics})
            for i in items]


@pytest.mark.parametrize("topic", ["nato", "russia", "ukraine"])
def test_tagging_f1_on_labelled_set_stays_above_baseline(predictions, topic):
    tp = sum(topic in gold and topic in got for gold, got in predictions)
    fp = sum(topic not in gold and topic in got for gold, got in predictions)
    fn = sum(topic in gold and topic not in got for gold, got in predictions)
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.95, f"{topic}: F1 {f1:.3f} (tp {tp}, fp {fp}, fn {fn})"
