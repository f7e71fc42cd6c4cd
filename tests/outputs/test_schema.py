"""The record fields are stated once, by the dataclasses of model.py: every schema and every format
agrees with them (names, order, types, nullability, patterns)."""
from __future__ import annotations

import dataclasses

import pyarrow as pa
import pytest

from kp_extract.model import Partnership, Project
from kp_extract.outputs.parquet import CONFLICT_TYPE, DECISION_TYPE, SCHEMAS, SOURCE_TYPE
from kp_extract.outputs.records import (PARTNERSHIP_FIELDS, PROJECT_FIELDS, RECORD_FIELDS, RECORD_STEMS,
                                        field_kinds, partnership_to_dict, project_to_dict)
from kp_extract.outputs.schema import SCHEMA_KINDS, load_schema, table_schema

JSON_TYPES = {"string": "string", "integer": "integer", "number": "number"}
ARROW_TYPES = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "source": SOURCE_TYPE,
               "decision": DECISION_TYPE, "conflict": CONFLICT_TYPE}


def test_the_field_order_is_the_dataclasses():
    assert PROJECT_FIELDS == tuple(f.name for f in dataclasses.fields(Project))
    assert PARTNERSHIP_FIELDS == tuple(f.name for f in dataclasses.fields(Partnership))
    assert PROJECT_FIELDS[0] == "record_id" and PROJECT_FIELDS[-3:] == ("possible_duplicates", "confidence", "decisions")


def test_record_dicts_follow_the_field_order():
    project = Project("kp-0000000000000000", None, [], [], [], [], [], [], [], [], None, None, None, None, [], [],
                      "", [])
    assert tuple(project_to_dict(project)) == PROJECT_FIELDS
    assert tuple(partnership_to_dict(Partnership("A kommun", None, "B", None, None, [], []))) == PARTNERSHIP_FIELDS


@pytest.mark.parametrize("stem", RECORD_STEMS)
def test_json_schema_lists_every_field_in_order_and_requires_it(stem):
    schema = load_schema(SCHEMA_KINDS[stem])
    assert tuple(schema["properties"]) == RECORD_FIELDS[stem]
    assert tuple(schema["required"]) == RECORD_FIELDS[stem]


@pytest.mark.parametrize("stem", RECORD_STEMS)
def test_table_schema_lists_every_field_in_order(stem):
    assert tuple(f["name"] for f in table_schema(stem)["fields"]) == RECORD_FIELDS[stem]


@pytest.mark.parametrize("stem", RECORD_STEMS)
def test_parquet_schema_lists_every_field_in_order(stem):
    assert tuple(SCHEMAS[stem].names) == RECORD_FIELDS[stem]


def _json_types(prop: dict) -> set[str]:
    types = prop["type"]
    return {types} if isinstance(types, str) else set(types)


@pytest.mark.parametrize("stem", RECORD_STEMS)
def test_types_agree(stem):
    """The dataclass annotation, the JSON Schema, the Table Schema and the Parquet schema say the same of
    every field: its type, a list's item type, whether it may be null."""
    props = load_schema(SCHEMA_KINDS[stem])["properties"]
    table = {f["name"]: f for f in table_schema(stem)["fields"]}
    arrow = SCHEMAS[stem]
    for kind in field_kinds(stem):
        prop, column, field = props[kind.name], table[kind.name], arrow.field(kind.name)
        if kind.is_list:
            assert _json_types(prop) == {"array"}, kind.name
            if kind.kind == "decision":  # one cell holds the JSON array (csv.decisions_cell)
                assert column["type"] == "array" and "delimiter" not in column, kind.name
            else:
                # a source and a conflict are each one text item of the CSV cell
                assert column["type"] == "list" and column["itemType"] == (
                    "string" if kind.kind in ("source", "conflict") else kind.kind)
            assert field.type == pa.list_(ARROW_TYPES[kind.kind]), kind.name
            if kind.kind == "source":
                # file, start, end always; where the page came from when known (run --manifest, HTML URL)
                names = ["file", "start", "end", "source_url", "retrieved_at"]
                assert prop["items"]["type"] == "object" and list(prop["items"]["properties"]) == names
                assert prop["items"]["required"] == names[:3]
                assert [f.name for f in ARROW_TYPES["source"]] == names
            elif kind.kind == "decision":
                assert prop["items"]["type"] == "object"
                assert list(prop["items"]["properties"]) == [f.name for f in DECISION_TYPE], kind.name
            elif kind.kind == "conflict":
                # {field, values: [{value, sources: [{file, start, end}]}]}, the field one of the record's
                item = prop["items"]
                assert item["required"] == ["field", "values"] and set(item["properties"]["field"]["enum"]) <= set(props)
                value = item["properties"]["values"]["items"]
                assert value["required"] == ["value", "sources"]
                assert value["properties"]["sources"]["items"]["required"] == ["file", "start", "end"]
                assert [f.name for f in ARROW_TYPES["conflict"]] == ["field", "values"]
            else:
                assert prop["items"]["type"] == JSON_TYPES[kind.kind], kind.name
        else:
            assert _json_types(prop) == {JSON_TYPES[kind.kind]} | ({"null"} if kind.nullable else set()), kind.name
            assert column["type"] == kind.kind, kind.name
            assert field.type == ARROW_TYPES[kind.kind], kind.name
        required = column.get("constraints", {}).get("required", False)
        assert not (required and kind.nullable), kind.name  # a required column is never null
        assert field.nullable == (kind.name not in table_schema(stem).get("primaryKey", [])), kind.name


