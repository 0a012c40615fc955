import pytest

from scheduler.rules import load_rules
from scheduler.tagging import Tagger

PARAGRAPH = ("Le conseil municipal a voté le budget de la piscine intercommunale après un "
             "long débat sur les horaires d'ouverture et le prix des abonnements. ")


@pytest.fixture(scope="module")
def tagger():
    return Tagger(load_rules())


def topics(tagger, title, text=""):
    return {m.topic for m in tagger.tag(title, text).topics}


@pytest.mark.parametrize("title,topic", [
    ("Les Russes votent à Moscou", "russia"),
    ("les russes votent", "russia"),
    ("Des familles ukrainiennes accueillies", "ukraine"),
    ("Frappes sur Kyïv cette nuit", "ukraine"),
    ("Frappes sur KYIV cette nuit", "ukraine"),
    ("Le sommet de l'Otan à La Haye", "nato"),
    ("L'OTAN renforce son flanc est", "nato"),
    ("Réunion de l'Alliance atlantique", "nato"),
    ("Le rôle de l'Organisation du traité de l'Atlantique Nord", "nato"),
    ("Le Kremlin dément", "russia"),
    ("Poutine reçoit son homologue", "russia"),
    ("Zelensky à Washington", "ukraine"),
])
def test_tag_matches_forms_case_and_accents(tagger, title, topic):
    assert topic in topics(tagger, title)


@pytest.mark.parametrize("title", [
    "Le parc inaugure de nouvelles montagnes russes",
    "Recette : la salade russe de ma grand-mère",
    "Une partie de roulette russe à la Bourse",
    "Le poulet à la Kiev, un classique des brasseries",
])
def test_tag_ignores_false_friends(tagger, title):
    assert topics(tagger, title, PARAGRAPH * 3) == set()


def test_tag_requires_more_than_a_passing_mention(tagger):
    text = PARAGRAPH * 10 + "Le maire a évoqué la guerre en Ukraine. " + PARAGRAPH * 10
    assert topics(tagger, "Piscine : le budget voté", text) == set()


def test_tag_title_mention_is_enough(tagger):
    assert topics(tagger, "L'Ukraine au cœur du budget", PARAGRAPH * 5) == {"ukraine"}


def test_tag_records_evidence_by_zone(tagger):
    title = "Kyiv : les Ukrainiens sous les drones"
    text = "Les ukrainiennes et les ukrainiens de Kyïv se préparent.\n" + PARAGRAPH * 10 + "Kiev."
    match = next(m for m in tagger.tag(title, text).topics if m.topic == "ukraine")
    evidence = {e["term"]: e for e in match.evidence}
    assert evidence["ukrainien"]["title"] == 1
    assert evidence["ukrainien"]["lead"] == 2
    assert set(evidence["ukrainien"]["forms"]) == {"Ukrainiens", "ukrainiennes", "ukrainiens"}
    assert evidence["Kiev"]["body"] == 1
    assert match.score == pytest.approx(sum(
        e["weight"] * (3 * e["title"] + 2 * e["lead"] + e["body"]) for e in match.evidence))
