"""Extract: turn one page's blocks into project mentions and partnership statements.

A page is a sequence of items (see segment). Each item yields mentions by
the first rule that applies to it:

1. a *card*: the item's first heading names the parties (``Växjö and JB Marks,
   South Africa``); the whole item is one project;
2. otherwise, inside the item: sub-headed pairs (``Falun och Kolomyia``),
   partner sections (``Tlokwe City Council, Sydafrika (2006 - )``), titled
   sections (a heading followed by ``Ett tvåårigt projekt …``), bullets naming a
   pair or a titled project, sentences saying funds were granted to named
   cooperations, paragraphs about an application or pre-study being prepared;
3. an item with no such part whose footer names one Swedish and one
   international partner is one project.

A footer's areas, SDGs, themes and tags belong to every project of its item.
Every sentence that pairs a Swedish body with a partner abroad is also a
partnership statement, with the since-years it states.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import cast
from functools import lru_cache

from kp_extract.lexicon import values
from kp_extract.lexicon.scan import Needles, may_match, needles
from kp_extract.lexicon.gazetteer import (area_label, country_code, find_countries, find_swedish_bodies, load_gazetteer,
                        organisation_kind, split_glued_labels, split_glued_swedish)
from kp_extract.model import Block, Mention, Page, Partner, PartnershipMention, Source, unique, unique_partners
from kp_extract.lexicon.partners import (ForeignName, PairGroup, find_pairs, fuller, looks_like_name, norm_key, partner_key,
                       sentence_pairs,
                       sentences, swedish_bodies,
                       split_glued_names, tidy_foreign)
from kp_extract.stages.s3_segment import footer_field, inline_field, load_layout

from kp_extract import DATA_DIR
SEPARATORS = re.compile(r"\s*(?:,|\band\b|\boch\b|&|\s[–—-]\s|[–—]|/|\bsamt\b|\btillsammans med\b|\bwith\b)\s*",
                        re.IGNORECASE)
# "(2006 - )", or a closed "(2011–2016)": the partnership's first year
SINCE_HEADING = re.compile(r"\(\s*(?P<since>(?:19|20)\d\d)\s*[-–—]\s*(?:(?:19|20)\d\d)?\s*\)\s*$")
_DATE = r"(?:(?:\d{1,2}\s+)?[A-Za-zåäöÅÄÖ]+\s+)?(?:19|20)\d\d"
TITLED_BULLET = re.compile(  # "Title, januari 2019-december 2021 (Växjö/JB Marks)", "Title, 2013–2014", "Title 2011-2012"
    rf"^(?P<title>[^()]+?)(?:\s*[,–—-]\s*(?P<period>{_DATE}(?:\s*[-–—/]\s*(?:{_DATE}|\d\d))?)"
    r"|\s+(?P<range>(?:19|20)\d\d\s*[-–—/]\s*(?:(?:19|20)\d\d|\d\d)))\s*"  # 'Title 2011-2012': a bare range
    r"(?:\((?P<parties>[^()]+/[^()]+)\))?\s*\.?\s*$")
QUOTED_TITLE = re.compile(r"(?:project|projekt(?:et)?|pre-?study|förstudie(?:n)?|named|called|entitled|titled|kallat|"
                          r"kallas|heter|namnet|name)"
                          r"\s*[:,]?\s*[“”\"«„](?P<t>(?=[^“”\"»]{4})[^“”\"»\n]{1,160}(?:\n[^“”\"»\n]{1,160})?)[”“\"»]"
                          r"|[“”\"«„](?P<t2>[^“”\"»\n]{4,160})[”“\"»]\s*[,–—-]\s*(?:ett|en|a|an)\s+(?:\S+\s+){0,2}"
                          r"(?:\w*projekt|project|förstudie|pre-?study)",
                          re.IGNORECASE)
LANDSTING_BARE = re.compile(r"\b[Ll]andsting(?:et|ets)\b(?!\s+[A-ZÅÄÖ])")


@lru_cache(maxsize=1)
def _trigger_data() -> dict:
    return json.loads((DATA_DIR / "triggers.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def triggers() -> dict[str, re.Pattern]:
    """The word patterns of data/triggers.json, one compiled alternation per kind."""
    return {k: re.compile("|".join(v), re.IGNORECASE) for k, v in _trigger_data().items()
            if not k.startswith("_") and isinstance(v, list)}


@lru_cache(maxsize=1)
def trigger_needles() -> dict[str, Needles]:
    """Per trigger kind, the strings one of which a lower-cased text holds whenever the pattern can match
    (lexicon/scan.py): a gate read from the data file's own words, not a copy of them in the code."""
    return {k: needles(p) for k, p in triggers().items()}


@lru_cache(maxsize=1)
def _no_record_patterns() -> list[tuple[str, re.Pattern]]:
    return [(reason, re.compile("|".join(pats), re.IGNORECASE))
            for reason, pats in _trigger_data()["no_record_reasons"].items()]


def no_record_reason(text: str) -> str | None:
    """Why a page (or section) that names no project gives none: the reason of
    data/triggers.json's no_record_reasons whose patterns occur most often in text (ties: the first)."""
    counts = [(len(pattern.findall(text)), -i, reason) for i, (reason, pattern) in enumerate(_no_record_patterns())]
    best = max(counts)
    return best[2] if best[0] else None


@dataclass
class Footer:
    """The labelled values of a card footer, split, with the footer's source."""

    source: Source | None = None
    project_areas: list[str] = field(default_factory=list)
    sdgs: list[int] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    swedish: list[Partner] = field(default_factory=list)
    international: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


@dataclass
class PartyHeading:
    """A heading that names the parties: Swedish bodies, partners abroad, a country, a since-year."""

    swedish: list[Partner]
    foreign: list[str]
    country: str | None
    since: int | None
    countries: dict[str, str] = field(default_factory=dict)  # partner abroad -> its country, when named

    def partners(self) -> list[ForeignName]:
        return [ForeignName(name, 0, 0, self.countries.get(name) or self.country) for name in self.foreign]


@dataclass
class PageResult:
    """What one page gives: project mentions, partnership statements, and why blocks fed nothing."""

    mentions: list[Mention] = field(default_factory=list)
    partnerships: list[PartnershipMention] = field(default_factory=list)
    no_record_reason: str | None = None  # for a page with no project: what kind of page it is
    context: "PageContext | None" = None  # the page facts the rules used (names given in structure, owner)
    candidates: list[dict] = field(default_factory=list)  # pairs the model scored, with their evidence


# ---------------------------------------------------------------- footers

def parse_footer(block: Block) -> Footer:
    """Split a footer block's glued values into fields (its lists are shared: do not mutate them)."""
    return replace(_footer_values(block.text), source=block.source)


@lru_cache(maxsize=8192)
def _footer_values(text: str) -> Footer:
    gaz = load_gazetteer()
    footer = Footer()
    lines = text.split("\n")
    for label, value in zip(lines[::2], lines[1::2]):
        fld = footer_field(label)
        value = value.strip()
        if fld == "project_areas":
            for piece in split_glued_labels(value, gaz.area_labels):
                footer.project_areas.append(area_label(piece) or piece)
        elif fld == "themes":
            footer.themes.extend(split_glued_labels(value, gaz.theme_labels))
        elif fld == "sdgs":
            footer.sdgs.extend(values.parse_sdg_footer(value))
        elif fld == "swedish_partners":
            footer.swedish.extend(m.partner for m in split_glued_swedish(value) if m.partner is not None)
        elif fld == "international_partners":
            footer.international.extend(tidy_foreign(value[s:e]) for s, e in split_glued_names(value))
        elif fld == "tags":
            footer.tags.extend(split_tags(value))
    return footer


def split_tags(value: str) -> list[str]:
    """The labels of an 'Etiketter' value: split on commas, lower-case (the GUIDE's tags)."""
    return [t.strip().lower() for t in value.split(",") if t.strip()]


# ---------------------------------------------------------------- headings

def split_since(heading: str) -> tuple[str, int | None]:
    """'Tlokwe City Council, Sydafrika (2006 - )' -> ('Tlokwe City Council, Sydafrika', 2006)."""
    t = heading.strip()
    m = SINCE_HEADING.search(t)
    return (t[:m.start()].strip(), int(m.group("since"))) if m else (t, None)


SEGMENT_HEAD = re.compile(r"^[\s,()]*(?:(?:and|och|&)\s+)?")  # what a heading segment's parties follow
SEGMENT_TAIL = re.compile(r"(?:\s+(?:in|i))?[\s,(]*$")


@lru_cache(maxsize=16384)
def parse_party_heading(text: str) -> PartyHeading | None:
    """Parse a heading made only of party names: 'Växjö and JB Marks, South Africa', 'Falun och Kolomyia',
    'Halmstad – Visoko Municipality, Bosnia and Herzegovina and Elbasan Municipality, Albania'.

    Returns None unless at least one Swedish body and one partner abroad are
    named and every part of the heading is one or the other, or a country that
    closes the partners before it.
    """
    t, since = split_since(text)
    segments: list[tuple[str, str | None]] = []
    pos = 0
    for cs, ce, found_iso, demonym in find_countries(t):
        if demonym:
            return None  # "svenska & ukrainska kommuner": a description, not parties
        segments.append((t[pos:cs], found_iso))
        pos = ce
    segments.append((t[pos:], None))
    swedish: list[Partner] = []
    foreign: list[str] = []
    countries: dict[str, str] = {}
    for segment, iso in segments:
        segment = SEGMENT_HEAD.sub("", segment)
        segment = SEGMENT_TAIL.sub("", segment)
        if not segment.strip(" ()"):
            continue
        parts = [p for p in SEPARATORS.split(segment) if p and p.strip()]
        if len(parts) == 1 and "-" in parts[0] and len(segments) == 1:
            parts = parts[0].split("-")  # "Borlänge-Kumasi"
        named = _classify_parts(parts, swedish)
        if named is None:
            return None
        foreign.extend(named)
        if iso:
            countries.update((name, iso) for name in named)
    if not swedish or not foreign:
        return None
    distinct = set(countries.values())
    return PartyHeading(swedish, foreign, next(iter(distinct)) if len(distinct) == 1 else None, since, countries)


