"""Copies, wires and stories, decided on a real database for the articles of the labelled
set (bench/stories/, written for veille) and for the bad inputs of the stories issue."""

from __future__ import annotations

import pytest

from scheduler.dedup import near
from scheduler.stories.assign import StoryDesk
from scheduler.stories.restory import restory
from storage import stories as store
from storage.articles import store_revision
from storage.db import open_db, transaction
from tests.storyset import labelled, put, put_labelled
from veille.times import utc_iso

KHARKIV = ["kharkiv-drones-dispatch", "kharkiv-drones-lefigaro", "kharkiv-drones-20minutes",
           "kharkiv-drones-lepoint", "kharkiv-drones-ouestfrance", "kharkiv-drones-ladepeche"]


def test_republications_of_a_dispatch_are_copies_of_it_in_its_story(db):
    found = put_labelled(db, StoryDesk(db), *KHARKIV)
    dispatch = found["kharkiv-drones-dispatch"]
    assert dispatch.copy_of is None and dispatch.wire == "afp" and dispatch.signal == "first"
    for item_id in KHARKIV[1:]:  # new headline, credit, cut to 60 % or 45 %, a paragraph out
        copy = found[item_id]
        assert copy.copy_of == dispatch.id, item_id
        assert copy.story_id == dispatch.story_id
        assert copy.signal == "copy" and copy.evidence["containment"] >= 0.5
    # the copy that dropped the dateline and every credit still is the AFP's
    assert found["kharkiv-drones-ladepeche"].wire == "afp"
    facts = store.story_facts(db, dispatch.story_id)
    assert (facts.outlets, facts.articles) == (6, 6)
    assert facts.title == labelled()["kharkiv-drones-dispatch"]["title"]


def test_one_desk_for_a_run_decides_as_a_new_desk_for_each_article(db, tmp_path):
    """The desk keeps stored articles' shingles between items: the same decisions as
    reading every stored text again, and a rolled-back article is never read from it."""
    ids = [*KHARKIV, "kharkiv-drones-lemonde-original", "eu-sanctions-20-dispatch",
           "eu-sanctions-20-lepoint"]
    kept = put_labelled(db, StoryDesk(db), *ids)
    other = open_db(tmp_path / "fresh.db")
    fresh = {}
    for n, item_id in enumerate(ids):
        item = labelled()[item_id]
        fresh[item_id] = put(other, StoryDesk(other), n, item["title"],
                             "\n".join(item["paragraphs"]), item["published"],
                             outlet=item["outlet"], author=item["author"])
    assert kept == fresh
    # What the desk keeps is keyed by the text too: an id given to another text (a
    # revision, an insert rolled back and its id reused) is shingled afresh.
    desk = StoryDesk(db)
    stored = put_labelled(db, desk, "eu-sanctions-20-lepoint")["eu-sanctions-20-lepoint"]
    other = "Un tout autre texte, sur la pêche en Bretagne et les quotas de l'année."
    assert set(desk.stored_shingles(stored.id, other)) == near.shingles(other)


def test_a_copy_of_a_copy_points_to_the_first_of_its_group(db):
    found = put_labelled(db, StoryDesk(db), "kharkiv-drones-lefigaro", "kharkiv-drones-dispatch",
                         "kharkiv-drones-ouestfrance")
    first = found["kharkiv-drones-lefigaro"].id
    assert found["kharkiv-drones-dispatch"].copy_of == first
    assert found["kharkiv-drones-ouestfrance"].copy_of == first


def test_independent_reporting_joins_the_story_and_says_why(db):
    found = put_labelled(db, StoryDesk(db), "kharkiv-drones-dispatch",
                         "kharkiv-drones-lemonde-original", "kharkiv-drones-lexpress-false_friend")
    dispatch, own = found["kharkiv-drones-dispatch"], found["kharkiv-drones-lemonde-original"]
    assert own.story_id == dispatch.story_id and own.copy_of is None and own.wire is None
    assert own.signal == "title_lead"
    assert own.evidence["score"] > 0.2 and "saltivka" in own.evidence["shared_terms"]
    # it quotes the AFP and carries an AFP photo: in the story, not an AFP copy
    quoting = found["kharkiv-drones-lexpress-false_friend"]
    assert quoting.story_id == dispatch.story_id and quoting.wire is None
    assert quoting.copy_of is None


