"""Records as the output files hold them: their fields, in order, and the record -> dict step.

The field order of every output (JSON keys, CSV columns, Parquet columns, the JSON Schemas and
Table Schemas in schema/) is the order of the dataclass fields of model.Project and
model.Partnership, read here once (PROJECT_FIELDS, PARTNERSHIP_FIELDS); so are the fields' kinds
(`field_kinds`: text, integer, number, a list of them, sources, reviewer decisions), which the Parquet schema and the
readers take from here. tests/outputs/test_schema.py checks that the shipped schemas agree.

`project_to_dict` / `partnership_to_dict` give the JSON object of a record: text fields scrubbed
of contact details (privacy.scrub), numbers plain (3.0 -> 3, NaN -> null), confidence to three
decimals, sources as {"file", "start", "end"} (and "source_url", "retrieved_at" where the page's
origin is known: model.CitedSource), conflicts as {"field", "values": [{"value", "sources"}]}
(conflict_dict). Every format is written from these dicts.
"""
from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from typing import Any

from kp_extract.model import Conflict, Decision, Partnership, PartnershipProject, Project, Source
from kp_extract.privacy import scrub, scrub_items

__all__ = [
    "PROJECT_FIELDS", "PARTNERSHIP_FIELDS", "RECORD_STEMS", "RECORD_FIELDS", "RECORD_CLASSES",
    "LINK_STEM", "LINK_FIELDS", "TABLE_STEMS", "link_rows", "FieldKind", "field_kinds", "number", "confidence",
    "SOURCE_ORIGIN_KEYS", "source_dict", "conflict_dict", "conflict_value", "project_to_dict", "partnership_to_dict",
]

# The record files a run writes, by stem (projects.EXT, partnerships.EXT), and what they hold.
RECORD_STEMS = ("projects", "partnerships")
RECORD_CLASSES: dict[str, type] = {"projects": Project, "partnerships": Partnership}
PROJECT_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Project))
PARTNERSHIP_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Partnership))
RECORD_FIELDS: dict[str, tuple[str, ...]] = {"projects": PROJECT_FIELDS, "partnerships": PARTNERSHIP_FIELDS}
# The link table partnership_projects (a row per partnership and one of its projects, model.PartnershipProject):
# written with the tabular formats next to the record files, so that tables join on declared keys.
LINK_STEM = "partnership_projects"
LINK_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(PartnershipProject))
RECORD_CLASSES[LINK_STEM] = PartnershipProject
RECORD_FIELDS[LINK_STEM] = LINK_FIELDS
# Every table of a run, in the order they are written and described.
TABLE_STEMS = RECORD_STEMS + (LINK_STEM,)


@dataclass(frozen=True)
class FieldKind:
    """What a record field holds, read from its dataclass annotation: `kind` is "string",
    "integer", "number", "source" or "conflict" (for a list: of its items), `is_list` for a list, `nullable`
    when the annotation allows None."""

    name: str
    kind: str
    is_list: bool = False
    nullable: bool = False


_KINDS = {str: "string", int: "integer", float: "number", Source: "source", Decision: "decision",
          Conflict: "conflict"}


def _field_kind(name: str, annotation: Any) -> FieldKind:
    nullable = False
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(annotation))
        if len(args) != 1:
            raise TypeError(f"record field {name}: unsupported annotation {annotation!r}")
        annotation = args[0]
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        if item not in _KINDS:
            raise TypeError(f"record field {name}: unsupported list item {item!r}")
        return FieldKind(name, _KINDS[item], is_list=True, nullable=nullable)
    if annotation not in _KINDS:
        raise TypeError(f"record field {name}: unsupported annotation {annotation!r}")
    return FieldKind(name, _KINDS[annotation], nullable=nullable)


@lru_cache(maxsize=None)
def field_kinds(stem: str) -> tuple[FieldKind, ...]:
    """The FieldKind of every field of stem's records ("projects", "partnerships" or LINK_STEM), in field order."""
    cls = RECORD_CLASSES[stem]
    hints = typing.get_type_hints(cls)
    return tuple(_field_kind(name, hints[name]) for name in RECORD_FIELDS[stem])


# ---------------------------------------------------------------- values as exported

def number(value: Any) -> int | float | None:
    """int for whole numbers (3.0 -> 3), float otherwise, None for None/NaN/inf."""
    if value is None or isinstance(value, bool):
        return value  # type: ignore[return-value]
    if isinstance(value, int):
        return value
    value = float(value)
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() else value


def confidence(value: float) -> float:
    """A record's confidence as exported: three decimals, within 0..1."""
    return round(min(max(float(value), 0.0), 1.0), 3)


# Where a source's page came from (model.CitedSource: run --manifest, an HTML page's canonical URL):
# keys a source object has only when known, after file, start and end.
SOURCE_ORIGIN_KEYS = ("source_url", "retrieved_at")


def source_dict(src: Source | dict) -> dict:
    """A source as its JSON object {"file", "start", "end"}, with "source_url" and "retrieved_at"
    when the source knows them (model.CitedSource, or a dict that has them)."""
    if isinstance(src, Source):
        return src.to_dict()
    if isinstance(src, dict):
        out = {"file": src["file"], "start": int(src["start"]), "end": int(src["end"])}
        for key in SOURCE_ORIGIN_KEYS:
            if src.get(key) is not None:
                out[key] = str(src[key])
        return out
    raise TypeError(f"not a source: {src!r}")


def _sources(sources) -> list[dict]:
    """[source_dict(s) for s in sources], with an exact Source's dict (Source.to_dict) built inline."""
    return [{"file": s.file, "start": s.start, "end": s.end} if type(s) is Source else source_dict(s)
            for s in sources]


