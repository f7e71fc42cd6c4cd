"""Extract: turn one page's blocks into project mentions and partnership statements.

Rules propose, a model trained on labelled real pages decides. The modules, in data-flow order:

1. units: the page's sentences, with the line, block, section and item each lies in;
2. parties: the Swedish bodies the page names, its owner, and the anaphors that refer to it;
3. candidates: every span that could name a local government abroad (recall first);
4. proposals: the structure rules (cards, footers, party headings, bullets, title lines, grant
   sentences) propose project mentions and partnership statements;
5. features: every (Swedish body, partner abroad) pair of the page, described for the model;
6. titles: every span that could be a project's own name, described for the model;
7. scoring: the model (data/pair_model.json) scores each pair as partners and as a project, and
   each title candidate as a project's name;
8. records: the scores make mentions and statements, each with its confidence.

`analyse` runs 1-6 (what the rules and candidates propose; no model needed), `decide` runs 7-8;
`extract_page` is both, and the pipeline's one entry point into the stage.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from kp_extract.model import Block, Page
from kp_extract.lexicon.partners import partner_key
from kp_extract.stages.s5_extract.candidates import Candidate, find_candidates, page_aliases
from kp_extract.stages.s5_extract.features import PairCandidate, page_pairs
from kp_extract.stages.s5_extract.parties import Parties, SwedishParty, find_parties
from kp_extract.stages.s5_extract.proposals import PageResult, propose
from kp_extract.stages.s5_extract.records import decide as _decide
from kp_extract.stages.s5_extract.scoring import PairModel, load_model
from kp_extract.stages.s5_extract.titles import TitleCandidate, title_candidates
from kp_extract.stages.s5_extract.units import PageUnits, page_units

from kp_extract import DATA_DIR

__all__ = ["PageAnalysis", "PageResult", "analyse", "decide", "extract_page"]


@dataclass(slots=True)
class PageAnalysis:
    """What a page proposes before any decision: its units, parties, candidates, the rules' proposals
    and the pairs they make."""

    page: Page
    blocks: list[Block]
    units: PageUnits
    parties: Parties
    candidates: list[Candidate]
    proposed: PageResult
    pairs: list[PairCandidate]
    titles: list[TitleCandidate]


@lru_cache(maxsize=1)
def programme_countries() -> frozenset[str]:
    """ISO codes of the programme's partner countries (data/partner_countries.csv)."""
    import csv

    with open(DATA_DIR / "partner_countries.csv", encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return frozenset(row["iso2"] for row in rows if row.get("iso2"))


def analyse(page: Page, blocks: list[Block]) -> PageAnalysis:
    """Stages 1-6 for one page."""
    proposed = propose(page, blocks)
    _rename_rule_partners(proposed, tidy_name)
    ctx = proposed.context
    language = ctx.language if ctx is not None else "sv"
    known = {k: tidy_name(v) for k, v in ctx.known.items()} if ctx is not None else {}
    units = page_units(blocks, language)
    parties = find_parties(page, blocks)
    found: list[Candidate] = []
    for b in blocks:
        if b.kind == "chrome":
            continue
        for c in find_candidates(b.text, b.language or language, known):
            found.append(Candidate(c.name, c.key, b.start + c.start, b.start + c.end, c.country, c.evidence,
                                   c.population))
    aliases = page_aliases(found)
    if aliases:
        found = [_aliased(c, aliases) for c in found]
        _rename_rule_partners(proposed, lambda name: aliases.get(partner_key(name), (name, name))[1])
    found.extend(_rule_candidates(page, proposed, found, parties))
    pairs = page_pairs(page, blocks, units, parties, found, proposed.mentions, proposed.partnerships,
                       programme_countries())
    titles = title_candidates(blocks, proposed.mentions, bool(page.metadata.get("listing_filter")))
    return PageAnalysis(page, blocks, units, parties, found, proposed, pairs, titles)


_DROPPED = frozenset({"sv_designation", "genitive", "demonym"})


@lru_cache(maxsize=65536)
def tidy_name(name: str) -> str:
    """A partner abroad's name as the GUIDE tidies it: a Swedish designation ('Rombo-distriktet'), a genitive
    -s or an inhabitant word dropped, as the candidate scan reads the name on its own; else the name."""
    found = find_candidates(name)
    if found and found[0].start == 0 and found[0].evidence & _DROPPED:
        return found[0].name
    return name


def _rename_rule_partners(proposed: PageResult, rename: Callable[[str], str]) -> None:
    """The rules' names abroad, renamed, in their mentions (with their countries) and statements: tidied
    (tidy_name), and under the name of the partner they are a part of (candidates.page_aliases), so that a
    rule's pair and the candidates' pair are one pair."""
    for m in proposed.mentions:
        names = [rename(n) for n in m.international_partners]
        if names != m.international_partners:
            m.partner_countries = {rename(n): iso for n, iso in m.partner_countries.items()}
            m.international_partners = list(dict.fromkeys(names))
    for s in proposed.partnerships:
        s.international_partner = rename(s.international_partner)


def _aliased(c: Candidate, aliases: dict[str, tuple[str, str]]) -> Candidate:
    """The candidate under the key and name of the partner it is a part of (candidates.page_aliases)."""
    if c.key not in aliases:
        return c
    key, name = aliases[c.key]
    return Candidate(name, key, c.start, c.end, c.country, c.evidence, c.population)


def _rule_candidates(page: Page, proposed: PageResult, found: list[Candidate], parties: Parties) -> list[Candidate]:
    """The partners abroad (and Swedish bodies) the rules named that the scan did not find, placed where the
    rules read them: every rule pair is scored."""
    keys = {c.key for c in found}
    bodies = {m.partner.name for m in parties.mentions}
    out: list[Candidate] = []
    places: list[tuple[list[str], list, int, int, str | None]] = []
    for m in proposed.mentions:
        if m.sources:
            src = m.sources[0]
            places.append((m.international_partners, m.swedish_partners, src.start, src.end, None))
    for s in proposed.partnerships:
        places.append(([s.international_partner], [s.swedish_partner], s.source.start, s.source.end, s.country))
    for names, swedish, start, end, country in places:
        for name in names:
            key = partner_key(name)
            if key not in keys:
                keys.add(key)
                out.append(Candidate(name, key, start, end, country, frozenset({"rule"})))
        for sw in swedish:
            if sw.name not in bodies:
                bodies.add(sw.name)
                parties.mentions.append(SwedishParty(sw, start, end, "name"))
    parties.mentions.sort(key=lambda m: (m.start, m.end))
    return out


def decide(analysis: PageAnalysis, model: PairModel | None = None) -> PageResult:
    """Stages 7-8: the model's decisions over an analysis."""
    return _decide(analysis.page, analysis.blocks, analysis.units, analysis.proposed, analysis.pairs, analysis.titles,
                   model or load_model())


def extract_page(page: Page, blocks: list[Block], model: PairModel | None = None) -> PageResult:
    """All project mentions and partnership statements of one page, each with its confidence."""
    return decide(analyse(page, blocks), model)
