"""Titles: every span of a page that could be a project's own name, described for the model.

Recall first, as for partners: a labelled name (``Project: X``), a quoted name, a heading, the
short first line of a paragraph, a bullet's leading words, a name in brackets after a project
word, a title-case name the text gives a project. Whether a candidate is a project's name is
the model's *title* head's decision (scoring.py), from how it is written (kind, length, case, a
final stop, a sequel's number rather than a date's), what stands around it (a project word before
or after, a grant in its sentence, prose under a heading) and whether it describes rather than
names (``Kommunalt partnerskap med Sydafrika``, ``Bakgrund``: data/pair_cues.json's
``descriptive``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from kp_extract.lexicon.gazetteer import find_countries, organisation_kind
from kp_extract.model import Block, Mention
from kp_extract.lexicon.partners import norm_key, swedish_bodies
from kp_extract.stages.s3_segment import inline_field
from kp_extract.stages.s5_extract.parties import cue_patterns
from kp_extract.stages.s5_extract.proposals import TITLE_TAIL, TITLED_BULLET, _clean_title, named_in_text, parse_party_heading

QUOTED = re.compile(r"[“”\"«„]([^“”\"«»„\n]{1,160}(?:\n[^“”\"«»„\n]{1,160})?)[”“\"»]")  # a name may wrap once
BULLET_MARK = re.compile(r"^[\s•·▪◦●*‣○–—-]+")
PAREN = re.compile(r"\(([^()\n]{3,100})\)")
LEAD_DASH = re.compile(r"^[^–—:]{2,40}\s[–—]\s")  # 'Kenya – Governance for …': a bullet's lead before its title
# a sequel's or a code's number is part of a name ('Rent vatten 2.0', 'Gröna torg III Skolor',
# 'Samarbete Del 2 – X', 'TRAVA36'), unlike the numbers of dates and counts that `has_digit` says
SEQUEL = re.compile(r"\b\d+\.\d+\b|\b(?:[Pp]art|[Dd]el|[Ff]as|[Pp]hase|[Ss]tage|[Ee]tapp)\s+\d{1,2}\b"
                    r"|\b(?:II|III|IV|VI|VII|VIII|IX)\b|\b\d{1,2}$|(?<=[A-Za-zÅÄÖåäö])\d{1,3}\b")
# what joins the names of a quoted list ('“A” & “B”', '“A” (Dnr 2020-0001) and “B”'): the second name takes
# the first one's intro word ('the projects “A” & “B”')
LIST_JOIN = re.compile(r"^\s*(?:\([^()\n]{1,60}\)\s*)?(?:,|&|\+|and|och|samt|or|eller)\s*$", re.IGNORECASE)
# a quote left open before a list's next name ('“A (Dnr …) and “B”'): the name ends at its brackets or joiner
OPEN_LIST_TAIL = re.compile(r"\s*(?:\([^()\n]{1,60}\)\s*)?(?:,|&|\+|\band|\boch|\bsamt)\s*$", re.IGNORECASE)
MAX_WORDS = 25
INTRO_WINDOW = 40
AFTER_WINDOW = 20


@dataclass(slots=True)
class TitleCandidate:
    text: str
    start: int  # page offsets of the name
    end: int
    kinds: set[str]
    block: int
    features: dict[str, float] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return norm_key(self.text)


def names_pair(text: str) -> bool:
    return parse_party_heading(text) is not None


def is_label(title: str) -> bool:
    """Whether a would-be title is, as a whole, the programme's label, an organisation's name or an
    agreement's kind ('Kommunala partnerskap', the ICLD centre's name, Sida, 'letter of intent'): the page
    is about the programme, names its funder or an agreement, not a project (data/pair_cues.json's
    'programme' and 'agreement', data/organisations.csv)."""
    text = title.strip(" .:;,–—-\"'“”")
    cues = cue_patterns()
    return bool(text) and (organisation_kind(text) is not None or cues["programme"].fullmatch(text) is not None
                           or cues["agreement"].fullmatch(text) is not None)


def _add(out: dict, text: str, start: int, end: int, kind: str, block: int) -> None:
    title = _clean_title(text).rstrip(" .:;,–—-")
    if not title or len(title) < 3 or len(title.split()) > MAX_WORDS or not any(ch.isalpha() for ch in title):
        return
    at = text.find(title.split()[0]) if title.split() else 0
    s = start + max(at, 0)
    key = (norm_key(title), block)
    if key in out:
        out[key].kinds.add(kind)
        return
    out[key] = TitleCandidate(title, s, min(end, s + len(title)), {kind}, block)


def _quoted(text: str) -> list[tuple[int, int, str]]:
    """The quoted names of a text as (start, end, name). A quote left open before the next name of a list
    ('“A (Dnr …) and “B”') ends at that list's joiner, and the quote mark that closed it opens the next name."""
    found: list[tuple[int, int, str]] = []
    pos = 0
    while True:
        m = QUOTED.search(text, pos)
        if not m:
            return found
        name, end = m.group(1), m.end(1)
        tail = OPEN_LIST_TAIL.search(name)
        if tail and text[m.end(1)] in "“„«":  # the mark after it opens, not closes: the quote was left open
            name, end, pos = name[:tail.start()], m.start(1) + tail.start(), m.end(1)
        else:
            pos = m.end()
        found.append((m.start(1), end, name))


