"""Parquet output: projects.parquet and partnerships.parquet, written in bounded row groups.

The Arrow schemas are explicit (no type inference from the data, so an empty
run and a full one have the same schema), derived from the record dataclasses
(records.field_kinds): text as string, whole numbers as int64, duration_years
and confidence as float64, lists as list<string> / list<int64>, and sources as
list<struct<file: string, start: int64, end: int64, source_url: string, retrieved_at:
string>>, decisions as a list of structs of strings (action, target, field, value, reviewer,
date, note), conflicts as list<struct<field: string, values: list<struct<value: string, sources:
list<struct<file, start, end>>>>>> (a value as its text: a year "2010", a date "2019-03"; the
reader types it by the field); null where the JSON has
null. The rows are the dicts of records.project_to_dict /
partnership_to_dict, so reading a file back (pyarrow.parquet.read_table(...).to_pylist())
gives projects.json's records (duration_years as a float: 3.0 for 3).

Records arrive one by one; at most ROW_GROUP_ROWS of them are held before
they are written as one row group. pyarrow writes no timestamps: the same
records give the same bytes (for a given pyarrow version, which the file
names in its `created_by`).
"""
from __future__ import annotations

from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from kp_extract.outputs.records import LINK_STEM, field_kinds
from kp_extract.outputs.schema import table_schema

__all__ = ["PROJECT_SCHEMA", "PARTNERSHIP_SCHEMA", "LINK_SCHEMA", "SCHEMAS", "DECISION_TYPE", "CONFLICT_TYPE",
           "ROW_GROUP_ROWS",
           "record_schema", "ParquetRecordWriter"]

ROW_GROUP_ROWS = 10_000

# source_url and retrieved_at are null where the page's origin is not known (see records.source_dict)
SOURCE_TYPE = pa.struct([("file", pa.string()), ("start", pa.int64()), ("end", pa.int64()),
                         ("source_url", pa.string()), ("retrieved_at", pa.string())])
# a reviewer decision (model.Decision, stages/s7_decide.py): every part as text
DECISION_TYPE = pa.struct([(name, pa.string()) for name in
                           ("action", "target", "field", "value", "reviewer", "date", "note")])
# a conflict's values are of its field's type (a year, a date, a code): stored as text, one column type
CONFLICT_TYPE = pa.struct([("field", pa.string()), ("values", pa.list_(pa.struct([
    ("value", pa.string()),
    ("sources", pa.list_(pa.struct([("file", pa.string()), ("start", pa.int64()), ("end", pa.int64())])))])))])
_TYPES = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "source": SOURCE_TYPE,
          "decision": DECISION_TYPE, "conflict": CONFLICT_TYPE}


def record_schema(stem: str) -> pa.Schema:
    """The Arrow schema of stem's records ("projects", "partnerships" or the link table): a column per
    field, in field order, typed by the field's kind (records.field_kinds); only the Table Schema's
    primary key may not be null."""
    key = set(table_schema(stem).get("primaryKey", ()))
    return pa.schema([pa.field(k.name, pa.list_(_TYPES[k.kind]) if k.is_list else _TYPES[k.kind],
                               nullable=k.name not in key) for k in field_kinds(stem)])


PROJECT_SCHEMA = record_schema("projects")
PARTNERSHIP_SCHEMA = record_schema("partnerships")
LINK_SCHEMA = record_schema(LINK_STEM)
SCHEMAS = {"projects": PROJECT_SCHEMA, "partnerships": PARTNERSHIP_SCHEMA, LINK_STEM: LINK_SCHEMA}


def _text_values(conflicts: list[dict]) -> list[dict]:
    """conflicts with each value as its text (CONFLICT_TYPE)."""
    return [{"field": c["field"], "values": [{"value": str(v["value"]), "sources": v["sources"]} for v in c["values"]]}
            for c in conflicts]


class ParquetRecordWriter:
    """Write record dicts to the binary stream fh as Parquet, row_group_rows (default ROW_GROUP_ROWS)
    records per row group.

    `close()` writes the last row group and the footer (the stream itself stays open: the caller
    owns it, e.g. files.atomic_file). A run with no records gives a valid file with no rows.
    """

    def __init__(self, fh: BinaryIO, schema: pa.Schema, row_group_rows: int | None = None):
        self.schema = schema
        self.row_group_rows = max(1, row_group_rows or ROW_GROUP_ROWS)
        self.rows: list[dict] = []
        self.writer = pq.ParquetWriter(fh, schema, compression="snappy")
        self.conflict_columns = [f.name for f in schema if f.type == pa.list_(CONFLICT_TYPE)]

    def write(self, record: dict) -> None:
        if any(record.get(name) for name in self.conflict_columns):
            record = {**record, **{name: _text_values(record[name]) for name in self.conflict_columns
                                   if record.get(name)}}
        self.rows.append(record)
        if len(self.rows) >= self.row_group_rows:
            self._flush()

    def _flush(self) -> None:
        if self.rows:
            table = pa.Table.from_pylist(self.rows, schema=self.schema)
            self.writer.write_table(table, row_group_size=self.row_group_rows)
            self.rows = []

    def close(self) -> None:
        self._flush()
        self.writer.close()
