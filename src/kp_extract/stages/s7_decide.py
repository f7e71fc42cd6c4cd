"""Decide: a reviewer's judgements (`run --decisions FILE`), applied to the deduplicated records.

A decisions file is a CSV with the header `action,target,field,value,reviewer,date,note`, or YAML:
a list of mappings with those keys (`.yaml`/`.yml`). `read_decisions` reads and checks it before any
page is read (DecisionsError, a usage error, for anything it cannot apply as written);
`apply_decisions` is the stage: a function from the records dedupe made (and the below-threshold
candidates of candidates.jsonl) to new records, applied after every run, in the order of the file,
each decision to what the ones before it left.

A target names what a decision is about so that it survives reruns and new crawls:

* a record_id (`kp-` and 16 hex digits, `-N` for a twin): ids are keyed on content (s6_dedupe.record_id);
* a title: the project records with that title (case, punctuation and spacing aside);
* a partnership_id (`kp-p-` and 16 hex digits): that partnership, or for a project action its one project;
* `Swedish partner / partner abroad`: the partnership of that pair (names compared as dedupe keys
  partners: `Växjö` is `Växjö kommun`, `JB Marks` is `JB Marks Local Municipality`), or, for a
  project action, the pair's one project.

The actions:

* `reject`: the project (id, title, or the pair's one project is *not* meant: a pair names the
  partnership) or partnership (pair) is left out. A rejected project's id leaves the partnerships and
  the possible duplicates that listed it; the partnerships stay.
* `merge`: the target project absorbs the project `value` names (an id, title or pair): lists are
  united, sources too, the target's title, dates, amount and summary win where it has them, the
  confidence is the better one; the target keeps its id, and the other's id is replaced by it in the
  partnerships and possible duplicates.
* `split`: the target project loses partners abroad into records of their own: `value` names them,
  separated by ` | ` (empty: every partner abroad but the first). Each part has one partner abroad,
  the record's other fields, that partner's country where a partnership states it, the Swedish
  partners the partnerships pair it with (all the record's when they name none), and the id
  `kp-` + 16 hex digits of sha256(record id + "/" + partner key): stable while the record's id and the
  partner's name are. The record keeps its id and the partners not named. The partnerships of a part's
  partner list the part instead of the record.
* `promote`: a below-threshold candidate of candidates.jsonl becomes a record: a title promotes the
  project candidates of that title (every mention, one record), a pair the pair candidates of that
  pair (one partnership record, confidence their best partner score), else the pair's project
  candidates. A promoted project gets the id a record of its content would get, and its pairs a
  partnership each (or its id in the existing one).
* `set`: `field` of the target gets `value`, typed by the schema: text (empty: null where the field
  may be null), whole numbers, numbers, lists separated by ` | `; checked against the JSON Schema
  (country codes, SDGs 1-17, ...) when the file is read. Project fields take a project target (a pair
  target: its one project), partnership fields (`since_year`, `country`, ...) a pair. Ids, sources,
  possible duplicates, project ids, confidence and decisions are not set by hand.

A decision that matches nothing (a record gone from the crawl, a title matching two records, a
candidate no longer below the threshold) is not applied and is returned in `unmatched` with the
reason, never dropped silently: the run lists it in its summary and in OUT/decisions-unmatched.csv.
Every applied decision is added to the `decisions` of the records it made or changed.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from kp_extract.lexicon.gazetteer import resolve_swedish
from kp_extract.lexicon.partners import partner_key
from kp_extract.model import Decision, Partnership, Project, Source
from kp_extract.outputs.records import FieldKind, field_kinds
from kp_extract.stages.s6_dedupe import PARTNERSHIP_ID_PREFIX, Keys, partnership_id, record_id

__all__ = ["COLUMNS", "ACTIONS", "settable_fields", "DecisionsError", "DecisionsFile", "Outcome", "read_decisions",
           "parse_decisions", "apply_decisions", "typed_value", "target_kind"]

COLUMNS = ("action", "target", "field", "value", "reviewer", "date", "note")
ACTIONS = ("reject", "merge", "split", "promote", "set")
LIST_SEPARATOR = " | "
# the fields a reviewer may set, by record kind; what the run derives (ids, sources, links, scores,
# decisions) is not set by hand
NOT_SETTABLE = frozenset({"record_id", "partnership_id", "sources", "possible_duplicates", "project_ids", "confidence", "decisions"})
ID_PATTERN = re.compile(r"kp-[0-9a-f]{16}(?:-\d+)?")
PARTNERSHIP_ID_PATTERN = re.compile(re.escape(PARTNERSHIP_ID_PREFIX) + r"[0-9a-f]{16}(?:-\d+)?")
PAIR_SEPARATOR = " / "


class DecisionsError(ValueError):
    """A decisions file that cannot be applied as written (a usage error: the run does not start)."""


@dataclass(frozen=True)
class DecisionsFile:
    """The decisions of one file: `name` as datapackage.json shows it (the file name), the sha256 of its
    bytes, and the decisions in file order."""

    name: str
    sha256: str
    decisions: tuple[Decision, ...]


@dataclass
class Outcome:
    """What apply_decisions gives: the new records, the decisions applied, and those that matched
    nothing with the reason, both in file order."""

    projects: list[Project]
    partnerships: list[Partnership]
    applied: list[Decision] = field(default_factory=list)
    unmatched: list[tuple[Decision, str]] = field(default_factory=list)


# ---------------------------------------------------------------- reading

@cache
def _field_kinds() -> dict[str, tuple[str, FieldKind]]:
    """field name -> (record stem, records.FieldKind) of every settable field."""
    out: dict[str, tuple[str, FieldKind]] = {}
    for stem in ("projects", "partnerships"):
        for kind in field_kinds(stem):
            if kind.name not in NOT_SETTABLE:
                out[kind.name] = (stem, kind)
    return out


def settable_fields() -> list[str]:
    """The fields `set` may change, sorted."""
    return sorted(_field_kinds())


def target_kind(target: str) -> str:
    """"id", "partnership_id", "pair" or "title": how a target names what it is about."""
    if ID_PATTERN.fullmatch(target):
        return "id"
    if PARTNERSHIP_ID_PATTERN.fullmatch(target):
        return "partnership_id"
    if PAIR_SEPARATOR in target:
        return "pair"
    return "title"


def swedish_key(name: str) -> str:
    """What a Swedish partner is compared by: its canonical name in the gazetteer ("Karlstad" and
    "Karlstads kommun" are "Karlstads kommun"), else its partner_key."""
    partner = resolve_swedish(name)
    return partner.name if partner is not None else partner_key(name)


def _pair(target: str, keys: _Keys | None = None) -> tuple[str, str]:
    """(Swedish key, partner-abroad key) of a "Swedish partner / partner abroad" target."""
    swedish, abroad = target.split(PAIR_SEPARATOR, 1)
    return (keys.swedish if keys else swedish_key)(swedish.strip()), partner_key(abroad.strip())


def typed_value(name: str, text: str):
    """The value of `set name=text`, typed by the schema; DecisionsError when it does not fit."""
    from kp_extract.outputs.schema import load_schema

    if name not in _field_kinds():
        raise DecisionsError(f"field {name!r} cannot be set (choose from {', '.join(settable_fields())})")
    stem, kind = _field_kinds()[name]
    text = text.strip()

    def one(item: str):
        try:
            if kind.kind == "integer":
                return int(item)
            if kind.kind == "number":
                return float(item)
        except ValueError:
            raise DecisionsError(f"{name}: {item!r} is not {'a whole number' if kind.kind == 'integer' else 'a number'}"
                                 ) from None
        return item

    value: Any
    if kind.is_list:
        value = [one(x.strip()) for x in text.split(LIST_SEPARATOR.strip()) if x.strip()] if text else []
    elif not text:
        if not kind.nullable and kind.kind != "string":
            raise DecisionsError(f"{name}: a value is needed")
        value = None if kind.nullable else ""
    else:
        value = one(text)
    from jsonschema import Draft202012Validator

    prop = load_schema("project" if stem == "projects" else "partnership")["properties"][name]
    for err in Draft202012Validator(prop).iter_errors(value):
        raise DecisionsError(f"{name}: {err.message}")
    return value


def _check(d: Decision) -> None:
    if d.action not in ACTIONS:
        raise DecisionsError(f"unknown action {d.action!r} (choose from {', '.join(ACTIONS)})")
    if not d.target:
        raise DecisionsError("no target (a record_id, a title, or 'Swedish partner / partner abroad')")
    if d.action == "merge" and not d.value:
        raise DecisionsError("merge needs the other record in value (a record_id, title or pair)")
    if d.action == "set":
        if not d.field:
            raise DecisionsError("set needs a field")
        typed_value(d.field, d.value)
        stem = _field_kinds()[d.field][0]
        if stem == "partnerships" and target_kind(d.target) not in ("pair", "partnership_id"):
            raise DecisionsError(f"{d.field} is a partnership field: the target must be a partnership_id or "
                                 "'Swedish partner / partner abroad'")
    if d.action in ("reject", "merge", "split", "promote") and d.field:
        raise DecisionsError(f"{d.action} takes no field")


def _decision(row: dict, where: str) -> Decision:
    if not isinstance(row, dict):
        raise DecisionsError(f"{where}: not a mapping of {', '.join(COLUMNS)}")
    unknown = sorted(set(map(str, row)) - set(COLUMNS))
    if unknown:
        raise DecisionsError(f"{where}: unknown column {unknown[0]!r} (the columns are {', '.join(COLUMNS)})")
    values = {}
    for key in COLUMNS:
        value = row.get(key)
        if isinstance(value, (dict, list)):
            raise DecisionsError(f"{where}: {key} must be a single value")
        values[key] = "" if value is None else str(value).strip()
    d = Decision(**values)
    try:
        _check(d)
    except DecisionsError as exc:
        raise DecisionsError(f"{where}: {exc}") from None
    return d


def parse_decisions(text: str, yaml_syntax: bool = False) -> tuple[Decision, ...]:
    """The decisions of a file's text (CSV with a header row, or YAML: a list of mappings)."""
    if yaml_syntax:
        import yaml

        try:
            rows = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise DecisionsError(f"not valid YAML: {str(exc).splitlines()[0]}") from None
        if rows is None:
            return ()
        if not isinstance(rows, list):
            raise DecisionsError(f"YAML must be a list of mappings with the keys {', '.join(COLUMNS)}")
        return tuple(_decision(row, f"entry {i}") for i, row in enumerate(rows, 1))
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        return ()
    missing = [c for c in ("action", "target") if c not in header]
    if missing or set(header) - set(COLUMNS):
        raise DecisionsError(f"the CSV header must be {','.join(COLUMNS)} (got {','.join(header)})")
    reader.fieldnames = header
    out = []
    for row in reader:
        if None in row:
            raise DecisionsError(f"line {reader.line_num}: more cells than columns")
        if not any((v or "").strip() for v in row.values()):
            continue  # a blank line
        out.append(_decision(row, f"line {reader.line_num}"))
    return tuple(out)


