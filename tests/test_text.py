"""veille.text: folding character by character is folding the whole text."""

import pytest

from tests.helpers import random_texts
from veille.text import fold, fold_whole, folded_words

TEXTS = [
    "Kyïv", "KYIV", "L’Otan et l‘UE", "Œuvre, cœur, ŒIL", "straße STRASSE", "ΣΟΦΟΣ σοφός",
    "ﬁnancement ﬂotte", "Ｏｔａｎ １２", "e\u0301te\u0301 déjà", "Zelensky a\u0308\u0323",
    "قال الأمين العام", "بَّ بَّ", "שָׁלוֹם", "한국어 조선말", "Ǆ ǅ ǆ", "İstanbul",
    "x\u0651\u064e y\u064e\u0651", "\u0483\u0301", "", " ", "12 345 — 678 !!",
]


@pytest.mark.parametrize("text", TEXTS)
def test_fold_is_fold_of_the_whole_text(text):
    assert fold(text) == fold_whole(text)


def test_fold_is_fold_of_the_whole_text_on_random_mixtures():
    pool = ("aàâäbcçdeéèêëfghiîïjklmnoôöpqrstuùûüvwxyzAÀÂÇÉÈÊËÎÏÔŒÙÛÜŸæœßſ"
            "\u0300\u0301\u0302\u0308\u0323\u0327\u0483"  # combining marks, removed or kept
            "абвгдеёжзийЁЙіїєґІЇЄҐ αβγδέήΣσςΆ"
            "\u064b\u064e\u0650\u0651\u0652بتث\u05b0\u05b4\u05bc\u05c1שלו"
            "가각ㄱﬁﬂＡａ１½²™…’‘`´ʼ«»—–-  \u00a0\u202f\n\t.,;:!?0123456789")
    for text in random_texts(pool, 2000, 40, seed=11):
        assert fold(text) == fold_whole(text), repr(text)


def test_folded_words():
    assert folded_words("L’Otan, à Kyïv : « déjà » !") == ["l", "otan", "a", "kyiv", "deja"]


def test_fold_remembers_a_bounded_number_of_characters():
    from veille import text as text_module

    many = "".join(chr(code) for code in range(0x4E00, 0x4E00 + 2 * text_module._FOLDED.kept))
    assert fold(many) == fold_whole(many)
    assert len(text_module._FOLDED) <= text_module._FOLDED.kept