def _classify_parts(parts: list[str], swedish: list[Partner]) -> list[str] | None:
    """Swedish bodies of parts go to `swedish`; the partner names abroad are returned; None if a
    part is neither."""
    foreign = []
    for part in parts:
        part = part.strip()
        found = [x for x in find_swedish_bodies(part) if x.partner is not None]
        rest = part
        if found and found[0].start == 0:
            # "Nybro kommun Rubaga Division": a party list whose dash is missing
            swedish.append(cast(Partner, found[0].partner))  # found keeps only bodies with a partner
            rest = part[found[0].end:].strip()
            if not rest:
                continue
        # a rest that is the whole part names a Swedish body exactly when `found` is not empty
        if looks_like_name(rest) and not country_code(rest) and not organisation_kind(rest) \
                and not (found if rest is part else any(x.partner for x in find_swedish_bodies(rest))):
            foreign.append(tidy_foreign(rest))
        else:
            return None
    return foreign


PARTNER_INTRO = re.compile(r"^(?:(?:vårt\s+|ett\s+)?(?:kommunalt\s+|kommunala\s+)?(?:partnerskap(?:et)?|samarbete(?:t)?)\s+med|"
                           r"(?:our\s+|a\s+|the\s+)?(?:municipal\s+)?(?:partnership|cooperation|collaboration)\s+with|"
                           r"[^:]{0,30}(?:partnerskap|samarbete|partnership|cooperation|collaboration)[^:]{0,20}:)\s+",
                           re.IGNORECASE)


@lru_cache(maxsize=16384)
def parse_partner_section(text: str) -> PartyHeading | None:
    """A section heading naming one partner abroad: 'Tlokwe City Council, Sydafrika (2006 - )',
    'Kommunalt partnerskap med Rundu, Namibia', 'Partnership with Kragujevac'."""
    t, since = split_since(text)
    intro = PARTNER_INTRO.match(t)
    if intro:
        t = t[intro.end():].strip()
    name, comma, country_text = t.rpartition(",")
    iso = country_code(country_text.strip()) if comma else None
    if not comma or not iso:
        if not intro:
            return None
        name, iso = t, None  # "Partnership with Kisumu": the intro alone marks a partner
    name = name.strip()
    if not looks_like_name(name) or country_code(name):
        return None
    if any(x.partner for x in find_swedish_bodies(name)) or organisation_kind(name):
        return None
    return PartyHeading([], [tidy_foreign(name)], iso, since)


# ---------------------------------------------------------------- page context

@dataclass
class PageContext:
    page: Page
    blocks: list[Block]
    language: str
    owner: Partner | None
    known: dict[str, str]          # partner_key -> fullest name the page gives in structure
    partner_country: dict[str, str]  # partner_key -> ISO country the page ties to it
    regions: list[tuple[int, Partner]]  # (offset, region) in page order, for a bare "Landstinget"
    filter_country: str | None = None    # a listing page's "Samarbetsland: X"
    page_partner: str | None = None      # the page's one partner abroad, when it names only one
    listed: dict[str, str] = field(default_factory=dict)  # partner_key -> name, from footers only


def page_context(page: Page, blocks: list[Block]) -> PageContext:
    """Facts about the whole page that its items need: language, owner, names given in structure."""
    langs: Counter[str] = Counter()
    swedish: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    regions: list[tuple[int, Partner]] = []
    by_name: dict[str, Partner] = {}
    known: dict[str, str] = {}
    listed: dict[str, str] = {}
    partner_country: dict[str, str] = {}
    for b in blocks:
        if b.kind in ("prose", "bullet") and b.language:
            langs[b.language] += len(b.text)
        if b.kind in ("prose", "bullet", "heading", "title"):
            for partner, start, _end, _surface in swedish_bodies(b.text):
                swedish[partner.name] += 1
                first_seen.setdefault(partner.name, b.start + start)
                by_name[partner.name] = partner
                if partner.kind == "region":
                    regions.append((b.start + start, partner))
        if b.kind == "footer":
            for name in parse_footer(b).international:
                _remember(known, name)
                _remember(listed, name)
        if b.kind == "heading":
            ph = parse_party_heading(b.text) or parse_partner_section(b.text)
            if ph:
                for name in ph.foreign:
                    _remember(known, name)
                    if ph.country:
                        partner_country.setdefault(partner_key(name), ph.country)
    owner = None
    filt = page.metadata.get("listing_filter", "")
    if filt:
        found = [m.partner for m in find_swedish_bodies(filt) if m.partner]
        owner = found[0] if found else None
    if owner is None and swedish:
        best = max(swedish.items(), key=lambda kv: (kv[1], -first_seen[kv[0]]))
        owner = by_name[best[0]]
    language = langs.most_common(1)[0][0] if langs else "sv"
    filter_countries = {c[2] for c in find_countries(filt)} if filt else set()
    return PageContext(page, blocks, language, owner, known, partner_country, regions,
                       filter_country=next(iter(filter_countries)) if len(filter_countries) == 1 else None,
                       listed=listed)


def _remember(known: dict[str, str], name: str) -> None:
    key = partner_key(name)
    known[key] = fuller(known[key], name) if key in known else name


# ---------------------------------------------------------------- mentions

def new_mention(ctx: PageContext, blocks: list[Block], footer: Footer | None, kind: str = "project",
                via: str = "") -> Mention:
    """A mention over some blocks: typed values from their text, footer labels, languages, sources."""
    m = Mention(file=ctx.page.file, kind=kind, via=via)
    body = [b for b in blocks if b.kind in ("prose", "bullet")]
    text_blocks = [b for b in blocks if b.kind in ("prose", "bullet", "heading", "title")]
    for b in blocks:
        if b.kind != "chrome":
            m.sources.append(b.source)
    if footer and footer.source and footer.source not in m.sources:
        m.sources.append(footer.source)
    titles = [b for b in blocks if b.kind == "title"]  # a teaser's body may run on in its title line
    m.languages = unique(b.language for b in (body or titles) if b.language) or [ctx.language]
    m.summary = "\n\n".join(b.text for b in body)
    m.project_areas.extend(inline_areas(text_blocks))
    fill_values(m, [b for b in body], ctx)
    if footer:
        m.project_areas.extend(footer.project_areas)
        m.sdgs.extend(footer.sdgs)
        m.themes.extend(footer.themes)
        m.tags.extend(footer.tags)
    m.project_areas = unique(m.project_areas)
    m.themes = unique(m.themes)
    m.tags = unique(m.tags)
    m.sdgs = sorted(set(m.sdgs))
    return m


FREQUENCY_BEFORE = re.compile(r"\b(?:twice|once|times|gånger|en\s+gång|två\s+gånger|per|each|every|varje)\s+$",
                              re.IGNORECASE)  # "meet twice a year" is no duration
PROJECT_AFTER = re.compile(r"\s*(?:\w*projekt(?:et)?|project)\b", re.IGNORECASE)  # "treåriga projektet"


def inline_areas(blocks: list[Block]) -> list[str]:
    """Programme areas of 'Samarbetsområde: X' / 'Area of cooperation: X' lines (X as written when it
    is no known label), and known labels an area label introduces inside prose ('… beviljas 850 000
    kronor. Samarbetsområde: Stadsplanering.', 'ingår i programområdet Environment/Climate change')."""
    return [a for b in blocks for a in text_areas(b.text)]


def text_areas(text: str) -> list[str]:
    """inline_areas of one text."""
    out = []
    for line in text.split("\n"):
        got = inline_field(line)
        if got and got[0] == "project_areas" and not _AREA_IN_PROSE_KEY.search(got[1]):
            out.append(area_label(got[1]) or got[1].strip())
        elif values._may_contain(line, _AREA_NOUN_FRAGMENTS):
            out.extend(area_label(m.group("v")) or m.group("v") for m in _area_in_prose().finditer(line))
    return out


# every area label of layout.json's inline project_areas holds one of these (the prose search's gate)
_AREA_NOUN_FRAGMENTS = ("områd", "area")
_AREA_IN_PROSE_KEY = re.compile(r"[.;]\s")  # a label line whose value runs on into prose: search it as prose


@lru_cache(maxsize=1)
def _area_in_prose() -> re.Pattern:
    """An inline area label (Swedish definite form allowed: 'samarbetsområdet') followed by a known
    area label or variant: the programme's own vocabulary, so a topic word after 'område' is no area."""
    nouns = [lab for lab, fld in load_layout().inline_labels.items() if fld == "project_areas"]
    gaz = load_gazetteer()
    forms = sorted({f for a in gaz.areas for f in (a.label, *a.variants)}, key=len, reverse=True)
    noun_rx = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(nouns, key=len, reverse=True))
    form_rx = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms)
    return re.compile(rf"(?<!\w)(?:{noun_rx})(?:et|t|en|n)?\s*:?\s+(?P<v>{form_rx})(?!\w)", re.IGNORECASE)


def fill_values(m: Mention, body: list[Block], ctx: PageContext) -> None:
    """Dates, duration, amount and SDG statements from the body text of a mention."""
    amounts: list[int] = []
    for b in body:  # a stated period anywhere in the text comes before a single year ('Under 2022 …')
        if m.start_date is None:
            for f in values.find_date_ranges(b.text, b.language):
                if not f.context and not partnership_period(b.text, f.start):
                    m.start_date, m.end_date = f.value
                    break
    for b in body:
        text = b.text
        if m.start_date is None:
            within = stated_within(text)
            if within:
                m.start_date = m.end_date = within
            else:
                m.start_date = stated_start(text)
                if m.start_date and m.end_date is None:
                    m.end_date = stated_end(text)
        if m.duration_years is None:  # first stated duration that is not an ambition or a range
            for f in values.find_durations(text):
                if f.value and f.kind != "ambition" and not f.range_part \
                        and not FREQUENCY_BEFORE.search(text[max(0, f.start - 20):f.start]) \
                        and not (m.kind == "prestudy" and PROJECT_AFTER.match(text, f.end)):
                    m.duration_years = f.value
                    break
        amounts.extend(f.value for f in values.find_amounts(text) if _project_amount(f))
        m.sdgs.extend(f.value for f in values.find_sdgs(text))
    if amounts:
        m.amount_sek = max(amounts)


PROJECT_NOUN = re.compile(r"projekt|project|förstudie|pre-?study|inception", re.IGNORECASE)


# a sentence whose subject is "the project" itself: what it states about dates and length belongs to the
# item's one project, wherever in the item it stands ("Projektet pågår 2022-2024", "Projektet är treårigt")
PROJECT_SUBJECT = re.compile(r"(?:själva\s+)?(?:projektet|förstudien|inceptionsfasen|detta\s+projekt|"
                             r"the\s+project|this\s+project|the\s+pre-?study|the\s+inception\s+phase)\b",
                             re.IGNORECASE)
