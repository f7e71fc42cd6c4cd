"""Where a record's values stand in a source block's text: the shared piece of the review report
and `kp-extract inspect`.

Records and mentions keep block-level sources only (file, start, end). `find_value_spans` finds
the surface forms of a record's values inside one block's text: the title as written, Swedish
partners in any gazetteer form (official name, short name, genitive, variants), partners abroad,
countries by name or demonym, dates, amounts, SDGs, durations, areas, themes and tags. It uses the
project's own finders (gazetteer, values) and their data tables, so what it marks is what the
extractor can read. The spans are non-overlapping: the longest wins, ties go to the field listed
first in FIELDS, then to the earlier position, so the result is deterministic.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kp_extract.lexicon import gazetteer
from kp_extract.lexicon import values
from kp_extract.privacy import contact_spans

__all__ = ["ValueSpan", "FIELDS", "find_value_spans", "non_overlapping", "mention_values", "render_segments",
           "cut_segments"]

# Record fields that are highlighted, in tie-break order (a title outranks the names inside it).
FIELDS = (
    "title", "swedish_partners", "international_partners", "other_participants", "countries",
    "start_date", "end_date", "amount_sek", "sdgs", "duration_years", "project_areas", "themes", "tags",
)
_RANK = {f: i for i, f in enumerate(FIELDS)}
_DASH = "-\u2010\u2011\u2012\u2013\u2014"


@dataclass(frozen=True, order=True)
class ValueSpan:
    """One value of a record found in a text: text[start:end] is how the text writes `value`
    (one element of a list field: a partner's canonical name, an ISO country code, an SDG
    number, an ISO date, an amount in SEK, a duration in years, a label)."""

    start: int
    end: int
    field: str
    value: Any


# ---------------------------------------------------------------- helpers

def _bounded(text: str, s: int, e: int) -> bool:
    """text[s:e] stands as its own word(s): no letter or digit glued on either side, except at a
    lower->upper case change ("Växjö KommunÄlmhults kommun": names glued in a footer)."""
    if s > 0 and text[s - 1].isalnum() and not (text[s - 1].islower() and text[s].isupper()):
        return False
    if e < len(text) and text[e].isalnum() and not (text[e - 1].islower() and text[e].isupper()):
        return False
    return True


def _form_rx(form: str) -> str:
    """A regex for one surface form: a run of whitespace matches any whitespace, a dash any dash."""
    out = []
    for part in re.split(r"(\s+)", form):
        if not part:
            continue
        if part.isspace():
            out.append(r"\s+")
        else:
            out.append("".join(f"[{_DASH}]" if ch in _DASH else re.escape(ch) for ch in part))
    return "".join(out)


@lru_cache(maxsize=4096)
def _forms_regex(forms: tuple[str, ...]) -> re.Pattern | None:
    """One case-insensitive alternation of `forms`, longest first."""
    forms = tuple(sorted({f.strip() for f in forms if f and f.strip()}, key=lambda f: (-len(f), f)))
    if not forms:
        return None
    return re.compile("|".join(f"(?:{_form_rx(f)})" for f in forms), re.IGNORECASE)


def _may_occur(form: str, folded_text: str) -> bool:
    """A cheap test before any regex is built: the form's first word (up to a dash) is in the text."""
    words = form.split()
    if not words:
        return False
    key = re.split(f"[{_DASH}]", words[0])[0] or words[0]
    return key.casefold() in folded_text


def _find_forms(text: str, forms: Iterable[str], field: str, value: Any,
                cased: bool = False) -> list[ValueSpan]:
    """Every bounded occurrence of any of `forms`. cased: a form written with a capital must
    have one in the text too (a place name, not the common word)."""
    forms = tuple(forms)
    folded = _casefolded(text)
    if not any(_may_occur(f, folded) for f in forms):
        return []
    rx = _forms_regex(forms)  # compiled once per value, not per text
    if rx is None:
        return []
    out = []
    for m in rx.finditer(text):
        s, e = m.span()
        if not _bounded(text, s, e):
            continue
        if cased and not text[s].isupper():
            continue
        out.append(ValueSpan(s, e, field, value))
    return out


@lru_cache(maxsize=256)
def _casefolded(text: str) -> str:
    return text.casefold()


# ---------------------------------------------------------------- finder results, per text

