"""Tagging: topics, sub-topics and entities from French-aware term matching, with evidence.

Text is split into words; each word is compared, case and accents folded, both
as written and as its French lemma (simplemma), so "Russes", "ukrainiennes",
"Kyïv" and "l'Otan" match the terms "russe", "ukrainien", "Kyiv" and "OTAN".
All terms of all tags sit in one index keyed by their first word, so a text is
read once whatever the number of rules.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from scheduler.tagging.rules import Context, Homonym, Rules, Term, Topic
from veille.model import TagResult, TopicMatch
from veille.text import fold, french_lemma, tokens


# Not frozen: a frozen dataclass sets each field through object.__setattr__, and
# Analyzer.words makes one Word per token (3.4 against 2.0 ms a text on the corpus).
@dataclass(slots=True)
class Word:
    start: int
    end: int
    surface: str  # folded: case and accents removed
    lemma: str  # folded French lemma: "ukrainiennes" -> "ukrainien"
    capitalised: bool
    hyphen_before: bool = False  # "Bicêtre" in "Kremlin-Bicêtre"
    sentence: int = 0
    clause_start: bool = False  # after a sentence end, a colon, a comma, a quote


@dataclass(frozen=True)
class _Pattern:
    """A term or phrase as sequences of folded surfaces and lemmas, and whose it is."""

    owner: str
    role: str  # term, support, exclude, context, unless
    text: str
    weight: float
    proper: bool
    surfaces: tuple[str, ...]
    lemmas: tuple[str, ...]
    capitals: tuple[bool, ...] = ()  # proper terms: which words must be capitalised
    term: Term | None = None
    actor: bool = False


@dataclass
class _Hit:
    pattern: _Pattern
    zone: str
    start: int  # word index
    end: int
    form: str
    why_not: str = ""  # set when the hit does not count: the name or place it belongs to
    as_place: bool = False  # an actor named as a place ("à Moscou")


class Analyzer:
    """Turns text into folded words with French lemmas; caches both per word."""

    def __init__(self) -> None:
        self._forms: dict[str, tuple[str, str]] = {}

    def forms(self, word: str) -> tuple[str, str]:
        """(folded surface, folded lemma) of a lower-cased word, computed once per word."""
        cached = self._forms.get(word)
        if cached is None:
            cached = (fold(word), fold(french_lemma(word)))
            self._forms[word] = cached
        return cached

    def words(self, text: str) -> list[Word]:
        found: list[Word] = []
        previous_end, sentence = 0, 0
        for start, end, word in tokens(text):
            gap = text[previous_end:start]
            plain = gap == " "  # most gaps: no regular expression to run
            sentence += not plain and bool(SENTENCE_END.search(gap))
            surface, lemma = self.forms(word)
            found.append(Word(start, end, surface, lemma, text[start].isupper(),
                              gap in HYPHENS and bool(found), sentence,
                              not plain and bool(CLAUSE_END.search(gap))))
            previous_end = end
        return found


SENTENCE_END = re.compile(r"[.!?\n]")
HYPHENS = {"-", "\u2010", "\u2011"}
CLAUSE_END = re.compile(r"[.!?\n:;,«»\"()]")


def _matches_at(words: list[Word], i: int, pattern: _Pattern) -> bool:
    if i + len(pattern.surfaces) > len(words):
        return False
    if pattern.proper and not all(words[i + j].capitalised
                                  for j, capital in enumerate(pattern.capitals) if capital):
        return False
    for j, (surface, lemma) in enumerate(zip(pattern.surfaces, pattern.lemmas, strict=True)):
        word = words[i + j]
        if surface.endswith("*"):
            if not word.surface.startswith(surface[:-1]):
                return False
        elif word.surface != surface and word.lemma != lemma:
            return False
    return True


PREFIX_KEY = 2  # a prefix term has at least two letters before its "*"


class _Index:
    """Every pattern of every rule, keyed by its first word (surface and lemma)."""

    def __init__(self) -> None:
        self.by_word: dict[str, list[_Pattern]] = defaultdict(list)
        # "cyber*": keyed by the first letters of the prefix, tried only on words
        # that start with them
        self.prefixed: dict[str, list[_Pattern]] = defaultdict(list)

    def add(self, pattern: _Pattern) -> None:
        first_surface, first_lemma = pattern.surfaces[0], pattern.lemmas[0]
        if first_surface.endswith("*"):
            self.prefixed[first_surface[:PREFIX_KEY]].append(pattern)
            return
        for key in {first_surface, first_lemma}:
            self.by_word[key].append(pattern)

    def find(self, words: list[Word]) -> list[tuple[_Pattern, int, int]]:
        found = []
        for i, word in enumerate(words):
            candidates = self.by_word.get(word.surface, [])
            if word.lemma != word.surface:
                extra = [p for p in self.by_word.get(word.lemma, []) if p not in candidates]
                candidates = candidates + extra
            for pattern in [*candidates, *self.prefixed.get(word.surface[:PREFIX_KEY], ())]:
                if _matches_at(words, i, pattern):
                    found.append((pattern, i, i + len(pattern.surfaces)))
        return found


def _add_evidence(evidence: dict[str, dict[str, Any]], hit: _Hit, why: str = "") -> None:
    """One hit in the evidence of its term: counted (zone counts, and why it counts when
    a rule made it count) or not counted, with the reason (`ignored`)."""
    item = evidence.setdefault(hit.pattern.text, {
        "term": hit.pattern.text, "weight": hit.pattern.weight, "forms": [],
        "title": 0, "lead": 0, "body": 0})
    if hit.why_not:
        ignored = item.setdefault("ignored", [])
        if f"{hit.form} : {hit.why_not}" not in ignored:
            ignored.append(f"{hit.form} : {hit.why_not}")
        return
    item[hit.zone] += 1
    if hit.form not in item["forms"]:
        item["forms"].append(hit.form)
    if why and why not in item.setdefault("why", []):
        item["why"].append(why)


_LINKS = {"de", "du", "des", "d", "la", "l"}


class _NameReader:
    """Says when a hit is part of another name and not evidence: a capitalised hyphenated
    compound ("Le Kremlin-Bicêtre"), a street or venue ("rue de Moscou", "métro Crimée"),
    or the words a term says it may not follow or precede."""

    def __init__(self, rules: Rules, analyzer: Analyzer) -> None:
        reading = rules.reading
        self.hyphenated = reading.hyphenated_names
        self.joinable = {w.surface for name in reading.joinable
                         for w in analyzer.words(name)}
        self.joinable_terms = {tuple(w.surface for w in analyzer.words(term.text))
                               for tag in rules.all_tags
                               for term in tag.terms + tag.actors + tag.support}
        self.joinable |= {s for surfaces in self.joinable_terms for s in surfaces}
        self.starts = {fold(w) for w in reading.name_starts}
        self.actor_after = {fold(w) for w in reading.actor_after}
        self.analyzer = analyzer
        self._neighbour_forms: dict[tuple[str, ...], tuple[frozenset[str], frozenset[str]]] = {}

    def why_not(self, words: list[Word], start: int, end: int, pattern: _Pattern,
                text: str) -> str:
        return (self._compound(words, start, end, text) or self._street(words, start, text)
                or self._neighbours(words, start, end, pattern))

    def _compound(self, words: list[Word], start: int, end: int, text: str) -> str:
        if not self.hyphenated:
            return ""
        first, last = start, end
        while first > 0 and words[first].hyphen_before:
            first -= 1
        while last < len(words) and words[last].hyphen_before:
            last += 1
        others = words[first:start] + words[end:last]
        if not others or not any(w.capitalised for w in others):
            return ""
        if all(w.surface in self.joinable for w in others):
            return ""  # "Moscou-Pékin", "Otan-Russie": places joined, each one counts
        return f"partie du nom « {text[words[first].start:words[last - 1].end]} »"

    def _street(self, words: list[Word], start: int, text: str) -> str:
        j = start - 1
        while j >= 0 and words[j].surface in _LINKS and j > start - 3:
            j -= 1
        if j >= 0 and words[j].surface in self.starts:
            return f"partie du nom « {text[words[j].start:words[start].end]} »"
        return ""

    def _neighbours(self, words: list[Word], start: int, end: int, pattern: _Pattern) -> str:
        term = pattern.term
        if term is None:
            return ""
        if term.not_after and start > 0 and self._one_of(words[start - 1], term.not_after):
            return f"après « {words[start - 1].surface} »"
        if term.not_before and end < len(words) and self._one_of(words[end], term.not_before):
            return f"suivi de « {words[end].surface} »"
        return ""

    def _one_of(self, word: Word, names: tuple[str, ...]) -> bool:
        surfaces, lemmas = self._forms_of(names)
        return word.surface in surfaces or word.lemma in lemmas

    def _forms_of(self, names: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
        """Folded surfaces and lemmas of a term's neighbour words, computed once."""
        forms = self._neighbour_forms.get(names)
        if forms is None:
            pairs = [self.analyzer.forms(name.lower()) for name in names]
            forms = self._neighbour_forms[names] = (frozenset(p[0] for p in pairs),
                                                    frozenset(p[1] for p in pairs))
        return forms

    def as_place(self, words: list[Word], start: int) -> bool:
        """False where a capital acts: a sentence or clause starts, or after "et", "par"..."""
        if start == 0 or words[start].clause_start:
            return False
        return words[start - 1].surface not in self.actor_after