PROJECT_REFERENCE = re.compile(r"\b(?:the|this)\s+(?:[\w-]+\s+){0,2}(?:project|pre-?study|inception\s+phase)\b|"
                               r"\b\w*projektet\b|\bförstudien\b|\bdetta\s+projekt\b", re.IGNORECASE)
SENTENCE_START = re.compile(r"(?:^|(?<=[.!?])\s+|\n)(?=\S)")


def project_sentences(text: str) -> list[str]:
    """The sentences of a text whose subject is the project itself."""
    starts = [m.end() for m in SENTENCE_START.finditer(text)]
    out = []
    for i, a in enumerate(starts):
        b = starts[i + 1] if i + 1 < len(starts) else len(text)
        if PROJECT_SUBJECT.match(text, a) or PROJECT_REFERENCE.search(text, a, b):
            out.append(text[a:b].strip())
    return out


def item_stretch(blocks: list[Block], body: list[Block]) -> list[Block]:
    """The blocks of the body's item from its first block on, up to a heading that starts another
    topic (a heading that is itself a sentence about the project stays in: 'Projektet pågår 2022-2024')."""
    if not body:
        return []
    first = body[0]
    out = []
    for b in blocks:
        if b.start < first.start or b.item != first.item:
            continue
        if b.kind == "heading" and b.start > first.start and b.section != first.section \
                and not project_sentences(b.text) and not any(x is b for x in body):
            break
        if b.kind in ("prose", "bullet", "heading"):
            out.append(b)
    return out


def fill_from_project_sentences(m: Mention, blocks: list[Block], ctx: PageContext) -> None:
    """Missing dates and duration of a mention from its item's sentences about "the project"."""
    if m.start_date is not None and m.duration_years is not None:
        return
    said = [replace(b, text=sent, kind="prose") for b in blocks for sent in project_sentences(b.text)]
    if not said:
        return
    found = Mention(file=m.file, kind=m.kind)
    fill_values(found, said, ctx)
    if m.start_date is None and found.start_date is not None:
        m.start_date, m.end_date = found.start_date, found.end_date
    if m.duration_years is None:
        m.duration_years = found.duration_years
PARTNERSHIP_NOUN = re.compile(r"\b(?:partnerskap\w*|partnership\w*|vänort\w*|twin\w*)\b", re.IGNORECASE)


def partnership_period(text: str, pos: int) -> bool:
    """A period in a sentence about the partnership, not a project ('Mellan 2011 och 2016 hade
    kommunen ett partnerskap med …')."""
    start = max(text.rfind(". ", 0, pos), text.rfind("\n", 0, pos)) + 1
    end = min((i for i in (text.find(". ", pos), text.find("\n", pos)) if i >= 0), default=len(text))
    sentence = text[start:end]
    return bool(PARTNERSHIP_NOUN.search(sentence)) and not PROJECT_NOUN.search(sentence)


def set_partners(m: Mention, swedish: Sequence[Partner], foreign: Sequence[ForeignName | str],
                 country: str | None, ctx: PageContext) -> None:
    """Set a mention's parties; countries from the heading, the text, or the page."""
    m.swedish_partners = unique_partners(swedish)
    for f in foreign:
        name = f.name if isinstance(f, ForeignName) else f
        key = partner_key(name)
        name = known_form(ctx, name)
        if name not in m.international_partners:
            m.international_partners.append(name)
        iso = (f.country if isinstance(f, ForeignName) else None) or country or ctx.partner_country.get(key)
        if iso:
            m.partner_countries.setdefault(name, iso)
    if country:
        m.countries.append(country)
    m.countries = unique(m.countries + list(m.partner_countries.values()))


def known_form(ctx: PageContext, name: str) -> str:
    """The page's structured form of a partner: same key, or the one known name the short form begins."""
    key = partner_key(name)
    if key in ctx.listed:
        return fuller(ctx.listed[key], name)
    words = key.split()
    n = len(words)
    for at in (slice(0, n), slice(-n, None)):  # a footer's fuller form: the one it begins, else ends
        longer = [k for k in ctx.listed if len(k.split()) > n and k.split()[at] == words]
        if len(longer) == 1:
            return ctx.listed[longer[0]]
    return fuller(ctx.known[key], name) if key in ctx.known else name


def resolve_bare_landsting(text: str, offset: int, ctx: PageContext) -> list[Partner]:
    """A bare 'Landstinget'/'Landstingets' means the county council the page named last before it."""
    out = []
    for m in LANDSTING_BARE.finditer(text):
        prior = [p for off, p in ctx.regions if off < offset + m.start()]
        if prior:
            out.append(prior[-1])
    return out


def propose(page: Page, blocks: list[Block]) -> PageResult:
    """All project mentions and partnership statements of one page (see module docstring)."""
    ctx = page_context(page, blocks)
    result = PageResult()
    structural = set(ctx.known)
    partnership_statements(ctx, blocks, result)
    keys = {partner_key(s.international_partner) for s in result.partnerships} | structural
    if len(keys) == 1:
        key = next(iter(keys))
        ctx.page_partner = ctx.known.get(key) or next(
            s.international_partner for s in result.partnerships if partner_key(s.international_partner) == key)
    items: dict[int, list[Block]] = {}
    for b in blocks:
        items.setdefault(b.item, []).append(b)
    for item_blocks in items.values():
        extract_item(ctx, item_blocks, result)
    name_repeats(page, result.mentions)
    if not result.mentions:
        result.no_record_reason = no_record_reason(page.text)
    result.context = ctx
    return result


def _parties(m: Mention) -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(p.name for p in m.swedish_partners), frozenset(map(partner_key, m.international_partners))


def _years_agree(a: Mention, b: Mention) -> bool:
    """No stated start or end year of a contradicts b's."""
    return all(not x or not y or x[:4] == y[:4] for x, y in ((a.start_date, b.start_date), (a.end_date, b.end_date)))


def name_repeats(page: Page, mentions: list[Mention]) -> None:
    """An untitled project mention that repeats a titled project of the same page takes its title, in place,
    so that dedupe's same-title rule merges them: a news teaser or fact line under the article ('X: A och B
    får 1,2 miljoner', 'A beviljas 1 875 000 kronor för projekt med B').

    It repeats it when the partners abroad are the same, its Swedish partners are among the titled one's,
    no year contradicts, and its text writes that title or it states the same granted amount. One page
    seldom funds two projects of one pair with the same sum; mentions that only share partners stay
    apart (the GUIDE's near-misses), and so does a mention that could repeat two different titles."""
    titled = [(t, *_parties(t)) for t in mentions if t.title]
    if not titled:
        return
    for m in mentions:
        if m.title or m.kind != "project" or not m.international_partners:
            continue
        sw, intl = _parties(m)
        text = " ".join(" ".join(page.text[s.start:s.end].split()) for s in m.sources if s.file == page.file).casefold()
        names = set()
        for t, tsw, tintl in titled:
            if tintl != intl or not sw <= tsw or not _years_agree(m, t):
                continue
            if (m.amount_sek and m.amount_sek == t.amount_sek) or " ".join((t.title or "").casefold().split()) in text:
                names.add(t.title)
        if len(names) == 1:
            m.title = names.pop()


def extract_item(ctx: PageContext, blocks: list[Block], result: PageResult) -> None:
    """The mentions of one item (a card, a news article, or a page's run of sections)."""
    footer_block = next((b for b in blocks if b.kind == "footer"), None)
    footer = parse_footer(footer_block) if footer_block else None
    content = [b for b in blocks if b.kind not in ("chrome", "footer")]
    if not content:
        return
    lead = lead_country(content) or ctx.filter_country
    first = content[0]
    heading = parse_party_heading(first.text) if first.kind == "heading" else None
    if heading is None and first.kind == "title" and footer and footer.swedish and footer.international:
        heading = PartyHeading(footer.swedish, footer.international, None, None)  # a card led by its title
    state = ItemState()
    found = state.found
    cards = _card_runs(content) if heading and first.kind == "heading" else []
    if len(cards) > 1:
        # cards with no footer between them ('Borlänge and Lodwar, Kenya' … 'Borlänge and Chisinau, Moldova'):
        # each parties heading leads a card of its own; the footer's labels go to all, its parties to none
        shared = replace(footer, swedish=[], international=[]) if footer else None
        for run, ph in cards:
            found.append(card_mention(ctx, run, shared, ph))
    elif heading:
        found.append(card_mention(ctx, content, footer, heading))
    else:
        sections: dict[int, list[Block]] = {}
        for b in content:
            sections.setdefault(b.section, []).append(b)
        state.first_heading = next((b for b in content if b.kind == "heading"), None)
        for sec in sections.values():
            section_mentions(ctx, sec, footer, state)
        if not found and footer and footer.swedish and len(footer.international) == 1 \
                and any(triggers()["project_words"].search(b.text) for b in content if b.kind == "prose"):
            phases, content = phase_mentions(ctx, content, footer)
            m = new_mention(ctx, content, footer, via="article")  # a news item about one cooperation
            set_partners(m, footer.swedish, footer.international, None, ctx)
            m.title = find_title(content)
            found.append(m)
            found.extend(phases)
        else:
            found.extend(state.chain)
    for m in found:
        m.context_country = lead
    if not (footer and footer.tags):
        add_inline_tags(found, content)
    result.mentions.extend(found)


def _card_runs(content: list[Block]) -> list[tuple[list[Block], PartyHeading]]:
    """An item's blocks cut before each heading that names the parties (the first block is one), with
    each run's parties heading."""
    runs: list[tuple[list[Block], PartyHeading]] = []
    for b in content:
        ph = parse_party_heading(b.text) if b.kind == "heading" else None
        if ph is not None:
            runs.append(([b], ph))
        elif runs:
            runs[-1][0].append(b)
    return runs


def add_inline_tags(found: list[Mention], content: list[Block]) -> None:
    """A one-line 'Etiketter: a, b, c' (a blog's tag line) is a tags footer: its labels, lower-cased,
    go to every mention whose text starts above it (a footer belongs to the text above it)."""
    for b in content:
        if b.kind != "prose" or ":" not in b.text:
            continue
        pos = 0
        for line in b.text.split("\n"):
            got = inline_field(line)
            if got and got[0] == "tags":
                tags = split_tags(got[1])
                for m in found:
                    if m.sources and min(src.start for src in m.sources) < b.start + pos:
                        m.tags = unique(m.tags + tags)
                return
            pos += len(line) + 1


