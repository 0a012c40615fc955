"""The words stories are matched on, and what each is worth.

An article is read as: the French lemmas of its title and lead (the first ~300
characters), the proper names anywhere in its text (the places, people and
equipment that tell one event from another: "Saltivka", "Iskander", "Synegoubov"),
the entities the tagger found ("@kharkiv") and the numbers of its title and lead
("#3"). A word's worth is its rarity in French (wordfreq's frequency list: "mort" or
"frappe" say little, "Saltivka" a lot), lowered for words that many stored articles
share. The days the lead says the event happened ("dans la nuit de lundi à mardi",
"jeudi après-midi", "le 5 novembre") are kept too, as "!2026-11-05": two texts that
put their events on different days are two events.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache

from veille.model import Terms
from veille.text import fold, fold_word, french_lemma, tokens
from veille.times import moment

LEAD_CHARS = 300
MIN_LETTERS = 3
ENTITY, NUMBER, DAY = "@", "#", "!"
MAX_WEIGHT = 7.5  # a word wordfreq has never seen
MIN_WEIGHT = 0.5
SHARED_FROM = 20  # articles stored before what they share lowers what a word is worth
# Grammatical words, and verbs and nouns of every news story: no evidence of one event.
STOPWORDS = frozenset(fold(w) for w in """
a à afin ai aie ainsi alors après as au aucun aujourd'hui aupres auquel aussi autre autres
aux avait avant avec avoir ayant bien c ça car ce ceci cela celle celles celui cependant ces
cet cette ceux chaque chez ci comme comment contre d dans de depuis des dès deux devant doit
donc dont du durant elle elles en encore entre est et été être eu eux fait faire fois font
hier il ils jamais je jusqu jusque l la là le les leur leurs lors lorsque lui m ma mais me
même mêmes mes moi moins mon n ne ni nos notre nous on ont ou où par parce parmi pas pendant
peu peut plus plusieurs pour pourquoi près puis qu quand que quel quelle quelles quels qui
quoi s sa sans se selon ses si sien son sont sous sur t ta tandis tant te tes toi ton tous
tout toute toutes très trop tu un une unes uns vers via voici voilà vos votre vous y
dire déclarer annoncer indiquer affirmer estimer ajouter expliquer préciser rapporter
aller pouvoir vouloir devoir venir lundi mardi mercredi jeudi vendredi samedi dimanche
matin soir nuit journée semaine janvier février mars avril mai juin juillet août septembre
octobre novembre décembre an année jour heure minute dernier dernière premier première
nouveau nouvelle nouvel mme monsieur madame source sources article lire
""".split())  # noqa: SIM905 - a word list reads best as words; folded as terms are
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre",
          "octobre", "novembre", "decembre")
_DAY = "|".join(WEEKDAYS)
EVENT_DAYS = (
    re.compile(rf"\bnuit (?:de|du) (?:{_DAY}) (?:a|au) ({_DAY})\b"),
    re.compile(rf"\b({_DAY}) (?:matin|soir|midi|apres-midi|a l'aube|dans la soiree)\b"),
    re.compile(rf"\bce ({_DAY})\b"),
)
DATE = re.compile(rf"\b(1er|[12]?\d|3[01]) ({'|'.join(MONTHS)})\b")
DAY_BEFORE = re.compile(r"\b(?:au lendemain d|la veille\b)")  # the event: the day before
PROPER = re.compile(r"\b([A-ZÀÂÉÈÊÎÔÛÇ][\w'’-]{2,})")


@lru_cache(maxsize=50_000)
def _lemma(word: str) -> str:
    return french_lemma(word)


@lru_cache(maxsize=50_000)
def prior(word: str) -> float:
    """How little used a word is in French: 7.5 minus its Zipf frequency (wordfreq's
    small list; a word missing from it is rare)."""
    from wordfreq import zipf_frequency

    return max(MIN_WEIGHT, MAX_WEIGHT - zipf_frequency(word, "fr", wordlist="small"))


def lead(title: str | None, text: str) -> str:
    """The title and the text's first LEAD_CHARS characters, cut at a word."""
    head = text[:LEAD_CHARS]
    if len(text) > LEAD_CHARS and " " in head:
        head = head.rsplit(" ", 1)[0]
    return f"{title or ''}\n{head}"


def _sentence_start(text: str, index: int) -> bool:
    i = index - 1
    while i >= 0 and text[i] in " «\"“(":
        i -= 1
    return i < 0 or text[i] in ".!?:\n»"


def _proper_names(text: str) -> dict[str, float]:
    names = {}
    for match in PROPER.finditer(text):
        if _sentence_start(text, match.start()):
            continue
        word = match.group(1).replace("’", "'").split("'")[-1]
        term = fold_word(word)
        if len(term) >= MIN_LETTERS and term not in STOPWORDS:
            names[term] = prior(word.lower())
    return names


def event_days(head: str, published: datetime | None) -> frozenset[str]:
    """The days the lead says its event happened, relative to the publication date."""
    if published is None:
        return frozenset()
    folded = fold(head)
    found: set[date] = set()
    for pattern in EVENT_DAYS:
        for match in pattern.finditer(folded):
            back = (published.weekday() - WEEKDAYS.index(match.group(1))) % 7
            found.add(published.date() - timedelta(days=back))
    if DAY_BEFORE.search(folded):
        found.add(published.date() - timedelta(days=1))
    for match in DATE.finditer(folded):
        day = 1 if match.group(1) == "1er" else int(match.group(1))
        try:
            when = date(published.year, MONTHS.index(match.group(2)) + 1, day)
        except ValueError:
            continue
        if abs((when - published.date()).days) <= 10:
            found.add(when)
    return frozenset(f"{DAY}{d.isoformat()}" for d in found)


def story_terms(title: str | None, text: str, entities: Iterable[str] = (),
                published: str | None = None) -> Terms:
    """The terms of an article: title and lead lemmas, proper names of the whole text,
    entities, the lead's numbers, and the days its event happened."""
    head = lead(title, text)
    weights = _proper_names(text)
    for _, _, word in tokens(head):
        if word.isdigit():
            weights[NUMBER + word] = prior(word)
            continue
        lemma = _lemma(word)
        term = fold_word(lemma)
        if len(term) >= MIN_LETTERS and term not in STOPWORDS \
                and fold_word(word) not in STOPWORDS and not re.search(r"\d", term):
            weights.setdefault(term, prior(lemma))
    for entity in entities:  # half: the name it stands for is often a term of its own
        weights[ENTITY + entity] = prior(entity.replace("-", " ")) / 2
    return Terms(weights, event_days(head, moment(published) if published else None))


def with_days(terms: Terms, title: str | None, text: str, published: str | None) -> Terms:
    """`terms` with the event days read against another publication date."""
    return Terms(terms.weights,
                 event_days(lead(title, text), moment(published) if published else None))


def weight(term_prior: float, term_articles: int, total_articles: int) -> float:
    """A term's worth: its rarity in French, lowered when many stored articles have it
    ("Ukraine" in a database about the war says little)."""
    if total_articles < SHARED_FROM:
        return term_prior
    shared = math.log((1 + total_articles) / (1 + term_articles)) / math.log(1 + total_articles)
    return term_prior * (0.3 + 0.7 * shared)
