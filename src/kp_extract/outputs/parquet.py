"""Parquet output: projects.parquet and partnerships.parquet, written in bounded row groups.

The Arrow schemas are explicit (no type inference from the data, so an empty
run and a full one have the same schema): text as string, whole numbers as
int64, duration_years as float64, lists as list<string> / list<int64>, and
sources as list<struct<file: string, start: int64, end: int64>>; null where
the JSON has null. The rows are the dicts of export.project_to_dict /
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

__all__ = ["PROJECT_SCHEMA", "PARTNERSHIP_SCHEMA", "ROW_GROUP_ROWS", "ParquetRecordWriter"]

ROW_GROUP_ROWS = 10_000

_STRINGS = pa.list_(pa.string())
SOURCE_TYPE = pa.struct([("file", pa.string()), ("start", pa.int64()), ("end", pa.int64())])

PROJECT_SCHEMA = pa.schema([
    pa.field("record_id", pa.string(), nullable=False),
    ("title", pa.string()),
    ("swedish_partners", _STRINGS),
    ("swedish_partner_codes", _STRINGS),
    ("international_partners", _STRINGS),
    ("other_participants", _STRINGS),
    ("countries", _STRINGS),
    ("project_areas", _STRINGS),
    ("themes", _STRINGS),
    ("sdgs", pa.list_(pa.int64())),
    ("start_date", pa.string()),
    ("end_date", pa.string()),
    ("duration_years", pa.float64()),
    ("amount_sek", pa.int64()),
    ("tags", _STRINGS),
    ("languages", _STRINGS),
    ("summary", pa.string()),
    ("sources", pa.list_(SOURCE_TYPE)),
    ("possible_duplicates", _STRINGS),
    ("confidence", pa.float64()),
])

PARTNERSHIP_SCHEMA = pa.schema([
    ("swedish_partner", pa.string()),
    ("swedish_partner_code", pa.string()),
    ("international_partner", pa.string()),
    ("country", pa.string()),
    ("since_year", pa.int64()),
    ("project_ids", _STRINGS),
    ("sources", pa.list_(SOURCE_TYPE)),
    ("confidence", pa.float64()),
])


class ParquetRecordWriter:
    """Write record dicts to the binary stream fh as Parquet, row_group_rows (default ROW_GROUP_ROWS)
    records per row group.

    `close()` writes the last row group and the footer (the stream itself stays open: the caller
    owns it, e.g. export.atomic_file). A run with no records gives a valid file with no rows.
    """

    def __init__(self, fh: BinaryIO, schema: pa.Schema, row_group_rows: int | None = None):
        self.schema = schema
        self.row_group_rows = max(1, row_group_rows or ROW_GROUP_ROWS)
        self.rows: list[dict] = []
        self.writer = pq.ParquetWriter(fh, schema, compression="snappy")

    def write(self, record: dict) -> None:
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