OTHER_PROJECT = re.compile(r"\b(?:\w*projekt(?:et)?|project)\b", re.IGNORECASE)


def phase_mentions(ctx: PageContext, content: list[Block], footer: Footer) -> tuple[list[Mention], list[Block]]:
    """The pre-studies with a period or grant of their own that an article about one cooperation tells of
    ('Under 2022 genomförde kommunerna en förstudie, som fick 200 000 kronor', 'After a pre-study from
    February to July 2019, …'): one prestudy mention each, over the clauses that speak of it (up to the
    clause that turns to the project), and the article's blocks without those clauses."""
    out: list[Mention] = []
    rest: list[Block] = []
    for b in content:
        if b.kind != "prose" or not PRESTUDY.search(b.text):
            rest.append(b)
            continue
        cuts = []
        for s, e in sentences(b.text, b.language or ctx.language):
            sent = b.text[s:e]
            ind = indefinite_prestudy(sent)
            if ind is None:
                continue
            turn = OTHER_PROJECT.search(sent, ind.end())
            if turn:  # '…, ICLD granted SEK 2.4 million for the three-year project X': that part is the project's
                comma = sent.rfind(", ", ind.end(), turn.start())
                e = s + comma if comma >= 0 else e
                sent = b.text[s:e]
            if any(not f.context for f in values.find_date_ranges(sent)) or stated_within(sent) \
                    or any(_project_amount(f) for f in values.find_amounts(sent)):
                cuts.append((s, e))
        if not cuts:
            rest.append(b)
            continue
        at = 0
        for s, e in cuts:
            sub = Block(b.file, b.start + s, b.start + e, b.text[s:e], b.kind, b.item, b.section, b.language)
            m = new_mention(ctx, [sub], footer, kind="prestudy", via="phase")
            set_partners(m, footer.swedish, footer.international, None, ctx)
            out.append(m)
            if b.text[at:s].strip():
                rest.append(Block(b.file, b.start + at, b.start + s, b.text[at:s], b.kind, b.item, b.section,
                                  b.language))
            at = e
        if b.text[at:].strip():
            rest.append(Block(b.file, b.start + at, b.end, b.text[at:], b.kind, b.item, b.section, b.language))
    return out, rest


def lead_country(content: list[Block]) -> str | None:
    """The one country an item's headline and lead paragraph name (or refer to by demonym)."""
    lead = [b for b in content if b.kind in ("heading", "prose", "title")][:2]
    found = {c[2] for b in lead for c in find_countries(b.text)}
    return next(iter(found)) if len(found) == 1 else None


def card_mention(ctx: PageContext, content: list[Block], footer: Footer | None, heading: PartyHeading) -> Mention:
    """A listing card: the heading (or the footer) names the parties, the whole item is the project."""
    m = new_mention(ctx, content, footer, via="card")
    m.title = find_title(content)
    swedish = footer.swedish if footer and footer.swedish else heading.swedish
    foreign = footer.international if footer and footer.international else heading.partners()
    set_partners(m, swedish, foreign, heading.country, ctx)
    return m


def find_title(blocks: list[Block]) -> str | None:
    """The project's own name: a 'Project: X' line, a labelled or quoted name in the body."""
    for b in blocks:
        if b.kind == "title":
            got = inline_field(b.text)
            if got:
                return _clean_title(got[1])
    for b in blocks:
        title = body_title(b.text) if b.kind == "prose" else None
        if title:
            return title
    for b in blocks:
        title = named_in_text(b.text) if b.kind == "prose" else None
        if title:
            return title
    return None


LABELLED_TITLE = re.compile(r"(?:the\s+name\s+of\s+the\s+project|name\s+of\s+the\s+project|project\s+name|"
                            r"projektets\s+namn|projektnamn|projektet\s+heter)\s*(?::|is)\s*(?P<t>[^.\n]{3,160})",
                            re.IGNORECASE)
LABEL_WORDS = ("name", "namn", "heter")  # one is in every LABELLED_TITLE match
QUOTE_OPENERS = "“”\"«„"  # every QUOTED_TITLE match opens its name with one of these
RUN_ON = re.compile(r"(?<=[a-zåäöéü])(?=[A-ZÅÄÖÉÜ][a-zåäöéü]+\s+\S+\s+\S+)")


@lru_cache(maxsize=8192)
def body_title(text: str) -> str | None:
    """A project name the body gives: 'The name of the project: X', a quoted name introduced as it, or
    a paragraph that opens with a name and its period ('E-tjänster för bygglov (2017–2019). Projektet …')."""
    # each search only runs when the text holds what every match of its regex needs
    m = LABELLED_TITLE.search(text) if values._may_contain(text, LABEL_WORDS) else None
    if m:
        return _clean_title(m.group("t"))
    lead = LEAD_TITLE.search(text.strip()) if "(" in text else None
    if lead and is_title_line(lead.group("t")) and not DESCRIPTIVE_HEADING.search(lead.group("t")):
        return _clean_title(lead.group("t"))
    return quoted_title(text) if any(q in text for q in QUOTE_OPENERS) else None


_CAP = r"[A-ZÅÄÖÉÜ][\w'’-]*"
_LINK = r"(?:in|of|the|for|and|to|on|with|from|at|i|för|och|med|på|av|till|om|–|—|-)"
_NAME = rf"{_CAP}(?:\s+(?:{_LINK}\s+)*{_CAP})+"  # two or more capitalised words, small words between
NAMED_IN_TEXT = re.compile(  # what introduces a name, where the text has no label or quotes for it
    rf"\b(?:[Pp]rojekt(?:et)?|[Pp]roject)\s*,\s*(?P<a>{_NAME})\s*,"  # 'Projektet, Joint Flood Preparedness, startar'
    rf"|\b(?:[Pp]rojektet|[Tt]he\s+(?:[\w-]+\s+)?project)\s+(?P<b>{_NAME})"  # 'the three-year project Inclusive X'
    rf"|\b[Tt]he\s+(?P<c>{_NAME})\s+project\b")  # 'the Inclusive Market Planning project'


_NAMED_IN_TEXT_NEEDLES = needles(NAMED_IN_TEXT)


def named_in_text(text: str) -> str | None:
    """A project name the running text gives without label or quotes: an apposition to 'projektet', or
    a title-case name right after or before 'project' ('the three-year project Inclusive Market
    Planning', 'the Inclusive Market Planning project'). Names of Swedish bodies and countries are no
    project names ('the Växjö Kalush project' names its parties)."""
    if not may_match(_NAMED_IN_TEXT_NEEDLES, text.lower()):
        return None  # every match holds 'projekt' or 'project'
    for m in NAMED_IN_TEXT.finditer(text):
        name = m.group("a") or m.group("b") or m.group("c")
        if find_swedish_bodies(name) or find_countries(name) or find_pairs(name, "en"):
            continue
        return _clean_title(name)
    return None


def _clean_title(title: str) -> str:
    """Whitespace and quotes tidied; a listing teaser's title cut where the body runs into it."""
    title = " ".join(title.split()).strip(" “”\"'")
    cut = RUN_ON.search(title)
    if cut and len(title) - cut.start() > 30:
        title = title[:cut.start()]
    return title


@dataclass
class ItemState:
    """Mentions found so far in one item: structured ones (sub-headed pairs, bullets, list entries,
    grant sentences), project paragraphs, and the last mention a following paragraph may continue."""

    found: list[Mention] = field(default_factory=list)
    chain: list[Mention] = field(default_factory=list)
    last: Mention | None = None
    fresh: bool = False  # `last` is a title line still waiting for its text
    partner_sec: PartyHeading | None = None  # the partner section the item's text is in
    first_heading: Block | None = None  # the page's or article's own heading, never a project's name


def section_mentions(ctx: PageContext, sec: list[Block], footer: Footer | None, state: ItemState) -> None:
    """Mentions of one heading-led section of a non-card item (see ItemState)."""
    found = state.found
    head = sec[0] if sec[0].kind == "heading" else None
    if head and triggers()["twin_town"].search(head.text):
        state.partner_sec = None
        return
    if head:
        ph = parse_party_heading(head.text)
        if ph:
            party_section_mention(ctx, sec, footer, ph, state)
            return
    if head:
        state.last, state.fresh = None, False  # a new heading starts a new topic
    partner_sec = section_partner(ctx, head, sec) if head else None
    if partner_sec:
        state.partner_sec = partner_sec
    partner_sec = partner_sec or state.partner_sec  # sub-sections under a partner's section are its
    body = [b for b in sec if b.kind in ("prose", "bullet", "title")]
    if head and body and body[0].kind == "prose" and head is not state.first_heading \
            and not parse_partner_section(head.text) and names_a_project(head, body[0]) \
            and _descriptor(body[0].text) and not triggers()["twin_town"].search(body[0].text):
        found.append(titled_section_mention(ctx, head, sec, footer, partner_sec))
        return
    context = " ".join(b.text for b in sec[:2])
    listed = bool(triggers()["project_words"].search(context) or triggers()["grant"].search(context))
    before = len(state.chain)
    for b in body:
        if b.kind == "bullet":
            m = bullet_mention(ctx, b, footer, listed, partner_sec)
            if m:
                found.append(m)
            state.last = m  # the paragraph under a project's bullet says more of it
        elif b.kind == "title":
            title_mention(ctx, b, footer, partner_sec, state)
        elif b.kind == "prose":
            teaser = search_teaser(ctx, b, footer) if "\n" in b.text else None
            if teaser is not None:
                found.extend(teaser)
                state.last, state.fresh = None, False  # the next block is another result
                continue
            entries = list_entry_mentions(ctx, b, footer)
            structured = entries or grant_mentions(ctx, b, footer)
            if structured:
                found.extend(structured)
                state.last = structured[0] if len(structured) == 1 else None
                if not entries and len(structured) == 1:
                    absorb_paragraph(ctx, structured[0], b)  # the other sentences speak of the same project
            else:
                paragraph_mention(ctx, b, footer, partner_sec, state)
    new = state.chain[before:]
    if head and len(new) == 1 and not new[0].title and head is not state.first_heading \
            and not parse_partner_section(head.text) and heading_is_title(head.text):
        # a sub-heading over one project's text is that project's name ('Öppna data för Francistown')
        title, period = split_heading_period(head.text)
        new[0].title = title
        if period and not new[0].start_date:
            new[0].start_date, new[0].end_date = period


