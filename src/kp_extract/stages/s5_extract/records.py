"""Records: what the model's scores make of a page's proposals.

Every pair gets two probabilities (scoring.py). From them:

* each project mention the structure rules proposed takes the best project probability of its
  pairs as its confidence;
* pairs the model believes are a project of theirs but that no rule mention names become new
  project mentions over the sentences that name them; pairs that the text joins (one Swedish
  body with two partners named together, two Swedish bodies with one partner) become one
  mention, as the GUIDE's one cooperation with two partners is one record; names the text lists
  with a mention's partner abroad ('Kisumu, Nyeri och Eldoret') join that mention;
* a pair whose item tells of a pre-study or inception phase with an act of its own and of the
  project it led to, where the page has a mention of only one of them, gets the other as a mention
  of its own (_phase_mentions: the GUIDE's two records, phase and project);
* every pair becomes a partnership statement with its partner probability as confidence, and
  the since-year its sentences state.

Nothing is dropped here: the run keeps what reaches its --min-confidence and writes the rest to
candidates.jsonl (pipeline), so that a reviewer can promote it.
"""
from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from kp_extract.model import Block, Mention, Page, Partner, PartnershipMention, Source
from kp_extract.lexicon.partners import ForeignName, norm_key, partner_key, swedish_bodies
from kp_extract.lexicon.values import since_phrases
from kp_extract.stages.s5_extract.candidates import list_gap
from kp_extract.stages.s5_extract.features import PairCandidate
from kp_extract.stages.s5_extract.parties import cue_patterns
from kp_extract.stages.s5_extract.proposals import (GUESSED, OTHER_PROJECT, PRESTUDY, PageContext, PageResult, fill_from_project_sentences, find_title,
                                                   item_stretch, name_stems, new_mention, set_partners,
                                                   since_about_partnership, since_years, triggers)
from kp_extract.stages.s5_extract.scoring import PairModel
from kp_extract.stages.s5_extract.titles import TitleCandidate, is_label
from kp_extract.stages.s5_extract.units import PageUnits, Unit

FINGERPRINT_SPLIT = re.compile(r"[\W_]+")
MIN_KEPT = 0.02  # pairs the model scores below this on both heads are not even candidates
# a name listed with a project's partner abroad joins it unless the model all but rules the pair out (people
# and institutions listed beside a partner score below this; measured on the real pages, cross-validated)
LIST_SIBLING_MIN = 0.1


@dataclass(slots=True)
class ScoredPair:
    pair: PairCandidate
    partner: float
    project: float


