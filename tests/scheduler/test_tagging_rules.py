import pytest

from scheduler.tagging.rules import load_rules
from tests.helpers import run_veille
from veille.config import ConfigError

GOOD = """
[topics.nato]
threshold = 2
terms = ["OTAN", { term = "Rutte", weight = 2 }]
"""


def write(tmp_path, text):
    path = tmp_path / "topics.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_rules_shipped_default():
    rules = load_rules()
    assert set(rules.topic_names) >= {"nato", "russia", "ukraine"}
    assert len(rules.version) == 12


def test_load_rules_version_changes_with_content(tmp_path):
    first = load_rules(write(tmp_path, GOOD)).version
    second = load_rules(write(tmp_path, GOOD.replace("threshold = 2", "threshold = 3"))).version
    assert first != second


@pytest.mark.parametrize("text,needle", [
    (GOOD.replace("threshold = 2", "threshold = 2\ncolour = 'red'"), "topic 'nato', key 'colour'"),
    (GOOD.replace('"OTAN"', '"  "'), "topic 'nato', key 'terms': empty term"),
    (GOOD.replace("threshold = 2", "threshold = -1"), "topic 'nato', key 'threshold'"),
    (GOOD.replace("threshold = 2", "threshold = 5000"), "topic 'nato', key 'threshold'"),
    (GOOD.replace("threshold = 2", "threshold = 'high'"), "key 'threshold': expected a number"),
    (GOOD + 'patterns = ["(unclosed"]\n', "key 'patterns': regular expression"),
    ("[topics.nato]\nterms = ['OTAN']\n", "key 'threshold': missing required key"),
    ("[scoring]\ntitle_weight = 3\n", "no topics defined"),
    ("[topics.nato\n", "invalid TOML"),
])
def test_load_rules_rejects_bad_files(tmp_path, text, needle):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_rules(path)
    assert str(path) in str(info.value)
    assert needle in str(info.value)


def test_cli_exits_2_on_bad_rules_file(tmp_path):
    path = write(tmp_path, GOOD.replace("threshold = 2", "threshold = 2\nunknown = 1"))
    result = run_veille("--db", str(tmp_path / "x.db"), "--topics", str(path), "crawl")
    assert result.returncode == 2
    assert "topic 'nato', key 'unknown'" in result.stderr
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("text,needle", [
    (GOOD + "[subtopics.x]\nthreshold = 1\nterms = ['a']\nparents = ['nope']\n",
     "sub-topic 'x', key 'parents'"),
    (GOOD + "[entities.x]\nterms = ['a']\ntype = 'planet'\n", "entity 'x', key 'type'"),
    (GOOD + "[contexts.sport]\nthreshold = 2\nterms = ['match']\nsuppresses = ['nope']\n",
     "context 'sport', key 'suppresses': unknown topic 'nope'"),
    (GOOD + "[entities.nato]\nterms = ['a']\ntype = 'person'\n", "'nato': a name is used twice"),
    (GOOD.replace('"OTAN"', '{ term = "OTAN", weight = 0 }'), "key 'terms': weight must be"),
    (GOOD + "[topics.Bad-Name]\nthreshold = 1\nterms = ['a']\n", "topic 'Bad-Name'"),
])
def test_load_rules_rejects_bad_subtopics_entities_and_contexts(tmp_path, text, needle):
    with pytest.raises(ConfigError) as info:
        load_rules(write(tmp_path, text))
    assert needle in str(info.value)


def test_cli_topics_prints_the_rules_in_force():
    result = run_veille("topics")
    assert result.returncode == 0
    for expected in ("Thèmes :", "nato — OTAN (seuil 3)", "Contextes :", "Sous-thèmes :",
                     "diplomatie — Diplomatie et négociations", "Entités :", "Version :"):
        assert expected in result.stdout
