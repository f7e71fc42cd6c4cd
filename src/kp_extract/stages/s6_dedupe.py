"""Dedupe: merge mentions of one project into records, and pairs into partnerships.

The GUIDE's rule: two mentions are one record when they share the title (case
and punctuation aside) and no partner abroad contradicts it, or share the same
Swedish and international partners and the same explicit start and end years. A card that
another page repeats word for word (same pair, same text fingerprint) is that card again and
merges too. Mentions that only share partners stay apart and list each other in
`possible_duplicates`. Before merging, each partner abroad takes the fullest
form of its name seen anywhere, and mentions with no country take the country
the corpus ties to their partners.

Where a record's sources disagree, the record keeps the value the GUIDE's rule picks and lists the
disagreement in `conflicts` (see *Conflicts* below for what counts as one, field by field).
"""
from __future__ import annotations

import hashlib
import heapq
import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import cache, lru_cache
from itertools import chain, islice
from operator import attrgetter
from typing import Any

from kp_extract.lexicon.gazetteer import place_country
from kp_extract.model import (Conflict, ConflictValue, Mention, Partner, Partnership, PartnershipMention, Project,
                              Source)
from kp_extract.lexicon.partners import fuller, norm_key, partner_key


def prepare() -> None:
    """Load the tables dedupe needs (the world's place names) ahead of time. pipeline.run calls it in
    a thread while the workers extract, when the main process has little else to do."""
    place_country("")


def title_key(title: str | None) -> str | None:
    """Titles compare without case, punctuation or spacing."""
    return norm_key(title) or None if title else None


class Keys:
    """partner_key, title_key and place_country of each distinct string, computed once per dedupe run.
    Why: a run keys one partner's name about ten times (countries, merging, the record, its possible
    duplicates, its partnerships) and keying (NFKC, casefold, a regex) was a third of dedupe's time.
    Per run rather than per process, so the memo goes when the run ends and a function called on its
    own does work in proportion to its input. Each attribute is the function it memoises."""

    def __init__(self) -> None:
        self.partner = cache(partner_key)
        self.title = cache(title_key)
        self.place = cache(place_country)


def _union(group: list[Mention], field: attrgetter) -> list:
    """The items of field(m) for m in group in order of first appearance, without repeats: model.unique
    over their concatenation, for hashable items (a dict keeps the first of equal keys), in C. Most
    records come from one mention whose list has at most one item: that list is copied as it is."""
    if len(group) == 1:
        values = field(group[0])
        return list(values) if len(values) < 2 else list(dict.fromkeys(values))
    return list(dict.fromkeys(chain.from_iterable(map(field, group))))


def _unique_partners(partners: Iterable[Partner | None]) -> list[Partner]:
    """model.unique_partners (the first Partner of each name, None skipped) by a dict, not a list scan."""
    first: dict[str, Partner] = {}
    for p in partners:
        if p and p.name not in first:
            first[p.name] = p
    return list(first.values())


# Source's own order and hash (dataclass order=True, frozen) compare and hash (file, start, end) in
# generated Python methods; as a key the same tuple compares and hashes in C. Two Sources are equal
# exactly when their keys are, so deduplicating and sorting by key is the same as by Source.
_source_order = attrgetter("file", "start", "end")


def _sorted_sources(sources: Iterable[Source]) -> list[Source]:
    """sorted(set(sources)), by key."""
    by_key = {_source_order(s): s for s in sources}
    return [by_key[k] for k in sorted(by_key)]


def _year(date: str | None) -> str | None:
    return date[:4] if date else None


def fullest_names(mentions: list[Mention], keys: Keys | None = None) -> dict[str, str]:
    """partner_key -> the fullest form of that partner's name in these mentions."""
    key_of = (keys or Keys()).partner
    names: dict[str, str] = {}
    for m in mentions:
        for name in m.international_partners:
            key = key_of(name)
            names[key] = fuller(names[key], name) if key in names else name
    return names


def partner_countries(mentions: list[Mention], statements: list[PartnershipMention],
                      keys: Keys | None = None) -> dict[str, str]:
    """partner_key -> country, first one the corpus states."""
    key_of = (keys or Keys()).partner
    out: dict[str, str] = {}
    for m in mentions:
        for name, iso in m.partner_countries.items():
            out.setdefault(key_of(name), iso)
    for s in statements:
        if s.country:
            out.setdefault(key_of(s.international_partner), s.country)
    return out