def party_section_mention(ctx: PageContext, sec: list[Block], footer: Footer | None, ph: PartyHeading,
                          state: ItemState) -> None:
    """A section led by a parties heading ('Falun och Kolomyia'): one project."""
    body = [b for b in sec if b.kind in ("prose", "bullet", "title")]
    if not body:
        return  # a parties line with nothing under it: cut off, or a mere list of partners
    keys = {partner_key(n) for n in ph.foreign}
    for run in titled_runs(sec):
        m = new_mention(ctx, run, footer, via="party_heading")
        m.title = find_title(run)
        swedish = list(ph.swedish)
        foreign: list[ForeignName | str] = list(ph.partners())
        for b in (b for b in run if b.kind in ("prose", "bullet", "title")):
            lang = b.language or ctx.language
            for s, e, groups in sentence_pairs(b.text, lang, ctx.known):
                takes_part = PARTICIPATES.search(b.text[s:e])
                for g in groups:  # "Karlstads kommun samt Region Värmland i samarbete med Kericho County"
                    if any(partner_key(f.name) in keys for f in g.foreign):
                        swedish.extend(x.partner for x in g.swedish)
                    elif takes_part and g.swedish and any(x.partner in ph.swedish for x in g.swedish):
                        # '… beviljades Gävle …, där även grannkommunen Opština Vukosavlje deltar'
                        foreign.extend(f for f in g.foreign if f.solid)
            swedish.extend(participants(ctx, b))  # 'där även dåvarande Landstinget X deltog'
        set_partners(m, swedish, foreign, ph.country, ctx)
        state.found.append(m)
        state.last = m


def titled_runs(sec: list[Block]) -> list[list[Block]]:
    """A section's blocks cut before each paragraph that names a project of its own, when two or more
    paragraphs name different projects ('Under 2014–2016 drevs projektet ”X” …' / 'Nu pågår projektet
    ”Y” (2023–2025) …'); else the section whole. The heading stays with the first run."""
    runs: list[list[Block]] = [[]]
    seen: set[str] = set()
    for b in sec:
        title = body_title(b.text) if b.kind == "prose" else None
        if title and seen and norm_key(title) not in seen and runs[-1]:
            runs.append([])
        if title:
            seen.add(norm_key(title))
        runs[-1].append(b)
    return runs


STATUS_LABEL = re.compile(r"^(?:completed|ongoing|current|finished|new|avslutat|avslutade|pågående|nytt|aktuellt|"
                          r"genomfört|planerat)(?:\s+(?:projekt|project))?\s*:\s*", re.IGNORECASE)
DESCRIPTIVE_HEADING = re.compile(r"\b(?:\w*projekt(?:et|en)?|projects?|partnerskap\w*|partnerships?|samarbete\w*|"
                                 r"cooperation|collaboration|förstudie\w*|kontakt\w*|contact|nyheter|news|"
                                 r"vänort\w*|internationell\w*|international|"
                                 # a phase of the work ('Inledande fas', 'Inception phase'), not its name
                                 r"fas|fasen|faser|phases?|inception|etapp\w*|stages?)\b", re.IGNORECASE)
# 'Projektet Gröna skolgårdar': the noun that introduces a name in a heading, not part of the name
NAMED_PROJECT_HEAD = re.compile(r"^(?:[Pp]rojektet|[Tt]he\s+project|[Pp]roject|[Ff]örstudien|[Tt]he\s+pre-?study)\s+"
                                r"(?=[A-ZÅÄÖÉÜ“\"«])")
HEADING_PERIOD = re.compile(r"\s*(?:,\s*|\(\s*)(?P<a>(?:19|20)\d\d)\s*[-–—]\s*(?P<b>(?:19|20)\d\d)\s*\)?\s*$")


def heading_is_title(text: str) -> bool:
    """A sub-heading that can be a project's name: short, not a sentence, not a generic label."""
    title, _ = split_heading_period(text)
    return is_title_line(title) and len(title.split()) >= 2 and not DESCRIPTIVE_HEADING.search(title)


def split_heading_period(text: str) -> tuple[str, tuple[str, str] | None]:
    """'Completed: Hälsa i skolan, 2014–2016' -> ('Hälsa i skolan', ('2014', '2016'))."""
    text = NAMED_PROJECT_HEAD.sub("", STATUS_LABEL.sub("", text.strip()))
    m = HEADING_PERIOD.search(text)
    if m:
        return _clean_title(text[:m.start()]), (m.group("a"), m.group("b"))
    return _clean_title(text), None


def section_partner(ctx: PageContext, head: Block, sec: list[Block]) -> PartyHeading | None:
    """The partner a section heading names: 'Tlokwe City Council, Sydafrika (2006 - )', or a bare
    name ('Arusha') that the section's first paragraph pairs with a Swedish body."""
    ph = parse_partner_section(head.text)
    if ph or not looks_like_name(head.text.strip(), max_words=4) or country_code(head.text.strip()):
        return ph
    key = partner_key(head.text)
    first = next((b for b in sec if b.kind == "prose"), None)
    if first is None:
        return None
    for g in find_pairs(first.text, first.language or ctx.language, ctx.known):
        for f in g.foreign:
            if g.swedish and key in partner_key(f.name).split() + [partner_key(f.name)]:
                return PartyHeading([], [f.name], f.country, None)
    return None


GUESSED = ":guessed"  # a via suffix: the mention's partner abroad is the page's one partner, not its own text's


def guessed(partner_sec: PartyHeading | None, footer: Footer | None = None) -> bool:
    """Whether context_partner falls back to the page's one partner (a guess the model may overrule:
    extract/records.py), rather than a partner section or the item's footer."""
    return partner_sec is None and not (footer and len(footer.international) == 1)


def context_partner(ctx: PageContext, partner_sec: PartyHeading | None, at: int,
                    footer: Footer | None = None) -> ForeignName | None:
    """The partner abroad a text without one of its own is about: its section's partner, else (when
    given) its item footer's single partner, else the page's one partner."""
    name = (partner_sec.foreign[0] if partner_sec else None) or (
        footer.international[0] if footer and len(footer.international) == 1 else None) or ctx.page_partner
    return ForeignName(name, at, at, partner_sec.country if partner_sec else None) if name else None


def title_mention(ctx: PageContext, b: Block, footer: Footer | None, partner_sec: PartyHeading | None,
                  state: ItemState) -> None:
    """A 'Project: X' line outside a card: a project whose text follows it."""
    got = inline_field(b.text)
    partner = context_partner(ctx, partner_sec, b.start, footer)
    if not got or not partner:
        return
    m = new_mention(ctx, [b], footer, via="title_line" + (GUESSED if guessed(partner_sec, footer) else ""))
    m.title = _clean_title(got[1])
    swedish = list(footer.swedish) if footer and footer.swedish else ([ctx.owner] if ctx.owner else [])
    set_partners(m, swedish, [partner], None, ctx)
    state.chain.append(m)
    state.last = m
    state.fresh = True


def names_a_project(head: Block, paragraph: Block) -> bool:
    """A heading reads as a project's name, not a topic ('Vatten och avfall'), when it is in
    another language than the text under it, or written in title case."""
    words = [w for w in head.text.split() if w[:1].isalpha()]
    capitalised = sum(1 for w in words if w[0].isupper())
    return (head.language is not None and paragraph.language is not None and head.language != paragraph.language) \
        or (len(words) >= 2 and capitalised * 2 >= len(words) + 1)


def _descriptor(text: str) -> bool:
    first = text.strip().split("\n")[0]
    return bool(triggers()["project_descriptor"].search(first))


def titled_section_mention(ctx: PageContext, head: Block, sec: list[Block], footer: Footer | None,
                           partner_sec: PartyHeading | None = None) -> Mention:
    """A heading that names a project described by the paragraph under it."""
    m = new_mention(ctx, sec, footer, via="titled_section")
    m.title, period = split_heading_period(head.text)
    if period and not m.start_date:
        m.start_date, m.end_date = period
    swedish: list[Partner] = []
    foreign: list[ForeignName] = []
    for b in sec:
        if b.kind != "prose":
            continue
        for g in find_pairs(b.text, b.language or ctx.language, ctx.known):
            swedish.extend(s.partner for s in g.swedish)
            foreign.extend(g.foreign)
        swedish.extend(resolve_bare_landsting(b.text, b.start, ctx))
    if ctx.owner and not any(p.kind == "municipality" for p in swedish):
        swedish.insert(0, ctx.owner)
    if not foreign:
        foreign = demonym_partners(ctx, sec)
    if not foreign:
        partner = context_partner(ctx, partner_sec, head.start)
        foreign = [partner] if partner else []
        if partner and guessed(partner_sec):
            m.via += GUESSED
    set_partners(m, swedish, foreign, None, ctx)
    return m


def demonym_partners(ctx: PageContext, blocks: list[Block]) -> list[ForeignName]:
    """'den sydafrikanska parten': the page's one partner in the country a demonym names."""
    out = []
    for b in blocks:
        for _, _, iso, demonym in find_countries(b.text):
            if not demonym:
                continue
            keys = [k for k, c in ctx.partner_country.items() if c == iso]
            if len(keys) == 1:
                out.append(ForeignName(ctx.known.get(keys[0], keys[0]), b.start, b.end, iso))
    return out