def decide(page: Page, blocks: list[Block], units: PageUnits, proposed: PageResult, pairs: list[PairCandidate],
           titles: list[TitleCandidate], model: PairModel) -> PageResult:
    """The page's mentions and statements, each with the model's confidence (see module docstring)."""
    ctx = proposed.context
    assert ctx is not None, "propose() sets the page context"
    scored = [ScoredPair(p, model.partner.probability(p.features), model.project.probability(p.features))
              for p in pairs]
    by_pair = {(s.pair.swedish.name, s.pair.key): s for s in scored}
    by_key: dict[str, list[ScoredPair]] = {}
    for s in scored:
        by_key.setdefault(s.pair.key, []).append(s)
    result = PageResult(no_record_reason=proposed.no_record_reason, context=ctx)
    covered: set[tuple[str, str]] = set()
    lists = name_lists(page.text, scored)
    for m in proposed.mentions:
        if not m.international_partners:
            _adopt_pair(m, scored)  # a card that names its project but not its partner abroad
        keys = [partner_key(n) for n in m.international_partners]
        probs = [by_pair[(sw.name, k)].project for sw in m.swedish_partners for k in keys if (sw.name, k) in by_pair]
        if not probs:  # no Swedish body named: the best belief about its partner abroad on this page
            probs = [s.project for k in keys for s in by_key.get(k, ())]
        m.confidence = (max(probs) if probs else model.project.threshold) if m.international_partners else 0.0
        if m.via.endswith(GUESSED):
            _choose_partner(m, blocks, scored)  # the rules guessed the partner: the model picks it
            keys = [partner_key(n) for n in m.international_partners]
        elif m.confidence < model.project.threshold:
            _repartner(m, keys, blocks, scored, model)
            keys = [partner_key(n) for n in m.international_partners]
        keys = _add_list_siblings(m, lists, by_key, ctx)
        covered.update((sw.name, k) for sw in m.swedish_partners for k in keys)
        result.mentions.append(m)
    result.mentions.extend(_titled_mentions(page, blocks, ctx, titles, scored, result.mentions, covered, model,
                                                    lists, by_key))
    result.mentions.extend(_new_mentions(page, blocks, ctx, scored, covered, model, lists, by_key))
    result.mentions.extend(_phase_mentions(page, blocks, units, ctx, result.mentions, scored,
                                                  model.project.threshold))
    result.mentions = untold_apart(result.mentions, blocks, model.project.threshold)
    headings = {b.source for b in blocks if b.kind in ("heading", "title")}
    for m in result.mentions:
        if m.title and is_label(m.title):
            # the programme's label or its funder's name where a name was expected ('projektet (ICLD …)'):
            # the item tells of a funded project of its pair, but that is not the project's name
            m.title = None
        m.fingerprint = text_fingerprint(page.text, [s for s in m.sources if s not in headings] or m.sources)
    # the page's other parties (of the pairs the model believes in), by each pair: a sentence naming one
    # dates not this pair ('… med JB Marks och Växjö kommun. Partnerskapet mellan JB Marks och Växjö startade
    # 2005.' for the other Swedish body); a place merely mentioned ('erosion in X') does not count
    believed = [s.pair for s in scored if s.partner >= model.partner.threshold]

    def others(pair: PairCandidate) -> re.Pattern | None:
        return _names_pattern(frozenset(partner_key(q.name) for q in believed if q.key != pair.key),
                              tuple(q.swedish.name for q in believed if q.swedish.name != pair.swedish.name))
    for s in scored:
        if max(s.partner, s.project) < MIN_KEPT:
            continue
        p = s.pair
        result.partnerships.append(PartnershipMention(
            page.file, p.swedish, p.name, p.country, _since(page.text, units, p, others),
            Source(page.file, *p.focus),
            tuple(Source(page.file, a, b) for a, b in p.units if (a, b) != p.focus), confidence=s.partner))
        result.candidates.append(_candidate_row(page, s, model))
    return result


TOLD_APART = ("start_date", "end_date", "duration_years", "amount_sek")  # values that tell two projects apart


def untold_apart(mentions: list[Mention], blocks: list[Block], threshold: float) -> list[Mention]:
    """The GUIDE's 'several projects of one pair that the text does not tell apart are one record', for
    one project told twice: a believed mention with no title goes into the first believed untitled
    mention of the same parties and kind (project or pre-study) in the same item (an article, a card)
    when it comes from another paragraph and none of its dates, durations and amounts differs from
    that one's; the first keeps every source and takes the values only the other gives. Why: an
    article that tells of its pair's funded pre-study in its lead and again further down gave two
    records of it. Two grants in one paragraph stay two, as do two cards of a listing, a phase and its
    project, and mentions the model does not believe (they go to review as they are). Linear: each
    mention is compared with one other."""
    out: list[Mention] = []
    first: dict[tuple, tuple[Mention, int | None, set[tuple[int, int]]]] = {}
    for m in mentions:
        if m.title or m.confidence < threshold or not m.international_partners or not m.sources:
            out.append(m)
            continue
        at = _block_at(blocks, m.sources[0].start)
        item = blocks[at].item if at is not None else None
        key = (item, m.kind, *_parties(m))
        held = first.get(key)
        if held is None:
            first[key] = (m, at, {(s.start, s.end) for s in m.sources})
            out.append(m)
            continue
        host, host_at, spans = held
        if at == host_at or not _untold(host, m):
            out.append(m)
            continue
        for src in m.sources:
            if (src.start, src.end) not in spans:
                spans.add((src.start, src.end))
                host.sources.append(src)
        for f in TOLD_APART:
            if getattr(host, f) is None:
                setattr(host, f, getattr(m, f))
        host.confidence = max(host.confidence, m.confidence)
    return out


def _parties(m: Mention) -> tuple[frozenset[str], frozenset[str]]:
    """Who a mention is about: its Swedish bodies and the keys of its partners abroad (order and spelling
    aside)."""
    return frozenset(sw.name for sw in m.swedish_partners), frozenset(map(partner_key, m.international_partners))


