"""Units: the spans of a page at several levels, so that a pair can be placed by how close it is.

From finest to coarsest: a sentence (a line break or a semicolon also ends one), a line, a block
(a blank-line paragraph, a heading, a bullet, a footer), a section (a heading and what follows it),
an item (a card or an article). A single newline is a soft boundary: two sentences on adjacent
lines of one paragraph are one sentence apart, not in different worlds.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from kp_extract.model import Block
from kp_extract.lexicon.partners import sentences


@dataclass(frozen=True, slots=True)
class Unit:
    """One sentence of a page: page offsets, and the block, line, section and item it lies in."""

    start: int
    end: int
    index: int   # running sentence number on the page
    block: int   # index into the page's blocks
    line: int    # running line number on the page
    kind: str    # the block's kind
    item: int
    section: int
    language: str


@dataclass(slots=True)
class PageUnits:
    units: list[Unit]
    starts: list[int]

    def at(self, offset: int) -> Unit | None:
        """The sentence that holds offset, or None (chrome, the gap between blocks)."""
        i = bisect_right(self.starts, offset) - 1
        if i >= 0 and offset < self.units[i].end:
            return self.units[i]
        return None

    def text(self, page_text: str, unit: Unit) -> str:
        return page_text[unit.start:unit.end]


def page_units(blocks: list[Block], language: str = "sv") -> PageUnits:
    """The sentences of every block that is not chrome, in page order."""
    units: list[Unit] = []
    line = 0
    for i, b in enumerate(blocks):
        if b.kind == "chrome":
            continue
        lang = b.language or language
        if b.kind == "footer":  # a footer's label and value lines are one unit each
            spans, pos = [], 0
            for ln in b.text.split("\n"):
                if ln.strip():
                    spans.append((pos, pos + len(ln)))
                pos += len(ln) + 1
        else:
            spans = sentences(b.text, lang)
        for s, e in spans:
            line_here = line + b.text.count("\n", 0, s)
            units.append(Unit(b.start + s, b.start + e, len(units), i, line_here, b.kind, b.item, b.section, lang))
        line += b.text.count("\n") + 1
    return PageUnits(units, [u.start for u in units])