def bullet_mention(ctx: PageContext, b: Block, footer: Footer | None, listed: bool,
                   partner_sec: PartyHeading | None = None) -> Mention | None:
    """A bullet that names a titled project '(Växjö/JB Marks)', or a Swedish-foreign pair in a list
    of projects (project words in the bullet or in the lines that introduce the list)."""
    text = b.text.lstrip("•·▪◦●*-‣○–— \t")
    tb = TITLED_BULLET.match(text)
    if tb and is_title_line(tb.group("title")):
        m = new_mention(ctx, [b], footer, via="titled_bullet")
        m.languages = [ctx.language]  # a list line with no body takes its page's language
        m.title = _clean_title(tb.group("title"))
        period = tb.group("period") or tb.group("range")
        ranges = values.find_date_ranges(period, ctx.language)
        singles = values.find_single_dates(period)
        if ranges:
            m.start_date, m.end_date = ranges[0].value
        elif len(singles) == 1:  # "• Title, 2009": a list line's one date is the whole period
            m.start_date = m.end_date = str(singles[0].value)
        if tb.group("parties"):
            left, _, right = tb.group("parties").partition("/")
            swedish = [x.partner for x in find_swedish_bodies(left) if x.partner]
            m.other_participants = [p.strip() for p in re.split(r"[,;]", left) if p.strip()
                                    and not any(x.partner for x in find_swedish_bodies(p))]
            foreign: list[ForeignName | str] = [tidy_foreign(p) for p in re.split(r"\s*(?:,|&|\band\b|\boch\b)\s*", right)
                                                if p.strip()]
        else:  # "• Title, 2013–2014": the page's (or section's) own partnership
            swedish = [ctx.owner] if ctx.owner else []
            partner = context_partner(ctx, partner_sec, b.start)
            if not partner:
                return None
            foreign = [partner]
            if guessed(partner_sec):
                m.via += GUESSED
        set_partners(m, swedish, foreign, None, ctx)
        return m
    if triggers()["twin_town"].search(b.text):
        return None
    groups = [g for g in find_pairs(b.text, b.language or ctx.language, ctx.known) if g.swedish and g.foreign]
    if not groups or not (listed or triggers()["project_words"].search(b.text)):
        return None
    m = new_mention(ctx, [b], footer, via="bullet")
    m.title = body_title(b.text)
    set_partners(m, [s.partner for g in groups[:1] for s in g.swedish], [f for g in groups[:1] for f in g.foreign],
                 None, ctx)
    return m


def _may_hold_grant(text: str, lang: str) -> bool:
    """False only if no sentence of text (as sentence_pairs splits it) has a grant word or an amount:
    then no sentence can give a grant mention and the costly pair analysis is not needed. Amounts
    need a unit fragment somewhere in the text; the grant words are searched per sentence, as
    grant_mentions does, so the gate is exact."""
    if values._may_contain(text, values._UNIT_FRAGMENTS):
        return True
    grant = triggers()["grant"]
    return any(grant.search(text[s:e]) for s, e in sentences(text, lang))


def grant_mentions(ctx: PageContext, b: Block, footer: Footer | None) -> list[Mention]:
    """Sentences saying funds went to named cooperations: one mention per Swedish-foreign group."""
    lang = b.language or ctx.language
    out: list[Mention] = []
    trig = triggers()
    if not _may_hold_grant(b.text, lang):
        return out
    for s, e, groups in sentence_pairs(b.text, lang, ctx.known):
        sent = b.text[s:e]
        if trig["twin_town"].search(sent):
            continue
        if not (trig["grant"].search(sent) or any(_project_amount(f) for f in values.find_amounts(sent))):
            continue
        for g in groups:
            if not (g.swedish and g.foreign):
                continue
            sub = Block(b.file, b.start + s, b.start + e, sent, b.kind, b.item, b.section, b.language)
            m = new_mention(ctx, [sub], footer, kind=granted_kind(sent), via="grant")
            m.title = body_title(sent)
            set_partners(m, [x.partner for x in g.swedish], g.foreign, None, ctx)
            out.append(m)
    return out


def granted_kind(sent: str) -> str:
    """'prestudy' when a grant sentence funds a pre-study or inception phase ('har fått 450 000 kr för
    en förstudie'), else 'project': a later 'Förstudien …' paragraph then says more of the same one."""
    return "prestudy" if indefinite_prestudy(sent) else "project"


def indefinite_prestudy(sent: str) -> re.Match | None:
    """The sentence's first indefinite project phrase ('en förstudie', 'a pre-study') when it is a
    pre-study's or an inception phase's, else None."""
    ind = INDEFINITE_PROJECT.search(sent)
    return ind if ind and PRESTUDY.search(ind.group(0)) else None


INDEFINITE_PROJECT = re.compile(r"\b(?:ett|en|a|an|another|ytterligare\s+ett)\s+(?:\S+\s+){0,2}?"
                                r"(?:\w*projekt|project|förstudie|pre-?study|inception\s+phase)\b", re.IGNORECASE)
PRESTUDY = re.compile(r"förstudie|pre-?study|inception|förberedelse|förprojekt|preparatory|planeringsprojekt",
                      re.IGNORECASE)
DEFINITE_PROJECT = re.compile(r"\b(?:\w*projektet|förstudien|the\s+(?:\w+[- ])?(?:project|pre-?study|inception\s+phase))\b",
                              re.IGNORECASE)
PARTICIPATES = re.compile(r"\b(?:deltar|deltog|medverkar|medverkade|ingår|är\s+(?:också\s+|även\s+)?med|"
                          r"participates?|participated|takes?\s+part|took\s+part|is\s+(?:also\s+)?part|"
                          r"(?:is|är|was|var)\s+(?:also\s+|även\s+|också\s+)?(?:a\s+)?(?:partner|part)\s+(?:in|i))\b",
                          re.IGNORECASE)


def title_line(text: str) -> str | None:
    """A paragraph's first line that names the project the rest describes ('Återvinning i fokus' over
    'Förstudie, mars–november 2019. Förstudien kartlade …')."""
    first, _, rest = text.strip().partition("\n")
    if rest and is_title_line(first) and not inline_field(first) and ":" not in first \
            and "," not in first and paragraph_kind(rest) is not None and not DESCRIPTIVE_HEADING.search(first):
        return _clean_title(first)
    return None


LEAD_TITLE = re.compile(r"^(?P<t>[A-ZÅÄÖ][^.()\n:]{3,100}?)\s*\(\s*(?:19|20)\d\d\s*[-–—]\s*(?:19|20)\d\d\s*\)\s*[.:]",
                        re.MULTILINE)


def paragraph_kind(text: str, lang: str = "sv") -> tuple[str, str] | None:
    """('new' | 'continue', 'project' | 'prestudy') for a paragraph that describes a project.

    `lang` only picks which cached analysis partners.sentences reuses: the sentence bounds do not
    depend on it (punctuation, or the one installed pipeline), but the block's own language is the
    analysis partnership_statements already made.

    new: it introduces one (an indefinite 'Ett tvåårigt projekt …' opening, an application or
    pre-study, a grant with an amount, a labelled or quoted project name); continue: it says more
    of 'the project' (a definite reference with a period, duration or amount in the same sentence).
    """
    trig = triggers()
    first = text.strip().split("\n")[0]
    m = trig["project_descriptor"].search(first)
    if m:
        return "new", "prestudy" if PRESTUDY.search(m.group(0)) else "project"
    sents = sentences(text, lang)  # one list for the three sentence passes below
    for s, e in sents:
        sent = text[s:e]
        ind = INDEFINITE_PROJECT.search(sent)
        if ind and any(not f.context for f in values.find_date_ranges(sent)):
            return "new", "prestudy" if PRESTUDY.search(ind.group(0)) else "project"  # "carried out a project (2019–2021)"
        if named_in_text(sent) and any(not f.context for f in values.find_date_ranges(sent)):
            return "new", "project"  # "Vårt nuvarande projekt, Youth Voices in X, pågår från 2021 till 2023"
    m = trig["application"].search(text)
    if m:
        noun = "prestudy" if PRESTUDY.search(m.group(0)) else "project"
        definite = re.search(r"(?:et|en)$", m.group(0)) or re.search(r"\bthe\s+$", text[max(0, m.start() - 5):m.start()])
        return ("continue" if definite else "new"), noun
    if body_title(text):
        return "new", "project"
    for s, e in sents:
        sent = text[s:e]
        ref = DEFINITE_PROJECT.search(sent)
        if ref and (any(not f.context for f in values.find_date_ranges(sent)) or values.find_durations(sent)
                    or any(_project_amount(f) for f in values.find_amounts(sent)) or stated_start(sent)):
            return "continue", "prestudy" if PRESTUDY.search(ref.group(0)) else "project"
    if trig["grant"].search(text) and any(_project_amount(f) for f in values.find_amounts(text)):
        return "continue", "any"  # 'Beviljade medel: 250 000 kronor': the amount of the project at hand
    for s, e in sents:
        if PARTICIPATES.search(text[s:e]) and DEFINITE_PROJECT.search(text[s:e]):
            return "continue", "any"  # 'Region X, which is a partner in the project, …'
    return None


def paragraph_mention(ctx: PageContext, b: Block, footer: Footer | None, partner_sec: PartyHeading | None,
                      state: ItemState) -> None:
    """A prose paragraph about a project: a new mention, or more about the last one (same kind)."""
    kind = paragraph_kind(b.text, b.language or ctx.language)
    if state.fresh and state.last is not None and (kind is None or kind[0] == "continue"):
        state.fresh = False
        if b.language:
            state.last.languages = []  # a body's language, not its title line's (languages are of body texts)
        extend_mention(ctx, state.last, b)  # the text under a 'Project: X' line
        return
    state.fresh = False
    if kind is None:
        if state.last is not None and states_values_only(b.text) and not any(g.foreign for g in paragraph_pairs(ctx, b)):
            extend_mention(ctx, state.last, b)  # 'Samarbetsområde: X' or 'Projektet bidrar till mål 11' under its text
        return
    step, noun = kind
    groups = paragraph_pairs(ctx, b)
    foreign = [f for g in groups for f in g.foreign]
    keys = {partner_key(known_form(ctx, f.name)) for f in foreign}
    last = state.last
    if step == "continue" and last and noun in (last.kind, "any") and (
            not keys or keys == {partner_key(known_form(ctx, n)) for n in last.international_partners}):
        extend_mention(ctx, last, b)
        return
    if len(keys) > 1 or noun == "any":
        return  # an amount or a participant says more of a project; it does not name one
    guess = False
    if not keys:
        fallback = context_partner(ctx, partner_sec, b.start, footer)
        if not fallback:
            return
        foreign = [fallback]
        guess = guessed(partner_sec, footer)
    swedish = [x.partner for g in groups for x in g.swedish]
    swedish += participants(ctx, b)
    if footer and footer.swedish and not swedish:
        swedish = list(footer.swedish)
    if not any(p.kind == "municipality" for p in swedish) and ctx.owner:
        swedish.insert(0, ctx.owner)
    m = new_mention(ctx, [b], footer, kind=noun, via="paragraph" + (GUESSED if guess else ""))
    m.title = body_title(b.text) or title_line(b.text) or named_in_text(b.text)
    # the section's country is its partner's: a paragraph about another partner abroad (a new partnership
    # under a later heading) does not take it
    own = partner_sec is not None and {partner_key(known_form(ctx, f.name)) for f in foreign} <= {
        partner_key(known_form(ctx, n)) for n in partner_sec.foreign}
    set_partners(m, swedish, foreign, partner_sec.country if own and partner_sec else None, ctx)
    state.chain.append(m)
    state.last = m


