"""Who works with whom: find Swedish bodies and partners abroad in a text span.

Swedish municipalities and regions come from the gazetteer. Partners abroad
have no complete gazetteer, so they are found as proper-noun runs (name-word
lexemes over a blank spaCy pipeline's tokens) that the context marks as a local
government abroad: a country right after them (``Masaka i Uganda``,
``Gabarone, Botswana``), a linking phrase before them (``tillsammans med``,
``together with its partner``), an administrative word (``provinsen An Giang``,
``Kisii County``), or a name the page already gave as a partner (a card
footer). Pairs are then grouped: each run of Swedish bodies takes the partners
abroad that follow it up to the next Swedish body.
"""
from __future__ import annotations

import os
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache

import spacy
from spacy.attrs import IDX, ORTH

from kp_extract.lexicon.gazetteer import DATA_DIR, admin_words, find_countries, find_swedish_bodies, is_admin_word, organisation_kind
from kp_extract.model import Partner

NAME_INITIALS = "A-ZÅÄÖÜÉÈÁÀÇŁŚŻŽČŠĐ"  # the capitals a name token starts with (a regex class body)
NAME_TOKEN = rf"^(?:[{NAME_INITIALS}][\w'’.\-]*|[A-ZÅÄÖ]{{2,}}[\w\-]*)$"
CONNECTORS = ["of", "de", "du", "la", "le", "el", "da", "do", "dos", "das", "van", "von", "del", "al", "-", "&"]

# Words that start a capitalised run but never name a place (pronouns, months, sentence openers).
STOP_NAMES = {
    "det", "den", "de", "vi", "vår", "våra", "dessa", "detta", "denna", "där", "här", "som", "och", "i",
    "the", "this", "these", "that", "those", "we", "our", "they", "their", "it", "its", "in", "and",
    "sedan", "since", "under", "during", "genom", "through", "med", "with", "för", "for", "projektet", "project",
    "projekt", "the project", "partnerskapet", "partnership", "samarbetet", "kommunen", "kommunerna",
    "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
    "november", "december", "january", "february", "march", "may", "june", "july", "august", "october",
    "agenda", "agenda 2030", "globala målen", "global goals", "sdg", "sdgs", "covid-19", "corona",
    "läs mer", "read more", "kontakt", "contact", "both", "båda", "bägge", "overall", "surface",
}

LINK_BEFORE = re.compile(
    r"(?:tillsammans\s+med|i\s+samarbete\s+med|samarbete[t]?\s+med|samarbetar\s+med|partnerskap(?:et)?\s+med|"
    r"partnerskapsprojekt\s+med|projekt\s+med|together\s+with|in\s+cooperation\s+with|in\s+partnership\s+with|"
    r"partnership\s+with|cooperation\s+with|collaboration\s+with|twinned\s+with|mellan|between|with|med|–|—|-|/)"
    r"\s+(?:(?:sin|sina|sitt|dess|its|their|his|her|the)\s+)?"
    r"(?:(?:nya\s+|new\s+)?(?:partner\s*kommun(?:en)?|partnerregion(?:en)?|partner(?:n)?|kommun(?:en)?|"
    r"provins(?:en)?|distrikt(?:et)?|stad(?:en)?|staden|region(?:en)?|county|city|municipality|"
    r"district|province|town)\s+(?:of\s+)?)?$",
    re.IGNORECASE,
)
ADMIN_BEFORE = re.compile(
    r"(?:\b(?:kommunen|provinsen|distriktet|staden|regionen|länet|partnerkommunen|partnerregionen|"
    r"the\s+city\s+of|the\s+municipality\s+of|the\s+county\s+of|the\s+district\s+of|the\s+province\s+of)\s+)$",
    re.IGNORECASE,
)
# "X, Kenya", "X (Kenya)", "X i Kenya", "X in north-western Ukraine", "X i norra Bosnien"
COUNTRY_AFTER = re.compile(r"^\s*(?:[a-zåäö]+\s+)?(?:,\s*|\(\s*|\s+i\s+(?:[a-zåäö]+(?:-[a-zåäö]+)?\s+)?|"
                           r"\s+in\s+(?:[a-zåäö]+(?:-[a-zåäö]+)?\s+)?)$")