def read_decisions(path: Path) -> DecisionsFile:
    """Read and check a decisions file; DecisionsError (one line) when it is missing, unreadable or
    malformed."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DecisionsError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DecisionsError(f"{path}: not UTF-8 text") from None
    try:
        decisions = parse_decisions(text, yaml_syntax=path.suffix.lower() in (".yaml", ".yml"))
    except DecisionsError as exc:
        raise DecisionsError(f"{path}: {exc}") from None
    except csv.Error as exc:
        raise DecisionsError(f"{path}: not valid CSV: {exc}") from None
    return DecisionsFile(path.name, hashlib.sha256(data).hexdigest(), decisions)


# ---------------------------------------------------------------- applying

class _Keys(Keys):
    """dedupe's memoised keys, and swedish_key, for one apply_decisions call."""

    def __init__(self) -> None:
        super().__init__()
        self.swedish = cache(swedish_key)


class _Records:
    """The records while decisions apply: copies made on first change (the given records are never
    changed), looked up by id, title and pair."""

    def __init__(self, projects: list[Project], partnerships: list[Partnership], keys: _Keys) -> None:
        self.projects = list(projects)
        self.partnerships = list(partnerships)
        self.keys = keys
        # id() of the records this stage made: the given records stay alive (the caller holds them), so
        # none of them can share an id() with a copy, even one made and dropped earlier
        self.copied: set[int] = set()

    def own(self, record):
        """record, or a copy of it the first time it changes (lists copied too)."""
        if id(record) in self.copied:
            return record
        copy = replace(record, **{f: list(getattr(record, f)) for f in ("sources", "decisions", "possible_duplicates",
                                                                        "project_ids") if hasattr(record, f)})
        self.copied.add(id(copy))
        for records in (self.projects, self.partnerships):
            for i, r in enumerate(records):
                if r is record:
                    records[i] = copy
                    return copy
        return copy

    def _names_pair(self, swedish: Iterable[str], abroad: Iterable[str], pair: tuple[str, str]) -> bool:
        key = self.keys.partner
        return any(self.keys.swedish(s) == pair[0] for s in swedish) and any(key(a) == pair[1] for a in abroad)

    def find_projects(self, target: str) -> list[Project]:
        kind = target_kind(target)
        if kind == "id":
            return [p for p in self.projects if p.record_id == target]
        if kind == "partnership_id":  # the partnership's projects, as a pair names them
            ids = {i for r in self.find_partnerships(target) for i in r.project_ids}
            return [p for p in self.projects if p.record_id in ids]
        if kind == "pair":
            pair = _pair(target, self.keys)
            return [p for p in self.projects if self._names_pair(p.swedish_partners, p.international_partners, pair)]
        wanted = self.keys.title(target)
        return [p for p in self.projects if p.title and self.keys.title(p.title) == wanted]

    def find_partnerships(self, target: str) -> list[Partnership]:
        if target_kind(target) == "partnership_id":
            return [r for r in self.partnerships if r.partnership_id == target]
        pair = _pair(target, self.keys)
        return [r for r in self.partnerships if self._names_pair([r.swedish_partner], [r.international_partner], pair)]

    def one_project(self, target: str) -> Project | str:
        """The one project target names, or why there is none."""
        found = self.find_projects(target)
        if len(found) == 1:
            return found[0]
        if not found:
            return f"no project record {_what(target)}"
        return f"{len(found)} project records {_what(target)} (name one by its record_id)"

    def relink(self, old: str, new: str | None, partner: str | None = None) -> None:
        """Replace the id old by new (None: remove it) in the partnerships' project ids (only those of
        the partner abroad `partner`, by key, when given) and the projects' possible duplicates."""
        for r in list(self.partnerships):
            if old in r.project_ids and (partner is None or self.keys.partner(r.international_partner) == partner):
                r = self.own(r)
                r.project_ids = sorted({new if i == old else i for i in r.project_ids} - {None})
        if partner is not None:
            return
        for p in list(self.projects):
            if old in p.possible_duplicates:
                p = self.own(p)
                p.possible_duplicates = sorted({new if i == old else i for i in p.possible_duplicates}
                                               - {None, p.record_id})

    def link(self, project: Project, decision: Decision, confidence: float) -> None:
        """Partnerships for every pair of a new project: its id (and sources) in the existing one, else a
        new partnership."""
        key = self.keys.partner
        single = project.countries[0] if len(project.countries) == 1 else None
        codes = [*project.swedish_partner_codes, *[None] * len(project.swedish_partners)]
        for sw_name, code in zip(project.swedish_partners, codes):
            for name in project.international_partners:
                found = [r for r in self.partnerships if r.swedish_partner == sw_name
                         and key(r.international_partner) == key(name)]
                if found:
                    r = self.own(found[0])
                    r.project_ids = sorted(set(r.project_ids) | {project.record_id})
                    r.sources = sorted(set(r.sources) | set(project.sources))
                else:
                    r = Partnership(sw_name, code or None, name, single, None, [project.record_id],
                                    list(project.sources), confidence, [decision],
                                    partnership_id=partnership_id(sw_name, code or None, key(name)))
                    self.copied.add(id(r))
                    self.partnerships.append(r)
        self.partnerships.sort(key=lambda r: (r.swedish_partner, key(r.international_partner)))


