"""Features: every (Swedish party, partner-abroad candidate) pair of a page, described for the model.

A pair is proposed whenever a page names (or refers to) a Swedish body and holds a candidate
abroad in the same item, or the body is the page's owner. Nothing is decided here: the
description is what the model reads (extract/scoring.py) — how close the two are (same sentence,
line, block, section, item; sentences apart; words between), what the words around them say
(partnership, project, grant, programme, twin town, visit, agreement, pre-study, application,
conference or network, future, a start), what the page's head says, what the items that write the
partner abroad state of a project of their own (a period, a length, an amount, a sentence whose
subject is "the project"), whether the candidate is what a section under a heading is most about,
what backs the candidate
(the evidence candidates.py gives: context, administrative words, a place lexicon, structure),
and what the structure rules proposed for the pair (a project mention, a titled or dated one, a
partnership statement, a since-year). The cue words are data (data/pair_cues.json).
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from kp_extract.lexicon.gazetteer import find_countries
from kp_extract.model import Block, Mention, Page, Partner, PartnershipMention
from kp_extract.lexicon.partners import fuller, partner_key
from kp_extract.stages.s5_extract.parties import Parties, SwedishParty, cue_patterns
from kp_extract.lexicon.values import find_amounts, find_date_ranges, find_durations
from kp_extract.stages.s5_extract.proposals import GUESSED, project_sentences
from kp_extract.stages.s5_extract.units import PageUnits, Unit

if TYPE_CHECKING:
    from kp_extract.stages.s5_extract.candidates import Candidate

CUE_CLASSES = ("partnership", "project", "grant", "programme", "twin", "visit", "agreement", "prestudy",
               "application", "network", "future", "started", "work")
HEAD_CHARS = 400     # the page's head: its headline and lead
NEAR = 1             # sentences either side of a co-occurrence that count as its context
MAX_GAP = 12         # sentences apart beyond which two mentions count as far apart
MAX_EITHER = 8       # sentences naming either side that are read for cue words (the first ones)
PROGRAMME_COUNTRIES_FILE = "programme_countries"


@dataclass(slots=True)
class PairCandidate:
    """One (Swedish body, partner abroad) pair of a page, with its features and where it is written."""

    swedish: Partner
    key: str                 # partner_key of the partner abroad
    name: str                # the fullest form the page gives for it
    country: str | None
    features: dict[str, float]
    units: list[tuple[int, int]] = field(default_factory=list)  # sentences where both are written (page offsets)
    focus: tuple[int, int] = (0, 0)  # the unit that shows the pair best (for review and candidates.jsonl)
    rule_mentions: list[int] = field(default_factory=list)  # indexes of the rule mentions that name the pair
    since_year: int | None = None  # the earliest since-year the rules' statements give the pair
    spans: tuple[tuple[int, int], ...] = ()  # where the page writes the partner abroad (page offsets)


def _log(n: float) -> float:
    return math.log1p(max(n, 0.0))


TEXT_COUNTRY = frozenset({"country_after", "country_adj", "solid"})  # evidence of a country the text writes


def _country(occ: list[Candidate]) -> str | None:
    """A partner's country: one the text writes beside it first ('Rombo-distriktet i Tanzania'), else the one
    most of its mentions give (the lexicon's), else None."""
    stated = [c.country for c in occ if c.country and c.evidence & TEXT_COUNTRY]
    if stated:
        return stated[0]
    counts: dict[str, int] = {}
    for c in occ:
        if c.country:
            counts[c.country] = counts.get(c.country, 0) + 1
    return max(counts, key=lambda k: (counts[k], -list(counts).index(k))) if counts else None


ITEM_VALUES = ("item_period", "item_duration", "item_amount", "item_project_sentence")


def _item_values(blocks: list[Block], items: frozenset[int]) -> dict[str, float]:
    """What the items tell of a project of their own: a period, a length, an amount, a sentence about
    "the project". A partnership told only as a tie ('X och Y har samarbetat sedan 2008') has none of
    them; a project's card or article has most (measured on the real pages' partner pairs: a sentence
    about the project stands in 61 of 83 projects' items and 4 of 47 partnership-only ones)."""
    found: set[str] = set()
    for b in blocks:
        if b.item in items and b.kind not in ("chrome", "footer"):
            found |= _block_values(b.text)
            if len(found) == len(ITEM_VALUES):
                break
    return {k: 1.0 for k in ITEM_VALUES if k in found}


@lru_cache(maxsize=16384)
def _block_values(text: str) -> frozenset[str]:
    """_item_values of one block, by its text (the pairs of a page share their blocks, and the rules read
    the same texts)."""
    found = (find_date_ranges(text), find_durations(text), find_amounts(text), project_sentences(text))
    return frozenset(k for k, got in zip(ITEM_VALUES, found) if got)


def _cues(text: str) -> set[str]:
    pats = cue_patterns()
    return {c for c in CUE_CLASSES if pats[c].search(text)}


def _link_between(gap: str) -> bool:
    if len(gap) > 80:
        return False
    return bool(cue_patterns()["link"].search(gap))


def page_pairs(page: Page, blocks: list[Block], units: PageUnits, parties: Parties,
               candidates: list[Candidate], mentions: list[Mention],
               statements: list[PartnershipMention], programme: frozenset[str]) -> list[PairCandidate]:
    """Every pair of the page with its features (see the module docstring)."""
    text = page.text
    by_key: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates:
        by_key[c.key].append(c)
    by_body: dict[str, list[SwedishParty]] = defaultdict(list)
    bodies: dict[str, Partner] = {}
    for m in parties.mentions:
        by_body[m.partner.name].append(m)
        bodies[m.partner.name] = m.partner
    if parties.owner is not None:
        bodies.setdefault(parties.owner.name, parties.owner)
    if not by_key or not bodies:
        return []
    head_end = HEAD_CHARS
    first_prose = next((b for b in blocks if b.kind == "prose"), None)
    if first_prose is not None:
        head_end = max(head_end, min(first_prose.end, first_prose.start + HEAD_CHARS))
    head_cues = _cues(text[:head_end])
    page_cues = _cues(" ".join(b.text for b in blocks if b.kind != "chrome"))
    page_countries = {iso for b in blocks if b.kind != "chrome" for _s, _e, iso, _d in find_countries(b.text)}
    n_bodies = len([n for n, ms in by_body.items() if any(m.via == "name" for m in ms)])
    n_keys = len(by_key)
    footer_text = " ".join(b.text for b in blocks if b.kind == "footer")

    def unit_of(offset: int) -> Unit | None:
        return units.at(offset)

    # each candidate's occurrences with their sentences, read once for the section tops and the pairs
    key_units = {key: [(c, u) for c in occ for u in (unit_of(c.start),) if u is not None]
                 for key, occ in by_key.items()}
    section_tops = _section_tops(blocks, key_units)

    # the rules' proposals, by pair
    rule_pairs: dict[tuple[str, str], list[int]] = defaultdict(list)
    guesses = 0
    for i, mention in enumerate(mentions):
        if mention.via.endswith(GUESSED):
            guesses += 1  # the rules saw a project here but guessed its partner: that backs no pair
            continue
        for sw in mention.swedish_partners:
            for name in mention.international_partners:
                rule_pairs[(sw.name, partner_key(name))].append(i)
    stated: dict[tuple[str, str], list[PartnershipMention]] = defaultdict(list)
    for s in statements:
        stated[(s.swedish_partner.name, partner_key(s.international_partner))].append(s)
    rule_keys = {k for _sw, k in rule_pairs} | {k for _sw, k in stated}

    # per sentence: where the Swedish bodies (by name) and the candidates abroad are written in it
    sentence_parties: dict[int, tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]]] = defaultdict(
        lambda: ([], []))
    for m in parties.mentions:
        u = unit_of(m.start)
        if u is not None and m.via == "name":
            sentence_parties[u.index][0].append((m.start, m.end, m.partner.name))
    for c in candidates:
        u = unit_of(c.start)
        if u is not None:
            sentence_parties[u.index][1].append((c.start, c.end, c.key))
    top_count = max(len(v) for v in by_key.values())
    top_body = max((sum(1 for m in ms if m.via == "name") for ms in by_body.values()), default=0)
    person = cue_patterns()["person"]
    body_units: dict[str, tuple[list[SwedishParty], bool, list[tuple[SwedishParty, Unit]]]] = {}
    for body in bodies:
        s_occ = by_body.get(body, [])
        body_units[body] = ([m for m in s_occ if m.via == "name"],
                            parties.owner is not None and parties.owner.name == body,
                            [(m, u) for m in s_occ for u in (unit_of(m.start),) if u is not None])
    # the cue words of each sentence, read once: pairs of one page share most of their sentences
    sentence_cues: dict[tuple[int, int], set[str]] = {}

    def cues_of(spans) -> set[str]:
        found: set[str] = set()
        for span in spans:
            got = sentence_cues.get(span)
            if got is None:
                got = sentence_cues[span] = _cues(text[span[0]:span[1]])
            found |= got
        return found

    item_values: dict[frozenset[int], dict[str, float]] = {}  # pairs of one partner abroad share its items
    out: list[PairCandidate] = []
    for key, occ in by_key.items():
        name = occ[0].name
        for c in occ[1:]:
            name = fuller(name, c.name)
        country = _country(occ)
        evidence = set().union(*(c.evidence for c in occ))
        pop = max(c.population for c in occ)
        f_units = key_units[key]
        f_items = {u.item for _c, u in f_units}
        items_key = frozenset(f_items)
        if items_key not in item_values:
            item_values[items_key] = _item_values(blocks, items_key)
        spans = tuple(sorted({(c.start, c.end) for c in occ}))
        for body, partner in bodies.items():
            named, is_owner, s_units = body_units[body]
            if not (is_owner or any(u.item in f_items for _m, u in s_units)
                    or (body, key) in rule_pairs or (body, key) in stated):
                continue
            feats, units_both, focus = _closeness(text, s_units, f_units, sentence_parties)
            feats.update({
                "s_owner": float(is_owner),
                "s_owner_filter": float(is_owner and parties.owner_evidence == "filter"),
                "s_owner_site": float(is_owner and parties.owner_evidence in ("site_line", "heading")),
                "s_named": float(bool(named)),
                "s_count": _log(len(named)),
                "s_region": float(partner.kind == "region"),
                "s_in_head": float(any(m.start < head_end for m in named)),
                "s_in_heading": float(any(u.kind == "heading" for m, u in s_units if m.via == "name")),
                "s_in_footer": float(any(u.kind == "footer" for m, u in s_units if m.via == "name")),
                "f_count": _log(len(occ)),
                "f_main": float(len(occ) == top_count),
                "f_count_share": len(occ) / top_count,
                "f_person_near": float(any(person.search(text[max(0, c.start - 25):c.start])
                                           or person.search(text[c.end:c.end + 25]) for c in occ)),
                "f_in_head": float(any(c.start < head_end for c in occ)),
                "f_in_heading": float(any(u.kind == "heading" for _c, u in f_units)),
                "f_in_footer": float(any(u.kind == "footer" for _c, u in f_units)),
                "f_in_bullet": float(any(u.kind == "bullet" for _c, u in f_units)),
                "f_words": float(min(len(key.split()), 4)),
                "f_population": _log(pop) / 10.0,
                "f_country_programme": float(country in programme) if country else 0.0,
                "f_country_other": float(country not in programme) if country else 0.0,
                "f_country_unknown": float(country is None),
                "f_country_on_page": float(country in page_countries) if country else 0.0,
                "f_in_footer_text": float(bool(footer_text) and key in partner_key(footer_text)),
                "f_section_top": float(key in section_tops),
                "page_bodies": _log(n_bodies),
                "page_guessed_projects": _log(guesses),
                "page_candidates": _log(n_keys),
                "rule_mention": float((body, key) in rule_pairs),
                "rule_mention_titled": float(any(mentions[i].title for i in rule_pairs.get((body, key), ()))),
                "rule_mention_dated": float(any(mentions[i].start_date or mentions[i].amount_sek
                                                for i in rule_pairs.get((body, key), ()))),
                "rule_statement": float((body, key) in stated),
                "rule_since": float(any(s.since_year for s in stated.get((body, key), ()))),
                "rule_other_pair_of_f": float(key in rule_keys and (body, key) not in rule_pairs
                                              and (body, key) not in stated),
            })
            feats.update(item_values[items_key])
            for ev in evidence:
                feats[f"ev_{ev}"] = 1.0
            for i in rule_pairs.get((body, key), ()):
                feats[f"rule_via_{mentions[i].via or 'other'}"] = 1.0
            for cue in cues_of(_around(units, units_both or [focus])):
                feats[f"cue_{cue}_near"] = 1.0
            for cue in cues_of(units_both):
                feats[f"cue_{cue}_sent"] = 1.0
            # the first sentences that name either side: what the page says of each of them
            either = sorted({(u.start, u.end) for _c, u in f_units} | {(u.start, u.end) for _m, u in s_units})
            for cue in cues_of(either[:MAX_EITHER]):
                feats[f"cue_{cue}_either"] = 1.0
            for cue in head_cues:
                feats[f"cue_{cue}_head"] = 1.0
            for cue in page_cues:
                feats[f"cue_{cue}_page"] = 1.0
            # the page's own pair: its most written partner abroad with its owner or most named body
            main = float(len(occ) == top_count and (is_owner or len(named) == top_body))
            feats["main_pair"] = main
            if main:
                for cue in page_cues:
                    feats[f"main_{cue}_page"] = 1.0
            if (body, key) not in rule_pairs:
                # a pair no structure rule proposed as a project is another population than the rules'
                # proposals: its features also count on their own ('unproposed:'), so that the model can
                # weigh the same evidence differently when no structure backs it
                feats.update({f"unproposed:{k}": v for k, v in list(feats.items())})
            since = [s.since_year for s in stated.get((body, key), ()) if s.since_year]
            out.append(PairCandidate(partner, key, name, country, feats, units_both, focus,
                                     rule_pairs.get((body, key), []), min(since) if since else None,
                                     spans))
    return out


