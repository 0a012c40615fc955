"""What the extraction workers compute for the scheduler, passed in to the crawl: an
article's tags, its story features (fingerprint, story terms, wire) and its search
index words, so that the process that stores does only what needs the database.

The crawl gets `PageAnalysisFactory`, a picklable callable each worker calls once; the
tagger for the shipped rules is built in the forkserver before it forks the workers
(`scheduler.preload`), so a worker started or recycled does not build it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from scheduler.dedup.content import words_hash
from scheduler.tagging.rules import Rules
from veille.model import Extracted, SearchWords, TagKind, TextAnalysis
from veille.text import folded_words, lemma_words

if TYPE_CHECKING:  # the storing process pickles the factory and never loads these
    from scheduler.tagging.tagger import Tagger

_BUILT: dict[str, Tagger] = {}  # rules version -> tagger, filled by scheduler.preload


def tagger_for(rules: Rules) -> Tagger:
    """The tagger of `rules`, built once per process (or inherited from the forkserver)."""
    from scheduler.tagging.tagger import Tagger

    tagger = _BUILT.get(rules.version)
    if tagger is None:
        tagger = _BUILT[rules.version] = Tagger(rules)
    return tagger


@dataclass(frozen=True)
class PageAnalysisFactory:
    rules: Rules

    def __call__(self) -> Callable[[Extracted], TextAnalysis]:
        from scheduler.stories.assign import StoryPreparer

        tagger, preparer = tagger_for(self.rules), StoryPreparer()

        def analyse(extracted: Extracted) -> TextAnalysis:
            tags = tagger.tag(extracted.title or "", extracted.text)
            entities = [t.topic for t in tags.tags if t.kind == TagKind.ENTITY]
            folded = folded_words(extracted.text)  # the content hash's and the shingles'
            story = preparer.prepare(extracted.title, extracted.text, extracted.author,
                                     extracted.credits, entities, None, folded)
            search = SearchWords(extracted.title, " ".join(lemma_words(extracted.title or "")),
                                 " ".join(lemma_words(extracted.text)))
            return TextAnalysis(tags, story, search, words_hash(folded))

        return analyse