def states_values_only(text: str) -> bool:
    """A paragraph that only gives the project at hand's programme area ('Area of Cooperation: X')
    or its goals ('Projektet bidrar till de globala målen 11 och 12', 'The project contributes to the
    Sustainable Development Goals …'): it names no project of its own, so it belongs to the last one."""
    if text_areas(text):
        return True
    return bool(DEFINITE_PROJECT.search(text)) and bool(values.find_sdgs(text))


def paragraph_pairs(ctx: PageContext, b: Block) -> list[PairGroup]:
    """The pairs of a paragraph's sentences, leaving out sentences about twin towns or cross-border ties."""
    lang = b.language or ctx.language
    out: list[PairGroup] = []
    for s, e, groups in sentence_pairs(b.text, lang, ctx.known):
        if not triggers()["twin_town"].search(b.text[s:e]):
            out.extend(groups)
    return out


def participants(ctx: PageContext, b: Block) -> list[Partner]:
    """Swedish bodies a paragraph says take part ('Region X deltar i förstudien'), and a bare 'Landstinget'."""
    out: list[Partner] = []
    lang = b.language or ctx.language
    for s, e in sentences(b.text, lang):
        sent = b.text[s:e]
        if PARTICIPATES.search(sent):
            out.extend(x.partner for x in find_swedish_bodies(sent) if x.partner)
    out.extend(resolve_bare_landsting(b.text, b.start, ctx))
    return out


def absorb_paragraph(ctx: PageContext, m: Mention, b: Block) -> None:
    """A grant sentence's mention takes the values and name its paragraph's other sentences give."""
    m.sources = [b.source if src.file == b.file and b.start <= src.start and src.end <= b.end else src
                 for src in m.sources]
    m.summary = b.text
    fill_values(m, [b], ctx)
    m.sdgs = sorted(set(m.sdgs))
    m.title = m.title or body_title(b.text)


def extend_mention(ctx: PageContext, m: Mention, b: Block) -> None:
    """Add a paragraph that says more about a mention's project."""
    m.sources.append(b.source)
    m.summary = (m.summary + "\n\n" + b.text).strip()
    if b.language and b.language not in m.languages:
        m.languages.append(b.language)
    fill_values(m, [b], ctx)
    m.sdgs = sorted(set(m.sdgs))
    m.project_areas = unique(m.project_areas + inline_areas([b]))
    m.title = m.title or body_title(b.text)
    extra = participants(ctx, b)
    m.swedish_partners = unique_partners(m.swedish_partners + extra)


def search_teaser(ctx: PageContext, b: Block, footer: Footer | None) -> list[Mention] | None:
    """A search result or link teaser ('Projekt' / 'Title' / 'Östersund och Nyandarua, Kenya' / 'text …'):
    a project teaser gives one mention with that title and those parties; a teaser of another kind
    ('Nyhet', 'Sida') repeats no project and gives []. None when b is no teaser."""
    first, sep, rest = b.text.partition("\n")
    kind = load_layout().teaser_kinds.get(first.strip().casefold()) if sep else None
    if kind is None:
        return None
    if kind == "other":
        # a cut-off teaser of a news item or page repeats no project; an article under its own
        # content-type line ('Nyhet' over the news text) is read as any other text
        return [] if _cut_off_teaser(rest) else None
    lines = rest.split("\n")
    title, parties = None, parse_party_heading(lines[0].strip())
    if parties is None and len(lines) > 1 and is_title_line(lines[0].strip()):
        title, parties = lines[0].strip(), parse_party_heading(lines[1].strip())
    if parties is None:
        return None
    m = new_mention(ctx, [b], footer, kind=granted_kind(rest), via="teaser")
    m.title = _clean_title(title) if title else None
    keys = {partner_key(n) for n in parties.foreign}
    swedish = list(parties.swedish)
    for g in find_pairs(rest, b.language or ctx.language, ctx.known):  # 'Mölndal, Härryda and Kakamega …'
        if any(partner_key(f.name) in keys for f in g.foreign):
            swedish.extend(x.partner for x in g.swedish)
    set_partners(m, swedish, parties.partners(), parties.country, ctx)
    return [m]


TEASER_MAX_LINES = 3  # a teaser: title, perhaps a parties line, and the start of the text
TEASER_CUT = ("…", "...")


def _cut_off_teaser(rest: str) -> bool:
    """True when the text under a content-type line is a teaser: a few lines ending cut off ('…')."""
    lines = [line for line in rest.strip().split("\n") if line.strip()]
    return 0 < len(lines) <= TEASER_MAX_LINES and lines[-1].rstrip().endswith(TEASER_CUT)


def list_entry_mentions(ctx: PageContext, b: Block, footer: Footer | None) -> list[Mention]:
    """Approved-projects list entries: 'Title – X and Y, Country' lines, or a parties line
    ('X kommun – Y Town council, Botswana') with the title on the next line."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", b.text) if m.group().strip()]
    out: list[Mention] = []
    i = 0
    while i < len(spans):
        s, e = spans[i]
        line = b.text[s:e].strip()
        parties = parse_party_heading(line)
        title = None
        if parties and i + 1 < len(spans):
            nxt = b.text[spans[i + 1][0]:spans[i + 1][1]].strip()
            if is_title_line(title_part(nxt)) and not parse_party_heading(nxt):
                title, e = nxt, spans[i + 1][1]
                i += 1
        elif parties is None:
            title, parties = _titled_parties(line)
        i += 1
        if parties is None or title is None:
            return []  # every line of a list paragraph must be an entry
        entry = Block(b.file, b.start + s, b.start + e, b.text[s:e], b.kind, b.item, b.section, b.language)
        m = new_mention(ctx, [entry], footer, via="list_entry")
        m.languages = [ctx.language]  # a list line with no body takes its page's language
        m.title = _clean_title(title_part(title))
        set_partners(m, parties.swedish, parties.partners(), parties.country, ctx)
        out.append(m)
    return out


TITLE_TAIL = re.compile(r"\s*(?:\([^()]*\b(?:19|20)\d\d\b[^()]*\)|,\s*(?:SEK|kr|kronor|\d)[^,]*)(?:.*)$")


def title_part(line: str) -> str:
    """An entry's title without the period and amount that follow it ('X (2025–2027), SEK 1.2 million')."""
    return TITLE_TAIL.sub("", line).strip()


def _titled_parties(line: str) -> tuple[str | None, PartyHeading | None]:
    """'Green Schoolyards for All – Mölndal and Kutaisi, Georgia' -> (title, parties)."""
    for m in re.finditer(r"\s[–—-]\s", line):
        left, right = line[:m.start()].strip(), line[m.end():].strip()
        parties = parse_party_heading(right)
        if parties and is_title_line(title_part(left)):
            return left, parties
    return None, None


def is_title_line(line: str) -> bool:
    """A short line that names something rather than saying something."""
    return 2 <= len(line) <= 160 and line[-1] not in ".!?:;," and len(line.split()) <= 16 \
        and (line[0].isupper() or line[0] in "“\"'")


def quoted_title(text: str) -> str | None:
    """A name in quotes that the text introduces as the project's ('with its project “X”')."""
    q = QUOTED_TITLE.search(text)
    return _clean_title(q.group("t") or q.group("t2")) if q else None


PARTNERSHIP_WORD = re.compile(r"\b(?:partnerskap\w*|samarbete\w*|partnership\w*|cooperation|vänort\w*)\b[^.!?]*$",
                             re.IGNORECASE)
# a start verb may stand a few words before its date; a preposition only just before it, since "från"/"from"
# also introduce places ("en delegation från X åkte i november 2021 till Y" is a trip, not a start)
START_CUE = re.compile(r"\b(?:(?:start(?:ar|ade|ed|s|ing)?|begin(?:s|ning)?|began|inleds|inleddes|påbörja(?:s|des)?|"
                       r"initiat(?:ed|es)?|initierade?s?|"
                       r"kick(?:s|ed)?\s+off|launch(?:es|ed)?)\b[^.!?]{0,40}"
                       r"|(?:från|from|under)\s+(?:[^\s.!?]+\s+){0,3})$", re.IGNORECASE)


START_VERB_AFTER = re.compile(r"\s+(?:inleds|inleddes|startar|startade|påbörjas|påbörjades|begins|began|starts|"
                              r"started)\b", re.IGNORECASE)
WITHIN_CUE = re.compile(r"\b(?:under|during|in\s+the\s+course\s+of)\s+$", re.IGNORECASE)


def stated_within(text: str) -> str | None:
    """A project run within one stated season or year ('genomför under våren 2024 en förstudie')."""
    for f in values.find_single_dates(text):
        before = text[max(0, f.start - 12):f.start]
        if not f.context and f.kind in ("season", "year") and WITHIN_CUE.search(before) \
                and not START_VERB_AFTER.match(text, f.end) \
                and PROJECT_NOUN.search(text[max(0, f.start - 120):f.end + 120]) \
                and not PARTNERSHIP_WORD.search(text[max(0, f.start - 60):f.start]):
            return str(f.value)[:4]
    return None


WORK_WORD = re.compile(r"\b(?:arbetar|arbetat|works?|working|worked|\w*projekt\w*|project)\b", re.IGNORECASE)
END_CUE = re.compile(r"\b(?:avslutas|avslutades|slutar|slutade|pågår\s+(?:till|fram\s+till)|ends?|ended|"
                     r"runs?\s+until|until|till\s+och\s+med)\b[^.!?]{0,20}$", re.IGNORECASE)


def stated_end(text: str) -> str | None:
    """A lone date the text gives as the project's end ('Projektet avslutas i september 2024')."""
    for f in values.find_single_dates(text):
        if not f.context and END_CUE.search(text[max(0, f.start - 40):f.start]):
            return str(f.value)[:4] if f.kind == "season" else str(f.value)
    return None