def normalise(mentions: list[Mention], statements: list[PartnershipMention], keys: Keys | None = None
              ) -> tuple[list[Mention], list[PartnershipMention]]:
    """The mentions and statements with a country where they state none: as some page states the
    partner's, else the item's own headline or listing country, else the country of the place of that
    name. Those that need one are new objects; the given ones are left as they were."""
    keys = keys or Keys()
    countries = partner_countries(mentions, statements, keys)
    key_of, place = keys.partner, keys.place
    out_mentions = []
    for m in mentions:
        if not m.countries:
            found = [countries.get(key_of(n)) or m.context_country or place(n) for n in m.international_partners]
            m = replace(m, countries=list(dict.fromkeys(c for c in found if c)))
        out_mentions.append(m)
    out_statements = []
    for s in statements:
        if not s.country:
            country = partner_country(s.international_partner, countries, keys)
            if country:
                s = replace(s, country=country)
        out_statements.append(s)
    return out_mentions, out_statements


def partner_country(name: str, stated: dict[str, str], keys: Keys | None = None) -> str | None:
    """A partner's country: as some page states it, else the country of the place of that name."""
    if keys is None:  # one name: nothing to memoise
        return stated.get(partner_key(name)) or place_country(name)
    return stated.get(keys.partner(name)) or keys.place(name)


def party_key(m: Mention, keys: Keys | None = None) -> tuple:
    key_of = keys.partner if keys else partner_key  # one mention: nothing to memoise
    return (tuple(sorted(p.name for p in m.swedish_partners)),
            tuple(sorted(map(key_of, m.international_partners))))


def _order(m: Mention) -> tuple:
    """(file, start, end) of m's first source."""
    return min(map(_source_order, m.sources)) if m.sources else (m.file, 0, 0)


