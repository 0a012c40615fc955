"""Language of an extracted text, with langdetect made deterministic."""

from __future__ import annotations

from dataclasses import dataclass

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

# langdetect samples n-grams at random: without a fixed seed a short headline can
# come out French on one run and Italian on the next.
DetectorFactory.seed = 0


@dataclass(frozen=True)
class Language:
    code: str
    probability: float


UNKNOWN = Language("und", 0.0)


def detect_language(text: str) -> Language:
    """Most probable language of `text`; 'und' with probability 0 when undecidable."""
    DetectorFactory.seed = 0
    try:
        candidates = detect_langs(text)
    except LangDetectException:
        return UNKNOWN
    if not candidates:
        return UNKNOWN
    best = candidates[0]
    return Language(best.lang, round(best.prob, 4))