def _what(target: str) -> str:
    kind = target_kind(target)
    return {"id": f"with id {target}", "partnership_id": f"of the partnership {target}", "title": f"titled {target!r}",
            "pair": f"of the pair {target!r}"}[kind]


def _united(a: list, b: list) -> list:
    return list(dict.fromkeys([*a, *b]))


def _merge(into: Project, other: Project) -> dict:
    """The fields of into after absorbing other (see the module docstring)."""
    codes = into.swedish_partner_codes
    if len(codes) == len(into.swedish_partners) and len(other.swedish_partner_codes) == len(other.swedish_partners):
        pairs = dict(zip(into.swedish_partners, codes))
        for name, code in zip(other.swedish_partners, other.swedish_partner_codes):
            pairs.setdefault(name, code)
        swedish, codes = list(pairs), list(pairs.values())
    else:
        swedish, codes = _united(into.swedish_partners, other.swedish_partners), _united(codes, other.swedish_partner_codes)
    return dict(
        title=into.title or other.title, swedish_partners=swedish, swedish_partner_codes=codes,
        international_partners=_united(into.international_partners, other.international_partners),
        other_participants=_united(into.other_participants, other.other_participants),
        countries=_united(into.countries, other.countries), project_areas=_united(into.project_areas, other.project_areas),
        themes=_united(into.themes, other.themes), sdgs=sorted(set(into.sdgs) | set(other.sdgs)),
        start_date=into.start_date or other.start_date, end_date=into.end_date or other.end_date,
        duration_years=into.duration_years if into.duration_years is not None else other.duration_years,
        amount_sek=into.amount_sek if into.amount_sek is not None else other.amount_sek,
        tags=_united(into.tags, other.tags), languages=_united(into.languages, other.languages),
        summary=into.summary or other.summary, sources=sorted(set(into.sources) | set(other.sources)),
        possible_duplicates=sorted((set(into.possible_duplicates) | set(other.possible_duplicates))
                                   - {into.record_id, other.record_id}),
        confidence=max(into.confidence, other.confidence),
        decisions=[*into.decisions, *other.decisions],
    )


