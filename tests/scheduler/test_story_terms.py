"""What stories are matched on: terms of the title and lead, names, and event days."""

from __future__ import annotations

import pytest

from scheduler.stories import terms

PUBLISHED = "2026-11-04T07:30:00+00:00"  # a Wednesday


def test_title_and_lead_lemmas_names_of_the_whole_text_and_entities():
    lead = ("Une attaque de drones russes a frappé Kharkiv dans la nuit, faisant trois morts "
            "selon le gouverneur.")
    body = " ".join(["Les secouristes ont travaillé toute la matinée."] * 8)
    found = terms.story_terms("Trois morts à Kharkiv", f"{lead}\n{body} Un immeuble du "
                              "quartier de Saltivka a été touché.", ["kharkiv"], PUBLISHED)
    assert {"drone", "kharkiv", "saltivka", "gouverneur", "@kharkiv"} <= set(found.weights)
    # grammatical words and the verbs of every story are not evidence of one event
    assert not {"les", "dans", "selon", "annoncer"} & set(found.weights)
    # a name is worth more than a common word, and the entity half of its name
    assert found.weights["saltivka"] > found.weights["gouverneur"]
    assert found.weights["@kharkiv"] < found.weights["kharkiv"]


def test_a_capital_at_the_start_of_a_sentence_is_not_a_name():
    lead = "Les secouristes ont travaillé toute la matinée. " * 8  # past the lead
    found = terms.story_terms(None, lead + "Quelques heures plus tard, les sirènes de "
                              "Tchouhouïv ont retenti. Ensuite, la ville a été privée de courant.")
    assert "tchouhouiv" in found.weights
    assert not {"ensuite", "quelques"} & set(found.weights)


def test_numbers_of_the_title_are_terms():
    found = terms.story_terms("Un 20e paquet de sanctions contre la Russie, 120 navires visés",
                              "Texte.")
    assert {"#120"} <= set(found.weights)


@pytest.mark.parametrize(("lead", "day"), [
    ("dans la nuit de lundi à mardi, des drones ont frappé la ville", "2026-11-03"),
    ("Mardi soir, une explosion a retenti", "2026-11-03"),
    ("Ce lundi, les ministres se sont réunis", "2026-11-02"),
    ("Le 2 novembre, Moscou a annoncé", "2026-11-02"),
    ("Au lendemain de la frappe, les secours cherchent encore", "2026-11-03"),
])
def test_event_days_are_read_from_the_lead(lead, day):
    assert terms.story_terms(None, lead, published=PUBLISHED).days == {f"!{day}"}


def test_no_event_day_without_a_publication_date_or_a_far_date():
    assert not terms.story_terms(None, "Mardi soir, une explosion", published=None).days
    # a date more than ten days away is history, not the day of the event
    assert not terms.story_terms(None, "Le 24 février, la Russie a envahi l'Ukraine",
                                 published=PUBLISHED).days


def test_a_term_many_stored_articles_share_is_worth_less():
    rare, common = terms.weight(6.0, 2, 10_000), terms.weight(6.0, 5_000, 10_000)
    assert rare > common > 6.0 * 0.3
    # a young database does not lower anything yet
    assert terms.weight(6.0, 10, terms.SHARED_FROM - 1) == 6.0
