"""Wire attribution: which agency's dispatch a text is, read where outlets say so.

Read from the byline and JSON-LD credits, from a dateline at the start of the text
("KIEV (AFP) -", "Moscou, 3 mars (Reuters) –"), and from a short credit line at the
top or the bottom ("Avec AFP", "(Belga)", "© AFP", "Source : Reuters", "Par Le Figaro
avec AFP"). Never from the body of a paragraph ("a déclaré à l'AFP", "selon
Reuters") or a photo credit ("Photo AFP", "© Genya Savilov / AFP", "AFP/Miguel
Medina"): those name the agency without the text being its dispatch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from veille.config import ConfigError, check_keys, read_toml

EDGE_LINES = 4  # credit lines are among the first or the last lines of a text
MAX_CREDIT_CHARS = 100
DATELINE_CHARS = 120
NOT_A_CREDIT = re.compile(r"^\W*(photo|crédit|credit|illustration|vid[ée]o|image|infographie|"
                          r"lire|à lire|voir)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    names: tuple[str, ...]
    country: str = ""
    state: bool = False  # controlled by a state (TASS, RIA Novosti, Sputnik, RT...)


def default_wires_path() -> Path:
    return Path(str(resources.files("veille") / "data" / "wires.toml"))


@cache
def load_agencies(path: str | None = None) -> tuple[Agency, ...]:
    path = path or str(default_wires_path())
    data = read_toml(path)
    check_keys(path, "top level", data, {"agency": dict})
    agencies = []
    for agency_id, table in data.get("agency", {}).items():
        entry = f"agency '{agency_id}'"
        if not isinstance(table, dict):
            raise ConfigError(path, "must be a table", entry)
        check_keys(path, entry, table, {"name": str, "names": list, "country": str,
                                        "state": bool})
        names = tuple(n for n in table.get("names", []) if isinstance(n, str) and n.strip())
        if not names:
            raise ConfigError(path, "needs at least one name", entry, "names")
        agencies.append(Agency(agency_id, table.get("name", names[0]), names,
                               table.get("country", ""), bool(table.get("state", False))))
    return tuple(agencies)


class WireReader:
    """Finds the agency a text credits as its source."""

    def __init__(self, agencies: tuple[Agency, ...] | None = None) -> None:
        self.agencies = agencies if agencies is not None else load_agencies()
        # Names match whatever their case in credit lines ("(ats)", "avec afp"), which is
        # the only place they are looked for.
        self.by_name = {name.casefold(): a for a in self.agencies for name in a.names}
        alternatives = "|".join(re.escape(n) for n in sorted(
            {n for a in self.agencies for n in a.names}, key=len, reverse=True))
        agency = rf"(?<![\w-])(?:{alternatives})(?![\w-])"
        several = rf"{agency}(?:\s*(?:,|/|et|and|&)\s*{agency})*"
        self._name = re.compile(rf"(?<![\w-])({alternatives})(?![\w-])", re.IGNORECASE)
        # "KIEV (AFP) -", "Moscou, 3 mars (Reuters) –", "MOSCOU, 11 novembre. /TASS/."
        self._dateline = re.compile(
            rf"^[^\n()/]{{0,80}}?(?:\(\s*{several}\s*\)|/\s*{several}\s*/\.?)"
            rf"\s*(?:[-–—:.]|$|\s)", re.IGNORECASE)
        self._credits = (
            # "Avec AFP", "(Belga)", "AFP", "Source : Reuters", "avec AFP et Reuters"
            re.compile(rf"^\(?\s*(?:avec|sources?\s*:?|d'après)?\s*{several}\s*\)?\s*\.?$",
                       re.IGNORECASE),
            # "© AFP", "(c) Belga 2026", "Copyright Reuters"
            re.compile(rf"^(?:©|\(c\)|copyright)\s*{several}\s*(?:\d{{4}})?\s*\.?$",
                       re.IGNORECASE),
            # "Le Figaro avec AFP", "Par LEXPRESS.fr avec AFP", "La rédaction avec Belga"
            re.compile(rf"^(?:par\s+)?(?:[^\s()/]+\s+){{0,5}}?[^\s()/]+\s+(?:avec|d'après)\s+"
                       rf"(?:l'|les\s+agences\s+)?{several}\s*\.?$", re.IGNORECASE),
            # "Par AFP", "Agence France-Presse"
            re.compile(rf"^(?:par|de notre agence)\s+{several}\s*\.?$", re.IGNORECASE),
            # "ats/jpr", "(afp/lm)": the agency and the initials of the editor (Swiss style)
            re.compile(rf"^\(?\s*(?i:{several})\s*/\s*[a-z]{{1,4}}(?:/[a-z]{{1,4}})?\s*\)?$"),
        )

    def _named(self, text: str) -> Agency | None:
        match = self._name.search(text)
        return self.by_name.get(match.group(1).casefold()) if match else None

    def credit(self, line: str) -> Agency | None:
        """The agency a credit line (or a byline) names; None for anything else."""
        line = " ".join(line.split()).strip(" -–—|")
        if not line or len(line) > MAX_CREDIT_CHARS or NOT_A_CREDIT.match(line):
            return None
        if any(pattern.match(line) for pattern in self._credits):
            return self._named(line)
        return None

    def dateline(self, text: str) -> Agency | None:
        head = text.lstrip()[:DATELINE_CHARS]
        match = self._dateline.match(head)
        return self._named(match.group(0)) if match else None

    def read(self, text: str, author: str | None = None,
             credits: str | None = None) -> Agency | None:
        """The agency whose dispatch the text is, or None for original reporting."""
        for byline in (author, *(credits or "").split(";")):
            if byline and (agency := self.credit(byline)):
                return agency
        if agency := self.dateline(text):
            return agency
        lines = [line for line in text.splitlines() if line.strip()]
        for line in [*lines[:EDGE_LINES], *lines[-EDGE_LINES:]]:
            if agency := self.credit(line):
                return agency
        return None

    def strip_credits(self, text: str) -> str:
        """The text without its credit lines and dateline: what copies are compared on."""
        lines = text.splitlines()
        edges = set(range(EDGE_LINES)) | set(range(len(lines) - EDGE_LINES, len(lines)))
        kept = [line for i, line in enumerate(lines)
                if not (i in edges and self.credit(line))]
        body = "\n".join(kept)
        match = self._dateline.match(body.lstrip())
        return body.lstrip()[match.end():].lstrip() if match else body