def _list_intro(c: TitleCandidate, block: Block, quoted_before: list[TitleCandidate]) -> bool:
    """Whether a quoted name is the next item of a quoted list whose previous name has an intro word (that
    name's own intro_before already says so for the items before it)."""
    if not quoted_before:
        return False
    prev = quoted_before[-1]
    gap = block.text[prev.end - block.start:c.start - block.start].strip(" “”\"«»„")
    return bool(LIST_JOIN.match(gap)) and bool(prev.features.get("intro_before"))


def title_candidates(blocks: list[Block], mentions: list[Mention], listing: bool = False) -> list[TitleCandidate]:
    """Every title candidate of a page, with its features (listing: the page is a listing of the programme
    site, filtered by a partner or country)."""
    out: dict[tuple[str, int], TitleCandidate] = {}
    first_heading = next((i for i, b in enumerate(blocks) if b.kind == "heading"), None)
    for i, b in enumerate(blocks):
        if b.kind in ("chrome", "footer"):
            continue
        text = b.text
        pos = 0
        for line in text.split("\n"):
            got = inline_field(line)
            if got and got[0] == "title":
                _add(out, got[1], b.start + pos + got[2], b.start + pos + len(line), "labelled", i)
            pos += len(line) + 1
        for qs, qe, name in _quoted(text):
            _add(out, name, b.start + qs, b.start + qe, "quoted", i)
        if b.kind == "heading":
            _add(out, text, b.start, b.end, "headline" if i == first_heading else "heading", i)
        elif b.kind == "title" and not inline_field(text):
            _add(out, text, b.start, b.end, "heading", i)
        elif b.kind == "bullet":
            body = BULLET_MARK.sub("", text)
            off = len(text) - len(body)
            lead = LEAD_DASH.match(body)
            if lead:
                body, off = body[lead.end():], off + lead.end()
            tb = TITLED_BULLET.match(body)
            tail = TITLE_TAIL.search(body)
            name = tb.group("title") if tb else body[:tail.start()] if tail else body
            _add(out, name, b.start + off, b.start + off + len(name), "bullet", i)
        elif b.kind == "prose":
            first, _, rest = text.partition("\n")
            if rest and len(first.split()) <= 14 and first.rstrip()[-1:] not in ".!?,;":
                _add(out, first, b.start, b.start + len(first), "line", i)
            for m in PAREN.finditer(text):
                if cue_patterns()["title_intro"].search(text[max(0, m.start() - INTRO_WINDOW):m.start()]):
                    _add(out, m.group(1), b.start + m.start(1), b.start + m.end(1), "paren", i)
            named = named_in_text(text)
            if named:
                at = text.find(named)
                if at >= 0:
                    _add(out, named, b.start + at, b.start + at + len(named), "named", i)
    found = sorted(out.values(), key=lambda c: (c.start, c.end))
    _describe(found, blocks, mentions, listing)
    return found