def _untold(a: Mention, b: Mention) -> bool:
    """Whether nothing the two state tells them apart."""
    return all(getattr(a, f) is None or getattr(b, f) is None or getattr(a, f) == getattr(b, f)
               for f in TOLD_APART)


def _titled_mentions(page: Page, blocks: list[Block], ctx: PageContext, titles: list[TitleCandidate],
                     scored: list[ScoredPair], mentions: list[Mention], covered: set[tuple[str, str]],
                     model: PairModel, lists: NameLists, by_key: dict[str, list[ScoredPair]]) -> list[Mention]:
    """A project mention for each title the model believes names a project and no rule mention has: it
    goes to the rule mention of its item that has no title yet, else it is a mention of its own, with
    the pair its item (else its page) believes most in."""
    out: list[Mention] = []
    have = {norm_key(m.title) for m in mentions if m.title}
    pair_items = [_items_of(blocks, s) for s in scored] if titles else []
    owned = [(src.start, src.end) for m in mentions if m.title for src in m.sources]
    for t in titles:
        p_title = model.title.probability(t.features)
        if p_title < model.title.threshold or t.key in have:
            continue
        if any(a <= t.start < b for a, b in owned):
            continue  # inside the text of a project that has its name: a name it mentions, not another project
        item = blocks[t.block].item
        local = [s for s, items in zip(scored, pair_items) if item in items]
        block = blocks[t.block]
        under = [b for b in blocks[t.block:] if b.item == item and b.section == block.section]
        lo, hi = block.start, max(b.end for b in under)
        # the pair the name's own sentence writes first, then one its block writes, then one whose partner
        # abroad is written in the name's section (a card's heading and the text under it), then its item's
        best = max(local, key=lambda s: (any(a <= t.start < b for a, b in s.pair.units),
                                         any(block.start <= a < block.end for a, _b in s.pair.units),
                                         any(lo <= a < hi for a, _b in s.pair.spans),
                                         max(s.project, s.partner)), default=None)
        if best is None or max(best.project, best.partner) < model.partner.threshold:
            continue  # a name whose own item pairs nobody the model believes in names no project here
        pair_key = (best.pair.swedish.name, best.pair.key)
        host = next((m for m in mentions if not m.title and m.sources and _item_at(blocks, m.sources[0].start) == item
                     and any(sw.name == pair_key[0] for sw in m.swedish_partners)
                     and pair_key[1] in {partner_key(n) for n in m.international_partners}), None)
        confidence = min(p_title, max(best.project, best.partner))
        have.add(t.key)
        if host is not None:
            host.title = t.text
            host.confidence = max(host.confidence, confidence)
            continue
        section = [b for b in under if b.kind in ("prose", "bullet", "heading", "title")]
        body = section if blocks[t.block].kind in ("heading", "title") else [blocks[t.block]]
        m = new_mention(ctx, body, None, via="title")
        m.title = t.text
        set_partners(m, [best.pair.swedish], [ForeignName(best.pair.name, t.start, t.end, best.pair.country)],
                     None, ctx)
        m.confidence = confidence
        covered.add(pair_key)
        covered.update((best.pair.swedish.name, k) for k in _add_list_siblings(m, lists, by_key, ctx))
        out.append(m)
    return out


def _block_at(blocks: list[Block], offset: int) -> int | None:
    """The index of the block that holds offset (blocks are in page order and do not overlap)."""
    i = bisect_right(blocks, offset, key=lambda b: b.start) - 1
    return i if i >= 0 and offset < blocks[i].end else None


def _item_at(blocks: list[Block], offset: int) -> int | None:
    """The item of the block that holds offset."""
    i = _block_at(blocks, offset)
    return blocks[i].item if i is not None else None


def _items_of(blocks: list[Block], s: "ScoredPair") -> set[int | None]:
    return {_item_at(blocks, a) for a, _b in (s.pair.units or [s.pair.focus])}


def _adopt_pair(m: Mention, scored: list[ScoredPair]) -> None:
    """A rule mention with no partner abroad takes the pair written inside its own text that the model
    believes in most (its Swedish body's first), if any."""
    if not m.sources:
        return
    lo, hi = min(s.start for s in m.sources), max(s.end for s in m.sources)
    bodies = {sw.name for sw in m.swedish_partners}
    inside = [s for s in scored if any(lo <= a < hi for a, _b in (s.pair.units or [s.pair.focus]))]
    if not inside:
        return
    best = max(inside, key=lambda s: (s.pair.swedish.name in bodies, max(s.project, s.partner)))
    if best.pair.swedish.name not in bodies:
        m.swedish_partners = [best.pair.swedish] + list(m.swedish_partners)
    m.international_partners = [best.pair.name]
    if best.pair.country:
        m.partner_countries = {best.pair.name: best.pair.country}
        m.countries = [best.pair.country]


