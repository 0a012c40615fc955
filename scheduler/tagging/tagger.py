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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import simplemma

from scheduler.tagging.rules import Context, Rules, Term, Topic
from veille.model import TagResult, TopicMatch
from veille.text import fold, tokens


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    surface: str  # folded: case and accents removed
    lemma: str  # folded French lemma: "ukrainiennes" -> "ukrainien"
    capitalised: bool


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


@dataclass
class _Hit:
    pattern: _Pattern
    zone: str
    start: int  # word index
    end: int
    form: str


class Analyzer:
    """Turns text into folded words with French lemmas; caches both per word."""

    def __init__(self) -> None:
        self._forms: dict[str, tuple[str, str]] = {}

    def forms(self, word: str) -> tuple[str, str]:
        """(folded surface, folded lemma) of a lower-cased word, computed once per word."""
        cached = self._forms.get(word)
        if cached is None:
            cached = (fold(word), fold(simplemma.lemmatize(word, lang="fr")))
            self._forms[word] = cached
        return cached

    def words(self, text: str) -> list[Word]:
        found = []
        for start, end, word in tokens(text):
            surface, lemma = self.forms(word)
            found.append(Word(start, end, surface, lemma, text[start].isupper()))
        return found


def _matches_at(words: list[Word], i: int, pattern: _Pattern) -> bool:
    if i + len(pattern.surfaces) > len(words):
        return False
    if pattern.proper and not words[i].capitalised:
        return False
    for j, (surface, lemma) in enumerate(zip(pattern.surfaces, pattern.lemmas, strict=True)):
        word = words[i + j]
        if surface.endswith("*"):
            if not word.surface.startswith(surface[:-1]):
                return False
        elif word.surface != surface and word.lemma != lemma:
            return False
    return True


class _Index:
    """Every pattern of every rule, keyed by its first word (surface and lemma)."""

    def __init__(self) -> None:
        self.by_word: dict[str, list[_Pattern]] = defaultdict(list)
        self.prefixed: list[_Pattern] = []

    def add(self, pattern: _Pattern) -> None:
        first_surface, first_lemma = pattern.surfaces[0], pattern.lemmas[0]
        if first_surface.endswith("*"):
            self.prefixed.append(pattern)
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
            for pattern in [*candidates, *self.prefixed]:
                if _matches_at(words, i, pattern):
                    found.append((pattern, i, i + len(pattern.surfaces)))
        return found


def _add_evidence(evidence: dict[str, dict[str, Any]], hit: _Hit) -> None:
    item = evidence.setdefault(hit.pattern.text, {
        "term": hit.pattern.text, "weight": hit.pattern.weight, "forms": [],
        "title": 0, "lead": 0, "body": 0})
    item[hit.zone] += 1
    if hit.form not in item["forms"]:
        item["forms"].append(hit.form)


