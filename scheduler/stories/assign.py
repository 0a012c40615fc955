"""Which story an article belongs to: its original's when it is a copy, else the story of
the article it matches best on title, lead and entities within 72 hours, else a new one.

`prepare` does the work that needs no database (fingerprint, terms, wire) before the
write transaction; `decide` and `record` run inside it, so that the article, its copy
link, its story and the story's figures are stored together.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from array import array
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from crawler.urls import same_site
from scheduler.dedup import near
from scheduler.stories import terms as story_terms
from scheduler.stories.wires import WireReader
from storage import stories as store
from veille.model import StoryFeatures
from veille.text import folded_words
from veille.times import moment, utc_iso

if TYPE_CHECKING:
    import sqlite_utils

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=72)  # an article joins a story whose articles are this close
# Decision on title, lead and names (chosen on bench/stories/: with these, 0 wrong links and
# 1 missed on the labelled set; see bench/eval_stories.py):
JOIN_SCORE = 0.20  # weighted share of the lighter side's terms found in the other...
JOIN_SLOPE = 0.005  # ...plus this much per hour between the two articles
MIN_SHARED_TERMS = 3
MERGE_WITHIN = timedelta(hours=48)  # two stories an article bridges, this close, are one...
MERGE_MARGIN = 0.10  # ...when it matches the other one this much above what joining needs
QUERY_TERMS = 24  # the rarest terms of the new article look for candidates (16: same
# stories on bench/stories/, 12: fewer)...
CANDIDATES = 40  # ...and this many of the articles sharing most of them are weighed (60 and
# 40 give the same stories on both sets; 40 takes a third less time at 10,000 articles)
# A candidate's terms are weighed again when what a word is worth has moved since it was
# stored. That goes with the logarithm of the number of articles: when it has grown by 10 %
# (from 4,300 to 10,000 articles, from 280,000 to 1M), what a word used by 0.1 % or 1 % of
# the articles is worth has dropped by 5 %. On bench/stories/, 1.03 to 1.25 give the same
# stories; weighing again only where the worth of words starts to be lowered (at
# SHARED_FROM articles) is what matters there.
RECOUNT_LOG = 1.10


@dataclass(frozen=True)
class Decision:
    duplicate_of: int | None = None  # a near-copy on the same site: not stored again
    copy: near.Copy | None = None
    copy_of: int | None = None  # the first stored article of the copies
    wire: str | None = None
    story_id: int | None = None  # the story to join; None opens one
    linked_to: int | None = None
    signal: str = "first"  # first, copy or title_lead
    score: float = 1.0
    evidence: dict[str, Any] = field(default_factory=dict)
    merge: tuple[int, ...] = ()  # other stories this article also matches: one story
    margin: float = 0.0  # by how much the score passed what joining needs
    # the total worth of the article's terms, as weighed now, and how many articles counted
    weight: tuple[float, int] | None = None


def _at_range(at: str) -> tuple[str, str]:
    when = moment(at)
    return utc_iso((when - WINDOW).isoformat()), utc_iso((when + WINDOW).isoformat())


def _moved(then: int, now: int) -> bool:
    """Whether what words are worth has moved between `then` and `now` articles counted."""
    if (then < story_terms.SHARED_FROM) != (now < story_terms.SHARED_FROM):
        return True
    return math.log1p(now) > math.log1p(then) * RECOUNT_LOG


def _hours(a: str, b: str) -> float:
    return round(abs((moment(a) - moment(b)).total_seconds()) / 3600, 1)


class StoryPreparer:
    """The work on an article's text that needs no database: its fingerprint, its story
    terms, its wire. Runs in the extraction workers (scheduler/analysis.py), and in the
    storing process for what a worker could not know (a title taken from the feed)."""

    def __init__(self, wires: WireReader | None = None) -> None:
        self.wires = wires or WireReader()

    def prepare(self, title: str | None, text: str, author: str | None = None,
                credits: str | None = None, entities: list[str] | None = None,
                published: str | None = None, folded: list[str] | None = None
                ) -> StoryFeatures:
        """`folded`: the text's `folded_words`, when the caller has them (used when no
        credit line comes off the text)."""
        body = self.wires.strip_credits(text)
        agency = self.wires.read(text, author, credits)
        words = folded if folded is not None and body == text else folded_words(body)
        shingles = near.word_shingles(words)
        return StoryFeatures(text=body, shingles=near.packed(shingles),
                             fingerprint=near.sketch(shingles, len(words)),
                             terms=story_terms.story_terms(title, body, entities or [],
                                                           published),
                             wire=agency.id if agency else None, title=title,
                             published=published)

    def complete(self, features: StoryFeatures, title: str | None, entities: list[str],
                 published: str) -> StoryFeatures:
        """`features` from a worker, with the terms computed again when the title or the
        date stored are not the ones it had."""
        if features.title == title and features.published == published:
            return features
        if features.title == title:  # only the date: the days of the event, read again
            terms = story_terms.with_days(features.terms, title, features.text, published)
        else:
            terms = story_terms.story_terms(title, features.text, entities, published)
        return dataclasses.replace(features, title=title, published=published, terms=terms)


# Stored articles whose shingle keys are kept between items: the copies of one dispatch
# come together, and each is checked on its words against the same few stored texts
# (shingling a stored text again was 12 % of the storing process's time with 64 kept,
# bench/peers_bench.py --profile). About 6 KB each (700 keys of 8 bytes).
KEPT_SHINGLES = 512


class StoryDesk:
    """Decides and records copies, wires and stories for one database."""

    def __init__(self, db: sqlite_utils.Database, wires: WireReader | None = None) -> None:
        self.db = db
        self.preparer = StoryPreparer(wires)
        self.wires = self.preparer.wires
        self._scheme: int | None = None
        # (article id, hash of its text without credits) -> its shingle keys; the text is
        # in the key, so that a revised or rolled-back article is never read from here
        self._shingles: OrderedDict[tuple[int, int], array[int]] = OrderedDict()

    def _keep_shingles(self, article_id: int, body: str, shingles: array[int]) -> None:
        key = (article_id, hash(body))
        self._shingles[key] = shingles
        self._shingles.move_to_end(key)
        while len(self._shingles) > KEPT_SHINGLES:
            self._shingles.popitem(last=False)

    def stored_shingles(self, article_id: int, text: str) -> array[int]:
        """The shingle keys of a stored article's text (without its credit lines)."""
        body = self.wires.strip_credits(text)
        found = self._shingles.get((article_id, hash(body)))
        if found is None:
            found = near.packed(near.shingles(body))
        self._keep_shingles(article_id, body, found)
        return found

    @property
    def scheme(self) -> int:
        if self._scheme is None:
            self._scheme = store.scheme_id(self.db, near.SCHEME)
        return self._scheme

    # -- before the transaction -----------------------------------------------------

    def prepare(self, title: str | None, text: str, author: str | None = None,
                credits: str | None = None, entities: list[str] | None = None,
                published: str | None = None) -> StoryFeatures:
        return self.preparer.prepare(title, text, author, credits, entities, published)

    # -- inside the transaction ---------------------------------------------------------

    def find_copy(self, prepared: StoryFeatures, exclude: int | None = None) -> near.Copy | None:
        """The stored article this text is a copy of, if any: the candidates of its bands,
        the likeliest checked on their words."""
        if prepared.fingerprint is None:
            return None
        matches = [m for m in store.band_matches(self.db, prepared.fingerprint.bands,
                                                 near.MAX_CHECKED * 5) if m[0] != exclude]
        sketches = store.signatures(self.db, [m[0] for m in matches], self.scheme)
        likely = []
        for article_id, (size, signature) in sketches.items():
            jaccard = near.estimate(prepared.fingerprint.signature, signature)
            contained = near.likely_containment(jaccard, size, prepared.fingerprint.shingles)
            if contained >= near.MIN_LIKELY_CONTAINMENT:
                likely.append((contained, article_id))
        best: near.Copy | None = None
        checked = [a for _, a in sorted(likely, reverse=True)[:near.MAX_CHECKED]]
        mine = set(prepared.shingles) if checked else set()
        for article_id, stored in store.stored_texts(self.db, checked).items():
            containment, jaccard, shared = near.compare(
                mine, self.stored_shingles(article_id, stored.text))
            if near.is_copy(containment, shared) and (
                    best is None or containment > best.containment):
                best = near.Copy(article_id, round(containment, 3), round(jaccard, 3), shared)
        return best

    def decide(self, prepared: StoryFeatures, url: str, at: str, exclude: int | None = None,
               *, stored: bool = False) -> Decision:
        """What to do with an article: a duplicate (not `stored` yet, a near-copy on the same
        site), a copy of a stored article, a member of a story, or the first of a new one."""
        copy = self.find_copy(prepared, exclude)
        if copy is not None:
            original = store.stored_texts(self.db, [copy.article_id])[copy.article_id]
            if not stored and same_site(url, original.url) \
                    and copy.containment >= near.SAME_SITE_CONTAINMENT:
                return Decision(duplicate_of=copy.article_id)
            root = original.copy_of or original.id
            root_text = store.stored_texts(self.db, [root]).get(root, original)
            story = root_text.story_id or original.story_id
            # A copy may bring more of the dispatch than its original did: other stories it
            # matches as well are the same event.
            bridge = self._by_terms(prepared, at, exclude)
            strong = [bridge.story_id] if bridge.margin >= MERGE_MARGIN else []
            merge = tuple(s for s in (*strong, *bridge.merge)
                          if s is not None and story is not None and s != story
                          and self._close(s, story))
            return Decision(copy=copy, copy_of=root, merge=merge,
                            wire=prepared.wire or store.group_wire(self.db, root),
                            story_id=story, linked_to=copy.article_id, signal="copy",
                            score=copy.containment, weight=bridge.weight,
                            evidence={"containment": copy.containment,
                                      "jaccard": copy.jaccard, "shared_shingles": copy.shared,
                                      "hours": _hours(at, original.at),
                                      **({"merged_stories": list(merge)} if merge else {})})
        return self._by_terms(prepared, at, exclude)

    def _weights(self, terms: set[str], known: dict[str, float]) -> tuple[dict[str, float], int]:
        """Each term's worth: its rarity in French, lowered by how many stored articles
        share it; and how many articles were counted."""
        counts, total = store.term_counts(self.db, terms)
        return {t: story_terms.weight(known.get(t) or counts[t][1] or story_terms.MAX_WEIGHT,
                                      counts[t][0], total) for t in terms}, total

    def _reweigh(self, found: list[store.Candidate], weights: dict[str, float],
                 counted: int) -> dict[int, float]:
        """The worth of each candidate's terms: as stored, unless the database has grown
        much since (a young database: what its terms are worth still moves); then weighed
        again and stored so."""
        totals = {c.id: c.total for c in found}
        stale = [c for c in found if _moved(c.counted, counted)]
        if stale:
            theirs = {c.id: c.terms[len(c.days):] for c in stale}  # without the event days
            more, _ = self._weights(set().union(*theirs.values()) - set(weights), {})
            everything = {**more, **weights}
            for c in stale:
                totals[c.id] = sum(everything[t] for t in theirs[c.id])
            # kept: each article is weighed again only when the worth of words moves again
            store.reweigh_terms(self.db, [(c.id, totals[c.id], counted) for c in stale])
        return totals

    def _by_terms(self, prepared: StoryFeatures, at: str, exclude: int | None) -> Decision:
        mine = prepared.terms
        weights, counted = self._weights(set(mine.weights), mine.weights)
        my_total = sum(weights.values()) or 1.0
        query = sorted(weights, key=lambda t: (-weights[t], t))[:QUERY_TERMS]
        start, end = _at_range(at)
        matches = [m[0] for m in store.term_matches(self.db, query, start, end, CANDIDATES)
                   if m[0] != exclude]
        eligible = [c for c in store.candidates(self.db, matches, set(weights)).values()
                    # not when their leads put the two events on different days
                    if not (mine.days and c.days and not mine.days & c.days)
                    and len(c.shared) >= MIN_SHARED_TERMS]
        totals = self._reweigh(eligible, weights, counted)
        best: tuple[float, store.Candidate, list[str]] | None = None
        passing: dict[int, float] = {}  # story -> its best margin
        for other in eligible:
            shared = other.shared
            score = sum(weights[t] for t in shared) / min(my_total, totals[other.id] or 1.0)
            needed = JOIN_SCORE + JOIN_SLOPE * _hours(at, other.at)
            if score < needed:
                continue
            passing[other.story_id] = max(passing.get(other.story_id, 0.0), score - needed)
            if best is None or score - needed > best[0]:
                best = (score - needed, other, sorted(shared, key=lambda t: -weights[t]))
        if best is None:
            return Decision(wire=prepared.wire, weight=(my_total, counted))
        margin, other, shared_terms = best
        score = margin + JOIN_SCORE + JOIN_SLOPE * _hours(at, other.at)
        target = other.story_id
        merge = tuple(sorted(s for s, margin in passing.items() if s != target
                             and margin >= MERGE_MARGIN and self._close(s, target)))
        evidence = {"score": round(score, 3), "shared_terms": shared_terms[:12],
                    "entities": [t[1:] for t in shared_terms
                                 if t.startswith(story_terms.ENTITY)],
                    "hours": _hours(at, other.at)}
        if merge:
            evidence["merged_stories"] = list(merge)
        return Decision(wire=prepared.wire, story_id=target, linked_to=other.id,
                        signal="title_lead", score=score, evidence=evidence, merge=merge,
                        margin=margin, weight=(my_total, counted))

    def _close(self, a: int, b: int) -> bool:
        """Two stories that began within MERGE_WITHIN of each other."""
        first, second = store.get_story(self.db, a), store.get_story(self.db, b)
        if first is None or second is None:
            return False
        return _hours(first.first_seen_at, second.first_seen_at) <= \
            MERGE_WITHIN.total_seconds() / 3600

    def revise(self, article_id: int, prepared: StoryFeatures, at: str) -> None:
        """A stored article whose text changed (a live blog, a corrected dispatch): its
        fingerprint and terms follow its text; it stays in its story, with its copy link."""
        fp = prepared.fingerprint
        if fp is None:
            store.remove_fingerprint(self.db, article_id)
        else:
            store.add_fingerprint(self.db, article_id, self.scheme, fp.shingles, fp.signature,
                                  fp.bands)
        weights, counted = self._weights(set(prepared.terms.weights), prepared.terms.weights)
        store.remove_story_terms(self.db, article_id)
        store.add_story_terms(self.db, article_id, at, prepared.terms.weights,
                              prepared.terms.days, (sum(weights.values()), counted))
        story = store.story_of(self.db, [article_id]).get(article_id)
        if story is not None:
            store.refresh_story(self.db, story)  # its title may be the one that changed

    def record(self, article_id: int, prepared: StoryFeatures, decision: Decision,
               at: str) -> int:
        """Store the article's copy link, fingerprint, terms and story; its story id."""
        store.set_copy(self.db, article_id, decision.copy_of, decision.wire)
        if prepared.fingerprint is not None:
            self._keep_shingles(article_id, prepared.text, prepared.shingles)
            fp = prepared.fingerprint
            store.add_fingerprint(self.db, article_id, self.scheme, fp.shingles, fp.signature,
                                  fp.bands)
        store.remove_story_terms(self.db, article_id)
        store.add_story_terms(self.db, article_id, at, prepared.terms.weights,
                              prepared.terms.days, decision.weight)
        story_id = decision.story_id
        if story_id is None and decision.copy_of is not None:
            # the original predates stories (an older database): it opens the story
            story_id = store.new_story(self.db, decision.copy_of)
            store.set_story(self.db, decision.copy_of, story_id, None, "first", 1.0, {})
        if story_id is None:
            story_id = store.new_story(self.db, article_id)
            store.set_story(self.db, article_id, story_id, None, "first", 1.0, {})
        else:
            store.set_story(self.db, article_id, story_id, decision.linked_to, decision.signal,
                            decision.score, decision.evidence)
            for other in decision.merge:
                store.merge_stories(self.db, story_id, other)
        if decision.wire and decision.copy_of is not None:
            store.spread_wire(self.db, decision.copy_of, decision.wire)
        return story_id