def _choose_partner(m: Mention, blocks: list[Block], scored: list[ScoredPair]) -> None:
    """A rule mention whose partner abroad the rules guessed (the page's one partner: a titled bullet, a
    'Project: X' line) takes the partner abroad the model believes its Swedish body works with, in its item
    first; its confidence is that belief (the rules saw the project, the model chooses the pair)."""
    bodies = {sw.name for sw in m.swedish_partners}
    item = _item_at(blocks, m.sources[0].start) if m.sources else None
    own = [s for s in scored if not bodies or s.pair.swedish.name in bodies]
    if not own:
        return
    best = max(own, key=lambda s: (item in _items_of(blocks, s), max(s.project, s.partner)))
    m.international_partners = [best.pair.name]
    m.partner_countries = {best.pair.name: best.pair.country} if best.pair.country else {}
    m.countries = [best.pair.country] if best.pair.country else []
    if best.pair.swedish.name not in bodies:
        m.swedish_partners = [best.pair.swedish]
    m.confidence = max(best.project, best.partner)


@dataclass(slots=True)
class NameLists:
    """The lists of names abroad a page writes ('Kisumu, Nyeri och Eldoret'): every name written in a list of
    two or more, in page order, with the list it belongs to."""

    items: list[tuple[int, int, str, int]]  # (start, end, partner key, list number)
    members: list[list[str]]                # the partner keys of each list, in page order


def name_lists(text: str, scored: list[ScoredPair]) -> NameLists:
    """The page's lists of names abroad: candidates whose occurrences only a list gap (a comma, 'och',
    'and', …) separates. One pass over the page's candidate spans."""
    spans = sorted({(a, b, s.pair.key) for s in scored for a, b in s.pair.spans})
    gap = list_gap()
    chains: list[list[tuple[int, int, str]]] = []
    for span in spans:
        last = chains[-1][-1] if chains else None
        if last is not None and last[1] <= span[0] and gap.fullmatch(text, last[1], span[0]):
            chains[-1].append(span)
        else:
            chains.append([span])
    lists = [c for c in chains if len({k for _a, _b, k in c}) > 1]
    items = [(a, b, k, n) for n, c in enumerate(lists) for a, b, k in c]
    return NameLists(items, [list(dict.fromkeys(k for _a, _b, k in c)) for c in lists])


def _add_list_siblings(m: Mention, lists: NameLists, by_key: dict[str, list[ScoredPair]], ctx: PageContext
                       ) -> list[str]:
    """A mention's partners abroad with the names written in one list with one of them inside its own text
    ('the municipalities A, B, C and D work with …'): the GUIDE's one cooperation of several partners is
    one record, and a list is the page saying so, more than the model's belief in each pair alone. A name
    joins when one of the mention's Swedish bodies is paired with it at LIST_SIBLING_MIN or more as partners.
    Returns the partner keys after."""
    keys = [partner_key(n) for n in m.international_partners]
    if not keys or not m.sources or not lists.items:
        return keys
    wanted = set(keys)
    joined: set[int] = set()
    for src in m.sources:
        i = bisect_right(lists.items, src.start - 1, key=lambda item: item[0])
        while i < len(lists.items) and lists.items[i][0] < src.end:
            a, b, key, n = lists.items[i]
            if b <= src.end and key in wanted:
                joined.add(n)
            i += 1
    bodies = {sw.name for sw in m.swedish_partners}
    for key in (k for n in sorted(joined) for k in lists.members[n] if k not in wanted):
        own = [s for s in by_key.get(key, ()) if (not bodies or s.pair.swedish.name in bodies)
               and s.partner >= LIST_SIBLING_MIN]
        if not own or key in keys:
            continue
        p = max(own, key=lambda s: s.partner).pair
        set_partners(m, m.swedish_partners, [ForeignName(p.name, p.focus[0], p.focus[1], p.country)], None, ctx)
        keys.append(key)
    return keys