class _Finds:
    """The project's finders on one text, each run at most once and only when a field needs it."""

    def __init__(self, text: str):
        self.text = text
        self._cache: dict[str, tuple] = {}

    def _get(self, name: str, run) -> tuple:
        if name not in self._cache:
            self._cache[name] = tuple(run(self.text))
        return self._cache[name]

    @property
    def swedish(self) -> tuple[gazetteer.SwedishMatch, ...]:
        return self._get("swedish", gazetteer.find_swedish_bodies)

    @property
    def countries(self) -> tuple[tuple[int, int, str, bool], ...]:
        return self._get("countries", gazetteer.find_countries)

    @property
    def amounts(self) -> tuple[values.Found, ...]:
        return self._get("amounts", values.find_amounts)

    @property
    def ranges(self) -> tuple[values.Found, ...]:
        return self._get("ranges", values.find_date_ranges)

    @property
    def singles(self) -> tuple[values.Found, ...]:
        return self._get("singles", values.find_single_dates)

    @property
    def durations(self) -> tuple[values.Found, ...]:
        return self._get("durations", values.find_durations)

    @property
    def sdgs(self) -> tuple[values.Found, ...]:
        return self._get("sdgs", values.find_sdgs)

    @property
    def sdg_names(self) -> tuple[tuple[int, int, int], ...]:
        return self._get("sdg_names", lambda t: gazetteer.sdg_by_name(t, include_generic=True))


@lru_cache(maxsize=2048)
def _finds(text: str) -> _Finds:
    """The finders' results on one text (cached: a listing block is the source of many records)."""
    return _Finds(text)


# ---------------------------------------------------------------- per field

def _title_spans(text: str, title: str | None) -> list[ValueSpan]:
    if not title:
        return []
    return _find_forms(text, [title], "title", title)


@lru_cache(maxsize=4096)
def _swedish_forms(name: str) -> tuple[str, ...]:
    """Every way the gazetteer writes one Swedish body: official name, short name, stem, variants
    and their genitives (a region: its name, variants, stems and genitives)."""
    gaz = gazetteer.load_gazetteer()
    forms: list[str] = [name]
    for m in gaz.municipalities:
        if m.official_name == name:
            for n in (m.name, *m.variants):
                forms += [n, gazetteer._genitive(n)]
    for r in gaz.regions:
        if r.name == name:
            forms += [*r.variants, *(gazetteer._genitive(v) for v in r.variants)]
    return tuple(dict.fromkeys(forms))


def _swedish_spans(text: str, names: list[str], finds: _Finds) -> list[ValueSpan]:
    if not names:
        return []
    wanted = set(names)
    out = [ValueSpan(m.start, m.end, "swedish_partners", m.partner.name)
           for m in finds.swedish if m.partner is not None and m.partner.name in wanted]
    for name in names:
        # the record already names the body: its bare short name counts wherever it stands
        out += _find_forms(text, _swedish_forms(name), "swedish_partners", name, cased=True)
    return out


@lru_cache(maxsize=4096)
def _partner_forms(name: str) -> tuple[str, ...]:
    """A partner abroad as written in full, and without an administrative word the gazetteer
    knows ("JB Marks Local Municipality" -> "JB Marks")."""
    forms = [name]
    words = sorted({a.word for a in gazetteer.load_gazetteer().admin_words}, key=len, reverse=True)
    for w in words:
        if name.lower().endswith(" " + w.lower()):
            forms.append(name[: -len(w) - 1].rstrip(" ,"))
        if name.lower().startswith(w.lower() + " "):
            forms.append(name[len(w) + 1:].lstrip())
    # a core of one short word is too weak a clue to mark on its own
    return tuple(f for f in dict.fromkeys(forms) if f == name or len(f) >= 4)


def _name_spans(text: str, names: list[str], field: str) -> list[ValueSpan]:
    out: list[ValueSpan] = []
    for name in names:
        out += _find_forms(text, _partner_forms(name), field, name, cased=True)
    return out


def _country_spans(codes: list[str], finds: _Finds) -> list[ValueSpan]:
    if not codes:
        return []
    wanted = set(codes)
    return [ValueSpan(s, e, "countries", code) for s, e, code, _ in finds.countries if code in wanted]