class Tagger:
    """Applies tagging rules to an article's title and text."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.analyzer = Analyzer()
        self.index = _Index()
        self.regexes: dict[str, list[Any]] = {}
        for tag in rules.all_tags:
            self._add_terms(tag.name, "term", tag.terms)
            self._add_terms(tag.name, "term", tag.actors, actor=True)
            self._add_terms(tag.name, "support", tag.support)
            self._add_terms(tag.name, "implied", tag.implied)
            self._add_terms(tag.name, "exclude", [Term(p) for p in tag.exclude])
            if tag.patterns:
                self.regexes[tag.name] = [re.compile(p) for p in tag.patterns]
        for context in rules.contexts:
            self._add_terms(context.name, "context", context.terms)
            self._add_terms(context.name, "unless", context.unless)
        self.names = _NameReader(rules, self.analyzer)
        self.homonyms_of: dict[tuple[str, ...], list[Homonym]] = defaultdict(list)
        own = self.names.joinable_terms
        for homonym in rules.homonyms:
            # a topic's own places never place its names elsewhere ("Odessa, en Ukraine")
            near = [Term(n, proper=True) for n in homonym.near
                    if tuple(w.surface for w in self.analyzer.words(n)) not in own]
            self._add_terms(homonym.name, "near", near)
            for term in homonym.terms:
                surfaces = tuple(w.surface for w in self.analyzer.words(term))
                self.homonyms_of[surfaces].append(homonym)

    def _add_terms(self, owner: str, role: str, terms: Any, actor: bool = False) -> None:
        seen: set[tuple[str, ...]] = set()
        for term in terms:
            words = self.analyzer.words(term.text.replace("*", "zzstarzz"))
            surfaces = tuple(w.surface.replace("zzstarzz", "*") for w in words)
            if surfaces in seen or not words:  # "Kyiv" and "Kyïv" are one term once folded
                continue
            seen.add(surfaces)
            self.index.add(_Pattern(owner, role, term.text, term.weight, term.proper, surfaces,
                                    tuple(w.lemma.replace("zzstarzz", "*") for w in words),
                                    tuple(w.capitalised for w in words), term, actor))

    # -- reading the text ------------------------------------------------------

    def _lead_end(self, text: str) -> int:
        limit = self.rules.scoring.lead_chars
        if len(text) <= limit:
            return len(text)
        cut = text.rfind("\n", 0, limit)
        return cut if cut > limit // 3 else limit

    def _hits(self, title: str, text: str) -> tuple[dict[str, list[_Hit]], dict[str, str], int]:
        """Hits per owner (excluded spans removed; hits that belong to another name or
        a homonym placed elsewhere kept with the reason), zone texts, body word count."""
        lead_end = self._lead_end(text)
        zones = {"title": title or "", "lead": text[:lead_end], "body": text[lead_end:]}
        hits: dict[str, list[_Hit]] = defaultdict(list)
        placed: dict[tuple[str, ...], str] = {}
        body_words = 0
        for zone, part in zones.items():
            words = self.analyzer.words(part)
            if zone == "body":
                body_words = len(words)
            found = self.index.find(words)
            placed.update(self._placed_elsewhere(found, words, part))
            for hit in self._zone_hits(found, words, zone, part):
                hits[hit.pattern.owner].append(hit)
        if placed:
            for owner_hits in hits.values():
                for hit in owner_hits:
                    if hit.pattern.surfaces in placed and not hit.why_not:
                        hit.why_not = placed[hit.pattern.surfaces]
        return hits, zones, body_words

    def _zone_hits(self, found: list[tuple[_Pattern, int, int]], words: list[Word],
                   zone: str, part: str) -> list[_Hit]:
        excluded: dict[str, set[int]] = defaultdict(set)
        for pattern, start, end in found:
            if pattern.role == "exclude":
                excluded[pattern.owner].update(range(start, end))
        taken: dict[tuple[str, str], set[int]] = defaultdict(set)
        hits = []
        # Longest match first: "chef de la diplomatie" is one piece of evidence, not
        # also "diplomatie".
        for pattern, start, end in sorted(found, key=lambda f: (f[1] - f[2], f[1])):
            if pattern.role in ("exclude", "near") or start in excluded[pattern.owner]:
                continue
            group = "evidence" if pattern.role in EVIDENCE else pattern.role
            span = set(range(start, end))
            if span & taken[(pattern.owner, group)]:
                continue
            hit = _Hit(pattern, zone, start, end, part[words[start].start:words[end - 1].end])
            if pattern.role in EVIDENCE:
                hit.why_not = self.names.why_not(words, start, end, pattern, part)
                hit.as_place = pattern.actor and self.names.as_place(words, start)
            if not hit.why_not:  # a hit set aside leaves its words to other terms
                taken[(pattern.owner, group)].update(span)
            hits.append(hit)
        # a hit set aside where a longer term counted is not worth reporting
        return [h for h in hits if not h.why_not
                or not set(range(h.start, h.end)) & taken[(h.pattern.owner, "evidence")]]

    def _placed_elsewhere(self, found: list[tuple[_Pattern, int, int]], words: list[Word],
                          part: str) -> dict[tuple[str, ...], str]:
        """Homonyms of this zone with a placing word near them in the same sentence."""
        placed = {}
        near = [(p.owner, s, e) for p, s, e in found if p.role == "near"]
        for pattern, start, end in found:
            if pattern.role not in EVIDENCE:
                continue
            for homonym in self.homonyms_of.get(pattern.surfaces, ()):
                for owner, n_start, n_end in near:
                    gap = n_start - end + 1 if n_start >= end else start - n_end + 1
                    if (owner == homonym.name
                            and words[n_start].sentence == words[start].sentence
                            and gap <= homonym.window):
                        where = part[words[n_start].start:words[n_end - 1].end]
                        placed[pattern.surfaces] = (f"placé ailleurs par « {where} » "
                                                    f"({homonym.label})")
        return placed

    def _zone_factor(self, body_words: int) -> dict[str, float]:
        scoring = self.rules.scoring
        long_words = scoring.long_text_words
        body = scoring.body_weight
        if long_words and body_words > long_words:
            body *= math.sqrt(long_words / body_words)
        return {"title": scoring.title_weight, "lead": scoring.lead_weight, "body": body}

    def _score(self, tag: Topic, hits: list[_Hit], zones: dict[str, str],
               factor: dict[str, float], implied_ok: bool = False) -> TopicMatch | None:
        counted = [h for h in hits if not h.why_not]
        terms = [h for h in counted if h.pattern.role == "term"]
        support = [h for h in counted if h.pattern.role == "support"]
        quorum = bool(tag.support_quorum) and len(
            {h.pattern.text for h in support}) >= tag.support_quorum
        if not terms and not quorum:
            support = []
        implied = [h for h in counted if h.pattern.role == "implied"] if implied_ok else []
        evidence: dict[str, dict[str, Any]] = {}
        score = 0.0
        for hit in terms + support + implied:
            weight, why = self._weight(tag, hit, quorum and not terms)
            _add_evidence(evidence, hit, why)
            score += weight * factor[hit.zone]
        for hit in hits:
            if hit.why_not and hit.pattern.role in EVIDENCE:
                _add_evidence(evidence, hit)
        for regex in self.regexes.get(tag.name, []):
            for zone, part in zones.items():
                for form in regex.findall(fold(part)):
                    pattern = _Pattern(tag.name, "term", f"/{regex.pattern}/", 1.0, False, (), ())
                    _add_evidence(evidence, _Hit(pattern, zone, 0, 0, str(form)))
                    score += factor[zone]
        if score <= 0 and not evidence:
            return None
        return TopicMatch(tag.name, round(score, 2),
                          sorted(evidence.values(), key=lambda e: e["term"]), kind=tag.kind)

    def _weight(self, tag: Topic, hit: _Hit, by_quorum: bool) -> tuple[float, str]:
        """A hit's weight and, when a rule made it count or count more, which rule."""
        pattern = hit.pattern
        if pattern.actor and not hit.as_place:
            weight = self.rules.reading.actor_weight
            return pattern.weight * weight, f"acteur pour son pays (×{weight:g})"
        if pattern.role == "implied":
            return pattern.weight, f"dit le thème à côté de {', '.join(tag.implied_by)}"
        if pattern.role == "support" and by_quorum:
            return pattern.weight, f"appui : {tag.support_quorum} termes d'appui ou plus"
        return pattern.weight, ""

    def _context_applies(self, context: Context, hits: dict[str, list[_Hit]],
                         factor: dict[str, float]) -> bool:
        own = hits.get(context.name, [])
        score = sum(h.pattern.weight * factor[h.zone] for h in own if h.pattern.role == "context")
        return score >= context.threshold and not any(h.pattern.role == "unless" for h in own)

    def _matches(self, title: str, text: str) -> tuple[dict[str, TopicMatch], list[str]]:
        """Every tag's match (any score) and the contexts that apply, for one text."""
        hits, zones, body_words = self._hits(title, text)
        factor = self._zone_factor(body_words)
        if body_words + len(zones["lead"].split()) > self.rules.reading.actor_text_words:
            for owner_hits in hits.values():  # a long text: actors act in the title only
                for hit in owner_hits:
                    hit.as_place = hit.as_place or (hit.pattern.actor and hit.zone != "title")
        matches = {}
        for tag in self.rules.all_tags:
            match = self._score(tag, hits.get(tag.name, []), zones, factor)
            if match is not None:
                matches[tag.name] = match
        tagged = {t.name for t in self.rules.topics
                  if t.name in matches and matches[t.name].score >= t.threshold}
        for topic in self.rules.topics:
            if topic.implied and tagged.intersection(topic.implied_by):
                match = self._score(topic, hits.get(topic.name, []), zones, factor, True)
                if match is not None:
                    matches[topic.name] = match
        contexts = [c.name for c in self.rules.contexts if self._context_applies(c, hits, factor)]
        return matches, contexts

    def _best_entries(self, text: str, matches: dict[str, TopicMatch]) -> None:
        """Live blogs: each timestamped entry is scored as an article of its own, and a
        tag keeps its best score, whole text or entry (the evidence names the entry)."""
        for headline, body in live_entries(text):
            entry_matches, _ = self._matches(headline, body)
            for name, match in entry_matches.items():
                if match.score > matches.get(name, TopicMatch(name, 0.0)).score:
                    for item in match.evidence:
                        item["entry"] = headline
                    matches[name] = match

    # -- public API --------------------------------------------------------------

    def _subtopics(self, matches: dict[str, TopicMatch], tagged: set[str]) -> list[TopicMatch]:
        passed = []
        for sub in self.rules.subtopics:
            parents = [p for p in sub.parents if p in tagged]
            match = matches.get(sub.name)
            if parents and match is not None and match.score >= sub.threshold:
                match.parents = parents
                passed.append(match)
        best = max((m.score for m in passed), default=0.0)
        share = self.rules.scoring.subtopic_share
        return [m for m in passed if m.score >= share * best]

    def tag(self, title: str, text: str) -> TagResult:
        """Topics, sub-topics and entities that reach their thresholds, with all scores."""
        matches, contexts = self._matches(title, text)
        self._best_entries(text, matches)
        result = TagResult(contexts=contexts)
        suppressed = {topic: c.name for c in self.rules.contexts if c.name in contexts
                      for topic in c.suppresses}
        for topic in self.rules.topics:
            match = matches.get(topic.name)
            if match is None:
                continue
            result.scores[topic.name] = match.score
            if match.score < topic.threshold:
                result.not_tagged.append(match)
                continue
            if topic.name in suppressed:
                result.suppressed[topic.name] = suppressed[topic.name]
                continue
            result.tags.append(match)
        result.tags += self._subtopics(matches, {m.topic for m in result.tags})
        for entity in self.rules.entities:
            match = matches.get(entity.name)
            if match is not None:
                (result.tags if match.score >= entity.threshold else result.not_tagged
                 ).append(match)
        return result


EVIDENCE = ("term", "support", "implied")
LIVE_ENTRY = re.compile(r"^\s*(\d{1,2}\s*[h:]\s*\d{2})\s*[-–—:|]\s*\S")
MIN_LIVE_ENTRIES = 3


def live_entries(text: str) -> list[tuple[str, str]]:
    """(headline, text) of each entry of a live blog ("7h07 - La Russie dit..."); empty
    for an ordinary article (fewer than three timestamped lines)."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if LIVE_ENTRY.match(line)]
    if len(starts) < MIN_LIVE_ENTRIES:
        return []
    ends = [*starts[1:], len(lines)]
    return [(lines[s], "\n".join(lines[s + 1:e])) for s, e in zip(starts, ends, strict=True)]
