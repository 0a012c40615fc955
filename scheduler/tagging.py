"""Topic tagging: French-aware term matching with scores and the evidence behind each tag."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import simplemma

from crawler.results import TopicMatch
from scheduler.rules import Rules, Topic
from scheduler.text import fold, tokens

ZONES = ("title", "lead", "body")


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    surface: str  # folded: case and accents removed
    lemma: str  # folded French lemma: "ukrainiennes" -> "ukrainien"


@dataclass(frozen=True)
class _Pattern:
    """A term or phrase as sequences of folded surfaces and lemmas."""

    text: str
    weight: float
    surfaces: tuple[str, ...]
    lemmas: tuple[str, ...]


class Analyzer:
    """Turns text into folded words with French lemmas; caches lemmas per word."""

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
        return [Word(s, e, *self.forms(w)) for s, e, w in tokens(text)]


def _matches_at(words: list[Word], i: int, pattern: _Pattern) -> bool:
    if i + len(pattern.surfaces) > len(words):
        return False
    for j, (surface, lemma) in enumerate(zip(pattern.surfaces, pattern.lemmas, strict=True)):
        word = words[i + j]
        if surface.endswith("*"):
            if not word.surface.startswith(surface[:-1]):
                return False
        elif word.surface != surface and word.lemma != lemma:
            return False
    return True


class _PatternIndex:
    """Patterns indexed by their first word, so a text is scanned once, not once per term."""

    def __init__(self, patterns: list[_Pattern]) -> None:
        self.by_word: dict[str, list[_Pattern]] = {}
        self.prefixed: list[_Pattern] = []
        for pattern in patterns:
            first_surface, first_lemma = pattern.surfaces[0], pattern.lemmas[0]
            if first_surface.endswith("*"):
                self.prefixed.append(pattern)
                continue
            for key in {first_surface, first_lemma}:
                self.by_word.setdefault(key, []).append(pattern)

    def find(self, words: list[Word]) -> list[tuple[_Pattern, int, int]]:
        found = []
        for i, word in enumerate(words):
            candidates = self.by_word.get(word.surface, [])
            if word.lemma != word.surface:
                candidates = candidates + [p for p in self.by_word.get(word.lemma, [])
                                           if p not in candidates]
            for pattern in [*candidates, *self.prefixed]:
                if _matches_at(words, i, pattern):
                    found.append((pattern, i, i + len(pattern.surfaces)))
        return found


class _CompiledTopic:
    def __init__(self, topic: Topic, analyzer: Analyzer) -> None:
        self.topic = topic
        self.terms = _PatternIndex([self._compile(t.text, t.weight, analyzer)
                                    for t in topic.terms])
        self.exclude = _PatternIndex([self._compile(p, 0.0, analyzer) for p in topic.exclude])
        self.patterns = [re.compile(p) for p in topic.patterns]

    @staticmethod
    def _compile(text: str, weight: float, analyzer: Analyzer) -> _Pattern:
        words = analyzer.words(text.replace("*", "zzstarzz"))
        surfaces = tuple(w.surface.replace("zzstarzz", "*") for w in words)
        lemmas = tuple(w.lemma.replace("zzstarzz", "*") for w in words)
        return _Pattern(text, weight, surfaces, lemmas)

    def hits(self, words: list[Word]) -> list[tuple[_Pattern, int, int]]:
        """(term, start word, end word) for every term match outside an excluded phrase."""
        excluded: set[int] = set()
        for _, start, end in self.exclude.find(words):
            excluded.update(range(start, end))
        return [hit for hit in self.terms.find(words) if hit[1] not in excluded]


def _add_evidence(evidence: dict[str, dict[str, Any]], term: str, weight: float, zone: str,
                  form: str) -> None:
    item = evidence.setdefault(term, {"term": term, "weight": weight, "forms": [],
                                      "title": 0, "lead": 0, "body": 0})
    item[zone] += 1
    if form not in item["forms"]:
        item["forms"].append(form)


class Tagger:
    """Applies topic rules to an article's title and text."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.analyzer = Analyzer()
        self.topics = [_CompiledTopic(t, self.analyzer) for t in rules.topics]

    def _lead_end(self, text: str) -> int:
        limit = self.rules.scoring.lead_chars
        if len(text) <= limit:
            return len(text)
        cut = text.rfind("\n", 0, limit)
        return cut if cut > limit // 3 else limit

    def score_topics(self, title: str, text: str) -> list[TopicMatch]:
        """Every topic with a non-zero score, passing the threshold or not."""
        lead_end = self._lead_end(text)
        zone_texts = {"title": title or "", "lead": text[:lead_end], "body": text[lead_end:]}
        zone_words = {zone: self.analyzer.words(part) for zone, part in zone_texts.items()}
        scoring = self.rules.scoring
        factor = {"title": scoring.title_weight, "lead": scoring.lead_weight,
                  "body": scoring.body_weight}
        results = []
        for compiled in self.topics:
            evidence: dict[str, dict[str, Any]] = {}
            score = 0.0
            for zone, words in zone_words.items():
                for term, start, end in compiled.hits(words):
                    form = zone_texts[zone][words[start].start:words[end - 1].end]
                    _add_evidence(evidence, term.text, term.weight, zone, form)
                    score += term.weight * factor[zone]
                for pattern in compiled.patterns:
                    for form in pattern.findall(fold(zone_texts[zone])):
                        _add_evidence(evidence, f"/{pattern.pattern}/", 1.0, zone, str(form))
                        score += factor[zone]
            if score > 0:
                results.append(TopicMatch(compiled.topic.name, round(score, 2),
                                          sorted(evidence.values(), key=lambda e: e["term"])))
        return results

    def tag(self, title: str, text: str) -> list[TopicMatch]:
        """Topics whose score reaches their threshold."""
        thresholds = {t.name: t.threshold for t in self.rules.topics}
        return [m for m in self.score_topics(title, text) if m.score >= thresholds[m.topic]]
