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
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterator

from kp_extract.model import Page

Span = tuple[int, int]

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[^\W\d_]|[\"“”(])")


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


# --- gates: cheap checks that skip a regex search that cannot match ----------------------------

try:  # the regex parser and sre's case table (CPython 3.11+); without them nothing is gated
    from re import _casefix, _constants as _sre, _parser as _sre_parse
except ImportError:  # pragma: no cover - other Python implementations
    _sre_parse = None

Needles = tuple[str, ...] | None


def _needle_char(code: int) -> str | None:
    """The lower-cased literal character `code` when a needle may hold it, else None.

    Only Latin-1 characters whose case partners are found by str.lower() alone: for them "text
    char c matches this literal, case-insensitively as re does it" implies c.lower() == the
    needle's character (re compares simple lower cases, which str.lower() gives for every
    character but "İ" and a final "Σ", neither a partner of a Latin-1 letter). Characters with
    extra case partners in re ("i"/"ı", "s"/"ſ", "µ"/"μ") are left out."""
    if code > 0xFF:
        return None
    low = chr(code).lower()
    if len(low) != 1 or ord(low) > 0xFF or ord(low) in _casefix._EXTRA_CASES:
        return None
    return low


def _better(a: tuple[str, ...], b: tuple[str, ...] | None) -> bool:
    """True when needle set a is more selective than b: longer shortest needle, then fewer needles."""
    return b is None or (min(map(len, a)), -len(a)) > (min(map(len, b)), -len(b))


def _seq_needles(items: Any) -> Needles:
    """Needles of a parsed regex sequence: every match of the sequence holds one of them."""
    best: Needles = None
    run: list[str] = []

    def consider(found: Needles) -> None:
        nonlocal best
        if found and _better(found, best):
            best = found

    for op, av in items:
        if op is _sre.LITERAL:
            ch = _needle_char(av)
            if ch is not None:
                run.append(ch)
                continue
        # anything else ends the run of literal characters; each item of a sequence is matched,
        # so each item's own needles (if any) are needles of the sequence
        if run:
            consider(("".join(run),))
            run = []
        if op is _sre.SUBPATTERN:
            consider(_seq_needles(av[3]))
        elif op is _sre.ATOMIC_GROUP:
            consider(_seq_needles(av))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            consider(_seq_needles(av[2]))
        elif op is _sre.BRANCH:
            alternatives = [_seq_needles(alt) for alt in av[1]]
            if all(alternatives):  # a match takes one alternative: one of its needles is there
                consider(tuple(sorted(set().union(*alternatives))))
    if run:
        consider(("".join(run),))
    return best


def _needles(pattern: re.Pattern[str]) -> Needles:
    """Lower-case strings at least one of which the lower-cased text holds whenever `pattern`
    matches in it (case-insensitive or not), taken from the pattern's literal characters; None
    when the pattern has no such literal, or cannot be analysed: then it is always tried."""
    if _sre_parse is None:  # pragma: no cover
        return None
    try:
        return _seq_needles(_sre_parse.parse(pattern.pattern, pattern.flags))
    except Exception:  # pragma: no cover - an unknown parser shape: no gate, never a wrong skip
        return None


def _first_chars(items: Any, ignorecase: bool) -> frozenset[str] | None:
    """The characters a match of a parsed regex sequence can start with (zero-width assertions
    skipped), or None when that set is not plainly known. Only caseless literal characters are
    taken under IGNORECASE, and only items that always consume a character."""
    for op, av in items:
        if op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):
            continue  # zero-width: the match starts with what follows
        if op is _sre.LITERAL:
            c = chr(av)
            return frozenset(c) if not ignorecase or c.lower() == c.upper() == c else None
        if op is _sre.IN:
            if not all(o is _sre.LITERAL for o, _ in av):
                return None
            chars = [chr(a) for _, a in av]
            return frozenset(chars) if not ignorecase or all(c.lower() == c.upper() == c for c in chars) else None
        if op is _sre.BRANCH:
            sets = [_first_chars(alt, ignorecase) for alt in av[1]]
            return None if not all(sets) else frozenset().union(*sets)
        if op is _sre.SUBPATTERN and av[3].getwidth()[0] > 0:
            return _first_chars(av[3], ignorecase)
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[0] >= 1 and av[2].getwidth()[0] > 0:
            return _first_chars(av[2], ignorecase)
        return None
    return None