def _month_names(month: int) -> list[str]:
    # values' own month table (sv and en, full and abbreviated): the forms the extractor reads
    return sorted((w for w, n in values._MONTHS.items() if n == month), key=len, reverse=True)


@lru_cache(maxsize=1024)
def _date_regex(iso: str, side: str) -> re.Pattern:
    """The written forms of an ISO date value: 2019 / januari 2019 / 2019-01 / 15 mars 2021 / 2021-03-15;
    for a start month also the bare month before a dash ("januari-juni 2020")."""
    parts = iso.split("-")
    year = parts[0]
    alts = []
    if len(parts) == 1:
        alts.append(rf"(?<![\d.,:]){year}(?!\d)")
    else:
        months = "|".join(re.escape(m) for m in _month_names(int(parts[1])))
        mm = parts[1]
        if len(parts) == 2:
            alts.append(rf"(?<!\w)(?:{months})\.?,?\s+(?:of\s+)?{year}(?!\d)")
            alts.append(rf"(?<!\d){year}-{mm}(?![\d-])")
            if side == "start":
                alts.append(rf"(?<!\w)(?:{months})\.?(?=\s*[{_DASH}]\s*[^\W\d_]+\.?\s+{year}(?!\d))")
        else:
            day = str(int(parts[2]))
            alts.append(rf"(?<!\d)0?{day}(?:\.|:e|:a|st|nd|rd|th)?\s+(?:of\s+)?(?:{months})\.?,?\s+{year}(?!\d)")
            alts.append(rf"(?<!\w)(?:{months})\.?\s+0?{day}(?:st|nd|rd|th)?,?\s+{year}(?!\d)")
            alts.append(rf"(?<!\d){iso}(?!\d)")
    return re.compile("|".join(f"(?:{a})" for a in alts), re.IGNORECASE)


def _date_spans(text: str, start: str | None, end: str | None, finds: _Finds) -> list[ValueSpan]:
    """Dates the finders read as a period or a lone date, marked where they equal the record's."""
    out: list[ValueSpan] = []
    sides = [(f, v, s) for f, v, s in (("start_date", start, "start"), ("end_date", end, "end")) if v]
    if not sides:
        return out
    for f in finds.singles:
        for field, v, _ in sides:
            if f.value == v:
                out.append(ValueSpan(f.start, f.end, field, v))
                break
    for r in finds.ranges:
        lo, hi = r.value
        for field, v, side in sides:
            if v != (lo if side == "start" else hi):
                continue
            hits = list(_date_regex(v, side).finditer(text, r.start, r.end))
            if hits:
                m = hits[0] if side == "start" else hits[-1]
                out.append(ValueSpan(m.start(), m.end(), field, v))
    return out


def _amount_spans(text: str, amount: int | None, finds: _Finds) -> list[ValueSpan]:
    if amount is None:
        return []
    out = [ValueSpan(f.start, f.end, "amount_sek", amount) for f in finds.amounts if f.value == amount]
    # the plain figure, with any thousands separator: "1 500 000", "1.500.000", "1500000"
    digits = str(amount)
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    rx = r"(?<![\d.,])" + r"[ \u00a0\u202f\u2009.,']?".join(groups) + r"(?![\d]|[.,]\d)"
    out += [ValueSpan(m.start(), m.end(), "amount_sek", amount) for m in re.finditer(rx, text)]
    return out


_SDG_PREFIX = re.compile(r"(?<!\d)(1[0-7]|0?[1-9])\s*[" + _DASH + r":.]\s*$")
_SDG_KEYWORD = re.compile(r"(?:SDGs?|mål(?:en)?|goals?)\s*$", re.IGNORECASE)
# a goal number in a statement: 1-17 standing alone (not the 2030 of "Agenda 2030")
_GOAL_NUMBER = re.compile(r"(?<!\d)0?(1[0-7]|[1-9])(?!\d)")