# Every character COUNTRY_AFTER can match: a gap holding any other cannot be extended into a match
_COUNTRY_GAP_CHARS = re.compile(r"[\sa-zåäö,(-]*")
GENITIVE_GAP = re.compile(r"(?:'s|’s)\s+")
# "X i Y", "X in the Y region", "X i staden Y", "X in the province of Y": Y says where X is
WHERE_GAP = re.compile(r"\s+(?:i|in)\s+(?:the\s+(?:(?:city|province|region|county|district|state)\s+of\s+)?|"
                       r"(?:staden|provinsen|regionen|länet|distriktet|delstaten)\s+)?|\s*\(\s*")
TWO_LETTERS = re.compile(r"[A-Za-zÅÄÖåäö]{2}")
INDEFINITE_BEFORE = re.compile(r"\b(?:a|an|en|ett|any|varje|each)\s+$", re.IGNORECASE)
LOWER_WORD_AFTER = re.compile(r"\s+([a-zåäöéü]+)")
ROLE_AFTER = re.compile(r"^\s*,\s*([a-zåäö]+)")
NON_WORD = re.compile(r"[\W_]+")
QUOTED = re.compile(r"[“\"«][^”\"»\n]{2,160}[”\"»]")
SWEDISH_GENITIVE = re.compile(r"(?<=[a-zåäöéü])s$")


@dataclass
class ForeignName:
    """A partner abroad found in text: tidied name, offsets, and the country the text ties to it."""

    name: str
    start: int
    end: int
    country: str | None = None
    weak: bool = False  # only known from the page's structure, no context of its own
    solid: bool = False  # a country or an administrative word marks it, not just a preposition


@dataclass
class SwedishMention:
    partner: Partner
    start: int
    end: int
    surface: str


@dataclass
class PairGroup:
    """Swedish bodies that the text joins, with the partners abroad they work with."""

    swedish: list[SwedishMention] = field(default_factory=list)
    foreign: list[ForeignName] = field(default_factory=list)


MODEL_ENV = "KP_EXTRACT_SPACY_MODEL"
_chosen_model: str | None = None  # use_model's choice for this process; None: MODEL_ENV, else blank


def use_model(name: str | None) -> None:
    """Parse with the installed spaCy pipeline `name` from now on in this process (None: the one
    KP_EXTRACT_SPACY_MODEL names, else a blank one). A run's workers call it with RunOptions.spacy_model;
    the caches of parses are reset when the choice changes."""
    global _chosen_model
    if name != _chosen_model:
        _chosen_model = name
        reset_caches()


@contextmanager
def using_model(name: str | None) -> Iterator[None]:
    """use_model(name) for the with-block, the earlier choice back after it (a run in this process)."""
    before = _chosen_model
    use_model(name)
    try:
        yield
    finally:
        use_model(before)


@lru_cache(maxsize=4)
def _nlp(lang: str, model: str | None = None):
    """A spaCy pipeline; built once per language.

    By default a blank `sv`/`en` pipeline (nothing to download): its tokenizer gives the tokens whose
    lexemes are classed as name words (_classify), and sentences come from punctuation
    (SENTENCE_END). An installed trained pipeline (a package name or a path) can be plugged in with
    the KP_EXTRACT_SPACY_MODEL environment variable: its tokenizer and, if it has one, its parser or
    senter then give the sentences.
    """
    model = model if model is not None else _chosen_model or os.environ.get(MODEL_ENV) or None
    if model:
        try:
            return spacy.load(model)
        except OSError as exc:
            raise RuntimeError(f"spaCy pipeline {model!r} is not installed or not a pipeline folder: {exc}") from None
    return spacy.blank(lang if lang in ("sv", "en") else "sv")