def stated_start(text: str) -> str | None:
    """A lone date the text gives as the project's start ('startade hösten 2018' -> '2018')."""
    for f in values.find_single_dates(text):
        before = text[max(0, f.start - 60):f.start]
        if PARTNERSHIP_WORD.search(before):
            continue  # "Partnerskapet inleddes 2018": the partnership's start, not the project's
        sentence = text[max(text.rfind(".", 0, f.start), 0):text.find(".", f.end) % (len(text) + 1)]
        if f.context == "since" and not PARTNERSHIP_ANY.search(sentence) and WORK_WORD.search(sentence):
            return str(f.value)  # "Sedan oktober 2022 arbetar kommunerna med …": the work's start
        if not f.context and (START_CUE.search(before) or START_VERB_AFTER.match(text, f.end)):
            return str(f.value)[:4] if f.kind == "season" else str(f.value)
    return None


def _project_amount(f) -> bool:
    return not (f.per_year or f.range_part or f.total)


# ---------------------------------------------------------------- partnerships

def partnership_statements(ctx: PageContext, blocks: list[Block], result: PageResult) -> None:
    """Every pair a sentence states, with since-years; partner-section headings add their pairs.

    A sentence about the partnership that names only one side ('Region X anslöt till partnerskapet
    2021', 'Samarbetet med Nilüfer inleddes 2021') takes the other side from its card or section.
    """
    section_partner: dict[tuple[int, int], PartyHeading] = {}
    for b in blocks:
        if b.kind == "heading":
            ph = parse_partner_section(b.text)
            if ph:
                section_partner[(b.item, b.section)] = ph
    implied = implied_partners(blocks, section_partner)
    in_section: dict[tuple[int, int], list[Partner]] = {}
    unpaired: list[tuple[Block, int, int, list[int]]] = []
    learned: set[str] = set()

    def state(b: Block, s: int, e: int, sw: Partner, f: ForeignName, years: list[int]) -> None:
        result.partnerships.append(PartnershipMention(
            b.file, sw, known_form(ctx, f.name), f.country or ctx.partner_country.get(partner_key(f.name)),
            min(years) if years else None, Source(b.file, b.start + s, b.start + e)))

    for b in blocks:
        if b.kind not in ("prose", "bullet"):
            continue
        lang = b.language or ctx.language
        previous: list[tuple[Partner, ForeignName]] = []
        key = (b.item, b.section)
        for s, e, groups in sentence_pairs(b.text, lang, ctx.known):
            if not groups and not previous and key not in section_partner:
                # no party named, no earlier pair its since-year could date, no partner section: the sentence
                # states, learns and resets nothing, twin towns or not, so none of it need be read
                continue
            sent = b.text[s:e]
            if triggers()["twin_town"].search(sent):
                previous = []
                continue
            years = since_years(sent)
            pairs = [(sw.partner, f) for g in groups for sw in g.swedish for f in g.foreign]
            for f in (f for g in groups for f in g.foreign):
                fkey = partner_key(f.name)
                known_name = ctx.known.get(fkey)
                if known_name is not None:
                    # a fuller form of a partner the page knows; it may have no context of its own
                    # ('Uppsala Municipality and Kabupaten Banyuwangi' under 'Uppsala and Banyuwangi')
                    if known_name != f.name:
                        ctx.known[fkey] = fuller(known_name, f.name)
                elif f.weak:
                    continue
                elif f.solid:
                    learned.add(f.name)
                    _remember(ctx.known, f.name)  # a partner this page names with context: known from here on
            for sw, f in pairs:
                state(b, s, e, sw, f, years)
            if not pairs and years and previous:
                # the year of a sentence after a pair's dates that pair, unless the sentence tells of one of
                # the parties on its own ('Kisumu har tagit emot många nya invånare sedan 2015')
                stems = name_stems([n for sw, f in previous for n in (sw.name, f.name)])
                if stems is None or not stems.search(sent) or since_about_partnership_or_decision(sent):
                    for sw, f in previous:
                        state(b, s, e, sw, f, years)
            if pairs:
                previous = pairs
            swedish = [x.partner for g in groups for x in g.swedish]
            foreign = [f for g in groups for f in g.foreign]
            if not pairs and years and key in implied and since_about_partnership(sent):
                other = implied[key].partners()[0]
                same = [f for f in foreign if partner_key(f.name) == partner_key(other.name)]
                if swedish:  # "Region Jönköpings län anslöt till partnerskapet 2021"
                    for sw in swedish:
                        state(b, s, e, sw, other, years)
                elif ctx.owner and same:
                    state(b, s, e, ctx.owner, same[0], years)  # "Samarbetet med Nilüfer inleddes hösten 2021"
            elif not pairs and swedish:
                unpaired.append((b, s, e, years))
            elif not pairs and years and ctx.owner and since_about_partnership_or_decision(sent):
                # 'Partnerskapet med X, som inleddes 2016, …', 'In 2023 the council decided to enter into a
                # partnership with X': the page's own body is the Swedish side
                for f in foreign:
                    if not f.weak:
                        state(b, s, e, ctx.owner, f, years)
            if key in section_partner:
                found = swedish + resolve_bare_landsting(sent, b.start + s, ctx)
                ph = section_partner[key]
                # a sentence about the partnership itself ('… är officiella parter') takes the heading's
                # since-year; a body named only in a project of the section does not (asked only here, in
                # a partner section: three searches per sentence saved everywhere else)
                about = bool(PARTNERSHIP_ANY.search(sent) or PARTY_WORD.search(sent)) and not PROJECT_NOUN.search(sent)
                if about:
                    in_section.setdefault(key, []).extend(found)
                for sw in found:
                    known_years = years + ([ph.since] if ph.since and about else [])
                    result.partnerships.append(PartnershipMention(
                        b.file, sw, ph.foreign[0], ph.country, min(known_years) if known_years else None,
                        Source(b.file, b.start + s, b.start + e)))
    # sentences read before the page had named a partner with context: 'Botkyrka och Kisumu har
    # samarbetat sedan 2017' once 'Kisumu County i Kenya' has been seen
    heads = {n.split()[0].casefold() for n in learned}
    for b, s, e, years in unpaired:
        sent = b.text[s:e]
        if any(h in sent.casefold() for h in heads):
            for g in find_pairs(sent, b.language or ctx.language, ctx.known, base=s):
                for body in g.swedish:
                    for f in g.foreign:
                        state(b, s, e, body.partner, f, years)
    for key, ph in section_partner.items():
        head = next(b for b in blocks if b.kind == "heading" and (b.item, b.section) == key)
        partners = in_section.get(key) or ([ctx.owner] if ctx.owner else [])
        for sw in unique_partners(partners):
            result.partnerships.append(PartnershipMention(
                head.file, sw, ph.foreign[0], ph.country, ph.since, head.source))


PARTNERSHIP_ANY = re.compile(r"\b(?:partnerskap\w*|samarbet\w*|partnership\w*|partners|parterna|cooperat\w*|"
                             r"collaborat\w*)\b",
                             re.IGNORECASE)
def since_about_partnership(sentence: str) -> bool:
    """The sentence's since-year is said of a partnership: a partnership word near the year."""
    for f in values.find_since_years(sentence):
        window = sentence[max(0, f.start - 50):f.end + 10]
        if PARTNERSHIP_ANY.search(window):
            return True
    return False


def since_about_partnership_or_decision(sentence: str) -> bool:
    """since_about_partnership, or a sentence that dates a partnership by its decision (decided_year)."""
    return since_about_partnership(sentence) or bool(decided_year(sentence))


def implied_partners(blocks: list[Block], section_partner: dict[tuple[int, int], PartyHeading]
                     ) -> dict[tuple[int, int], PartyHeading]:
    """(item, section) -> the partner its text is about: the section's partner heading (holding for the
    sub-sections under it), else a card's single partner from its heading or footer."""
    out: dict[tuple[int, int], PartyHeading] = {}
    card: dict[int, PartyHeading] = {}
    for b in blocks:
        if b.kind == "footer":
            f = parse_footer(b)
            if len(f.international) == 1:
                card.setdefault(b.item, PartyHeading(f.swedish, f.international, None, None))
        elif b.kind == "heading" and b.item not in card and b.section == 0:
            ph = parse_party_heading(b.text)
            if ph and len(ph.foreign) == 1:
                card[b.item] = ph
    current: PartyHeading | None = None
    last_item = None
    for b in blocks:
        if b.item != last_item:
            current, last_item = None, b.item
        if b.kind == "heading":
            if triggers()["twin_town"].search(b.text):
                current = None
            current = section_partner.get((b.item, b.section), current)
        partner = current or card.get(b.item)
        if partner:
            out[(b.item, b.section)] = partner
    return out


def name_stems(names: list[str]) -> re.Pattern | None:
    """A pattern for the names' first proper words, a Swedish genitive s cut off ('Falkenbergs kommun' ->
    'Falkenberg…'), or None when no name has one."""
    heads = set()
    for name in names:
        words = partner_key(name).split()
        if words and len(words[0]) > 2:
            w = words[0]
            heads.add(re.escape(w[:-1] if w.endswith("s") and len(w) > 4 else w))
    return re.compile(rf"\b(?:{'|'.join(sorted(heads))})", re.IGNORECASE) if heads else None


PARTY_WORD = re.compile(r"\b(?:parter|parterna|part|party|parties)\b", re.IGNORECASE)
FUTURE = re.compile(r"\b(?:will|shall|is\s+to|are\s+to|plans?\s+to|ska|skall|kommer\s+att|planerar)\b", re.IGNORECASE)


def since_years(sentence: str) -> list[int]:
    """Years a sentence says a partnership dates from; a start announced in the future tense is not one.
    A sentence saying a partnership was decided on or entered into dates it by its one year."""
    out = []
    for f in values.find_since_years(sentence):
        if f.kind == "started" and (FUTURE.search(sentence) or (
                PROJECT_NOUN.search(sentence) and not PARTNERSHIP_ANY.search(sentence))):
            continue  # a start announced for the future, or a project's start
        out.append(f.value)
    return out or decided_year(sentence)


YEAR = re.compile(r"(?<![\d-])(?:19|20)\d\d(?![\d-])")


def decided_year(sentence: str) -> list[int]:
    """[year] for 'I maj 2022 beslutade kommunstyrelsen att inleda ett partnerskap med X' or 'In spring 2023
    the council decided to enter into a partnership with X': the sentence's one year, else []."""
    if not may_match(trigger_needles()["partnership_decision"], sentence.lower()):
        return []  # the pattern cannot match: most sentences
    if not triggers()["partnership_decision"].search(sentence):
        return []
    years = {int(y) for y in YEAR.findall(sentence)}
    return list(years) if len(years) == 1 else []


# ---------------------------------------------------------------- helpers