def _repartner(m: Mention, keys: list[str], blocks: list[Block], scored: list[ScoredPair], model: PairModel) -> None:
    """A rule mention whose pairs the model rejects takes the partner abroad the model believes its Swedish
    body works with in the same item (a bullet list read with the page's other partner), if there is one."""
    if not m.sources or not m.swedish_partners:
        return
    item = _item_at(blocks, m.sources[0].start)
    bodies = {sw.name for sw in m.swedish_partners}
    alternatives = [s for s in scored if s.pair.swedish.name in bodies and s.pair.key not in keys
                    and s.project >= model.project.threshold and item in _items_of(blocks, s)]
    if not alternatives:
        return
    best = max(alternatives, key=lambda s: s.project)
    m.international_partners = [best.pair.name]
    m.partner_countries = {best.pair.name: best.pair.country} if best.pair.country else {}
    m.countries = [best.pair.country] if best.pair.country else []
    m.confidence = best.project


def text_fingerprint(text: str, sources: list[Source]) -> str:
    """A hash of what a mention was read from: its sources' text in page order, case-folded, every run of
    non-letters one space. The same card on another page, under other chrome or another file name, gives
    the same fingerprint; other words give another. decide leaves out headings (when the item has more
    than headings): the first card of a listing takes the page's own headline as a source, so moving a card
    to the top would change it, and a title keys its record itself."""
    words = " ".join(text[s.start:s.end] for s in sorted(sources, key=lambda s: (s.start, s.end)))
    normal = " ".join(FINGERPRINT_SPLIT.split(words.casefold())).strip()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:16]


def _since(text: str, units: PageUnits, p: PairCandidate,
           others: Callable[[PairCandidate], re.Pattern | None]) -> int | None:
    """The earliest since-year of the pair's rule statements, its own sentences, and the sentences near
    those that refer back to it ('X och Y samarbetar om vatten. Samarbetet inleddes 2013.'): a partnership
    word by the year, and an anaphor or one of the two names. The walk from the pair's sentence stops at a
    sentence naming another partner abroad of the page (`others(p)`): what follows is about that one."""
    years = [p.since_year] if p.since_year else []
    for a, b in p.units:
        if not _twin_towns_only(text[a:b]):
            years.extend(since_years(text[a:b]))
    own = set(p.units)
    # the sentences near enough that state a partnership's year; only when there is one are the names
    # that stop the walk compiled (most pairs have none: compiling them for every pair cost a tenth of a run)
    window = {n for a, _b in p.units for n in _near_sentences(text, units, a, None)} - own
    dated = {(s, e) for s, e in window if not _twin_towns_only(text[s:e]) and since_about_partnership(text[s:e])
             and since_years(text[s:e])}
    if dated:
        names = name_stems([p.swedish.name, p.name])
        stop = others(p)
        near = {n for a, _b in p.units for n in _near_sentences(text, units, a, stop)} & dated
        for s, e in sorted(near):
            sent = text[s:e]
            if PAIR_ANAPHOR.search(sent) or (names is not None and names.search(sent)):
                years.extend(since_years(sent))
    return min(years) if years else None


PARTNERSHIP_NOUN = re.compile(r"\b(?:partnerskap\w*|partnership\w*)", re.IGNORECASE)


def _twin_towns_only(sentence: str) -> bool:
    """'X och Y har varit vänorter sedan 1994': a twin-town tie's year, not the partnership's (a twin-town
    agreement signed within the partnership programme is one)."""
    return bool(triggers()["twin_town"].search(sentence)) and not PARTNERSHIP_NOUN.search(sentence)


PAIR_ANAPHOR = re.compile(rf"\b(?:{since_phrases()['pair_anaphor']})\b", re.IGNORECASE)
NEAR_BEFORE, NEAR_AFTER = 1, 2  # sentences read before and after a pair's own


def _near_sentences(text: str, units: PageUnits, a: int, others: re.Pattern | None) -> list[tuple[int, int]]:
    """Page offsets of the prose or bullet sentences near the one at offset a, in its item and section
    (across a paragraph break: 'X and Y signed …' then, below, 'The partnership began in …'), each way up
    to one that names another partner (`others`)."""
    at = units.at(a)
    if at is None:
        return []
    out = []
    for step, reach in ((-1, NEAR_BEFORE), (1, NEAR_AFTER)):
        for k in range(at.index + step, at.index + step * (reach + 1), step):
            if not 0 <= k < len(units.units):
                break
            u = units.units[k]
            if u.item != at.item or u.section != at.section or u.kind not in ("prose", "bullet"):
                break
            if others is not None and others.search(text, u.start, u.end):
                break
            out.append((u.start, u.end))
    return out