NAME_TOKEN_RE = re.compile(NAME_TOKEN)
CONNECTOR_SET = frozenset(CONNECTORS)
# A lexeme's class never changes, so each word's regex runs once per process, not once per token (a spaCy
# Matcher with REGEX predicates ran Python per token: 40% of the analysis). Orth ids are hashes of the text,
# the same in every vocab. _NAME_LENGTH: orth -> length of the name words; _CONNECTORS: connector orths;
# _CLASSED: every orth looked at. They grow with the vocabulary, which spaCy keeps anyway.
_NAME_LENGTH: dict[int, int] = {}
_CONNECTOR_ORTHS: set[int] = set()
_CLASSED: set[int] = set()


def _classify(orths: set[int], strings) -> None:
    """Class the lexemes not seen before: name word, connector, or (in neither table) other."""
    for orth in orths - _CLASSED:
        text = strings[orth]
        if NAME_TOKEN_RE.match(text):
            _NAME_LENGTH[orth] = len(text)
        elif text in CONNECTOR_SET:
            _CONNECTOR_ORTHS.add(orth)
        _CLASSED.add(orth)


def name_runs(doc) -> list[tuple[int, int]]:
    """(start_char, end_char) of the proper-noun runs of a Doc: maximal runs of name tokens, with
    connectors ('of', 'de', '-', '&', …) inside, that start and end with a name token."""
    if not len(doc):
        return []
    arr = doc.to_array([ORTH, IDX])
    orths = arr[:, 0].tolist()
    starts = arr[:, 1].tolist()
    _classify(set(orths), doc.vocab.strings)
    names, connectors = _NAME_LENGTH, _CONNECTOR_ORTHS
    runs: list[tuple[int, int]] = []
    first = last = -1  # token indexes of the open run's first and last name token
    for i, orth in enumerate(orths):
        if orth in names:
            if first < 0:
                first = i
            last = i
        elif first >= 0 and orth not in connectors:
            runs.append((starts[first], starts[last] + names[orths[last]]))
            first = -1
    if first >= 0:
        runs.append((starts[first], starts[last] + names[orths[last]]))
    return runs


# Where a proper-noun run can be, found without the tokenizer. spaCy's tokenizer splits text at
# whitespace first and tokenizes each whitespace-free chunk on its own (the pieces spell the chunk
# exactly), so a chunk holds a name token only if it holds a name capital, and it holds only
# connector tokens only if it spells connectors alone. Every other chunk holds a token that is
# neither, which ends any run and starts none. So runs lie inside stretches of such chunks, and a
# blank pipeline need only tokenize those: about a fifth of prose, where it was the costliest step.
_RUN_CHUNK = (rf"(?:[^\s{NAME_INITIALS}]*[{NAME_INITIALS}]\S*"
              rf"|(?:{'|'.join(sorted(map(re.escape, CONNECTORS), key=len, reverse=True))})+(?!\S))")
NAME_STRETCH = re.compile(rf"(?<!\S){_RUN_CHUNK}(?:\s+{_RUN_CHUNK})*")
STRETCH_GLUE = " , "  # joins stretches for one tokenizer call: "," is neither a name nor a connector


def stretch_name_runs(nlp, text: str) -> list[tuple[int, int]]:
    """name_runs(nlp.make_doc(text)), computed by tokenizing only the NAME_STRETCH stretches of text,
    glued into one string by STRETCH_GLUE (a run never crosses it); offsets mapped back to text."""
    pieces: list[str] = []
    shifts: list[int] = []  # per piece: its offset in text minus its offset in the glued string
    starts: list[int] = []  # per piece: its offset in the glued string
    at = 0
    for m in NAME_STRETCH.finditer(text):
        piece = m.group()
        pieces.append(piece)
        starts.append(at)
        shifts.append(m.start() - at)
        at += len(piece) + len(STRETCH_GLUE)
    if not pieces:
        return []
    runs = name_runs(nlp.make_doc(STRETCH_GLUE.join(pieces)))
    out = []
    for a, b in runs:
        shift = shifts[bisect_right(starts, a) - 1]
        out.append((a + shift, b + shift))
    return out


def reset_caches() -> None:
    """Forget the loaded pipeline and every cached parse (after changing KP_EXTRACT_SPACY_MODEL)."""
    for cached in (_nlp, _splits_sentences, _parse, swedish_bodies, _countries, _foreign_names, _norm_key,
                   _partner_key, _is_admin, tidy_foreign):
        cached.cache_clear()