class _Starts:
    """finditer for a pattern whose matches all start with one of a few characters: the pattern
    is tried (Pattern.match at a position, which sees the text before it as search does) only
    where such a character is, found by one character-class search, instead of at every
    position. Same matches as pattern.finditer for a pattern that cannot match empty."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        first = None
        if _sre_parse is not None:
            try:
                parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
                if parsed.getwidth()[0] > 0:
                    first = _first_chars(parsed, bool(pattern.flags & re.IGNORECASE))
            except Exception:  # pragma: no cover - an unknown parser shape: plain finditer
                first = None
        self.first = re.compile("[" + "".join(re.escape(c) for c in sorted(first)) + "]") if first else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if self.first is None:
            yield from self.pattern.finditer(text)
            return
        find, match = self.first.search, self.pattern.match
        pos = 0
        while True:
            c = find(text, pos)
            if c is None:
                return
            m = match(text, c.start())
            if m is None:
                pos = c.start() + 1
            else:
                yield m
                pos = m.end()


def _may_match(needles: Needles, lowered: str) -> bool:
    """False only when the pattern with these needles cannot match the text lowered from."""
    # map over the bound __contains__: the substring tests run without a generator frame
    return needles is None or any(map(lowered.__contains__, needles))


@dataclass(frozen=True)
class _Rules:
    line_rules: tuple[tuple[str, re.Pattern[str]], ...]
    any_line_rule: re.Pattern[str]  # the line rules as one pattern: one match per line, not one per rule
    phrase_rules: tuple[tuple[str, re.Pattern[str]], ...]
    phrase_needles: tuple[Needles, ...]  # per phrase rule, see _needles
    any_block_start: re.Pattern[str]  # every block rule's close/start pattern, as one: a per-line gate
    contact_label: re.Pattern[str]
    email: re.Pattern[str]
    phone: re.Pattern[str]
    phone_starts: _Starts  # phone.finditer, trying the pattern only where a match can start
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
    phrase_rules = tuple((r["name"], re.compile(r["pattern"], re.IGNORECASE)) for r in raw["phrase_rules"])
    return _Rules(
        line_rules=tuple((r["name"], _full(r["pattern"])) for r in raw["line_rules"]),
        any_line_rule=_full("|".join(f"(?:{r['pattern']})" for r in raw["line_rules"])),
        phrase_rules=phrase_rules,
        phrase_needles=tuple(_needles(p) for _, p in phrase_rules),
        any_block_start=_full("|".join(
            f"(?:{b[key]})" for b in raw["block_rules"] for key in ("close", "start") if key in b)),
        contact_label=re.compile(contact["label_pattern"], re.IGNORECASE),
        email=re.compile(contact["email_pattern"]),
        phone=re.compile(contact["phone_pattern"]),
        phone_starts=_Starts(re.compile(contact["phone_pattern"])),
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


def _has_email(text: str) -> bool:
    """True when text holds an e-mail address (the data's pattern has a literal "@", as
    scrub_contacts and parse_contact assume too: no "@", no search)."""
    return "@" in text and _rules().email.search(text) is not None


def _phones(text: str) -> Iterator[re.Match[str]]:
    """The phone numbers in text, in order: phone pattern matches with phone_min_digits to
    phone_max_digits digits (without any digit in the text no match can have enough)."""
    r = _rules()
    lo, hi = r.phone_digits
    if lo > 0 and not _has_digit(text):
        return iter(())
    return (m for m in r.phone_starts.finditer(text) if lo <= sum(c.isdigit() for c in m.group()) <= hi)


def _has_phone(text: str) -> bool:
    """True when text holds a phone number (see _phones; stops at the first)."""
    return next(_phones(text), None) is not None


def _contact_marks(t: str) -> bool | list[Span]:
    """True when line t is a contact line to mark whole (a contact label, or an e-mail address or
    phone number in a short line); else the spans, relative to t, of the sentences of a long
    line that carry an address or a number (none for a line without contact details)."""
    r = _rules()
    if not (r.contact_label.match(t) or _has_email(t) or _has_phone(t)):
        return []
    if len(t) <= r.contact_max_len:
        return True
    # long line: mark only the sentences that carry an address or a number
    spans: list[Span] = []
    pos = 0
    for piece in _SENTENCE_SPLIT.split(t):
        idx = t.find(piece, pos)
        if idx < 0:
            continue
        pos = idx + len(piece)
        if _has_email(piece) or _has_phone(piece):
            spans.append((idx, idx + len(piece.rstrip())))
    return spans


def _line_marks(t: str) -> bool | tuple[Span, ...]:
    """What the line rules mark in one stripped line t that is neither a dateline nor marked
    already: True for the whole line (a line rule, or a contact line), else the chrome spans
    relative to t (contact sentences of a long line, phrase rules), maybe none. A pure function
    of t, so repeated lines (site chrome recurs on every page) can share one result."""
    r = _rules()
    if r.any_line_rule.match(t):
        return True
    contact = _contact_marks(t)
    if contact is True:
        return True
    spans = list(contact)
    lowered = None
    for (_, p), needles in zip(r.phrase_rules, r.phrase_needles):
        if needles is not None:
            # a phrase rule whose literal text is not in the line cannot match there
            if lowered is None:
                lowered = t.lower()
            if not _may_match(needles, lowered):
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


_CONTACT_HEADING = re.compile(
    r"(?:Kontakt(?:person(?:er)?)?|Kontakta oss|Kontaktuppgifter|Contacts?|Contact (?:us|persons?|details))\s*:?\Z",
    re.IGNORECASE,
)
_CONTACT_BLOCK_LINES = 8
_CONTACT_BLOCK_LINE_LEN = 80


def _contact_blocks(mk: _Marker) -> None:
    """The paragraph under a bare "Kontakt" / "Kontaktperson" heading (name, title, department,
    number lines): chrome when its lines are short and one of them carries an e-mail address or a
    phone number, so the names and titles of contact persons stay out of the records."""
    lines = mk.lines
    for ln in lines:
        if ln.blank or not _CONTACT_HEADING.match(ln.text):
            continue
        i = ln.index + 1
        while i < len(lines) and lines[i].blank and i - ln.index <= 2:
            i += 1
        para = []
        while i < len(lines) and not lines[i].blank and len(para) <= _CONTACT_BLOCK_LINES:
            para.append(lines[i])
            i += 1
        if (not para or len(para) > _CONTACT_BLOCK_LINES
                or any(len(p.text) > _CONTACT_BLOCK_LINE_LEN for p in para)):
            continue
        if any(_has_email(p.text) or _has_phone(p.text) for p in para):
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
                or t[-1] in ".!?:;," or _has_digit(t)
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


# --- contact details ---------------------------------------------------------
#
# Contact persons, e-mail addresses and phone numbers are personal data. clean
# marks them as chrome, so no record is built from them; the export layer uses
# scrub_contacts to remove any that reach a record through other text, and
# `kp-extract run --include-contacts` writes the ones below to contacts.csv/.json.

EMAIL_PLACEHOLDER = "[e-post]"
PHONE_PLACEHOLDER = "[telefon]"
CONTACT_FIELDS = ("start", "end", "name", "role", "email", "phone")

# A contact-person phrase inside running text, up to the end of its sentence or line.
_CONTACT_PHRASE = re.compile(
    r"(?<![\w-])(?:Kontaktperson(?:er)?|Kontakta|Kontakt|Contact(?:\s+persons?)?|Contacts)\s*:"
    r"[^\n]*?(?:(?<=[.!?])(?=\s+[^\W\d_])|(?=\n)|\Z)",
    re.IGNORECASE,
)
_LABEL_ONLY = re.compile(
    r"^(?:Kontaktperson(?:er)?|Kontakt|Kontakta|Contact(?: person)?s?|E-post|E-mail|Email|Mejl|Mail|Telefon"
    r"|Tel|Tfn|Mobil|Phone|Mobile|Växel|Switchboard)\.?$",
    re.IGNORECASE,
)
_PART_SPLIT = re.compile(r"\s*(?:[,;|/]|\s[–—-]\s)\s*")


@lru_cache(maxsize=1)
def _digit_chars() -> frozenset[str]:
    """Every character str.isdigit() accepts (decimal digits, superscripts, circled digits ...),
    read from the running Python's own Unicode table (~60 ms, once per process), so that "has a
    digit?" is one C-level set test, not a Python step per character. (A regex character class
    of these ~800 characters is slower than the Python loop: sre tries its ranges one by one.)"""
    return frozenset(filter(str.isdigit, map(chr, range(sys.maxunicode + 1))))


def _has_digit(text: str) -> bool:
    """any(c.isdigit() for c in text), in C."""
    return not _digit_chars().isdisjoint(text)


def _phone_matches(text: str) -> list[re.Match[str]]:
    return list(_phones(text))


def scrub_contacts(text: str) -> str:
    """text without personal contact details: e-mail addresses become "[e-post]", phone numbers
    "[telefon]", and contact-person phrases ("Kontaktperson: Anna Ek, projektledare.") and lines
    that start with a contact label ("E-post: …", "Tel. …") are dropped. Text without any is
    returned unchanged (the same object)."""
    if not text:
        return text
    # Records repeat their texts (partner names, areas, themes: ~4 calls per distinct text on a
    # corpus), so texts up to _SCRUB_CACHED_MAX_LEN share one result through a cache.
    out = _scrubbed_cached(text) if len(text) <= _SCRUB_CACHED_MAX_LEN else _scrubbed(text)
    return text if out is None else out


def _scrubbed(text: str) -> str | None:
    """scrub_contacts(text) for a non-empty text, or None when that is the text unchanged (so a
    cached result never hands back another, equal string object)."""
    r = _rules()
    out = text
    if "@" in out:
        out = r.email.sub(EMAIL_PLACEHOLDER, out)
    phones = _phone_matches(out)
    if phones:
        parts, pos = [], 0
        for m in phones:
            parts.append(out[pos:m.start()])
            parts.append(PHONE_PLACEHOLDER)
            pos = m.end()
        parts.append(out[pos:])
        out = "".join(parts)
    # _CONTACT_PHRASE has a literal ":": no colon, no contact phrase (the cheap tests first)
    if "\n" in out or r.contact_label.search(out) or (":" in out and _CONTACT_PHRASE.search(out)):
        lines = [ln for ln in out.split("\n") if not r.contact_label.match(ln.strip())]
        out = "\n".join(lines)
        if ":" in out:  # _CONTACT_PHRASE has a literal ":"
            out = _CONTACT_PHRASE.sub("", out)
        if out != text:
            out = re.sub(r"[ \t]{2,}", " ", out).strip()
    return None if out == text else out


_SCRUB_CACHED_MAX_LEN = 1000
_scrubbed_cached = lru_cache(maxsize=16384)(_scrubbed)


def contact_spans(text: str) -> list[tuple[int, int, str]]:
    """The parts of `text` that scrub_contacts would replace or drop, as sorted, non-overlapping
    (start, end, replacement) spans, so that a viewer can hide contact details while every other
    character keeps its offset: e-mail addresses -> "[e-post]", phone numbers -> "[telefon]",
    lines that start with a contact label and contact-person phrases -> "" (dropped). The same
    rules as scrub_contacts; its whitespace tidying is left out (it hides nothing)."""
    if not text:
        return []
    r = _rules()
    spans: list[tuple[int, int, str]] = []
    masked = text
    if "@" in text:
        for m in r.email.finditer(text):
            spans.append((m.start(), m.end(), EMAIL_PLACEHOLDER))
        # phones are looked for with the addresses gone, as scrub_contacts does
        for s, e, _ in spans:
            masked = masked[:s] + "\x00" * (e - s) + masked[e:]
    spans += [(m.start(), m.end(), PHONE_PLACEHOLDER) for m in _phone_matches(masked)]
    pos = 0
    for line in text.split("\n"):
        if r.contact_label.match(line.strip()):
            spans.append((pos, pos + len(line), ""))
        pos += len(line) + 1
    spans += [(m.start(), m.end(), "") for m in _CONTACT_PHRASE.finditer(text) if m.end() > m.start()]
    merged: list[tuple[int, int, str]] = []
    for s, e, rep in sorted(spans, key=lambda t: (t[0], -t[1])):
        if merged and s < merged[-1][1]:
            ps, pe, prep = merged[-1]
            # a dropped span swallows the placeholders inside it
            merged[-1] = (ps, max(pe, e), "" if (prep == "" or rep == "") else prep)
        else:
            merged.append((s, e, rep))
    return merged


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 4 and all(w[0].isupper() or w in ("af", "von", "de", "van", "bin") for w in words)


def parse_contact(line: str) -> dict[str, str | None] | None:
    """name, role (title or organisation), email and phone of one contact line, or None when the
    line carries none of them ("Kontaktperson: Anna Ek, projektledare, anna.ek@vaxjo.se, 0470-123 45")."""
    r = _rules()
    text = line.strip()
    if not text:
        return None
    email_m = r.email.search(text) if "@" in text else None
    phones = _phone_matches(text)
    labelled = r.contact_label.match(text)
    rest = text
    if email_m:
        rest = rest.replace(email_m.group(), " ")
    for m in phones:
        rest = rest.replace(m.group(), " ")
    if labelled:
        rest = rest[labelled.end():] if rest.startswith(labelled.group()) else rest
    parts = []
    for part in _PART_SPLIT.split(rest):
        part = re.sub(r"^(?:[\w-]+\s*[.:]\s*)+(?=\s|$)", "", part).strip(" .:;,–-")
        part = re.sub(r"\s{2,}", " ", part)
        if (part and any(c.isalpha() for c in part) and not _LABEL_ONLY.match(part)
                and not r.contact_label.match(part + ":")):
            parts.append(part)
    name = None
    if parts and (labelled or _looks_like_name(parts[0])):
        name = parts[0]
    role = ", ".join(parts[1:] if name else parts) or None
    if not labelled and len(text) > 120:  # a sentence that carries an address: no fields from its words
        name = role = None
    email = email_m.group() if email_m else None
    phone = phones[0].group() if phones else None
    if not (email or phone or (labelled and name)):
        return None
    return {"name": name, "role": role, "email": email, "phone": phone}


def find_contacts(page: Page) -> list[tuple]:
    """(start, end, name, role, email, phone) for every contact line inside page.chrome, in page
    order (None for a field the line does not give). Run after clean_page."""
    r = _rules()
    text = page.text
    out: list[tuple] = []
    for s, e in page.chrome:
        chunk = text[s:e]
        if "@" not in chunk and not _has_digit(chunk) and not r.contact_label.search(
                chunk.replace("\n", " ")) and "\n" not in chunk:
            continue
        pos = s
        for raw in chunk.split("\n"):
            start = pos + len(raw) - len(raw.lstrip())
            end = pos + len(raw.rstrip())
            pos += len(raw) + 1
            if end <= start:
                continue
            fields = parse_contact(raw)
            if not fields:
                continue
            row = (start, end, fields["name"], fields["role"], fields["email"], fields["phone"])
            prev = out[-1] if out else None
            if (prev is not None and text.count("\n", prev[1], start) == 1 and not text[prev[1]:start].strip()
                    and all(a is None or b is None for a, b in zip(prev[2:], row[2:]))):
                # the next line of the same contact ("Anna Ek, projektledare" / "anna.ek@…" / "0470-…")
                row = (prev[0], end) + tuple(a if a is not None else b for a, b in zip(prev[2:], row[2:]))
                out[-1] = row
            else:
                out.append(row)
    return out
