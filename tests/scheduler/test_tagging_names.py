"""Round two of the tagging rules: names that mean something else, capitals that act for
their country, words implied by another topic, and the Alliance unnamed."""

import pytest

from scheduler.tagging.describe import describe, render_rules
from scheduler.tagging.places import place_lists
from scheduler.tagging.rules import load_rules, parse_rules
from scheduler.tagging.tagger import Tagger
from tests.helpers import ROOT
from veille.config import ConfigError, read_toml

LONG = ("Le conseil municipal a débattu du budget de l'année prochaine, marqué par la hausse "
        "des coûts et des dépenses de personnel. ") * 40


@pytest.fixture(scope="module")
def tagger():
    return Tagger(load_rules())


def tagged(tagger, title, text=""):
    result = tagger.tag(title, text)
    return {m.topic for m in result.tags}


def ignored(tagger, title, text=""):
    """Every set-aside form with its reason, over all tags found."""
    result = tagger.tag(title, text)
    return [reason for m in result.tags + result.not_tagged for e in m.evidence
            for reason in e.get("ignored", [])]


# -- compound names ---------------------------------------------------------------

@pytest.mark.parametrize("title", [
    "Le Kremlin-Bicêtre inaugure sa médiathèque",
    "Hôpital du Kremlin-Bicêtre : les urgences saturées",
    "Paris : la rue de Moscou fermée pour travaux",
    "Incendie près du métro Crimée dans le 19e arrondissement",
    "Boulevard de Sébastopol : une piste cyclable élargie",
])
def test_a_topic_word_inside_a_longer_name_is_not_the_topic(tagger, title):
    assert tagged(tagger, title) & {"russia", "ukraine", "moscou", "crimee"} == set()
    assert any("partie du nom" in reason for reason in ignored(tagger, title))


def test_places_joined_by_a_hyphen_each_count(tagger):
    assert "russia" in tagged(tagger, "L'axe Moscou-Pékin se renforce")
    assert {"nato", "russia"} <= tagged(tagger, "Le conseil Otan-Russie ne se réunit plus")


# -- homonyms ---------------------------------------------------------------------

@pytest.mark.parametrize("title, text", [
    ("À Odessa, au Texas, une fusillade fait sept morts",
     "La police d'Odessa a identifié le tireur."),
    ("Saint-Pétersbourg, sur la côte de Floride, attend l'ouragan", ""),
    ("Sebastopol, en Californie, interdit les souffleuses à feuilles", ""),
    ("Moscou, petite ville de l'Idaho, sous le choc", ""),
])
def test_a_homonym_placed_elsewhere_is_set_aside_everywhere_in_the_text(tagger, title, text):
    found = tagged(tagger, title, text)
    assert found & {"russia", "ukraine", "odessa", "moscou"} == set()
    assert any("placé ailleurs" in reason for reason in ignored(tagger, title, text))


def test_a_homonym_with_nothing_placing_it_elsewhere_is_its_topic(tagger):
    assert {"ukraine", "odessa"} <= tagged(tagger, "Odessa : une frappe de drones sur le port")
    # the topic's own country never places its names elsewhere
    assert "ukraine" in tagged(tagger, "Odessa, en Ukraine, sous les drones")
    # a common word spelled like a département places nothing ("une somme", not "la Somme")
    assert "russia" in tagged(tagger, "Moscou verse une somme record à ses soldats")


# -- capitals acting for their country ----------------------------------------------

@pytest.mark.parametrize("title, text, topic", [
    ("Câble sous-marin : nouvelle avarie en Baltique", "Moscou dément toute implication.",
     "russia"),
    ("Missiles Taurus : le feu vert de Berlin", "Kiev salue la décision allemande.",
     "ukraine"),
    ("Avoirs gelés : la riposte", "Les mesures prises par Moscou visent les banques.",
     "russia"),
    ("Force de réassurance", "Le Kremlin prévient qu'il répondra.", "russia"),
])
def test_a_capital_that_acts_in_a_short_text_is_its_country(tagger, title, text, topic):
    result = tagger.tag(title, text)
    assert topic in {m.topic for m in result.topics}
    match = next(m for m in result.topics if m.topic == topic)
    assert any("acteur" in why for e in match.evidence for why in e.get("why", []))


@pytest.mark.parametrize("title, text", [
    ("Concert : un pianiste en tournée", "Il a joué à Moscou l'an dernier."),
    ("Baltes : des bataillons de plus", "Ils veulent dissuader Moscou."),
    ("Chauffage : comment réduire sa facture", LONG + "La guerre menée par Moscou. " + LONG),
])
def test_a_capital_named_as_a_place_an_object_or_in_passing_is_a_term(tagger, title, text):
    assert "russia" not in tagged(tagger, title, text)


# -- implied terms and the Alliance unnamed ------------------------------------------

def test_strikes_in_a_text_about_ukraine_say_who_struck(tagger):
    result = tagger.tag("Kharkiv : une bombe planante tue trois personnes", "")
    russia = next(m for m in result.topics if m.topic == "russia")
    assert any("ukraine" in why for e in russia.evidence for why in e.get("why", []))
    assert "russia" not in tagged(tagger, "Gaza : nouvelles frappes israéliennes", "")