def sentences(text: str, lang: str = "sv") -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of text; a line break or a semicolon ends one too."""
    return list(_parse(text, lang)[0])


SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“”'(–—-]?\s*[A-ZÅÄÖÉÜ0-9])|\n+|;\s+")


@lru_cache(maxsize=32768)
def _parse(text: str, lang: str) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int, int], ...]]:
    """One spaCy pass over text: its sentences, and its proper-noun runs (start, end, sentence start).

    Cached by text: extraction looks at the same blocks several times.
    """
    nlp = _nlp(lang)
    trained = _splits_sentences(nlp)
    if trained:
        doc = nlp(text)
        bounds = [(sent.start_char, sent.end_char) for sent in doc.sents]
        found = name_runs(doc)
    else:
        bounds = [(0, len(text))]
        found = stretch_name_runs(nlp, text)
    sents: list[tuple[int, int]] = []
    for lo, hi in bounds:
        start = lo
        for m in SENTENCE_END.finditer(text, lo, hi):  # a line break or a semicolon ends one too
            _add_stripped(sents, text, start, m.start())
            start = m.end()
        _add_stripped(sents, text, start, hi)
    starts = [a for a, _ in sents]
    runs = []
    for run_start, run_end in found:
        i = bisect_right(starts, run_start) - 1
        runs.append((run_start, run_end, starts[i] if i >= 0 else 0))
    return tuple(sents), tuple(runs)


@lru_cache(maxsize=8)
def _splits_sentences(nlp) -> bool:
    """Whether nlp has a parser or senter to find sentences; asked once per pipeline (pipe_names builds a
    new list each time; the cache holds the pipeline, so its identity stays its key)."""
    return bool({"parser", "senter"} & set(nlp.pipe_names))


def _add_stripped(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    """Append text[start:end] without its edge whitespace, unless nothing is left (str.strip and a
    character loop over str.isspace agree, in C)."""
    piece = text[start:end]
    kept = piece.strip()
    if kept:
        start += len(piece) - len(piece.lstrip())
        spans.append((start, start + len(kept)))


@lru_cache(maxsize=32768)
def swedish_bodies(text: str) -> tuple[tuple[Partner, int, int, str], ...]:
    """(partner, start, end, surface) of the resolved Swedish bodies of text; cached by text."""
    return tuple((m.partner, m.start, m.end, m.surface) for m in find_swedish_bodies(text) if m.partner is not None)


@lru_cache(maxsize=32768)
def _countries(text: str) -> tuple[tuple, ...]:
    return tuple(find_countries(text))


def norm_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(NON_WORD.sub(" ", text).split())


@lru_cache(maxsize=1)
def generic_words() -> frozenset[str]:
    """Single words of the gazetteer's administrative terms ('Local Municipality' -> local, municipality)."""
    words = {w for entry in admin_words() for w in norm_key(entry).split() if len(w) > 1}
    return frozenset(words | {"the", "of"})


def partner_key(name: str) -> str:
    """Identity key of a partner abroad: lower-case words without administrative words."""
    generic = generic_words()
    words = [w for w in norm_key(name).split() if w not in generic]
    return " ".join(words) or norm_key(name)


# The same, cached, for the candidates of the text scan, which ask for the same few words again and again.
# The public functions stay uncached: their callers' work stays visible and in proportion to their input.
_norm_key = lru_cache(maxsize=65536)(norm_key)
_partner_key = lru_cache(maxsize=65536)(partner_key)
# a lower-case word that alone names a kind of organisation ('universitet', 'kommunalförbund'): cached per
# word, as the vocabulary after names is small
_organisation_noun = lru_cache(maxsize=65536)(organisation_kind)
_is_admin = lru_cache(maxsize=65536)(is_admin_word)
_is_admin_prefix = lru_cache(maxsize=65536)(lambda word: is_admin_word(word, "prefix"))  # the gazetteer's words do not change during a run