def _sdg_spans(text: str, sdgs: list[int], finds: _Finds) -> list[ValueSpan]:
    """SDG statements ("SDG 5", "Agenda 2030, mål 3 samt mål 11"), goal names, and footer
    entries ("5 - Jämställdhet"). A goal name that is an everyday phrase counts only with its number."""
    if not sdgs:
        return []
    wanted = set(sdgs)
    out: list[ValueSpan] = []
    for f in finds.sdgs:
        if f.value not in wanted:
            continue
        if f.kind == "name":
            out.append(ValueSpan(f.start, f.end, "sdgs", f.value))
            continue
        statement = text[f.start:f.end]
        for i, m in enumerate(_GOAL_NUMBER.finditer(statement)):
            if int(m.group(1)) != f.value:
                continue
            s = f.start + m.start()
            if i == 0:
                s = f.start  # the first goal: the whole lead ("SDG 5", "Agenda 2030, mål 3")
            else:
                kw = _SDG_KEYWORD.search(text, f.start, s)  # "mål 11" in "mål 3 samt mål 11"
                s = kw.start() if kw else s
            out.append(ValueSpan(s, f.start + m.end(), "sdgs", f.value))
            break
    strict: set[tuple[int, int]] | None = None
    for s, e, n in finds.sdg_names:
        if n not in wanted:
            continue
        pre = _SDG_PREFIX.search(text, max(0, s - 8), s)
        if pre and int(pre.group(1)) == n:
            out.append(ValueSpan(pre.start(), e, "sdgs", n))
        else:
            if strict is None:
                strict = {(a, b) for a, b, _ in gazetteer.sdg_by_name(text)}
            if (s, e) in strict:
                out.append(ValueSpan(s, e, "sdgs", n))
    return out


def _duration_spans(duration: float | None, finds: _Finds) -> list[ValueSpan]:
    if duration is None:
        return []
    return [ValueSpan(f.start, f.end, "duration_years", duration) for f in finds.durations
            if abs(float(f.value) - float(duration)) < 1e-9 and not f.range_part]


@lru_cache(maxsize=4096)
def _label_forms(label: str, table: str) -> tuple[str, ...]:
    """A programme label and its variants in either language (areas.csv / themes.csv)."""
    gaz = gazetteer.load_gazetteer()
    rows = gaz.areas if table == "areas" else gaz.themes
    for row in rows:
        if row.label == label:
            return (row.label, *row.variants)
    return (label,)


def _label_spans(text: str, labels: list[str], field: str, table: str | None) -> list[ValueSpan]:
    out: list[ValueSpan] = []
    for label in labels:
        forms = _label_forms(label, table) if table else (label,)
        out += _find_forms(text, forms, field, label)
    return out


# ---------------------------------------------------------------- public

def _as_list(v: Any) -> list:
    if v is None:
        return []
    return list(v) if isinstance(v, (list, tuple)) else [v]


def find_value_spans(text: str, record: Mapping[str, Any]) -> list[ValueSpan]:
    """Where `record`'s values are written in `text` (one source block's text).

    `record` maps field names to values as in projects.json (title, swedish_partners,
    international_partners, other_participants, countries, start_date, end_date, amount_sek,
    sdgs, duration_years, project_areas, themes, tags); missing keys count as empty. Returns
    ValueSpans in text order, non-overlapping: the longest candidate wins, ties go to the field
    earlier in FIELDS, then to the earlier start. Offsets index `text`."""
    if not text:
        return []
    finds = _finds(text)
    cands: list[ValueSpan] = []
    cands += _title_spans(text, record.get("title"))
    cands += _swedish_spans(text, _as_list(record.get("swedish_partners")), finds)
    cands += _name_spans(text, _as_list(record.get("international_partners")), "international_partners")
    cands += _name_spans(text, _as_list(record.get("other_participants")), "other_participants")
    cands += _country_spans(_as_list(record.get("countries")), finds)
    cands += _date_spans(text, record.get("start_date"), record.get("end_date"), finds)
    cands += _amount_spans(text, record.get("amount_sek"), finds)
    cands += _sdg_spans(text, [int(n) for n in _as_list(record.get("sdgs"))], finds)
    cands += _duration_spans(record.get("duration_years"), finds)
    cands += _label_spans(text, _as_list(record.get("project_areas")), "project_areas", "areas")
    cands += _label_spans(text, _as_list(record.get("themes")), "themes", "themes")
    cands += _label_spans(text, _as_list(record.get("tags")), "tags", None)
    return non_overlapping(cands)