def _names_pattern(foreign: frozenset[str], swedish: tuple[str, ...]) -> re.Pattern | None:
    """Partners abroad by their whole keys and Swedish bodies by their stems (name_stems), any case."""
    alts = [rf"\b{re.escape(n)}\b" for n in sorted(foreign, key=len, reverse=True) if n]
    stems = name_stems(list(swedish))
    if stems is not None:
        alts.append(stems.pattern)
    return re.compile("|".join(alts), re.IGNORECASE) if alts else None


def _candidate_row(page: Page, s: ScoredPair, model: PairModel) -> dict:
    p = s.pair
    return {"file": page.file, "swedish_partner": p.swedish.name, "swedish_partner_code": p.swedish.code,
            "international_partner": p.name, "country": p.country,
            "partner_score": round(s.partner, 4), "project_score": round(s.project, 4),
            "start": p.focus[0], "end": p.focus[1],
            "evidence": model.project.reasons(p.features) if s.project >= s.partner
            else model.partner.reasons(p.features)}


def _new_mentions(page: Page, blocks: list[Block], ctx: PageContext, scored: list[ScoredPair],
                  covered: set[tuple[str, str]], model: PairModel, lists: NameLists,
                  by_key: dict[str, list[ScoredPair]]) -> list[Mention]:
    """Project mentions for the pairs no rule mention names (see the module docstring)."""
    threshold = model.project.threshold
    accepted = [s for s in scored if s.project >= threshold]
    groups = _joined(page.text, accepted)
    out: list[Mention] = []
    for group in groups:
        if any((s.pair.swedish.name, s.pair.key) in covered for s in group):
            continue  # a rule mention already tells of this cooperation
        m = _mention(page, blocks, ctx, group)
        bodies = [sw.name for sw in m.swedish_partners]
        covered.update((b, k) for b in bodies for k in _add_list_siblings(m, lists, by_key, ctx))
        out.append(m)
    for s in scored:
        if MIN_KEPT <= s.project < threshold and (s.pair.swedish.name, s.pair.key) not in covered:
            out.append(_mention(page, blocks, ctx, [s]))
    return out


def _joined(text: str, accepted: list[ScoredPair]) -> list[list[ScoredPair]]:
    """Accepted pairs grouped where one sentence names both partners abroad of one Swedish body ('Sundays
    River Valley Municipality och Sarah Baartman District Municipality'), or both Swedish bodies of one
    partner abroad ('Region Västerbotten, Umeå Municipality and Kisumu County'): one cooperation (connected
    components, in page order). Measured: asking the partners abroad to be written as one list ('X och Y')
    rather than only to share a sentence lost more real records (one cooperation split) than it saved."""
    n = len(accepted)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            a, b = accepted[i].pair, accepted[j].pair
            if (a.swedish.name == b.swedish.name or a.key == b.key) and set(a.units) & set(b.units):
                parent[find(i)] = find(j)
    comps: dict[int, list[ScoredPair]] = {}
    for i in range(n):
        comps.setdefault(find(i), []).append(accepted[i])
    return sorted(comps.values(), key=lambda g: min(s.pair.focus for s in g))


def _mention(page: Page, blocks: list[Block], ctx: PageContext, group: list[ScoredPair]) -> Mention:
    """A mention of a group of pairs, over the sentences that name them (its values from their blocks)."""
    spans = sorted({u for s in group for u in (s.pair.units or [s.pair.focus])})
    body = [b for b in blocks if b.kind in ("prose", "bullet", "heading", "title")
            and any(b.start <= a < b.end for a, _ in spans)]
    m = new_mention(ctx, body, None, via="pair")
    fill_from_project_sentences(m, item_stretch(blocks, body), ctx)
    m.sources = [Source(page.file, a, b) for a, b in spans]
    m.title = find_title(body)
    swedish: list[Partner] = []
    foreign: list[ForeignName] = []
    for s in group:
        if s.pair.swedish not in swedish:
            swedish.append(s.pair.swedish)
        if all(f.name != s.pair.name for f in foreign):
            foreign.append(ForeignName(s.pair.name, s.pair.focus[0], s.pair.focus[1], s.pair.country))
    set_partners(m, swedish, foreign, None, ctx)
    m.confidence = min(s.project for s in group)
    return m