@lru_cache(maxsize=1)
def _landscape_compound_regex() -> re.Pattern:
    import json

    cues = json.loads((DATA_DIR / "candidate_cues.json").read_text("utf-8"))
    nouns = sorted(cues["sv_landscape_nouns"]["words"], key=len, reverse=True)
    return re.compile(rf"\w{{3,}}(?:{'|'.join(map(re.escape, nouns))})", re.IGNORECASE)


@lru_cache(maxsize=65536)
def landscape_compound(word: str) -> bool:
    """Whether a word is a name glued to a Swedish definite noun of a landscape or water ('Xdeltat',
    'Xsjön'; candidate_cues.json sv_landscape_nouns): a region of nature, not a local government."""
    return _landscape_compound_regex().fullmatch(word) is not None


def fuller(a: str, b: str) -> str:
    """The fuller of two forms of one partner's name (more words, then longer; ties keep a)."""
    return b if (len(b.split()), len(b)) > (len(a.split()), len(a)) else a


@lru_cache(maxsize=16384)
def tidy_foreign(name: str) -> str:
    """Whitespace, edge punctuation, a leading article removed; a lower-case first letter
    or trailing administrative word ('Kaluma Town council') capitalised; spelling kept (cached: pure)."""
    name = " ".join(name.split()).strip(" ,.;:()[]\"'“”’")
    name = re.sub(r"^(?:the\s+)", "", name, flags=re.IGNORECASE)
    words = name.split(" ")
    for i in range(len(words) - 1, 0, -1):
        if words[i].islower() and words[i] in generic_words():
            words[i] = words[i].capitalize()
        else:
            break
    name = " ".join(words)
    if name and name[0].islower():
        name = name[0].upper() + name[1:]
    return name


NAME_WORD = re.compile(r"^(?:[A-ZÅÄÖÉÜ0-9][\w'’.\-]*|of|de|du|la|el|da|do|del|van|von|-)$")


def looks_like_name(text: str, max_words: int = 7) -> bool:
    """Capitalised words (and connectors, and trailing lower-case administrative words)."""
    words = text.split()
    if not words or len(words) > max_words or not NAME_WORD.match(words[0]) or words[0] in CONNECTORS:
        return False
    tail = len(words)
    while tail > 1 and words[tail - 1] in generic_words():
        tail -= 1
    return all(NAME_WORD.match(w) for w in words[:tail])


ADMIN_AFTER = re.compile(r"^(?:\s+(?:local\s+)?(?:municipality|council|county|district|province|town|city|"
                         r"region|government|oblast|hromada|commune|prefecture)\b)+")
# The same without the anchor, for pattern.match(text, pos): no copy of the rest of the text per name
_ADMIN_AFTER_AT = re.compile(ADMIN_AFTER.pattern.removeprefix("^"))


def split_glued_names(value: str) -> list[tuple[int, int]]:
    """Split a footer value of glued names at lower-to-upper joins ('Homa BayJB Marks', 'SarandëKafue')."""
    cuts = [0] + [i for i in range(1, len(value))
                  if value[i].isupper() and (value[i - 1].islower() or value[i - 1] in ".)")] + [len(value)]
    out = []
    for s, e in zip(cuts, cuts[1:]):
        piece = value[s:e]
        lead = len(piece) - len(piece.lstrip(" ,;|"))
        trail = len(piece.rstrip(" ,;|"))
        if trail > lead:
            out.append((s + lead, s + trail))
    return out


def find_pairs(text: str, lang: str = "sv", known: dict[str, str] | None = None,
               base: int = 0) -> list[PairGroup]:
    """Group the Swedish bodies and partners abroad of one sentence, bullet or block.

    `known` maps partner_key -> fullest name of partners the page already named
    (footers, headings); those names need no further context. Offsets in the
    result are `base` + offsets into text. Groups without a partner abroad are
    kept (their Swedish bodies may still matter to the caller).
    """
    swedish, foreign = _parties(text, lang, known or {})
    return _group(swedish, foreign, base)


