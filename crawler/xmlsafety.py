"""XML from the web made safe to parse: entity declarations and invalid characters.

A feed may declare entities in its DOCTYPE. External entities (XXE: a `SYSTEM` or
`PUBLIC` identifier), parameter entities and entities built from other entities
(billion laughs) are refused; a DTD that only names characters
(`<!ENTITY nbsp "&#160;">`, as Atom feeds generated from HTML do) is resolved here,
by text substitution, and removed, so that no XML parser ever expands anything.

A character reference that XML forbids (`&#xD800;`, a lone surrogate; `&#0;`;
past U+10FFFF) made feedparser fail on the whole feed; it is replaced by U+FFFD,
the replacement character, so that one bad title does not hide the other items.
"""

from __future__ import annotations

import re

DOCTYPE = re.compile(rb"<!DOCTYPE\s[^\[>]*(?:\[(?P<subset>.*?)\]\s*)?>", re.IGNORECASE | re.DOTALL)
ENTITY = re.compile(rb"<!ENTITY\s+(?P<pe>%\s+)?(?P<name>[A-Za-z_][\w.-]*)\s+(?P<rest>.*?)>",
                    re.DOTALL)
QUOTED = re.compile(rb"""^(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')\s*$""", re.DOTALL)
# An entity value we substitute: text and character references, nothing that expands.
HARMLESS_VALUE = re.compile(rb"^(?:[^&<%]|&#[0-9]{1,7};|&#x[0-9A-Fa-f]{1,6};)*$")
MAX_ENTITIES = 300
MAX_VALUE_BYTES = 200
CHAR_REF = re.compile(rb"&#(?:x(?P<hex>[0-9A-Fa-f]+)|(?P<dec>[0-9]+));")
CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.DOTALL)
# C0 controls that XML 1.0 forbids (tab, newline and carriage return are allowed)
CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))
REPLACEMENT = b"&#xFFFD;"


class UnsafeXMLError(Exception):
    """The document declares entities that could read files or expand without end."""


def _xml_char(code: int) -> bool:
    return (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)


def _valid_ref(match: re.Match[bytes]) -> bytes:
    digits = match.group("hex") or match.group("dec")
    if len(digits) > 7:
        return REPLACEMENT
    code = int(digits, 16 if match.group("hex") else 10)
    return match.group(0) if _xml_char(code) else REPLACEMENT


def repair_characters(body: bytes) -> bytes:
    """Invalid character references and raw control bytes replaced (outside and inside
    CDATA alike: neither is text a reader wants)."""
    return CHAR_REF.sub(_valid_ref, body).translate(None, CONTROL_BYTES)


def _declarations(subset: bytes) -> dict[bytes, bytes]:
    """The internal entities of a DTD subset, checked; UnsafeXMLError for anything else."""
    entities: dict[bytes, bytes] = {}
    for match in ENTITY.finditer(subset):
        name, rest = match.group("name"), match.group("rest").strip()
        if match.group("pe"):
            raise UnsafeXMLError(f"parameter entity {name.decode(errors='replace')!r}")
        quoted = QUOTED.match(rest)
        if quoted is None:  # SYSTEM "file:///etc/passwd", PUBLIC ..., NDATA ...
            raise UnsafeXMLError(f"external entity {name.decode(errors='replace')!r}")
        value = quoted.group("dq") if quoted.group("dq") is not None else quoted.group("sq")
        if len(value) > MAX_VALUE_BYTES or not HARMLESS_VALUE.match(value):
            raise UnsafeXMLError(f"entity {name.decode(errors='replace')!r} is built from other "
                            "entities or markup")
        entities[name] = value
        if len(entities) > MAX_ENTITIES:
            raise UnsafeXMLError(f"more than {MAX_ENTITIES} entities declared")
    return entities


def resolve_entities(body: bytes) -> bytes:
    """The document with its DOCTYPE removed and its declared character entities replaced
    by their values; unchanged when it declares none. UnsafeXMLError when it declares an
    external or parameter entity, or one made of other entities."""
    head = body[:65536]
    if b"<!ENTITY" not in head.upper():
        return body
    doctype = DOCTYPE.search(head)
    if doctype is None or doctype.group("subset") is None:
        raise UnsafeXMLError("entity declarations outside a DOCTYPE")
    entities = _declarations(doctype.group("subset"))
    rest = body[doctype.end():]
    if not entities:
        return body[:doctype.start()] + rest
    pattern = re.compile(rb"&(" + b"|".join(re.escape(n) for n in entities) + rb");")

    def substitute(text: bytes) -> bytes:
        return pattern.sub(lambda m: entities[m.group(1)], text)

    # Entities are not expanded inside CDATA sections: leave those as they are.
    pieces, last = [], 0
    for section in CDATA.finditer(rest):
        pieces += [substitute(rest[last:section.start()]), section.group(0)]
        last = section.end()
    pieces.append(substitute(rest[last:]))
    return body[:doctype.start()] + b"".join(pieces)


def make_safe(body: bytes) -> bytes:
    """What the feed and sitemap parsers read: entities resolved, characters repaired."""
    return repair_characters(resolve_entities(body))