def non_overlapping(cands: Iterable[ValueSpan]) -> list[ValueSpan]:
    """Non-overlapping spans chosen greedily (longest first, then field rank, then position), in
    text order: also merges the spans of several records found in one text."""
    taken: list[ValueSpan] = []
    occupied: list[tuple[int, int]] = []
    for c in sorted(set(cands), key=lambda c: (-(c.end - c.start), _RANK[c.field], c.start, str(c.value))):
        if c.end <= c.start:
            continue
        if any(c.start < e and s < c.end for s, e in occupied):
            continue
        taken.append(c)
        occupied.append((c.start, c.end))
    return sorted(taken)


def mention_values(mention: Any) -> dict[str, Any]:
    """A Mention's values in the record shape find_value_spans takes (partners by canonical name)."""
    return {
        "title": mention.title,
        "swedish_partners": [p.name for p in mention.swedish_partners],
        "international_partners": list(mention.international_partners),
        "other_participants": list(mention.other_participants),
        "countries": list(mention.countries),
        "start_date": mention.start_date,
        "end_date": mention.end_date,
        "amount_sek": mention.amount_sek,
        "sdgs": list(mention.sdgs),
        "duration_years": mention.duration_years,
        "project_areas": list(mention.project_areas),
        "themes": list(mention.themes),
        "tags": list(mention.tags),
    }


def render_segments(text: str, spans: list[ValueSpan], hidden: list[tuple[int, int, str]] | None = None
                    ) -> list[tuple[str, str, ValueSpan | None]]:
    """`text` cut for display, contact details hidden: a list of (kind, text, span) with kind
    "text", "mark" (text is text[span.start:span.end]) or "redacted" (text is the placeholder
    that stands for a removed e-mail address, phone number or contact line). Offsets of the marks
    stay those of `text`; a mark that touches contact details is dropped. hidden: contact_spans(text),
    when the caller has it already (a block cited by many records)."""
    if hidden is None:
        hidden = contact_spans(text)
    marks = [s for s in spans if not any(s.start < he and hs < s.end for hs, he, _ in hidden)]
    events: list[tuple[int, int, str, ValueSpan | str]] = sorted(
        [(s.start, s.end, "mark", s) for s in marks] + [(hs, he, "redacted", rep) for hs, he, rep in hidden],
        key=lambda t: (t[0], t[1]))
    out: list[tuple[str, str, ValueSpan | None]] = []
    pos = 0
    for s, e, _kind, obj in events:
        if s < pos:  # overlaps an earlier event (marks and hidden spans never overlap each other)
            continue
        if s > pos:
            out.append(("text", text[pos:s], None))
        if isinstance(obj, ValueSpan):  # kind "mark"
            out.append(("mark", text[s:e], obj))
        else:
            out.append(("redacted", obj or "[kontakt]", None))
        pos = e
    if pos < len(text):
        out.append(("text", text[pos:], None))
    return out


def cut_segments(text: str, cuts: Iterable[int], hidden: list[tuple[int, int, str]] | None = None
                 ) -> list[tuple[int, str, str]]:
    """`text` cut for display at every offset of `cuts` (the ends of the marks of every record that
    cites it), contact details hidden as render_segments hides them: a list of (start, kind, text),
    kind "text" (text is text[start:next start]) or "redacted" (the placeholder of the contact details
    that stood there). The marks render_segments keeps (none touches contact details) start and end
    at segment boundaries, so a viewer marks a record's values by wrapping whole segments. hidden:
    contact_spans(text), when the caller has it already."""
    shown: list[tuple[int, int, str]] = []
    pos = 0
    for hs, he, rep in sorted(contact_spans(text) if hidden is None else hidden, key=lambda t: (t[0], t[1])):
        if hs < pos:  # overlaps an earlier one, as render_segments skips it
            continue
        shown.append((hs, he, rep))
        pos = he
    bounds = sorted({c for c in cuts if 0 < c < len(text)})
    out: list[tuple[int, str, str]] = []

    def plain(a: int, b: int) -> None:
        for c in [*bounds[bisect.bisect_right(bounds, a):bisect.bisect_left(bounds, b)], b]:
            if c > a:
                out.append((a, "text", text[a:c]))
                a = c

    pos = 0
    for hs, he, rep in shown:
        plain(pos, hs)
        out.append((hs, "redacted", rep or "[kontakt]"))
        pos = he
    plain(pos, len(text))
    return out