def sentence_pairs(text: str, lang: str = "sv", known: dict[str, str] | None = None
                   ) -> list[tuple[int, int, list[PairGroup]]]:
    """find_pairs for each sentence of text, from one analysis of the whole text: (start, end, groups),
    offsets into text."""
    swedish, foreign = _parties(text, lang, known or {})
    sents = _parse(text, lang)[0]
    return [(s, e, _group(sw, fo, 0))
            for (s, e), sw, fo in zip(sents, _by_sentence(sents, swedish), _by_sentence(sents, foreign))]


def _by_sentence(sents: tuple[tuple[int, int], ...], items: list) -> list[list]:
    """items (with a .start) bucketed by the sentence their start falls in, keeping their order; items
    in no sentence are dropped. sents are sorted and disjoint (_parse), so bisect finds the one
    sentence: linear in sentences + items, not their product."""
    starts = [s for s, _ in sents]
    buckets: list[list] = [[] for _ in sents]
    for x in items:
        i = bisect_right(starts, x.start) - 1
        if i >= 0 and x.start < sents[i][1]:
            buckets[i].append(x)
    return buckets


def _swedish_mentions(text: str) -> list[SwedishMention]:
    return [SwedishMention(p, a, b, surface) for p, a, b, surface in swedish_bodies(text)]


def _parties(text: str, lang: str, known: dict[str, str]) -> tuple[list[SwedishMention], list[ForeignName]]:
    return _swedish_mentions(text), list(_foreign_names(text, lang, frozenset(known.items())))


@lru_cache(maxsize=8192)
def _foreign_names(text: str, lang: str, known: frozenset[tuple[str, str]]) -> tuple[ForeignName, ...]:
    """foreign_names of text, cached: extraction reads a block's pairs more than once (its statements,
    then its project), mostly while the page's known partners stay the same. The result depends on
    `known` only through its items; nobody changes a ForeignName once made, so sharing them is safe."""
    return tuple(foreign_names(text, lang, dict(known), _swedish_mentions(text), list(_countries(text))))


def _group(swedish: list[SwedishMention], foreign: list[ForeignName], base: int) -> list[PairGroup]:
    """Each run of Swedish bodies takes the partners abroad that follow it up to the next Swedish body;
    partners before the first Swedish body go to the first group."""
    if not swedish and not foreign:
        return []  # most sentences name nobody
    events: list[tuple[int, int, SwedishMention | ForeignName]] = sorted(
        [(s.start, 0, s) for s in swedish] + [(f.start, 1, f) for f in foreign], key=lambda e: (e[0], e[1]))
    groups: list[PairGroup] = []
    current: PairGroup | None = None
    leading: list[ForeignName] = []
    for _, _kind, obj in events:
        if isinstance(obj, SwedishMention):  # kind 0: sorted before a partner abroad at the same offset
            if current is None or current.foreign:
                current = PairGroup()
                groups.append(current)
            current.swedish.append(obj)
        elif current is None:
            leading.append(obj)
        elif not (obj.weak and current.foreign):  # "… med X, som ansvarar för regionen runt Y"
            current.foreign.append(obj)
    if leading:
        if groups and not groups[0].foreign:
            groups[0].foreign = leading + groups[0].foreign
        elif groups:
            groups.insert(0, PairGroup([], leading))
        else:
            groups.append(PairGroup([], leading))
    if base:
        for g in groups:
            g.swedish = [replace(x, start=x.start + base, end=x.end + base) for x in g.swedish]
            g.foreign = [replace(f, start=f.start + base, end=f.end + base) for f in g.foreign]
    return groups