def _decisions(decisions) -> list[dict]:
    """A record's reviewer decisions as JSON objects (Decision.to_dict), scrubbed of contact details: a
    reviewer's note is free text."""
    return [{k: scrub(v) for k, v in (d.to_dict() if isinstance(d, Decision) else d).items()} for d in decisions]
@lru_cache(maxsize=None)
def _value_kinds(stem: str) -> dict[str, str]:
    """field -> the kind of its values (a list's: of its items), for stem's records."""
    return {k.name: k.kind for k in field_kinds(stem)}


def conflict_value(stem: str, field: str, value: Any) -> Any:
    """A conflicting value as exported: as the record's field exports its values (a whole duration an int,
    a year an int, a date or country code text). ValueError for a field the records do not have."""
    kind = _value_kinds(stem).get(field)
    if kind is None:
        raise ValueError(f"a conflict about {field!r}, which is no field of {stem}")
    if kind == "integer":
        return int(value)
    if kind == "number":
        return number(float(value))
    return str(value)


def conflict_dict(stem: str, conflict: Conflict | dict) -> dict:
    """A conflict as its JSON object {"field", "values": [{"value", "sources": [{"file", "start", "end"}]}]}
    (a conflict's sources carry no page origin: the record's `sources` do)."""
    if isinstance(conflict, Conflict):
        field, values = conflict.field, [(v.value, v.sources) for v in conflict.values]
    elif isinstance(conflict, dict):
        field, values = conflict["field"], [(v["value"], v["sources"]) for v in conflict["values"]]
    else:
        raise TypeError(f"not a conflict: {conflict!r}")
    if field not in _value_kinds(stem):
        raise ValueError(f"a conflict about {field!r}, which is no field of {stem}")
    return {"field": field, "values": [
        {"value": conflict_value(stem, field, value),
         "sources": [{"file": s["file"], "start": int(s["start"]), "end": int(s["end"])} if isinstance(s, dict)
                     else {"file": s.file, "start": s.start, "end": s.end} for s in sources]}
        for value, sources in values]}


def _conflicts(stem: str) -> Callable[[Any], list[dict]]:
    def export(conflicts) -> list[dict]:
        return [conflict_dict(stem, c) for c in conflicts] if conflicts else []
    return export


def _as_is(value: Any) -> Any:
    return value


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _ints(values) -> list[int]:
    return [int(x) for x in values]


def _summary(value: str | None) -> str:
    return scrub(value) if value is not None else ""


# How each field is exported. Text a page wrote (titles, names, areas, themes, tags, summary) is
# scrubbed of contact details; ids, codes, dates and sources are not touched.
PROJECT_VALUES: Mapping[str, Callable[[Any], Any]] = types.MappingProxyType({
    "record_id": _as_is, "title": scrub, "swedish_partners": scrub_items, "swedish_partner_codes": list,
    "international_partners": scrub_items, "other_participants": scrub_items, "countries": list,
    "project_areas": scrub_items, "themes": scrub_items, "sdgs": _ints, "start_date": _as_is, "end_date": _as_is,
    "duration_years": number, "amount_sek": _int_or_none, "tags": scrub_items, "languages": list,
    "summary": _summary, "sources": _sources, "conflicts": _conflicts("projects"), "possible_duplicates": list,
    "confidence": confidence, "decisions": _decisions,
})
PARTNERSHIP_VALUES: Mapping[str, Callable[[Any], Any]] = types.MappingProxyType({
    "partnership_id": _as_is, "swedish_partner": scrub, "swedish_partner_code": _as_is, "international_partner": scrub, "country": _as_is,
    "since_year": _int_or_none, "project_ids": list, "sources": _sources, "conflicts": _conflicts("partnerships"),
    "confidence": confidence, "decisions": _decisions,
})
RECORD_VALUES = {"projects": PROJECT_VALUES, "partnerships": PARTNERSHIP_VALUES}


def _to_dict(stem: str) -> Callable[[Any], dict]:
    """record -> dict for stem's records: every field in field order, through its RECORD_VALUES
    function; the fields are read with one attrgetter call."""
    fields = RECORD_FIELDS[stem]
    values = RECORD_VALUES[stem]
    if set(values) != set(fields):
        raise TypeError(f"{stem}: the exported fields {sorted(values)} are not the record's {sorted(fields)}")
    get = attrgetter(*fields)
    convert = tuple(values[f] for f in fields)

    def to_dict(record) -> dict:
        return dict(zip(fields, [f(v) for f, v in zip(convert, get(record))]))

    return to_dict


_project_to_dict = _to_dict("projects")
_partnership_to_dict = _to_dict("partnerships")


def project_to_dict(p: Project) -> dict:
    """A Project as its JSON object, keys in PROJECT_FIELDS order (see PROJECT_VALUES)."""
    return _project_to_dict(p)


def partnership_to_dict(p: Partnership) -> dict:
    """A Partnership as its JSON object, keys in PARTNERSHIP_FIELDS order (names scrubbed)."""
    return _partnership_to_dict(p)


RECORD_TO_DICT: dict[str, Callable[[Any], dict]] = {"projects": project_to_dict, "partnerships": partnership_to_dict}


def link_rows(partnerships: Iterable[Partnership | dict]) -> Iterator[dict]:
    """The partnership_projects rows of partnerships (objects or their dicts), in their order and each one's
    project_ids order: {"partnership_id", "project_id"}, keys in LINK_FIELDS order."""
    for p in partnerships:
        pid, project_ids = (p["partnership_id"], p["project_ids"]) if isinstance(p, dict) else \
            (p.partnership_id, p.project_ids)
        for project_id in project_ids:
            yield {"partnership_id": pid, "project_id": project_id}
