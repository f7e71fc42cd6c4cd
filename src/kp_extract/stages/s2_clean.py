"""Mark site chrome in a page and read page metadata.

`clean_page(page)` returns a copy of the page (the page given is left as it was) whose `chrome`
holds sorted, non-overlapping (start, end)
spans of page.text that are site chrome (alert and cookie banners, print /
share / contact links, feedback widgets, opening hours, breadcrumbs and menus,
"Senast uppdaterad" lines and trailing category lines after them, contact
persons, e-mail addresses, phone numbers, bare URLs, "Läs mer" and
"Länk till annan webbplats." link phrases) and fills `page.metadata` with
`last_updated` / `published` (ISO dates) and `listing_filter`.

All knowledge (patterns, labels, month names, limits) lives in
data/boilerplate.json; this module only applies it. Marking is conservative:
line rules must match a whole line, phrase rules mark only their phrase, and
contact rules apply to short lines only (in long lines only the sentence
carrying an e-mail address or a phone number is marked). Spans never include
the surrounding whitespace of a line, and all offsets index page.text.

What counts as a contact detail (e-mail addresses, phone numbers, contact
labels and headings) is privacy.py's, which also finds, parses and scrubs
them; this module only marks the lines it names as chrome.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from kp_extract import privacy
from kp_extract.lexicon.scan import Needles, may_match, needles
from kp_extract.model import Page

Span = tuple[int, int]


class _Line:
    """One line of the page: `start`/`end` bound its stripped content; `blank` when it has none.
    (A plain slotted class: pages have tens of lines each, a frozen dataclass costs ~3x to build.)"""

    __slots__ = ("index", "start", "end", "text", "blank")

    def __init__(self, index: int, start: int, end: int, text: str) -> None:
        self.index = index
        self.start = start
        self.end = end
        self.text = text
        self.blank = not text


# --- gates: lexicon/scan.py says which phrase rules cannot match a line, without running them ----

@dataclass(frozen=True)
class _Rules:
    line_rules: tuple[tuple[str, re.Pattern[str]], ...]
    any_line_rule: re.Pattern[str]  # the line rules as one pattern: one match per line, not one per rule
    phrase_rules: tuple[tuple[str, re.Pattern[str]], ...]
    phrase_needles: tuple[Needles, ...]  # per phrase rule, see scan.needles
    any_block_start: re.Pattern[str]  # every block rule's close/start pattern, as one: a per-line gate
    blocks: tuple[dict[str, Any], ...]
    date_line: re.Pattern[str]
    date_labels: dict[str, str]
    date_line_max_len: int
    months: dict[str, int]
    date_value: re.Pattern[str]
    listing_filter: re.Pattern[str]
    trailing: dict[str, int]


def _full(pattern: str) -> re.Pattern[str]:
    return re.compile(r"(?:" + pattern + r")\Z", re.IGNORECASE)


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    raw = json.loads(
        resources.files("kp_extract").joinpath("data/boilerplate.json").read_text("utf-8")
    )
    blocks = []
    for b in raw["block_rules"]:
        b = dict(b)
        for key in ("close", "start"):
            if key in b:
                b[key + "_re"] = _full(b[key])
        if "follow" in b:
            b["follow_re"] = re.compile(b["follow"], re.IGNORECASE)
        blocks.append(b)
    labels = {k.lower(): v for k, v in raw["date_labels"].items()}
    label_alt = "|".join(re.escape(k) for k in sorted(raw["date_labels"], key=len, reverse=True))
    months = {k.lower(): int(v) for k, v in raw["months"].items()}
    month_alt = "|".join(re.escape(m) for m in sorted(months, key=len, reverse=True))
    date_value = re.compile(
        r"(?P<iso>(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2}))"
        r"|(?P<dmy>(?P<dd>\d{1,2})\.?\s+(?P<dm>" + month_alt + r")\.?,?\s+(?P<dy>\d{4}))"
        r"|(?P<mdy>(?P<mm>" + month_alt + r")\.?\s+(?P<md>\d{1,2}),?\s+(?P<my>\d{4}))"
        r"|(?P<dots>(?P<pd>\d{1,2})\.(?P<pm>\d{1,2})\.(?P<py>\d{4}))"
        r"|(?P<my2>(?P<mo>" + month_alt + r")\.?\s+(?P<yo>\d{4}))",
        re.IGNORECASE,
    )
    phrase_rules = tuple((r["name"], re.compile(r["pattern"], re.IGNORECASE)) for r in raw["phrase_rules"])
    return _Rules(
        line_rules=tuple((r["name"], _full(r["pattern"])) for r in raw["line_rules"]),
        any_line_rule=_full("|".join(f"(?:{r['pattern']})" for r in raw["line_rules"])),
        phrase_rules=phrase_rules,
        phrase_needles=tuple(needles(p) for _, p in phrase_rules),
        any_block_start=_full("|".join(
            f"(?:{b[key]})" for b in raw["block_rules"] for key in ("close", "start") if key in b)),
        blocks=tuple(blocks),
        date_line=re.compile(r"(?:" + label_alt + r")\b", re.IGNORECASE),
        date_labels=labels,
        date_line_max_len=int(raw["date_line_max_len"]),
        months=months,
        date_value=date_value,
        listing_filter=_full(raw["listing_filter"]),
        trailing=dict(raw["trailing_category"]),
    )


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    pos = 0
    for i, raw in enumerate(text.split("\n")):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            start = pos + lead
            end = start + len(stripped)
        else:
            start = end = pos
        out.append(_Line(i, start, end, stripped))
        pos += len(raw) + 1
    return out


def _merge(spans: list[Span]) -> list[Span]:
    """Sort spans and merge the ones that overlap or touch; drop empty ones."""
    merged: list[list[int]] = []
    for s, e in sorted(sp for sp in spans if sp[1] > sp[0]):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


# --- dates -----------------------------------------------------------------

def _iso(m: re.Match[str], months: dict[str, int]) -> str | None:
    try:
        if m.group("iso"):
            y, mo, d = int(m.group("iy")), int(m.group("im")), int(m.group("id"))
        elif m.group("dmy"):
            y, mo, d = int(m.group("dy")), months[m.group("dm").lower()], int(m.group("dd"))
        elif m.group("mdy"):
            y, mo, d = int(m.group("my")), months[m.group("mm").lower()], int(m.group("md"))
        elif m.group("dots"):
            y, mo, d = int(m.group("py")), int(m.group("pm")), int(m.group("pd"))
        else:
            y, mo = int(m.group("yo")), months[m.group("mo").lower()]
            if not (1 <= mo <= 12 and 1000 <= y <= 9999):
                return None
            return f"{y:04d}-{mo:02d}"
        return _dt.date(y, mo, d).isoformat()
    except (KeyError, ValueError):
        return None


def parse_date(text: str) -> str | None:
    """The first date in `text` as ISO 8601 ("2018-07-04", or "2018-07" for month
    and year), or None. Understands "4 juli 2018", "31 May 2024", "May 31, 2024",
    "2024-05-31" and "31.05.2024"."""
    r = _rules()
    for m in r.date_value.finditer(text):
        iso = _iso(m, r.months)
        if iso:
            return iso
    return None


def _date_facts(line: str) -> list[tuple[str, str]] | None:
    """(metadata key, ISO date) pairs when the line is a dateline, else None."""
    r = _rules()
    if len(line) > r.date_line_max_len:
        return None
    first = r.date_line.match(line)
    if not first:
        return None
    facts: list[tuple[str, str]] = []
    labels = list(r.date_line.finditer(line))
    for k, lm in enumerate(labels):
        seg_end = labels[k + 1].start() if k + 1 < len(labels) else len(line)
        segment = line[lm.end():seg_end]
        if not re.match(r"\s*[:.\-–]?\s*(?:den\s+|on\s+)?\d|\s*[:.\-–]?\s*(?:den\s+|on\s+)?[^\W\d_]+\.?\s+\d",
                        segment, re.IGNORECASE):
            continue
        iso = parse_date(segment)
        if iso:
            facts.append((r.date_labels[lm.group().lower()], iso))
    return facts or None


# --- the marking passes ----------------------------------------------------

class _Marker:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = _lines(text)
        self.nonblank = [ln for ln in self.lines if not ln.blank]
        self.spans: list[Span] = []
        self.marked: set[int] = set()  # indices of lines marked whole
        # Indices of the lines some block rule's close/start pattern matches: one combined match
        # per line instead of one per rule; a line outside it matches no rule's pattern.
        any_start = _rules().any_block_start
        self.block_lines = {ln.index for ln in self.nonblank if any_start.match(ln.text)}

    def mark_line(self, line: _Line) -> None:
        if not line.blank:
            self.spans.append((line.start, line.end))
            self.marked.add(line.index)

    def mark_lines(self, first: _Line, last: _Line) -> None:
        self.spans.append((first.start, last.end))
        for i in range(first.index, last.index + 1):
            if not self.lines[i].blank:
                self.marked.add(i)


def _heading_like(line: _Line, max_len: int) -> bool:
    t = line.text
    return 0 < len(t) <= max_len and t[-1] not in ".,;:!" and any(c.isalpha() for c in t)


def _close_line_block(mk: _Marker, rule: dict[str, Any]) -> None:
    """Alert banners: from the banner's heading down to its close line.

    The heading is a short line with a blank line (or the page start) above
    it, at most `max_lines` lines / `max_chars` characters above the close
    line; a heading with text under it is preferred to one directly above
    the close line. Without a heading, only the paragraph directly above (if
    at most `fallback_max_chars` long) and the close line are marked, or
    nothing when `fallback_max_chars` is 0.
    """
    nonblank = mk.nonblank
    for k, close in enumerate(nonblank):
        if (close.index not in mk.block_lines or close.index in mk.marked
                or not rule["close_re"].match(close.text)):
            continue
        start: _Line | None = None
        chars = 0
        for j in range(k - 1, max(-1, k - 1 - rule["max_lines"]), -1):
            cand = nonblank[j]
            chars += len(cand.text)
            if cand.index in mk.marked or chars > rule["max_chars"]:
                break
            above = cand.index - 1
            starts_par = above < 0 or mk.lines[above].blank or above in mk.marked
            if starts_par and _heading_like(cand, rule["heading_max_len"]):
                if start is None:
                    start = cand
                if j < k - 1:
                    start = cand
                    break
        if start is None:
            limit = rule.get("fallback_max_chars", 0)
            if limit <= 0:
                continue
            if k > 0 and nonblank[k - 1].index not in mk.marked:
                first = nonblank[k - 1]
                while (first.index > 0 and not mk.lines[first.index - 1].blank
                       and first.index - 1 not in mk.marked):
                    first = mk.lines[first.index - 1]
                size = sum(len(mk.lines[i].text) for i in range(first.index, nonblank[k - 1].index + 1))
                if size <= limit:
                    start = first
            if start is None:
                mk.mark_line(close)
                continue
        if not rule.get("anywhere", True):
            position = next(n for n, ln in enumerate(nonblank) if ln.index == start.index)
            if position >= rule.get("top_lines", 10):
                continue
        mk.mark_lines(start, close)


def _start_follow_block(mk: _Marker, rule: dict[str, Any]) -> None:
    """Widgets that start with a known line and go on with matching lines."""
    any_line_rule = _rules().any_line_rule
    nonblank = mk.nonblank
    k = 0
    while k < len(nonblank):
        ln = nonblank[k]
        if (ln.index not in mk.block_lines or ln.index in mk.marked
                or not rule["start_re"].match(ln.text)):
            k += 1
            continue
        last = ln
        n = 0
        j = k + 1
        while j < len(nonblank) and n < rule["max_follow"]:
            nxt = nonblank[j]
            if len(nxt.text) > rule["follow_max_len"]:
                break
            if not (rule["follow_re"].search(nxt.text)
                    or any_line_rule.match(nxt.text)):
                break
            last = nxt
            n += 1
            j += 1
        mk.mark_lines(ln, last)
        k = j


def _listing_filter(mk: _Marker, metadata: dict[str, str]) -> None:
    pattern = _rules().listing_filter
    found: list[str] = []
    for ln in mk.nonblank:
        if not pattern.match(ln.text):
            break
        found.append(ln.text)
        mk.mark_line(ln)
    if found:
        metadata["listing_filter"] = " | ".join(found)


def _line_marks(t: str) -> Literal[True] | tuple[Span, ...]:
    """What the line rules mark in one stripped line t that is neither a dateline nor marked
    already: True for the whole line (a line rule, or a contact line), else the chrome spans
    relative to t (contact sentences of a long line, phrase rules), maybe none. A pure function
    of t, so repeated lines (site chrome recurs on every page) can share one result."""
    r = _rules()
    if r.any_line_rule.match(t):
        return True
    contact = privacy.contact_line_marks(t)
    if contact is True:
        return True
    spans = list(contact)
    lowered = None
    for (_, p), rule_needles in zip(r.phrase_rules, r.phrase_needles):
        if rule_needles is not None:
            # a phrase rule whose literal text is not in the line cannot match there
            if lowered is None:
                lowered = t.lower()
            if not may_match(rule_needles, lowered):
                continue
        g = "chrome" if "chrome" in p.groupindex else 0
        for m in p.finditer(t):
            s, e = m.span(g)
            if e > s:
                spans.append((s, e))
    return tuple(spans)


# Lines up to this long share their _line_marks result through a cache: chrome lines (menus,
# labels, share links) repeat on every page; long prose lines rarely do and would only fill it.
_CACHED_LINE_MAX_LEN = 200
_cached_line_marks = lru_cache(maxsize=16384)(_line_marks)


def _contact_blocks(mk: _Marker) -> None:
    """The paragraph under a bare "Kontakt" / "Kontaktperson" heading (name, title, department,
    number lines): chrome when privacy.is_contact_paragraph says it is a contact person's, so the
    names and titles of contact persons stay out of the records."""
    lines = mk.lines
    for ln in lines:
        if ln.blank or not privacy.is_contact_heading(ln.text):
            continue
        i = ln.index + 1
        while i < len(lines) and lines[i].blank and i - ln.index <= 2:
            i += 1
        para: list[_Line] = []
        while i < len(lines) and not lines[i].blank and len(para) <= privacy.CONTACT_PARAGRAPH_LINES:
            para.append(lines[i])
            i += 1
        if privacy.is_contact_paragraph([p.text for p in para]):
            mk.mark_lines(para[0], para[-1])


def _trailing_categories(mk: _Marker, after: int) -> None:
    """Short category lines that run from the last dateline to the page end."""
    cfg = _rules().trailing
    tail = [ln for ln in mk.lines[after + 1:] if not ln.blank and ln.index not in mk.marked]
    if not tail or len(tail) > cfg["max_lines"]:
        return
    for ln in tail:
        t = ln.text
        if (len(t) > cfg["max_len"] or len(t.split()) > cfg["max_words"]
                or t[-1] in ".!?:;," or privacy.has_digit(t)
                or not any(c.isalpha() for c in t)):
            return
    for ln in tail:
        mk.mark_line(ln)


def find_chrome(text: str) -> tuple[list[Span], dict[str, str]]:
    """Chrome spans (sorted, non-overlapping, within the text) and metadata of `text`."""
    r = _rules()
    mk = _Marker(text)
    metadata: dict[str, str] = {}

    _listing_filter(mk, metadata)
    for rule in r.blocks:
        if rule["type"] == "close_line":
            _close_line_block(mk, rule)
        elif rule["type"] == "start_follow":
            _start_follow_block(mk, rule)

    last_dateline = -1
    dates: dict[str, list[str]] = {}
    for ln in mk.nonblank:
        facts = _date_facts(ln.text)
        if facts:
            for key, iso in facts:
                dates.setdefault(key, []).append(iso)
            mk.mark_line(ln)
            last_dateline = ln.index
            continue
        if ln.index in mk.marked:
            continue
        t = ln.text
        marks = _cached_line_marks(t) if len(t) <= _CACHED_LINE_MAX_LEN else _line_marks(t)
        if marks is True:
            mk.mark_line(ln)
        else:
            mk.spans.extend((ln.start + s, ln.start + e) for s, e in marks)

    _contact_blocks(mk)
    if "last_updated" in dates:
        metadata["last_updated"] = max(dates["last_updated"])
    if "published" in dates:
        metadata["published"] = min(dates["published"])
    if last_dateline >= 0:
        _trailing_categories(mk, last_dateline)
    return _merge(mk.spans), metadata


def clean_page(page: Page) -> Page:
    """A new Page: `page` with its chrome spans and the metadata read from its text; `page` itself is
    not changed.

    The chrome is found anew (not extended), so cleaning a cleaned page gives the
    same result; metadata keys other than `last_updated`, `published` and
    `listing_filter` are kept.
    """
    spans, found = find_chrome(page.text)
    metadata = {k: v for k, v in page.metadata.items() if k not in ("last_updated", "published", "listing_filter")}
    metadata.update(found)
    return dataclasses.replace(page, chrome=spans, metadata=metadata)


def is_chrome(page: Page, start: int, end: int) -> bool:
    """True when every non-whitespace character of page.text[start:end] is chrome."""
    covered = 0
    pos = start
    for s, e in page.chrome:
        if e <= pos:
            continue
        if s >= end:
            break
        if page.text[pos:max(pos, s)].strip():
            return False
        pos = max(pos, e)
        covered += 1
        if pos >= end:
            return True
    return not page.text[pos:end].strip()


def strip_chrome(page: Page) -> str:
    """page.text with chrome characters replaced by spaces (newlines kept), so
    offsets stay valid."""
    chars = list(page.text)
    for s, e in page.chrome:
        for i in range(s, e):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)