def part_id(record_id_: str, partner: str) -> str:
    """The id of the part of a split record that holds one partner abroad (by its key)."""
    return "kp-" + hashlib.sha256(f"{record_id_}/{partner}".encode("utf-8")).hexdigest()[:16]


def _candidate_project(rows: list[dict], keys: Keys) -> Project:
    """One project record from the candidates.jsonl project rows of one candidate."""
    swedish: dict[str, str] = {}
    for row in rows:
        names = row.get("swedish_partners") or []
        for name, code in zip(names, [*(row.get("swedish_partner_codes") or []), *[None] * len(names)]):
            swedish.setdefault(name, code or "")
    # as dedupe gives them (s6_dedupe.merge): the codes, or "" for a body without one when some lack it
    codes = [c for c in swedish.values() if c]
    if len(codes) != len(swedish):
        codes = list(swedish.values())
    project = Project(
        record_id="", title=next((r["title"] for r in rows if r.get("title")), None),
        swedish_partners=list(swedish), swedish_partner_codes=codes,
        international_partners=list(dict.fromkeys(n for r in rows for n in r.get("international_partners") or [])),
        other_participants=[], countries=list(dict.fromkeys(c for r in rows for c in r.get("countries") or [])),
        project_areas=[], themes=[], sdgs=[], start_date=None, end_date=None, duration_years=None,
        amount_sek=None, tags=[], languages=[], summary="",
        sources=sorted({Source(s["file"], int(s["start"]), int(s["end"])) for r in rows for s in r.get("sources") or []}),
        confidence=round(max(float(r.get("confidence") or 0) for r in rows), 3),
    )
    project.record_id = record_id(project, keys)
    return project