@pytest.mark.parametrize("title, text", [
    ("L'Alliance renforce sa présence en mer Baltique", ""),
    ("La Suède hisse son drapeau au siège de l'Alliance", ""),
    ("Les Alliés s'engagent à 5 % du PIB", "L'objectif adopté au sommet de La Haye."),
    ("Article 5 : que prévoit la clause de défense collective ?", ""),
    ("Des Rafale reprennent la police du ciel balte", ""),
])
def test_nato_unnamed_is_nato(tagger, title, text):
    assert "nato" in tagged(tagger, title, text)


def test_the_allies_of_today_are_nato_those_of_1944_are_not(tagger):
    assert "nato" in tagged(tagger, "Les Alliés divisés sur le calendrier des dépenses", "")
    result = tagger.tag("Débarquement : les Alliés honorés à Omaha Beach",
                        "Les vétérans de 1944 étaient présents.")
    assert "nato" not in {m.topic for m in result.topics}
    assert result.suppressed == {"nato": "histoire"}


@pytest.mark.parametrize("title, text", [
    ("L'Alliance des démocrates remporte les législatives partielles", ""),
    ("Renault, Nissan et Mitsubishi réorganisent leur Alliance", ""),
    ("L'Alliance française de Lima fête ses 130 ans", ""),
    ("Débarquement : les vétérans alliés honorés", "Les Alliés avaient débarqué en 1944."),
    ("Article 5 du règlement : le Conseil constitutionnel censure", ""),
    ("Budget : les alliés du gouvernement menacent", ""),
])
def test_other_alliances_and_articles_are_not_nato(tagger, title, text):
    assert "nato" not in tagged(tagger, title, text)


def test_culture_and_cuisine_are_not_geopolitics_unless_the_text_says_more(tagger):
    assert tagged(tagger, "Ballet : « Casse-Noisette » par une troupe de Kiev",
                  "Le spectacle, en tournée, est donné vingt fois.") & {"ukraine"} == set()
    assert "ukraine" in tagged(tagger, "Ballet : une troupe de Kiev en tournée",
                               "Le spectacle est donné malgré la guerre et les alertes.")
    assert tagged(tagger, "Recette : la charlotte russe", "Un dessert de fête.") == set()


def test_not_tagged_topics_show_their_evidence_and_why(tagger):
    details = describe(tagger.tag("Odessa, dans le Texas : une fusillade", "")).details
    assert "ukraine" in details["not_tagged"]
    evidence = details["not_tagged"]["ukraine"][0]
    assert evidence["ignored"] and "Texas" in evidence["ignored"][0]


def test_veille_topics_describes_the_new_rules():
    text = render_rules(load_rules())
    for words in ("acteurs (valent le pays)", "impliqués, à côté de ukraine",
                  "Lecture des noms", "homonymes", "seuls à 2 termes différents"):
        assert words in text


# -- rules file checks ------------------------------------------------------------

BASE = {"topics": {"russia": {"threshold": 3.0, "terms": ["Russie"]},
                   "ukraine": {"threshold": 3.0, "terms": ["Ukraine", "Odessa"]}}}


@pytest.mark.parametrize("change, words", [
    ({"homonyms": {"x": {"terms": ["Odessa"], "near": ["@nowhere"]}}}, "unknown list '@nowhere'"),
    ({"homonyms": {"x": {"terms": ["Paris"], "near": ["Texas"]}}}, "not a term"),
    ({"homonyms": {"x": {"terms": ["Odessa"]}}}, "missing required key"),
    ({"topics": {**BASE["topics"], "russia": {"threshold": 3.0, "terms": ["Russie"],
                                               "implied": ["frappe"]}}}, "implied_by"),
    ({"topics": {**BASE["topics"], "russia": {"threshold": 3.0, "terms": ["Russie"],
                                               "implied": ["frappe"],
                                               "implied_by": ["russia"]}}}, "implied_by"),
    ({"topics": {**BASE["topics"], "russia": {"threshold": 3.0, "terms": ["Moscou"],
                                               "actors": ["Moscou"]}}}, "under actors"),
    ({"scoring": {"subtopic_share": 1.5}}, "between 0 and 1"),
    ({"reading": {"actor_weight": 0}}, "actor_weight"),
    ({"reading": {"colour": "red"}}, "colour"),
    ({"topics": {**BASE["topics"], "russia": {"threshold": 3.0, "terms": [
        {"term": "Russie", "not_before": [""]}]}}}, "not_before"),
    ({"topics": {**BASE["topics"], "russia": {"threshold": 3.0, "terms": ["r*"]}}},
     "two letters"),
    ({"topics": {**BASE["topics"], "russia": {"threshold": 3.0, "terms": [
        {"term": "Russie", "proper": True}, "russie"]}}}, "one term once case"),
])
def test_mistakes_in_the_new_keys_are_named(change, words):
    with pytest.raises(ConfigError) as info:
        parse_rules("rules.toml", {**BASE, **change})
    assert words in str(info.value)


def test_places_file_is_what_pycountry_gives():
    pycountry = pytest.importorskip("pycountry")
    from scheduler.tagging.places import build

    assert pycountry and build() == {k: list(v) for k, v in place_lists().items()}
    lists = place_lists()
    assert {"Texas", "Floride", "Idaho", "Californie"} <= set(lists["us_states"])
    assert {"Val-de-Marne", "Somme"} <= set(lists["departements"])
    assert "Washington" not in lists["us_states"]  # also a capital a Russia text names


def test_shipped_rules_parse_with_their_lists():
    data = read_toml(str(ROOT / "veille" / "data" / "topics.toml"))
    rules = parse_rules("topics.toml", data)
    assert rules.homonyms and rules.reading.actor_after
    assert "Texas" in rules.homonyms[0].near