def test_a_candidate_weighed_in_a_young_database_is_weighed_again_once(db):
    desk = StoryDesk(db)
    dispatch = put_labelled(db, desk, "kharkiv-drones-dispatch")["kharkiv-drones-dispatch"]
    for n in range(1, 25):  # the database grows past the size where words lose worth
        put(db, desk, 100 + n, f"Budget voté à Vierzon-{n}",
            f"Le conseil municipal de la commune numéro {n} a voté son budget annuel, "
            f"avec {n} abstentions et une longue discussion sur les écoles.",
            "2026-11-03T12:00:00+00:00", outlet=f"local{n}")

    def counted() -> int:
        return db.execute("SELECT counted FROM article_terms WHERE article_id = ?",
                          [dispatch.id]).fetchone()[0]

    assert counted() == 0
    own = put_labelled(db, desk, "kharkiv-drones-lemonde-original")
    assert own["kharkiv-drones-lemonde-original"].story_id == dispatch.story_id
    assert counted() == 25  # weighed again as the database now counts it, and kept so


def test_two_events_in_one_city_two_days_apart_are_two_stories(db):
    found = put_labelled(db, StoryDesk(db), "kharkiv-drones-dispatch",
                         "kharkiv-drones-lemonde-original", "kharkiv-mall-missiles-dispatch",
                         "kharkiv-mall-missiles-lemonde-original")
    drones, mall = found["kharkiv-drones-dispatch"], found["kharkiv-mall-missiles-dispatch"]
    assert drones.story_id != mall.story_id
    assert found["kharkiv-mall-missiles-lemonde-original"].story_id == mall.story_id


def test_a_near_copy_on_the_same_site_is_the_same_article(db):
    desk = StoryDesk(db)
    item = labelled()["kharkiv-drones-dispatch"]
    text = "\n".join(item["paragraphs"])
    put(db, desk, 1, item["title"], text, item["published"], outlet="lefigaro",
        url="https://www.lefigaro.fr/international/kharkiv.php")
    amp = put(db, desk, 2, item["title"], text + "\nLire aussi : le point sur la guerre",
              item["published"], outlet="lefigaro",
              url="https://amp.lefigaro.fr/international/kharkiv.php")
    assert amp.id is None
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 1


# -- bad input --------------------------------------------------------------------------

KHARKIV_BRIEF = ("Kharkiv : trois morts. Une attaque de drones a fait trois morts cette nuit à "
                 "Kharkiv, selon le gouverneur.")


def test_a_brief_is_never_a_copy_and_joins_only_its_own_event(db):
    desk = StoryDesk(db)
    found = put_labelled(db, desk, "kharkiv-drones-dispatch", "eu-sanctions-20-dispatch")
    brief = put(db, desk, 10, "Kharkiv : trois morts", KHARKIV_BRIEF,
                "2026-11-03T08:00:00+01:00")
    assert brief.copy_of is None
    assert brief.story_id != found["eu-sanctions-20-dispatch"].story_id
    assert store.get_story(db, found["eu-sanctions-20-dispatch"].story_id).articles == 1
    # a two-line brief about something else entirely opens its own story
    other = put(db, desk, 11, "Météo", "Il fera beau demain. Les températures remontent.",
                "2026-11-03T09:00:00+01:00")
    assert other.story_id not in {brief.story_id, found["kharkiv-drones-dispatch"].story_id}


@pytest.mark.parametrize("text", ["", "   \n  ", "Photo AFP\n© Genya Savilov / AFP",
                                  "Un immeuble détruit à Kharkiv. Photo AFP / Sergey Bobok"])