def apply_decisions(projects: list[Project], partnerships: list[Partnership], decisions: Iterable[Decision],
                    candidates: Iterable[dict] = ()) -> Outcome:
    """New records with the decisions applied in order (see the module docstring); projects and
    partnerships are not changed. candidates: the rows of candidates.jsonl (read only when a decision
    promotes)."""
    keys = _Keys()
    records = _Records(projects, partnerships, keys)
    outcome = Outcome([], [])
    candidate_rows: list[dict] | None = None
    for d in decisions:
        if d.action == "promote" and candidate_rows is None:
            candidate_rows = list(candidates)
        why = _apply(records, d, candidate_rows or [], keys)
        if why is None:
            outcome.applied.append(d)
        else:
            outcome.unmatched.append((d, why))
    outcome.projects, outcome.partnerships = records.projects, records.partnerships
    return outcome


def _apply(records: _Records, d: Decision, candidates: list[dict], keys: _Keys) -> str | None:
    """Apply d to records; None when applied, else why not."""
    kind = target_kind(d.target)
    if d.action == "reject":
        if kind in ("pair", "partnership_id"):
            found = records.find_partnerships(d.target)
            if not found:
                return f"no partnership {_what(d.target)}"
            for r in found:
                records.partnerships.remove(r)
            return None
        target = records.one_project(d.target)
        if isinstance(target, str):
            return target
        records.projects.remove(target)
        records.relink(target.record_id, None)
        return None
    if d.action == "merge":
        target = records.one_project(d.target)
        if isinstance(target, str):
            return target
        other = records.one_project(d.value)
        if isinstance(other, str):
            return f"the other record: {other}"
        if other is target:
            return "a record cannot be merged with itself"
        records.projects.remove(other)
        target = records.own(target)
        for name, value in _merge(target, other).items():
            setattr(target, name, value)
        target.decisions.append(d)
        records.relink(other.record_id, target.record_id)
        return None
    if d.action == "split":
        return _split(records, d, keys)
    if d.action == "promote":
        return _promote(records, d, candidates, keys)
    # set
    stem = _field_kinds()[d.field][0]
    value = typed_value(d.field, d.value)
    record: Project | Partnership
    if stem == "partnerships":
        found = records.find_partnerships(d.target)
        if not found:
            return f"no partnership {_what(d.target)}"
        record = found[0]
    else:
        project = records.one_project(d.target)
        if isinstance(project, str):
            return project
        record = project
    record = records.own(record)
    setattr(record, d.field, value)
    record.decisions.append(d)
    return None


