"""Recall-first candidates for partners abroad: every span of a text that could name a local government
abroad, with the evidence for it.

A classifier decides later which candidates are real partners, so this module proposes generously and
says why. Proposals come from proper-noun runs (partners._parse, the same cached pass the rule-based
extractor makes; plus, where a text holds capitals that pass does not know, such as 'Ş' or Cyrillic, a
run scan of its own), cut at Swedish bodies and country names, and split into *segments*: the name words
of a run between its administrative words. A segment becomes a candidate when any generator vouches
for it:

1. today's context patterns (partners.foreign_names): ``context``, ``solid``, ``known``;
2. the place lexicon (GeoNames cities of 500+ inhabitants with their alternate names, and ISO 3166-2
   subdivisions, in the programme's partner countries; data/places.tsv, built by
   scripts/build_places.py): ``lexicon_city``, ``lexicon_admin``, ``lexicon_part``;
3. local-government forms around the name ('City of X', 'X County Government', 'Kabupaten X'):
   ``admin_prefix``, ``admin_suffix``, ``gov_form``, ``admin_before``;
4. the words around it: a Swedish designation after it (``sv_designation``), a Swedish genitive
   (``genitive``), an inhabitant word (``demonym``), a country after it (``country_after``) or a country
   adjective before it (``country_adj``), a partner word before it (``link_before``), a Swedish
   municipality or region joined to it (``joined_swedish``), a plural local-government noun before it
   (``plural_noun``), a list with another candidate (``list``);
5. a near miss of a lexicon place in a country the text names (``fuzzy``: 'Gabarone').

Features that are no reason on their own: ``heading`` (the name is most of a short line), ``opener``
(it starts its sentence), ``in_longer`` (a lexicon name inside a longer capitalised run, reported beside
the run's fuller reading). EVIDENCE below documents each word.

Knowledge lives in data files: places.tsv, partner_countries.csv, candidate_cues.json (cue words) and the
gazetteer's admin_words.csv, countries.csv, municipalities.csv and regions.csv.
"""
from __future__ import annotations

import csv
import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

from kp_extract.lexicon import partners
from kp_extract.lexicon.gazetteer import DATA_DIR, _fold, admin_words, load_gazetteer

__all__ = ["Candidate", "EVIDENCE", "find_candidates", "page_aliases", "place_key", "partner_countries", "lookup_place"]

EVIDENCE: dict[str, str] = {
    "context": "partners.foreign_names (today's context patterns) proposed this span",
    "solid": "... and marked it solid (a country or an administrative word next to it)",
    "known": "its key is one of the partners the page names in its structure (the `known` argument)",
    "lexicon_city": "the name (without administrative words) is a GeoNames city of a partner country",
    "lexicon_admin": "the name is an ISO 3166-2 subdivision of a partner country",
    "lexicon_part": "a lexicon place starts the name, which goes on with other capitalised words",
    "in_longer": "a lexicon place inside a longer capitalised run (the run is proposed too when it qualifies)",
    "fuzzy": "one or two letters from a lexicon place of a country the text names (a typo)",
    "admin_prefix": "a local-government designation opens the name ('City of', 'Kabupaten', 'Opština')",
    "admin_suffix": "a local-government designation ends the name ('County', 'Local Municipality')",
    "gov_form": "that designation names a governing body ('County Government', 'Town Council', 'Belediyesi')",
    "admin_before": "a lower-case designation stands before the name ('provinsen X', 'the port city of X')",
    "sv_designation": "a Swedish designation after the name was dropped ('-distriktet', ' kommun')",
    "genitive": "a genitive -s or 's after the name was dropped",
    "demonym": "the text writes an inhabitant word of the place ('Xborna'), resolved to the place",
    "country_after": "a partner country follows ('X, Kenya', 'X i Moldavien', 'X (Turkiet)')",
    "country_adj": "a partner country's adjective stands before it ('kinesiska X', 'the Ukrainian city of X')",
    "link_before": "a partner word stands before it ('sin partner X', 'partnerkommunen X', 'together with X')",
    "joined_swedish": "joined to a Swedish municipality or region by och/and/&/–// or in one list",
    "plural_noun": "after a plural local-government noun ('kommunerna X och Y', 'the municipalities of X')",
    "list": "in a list (commas, och/and) with another candidate",
    "heading": "the name fills most of a short line (a heading or caption)",
    "opener": "the name starts its sentence",
}
# a lexicon place inside a longer run, or heading one, is proposed only if it is a subdivision or has at
# least this many inhabitants: small places share their names with first names ('Maria Nilsson')
INNER_MIN_POPULATION = 15000
# evidence that is a reason to propose a span (the rest only describe it)
TRIGGERS = frozenset(EVIDENCE) - {"solid", "genitive", "heading", "opener", "in_longer", "gov_form"}


@dataclass(frozen=True, slots=True)
class Candidate:
    name: str                 # tidied name per the GUIDE (fullest form the span gives)
    key: str                  # kp_extract.lexicon.partners.partner_key(name)
    start: int                # offsets into the `text` passed in
    end: int
    country: str | None       # ISO 3166-1 alpha-2 the text or the lexicon ties to it; None if unknown
    evidence: frozenset[str]  # words of EVIDENCE
    population: int = 0       # the lexicon place's population when a lexicon entry backs it, else 0


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    iso: str
    population: int
    kind: str  # city | alt | admin


# --------------------------------------------------------------------------- data

_FOLD_EXTRA = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ß": "ss",
                             "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ð": "d", "Ð": "D", "þ": "th",
                             "Þ": "Th", "ħ": "h", "Ħ": "H", "ŀ": "l", "Ŀ": "L"})
_APOSTROPHES = re.compile(r"['’`ʼ‘´]")
_KEY_SEPARATORS = re.compile(r"[\s.\-‐‑–—_/]+")


@lru_cache(maxsize=65536)
def place_key(name: str) -> str:
    """Lookup key of a place name: accents and apostrophes folded ('Şişli' -> 'sisli', 'Đà Nẵng' ->
    'da nang', "Port St John’s" -> 'port st johns'), lower case, '.'/'-' as spaces, 'Saint' as 'st'."""
    s = _fold(name.translate(_FOLD_EXTRA)).casefold()
    s = _APOSTROPHES.sub("", s)
    return " ".join("st" if w == "saint" else w for w in _KEY_SEPARATORS.sub(" ", s).split())


def _data_rows(name: str, delimiter: str = ",") -> list[dict[str, str]]:
    """A data file's rows; lines starting with '#' are comments."""
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader((line for line in fh if not line.startswith("#")), delimiter=delimiter))