# one phase, not a count of them ('tio projekt och förstudier'): a singular pre-study or inception
ONE_PHASE = re.compile(r"\b(?:\w*förstudie(?:n|projekt(?:et)?)?|pre-?study|inception(?!\s+phases)(?:\s+phase)?|"
                       r"förberedelseprojekt(?:et)?|förprojekt(?:et)?|preparatory\s+phase|planeringsprojekt(?:et)?)\b",
                       re.IGNORECASE)

PARENTHESIS = re.compile(r"\s*\([^)]*\)")
MIN_CLAUSE_WORDS = 5  # a project's clause is a sentence, not a label ('EU-projekt', a menu's 'Projekt')


def _project_words(text: str) -> list[re.Match]:
    """The words for one project in text that are not a phase's ('inception phase project'), a role's
    ('project manager')."""
    role = cue_patterns()["project_role"]
    return [w for w in OTHER_PROJECT.finditer(text)
            if not PRESTUDY.search(text, max(0, w.start() - 30), w.end()) and not role.match(text, w.end())]


def _phase_and_project(text: str, act: re.Pattern, prospect: re.Pattern) -> tuple[tuple[int, int] | None,
                                                                                  tuple[int, int] | None]:
    """A sentence's clause that tells of one phase with an act of its own, and its clause that tells of a
    project that is not the phase and not only a prospect ('Efter en förstudie 2019, då parterna kartlade
    läckorna, beviljades ett treårigt projekt'): (start, end) in the sentence, or None. A comma before the project's
    word, after the phase's, parts the two."""
    hit = ONE_PHASE.search(text)
    words = _project_words(text)
    project = (0, len(text)) if words and not prospect.search(text) and len(text.split()) >= MIN_CLAUSE_WORDS else None
    if hit is None:
        return None, project
    turn = next((w for w in words if w.start() > hit.end()), None)
    comma = text.rfind(", ", hit.end(), turn.start()) if turn is not None else -1
    phase_end = comma if comma >= 0 else len(text)
    if project is not None and comma >= 0:
        project = (comma + 2, len(text))
    elif project is not None and not any(w.start() < hit.start() for w in words):
        project = None  # the sentence's only project word is part of the phase's clause
    # the phase's clause starts after a comma or a project's word (and its period) before the phase's word:
    # 'The three-year project (2022-2024) builds on a pre-study …' dates the project, not the phase
    comma_before = text.rfind(", ", 0, hit.start())
    phase_start = max([comma_before + 2 if comma_before >= 0 else 0] + [w.end() for w in words if w.end() <= hit.start()])
    parens = PARENTHESIS.match(text, phase_start)
    phase_start = parens.end() if parens else phase_start
    phase = (phase_start, phase_end) if act.search(text, phase_start, phase_end) else None
    return phase, project



@lru_cache(maxsize=1)
def _phase_patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    """What speaks of a pair (the since phrases' pair_anaphor, pair_cues.json's partners_anaphor), a
    phase's own act (phase_act), and what makes a project only a prospect (future, phase_prospect)."""
    cues = cue_patterns()
    return (re.compile(f"{PAIR_ANAPHOR.pattern}|{cues['partners_anaphor'].pattern}", re.IGNORECASE),
            cues["phase_act"],
            re.compile(f"{cues['future'].pattern}|{cues['phase_prospect'].pattern}", re.IGNORECASE))


def _is_phase(m: Mention) -> bool:
    return m.kind == "prestudy" or bool(m.title and PRESTUDY.search(m.title))


