"""Build bench/stories/labelled.jsonl from the hand-written events in bench/stories/events/.

    python bench/stories/build_set.py
    python bench/stories/build_set.py --events bench/stories/blind/events \
        --out bench/stories/blind/blind.jsonl

A dispatch's republications are made from it with the edits each [[copies]] entry
lists, applied in this order: replace, drop, truncate, insert, then the dateline kept
or dropped and the credit lines added. Everything else is written by hand.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import tomllib
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
EVENTS = HERE / "events"
OUT = HERE / "labelled.jsonl"
OUTLETS = {  # outlet id -> the name its pages give (og:site_name)
    "fil-afp": "Fil AFP", "fil-reuters": "Fil Reuters", "fil-belga": "Fil Belga",
    "fil-ats": "Fil Keystone-ATS", "lefigaro": "Le Figaro", "20minutes": "20 Minutes",
    "lepoint": "Le Point", "ouestfrance": "Ouest-France", "ladepeche": "La Dépêche du Midi",
    "lemonde": "Le Monde", "francetvinfo": "franceinfo", "liberation": "Libération",
    "lexpress": "L'Express", "challenges": "Challenges", "boursorama": "Boursorama",
    "lalibre": "La Libre Belgique", "lesechos": "Les Echos", "rfi": "RFI", "rtbf": "RTBF",
    "leparisien": "Le Parisien", "letemps": "Le Temps", "lavoixdunord": "La Voix du Nord",
    "bfmtv": "BFMTV", "7sur7": "7sur7", "dhnet": "La DH", "lesoir": "Le Soir",
    "lecho": "L'Echo", "rts": "RTS Info", "24heures": "24 heures",
    "tdg": "Tribune de Genève", "tass-fr": "TASS (français)", "infos-russie": "Infos Russie",
    "courrier": "Courrier international", "rtl": "RTL", "sudouest": "Sud Ouest",
    "huffpost": "HuffPost", "tf1info": "TF1 Info", "europe1": "Europe 1", "lacroix": "La Croix",
}


@dataclass
class Item:
    id: str
    outlet: str
    sitename: str
    published: str
    title: str
    author: str
    paragraphs: list[str]
    story: str  # label: the event
    copy_group: str  # label: the dispatch its text copies, else its own id
    wire: str | None  # label: the agency, None for original reporting
    kind: str  # dispatch, copy, original, update, reaction, brief, false_friend...
    edits: list[str] = field(default_factory=list)


def duration(text: str) -> timedelta:
    parts = dict((unit, int(n)) for n, unit in re.findall(r"(\d+)([hm])", text))
    return timedelta(hours=parts.get("h", 0), minutes=parts.get("m", 0))


def republish(paragraphs: list[str], dateline: str, edits: list[str]) -> list[str]:
    body = list(paragraphs)
    parsed = [(e.split(":", 1)[0], e.split(":", 1)[1] if ":" in e else "") for e in edits]
    for name, arg in parsed:
        if name == "replace":
            index, text = arg.split(":", 1)
            body[int(index)] = text
    for index in sorted((int(arg) for name, arg in parsed if name == "drop"), reverse=True):
        del body[index]
    for name, arg in parsed:
        if name == "truncate":
            body = body[:max(1, math.ceil(float(arg) * len(body)))]
    for name, arg in parsed:
        if name == "insert":
            index, text = arg.split(":", 1)
            body.insert(int(index), text)
    if "drop_dateline" not in [name for name, _ in parsed] and dateline:
        body[0] = f"{dateline} {body[0]}"
    tops = [arg for name, arg in parsed if name == "credit_top"]
    bottoms = [arg for name, arg in parsed if name == "credit_bottom"]
    return [*tops, *body, *bottoms]


def event_items(event: dict[str, Any]) -> list[Item]:
    story = event["id"]
    items: list[Item] = []
    dispatch = event.get("dispatch")
    start = datetime.fromisoformat(dispatch["date"] if dispatch else
                                   event["articles"][0]["date"])
    if dispatch:
        group = f"{story}#dispatch"
        items.append(Item(f"{story}-dispatch", dispatch["outlet"], OUTLETS[dispatch["outlet"]],
                          start.isoformat(), dispatch["title"],
                          dispatch.get("author", dispatch["wire"].upper()),
                          republish(dispatch["paragraphs"], dispatch["dateline"], []), story,
                          group, dispatch["wire"], "dispatch"))
        for copy in event.get("copies", []):
            items.append(Item(
                f"{story}-{copy['outlet']}", copy["outlet"], OUTLETS[copy["outlet"]],
                (start + duration(copy["delay"])).isoformat(), copy["title"], copy["author"],
                republish(dispatch["paragraphs"], dispatch["dateline"], copy["edits"]), story,
                group, dispatch["wire"], "copy", copy["edits"]))
    for article in event.get("articles", []):
        when = datetime.fromisoformat(article["date"]) if "date" in article else (
            start + duration(article["delay"]))
        item_id = f"{story}-{article['outlet']}-{article['kind']}"
        group = (f"{story}-{article['copy_of']}-original" if "copy_of" in article
                 else item_id)
        items.append(Item(item_id, article["outlet"], OUTLETS[article["outlet"]],
                          when.isoformat(), article["title"], article["author"],
                          list(article["paragraphs"]), story, group, article.get("wire"),
                          article["kind"]))
    return items


def build(events: Path = EVENTS) -> list[Item]:
    items: list[Item] = []
    for path in sorted(events.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for event in data.get("event", [data]):
            items += event_items(event)
    ids = [i.id for i in items]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise SystemExit(f"duplicate item ids: {sorted(duplicates)}")
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=Path, default=EVENTS)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    items = build(args.events)
    with args.out.open("w", encoding="utf-8") as out:
        for item in items:
            out.write(json.dumps(asdict(item), ensure_ascii=False) + "\n")
    stories = {i.story for i in items}
    kinds: dict[str, int] = {}
    for item in items:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    print(f"{len(items)} articles, {len(stories)} stories, "
          f"{len({i.copy_group for i in items if i.kind in ('dispatch', 'copy')})} copy groups;"
          f" {kinds}")


if __name__ == "__main__":
    main()