@lru_cache(maxsize=1)
def partner_countries() -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """iso2 -> (name, period, spelling variants) of the programme's partner countries
    (data/partner_countries.csv)."""
    return {r["iso2"]: (r["name"], r["period"], tuple(v for v in r["variants"].split("|") if v))
            for r in _data_rows("partner_countries.csv")}


def partner_country_scripts() -> dict[str, tuple[str, ...]]:
    """iso2 -> the scripts (ISO 15924: Latn, Cyrl) its place names are written in."""
    return {r["iso2"]: tuple(r["scripts"].split("|")) for r in _data_rows("partner_countries.csv")}


@lru_cache(maxsize=1)
def _cues() -> dict[str, tuple[str, ...]]:
    raw = json.loads((DATA_DIR / "candidate_cues.json").read_text("utf-8"))
    return {k: tuple(v["words"]) for k, v in raw.items() if isinstance(v, dict)}


def _words(name: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in _cues()[name])


@lru_cache(maxsize=1)
def _trim_words() -> frozenset[str]:
    """Words cut from the edges of a name: stop words, titles, months, cue nouns."""
    from spacy.lang.en.stop_words import STOP_WORDS as EN
    from spacy.lang.sv.stop_words import STOP_WORDS as SV

    single = {w for w in _words("plural_nouns") | _words("link_words") if " " not in w}
    return frozenset(EN | SV | partners.STOP_NAMES | _words("never_places") | single)


@lru_cache(maxsize=1)
def _country_keys() -> frozenset[str]:
    """place_keys of every country name, variant and demonym (a country is never a candidate)."""
    keys = set()
    for c in load_gazetteer().countries:
        for form in (c.name_en, c.name_sv, *c.variants, *c.demonyms):
            keys.add(place_key(form))
    for name, _, variants in partner_countries().values():
        keys.update(place_key(v) for v in (name, *variants))
    return frozenset(keys)


@lru_cache(maxsize=1)
def _swedish_keys() -> frozenset[str]:
    """place_keys of Swedish municipalities and regions in every form, Swedish provinces, and (from
    places.tsv) Swedish GeoNames places."""
    gaz = load_gazetteer()
    keys = {place_key(w) for w in _cues()["swedish_areas"]}
    for m in gaz.municipalities:
        for n in (m.name, m.stem, m.official_name, *m.variants):
            keys.update({place_key(n), place_key(n + "s")})
    for r in gaz.regions:
        for n in (r.name, r.county, r.county.removesuffix(" län"), *r.stems, *r.genitives, *r.variants):
            keys.add(place_key(n))
    keys.update(_lexicon()[1])
    return frozenset(keys)


@lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, str], frozenset[str]]:
    """(key -> its lines of data/places.tsv, unparsed; keys of Swedish places). Parsing waits for a
    lookup (_places): a process reads the file in a tenth of a second, not the seconds that cities500.json
    or 200 000 parsed entries take."""
    raw: dict[str, str] = {}
    swedish: set[str] = set()
    with open(DATA_DIR / "places.tsv", encoding="utf-8", newline="") as fh:
        fh.readline()  # the generator's note
        fh.readline()  # the header
        for line in fh:
            key, _, rest = line.partition("\t")
            if rest.endswith("\tse\n"):
                swedish.add(key)
            elif key in raw:
                raw[key] += rest
            else:
                raw[key] = rest
    return raw, frozenset(swedish)


@lru_cache(maxsize=1)
def _excluded_keys() -> tuple[frozenset[str], frozenset[str]]:
    """(keys never looked up: stop words, generic words, countries, administrative words; the words a
    key may not consist of alone)."""
    excluded = (_words("never_places") | _words("generic_geo") | _trim_words() | _country_keys()
                | {place_key(w) for w in admin_words()})
    generic = partners.generic_words() | _words("generic_geo") | _words("never_places")
    return frozenset(excluded), frozenset(generic)


_KIND_RANK = {"city": 0, "admin": 1, "alt": 2}


@lru_cache(maxsize=65536)
def _places(key: str) -> tuple[Place, ...]:
    """The lexicon places whose name has this key, best first (own name, subdivision, alternate name;
    then population); () for a key that is no lookup (stop word, country, generic words only)."""
    rest = _lexicon()[0].get(key)
    if rest is None:
        return ()
    excluded, generic = _excluded_keys()
    if key in excluded or all(w in generic for w in key.split()):
        return ()
    places = []
    for line in rest.splitlines():
        name, iso, pop, kind = line.split("\t")
        places.append(Place(name, iso, int(pop), kind))
    return tuple(sorted(places, key=lambda p: (_KIND_RANK[p.kind], -p.population, p.iso)))


def lookup_place(name: str, countries: frozenset[str] = frozenset()) -> Place | None:
    """The lexicon place of that name (the place's own name before an alternate one, then the most
    populous); among several, one in `countries` first."""
    found = _places(place_key(name))
    if not found:
        return None
    if countries:
        for p in found:
            if p.iso in countries:
                return p
    return found[0]


@lru_cache(maxsize=1)
def _admin_phrases() -> tuple[dict[tuple[str, ...], str], int]:
    """Administrative phrases as tuples of casefolded words -> role ('prefix' or 'suffix'), and the
    longest phrase's length. A suffix followed by 'of' ('County Government of') is a prefix too."""
    phrases: dict[tuple[str, ...], str] = {}
    suffixes = set(admin_words("suffix")) | set(_cues()["extra_admin_suffixes"])
    prefixes = set(admin_words("prefix")) | set(_cues()["extra_admin_prefixes"])
    for s in suffixes:
        words = tuple(s.casefold().split())
        phrases[words] = "suffix"
        phrases.setdefault(words + ("of",), "prefix")
    for p in prefixes:
        phrases[tuple(p.casefold().split())] = "prefix"
    return phrases, max(len(k) for k in phrases)


@lru_cache(maxsize=4096)
def _is_gov(phrase: str) -> bool:
    words = phrase.casefold().split()
    gov = _words("gov_words")
    return any(w in gov for w in words) or " ".join(words) in gov