def _describe(found: list[TitleCandidate], blocks: list[Block], mentions: list[Mention], listing: bool) -> None:
    cues = cue_patterns()
    page_labelled = any("labelled" in c.kinds for c in found)
    headings = sum(1 for b in blocks if b.kind == "heading")
    counts: dict[str, int] = {}
    for c in found:
        counts[c.key] = counts.get(c.key, 0) + 1
    page_text_by_block = {i: b for i, b in enumerate(blocks)}

    def quoted_in_block(c: TitleCandidate) -> list[TitleCandidate]:
        return [q for q in found if q.block == c.block and "quoted" in q.kinds and q.end <= c.start]
    for c in found:
        b = page_text_by_block[c.block]
        local_s, local_e = c.start - b.start, c.end - b.start
        before = b.text[max(0, local_s - INTRO_WINDOW):local_s]
        after = b.text[local_e:local_e + AFTER_WINDOW]
        words = c.text.split()
        caps = sum(1 for w in words if w[:1].isupper())
        lower = sum(1 for w in words if w[:1].islower())
        nxt = blocks[c.block + 1] if c.block + 1 < len(blocks) else None
        unsequelled = SEQUEL.sub(" ", c.text)  # the name without its sequel or code numbers
        f = {f"kind_{k}": 1.0 for k in c.kinds}
        f.update({
            "words": math.log1p(len(words)) / math.log1p(MAX_WORDS),
            "one_word": float(len(words) == 1),
            "capitalised": caps / len(words),
            "sentence_like": float(len(words) > 6 and lower / len(words) > 0.6),
            "has_digit": float(any(ch.isdigit() for ch in unsequelled)),
            "sequel_number": float(unsequelled != c.text),
            "has_colon": float(":" in c.text),
            "intro_before": float(bool(cues["title_intro"].search(before))
                                  or ("quoted" in c.kinds and _list_intro(c, b, quoted_in_block(c)))),
            "project_after": float(bool(cues["title_intro"].search(after))),
            "grant_near": float(bool(cues["grant"].search(b.text))),
            "descriptive": float(bool(cues["descriptive"].search(c.text))),
            "names_agreement": float(bool(cues["agreement"].search(c.text))),  # 'letter of intent'
            "names_programme": float(bool(cues["programme"].search(c.text))),  # the programme, not a project
            "names_swedish": float(bool(swedish_bodies(c.text))),
            "names_country": float(bool(find_countries(c.text))),
            "whole_block": float(c.start - b.start <= 2 and b.end - c.end <= 2),
            "prose_follows": float(nxt is not None and nxt.kind == "prose" and c.end >= b.end - 2),
            "repeated": float(counts.get(c.key, 0) > 1),
            "page_labelled": float(page_labelled),
            # (whether a structure rule took it for a title is left out: the head judges every candidate alike)
            "block_heading": float(b.kind == "heading"),
            "finite_verb": float(bool(cues["finite_verb"].search(c.text))),
            "project_opening": float(nxt is not None and nxt.kind == "prose" and c.end >= b.end - 2
                                     and bool(cues["project_opening"].search(nxt.text))),
            "ends_project_word": float(bool(re.search(r"(?i)\b(?:project|projekt|programme|program)$", c.text))),
            "page_headings": math.log1p(headings) / math.log1p(20),
            "page_listing": float(listing),
            # a heading of a listing page that is no parties heading: a card that starts with its title
            "listing_heading": float(listing and b.kind == "heading" and not names_pair(b.text)),
        })
        c.features = f
