"""Mark site chrome in a page and read page metadata.

`clean_page(page)` sets `page.chrome` to sorted, non-overlapping (start, end)
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
"""
from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .model import Page

Span = tuple[int, int]

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[^\W\d_]|[\"“”(])")


@dataclass(frozen=True)
class _Line:
    """One line of the page: `start`/`end` bound its stripped content."""

    index: int
    start: int
    end: int
    text: str

    @property
    def blank(self) -> bool:
        return not self.text


@dataclass(frozen=True)
class _Rules:
    line_rules: tuple[tuple[str, re.Pattern[str]], ...]
    phrase_rules: tuple[tuple[str, re.Pattern[str]], ...]
    contact_label: re.Pattern[str]
    email: re.Pattern[str]
    phone: re.Pattern[str]
    phone_digits: tuple[int, int]
    contact_max_len: int
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
    contact = raw["contact"]
    return _Rules(
        line_rules=tuple((r["name"], _full(r["pattern"])) for r in raw["line_rules"]),
        phrase_rules=tuple(
            (r["name"], re.compile(r["pattern"], re.IGNORECASE)) for r in raw["phrase_rules"]
        ),
        contact_label=re.compile(contact["label_pattern"], re.IGNORECASE),
        email=re.compile(contact["email_pattern"]),
        phone=re.compile(contact["phone_pattern"]),
        phone_digits=(int(contact["phone_min_digits"]), int(contact["phone_max_digits"])),
        contact_max_len=int(contact["max_line_len"]),
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
        self.spans: list[Span] = []
        self.marked: set[int] = set()  # indices of lines marked whole

    def mark_line(self, line: _Line) -> None:
        if not line.blank:
            self.spans.append((line.start, line.end))
            self.marked.add(line.index)

    def mark_lines(self, first: _Line, last: _Line) -> None:
        self.spans.append((first.start, last.end))
        for i in range(first.index, last.index + 1):
            if not self.lines[i].blank:
                self.marked.add(i)

    def nonblank(self) -> list[_Line]:
        return [ln for ln in self.lines if not ln.blank]


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
    nonblank = mk.nonblank()
    for k, close in enumerate(nonblank):
        if close.index in mk.marked or not rule["close_re"].match(close.text):
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
    line_rules = _rules().line_rules
    nonblank = mk.nonblank()
    k = 0
    while k < len(nonblank):
        ln = nonblank[k]
        if ln.index in mk.marked or not rule["start_re"].match(ln.text):
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
                    or any(p.match(nxt.text) for _, p in line_rules)):
                break
            last = nxt
            n += 1
            j += 1
        mk.mark_lines(ln, last)
        k = j


def _listing_filter(mk: _Marker, metadata: dict[str, str]) -> None:
    pattern = _rules().listing_filter
    found: list[str] = []
    for ln in mk.nonblank():
        if not pattern.match(ln.text):
            break
        found.append(ln.text)
        mk.mark_line(ln)
    if found:
        metadata["listing_filter"] = " | ".join(found)


def _contact_spans(mk: _Marker, ln: _Line) -> None:
    r = _rules()
    t = ln.text

    def has_phone(s: str) -> bool:
        lo, hi = r.phone_digits
        return any(lo <= sum(c.isdigit() for c in m.group()) <= hi for m in r.phone.finditer(s))

    labelled = bool(r.contact_label.match(t))
    has_contact = labelled or bool(r.email.search(t)) or has_phone(t)
    if not has_contact:
        return
    if len(t) <= r.contact_max_len:
        mk.mark_line(ln)
        return
    # long line: mark only the sentences that carry an address or a number
    pos = 0
    for piece in _SENTENCE_SPLIT.split(t):
        idx = t.find(piece, pos)
        if idx < 0:
            continue
        pos = idx + len(piece)
        if r.email.search(piece) or has_phone(piece):
            s = ln.start + idx
            e = s + len(piece.rstrip())
            mk.spans.append((s, e))


def _trailing_categories(mk: _Marker, after: int) -> None:
    """Short category lines that run from the last dateline to the page end."""
    cfg = _rules().trailing
    tail = [ln for ln in mk.lines[after + 1:] if not ln.blank and ln.index not in mk.marked]
    if not tail or len(tail) > cfg["max_lines"]:
        return
    for ln in tail:
        t = ln.text
        if (len(t) > cfg["max_len"] or len(t.split()) > cfg["max_words"]
                or t[-1] in ".!?:;," or any(c.isdigit() for c in t)
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
    for ln in mk.lines:
        if ln.blank:
            continue
        facts = _date_facts(ln.text)
        if facts:
            for key, iso in facts:
                dates.setdefault(key, []).append(iso)
            mk.mark_line(ln)
            last_dateline = ln.index
            continue
        if ln.index in mk.marked:
            continue
        if any(p.match(ln.text) for _, p in r.line_rules):
            mk.mark_line(ln)
            continue
        _contact_spans(mk, ln)
        if ln.index in mk.marked:
            continue
        for _, p in r.phrase_rules:
            for m in p.finditer(ln.text):
                g = "chrome" if "chrome" in p.groupindex else 0
                s, e = m.span(g)
                if e > s:
                    mk.spans.append((ln.start + s, ln.start + e))

    if "last_updated" in dates:
        metadata["last_updated"] = max(dates["last_updated"])
    if "published" in dates:
        metadata["published"] = min(dates["published"])
    if last_dateline >= 0:
        _trailing_categories(mk, last_dateline)
    return _merge(mk.spans), metadata


def clean_page(page: Page) -> Page:
    """Set `page.chrome` and fill `page.metadata`; return the same page object.

    `page.chrome` is replaced (not extended), so calling this twice gives the
    same result; metadata keys other than `last_updated`, `published` and
    `listing_filter` are kept.
    """
    spans, metadata = find_chrome(page.text)
    page.chrome = spans
    for key in ("last_updated", "published", "listing_filter"):
        page.metadata.pop(key, None)
    page.metadata.update(metadata)
    return page


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