def merge_groups(mentions: list[Mention], keys: Keys | None = None) -> list[list[Mention]]:
    """Union-find over the GUIDE's two merge conditions (one title; one pair with the same explicit years),
    and a third that is no near-miss: the same pair in the same words (a repeated card, by fingerprint).
    Groups in order of first appearance."""
    keys = keys or Keys()
    key_of, title_key_of = keys.partner, keys.title
    mentions = sorted(mentions, key=_order)
    parent = list(range(len(mentions)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    by_title: dict[str, _TitleIndex] = {}
    by_party_years: dict[tuple, list[int]] = {}
    by_item: dict[tuple, list[int]] = {}
    for i, m in enumerate(mentions):
        tk = title_key_of(m.title)
        if tk:
            same = by_title.get(tk)
            if same is None:
                same = by_title[tk] = _TitleIndex()
            partners = set(map(key_of, m.international_partners))
            # one name for two different partners abroad is two projects ('Green Schools' in two cities)
            match = same.first_agreeing(partners)
            if match is not None:
                union(match, i)
            same.add(i, partners)
        if m.start_date and m.end_date and m.international_partners:
            key = party_key(m, keys) + (_year(m.start_date), _year(m.end_date))
            by_party_years.setdefault(key, []).append(i)
        if m.fingerprint and m.international_partners:
            # the same item's words again with the same years (a card a second page repeats) is the same
            # item, not a near-miss; the same words under two years' headings stay two
            by_item.setdefault(party_key(m, keys) + (_year(m.start_date), _year(m.end_date), m.fingerprint),
                               []).append(i)
    for idx in (*by_party_years.values(), *by_item.values()):
        for j in idx[1:]:
            a, b = mentions[idx[0]], mentions[j]
            ta, tb = title_key_of(a.title), title_key_of(b.title)
            if ta and tb and ta != tb:
                continue  # two different names are two projects, whatever their dates
            union(idx[0], j)
    groups: dict[int, list[Mention]] = {}
    for i, m in enumerate(mentions):
        groups.setdefault(find(i), []).append(m)
    return [groups[k] for k in sorted(groups)]


class _TitleIndex:
    """The earlier mentions of one title, indexed so that the first one whose partners abroad agree with
    a new mention's (_partners_agree) is found without looking at every earlier mention: a page that
    repeats one title for thousands of partners would otherwise make the merge quadratic."""

    def __init__(self) -> None:
        self.first: int | None = None  # the first mention: agrees with a mention naming no partner abroad
        self.first_unnamed: int | None = None  # the first naming none: agrees with every mention
        self.first_naming: dict[str, int] = {}  # partner key -> the first mention naming that partner

    def first_agreeing(self, keys: set[str]) -> int | None:
        """The first (lowest) earlier index whose partner keys agree with keys, or None."""
        if not keys:
            return self.first
        found = [self.first_naming[k] for k in keys if k in self.first_naming]
        if self.first_unnamed is not None:
            found.append(self.first_unnamed)
        return min(found, default=None)

    def add(self, i: int, keys: set[str]) -> None:
        """Index mention i (indexes are added in increasing order)."""
        if self.first is None:
            self.first = i
        if not keys and self.first_unnamed is None:
            self.first_unnamed = i
        for k in keys:
            self.first_naming.setdefault(k, i)


def _partners_agree(a: Mention, b: Mention) -> bool:
    """Partners abroad that share one, or one side that names none (the rule _TitleIndex indexes)."""
    ka = {partner_key(n) for n in a.international_partners}
    kb = {partner_key(n) for n in b.international_partners}
    return not ka or not kb or bool(ka & kb)


def _precise(dates: Iterable[str | None]) -> str | None:
    """The most precise of the dates that agree with the first one's year."""
    stated = [d for d in dates if d]
    if len(stated) < 2:  # most records: one date or none
        return stated[0] if stated else None
    year = stated[0][:4]
    return max((d for d in stated if d[:4] == year), key=len)


_INTERNATIONAL = attrgetter("international_partners")
_SWEDISH = attrgetter("swedish_partners")
_OTHERS = attrgetter("other_participants")
_COUNTRIES = attrgetter("countries")
_AREAS = attrgetter("project_areas")
_THEMES = attrgetter("themes")
_TAGS = attrgetter("tags")
_LANGUAGES = attrgetter("languages")
_SOURCES = attrgetter("sources")
_TITLE = attrgetter("title")
_SDGS = attrgetter("sdgs")
_START = attrgetter("start_date")
_END = attrgetter("end_date")
_DURATION = attrgetter("duration_years")
_AMOUNT = attrgetter("amount_sek")
_SUMMARY = attrgetter("summary")


def _first(group: list[Mention], field: attrgetter):
    """The first truthy field(m) of the group, else None."""
    return next(filter(None, map(field, group)), None)


def merge(group: list[Mention], keys: Keys | None = None) -> Project:
    """One record from a group of mentions: unions, first title, most precise dates, every source."""
    keys = keys or Keys()
    names = fullest_names(group, keys)  # the fullest form the record's own texts give
    swedish = _unique_partners(chain.from_iterable(map(_SWEDISH, group)))
    project = Project(
        record_id="",
        title=_first(group, _TITLE),
        swedish_partners=[p.name for p in swedish],
        swedish_partner_codes=[p.code for p in swedish if p.code],
        international_partners=list(dict.fromkeys(
            names[key] for key in map(keys.partner, chain.from_iterable(map(_INTERNATIONAL, group))))),
        other_participants=_union(group, _OTHERS),
        countries=_union(group, _COUNTRIES),
        project_areas=_union(group, _AREAS),
        themes=_union(group, _THEMES),
        sdgs=sorted(set(chain.from_iterable(map(_SDGS, group)))),
        start_date=_precise(map(_START, group)),
        end_date=_precise(map(_END, group)),
        duration_years=_first(group, _DURATION),
        amount_sek=_first(group, _AMOUNT),
        tags=_union(group, _TAGS),
        languages=_union(group, _LANGUAGES),
        summary=_first(group, _SUMMARY) or "",
        sources=_sorted_sources(chain.from_iterable(map(_SOURCES, group))),
        confidence=round(max(m.confidence for m in group), 3),
    )
    if len(project.swedish_partner_codes) != len(project.swedish_partners):
        project.swedish_partner_codes = [p.code or "" for p in swedish]
    project.conflicts = project_conflicts(group, keys)
    project.record_id = record_id(project, keys, min(m.fingerprint for m in group))
    return project


# json.dumps(key, ensure_ascii=False) builds a new encoder on every call (only the default options share
# one); this is that encoder, built once.
_encode_key = json.JSONEncoder(ensure_ascii=False).encode


def record_id(p: Project, keys: Keys | None = None, fingerprint: str = "") -> str:
    """A hash of the record's content key, never of file names or offsets, so that a record keeps its id
    across crawls: its title when it has one; else its Swedish partners' codes, its partners abroad (by
    key), its stated start and end years and the fingerprint of the text it was read from (the smallest of
    its mentions': a repeat of the same card elsewhere does not change it)."""
    keys = keys or Keys()
    if p.title:
        key: list[Any] = ["title", keys.title(p.title) or ""]  # norm_key(title): title_key gives None for ""
    else:
        key = ["parties", sorted(c for c in p.swedish_partner_codes if c) or sorted(p.swedish_partners),
               sorted(map(keys.partner, p.international_partners)), _year(p.start_date), _year(p.end_date),
               fingerprint]
    digest = hashlib.sha256(_encode_key(key).encode("utf-8")).hexdigest()
    return "kp-" + digest[:16]


# At most this many ids in one record's possible_duplicates (the first ones in id order). Real pages
# give a partner pair a handful of projects; a page repeating one pair thousands of times would
# otherwise give every record the ids of all the others (a list quadratic in the page).
MAX_POSSIBLE_DUPLICATES = 100
_ANY = None  # a fact a record does not state: compatible with every value


def possible_duplicates(projects: list[Project], limit: int = MAX_POSSIBLE_DUPLICATES,
                        keys: Keys | None = None) -> None:
    """Same partners, no conflicting title, dates or amount: list each other (at most `limit` ids per
    record, the first in id order), never merge. Record ids are unique (dedupe makes them so).

    Near-linear in the number of records: a record's title key, start year, end year and amount form
    its signature, a fact it does not state being a wildcard. Each record is indexed under every
    projection of its signature onto the facts it states (at most 2**4 entries), so the records
    compatible with one signature are the union of at most 2**4 disjoint sorted lists, merged lazily
    up to `limit` ids, instead of a comparison with every other record of the group."""
    keys = keys or Keys()
    key_of = keys.partner
    by_party: dict[tuple, list[Project]] = {}
    for p in projects:
        if not p.international_partners:
            continue
        key = (tuple(sorted(p.swedish_partners)), tuple(sorted(map(key_of, p.international_partners))))
        by_party.setdefault(key, []).append(p)
    for group in by_party.values():
        if len(group) > 1:  # a record alone with its parties has no one to list
            _list_compatible(group, limit, keys)
    for p in projects:
        if p.possible_duplicates:  # an empty list is sorted and unique already
            p.possible_duplicates = sorted(set(p.possible_duplicates))


def _signature(p: Project, keys: Keys | None = None) -> tuple:
    """(title, start year, end year, amount) as _compatible compares them; _ANY where p states none.
    A title is compared by its key, which may itself be None (a title of punctuation only)."""
    title_key_of = keys.title if keys else title_key
    return (("title", title_key_of(p.title)) if p.title else _ANY,
            p.start_date[:4] if p.start_date else _ANY,
            p.end_date[:4] if p.end_date else _ANY,
            p.amount_sek if p.amount_sek else _ANY)


def _stated(sig: tuple) -> tuple[int, ...]:
    return tuple(d for d, v in enumerate(sig) if v is not _ANY)


@lru_cache(maxsize=None)  # dims is a subset of (0, 1, 2, 3): at most 16 distinct calls
def _subsets(dims: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(d for i, d in enumerate(dims) if mask >> i & 1) for mask in range(1 << len(dims)))


def _list_compatible(group: list[Project], limit: int, keys: Keys | None = None) -> None:
    """Add to each record of one party group the ids of the others it is _compatible with (see
    possible_duplicates). b is compatible with a when they agree on every fact both state: with S(x)
    the facts x states, b sits in the index under (S(b), S(a) & S(b), b's values there), which is the
    key a looks up for the stated-set S(b)."""
    index: dict[tuple, list[str]] = {}
    sigs = [_signature(p, keys) for p in group]
    for p, sig in zip(group, sigs):
        stated = _stated(sig)
        for proj in _subsets(stated):
            index.setdefault((stated, proj, tuple(sig[d] for d in proj)), []).append(p.record_id)
    for ids in index.values():
        ids.sort()
    found: dict[tuple, list[str]] = {}  # signature -> the first limit + 1 compatible ids, itself included
    all_stated = _subsets((0, 1, 2, 3))
    for p, sig in zip(group, sigs):
        if sig not in found:
            mine = set(_stated(sig))
            lists = []
            for stated in all_stated:
                proj = tuple(d for d in stated if d in mine)
                compatible = index.get((stated, proj, tuple(sig[d] for d in proj)))
                if compatible:
                    lists.append(compatible)
            found[sig] = list(islice(heapq.merge(*lists), limit + 1))
        ids = found[sig]
        if p.record_id in ids:  # a record is compatible with itself; it may sort past the first limit + 1
            ids = [i for i in ids if i != p.record_id]
        p.possible_duplicates.extend(ids[:limit])


def _compatible(a: Project, b: Project) -> bool:
    """No conflicting title, start or end year, or amount (a fact only one side states is no conflict):
    the rule _list_compatible indexes, stated for one pair."""
    if a.title and b.title and title_key(a.title) != title_key(b.title):
        return False
    for x, y in ((a.start_date, b.start_date), (a.end_date, b.end_date)):
        if x and y and x[:4] != y[:4]:
            return False
    return not (a.amount_sek and b.amount_sek and a.amount_sek != b.amount_sek)


def dedupe(mentions: list[Mention], statements: list[PartnershipMention]) -> tuple[list[Project], list[Partnership], int]:
    """Records and partnerships from all mentions and statements; also returns how many mentions merged away."""
    keys = Keys()
    own_countries = [s.country for s in statements]  # before normalise lends the corpus's to those stating none
    mentions, statements = normalise(mentions, statements, keys)
    groups = merge_groups(mentions, keys)
    projects = [merge(g, keys) for g in groups]
    unique_ids(projects, groups, keys)
    possible_duplicates(projects, keys=keys)
    partnerships = build_partnerships(projects, groups, statements, keys, own_countries)
    return projects, partnerships, len(mentions) - len(groups)


def unique_ids(projects: list[Project], groups: list[list[Mention]], keys: Keys) -> None:
    """Records that share a content key (one title for two partners abroad) are told apart by their whole
    key (title, parties, years and fingerprint), never by their order, so that a page added or moved does
    not renumber them; only records equal in all of it (which the merge has not joined) get -1, -2, … in
    the order of their sources."""
    def by_whole_key(i: int) -> str:
        p = projects[i]
        whole = record_id(replace(p, title=None), keys, min(m.fingerprint for m in groups[i]))
        return "kp-" + hashlib.sha256((p.record_id + whole).encode("ascii")).hexdigest()[:16]

    for p, new_id in zip(projects, distinct_ids([p.record_id for p in projects], by_whole_key)):
        p.record_id = new_id


def distinct_ids(ids: list[str], rehash: Callable[[int], str]) -> list[str]:
    """ids with every collision settled, the same whatever the order of the items: each item of an id
    that several share gets rehash(its index) (a hash of its whole key); an id still shared after that
    gets -1, -2, … on its second, third, … item."""
    by_id: dict[str, list[int]] = {}
    for i, shared in enumerate(ids):
        by_id.setdefault(shared, []).append(i)
    out = list(ids)
    for same in by_id.values():
        if len(same) > 1:
            for i in same:
                out[i] = rehash(i)
    seen: dict[str, int] = {}
    for i, settled in enumerate(out):
        n = seen.get(settled, 0)
        seen[settled] = n + 1
        if n:
            out[i] = f"{settled}-{n}"
    return out


def _stated_country(group: list[Mention], name: str) -> str | None:
    """The first country a mention of the group ties to this partner name, or None."""
    for m in group:
        if m.partner_countries:
            country = m.partner_countries.get(name)
            if country:
                return country
    return None


def build_partnerships(projects: list[Project], groups: list[list[Mention]],
                       statements: list[PartnershipMention], keys: Keys | None = None,
                       own_countries: list[str | None] | None = None) -> list[Partnership]:
    """One record per (Swedish body, partner abroad) pair from projects and statements. own_countries: the
    country each statement states itself (before normalise gave one to those stating none; default: each
    statement's country), the only countries that can disagree (see partnership conflicts)."""
    key_of = (keys or Keys()).partner
    table: dict[tuple[str, str], Partnership] = {}
    # pair -> value -> the source lists stating it (lists of lists: a pair's projects share their mentions')
    country_claims: dict[tuple[str, str], dict[str, list[Iterable[Source]]]] = {}
    since_claims: dict[tuple[str, str], dict[int, list[Iterable[Source]]]] = {}

    def entry(sw: Partner, name: str, country: str | None) -> Partnership:
        key = (sw.name, key_of(name))
        rec = table.get(key)
        if rec is None:
            rec = table[key] = Partnership(sw.name, sw.code, name, country, None, [], [], 0.0)
        elif name != rec.international_partner:  # fuller(a, a) is a
            rec.international_partner = fuller(rec.international_partner, name)
        rec.country = rec.country or country
        return rec

    for project, group in zip(projects, groups):
        if not project.international_partners:
            continue  # no pair to record
        only_country = project.countries[0] if len(project.countries) == 1 else None
        # a partner's country does not depend on the Swedish body: found once per partner, not per pair
        partners = [(name, _stated_country(group, name) or only_country) for name in project.international_partners]
        stated = _country_claims(group, key_of)
        for sw in _unique_partners(chain.from_iterable(map(_SWEDISH, group))):
            for name, country in partners:
                rec = entry(sw, name, country)
                for iso, sources in stated.get(key_of(name), {}).items():
                    country_claims.setdefault((sw.name, key_of(name)), {}).setdefault(iso, []).extend(sources)
                rec.project_ids.append(project.record_id)
                rec.sources.extend(project.sources)
                rec.confidence = max(rec.confidence, project.confidence)
    for s, own_country in zip(statements, own_countries if own_countries is not None else
                              [s.country for s in statements]):
        rec = entry(s.swedish_partner, s.international_partner, s.country)
        pair = (s.swedish_partner.name, key_of(s.international_partner))
        if own_country:
            country_claims.setdefault(pair, {}).setdefault(own_country, []).append((s.source, *s.more_sources))
        if s.since_year:
            since_claims.setdefault(pair, {}).setdefault(s.since_year, []).append((s.source, *s.more_sources))
        if s.since_year and (rec.since_year is None or s.since_year < rec.since_year):
            rec.since_year = s.since_year
        rec.sources.append(s.source)
        rec.sources.extend(s.more_sources)
        rec.confidence = max(rec.confidence, round(s.confidence, 3))
    out = []
    for key in sorted(table):
        rec = table[key]
        rec.project_ids = sorted(set(rec.project_ids))
        rec.sources = _sorted_sources(rec.sources)
        rec.partnership_id = partnership_id(rec.swedish_partner, rec.swedish_partner_code, key[1])
        rec.conflicts = [_conflict(field, claims) for field, claims in
                         (("country", country_claims.get(key)), ("since_year", since_claims.get(key)))
                         if claims and len(claims) > 1]
        out.append(rec)
    unique_partnership_ids(out)
    return out


PARTNERSHIP_ID_PREFIX = "kp-p-"


def partnership_id(swedish_partner: str, swedish_partner_code: str | None, partner_key_abroad: str) -> str:
    """A hash of the pair's key, never of file names, offsets or the pair's projects, so that a partnership
    keeps its id across crawls: the Swedish body's official code (else its name, by norm_key: case,
    punctuation and spacing aside) and the partner abroad's partner_key (the key record_id gives it)."""
    swedish = swedish_partner_code or norm_key(swedish_partner)
    key = ["partnership", swedish, partner_key_abroad]
    return PARTNERSHIP_ID_PREFIX + hashlib.sha256(_encode_key(key).encode("utf-8")).hexdigest()[:16]


def unique_partnership_ids(partnerships: list[Partnership]) -> None:
    """Partnerships that share a key (two names of one code, a municipal company counted as its body) are
    told apart by the Swedish body's name as written, never by their order, so that a page added or moved
    does not renumber them; only pairs equal in that too get -1, -2, … in the order of their names (pairs
    are built sorted by Swedish name and partner key, which no input order changes)."""
    def by_written_name(i: int) -> str:
        p = partnerships[i]
        whole = _encode_key([p.partnership_id, p.swedish_partner])
        return PARTNERSHIP_ID_PREFIX + hashlib.sha256(whole.encode("utf-8")).hexdigest()[:16]

    for p, new_id in zip(partnerships, distinct_ids([p.partnership_id for p in partnerships], by_written_name)):
        p.partnership_id = new_id


# ---------------------------------------------------------------- conflicts
#
# A conflict is a field of one record whose sources state different values; the record keeps the value
# the GUIDE's rule picks (unchanged) and lists in `conflicts` every value stated, each with the sources
# stating it. What disagrees, field by field:
#
# * start_date, end_date (projects): two dates of which neither is a prefix of the other: 2019 and 2020,
#   2019-03 and 2019-04, not 2019 and 2019-03 (the more precise one agrees, and the record takes it);
# * amount_sek, duration_years (projects): two different numbers (3 and 3.0 are one);
# * countries (projects): a partner abroad that the texts tie to two countries (a card's heading and its
#   body, or two pages), one conflict per such partner; a record whose two partners abroad lie in two
#   countries has no conflict. Only what a mention's own text ties to the partner counts: not a country
#   lent by another page, the item's headline or the place name (normalise);
# * country, since_year (partnerships): two different values stated about the pair, by its statements
#   (`sedan 2010` on one page, `(2015 - )` on another) or, for the country, by its projects' texts.
#
# The same value written twice, on one page or many, is no conflict; nor is a value only one source
# states. Titles are not compared: mentions merge on one title key, and the record keeps the first form.

def _conflict(field: str, claims: dict) -> Conflict:
    """The Conflict of field from claims (value -> the source lists stating it): each value with its
    sources sorted and unique, the values in the order of their first source."""
    values = [ConflictValue(value, tuple(_sorted_sources(chain.from_iterable(lists))))
              for value, lists in claims.items()]
    values.sort(key=lambda v: _source_order(v.sources[0]) if v.sources else ("", -1, -1))
    return Conflict(field, tuple(values))


def _dates_disagree(dates: Iterable[str]) -> bool:
    """Two of the ISO dates of which neither is a prefix of the other (2019 and 2019-03 agree)."""
    ordered = sorted(set(dates), key=len)
    return any(not later.startswith(d) for i, d in enumerate(ordered) for later in ordered[i + 1:])


def _claims(group: list[Mention], field: attrgetter) -> dict:
    """value -> the source lists of the mentions stating it (a falsy value states nothing, as in _first)."""
    claims: dict = {}
    for m in group:
        value = field(m)
        if value:
            claims.setdefault(value, []).append(m.sources)
    return claims


def _country_claims(group: list[Mention], key_of) -> dict[str, dict[str, list[Iterable[Source]]]]:
    """partner key -> country -> the source lists of the mentions whose own text ties that partner to it:
    its partner_countries, and for a mention of one partner abroad every country it names (a heading's
    and a body's). A mention without partner_countries states none of its own (normalise lent them)."""
    claims: dict[str, dict[str, list[Iterable[Source]]]] = {}
    for m in group:
        if not m.partner_countries:
            continue
        stated = [(key_of(name), iso) for name, iso in m.partner_countries.items()]
        if len(m.international_partners) == 1:  # its countries first: in the order the mention names them
            only = key_of(m.international_partners[0])
            stated = [(only, iso) for iso in m.countries] + stated
        for key, iso in stated:
            lists = claims.setdefault(key, {}).setdefault(iso, [])
            if not lists or lists[-1] is not m.sources:
                lists.append(m.sources)
    return claims


def project_conflicts(group: list[Mention], keys: Keys | None = None) -> list[Conflict]:
    """The conflicts of the record merged from group, in field order (see *Conflicts* above)."""
    key_of = (keys or Keys()).partner
    out = []
    first = group[0]
    if len(group) > 1 or (len(first.countries) > 1 and first.partner_countries):
        for claims in _country_claims(group, key_of).values():
            if len(claims) > 1:
                out.append(_conflict("countries", claims))
    if len(group) < 2:  # one mention states one value of every other field
        return out
    for name, field in (("start_date", _START), ("end_date", _END)):
        claims = _claims(group, field)
        if len(claims) > 1 and _dates_disagree(claims):
            out.append(_conflict(name, claims))
    for name, field in (("duration_years", _DURATION), ("amount_sek", _AMOUNT)):
        claims = _claims(group, field)
        if len(claims) > 1:
            out.append(_conflict(name, claims))
    return out
