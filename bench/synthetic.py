"""Synthetic French news at scale, from the sentences of real pages, in veille's own schema.

Sentences come from the French pages of the corpus (their text as veille extracts it)
and from the articles written for veille (bench/stories/events). A synthetic article is
eight to fourteen of them with one word in four replaced by another word of the same
texts, so that two articles share their vocabulary but never whole passages (no
article is a copy of another unless the benchmark makes it one). One article in two
carries a sentence about the war, so that "Russie" or "Ukraine" are found in about
half of them, as in a database about the war.
"""

from __future__ import annotations

import json
import random
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent
SOURCES = [f"outlet-{n:02d}" for n in range(40)]
START = datetime(2025, 12, 1, tzinfo=UTC)
SPAN = timedelta(days=365)


@dataclass(frozen=True)
class Synthetic:
    n: int
    source: str
    url: str
    title: str
    text: str
    published: str
    topics: tuple[str, ...]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?»])\s+", text)
            if 40 <= len(s.strip()) <= 400]


def corpus_sentences(corpus: Path) -> list[str]:
    """Sentences of the corpus's French pages, as veille extracts them."""
    from crawler.extract import extract

    sentences: list[str] = []
    manifest = (corpus / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    french = [line.split("\t")[0] for line in manifest[1:]
              if line.split("\t")[3:4] == ["fr"] and line.split("\t")[0].endswith(".html")
              and ".expected" not in line.split("\t")[0]]
    for name in french:
        page = extract((corpus / name).read_bytes(), f"https://example.fr/{name}")
        if page is not None:
            sentences += _sentences(page.text)
    return sentences


def war_sentences() -> dict[str, list[str]]:
    """Sentences of the events written for veille, by the topic they speak of."""
    found: dict[str, list[str]] = {"russia": [], "ukraine": [], "nato": []}
    words = {"russia": ("Russie", "russe", "Moscou", "Kremlin"),
             "ukraine": ("Ukraine", "ukrainien", "Kiev", "Zelensky"),
             "nato": ("Otan", "OTAN", "Alliés", "Rutte")}
    for path in sorted((HERE / "stories" / "events").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for event in data.get("event", [data]):
            texts = [*(event.get("dispatch") or {}).get("paragraphs", []),
                     *(p for a in event.get("articles", []) for p in a["paragraphs"])]
            for sentence in (s for t in texts for s in _sentences(t)):
                for topic, markers in words.items():
                    if any(m in sentence for m in markers):
                        found[topic].append(sentence)
    return found


class Generator:
    def __init__(self, corpus: Path, seed: int = 20261201, names: int = 0) -> None:
        self.names = names  # names each article adds (an open vocabulary), drawn by Zipf's law
        self.general = corpus_sentences(corpus)
        self.war = war_sentences()
        self.vocabulary = sorted({w for s in self.general for w in s.split() if w.isalpha()})
        self.seed = seed

    def state(self) -> dict:
        return {"general": self.general, "war": self.war, "vocabulary": self.vocabulary,
                "seed": self.seed, "names": self.names}


def _perturb(sentence: str, rng: random.Random, vocabulary: list[str]) -> str:
    words = sentence.split()
    return " ".join(rng.choice(vocabulary) if i % 4 == 3 else w for i, w in enumerate(words))


SYLLABLES = ("ka", "ro", "vi", "lo", "mer", "tan", "bo", "si", "del", "cha", "nu", "pol",
             "gar", "ri", "ze", "mon", "va", "ti", "bur", "len", "ski", "dra", "fo", "chu",
             "ne", "sa", "vel", "ko", "ma", "rin", "do", "ly", "gor", "pe", "zan", "tu",
             "bri", "ha", "sto", "vy")
NAMES = (100, 2_000_000)  # the ranks names are drawn from, log-uniformly (Zipf, s = 1)


def name(rank: int) -> str:
    """The name of this rank: two to four syllables, capitalised ("Kalomer")."""
    parts = []
    while rank or len(parts) < 2:
        rank, digit = divmod(rank, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
    return "".join(parts).capitalize()


def _names(rng: random.Random, count: int) -> list[str]:
    low, high = NAMES
    return [name(int(low * (high / low) ** rng.random())) for _ in range(count)]


def _with_names(sentences: list[str], rng: random.Random, count: int) -> list[str]:
    """The places, people and things an article names, in its sentences (after their
    first word, where a capital is a name)."""
    out = list(sentences)
    for found in _names(rng, count):
        i = rng.randrange(len(out))
        first, _, rest = out[i].partition(" ")
        out[i] = f"{first} {found} {rest}"
    return out


def make_article(state: dict, n: int, total: int) -> Synthetic:
    """The n-th synthetic article of `total`, the same every time."""
    rng = random.Random(state["seed"] * 1_000_003 + n)
    count = rng.randint(8, 14)
    sentences = [_perturb(rng.choice(state["general"]), rng, state["vocabulary"])
                 for _ in range(count)]
    if state.get("names"):
        sentences = _with_names(sentences, rng, state["names"])
    topics: list[str] = []
    if rng.random() < 0.55:
        topic = rng.choice(["russia", "ukraine", "ukraine", "russia", "nato"])
        topics.append(topic)
        for _ in range(rng.randint(1, 3)):
            sentences.insert(rng.randint(0, 2), _perturb(rng.choice(state["war"][topic]), rng,
                                                         state["vocabulary"]))
    title = " ".join(sentences[0].split()[:rng.randint(6, 12)]).rstrip(",;:")
    paragraphs = [" ".join(sentences[i:i + 3]) for i in range(0, len(sentences), 3)]
    published = START + SPAN * (n / max(1, total))
    source = SOURCES[n % len(SOURCES)]
    return Synthetic(n, source, f"https://{source}.example.fr/article/{n}.html", title,
                     "\n".join(paragraphs), published.replace(microsecond=0).isoformat(),
                     tuple(topics))


def articles(state: dict, start: int, stop: int, total: int) -> Iterator[Synthetic]:
    for n in range(start, stop):
        yield make_article(state, n, total)


def dump_state(state: dict, path: Path) -> None:
    path.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
