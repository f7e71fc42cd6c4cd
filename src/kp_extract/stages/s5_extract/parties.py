"""Parties: where a page names (or refers to) a Swedish municipality or region, and whose page it is.

The gazetteer finds the bodies named in the text (``Växjö kommun``, ``Falu``, ``Region Kronoberg``,
``Landstinget i Kronobergs län``). A page also refers to its own body without naming it
(``kommunen``, ``vi``, ``the municipality``): those anaphors are resolved to the page's owner,
which is decided from the page's own structure, in this order: a listing's filter
(``Svensk partner: X``), a site line in the page's chrome or first lines (``X kommuns logotyp``, a
line that is only the body's name), the page's first heading when it names one body. A page
with none of these has no owner and its anaphors stay unresolved.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from kp_extract.lexicon.gazetteer import find_swedish_bodies
from typing import cast

from kp_extract.model import Block, Page, Partner
from kp_extract.lexicon.partners import swedish_bodies

from kp_extract import DATA_DIR
OWNER_LINES = 6  # the page's first lines that may carry its site line


@dataclass(frozen=True, slots=True)
class SwedishParty:
    """One place a page names, or refers to, a Swedish body; offsets into page.text."""

    partner: Partner
    start: int
    end: int
    via: str  # "name" (the gazetteer found it), "anaphor" (kommunen, vi, … resolved to the owner)


@dataclass(slots=True)
class Parties:
    owner: Partner | None
    owner_evidence: str  # "filter", "site_line", "heading" or "" (no owner)
    mentions: list[SwedishParty] = field(default_factory=list)


@lru_cache(maxsize=1)
def cue_patterns() -> dict[str, re.Pattern]:
    """data/pair_cues.json: one compiled alternation per cue class."""
    data = json.loads((DATA_DIR / "pair_cues.json").read_text(encoding="utf-8"))
    return {k: re.compile("|".join(v), re.IGNORECASE if not k.startswith("anaphor") else 0)
            for k, v in data.items() if not k.startswith("_")}


def _one_body(text: str) -> Partner | None:
    found = {p.name: p for p, *_ in swedish_bodies(text)}
    return next(iter(found.values())) if len(found) == 1 else None


def page_owner(page: Page, blocks: list[Block]) -> tuple[Partner | None, str]:
    """The page's own Swedish body and what decided it (see the module docstring)."""
    filt = page.metadata.get("listing_filter", "")
    if filt:
        found = [m.partner for m in find_swedish_bodies(filt) if m.partner]
        if found:
            return found[0], "filter"
    site = cue_patterns()["owner_line"]
    lines = [b for b in blocks if b.kind in ("chrome", "heading")][:OWNER_LINES]
    for b in lines:
        body = _one_body(b.text)
        if body is None:
            continue
        rest = b.text
        for _p, s, e, _surface in swedish_bodies(b.text):
            rest = rest[:s] + " " * (e - s) + rest[e:]
        if site.search(b.text) or not rest.strip(" .,:;–-|"):
            return body, "site_line"
    heading = next((b for b in blocks if b.kind == "heading" and b.section <= 1 and not site.search(b.text)), None)
    if heading is not None:
        body = _one_body(heading.text)
        if body is not None:
            return body, "heading"
    return None, ""


def find_parties(page: Page, blocks: list[Block]) -> Parties:
    """The Swedish bodies a page names, its owner, and the anaphors that refer to the owner."""
    owner, evidence = page_owner(page, blocks)
    parties = Parties(owner, evidence)
    cues = cue_patterns()
    anaphor = None
    if owner is not None:
        anaphor = cues["anaphor_region" if owner.kind == "region" else "anaphor_municipality"]
    for b in blocks:
        if b.kind == "chrome":
            continue
        for partner, s, e, _surface in swedish_bodies(b.text):
            parties.mentions.append(SwedishParty(partner, b.start + s, b.start + e, "name"))
        if anaphor is not None and b.kind in ("prose", "bullet", "heading", "title"):
            for m in anaphor.finditer(b.text):
                parties.mentions.append(SwedishParty(cast(Partner, owner), b.start + m.start(), b.start + m.end(),
                                                     "anaphor"))  # an anaphor pattern exists only with an owner
    parties.mentions.sort(key=lambda m: (m.start, m.end))
    return parties