@pytest.mark.parametrize("stem", RECORD_STEMS)
def test_patterns_agree(stem):
    """Where both schemas constrain a field's text with a pattern, it is the same pattern."""
    props = load_schema(SCHEMA_KINDS[stem])["properties"]
    checked = 0
    for column in table_schema(stem)["fields"]:
        table_pattern = column.get("constraints", {}).get("pattern")
        prop = props[column["name"]]
        json_pattern = prop.get("pattern") or prop.get("items", {}).get("pattern")
        if table_pattern and json_pattern:
            assert table_pattern == json_pattern, column["name"]
            checked += 1
    assert checked >= 2


def test_the_link_table_is_derived_from_its_dataclass_like_the_records():
    """partnership_projects: its fields are model.PartnershipProject's, in the Table Schema and in Parquet,
    both keys required (never null), each with the pattern of the id it points at."""
    from kp_extract.model import PartnershipProject
    from kp_extract.outputs.records import LINK_FIELDS, LINK_STEM, link_rows

    assert LINK_FIELDS == tuple(f.name for f in dataclasses.fields(PartnershipProject))
    table = table_schema(LINK_STEM)
    assert tuple(f["name"] for f in table["fields"]) == LINK_FIELDS == tuple(SCHEMAS[LINK_STEM].names)
    assert not any(SCHEMAS[LINK_STEM].field(name).nullable for name in LINK_FIELDS)
    patterns = {f["name"]: f["constraints"]["pattern"] for f in table["fields"]}
    assert patterns["partnership_id"] == load_schema("partnership")["properties"]["partnership_id"]["pattern"]
    (record_id,) = [f for f in table_schema("projects")["fields"] if f["name"] == "record_id"]
    assert patterns["project_id"] == record_id["constraints"]["pattern"]
    pair = Partnership("A kommun", None, "B", None, None, ["kp-1", "kp-2"], [], partnership_id="kp-p-1")
    rows = list(link_rows([pair, partnership_to_dict(pair)]))
    assert rows == [{"partnership_id": "kp-p-1", "project_id": "kp-1"}, {"partnership_id": "kp-p-1", "project_id": "kp-2"}] * 2
    assert all(tuple(row) == LINK_FIELDS for row in rows)



def test_id_patterns_take_every_id_dedupe_gives():
    """Records equal in their whole key get -1, -2, … after their id (s6_dedupe.unique_ids): the
    schemas' id patterns must take those ids, or a package holding them fails validation."""
    import re

    ids = ["kp-0123456789abcdef", "kp-0123456789abcdef-1", "kp-0123456789abcdef-12"]
    fields = [f for stem in ("projects", "partnership_projects") for f in table_schema(stem)["fields"]
              if f["name"] in ("record_id", "project_id")]
    assert len(fields) == 2
    for f in fields:
        assert all(re.search(f["constraints"]["pattern"], i) for i in ids), f["name"]
        assert not re.search(f["constraints"]["pattern"], "kp-0123456789abcdef-x")