def _alternation(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


def list_gap() -> re.Pattern:
    """What stands between two items of one list of names (a comma, 'och', 'and', '&', …)."""
    return _patterns()["list_gap"]


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    cues = _cues()
    designations = _alternation(cues["sv_designations"])
    admin_sv = [w for w in admin_words("sv_prefix")]
    where = _alternation(cues["where_words"])
    return {
        # a Swedish designation right after a name: 'Rombo-distriktet', 'Hefei kommun'
        "designation_after": re.compile(rf"(?:-|[ \t]+)(?:{designations})(?![\w-])", re.IGNORECASE),
        "designation_glued": re.compile(rf"(?:{designations})$", re.IGNORECASE),
        # 'kommunerna ', 'the municipalities of ', 'städerna i '
        "plural_before": re.compile(rf"(?<!\w)(?:the\s+|de\s+|dess\s+|its\s+|their\s+|sina\s+|två\s+|tre\s+|two\s+|"
                                    rf"three\s+|four\s+|fyra\s+)?(?:{_alternation(cues['plural_nouns'])})"
                                    rf"\s*(?:of\s+|i\s+|in\s+|:\s*)?$", re.IGNORECASE),
        "link_before": re.compile(rf"(?<!\w)(?:{_alternation(cues['link_words'])})\s+"
                                  rf"(?:(?:the|sin|sina|sitt|its|their|dess|our|vår|våra)\s+)?$", re.IGNORECASE),
        "admin_before": re.compile(rf"(?<!\w)(?:(?:{_alternation(admin_sv)})\s+|(?:the\s+)?(?:[a-z]+\s+)?"
                                   rf"(?:city|town|municipality|county|district|province|region|village|"
                                   rf"regency|commune)\s+of\s+)$", re.IGNORECASE),
        # between a country adjective and the name: 'kinesiska ', ' ön ', ' city of '
        "adj_gap": re.compile(rf"\s+(?:(?:{where})\s+){{0,3}}"),
        "join_gap": re.compile(rf"\s*(?:{_alternation(cues['joins'])}|,)\s*"),
        "list_gap": re.compile(r"\s*(?:,\s*(?:och|and|samt|&|or|eller)?|och|and|samt|&|;)\s*"),
        "loose_join": re.compile(r"[^.!?\n;:]{0,50}(?<!\w)(?:och|and|&|samt)\s+$"),
    }


# upper-case letters of the Latin, Greek and Cyrillic blocks; those partners.NAME_TOKEN does not know as
# initials ('Ş', 'İ', 'Ă', 'П') need the extra run scan
_UPPER = "".join(ch for ch in map(chr, [*range(0xC0, 0x250), *range(0x370, 0x530), *range(0x1E00, 0x1F00)])
                 if ch.isupper() and ch.isalpha())
_NAME_INITIAL = re.compile(rf"[{partners.NAME_INITIALS}]")
_OTHER_UPPER = "".join(ch for ch in _UPPER if not _NAME_INITIAL.match(ch))
_ANY_CAPITAL = re.compile(rf"[A-Z{_UPPER}]")
_OTHER_CAPITAL = re.compile(rf"[{_OTHER_UPPER}]")
_CAP_WORD = rf"[A-Z{_UPPER}][\w'’.\-]*"
_CONNECTORS = "|".join(re.escape(c) for c in sorted(partners.CONNECTORS, key=len, reverse=True))
_CAP_RUN = re.compile(rf"(?<![\w'’]){_CAP_WORD}(?:[ \t]+(?:(?:{_CONNECTORS})[ \t]+)?{_CAP_WORD})*")
_TOKEN = re.compile(r"\S+")
_EDGE = " \t\n,;:!?()[]{}\"“”«»'’*•"
_SEGMENT_BREAKS = frozenset({"-", "&", "–", "—", "/", "+", "'s", "’s"})
_POSSESSIVE = re.compile(r"['’]s(?!\w)")


# --------------------------------------------------------------------------- the scan

@dataclass(slots=True)
class _Reading:
    """A span proposed as a partner abroad, while the scan builds it."""

    start: int
    end: int
    name: str
    evidence: set[str]
    place: Place | None = None
    country: str | None = None
    segment: int = -1   # index of the segment it comes from (for lists); -1 if none


def find_candidates(text: str, lang: str = "sv", known: Mapping[str, str] | None = None) -> list[Candidate]:
    """Candidates in text (one block's text), sorted by start; `known` maps partner_key -> name of
    partners the page already named in its structure (footers, headings), as partners.foreign_names
    takes it."""
    if not text or not _ANY_CAPITAL.search(text):
        return []
    return list(_find(text, lang, frozenset((known or {}).items())))


@lru_cache(maxsize=8192)
def _find(text: str, lang: str, known_items: frozenset[tuple[str, str]]) -> tuple[Candidate, ...]:
    """find_candidates, cached by text (extraction reads a block more than once); Candidates are
    frozen, so sharing them is safe."""
    known = dict(known_items)
    sents, runs = partners._parse(text, lang)
    if not runs and not _OTHER_CAPITAL.search(text):
        return ()  # no capitalised run: no name
    sent_starts = [s for s, _ in sents]
    run_spans = [(s, e) for s, e, _ in runs]
    if _OTHER_CAPITAL.search(text):
        run_spans = _with_extra_runs(text, run_spans)
    swedish = [(a, b) for _, a, b, _ in partners.swedish_bodies(text)]
    countries = list(partners._countries(text)) + _extra_countries(text)
    countries.sort()
    named = frozenset(c[2] for c in countries if c[2] in partner_countries())
    blocked = partners._span_index(swedish + [(c[0], c[1]) for c in countries
                                              if not (c[3] and _opens_place(text, c[0]))])

    segments: list[tuple[int, int]] = []   # name-word spans of runs, in order (also Swedish ones)
    swedish_segments: list[tuple[int, int]] = list(swedish)
    readings: list[_Reading] = []
    for run_start, run_end in run_spans:
        for s, e in partners._cut_blocked(run_start, run_end, blocked):
            _scan_piece(text, s, e, known, named, segments, swedish_segments, readings)
    swedish_segments.sort()
    _add_context(text, lang, readings, known_items, named)
    out: dict[tuple[int, int], _Reading] = {}
    country_starts = [c[0] for c in countries]
    for r in readings:
        _evidence_around(text, r, sent_starts, countries, country_starts, swedish_segments)
    _lists(text, readings, segments, swedish_segments)
    if named:
        _fuzzy(readings, named)
    for r in readings:
        if not (r.evidence & TRIGGERS):
            continue
        held = out.get((r.start, r.end))
        if held is None:
            out[(r.start, r.end)] = r
        else:
            held.evidence |= r.evidence
            held.place = held.place or r.place
            held.country = held.country or r.country
            held.name = partners.fuller(held.name, r.name)
    result = []
    for r in sorted(out.values(), key=lambda r: (r.start, -r.end)):
        name = r.name
        key = partners.partner_key(name)
        if key in known:
            r.evidence.add("known")
            name = partners.fuller(known[key], name)
            key = partners.partner_key(name)
        country = r.country or (r.place.iso if r.place else None)
        result.append(Candidate(name, key, r.start, r.end, country, frozenset(r.evidence),
                                r.place.population if r.place else 0))
    return tuple(result)


_NEXT_WORDS = re.compile(r"\S+(?:[ \t]+\S+){1,3}")


def _opens_place(text: str, start: int) -> bool:
    """Whether a country adjective at start opens a longer lexicon name ('Thai Nguyen')."""
    m = _NEXT_WORDS.match(text, start)
    if not m:
        return False
    words = m.group().split()
    return any(_places(place_key(" ".join(words[:n]).strip(_EDGE))) for n in range(len(words), 1, -1))


def _with_extra_runs(text: str, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """runs, with the capitalised runs that hold a capital partners.NAME_TOKEN does not know ('Şişli',
    'İzmir', 'Полтава') in place of the runs they overlap."""
    extra = [(m.start(), m.end()) for m in _CAP_RUN.finditer(text) if _OTHER_CAPITAL.search(m.group())]
    if not extra:
        return runs
    kept = [r for r in runs if not any(r[0] < e and s < r[1] for s, e in extra)]
    return sorted(kept + extra)


@lru_cache(maxsize=1)
def _extra_country_regex() -> re.Pattern | None:
    """The partner countries' spellings that countries.csv lacks ('Rumania', 'Türkiye')."""
    forms = {v: iso for iso, (_, _, variants) in partner_countries().items() for v in variants}
    from kp_extract.lexicon.gazetteer import country_code
    forms = {v: iso for v, iso in forms.items() if country_code(v) is None}
    if not forms:
        return None
    return re.compile(rf"(?<!\w)(?:{_alternation(forms)})(?!\w)")


@lru_cache(maxsize=16384)
def _extra_country_spans(text: str) -> tuple[tuple[int, int, str, bool], ...]:
    rx = _extra_country_regex()
    if rx is None:
        return ()
    out = []
    for m in rx.finditer(text):
        iso = next((iso for iso, (_, _, vs) in partner_countries().items()
                    if any(place_key(v) == place_key(m.group()) for v in vs)), None)
        if iso:
            out.append((m.start(), m.end(), iso, False))
    return tuple(out)


def _extra_countries(text: str) -> list[tuple[int, int, str, bool]]:
    return list(_extra_country_spans(text))


def _tokens(text: str, s: int, e: int) -> list[list[int]]:
    """[start, end] of the words of text[s:e], without edge punctuation (a final '.' stays on short
    abbreviations: 'St.', 'J.B.')."""
    out = []
    for m in _TOKEN.finditer(text, s, e):
        a, b = m.start(), m.end()
        while a < b and (text[a] in _EDGE or text[a] in "-–—"):
            a += 1
        while b > a and text[b - 1] in _EDGE:
            b -= 1
        if b > a and text[b - 1] == "." and (b - a > 4 and text.count(".", a, b - 1) == 0):
            b -= 1
        poss = _POSSESSIVE.search(text, a, b)
        if poss and poss.end() == b and poss.start() > a:  # "County’s": the 's is a word of its own
            out.append([a, poss.start()])
            a = poss.start()
        if b > a:
            out.append([a, b])
    return out


def _lex_match(text: str, toks: list[list[int]], i: int, n: int) -> tuple[int, str, Place | None, set[str]] | None:
    """The lexicon place that tokens i..i+n-1 name (the last one may carry a genitive, a Swedish
    designation or an inhabitant suffix): (end offset of the name, its written form, place, evidence)."""
    a, b = toks[i][0], toks[i + n - 1][1]
    form = text[a:b]
    if n == 1:
        if _bare(form.casefold()) in _trim_words() or (form.isupper() and len(form) <= 4):
            return None  # a stop word ('Många' folds to a place's key), an acronym ('ISAK')
    elif place_key(text[a:toks[i][1]]) not in _lex_heads():
        return None  # no lexicon name of several words starts with this word
    if i + n < len(toks) and toks[i + n][0] == b and text[b:toks[i + n][1]] in ("'s", "’s"):
        found = _spelled(form, _places(place_key(text[a:toks[i + n][1]])))
        if found:  # "Port St John’s": the 's belongs to the name
            return toks[i + n][1], text[a:toks[i + n][1]], found[0], set()
    found = _spelled(form, _places(place_key(form)))
    if found:
        return b, form, found[0], set()
    last = text[toks[i + n - 1][0]:b]
    lower = last.casefold()
    cuts: list[tuple[int, str]] = []  # where the name may end inside the last word, and why
    m = _POSSESSIVE.search(form)
    if m and m.end() == len(form):
        cuts.append((m.start(), "genitive"))
    designations, demonyms = _suffixes()
    if lower.endswith(designations):
        for d in designations:
            if lower.endswith(d) and len(last) - len(d) >= 3:
                cut = len(form) - len(d)
                cuts.append((cut - 1 if form[cut - 1] == "-" else cut, "sv_designation"))
                break
    if lower.endswith("s") and len(last) > 3:
        cuts.append((len(form) - 1, "genitive"))
    if lower.endswith(demonyms):
        for d in demonyms:
            if lower.endswith(d) and len(last) - len(d) >= 3:
                cuts.append((len(form) - len(d), "demonym"))
                break
    for cut, why in cuts:
        stem = form[:cut]
        found = _spelled(stem, _places(place_key(stem)))
        if found:
            return a + len(stem), stem, found[0], {why}
    return None


@lru_cache(maxsize=1)
def _suffixes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The Swedish designations and inhabitant suffixes a word may end with, longest first (for
    str.endswith)."""
    def longest_first(words) -> tuple[str, ...]:
        return tuple(sorted({w.casefold() for w in words}, key=len, reverse=True))
    return longest_first(_cues()["sv_designations"]), longest_first(_cues()["demonym_suffixes"])


@lru_cache(maxsize=1)
def _lex_heads() -> frozenset[str]:
    """The first words of the lexicon's names of several words."""
    return frozenset(k.partition(" ")[0] for k in _lexicon()[0] if " " in k)


def _spelled(form: str, places: tuple[Place, ...]) -> tuple[Place, ...]:
    """places, less those the form matches only by folding a Swedish letter away ('Mål' is no 'Mal')."""
    letters = _swedish_letters() & set(form.casefold())
    if not letters or not places:
        return places
    return tuple(p for p in places if letters <= set(p.name.casefold()))


@lru_cache(maxsize=1)
def _swedish_letters() -> frozenset[str]:
    return _words("swedish_letters")


def _admin_at(words: list[str], i: int, j: int) -> tuple[int, str] | None:
    """The longest administrative phrase among words[i:j] starting at i: (its length, role)."""
    phrases, longest = _admin_phrases()
    for n in range(min(longest, j - i), 0, -1):
        role = phrases.get(tuple(words[i:i + n]))
        if role:
            return n, role
    return None


@dataclass(frozen=True, slots=True)
class _Seg:
    """One segment of a run piece, offsets relative to the piece: the fullest reading [start, end) with
    its written name, or a Swedish name (swedish=True, no reading); `inner` holds the readings of the
    lexicon places inside a longer segment."""

    start: int
    end: int
    written: str
    evidence: frozenset[str]
    place: Place | None = None
    place_form: str | None = None   # the form to look the place up by, with the text's countries
    swedish: bool = False
    plain: bool = False             # no lexicon name ends it: a possessive or glued designation may come off
    inner: tuple[tuple[int, int, str, frozenset[str], Place, str], ...] = ()


def _scan_piece(text: str, s: int, e: int, known: dict[str, str], named: frozenset[str],
                segments: list[tuple[int, int]], swedish_segments: list[tuple[int, int]],
                readings: list[_Reading]) -> None:
    """Readings of one run piece (a run cut at Swedish bodies and countries)."""
    end = e
    poss = _POSSESSIVE.match(text, end)  # "Port St John’s": the tokenizer leaves the 's out
    if poss:
        end = poss.end()
    tail = partners._ADMIN_AFTER_AT.match(text, end)  # 'Kaluma Town council': a lower-case designation
    if tail:
        end = tail.end()
    for seg in _piece_segments(text[s:end]):
        if seg.swedish:
            swedish_segments.append((s + seg.start, s + seg.end))
            continue
        k = len(segments)
        segments.append((s + seg.start, s + seg.end))
        place = seg.place
        if place is not None and named and seg.place_form is not None:
            place = lookup_place(seg.place_form, named) or place
        r = _Reading(s + seg.start, s + seg.end, seg.written, set(seg.evidence), place, None, k)
        if seg.plain and known:
            _strip_genitive(text, r, known)
        readings.append(r)
        for a, b, name, ev, iplace, form in seg.inner:
            if named:
                iplace = lookup_place(form, named) or iplace
            readings.append(_Reading(s + a, s + b, name, set(ev), iplace, None, -1))


@lru_cache(maxsize=65536)
def _piece_segments(piece: str) -> tuple[_Seg, ...]:
    """The segments of a run piece: its name words split at administrative phrases, each with the
    phrases around it, lexicon places, and the readings they give. A pure function of the piece, cached:
    the same names come back block after block."""
    toks = _tokens(piece, 0, len(piece))
    if not toks:
        return ()
    raw = [piece[a:b] for a, b in toks]
    words = [w.casefold() for w in raw]
    n_tok = len(toks)
    # 1. lexicon names, longest first at each position
    lex: dict[int, tuple[int, int, str, Place | None, set[str]]] = {}  # first token -> (n, end, form, place, why)
    i = 0
    while i < n_tok:
        hit = None
        if raw[i] not in partners.CONNECTOR_SET and words[i] not in _SEGMENT_BREAKS:
            for n in range(min(5, n_tok - i), 0, -1):
                if raw[i + n - 1] in partners.CONNECTOR_SET:
                    continue
                m = _lex_match(piece, toks, i, n)
                if m and m[3] & _ENDING_CUTS and i + n < n_tok and _name_goes_on(raw, words, i + n):
                    continue  # 'Maria Holm': a name word after it, so no genitive ended the word
                if m:
                    hit = (n + (m[0] > toks[i + n - 1][1]), *m)  # one more word: a name's own 's
                    break
        if hit:
            lex[i] = hit
            i += hit[0]
        else:
            i += 1
    # 2. classes: L lexicon, P prefix phrase, S suffix phrase, N name word, C connector, B break
    cls: list[str] = [""] * n_tok
    i = 0
    while i < n_tok:
        if i in lex:
            for k in range(i, i + lex[i][0]):
                cls[k] = "L"
            i += lex[i][0]
            continue
        w = words[i]
        if w in _SEGMENT_BREAKS:
            cls[i] = "B"
            i += 1
            continue
        stop = min((k for k in lex if k > i), default=n_tok)
        adm = _admin_at(words, i, stop)
        if adm and not (adm[1] == "prefix" and i + adm[0] >= n_tok):
            for k in range(i, i + adm[0]):
                cls[k] = adm[1][0].upper()
            i += adm[0]
            continue
        cls[i] = "C" if raw[i] in partners.CONNECTOR_SET else "N"  # 'of', 'de' (but 'Da Nang' is a name)
        i += 1
    # 3. segments: maximal runs of L/N/C, edges trimmed of stop words and connectors
    trim = _trim_words()
    out: list[_Seg] = []
    i = 0
    while i < n_tok:
        if cls[i] not in "LNC":
            i += 1
            continue
        j = i
        while j < n_tok and cls[j] in "LNC":
            j += 1
        a, b = i, j
        while a < b and (cls[a] == "C" or (cls[a] == "N" and _bare(words[a]) in trim)):
            a += 1
        while b > a and (cls[b - 1] == "C" or (cls[b - 1] == "N" and _bare(words[b - 1]) in trim)):
            b -= 1
        if a < b:
            seg = _segment(piece, toks, words, cls, lex, a, b)
            if seg is not None:
                out.append(seg)
        i = j
    return tuple(out)


# the endings _lex_match cuts off a name's last word that end the name too: a genitive or an inhabitant
# word is followed by a noun, not by another word of the name
_ENDING_CUTS = frozenset({"genitive", "demonym"})


def _name_goes_on(raw: list[str], words: list[str], k: int) -> bool:
    """Whether token k of a run goes on with the name before it: a name word, not a connector, a break or
    an administrative phrase ('Nyeris District Council' is still a genitive and a designation)."""
    return (raw[k] not in partners.CONNECTOR_SET and words[k] not in _SEGMENT_BREAKS
            and _admin_at(words, k, len(words)) is None and raw[k][:1].isupper())


def _latin(form: str) -> bool:
    """No letter beyond the Latin blocks (Cyrillic, Greek)."""
    return all(ord(ch) < 0x370 or 0x1E00 <= ord(ch) < 0x1F00 for ch in form if ch.isalpha())


def _bare(word: str) -> str:
    return word.strip(".'’")


def _segment(piece: str, toks: list[list[int]], words: list[str], cls: list[str], lex: dict,
             a: int, b: int) -> _Seg | None:
    """The segment of the name words toks[a:b]: its fullest reading (with the administrative phrases
    next to it) and the readings of the lexicon places inside it; None for no name."""
    seg_start, seg_end = toks[a][0], toks[b - 1][1]
    form = piece[seg_start:seg_end]
    fkey = place_key(form)
    if fkey in _swedish_keys():
        return _Seg(seg_start, seg_end, form, frozenset(), swedish=True)
    if fkey in _country_keys() or (fkey.endswith("s") and fkey[:-1] in _country_keys()):
        return None  # a country, or its genitive ('Vietnams')
    if partners._organisation_noun(form) or sum(ch.isalpha() for ch in form) < 2:
        return None  # 'SALAR', 'ICLD': an organisation; 'G': no name
    if all(cls[k] == "N" and _bare(words[k]) in _trim_words() for k in range(a, b)):
        return None
    if cls[b - 1] == "N" and partners.landscape_compound(words[b - 1]):
        return None  # 'Xdeltat', 'Xsjön': a Swedish word for a region of nature, no local government
    # administrative phrases around: prefixes right before, suffixes right after
    p = a
    while p > 0 and cls[p - 1] == "P":
        p -= 1
    q = b
    while q < len(toks) and cls[q] == "S":
        q += 1
    evidence: set[str] = set()
    if p < a:
        evidence.add("admin_prefix")
        if _is_gov(" ".join(words[p:a])):
            evidence.add("gov_form")
    if q > b:
        evidence.add("admin_suffix")
        if _is_gov(" ".join(words[b:q])):
            evidence.add("gov_form")
    start, end = toks[p][0], toks[q - 1][1]
    hits = [(k, lex[k]) for k in range(a, b) if k in lex]
    whole = len(hits) == 1 and hits[0][0] == a and hits[0][0] + hits[0][1][0] == b
    place = place_form = None
    name_end = end
    written = None
    if whole:
        _, (n, hit_end, hit_form, place, why) = hits[0]
        evidence |= why | {"lexicon_admin" if place.kind == "admin" else "lexicon_city"}
        place_form = hit_form
        if q == b:  # a genitive or designation dropped from the name's last word
            name_end = hit_end
            written = piece[start:toks[a][0]] + hit_form
        if not _latin(hit_form):  # 'Полтава' -> 'Poltava', its usual Latin form
            written = piece[start:toks[a][0]] + place.name + piece[toks[b - 1][1]:name_end]
    elif hits and hits[0][0] == a and b - (a + hits[0][1][0]) <= 3 and _notable(hits[0][1][3]):
        evidence.add("lexicon_part")
        place, place_form = hits[0][1][3], hits[0][1][2]
    inner = []
    if not whole:  # the lexicon names inside a longer run: readings of their own
        for k, (_n, hit_end, hit_form, hplace, why) in hits:
            if _notable(hplace):
                ev = frozenset(why | {"lexicon_admin" if hplace.kind == "admin" else "lexicon_city", "in_longer"})
                inner.append((toks[k][0], hit_end, _tidy(hit_form if _latin(hit_form) else hplace.name), ev,
                              hplace, hit_form))
    plain = not whole and q == b
    if plain:  # a name the lexicon does not know: a possessive or a hyphenated designation comes off
        form = piece[start:name_end]
        m = _POSSESSIVE.search(form)
        hy = form.rfind("-")
        if m and m.end() == len(form):
            name_end = start + m.start()
            evidence.add("genitive")
        elif hy > 0 and _patterns()["designation_glued"].fullmatch(form[hy + 1:]):
            name_end = start + hy
            evidence.add("sv_designation")
    return _Seg(start, name_end, _tidy(written if written is not None else piece[start:name_end]),
                frozenset(evidence), place, place_form, plain=plain, inner=tuple(inner))


def _notable(place: Place) -> bool:
    """A place whose name counts inside a longer run: a subdivision, or a city's own name with
    INNER_MIN_POPULATION inhabitants."""
    return place.kind == "admin" or (place.kind == "city" and place.population >= INNER_MIN_POPULATION)


def _strip_genitive(text: str, r: _Reading, known: dict[str, str]) -> None:
    """A name without lexicon support keeps a final -s unless it is the Swedish genitive of a partner
    the page knows ('Kalushs' when Kalush is known)."""
    if r.name.endswith("s") and text[r.end - 1:r.end] == "s":
        stem = text[r.start:r.end - 1]
        if partners._partner_key(stem) in known and partners._partner_key(r.name) not in known:
            r.end -= 1
            r.name = _tidy(stem)
            r.evidence.add("genitive")


def _tidy(form: str) -> str:
    """partners.tidy_foreign, and words in capitals of more than four letters in title case
    ('ONDANGWA' -> 'Ondangwa'; 'JB', 'ICLD' stay)."""
    name = partners.tidy_foreign(form)
    if any(w.isupper() and len(w) > 4 for w in name.split()):
        name = " ".join(w.title() if w.isupper() and len(w) > 4 else w for w in name.split())
    return name


def _add_context(text: str, lang: str, readings: list[_Reading], known_items: frozenset[tuple[str, str]],
                 named: frozenset[str]) -> None:
    """Today's context patterns: each partners.foreign_names span joins the reading of the same span or
    key that overlaps it, or becomes a reading of its own."""
    found = partners._foreign_names(text, lang, known_items)
    if not found:
        return
    # only the readings that overlap a span can join it: found by bisection over their starts, so that a
    # text with thousands of names is not read once per name (each reading's key computed once)
    order = sorted(range(len(readings)), key=lambda i: readings[i].start)
    starts = [readings[i].start for i in order]
    longest = max((r.end - r.start for r in readings), default=0)
    keys = [partners.partner_key(r.name) for r in readings]
    for f in found:
        ev = {"context"} | ({"solid"} if f.solid else set()) | ({"known"} if f.weak else set())
        key = partners.partner_key(f.name)
        match = None
        for j in range(bisect_right(starts, f.start - longest), bisect_right(starts, f.end - 1)):
            i = order[j]
            r, rkey = readings[i], keys[i]
            if r.start < f.end and f.start < r.end and (
                    (r.start, r.end) == (f.start, f.end) or rkey == key or key == rkey + "s"):
                match = r
                break
        if match is not None:
            match.evidence |= ev
            match.country = match.country or f.country
            continue
        place = lookup_place(f.name, named)
        readings.append(_Reading(f.start, f.end, _tidy(f.name), ev, place, f.country, -1))


@lru_cache(maxsize=1)
def _cue_finals() -> dict[str, frozenset[str]]:
    """The words the cue patterns before a name can end with (link_before, admin_before, plural_before):
    a name whose preceding word is none of them needs no regex."""
    cues = _cues()
    determiners = {"the", "sin", "sina", "sitt", "its", "their", "dess", "our", "vår", "våra"}
    link = {w.split()[-1].casefold() for w in cues["link_words"]} | determiners
    admin = {w.split()[-1].casefold() for w in admin_words("sv_prefix")} | {"of"}
    plural = {w.split()[-1].casefold() for w in cues["plural_nouns"]} | {"of", "i", "in", ":"}
    return {"link": frozenset(link), "admin": frozenset(admin), "plural": frozenset(plural)}


def _evidence_around(text: str, r: _Reading, sent_starts: list[int], countries: list, starts: list[int],
                     swedish: list[tuple[int, int]]) -> None:
    """The evidence of the words around a reading: designations, countries, cue words, joins."""
    pats = _patterns()
    end = r.end
    poss = _POSSESSIVE.match(text, end)
    if poss:
        r.evidence.add("genitive")
        end = poss.end()
    elif "genitive" in r.evidence and text[end:end + 1] == "s":
        end += 1  # 'Chobes kommun': the designation after the genitive
    m = pats["designation_after"].match(text, end)
    if m and text[end] in "- \t":
        r.evidence.add("sv_designation")
        end = m.end()
    i = bisect_right(sent_starts, r.start) - 1
    sent_start = sent_starts[i] if i >= 0 else 0
    # a country after it ('X, Kenya', 'X i Moldavien'), or a country adjective before it
    k = bisect_right(starts, end - 1)
    for cs, _ce, iso, demonym in countries[k:k + 2]:
        if cs - end > 30:
            break
        if not demonym and partners.COUNTRY_AFTER.match(text[end:cs]):
            r.country = r.country or iso
            if iso in partner_countries():
                r.evidence.add("country_after")
            break
    k = bisect_right(starts, r.start) - 1
    while k >= 0 and countries[k][1] > r.start:
        k -= 1
    if k >= 0:
        cs, ce, iso, demonym = countries[k]
        if demonym and r.start - ce <= 30 and iso in partner_countries() \
                and pats["adj_gap"].fullmatch(text, ce, r.start):
            r.country = r.country or iso
            r.evidence.add("country_adj")
    # cue words before it; the regexes run only when the last word could end one of them
    before = text[max(sent_start, r.start - 60):r.start]
    last = before.rsplit(None, 1)[-1].rstrip(":").casefold() if before.strip() else ""
    finals = _cue_finals()
    if last in finals["link"] and pats["link_before"].search(before):
        r.evidence.add("link_before")
    if last in finals["admin"] and pats["admin_before"].search(before):
        r.evidence.add("admin_before")
    if last in finals["plural"] and pats["plural_before"].search(before):
        r.evidence.add("plural_noun")
    if not text[sent_start:r.start].strip(" \t\n–—-•*\"'“”("):
        r.evidence.add("opener")
    # joined to a Swedish party: 'Växjö och X', 'X – Växjö', '(Växjö/X)', 'Kronoberg/… and X'
    j = bisect_right(swedish, (r.start, r.start)) - 1
    if j >= 0 and swedish[j][1] <= r.start:
        gap = text[swedish[j][1]:r.start]
        if pats["join_gap"].fullmatch(gap) or (len(gap) <= 50 and pats["loose_join"].fullmatch(gap)):
            r.evidence.add("joined_swedish")
    if j + 1 < len(swedish) and swedish[j + 1][0] >= end:
        if pats["join_gap"].fullmatch(text, end, swedish[j + 1][0]):
            r.evidence.add("joined_swedish")
    # a heading or caption: the line holds little else
    ls = text.rfind("\n", 0, r.start) + 1
    le = text.find("\n", end)
    le = len(text) if le < 0 else le
    if le - ls <= 80 and (end - r.start) * 3 >= (le - ls):
        r.evidence.add("heading")


def _lists(text: str, readings: list[_Reading], segments: list[tuple[int, int]],
           swedish: list[tuple[int, int]]) -> None:
    """Coordinated names ('Lobatse, Palapye och Francistown', 'Kommunerna X, Y och Z (Turkiet)') share
    their evidence: an item of a list with another candidate is one too ('list'); a list with a Swedish
    body joins each item to it; a plural noun before the list or a country after it holds for all."""
    if len(segments) + len(swedish) < 2:
        return
    gap = _patterns()["list_gap"]
    by_segment: dict[int, list[_Reading]] = {}
    for r in readings:
        if r.segment >= 0:
            by_segment.setdefault(r.segment, []).append(r)
    items = sorted([(s, e, k) for k, (s, e) in enumerate(segments)] + [(s, e, -1) for s, e in swedish])
    chain = [items[0]]
    for it in items[1:]:
        if chain[-1][1] <= it[0] and gap.fullmatch(text, chain[-1][1], it[0]):
            chain.append(it)
        else:
            _share(chain, by_segment)
            chain = [it]
    _share(chain, by_segment)


def _share(chain: list[tuple[int, int, int]], by_segment: dict[int, list[_Reading]]) -> None:
    """The evidence the items of one list share (see _lists)."""
    if len(chain) < 2:
        return
    members = [r for _, _, k in chain if k >= 0 for r in by_segment.get(k, ())]
    if not members:
        return
    has_swedish = any(k < 0 for _, _, k in chain)
    shared: set[str] = set()
    for r in members:
        shared |= r.evidence & {"plural_noun", "country_after"}
    country = next((r.country for r in reversed(members) if "country_after" in r.evidence), None)
    reasons = [bool(r.evidence & TRIGGERS) for r in members]
    for i, r in enumerate(members):
        r.evidence |= shared
        if has_swedish:
            r.evidence.add("joined_swedish")
        if any(reasons[:i]) or any(reasons[i + 1:]):
            r.evidence.add("list")
        if country:
            r.country = r.country or country


def _fuzzy(readings: list[_Reading], named: frozenset[str]) -> None:
    """Readings with no lexicon place: the place of a country the text names that is one letter (two,
    in a name of eight or more) away ('Gabarone' -> Gaborone). The name stays as written."""
    for r in readings:
        if r.place is not None or "lexicon_part" in r.evidence or r.name.isupper():
            continue
        if " " in r.name and not r.evidence & TRIGGERS:
            continue  # a name of several words with no other reason: mostly a person
        hit = _near_place(place_key(r.name), named)
        if hit is not None:
            r.place = hit
            r.country = r.country or hit.iso
            r.evidence.add("fuzzy")


def _near_place(key: str, named: frozenset[str]) -> Place | None:
    """The place of one of the countries `named` whose key is nearest to key, at most one edit away (two
    for a key of eight letters or more); None if none (or key is too short to tell)."""
    if len(key) < 5 or len(key.split()) > 3:
        return None
    best = None
    for iso in sorted(named):
        hit = _near_in(key, iso)
        if hit is not None and (best is None or hit[1] < best[1]):
            best = (hit[0], hit[1], iso)
    if best is None:
        return None
    place = lookup_place(best[0], frozenset({best[2]}))
    return place if place is not None and place.iso == best[2] else None


@lru_cache(maxsize=65536)
def _near_in(key: str, iso: str) -> tuple[str, int] | None:
    """The lexicon key of one country nearest to key within the edit limit, and its distance."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    limit = 1 if len(key) < 8 else 2
    by_length = _fuzzy_index().get(iso, {})
    best = None
    for n in range(len(key) - limit, len(key) + limit + 1):  # only keys of a length within the limit
        hit = process.extractOne(key, by_length.get(n, ()), scorer=Levenshtein.distance, score_cutoff=limit)
        if hit is not None and (best is None or hit[1] < best[1]):
            best = (hit[0], hit[1])
    return best


@lru_cache(maxsize=1)
def _fuzzy_index() -> dict[str, dict[int, tuple[str, ...]]]:
    """iso2 -> key length -> the lexicon keys of that country's places (own names and subdivisions, of
    five letters or more), for the fuzzy match; for every country at once, from one regex pass over the
    file's text."""
    data = (DATA_DIR / "places.tsv").read_text("utf-8")
    excluded, generic = _excluded_keys()
    by_iso: dict[str, set[str]] = {}
    for key, iso in re.findall(r"^([^\t\n]{5,})\t[^\t\n]*\t([A-Z]{2})\t\d+\t(?:city|admin)$", data, re.M):
        if key not in excluded and not all(w in generic for w in key.split()):
            by_iso.setdefault(iso, set()).add(key)
    out: dict[str, dict[int, tuple[str, ...]]] = {}
    for iso, keys in by_iso.items():
        lengths: dict[int, list[str]] = {}
        for k in sorted(keys):
            lengths.setdefault(len(k), []).append(k)
        out[iso] = {n: tuple(ks) for n, ks in lengths.items()}
    return out


# --------------------------------------------------------------------------- one partner, one key

# evidence that the whole of a name is a place or a local government: the lexicon knows it as one name, or
# a local-government designation is written around it ('J.B Marks Municipality')
_WHOLE_NAME = frozenset({"lexicon_city", "lexicon_admin", "admin_prefix", "admin_suffix", "gov_form"})


def page_aliases(candidates: list[Candidate]) -> dict[str, tuple[str, str]]:
    """key -> (key, name) of the partner the candidates of that key name on one page, for the keys that are
    a contiguous part of another key of the page ('nguyen' of 'thai nguyen', 'homa' of 'homa bay'):

    - a part of a name the lexicon knows as one place is that place: a word of the longer name read on its
      own, or the page's short form of it; so is a part of a local-government form ('J.B Marks
      Municipality') that the page writes only inside that form;
    - a name that only a lexicon place starts, and that goes on with words no place has ('X Sustainable
      Municipalities' from a project title after province X), is that place, when the page writes the
      place on its own too: the run swallowed the title.

    A part of two such longer names, a name that is no part of one, or a part of a run of names glued
    together ('X MunicipalityY Bay', a card's fields without spaces) keeps its key."""
    evidence: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    spans: dict[str, list[tuple[int, int]]] = {}
    for c in candidates:
        evidence.setdefault(c.key, set()).update(c.evidence)
        names[c.key] = partners.fuller(names[c.key], c.name) if c.key in names else c.name
        spans.setdefault(c.key, []).append((c.start, c.end))
    keys = sorted(k for k in evidence if not _glued(names[k]))
    out: dict[str, tuple[str, str]] = {}
    for short in keys:
        longer = [k for k in keys if _inside(short, k)]
        if not longer:
            continue
        # every time the page writes the part, it writes it inside one of the longer names
        nested = all(any(a <= s and e <= b and (a, b) != (s, e) for k in longer for a, b in spans[k])
                     for s, e in spans[short])
        whole = [k for k in longer if evidence[k] & _LEXICON_WHOLE or (nested and evidence[k] & _WHOLE_NAME)]
        if whole:
            # the widest place that holds the part; two places apart ('X Bay', 'X Hills') hold it both
            tops = [k for k in whole if not any(_inside(k, o) for o in whole)]
            if len(tops) == 1:
                out[short] = (tops[0], names[tops[0]])
        elif evidence[short] & _LEXICON_WHOLE and not nested:
            for k in longer:  # the longer runs only a lexicon place starts: cut back to the place
                if k.startswith(short + " ") and k not in out and not evidence[k] & _WHOLE_NAME:
                    out[k] = (short, names[short])
    # a chain (a part of a part) ends at the widest name
    for k, (target, name) in list(out.items()):
        seen = {k}
        while target in out and target not in seen:
            seen.add(target)
            target, name = out[target]
        out[k] = (target, name)
    return {k: v for k, v in out.items() if v[0] != k}


_LEXICON_WHOLE = frozenset({"lexicon_city", "lexicon_admin"})
# words glued without a space ('MunicipalityWalvis'), or a word of one letter ("Telavi's" read as 'Telavi s')
_GLUED = re.compile(r"[a-zà-ÿ][A-ZÀ-Þ]|(?<![\w.])\w(?![\w.])")


def _glued(name: str) -> bool:
    """Whether a name is no clean name: words glued together, or a stray letter."""
    return _GLUED.search(name) is not None


def _inside(short: str, long: str) -> bool:
    """Whether the words of key `short` are a contiguous part of key `long`'s."""
    return f" {short} " in f" {long} " and short != long
