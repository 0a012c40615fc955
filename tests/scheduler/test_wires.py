"""Wire attribution: the agency a text credits as its source, and only that."""

from __future__ import annotations

import pytest

from scheduler.stories.wires import WireReader

DISPATCH = ("Au moins trois personnes ont été tuées dans la nuit lors d'une attaque de drones "
            "russes sur Kharkiv, a annoncé le gouverneur régional.\nLes secouristes ont "
            "dégagé les décombres d'un immeuble de neuf étages.")


@pytest.fixture(scope="module")
def wires() -> WireReader:
    return WireReader()


@pytest.mark.parametrize(("text", "agency"), [
    (f"KIEV (AFP) - {DISPATCH}", "afp"),
    (f"Moscou, 3 novembre (Reuters) – {DISPATCH}", "reuters"),
    (f"MOSCOU, 11 novembre. /TASS/. {DISPATCH}", "tass"),
    (f"Bruxelles (Belga) - {DISPATCH}", "belga"),
    (f"GENÈVE (Keystone-ATS) - {DISPATCH}", "ats"),
    (f"{DISPATCH}\nAvec AFP", "afp"),
    (f"Avec AFP\n{DISPATCH}", "afp"),
    (f"{DISPATCH}\n(Belga)", "belga"),
    (f"{DISPATCH}\n© AFP", "afp"),
    (f"{DISPATCH}\nSource : Reuters", "reuters"),
    (f"{DISPATCH}\nPar Le Figaro avec AFP", "afp"),
    (f"{DISPATCH}\nats/jpr", "ats"),
    (f"{DISPATCH}\n(afp/lm)", "afp"),
    (f"{DISPATCH}\navec afp", "afp"),  # case is not a reason to miss a credit line
    (f"{DISPATCH}\nSelon Ukrinform", None),  # "selon" in a line is not a credit
])
def test_credit_in_dateline_or_credit_line(wires, text, agency):
    found = wires.read(text)
    assert (found.id if found else None) == agency


@pytest.mark.parametrize("author", ["AFP", "Le Figaro avec AFP", "20 Minutes avec AFP",
                                    "La rédaction avec Belga", "Par AFP"])
def test_credit_in_the_byline(wires, author):
    assert wires.read(DISPATCH, author=author).id in {"afp", "belga"}


def test_credit_in_json_ld_credits(wires):
    assert wires.read(DISPATCH, credits="Reuters").id == "reuters"


@pytest.mark.parametrize("text", [
    # the agency named in the body: an outlet's own reporting
    f"{DISPATCH}\nUn responsable ukrainien a déclaré à l'AFP que les frappes continueraient.",
    f"Selon l'AFP, les frappes ont repris. {DISPATCH}",
    # photo credits
    f"Photo AFP\n{DISPATCH}",
    f"{DISPATCH}\n© Genya Savilov / AFP",
    f"{DISPATCH}\nAFP/Miguel Medina",
    f"{DISPATCH}\nCrédit photo : Reuters",
    f"Lire aussi : l'AFP raconte la nuit à Kharkiv\n{DISPATCH}",
])
def test_false_friends_are_not_wire_copies(wires, text):
    assert wires.read(text, author="Faustine Vincent (Kharkiv, envoyée spéciale)") is None


def test_state_controlled_agencies_are_flagged(wires):
    flagged = {a.id for a in wires.agencies if a.state}
    assert {"tass", "ria", "sputnik", "rt"} <= flagged
    assert not {"afp", "reuters", "belga"} & flagged


def test_credit_lines_and_dateline_are_left_out_of_what_copies_are_compared_on(wires):
    text = f"KIEV (AFP) - {DISPATCH}\nAvec AFP"
    assert wires.strip_credits(text) == DISPATCH
    # a credit-looking line inside a long text stays: only the edges are credits
    long = "\n".join([DISPATCH] * 5 + ["(Belga)"] + [DISPATCH] * 5)
    assert "(Belga)" in wires.strip_credits(long)