def foreign_names(text: str, lang: str, known: dict[str, str], swedish: list[SwedishMention],
                  countries: list[tuple]) -> list[ForeignName]:
    """Proper-noun runs of text that the context marks as local governments abroad."""
    blocked = [(s.start, s.end) for s in swedish] + [(c[0], c[1]) for c in countries]
    blocked += [(q.start(), q.end()) for q in QUOTED.finditer(text)]  # a quoted name is a title, not a partner
    index = _span_index(blocked)
    country_starts = [c[0] for c in countries]
    out: list[ForeignName] = []
    # the kept candidates are disjoint and non-empty, so sorted by start their ends are sorted too: the
    # one with the last start before cand.end is the only one that can overlap it (O(log n) per test)
    taken_starts: list[int] = []
    taken_ends: list[int] = []
    for run_start, run_end, sent_start in _parse(text, lang)[1]:
        for s, e in _cut_blocked(run_start, run_end, index):
            cand = _candidate(text, s, e, sent_start, known, countries, country_starts)
            if cand is None:
                continue
            i = bisect_left(taken_starts, cand.end) - 1
            if i < 0 or taken_ends[i] <= cand.start:
                out.append(cand)
                at = bisect_left(taken_starts, cand.start)
                taken_starts.insert(at, cand.start)
                taken_ends.insert(at, cand.end)
    # "in Lund's Norra Fäladen district": a place inside a Swedish municipality
    by_end: dict[int, list[SwedishMention]] = {}
    for sw in swedish:
        by_end.setdefault(sw.end, []).append(sw)
    out = [f for f in out if not any(
        GENITIVE_GAP.fullmatch(text[sw.end:f.start]) or (sw.surface.endswith("s") and not text[sw.end:f.start].strip())
        for end in range(f.start - 4, f.start + 1) for sw in by_end.get(end, ()))]
    out.sort(key=lambda f: f.start)
    out = _dash_linked(text, out, swedish, known)
    # "Fastiv i Kyivregionen", "Zhovkva City Council in Lviv oblast": the second names where the first is;
    # "Kabupaten Belitung (Belitung Regency)": the second is another name of the first
    return [f for i, f in enumerate(out)
            if not (i and WHERE_GAP.fullmatch(text[out[i - 1].end:f.start]))]


DASH_LINK = re.compile(r"\s*(?:[–—/]|\s-)\s*$")  # what a dash-joined pair ('Växjö – JB Marks') puts between


def _dash_linked(text: str, found: list[ForeignName], swedish: list[SwedishMention],
                 known: dict[str, str]) -> list[ForeignName]:
    """found (sorted by start) without the names whose only evidence is a dash before them that follows no
    party: 'Clean Towns – Circular Waste Management' is a title, while 'Växjö – JB Marks' or
    'Kalush – Växjö – Chortkiv' pairs a Swedish body (or a partner abroad) with the name."""
    if not found:
        return found
    out: list[ForeignName] = []
    ends = {sw.end for sw in swedish}
    for f in found:
        dash = None if f.solid or f.weak or partner_key(f.name) in known \
            else DASH_LINK.search(text, max(0, f.start - 4), f.start)
        if dash is not None:
            left = text[:dash.start()].rstrip()
            if len(left) not in ends and not any(len(left) == g.end for g in out):
                continue
        out.append(f)
    return out


def _span_index(spans: list[tuple[int, int]]) -> tuple[list[int], list[tuple[int, int]], list[int]]:
    """spans sorted by start, their starts, and the running maximum of their ends (for _near)."""
    spans = sorted(spans)
    max_end, m = [], -1
    for _, e in spans:
        m = max(m, e)
        max_end.append(m)
    return [s for s, _ in spans], spans, max_end


def _near(index: tuple[list[int], list[tuple[int, int]], list[int]], s: int, e: int) -> list[tuple[int, int]]:
    """The indexed spans that start before e and do not all end at or before s: a superset of those
    that touch [s, e), found by bisection rather than by looking at every span."""
    starts, spans, max_end = index
    hi = bisect_right(starts, e)
    lo = bisect_right(max_end, s, 0, hi)  # every span before lo ends at or before s
    return spans[lo:hi]


def _cut_blocked(s: int, e: int, blocked: tuple[list[int], list[tuple[int, int]], list[int]]) -> list[tuple[int, int]]:
    """The parts of [s, e) outside the blocked spans (a _span_index). Cutting does not depend on the order
    of the spans, so only those near [s, e) are looked at."""
    parts = [(s, e)]
    for bs, be in _near(blocked, s, e):
        nxt = []
        for ps, pe in parts:
            if be <= ps or bs >= pe:
                nxt.append((ps, pe))
                continue
            if bs > ps:
                nxt.append((ps, bs))
            if be < pe:
                nxt.append((be, pe))
        parts = nxt
    return [(ps, pe) for ps, pe in parts if pe - ps > 1]