def _split(records: _Records, d: Decision, keys: _Keys) -> str | None:
    found = records.one_project(d.target)
    if isinstance(found, str):
        return found
    target: Project = found
    key = keys.partner
    partners = {key(n): n for n in target.international_partners}
    if d.value:
        names = [n.strip() for n in d.value.split(LIST_SEPARATOR.strip()) if n.strip()]
        missing = [n for n in names if key(n) not in partners]
        if missing:
            return f"record {target.record_id} names no partner abroad {missing[0]!r}"
        named = list(map(key, names))
    else:
        named = list(partners)[1:]
    named = list(dict.fromkeys(named))
    if not named or len(named) >= len(partners):
        return f"nothing to split: record {target.record_id} would keep no partner abroad or lose none"
    country_of: dict[str, str] = {}
    swedish_of: dict[str, list[str]] = {}  # partner key -> the Swedish bodies its partnerships pair it with
    for r in records.partnerships:
        if target.record_id in r.project_ids:
            if r.country:
                country_of.setdefault(key(r.international_partner), r.country)
            swedish_of.setdefault(key(r.international_partner), []).append(r.swedish_partner)
    codes = dict(zip(target.swedish_partners, target.swedish_partner_codes))

    def swedish(partner_keys: list[str]) -> dict:
        """The Swedish partners of a part: those paired with its partners abroad, else all the record's."""
        names = [n for n in target.swedish_partners if any(n in swedish_of.get(k, ()) for k in partner_keys)]
        if not names or len(codes) != len(target.swedish_partners):
            return {}
        return {"swedish_partners": names, "swedish_partner_codes": [codes[n] for n in names]}
    index = records.projects.index(target)
    target = records.own(target)
    parts = []
    for k in named:
        country = country_of.get(k)
        part = replace(target, record_id=part_id(target.record_id, k), international_partners=[partners[k]],
                       countries=[country] if country else list(target.countries),
                       sources=list(target.sources), possible_duplicates=list(target.possible_duplicates),
                       decisions=[*target.decisions, d], **swedish([k]))
        records.copied.add(id(part))
        parts.append(part)
        records.relink(target.record_id, part.record_id, partner=k)
    kept = [partners[k] for k in partners if k not in named]
    for name, value in swedish([key(n) for n in kept]).items():
        setattr(target, name, value)
    target.international_partners = kept
    kept_countries = [country_of[key(n)] for n in kept if key(n) in country_of]
    if len(kept_countries) == len(kept):
        target.countries = list(dict.fromkeys(kept_countries))
    target.decisions.append(d)
    records.projects[index + 1:index + 1] = parts
    return None