def _phase_mentions(page: Page, blocks: list[Block], units: PageUnits, ctx: PageContext,
                    mentions: list[Mention], scored: list[ScoredPair], threshold: float) -> list[Mention]:
    """The GUIDE's two records of one pair: a pre-study or inception phase with an act of its own (a year,
    a grant, started or carried out: pair_cues.json's phase_act) and the project it leads to. Where the
    page has only one of them for a pair (the model's project, or the rules' prestudy paragraph) and the
    pair's text tells of the other too, the other becomes a mention of its own over its clause.

    The pair's text is its item, or only the mention's own text when the item tells of other pairs too
    (a listing's cards, an article about several). A project's sentence must speak of the pair (name
    it, or 'parterna', 'the two', 'both': partners_anaphor and the since phrases' pair_anaphor) and be
    more than a prospect ('ska visa om …', 'their ambition is …', 'inte': future and phase_prospect
    words); a phase told only as background (no act of its own) stays part of its project; a clause
    that names another party of the page is not the pair's."""
    about, act, prospect = _phase_patterns()
    believed = [m for m in mentions if m.confidence >= threshold and m.international_partners and m.sources]
    items_of = [{i for i in (_item_at(blocks, s.start) for s in m.sources) if i is not None} for m in believed]
    parties_of = [_parties(m) for m in believed]
    keys_of = [keys for _bodies, keys in parties_of]
    first: dict[tuple, int] = {}  # the first believed mention of each pair
    by_party: dict[tuple[str, str], list[int]] = {}  # the believed mentions naming a body and a partner abroad
    for n, (bodies, keys) in enumerate(parties_of):
        first.setdefault((bodies, keys), n)
        for party in {(b, k) for b in bodies for k in keys}:
            by_party.setdefault(party, []).append(n)
    told = [(x, *_parties(x)) for x in mentions]  # each mention's parties, read once: is a clause told already?
    units_of_item: dict[int, list[Unit]] = {}
    for u in units.units:
        if u.kind in ("prose", "bullet"):
            units_of_item.setdefault(u.item, []).append(u)
    # the page's parties abroad and Swedish bodies the model gives some belief as partners
    named = [s.pair for s in scored if s.partner >= LIST_SIBLING_MIN]
    named_keys, named_bodies = {p.key for p in named}, {p.swedish.name for p in named}
    out: list[Mention] = []
    for (bodies, keys), n in first.items():
        m, items = believed[n], items_of[n]
        # in an item that tells of other pairs too (a listing's cards, an article about several), only the
        # mention's own text tells of its pair's phase or project
        shared = any(not keys & keys_of[x] and items & items_of[x] for x in range(len(believed)))
        own = [(s.start, s.end) for s in m.sources] if shared else [(0, len(page.text))]
        also = [believed[n] for n in sorted({n for b in bodies for k in keys for n in by_party[(b, k)]})]
        want_phase = not _is_phase(m)
        names = _names_pattern(frozenset(keys), tuple(bodies))
        if (want_phase and any(_is_phase(x) for x in also)) or (not want_phase and len(also) > 1):
            continue  # the pair has both already (in a mention of its own or one it shares)
        phase: tuple[int, int, Unit] | None = None
        project: tuple[int, int, Unit] | None = None
        for u in sorted((u for i in items for u in units_of_item.get(i, ())), key=lambda u: u.start):
            if not any(lo <= u.start < hi for lo, hi in own):
                continue
            ph, pj = _phase_and_project(page.text[u.start:u.end], act, prospect)
            if pj and not (about.search(page.text, u.start, u.end) or (names and names.search(page.text, u.start, u.end))):
                pj = None  # a project of the page that the sentence does not tie to the pair
            if ph and phase is None:
                phase = (u.start + ph[0], u.start + ph[1], u)
            if pj and project is None:
                project = (u.start + pj[0], u.start + pj[1], u)
        if want_phase and phase is not None and (project is not None or m.title):
            kind, span = "prestudy", phase
        elif not want_phase and project is not None:
            kind, span = "project", project
        else:
            continue
        a, b, u = span
        if any(x is not m and bodies & x_bodies and keys & x_keys and any(s.start <= a < s.end for s in x.sources)
               for x, x_bodies, x_keys in told):
            continue  # another mention of the pair tells of it already
        others = _names_pattern(frozenset(k for k in named_keys if k not in keys), tuple(named_bodies - bodies))
        if (others is not None and others.search(page.text, a, b)) \
                or {p.name for p, *_ in swedish_bodies(page.text[a:b])} - bodies:
            continue  # a clause about another pair of the page, or another Swedish body's
        block = blocks[u.block]
        sub = Block(block.file, a, b, page.text[a:b], block.kind, block.item, block.section, block.language)
        new = new_mention(ctx, [sub], None, kind=kind, via="phase")
        set_partners(new, m.swedish_partners, [ForeignName(n, a, b, m.partner_countries.get(n))
                                               for n in m.international_partners], None, ctx)
        new.confidence = m.confidence
        out.append(new)
    return out
