"""The analysis the extraction workers run for the scheduler: tags and story features,
the same as the storing process would compute."""

import pickle

import pytest

from scheduler.analysis import PageAnalysisFactory, tagger_for
from scheduler.stories.assign import StoryPreparer
from scheduler.tagging.rules import load_rules
from veille.model import Extracted

TEXT = ("KIEV, 3 novembre (AFP) - L'armée russe a frappé dans la nuit de dimanche à lundi le "
        "réseau électrique de la région de Kharkiv, a annoncé le gouverneur Oleh Synehoubov. "
        "Des coupures touchent 200 000 foyers. " * 4)


def extracted(title="Frappes russes sur Kharkiv", published=None):
    return Extracted(title, TEXT, "AFP", published, "Le Monde", None, None, "utf-8")


@pytest.mark.parametrize("title, at", [
    ("Frappes russes sur Kharkiv", "2026-11-03T08:00:00Z"),  # a date from the feed
    ("Le titre du flux, autre que la page", "2026-11-03T08:00:00Z"),  # a title from the feed
])
def test_worker_features_completed_equal_what_the_storing_process_computes(title, at):
    analysis = PageAnalysisFactory(load_rules())()(extracted())
    entities = [t.topic for t in analysis.tags.tags if t.kind == "entity"]
    preparer = StoryPreparer()
    completed = preparer.complete(pickle.loads(pickle.dumps(analysis.story)), title, entities,
                                  at)
    direct = preparer.prepare(title, TEXT, "AFP", None, entities, at)
    assert completed == direct
    assert completed.terms.days  # "dans la nuit de dimanche à lundi" read against the date
    assert completed.wire == "afp" and completed.fingerprint is not None


def test_the_factory_is_picklable_and_builds_one_tagger_per_rules():
    rules = load_rules()
    factory = pickle.loads(pickle.dumps(PageAnalysisFactory(rules)))
    assert tagger_for(rules) is tagger_for(factory.rules)
    result = factory()(extracted())
    assert {"russia", "ukraine"} <= {m.topic for m in result.tags.topics}


def test_search_words_from_the_worker_are_the_index_words():
    from veille.text import lemma_words

    search = PageAnalysisFactory(load_rules())()(extracted()).search
    assert search.title == "Frappes russes sur Kharkiv"
    assert search.text_words == " ".join(lemma_words(TEXT))
    assert "frapper" in search.title_words.split() or "frappe" in search.title_words.split()


def test_the_workers_content_hash_is_the_storing_processs():
    from scheduler.dedup.content import content_hash

    analysis = PageAnalysisFactory(load_rules())()(extracted())
    assert analysis.content_hash == content_hash(TEXT)
    assert analysis.content_hash == content_hash(TEXT.upper().replace("é", "e\u0301"))


DISPATCH = ("L'Otan a tenu mardi à Bruxelles une réunion de ses ministres de la Défense. "
            "Les Alliés ont promis des systèmes de défense aérienne supplémentaires à Kiev. "
            "Le secrétaire général a salué un effort sans précédent depuis 2022. "
            "Plusieurs pays nordiques annoncent des livraisons avant la fin de l'année. "
            "La Hongrie a de nouveau exprimé ses réserves sur le calendrier retenu.")


@pytest.mark.parametrize("text", [f"BRUXELLES, 4 novembre (AFP) - {DISPATCH}", DISPATCH])
def test_features_from_the_words_hashed_equal_those_read_again(text):
    """The worker folds a text's words once, for its content hash and (when no credit line
    comes off it) its shingles: the features are those of a fresh preparation."""
    from scheduler.dedup.content import content_hash

    preparer = StoryPreparer()
    page = Extracted("Frappes russes sur Kharkiv", text, None, None, "Le Monde", None, None,
                     "utf-8")
    analysis = PageAnalysisFactory(load_rules())()(page)
    entities = [t.topic for t in analysis.tags.tags if t.kind == "entity"]
    assert analysis.story == preparer.prepare(page.title, text, None, None, entities, None)
    assert analysis.content_hash == content_hash(text)
    assert analysis.story.fingerprint is not None
    assert (preparer.wires.strip_credits(text) == text) == (text == DISPATCH)