def _promote(records: _Records, d: Decision, candidates: list[dict], keys: _Keys) -> str | None:
    kind = target_kind(d.target)
    key = keys.partner
    if kind == "pair":
        pair = _pair(d.target, keys)
        rows = [r for r in candidates if r.get("kind") == "partnership"
                and keys.swedish(r.get("swedish_partner") or "") == pair[0] and key(r.get("international_partner") or "") == pair[1]]
        if rows:
            if records.find_partnerships(d.target):
                return f"the pair {d.target!r} is a partnership record already"
            first = rows[0]
            partnership = Partnership(
                first["swedish_partner"], first.get("swedish_partner_code"), first["international_partner"],
                next((r["country"] for r in rows if r.get("country")), None), None, [],
                sorted({Source(r["file"], int(r["start"]), int(r["end"])) for r in rows}),
                round(max(float(r.get("partner_score") or 0) for r in rows), 3), [d],
                partnership_id=partnership_id(first["swedish_partner"], first.get("swedish_partner_code"),
                                              key(first["international_partner"])))
            records.copied.add(id(partnership))
            records.partnerships.append(partnership)
            records.partnerships.sort(key=lambda r: (r.swedish_partner, key(r.international_partner)))
            return None
        rows = [r for r in candidates if r.get("kind") == "project"
                and records._names_pair(r.get("swedish_partners") or [], r.get("international_partners") or [], pair)]
    elif kind == "title":
        wanted = keys.title(d.target)
        rows = [r for r in candidates if r.get("kind") == "project" and r.get("title") and keys.title(r["title"]) == wanted]
    else:
        rows = [r for r in candidates if r.get("kind") == "project" and _candidate_project([r], keys).record_id == d.target]
    if not rows:
        return f"no candidate {_what(d.target)} in candidates.jsonl"
    project = _candidate_project(rows, keys)
    if any(p.record_id == project.record_id for p in records.projects):
        return f"a record with id {project.record_id} exists already"
    project.decisions = [d]
    records.copied.add(id(project))
    records.projects.append(project)
    records.link(project, d, project.confidence)
    return None


def unmatched_rows(unmatched: Iterable[tuple[Decision, str]]) -> Iterable[list[str]]:
    """The rows of decisions-unmatched.csv after its header (COLUMNS + reason)."""
    for d, why in unmatched:
        yield [*(getattr(d, c) for c in COLUMNS), why]