def test_empty_and_caption_only_texts_open_their_own_story(db, text):
    desk = StoryDesk(db)
    found = put_labelled(db, desk, "kharkiv-drones-dispatch")
    other = put(db, desk, 10, None, text, "2026-11-03T08:00:00+01:00")
    assert other.copy_of is None and other.wire is None
    assert other.story_id != found["kharkiv-drones-dispatch"].story_id
    assert store.get_story(db, found["kharkiv-drones-dispatch"].story_id).articles == 1


def test_a_text_quoting_a_dispatch_at_length_is_not_its_copy(db):
    desk = StoryDesk(db)
    found = put_labelled(db, desk, "eu-sanctions-20-dispatch")
    quoted = labelled()["eu-sanctions-20-dispatch"]["paragraphs"][1]
    essay = ("Le débat sur la politique énergétique de la France reprend à l'Assemblée "
             "nationale, où les députés examinent le projet de loi de programmation. "
             "Les élus de la majorité défendent la relance du nucléaire civil. ") * 3
    text = (f"{essay}\nComme le rappelait récemment une dépêche, « {quoted} »\n"
            f"{essay}\nLe texte sera voté la semaine prochaine.")
    other = put(db, desk, 10, "Energie : le débat reprend à l'Assemblée", text,
                labelled()["eu-sanctions-20-dispatch"]["published"])
    assert other.copy_of is None
    assert other.story_id != found["eu-sanctions-20-dispatch"].story_id


def test_a_live_blog_revised_stays_one_article_of_one_story(db):
    desk = StoryDesk(db)
    item = labelled()["kharkiv-drones-dispatch"]
    first = put(db, desk, 1, item["title"], "\n".join(item["paragraphs"][:3]),
                item["published"], outlet="direct")
    grown = "\n".join([*item["paragraphs"], "10h15 : le bilan est revu à la hausse, quatre "
                       "morts selon le gouverneur."])
    at = utc_iso(item["published"])
    with transaction(db):  # as the pipeline stores a revision
        store_revision(db, first.id, {"text": grown}, [], "test")
        desk.revise(first.id, desk.prepare(item["title"], grown, published=at), at)
    # the text it grew to is what copies are compared with now
    copy = put(db, desk, 2, "Kharkiv : le bilan s'alourdit", "\n".join(item["paragraphs"][3:]),
               "2026-11-03T09:00:00+01:00", outlet="autre")
    assert copy.copy_of == first.id and copy.story_id == first.story_id
    assert db.execute("SELECT count(*) FROM stories").fetchone()[0] == 1


# -- restory ----------------------------------------------------------------------------

def _grouping(db) -> tuple[frozenset, frozenset, dict]:
    rows = db.execute("SELECT id, story_id, copy_of, wire FROM articles").fetchall()
    stories: dict[int, set[int]] = {}
    for article_id, story_id, _, _ in rows:
        stories.setdefault(story_id, set()).add(article_id)
    return (frozenset(frozenset(s) for s in stories.values()),
            frozenset((r[0], r[2]) for r in rows), {r[0]: r[3] for r in rows})


def test_restory_finds_the_same_copies_and_stories_and_twice_changes_nothing(db):
    ids = [*KHARKIV[:3], "kharkiv-drones-lemonde-original", "eu-sanctions-20-dispatch",
           "eu-sanctions-20-lepoint", "kharkiv-mall-missiles-dispatch"]
    put_labelled(db, StoryDesk(db), *ids)
    decided = _grouping(db)
    report = restory(db)
    assert (report.articles, report.copies) == (7, 3)
    assert _grouping(db) == decided
    restory(db)
    assert _grouping(db) == decided
    assert db.execute("SELECT count(*) FROM stories").fetchone()[0] == 3
    assert db.execute("SELECT sum(articles) FROM term_counts WHERE term = ''").fetchone()[0] == 7
