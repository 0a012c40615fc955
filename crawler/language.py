"""Language of an extracted text, with langdetect made deterministic and kept small."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from veille.model import DETECTABLE_LANGUAGES

# Profiles loaded: DETECTABLE_LANGUAGES. Text in other scripts has no n-gram in these
# profiles and comes out 'und' (not French), as it should; leaving out the CJK and
# Indic profiles divides the memory of each worker's detector by three.
LANGUAGES = DETECTABLE_LANGUAGES
SEED = 0
# A line whose letters are mostly capitals ("LA RUSSIE ANNONCE...") reads as German to
# the detector's n-grams: such lines are lower-cased first.
UPPER_SHARE = 0.6
SAMPLE_CHARS = 1200  # bench/extraction_options.py: same decisions as 2,400 on the corpus


@dataclass(frozen=True)
class Language:
    code: str
    probability: float


UNKNOWN = Language("und", 0.0)
_factory: DetectorFactory | None = None


def _detector_factory() -> DetectorFactory:
    global _factory
    if _factory is None:
        factory = DetectorFactory()
        factory.load_json_profile([(Path(PROFILES_DIRECTORY) / code).read_text("utf-8")
                                   for code in LANGUAGES])
        factory.set_seed(SEED)
        _factory = factory
    return _factory


def sample(text: str, size: int = SAMPLE_CHARS) -> str:
    """Beginning, middle and end of a long text: enough to tell its language.

    langdetect reads n-grams of up to 10,000 characters in pure Python; on a long
    article that was a third of the cost of analysing the page.
    """
    if len(text) <= size:
        return text
    third = size // 3
    middle = len(text) // 2 - third // 2
    return " ".join((text[:third], text[middle:middle + third], text[-third:]))


def case_normalised(text: str) -> str:
    """Lines written in capitals lower-cased; the others as they are."""
    lines = []
    for line in text.splitlines() or [text]:
        letters = [c for c in line if c.isalpha()]
        upper = sum(c.isupper() for c in letters)
        lines.append(line.lower() if letters and upper / len(letters) > UPPER_SHARE else line)
    return "\n".join(lines)


def detect_language(text: str, sample_chars: int = SAMPLE_CHARS) -> Language:
    """Most probable language of `text`; 'und' with probability 0 when undecidable.

    The seed is fixed: langdetect samples n-grams at random, so without it a
    short headline can come out French on one run and Italian on the next.
    """
    try:
        detector = _detector_factory().create()
        detector.append(case_normalised(sample(text, sample_chars)))
        candidates = detector.get_probabilities()
    except LangDetectException:
        return UNKNOWN
    if not candidates:
        return UNKNOWN
    best = candidates[0]
    return Language(best.lang, round(best.prob, 4))