class Tagger:
    """Applies tagging rules to an article's title and text."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.analyzer = Analyzer()
        self.index = _Index()
        self.regexes: dict[str, list[Any]] = {}
        for tag in rules.all_tags:
            self._add_terms(tag.name, "term", tag.terms)
            self._add_terms(tag.name, "support", tag.support)
            self._add_terms(tag.name, "exclude", [Term(p) for p in tag.exclude])
            if tag.patterns:
                self.regexes[tag.name] = [re.compile(p) for p in tag.patterns]
        for context in rules.contexts:
            self._add_terms(context.name, "context", context.terms)
            self._add_terms(context.name, "unless", context.unless)

    def _add_terms(self, owner: str, role: str, terms: Any) -> None:
        seen: set[tuple[str, ...]] = set()
        for term in terms:
            words = self.analyzer.words(term.text.replace("*", "zzstarzz"))
            surfaces = tuple(w.surface.replace("zzstarzz", "*") for w in words)
            if surfaces in seen:  # "Kyiv" and "Kyïv" are one term once folded
                continue
            seen.add(surfaces)
            self.index.add(_Pattern(owner, role, term.text, term.weight, term.proper, surfaces,
                                    tuple(w.lemma.replace("zzstarzz", "*") for w in words)))

    # -- reading the text ------------------------------------------------------

    def _lead_end(self, text: str) -> int:
        limit = self.rules.scoring.lead_chars
        if len(text) <= limit:
            return len(text)
        cut = text.rfind("\n", 0, limit)
        return cut if cut > limit // 3 else limit

    def _hits(self, title: str, text: str) -> tuple[dict[str, list[_Hit]], dict[str, str], int]:
        """Hits per owner (excluded spans removed), zone texts, and the body's word count."""
        lead_end = self._lead_end(text)
        zones = {"title": title or "", "lead": text[:lead_end], "body": text[lead_end:]}
        hits: dict[str, list[_Hit]] = defaultdict(list)
        body_words = 0
        for zone, part in zones.items():
            words = self.analyzer.words(part)
            if zone == "body":
                body_words = len(words)
            found = self.index.find(words)
            excluded: dict[str, set[int]] = defaultdict(set)
            for pattern, start, end in found:
                if pattern.role == "exclude":
                    excluded[pattern.owner].update(range(start, end))
            taken: dict[tuple[str, str], set[int]] = defaultdict(set)
            # Longest match first: "chef de la diplomatie" is one piece of evidence,
            # not also "diplomatie".
            for pattern, start, end in sorted(found, key=lambda f: (f[1] - f[2], f[1])):
                span = set(range(start, end))
                group = "evidence" if pattern.role in ("term", "support") else pattern.role
                owner_taken = taken[(pattern.owner, group)]
                if pattern.role == "exclude" or start in excluded[pattern.owner]:
                    continue
                if span & owner_taken:
                    continue
                owner_taken.update(span)
                form = part[words[start].start:words[end - 1].end]
                hits[pattern.owner].append(_Hit(pattern, zone, start, end, form))
        return hits, zones, body_words

    def _zone_factor(self, body_words: int) -> dict[str, float]:
        scoring = self.rules.scoring
        long_words = scoring.long_text_words
        body = scoring.body_weight
        if long_words and body_words > long_words:
            body *= math.sqrt(long_words / body_words)
        return {"title": scoring.title_weight, "lead": scoring.lead_weight, "body": body}

    def _score(self, tag: Topic, hits: list[_Hit], zones: dict[str, str],
               factor: dict[str, float]) -> TopicMatch | None:
        terms = [h for h in hits if h.pattern.role == "term"]
        support = [h for h in hits if h.pattern.role == "support"] if terms else []
        evidence: dict[str, dict[str, Any]] = {}
        score = 0.0
        for hit in terms + support:
            _add_evidence(evidence, hit)
            score += hit.pattern.weight * factor[hit.zone]
        for regex in self.regexes.get(tag.name, []):
            for zone, part in zones.items():
                for form in regex.findall(fold(part)):
                    pattern = _Pattern(tag.name, "term", f"/{regex.pattern}/", 1.0, False, (), ())
                    _add_evidence(evidence, _Hit(pattern, zone, 0, 0, str(form)))
                    score += factor[zone]
        if score <= 0:
            return None
        return TopicMatch(tag.name, round(score, 2),
                          sorted(evidence.values(), key=lambda e: e["term"]), kind=tag.kind)

    def _context_applies(self, context: Context, hits: dict[str, list[_Hit]],
                         factor: dict[str, float]) -> bool:
        own = hits.get(context.name, [])
        score = sum(h.pattern.weight * factor[h.zone] for h in own if h.pattern.role == "context")
        return score >= context.threshold and not any(h.pattern.role == "unless" for h in own)

    def _matches(self, title: str, text: str) -> tuple[dict[str, TopicMatch], list[str]]:
        """Every tag's match (any score) and the contexts that apply, for one text."""
        hits, zones, body_words = self._hits(title, text)
        factor = self._zone_factor(body_words)
        matches = {}
        for tag in self.rules.all_tags:
            match = self._score(tag, hits.get(tag.name, []), zones, factor)
            if match is not None:
                matches[tag.name] = match
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
                continue
            if topic.name in suppressed:
                result.suppressed[topic.name] = suppressed[topic.name]
                continue
            result.tags.append(match)
        tagged = {m.topic for m in result.tags}
        for sub in self.rules.subtopics:
            parents = [p for p in sub.parents if p in tagged]
            match = matches.get(sub.name)
            if parents and match is not None and match.score >= sub.threshold:
                match.parents = parents
                result.tags.append(match)
        for entity in self.rules.entities:
            match = matches.get(entity.name)
            if match is not None and match.score >= entity.threshold:
                result.tags.append(match)
        return result


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


@dataclass(frozen=True)
class TaggerFactory:
    """Builds a tagger in each extraction worker: the crawl gets this picklable callable
    and never has to know what tagging is."""

    rules: Rules

    def __call__(self) -> Callable[[str, str], TagResult]:
        return Tagger(self.rules).tag