def _section_tops(blocks: list[Block], key_units: dict[str, list[tuple[Candidate, Unit]]]) -> set[str]:
    """The candidates abroad written most often in some section that a heading leads (a card of a listing,
    a part of an article under its own heading; ties all count): what that section is about. Measured on
    the real pages, cross-validated by site: 0.832 / 0.847 / 0.867 -> 0.840 / 0.857 / 0.862."""
    headed = {(b.item, b.section) for b in blocks if b.kind == "heading"}
    counts: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
    for key, occ_units in key_units.items():
        for _c, u in occ_units:
            if u.kind in ("prose", "bullet", "heading") and (u.item, u.section) in headed:
                counts[(u.item, u.section)][key] += 1
    tops: set[str] = set()
    for by_count in counts.values():
        most = max(by_count.values())
        tops.update(k for k, n in by_count.items() if n == most)
    return tops


def _around(units: PageUnits, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans and the sentences next to them (NEAR either side, same block)."""
    out = []
    for s, e in spans:
        u = units.at(s)
        if u is None:
            out.append((s, e))
            continue
        for j in range(max(0, u.index - NEAR), min(len(units.units), u.index + NEAR + 1)):
            v = units.units[j]
            if v.block == u.block:
                out.append((v.start, v.end))
    return sorted(set(out))


def _min_gap(a: list[int], b: list[int]) -> int:
    """The least |x - y| over sorted lists a and b (MAX_GAP when either is empty): one merge pass."""
    best, i, j = MAX_GAP, 0, 0
    while i < len(a) and j < len(b):
        best = min(best, abs(a[i] - b[j]))
        if a[i] < b[j]:
            i += 1
        else:
            j += 1
    return best


def _apart(span: tuple, start: int, end: int) -> int:
    """Characters between a mention (start, end, …) and the span [start, end): 0 when they touch or overlap."""
    return max(0, start - span[1], span[0] - end)


PER_SENTENCE = 12  # mentions of one side read per sentence: a sentence naming a body 100 times says no more


def _closeness(text: str, s_units: list[tuple[SwedishParty, Unit]], f_units: list[tuple[Candidate, Unit]],
               sentence_parties: dict) -> tuple[dict[str, float], list[tuple[int, int]], tuple[int, int]]:
    """How close the two sides come: the units both lie in, and in each sentence holding both, the words
    between the nearest two of their mentions. Linear in the mentions (sets, a merge, a bounded scan per
    shared sentence), so that a page naming one pair thousands of times stays cheap."""
    named = [(m, u) for m, u in s_units if m.via == "name"]
    s_sent: dict[int, list[tuple[SwedishParty, Unit]]] = defaultdict(list)
    f_sent: dict[int, list[tuple[Candidate, Unit]]] = defaultdict(list)
    for m, u in named:
        s_sent[u.index].append((m, u))
    for c, u in f_units:
        f_sent[u.index].append((c, u))
    shared = sorted(s_sent.keys() & f_sent.keys())
    ana_shared = {u.index for m, u in s_units if m.via == "anaphor"} & f_sent.keys()
    same = {
        "sentence": len(shared),
        "line": len({u.line for _m, u in named} & {u.line for _c, u in f_units}),
        "block": len({u.block for _m, u in named} & {u.block for _c, u in f_units}),
        "section": len({(u.item, u.section) for _m, u in named} & {(u.item, u.section) for _c, u in f_units}),
        "item": len({u.item for _m, u in named} & {u.item for _c, u in f_units}),
    }
    best_gap = _min_gap(sorted(s_sent), sorted(f_sent))
    joined = nearest = alone = link = 0
    words_between, names_between = 40, 5
    both: list[tuple[int, int]] = []
    for index in shared:
        su = s_sent[index][0][1]
        both.append((su.start, su.end))
        bodies, cands = sentence_parties.get(index, ([], []))
        lone = len({k for _s, _e, k in cands}) == 1 and len({b for _s, _e, b in bodies}) == 1
        alone += int(lone)
        for m, _ in s_sent[index][:PER_SENTENCE]:
            for c, _ in f_sent[index][:PER_SENTENCE]:
                lo, hi = (m.end, c.start) if m.start < c.start else (c.end, m.start)
                between = text[lo:hi] if hi > lo else ""
                linked = _link_between(between)
                link += int(linked)
                n_words = len(between.split())
                words_between = min(words_between, n_words)
                names_between = min(names_between, len(re.findall(r"\b[A-ZÅÄÖ][\w'’-]+", between)))
                joined += int(n_words <= 3 and linked)
                near_f = min(cands[:PER_SENTENCE * 4], key=lambda x: _apart(x, m.start, m.end), default=None)
                near_s = min(bodies[:PER_SENTENCE * 4], key=lambda x: _apart(x, c.start, c.end), default=None)
                if near_f is not None and near_s is not None and near_f[2] == c.key and near_s[2] == m.partner.name:
                    nearest += 1
    for index in sorted(ana_shared - set(shared)):
        fu = f_sent[index][0][1]
        both.append((fu.start, fu.end))
    both = sorted(set(both))
    if both:
        focus = both[0]
    elif f_units:
        focus = (f_units[0][1].start, f_units[0][1].end)
    else:
        focus = (0, 0)
    feats = {f"same_{k}": float(v > 0) for k, v in same.items()}
    feats.update({
        "n_same_sentence": _log(same["sentence"]),
        "n_same_block": _log(same["block"]),
        "sentence_gap": _log(best_gap) / _log(MAX_GAP),
        "anaphor_same_sentence": float(bool(ana_shared)),
        "link_between": float(link > 0),
        "joined": float(joined > 0),
        "mutual_nearest": float(nearest > 0),
        "alone_in_sentence": float(alone > 0),
        "words_between": _log(words_between) / _log(40),
        "names_between": float(min(names_between, 5)) / 5.0,
    })
    return feats, both, focus