def _candidate(text: str, s: int, e: int, sent_start: int, known: dict[str, str],
               countries: list[tuple], country_starts: list[int] | None = None) -> ForeignName | None:
    """The partner abroad that the run text[s:e] names, or None. countries: find_countries of text
    (sorted by start); country_starts: their starts, when the caller has them already."""
    raw = text[s:e].strip(" -&,")
    s = text.index(raw, s) if raw else s
    e = s + len(raw)
    tail = _ADMIN_AFTER_AT.match(text, e)  # "Kaluma Town council": a lower-case administrative suffix
    if tail:
        e = tail.end()
        raw = text[s:e]
    # trailing Swedish genitive on a known partner: "Kalushs" -> "Kalush"
    words = raw.split()
    while words and _norm_key(words[0]) in STOP_NAMES and _partner_key(" ".join(words)) not in known:
        s = text.index(words[1], s) if len(words) > 1 else e
        words = words[1:]
    raw = " ".join(words)
    if not raw or _norm_key(raw) in STOP_NAMES or not TWO_LETTERS.search(raw):
        return None
    if organisation_kind(raw) or all(_is_admin(w.casefold()) for w in words):
        return None
    if landscape_compound(words[-1]):
        return None  # 'Xdeltat': a Swedish word for a region of nature
    key = _partner_key(raw)
    if key not in known and SWEDISH_GENITIVE.search(raw) and _partner_key(raw[:-1]) in known:
        raw, key = raw[:-1], _partner_key(raw[:-1])
        e -= 1
    before = text[max(sent_start, s - 60):s]
    after = text[e:e + 40]
    country = None
    # the first country after the name whose gap COUNTRY_AFTER takes; only countries before the first
    # character no gap may hold can qualify, so the scan stops there instead of running to the end
    if country_starts is None:
        country_starts = [c[0] for c in countries]
    gap = _COUNTRY_GAP_CHARS.match(text, e)  # a star pattern: always matches, maybe empty
    limit = gap.end() if gap else e
    for i in range(bisect_left(country_starts, e), len(countries)):
        cs, ce, iso, demonym = countries[i]
        if cs > limit:
            break
        if not demonym and COUNTRY_AFTER.match(text[e:cs]):
            country = iso
            break
    admin_before = ADMIN_BEFORE.search(before) is not None
    # 'Opština Vukosavlje', 'Kabupaten Sleman': a local-government word abroad that opens the name
    admin_prefix = len(words) > 1 and _is_admin_prefix(words[0].casefold())
    strong = (
        country is not None
        or admin_before
        or bool(LINK_BEFORE.search(before))
        or (len(words) > 1 and _is_admin(words[-1].casefold()))
        or admin_prefix
    )
    if not strong and key not in known:
        return None
    # (asked only of the few runs with context: most runs stop above)
    if all(w in generic_words() for w in key.split()):
        return None  # 'the Regional Council decided …': an organ named by generic words, no proper name
    noun = LOWER_WORD_AFTER.match(text, e)
    if noun and _organisation_noun(noun.group(1)):
        return None  # 'Mälardalens universitet': the name of an organisation, not of a place
    if INDEFINITE_BEFORE.search(before):
        return None  # "a Swedish municipality": a description, not a name
    opener = not text[sent_start:s].strip(" \t\n–—-•*\"'“”(")
    if opener and key not in known and country is None and not _is_admin(words[-1].casefold()) and not admin_prefix:
        return None  # a sentence opener needs stronger evidence than a preposition
    role = ROLE_AFTER.match(after)
    if role and key not in known and country is None and not _is_admin(words[-1].casefold()) \
            and role.group(1) not in ("som", "which", "där", "where", "och", "and"):
        return None  # "Johan Lilja, generalsekreterare": a person and a role
    name = fuller(known[key], tidy_foreign(raw)) if key in known else tidy_foreign(raw)
    solid = country is not None or admin_before or _is_admin(words[-1].casefold()) or admin_prefix
    return ForeignName(name, s, e, country, weak=not strong, solid=solid)
