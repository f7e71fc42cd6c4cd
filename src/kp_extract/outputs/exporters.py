"""One exporter class per record format, in the manner of scrapy's item exporters.

An exporter writes records (dicts, as records.project_to_dict gives them) to a sink it is given
and does not own: `start_exporting()` once, `export_item(record)` per record, `finish_exporting()`
once. The writer (outputs/writer.py) opens the sinks (atomic, hashed files) and feeds one pass over
the records to every exporter of the run's formats.

* JsonExporter: a JSON array, byte for byte ``json.dumps(records, ensure_ascii=False, indent=1,
  allow_nan=False) + "\\n"``, rendered record by record (jsontext.record_json);
* JsonLinesExporter: one ``json.dumps(record, ensure_ascii=False, allow_nan=False)`` per line;
* CsvExporter: a header row, then a row per record, in a CSV dialect (csv.CSV_DIALECTS), cells by
  csv.csv_cell;
* ParquetExporter: Parquet with the explicit schema of parquet.py, in bounded row groups;
* iati.IatiExporter: IATI 2.03 activities XML of the projects (outputs/iati.py, a text exporter);
* SqliteExporter (in sqlite.py, with the tables it fills): rows of a staging SQLite database that
  sqlite.write_database builds kp_extract.sqlite from.

The text exporters hand their sink one write per WRITE_BATCH records: each call into the text
layer has a cost of its own, and a batch is still a few hundred kB at most (memory stays flat).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, BinaryIO

from kp_extract.outputs.csv import DEFAULT_CSV_DIALECT, CsvDialect, csv_cell, csv_dialect, csv_writer
from kp_extract.outputs.jsontext import json_line, record_json

__all__ = ["WRITE_BATCH", "Exporter", "JsonExporter", "JsonLinesExporter", "CsvExporter", "ParquetExporter",
           "as_dict"]

# Records (or lines) written per call to the sink.
WRITE_BATCH = 256


def as_dict(obj: Any) -> dict:
    """obj as a JSON object: a dict as it is, a dataclass instance as dataclasses.asdict."""
    if isinstance(obj, dict):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    raise TypeError(f"cannot export {type(obj).__name__} as a JSON object")


class Exporter:
    """The exporter protocol: start_exporting(), export_item(record) for each record,
    finish_exporting(). `count` is the number of records exported."""

    def __init__(self, sink: Any) -> None:
        self.sink = sink
        self.count = 0

    def start_exporting(self) -> None:
        pass

    def export_item(self, record: dict) -> None:
        raise NotImplementedError

    def finish_exporting(self) -> None:
        pass


class _TextExporter(Exporter):
    """An exporter of text: what it writes is collected and handed to the sink (a text stream)
    in one call per WRITE_BATCH records and at the end."""

    def __init__(self, sink: Any) -> None:
        super().__init__(sink)
        self._parts: list[str] = []
        self.write = self._parts.append

    def flush(self) -> None:
        if self._parts:
            self.sink.write("".join(self._parts))
            self._parts.clear()

    def _exported(self) -> None:
        self.count += 1
        if self.count % WRITE_BATCH == 0:
            self.flush()

    def finish_exporting(self) -> None:
        self.flush()


class JsonExporter(_TextExporter):
    """A JSON array of the records: json.dumps(records, ensure_ascii=False, indent=1) and a newline."""

    def export_item(self, record: dict) -> None:
        self.write((",\n " if self.count else "[\n ") + record_json(record))
        self._exported()

    def finish_exporting(self) -> None:
        self.write("\n]\n" if self.count else "[]\n")
        self.flush()


class JsonLinesExporter(_TextExporter):
    """JSON Lines: one JSON object per line (a dataclass instance is exported as its asdict)."""

    def export_item(self, record: Any) -> None:
        self.write(json_line(record if type(record) is dict else as_dict(record)) + "\n")
        self._exported()


class CsvExporter(_TextExporter):
    """CSV in a dialect (csv.CSV_DIALECTS, or its name): a header row of fields, then one row of
    csv_cell per record and field."""

    def __init__(self, sink: Any, fields: Sequence[str], dialect: CsvDialect | str = DEFAULT_CSV_DIALECT) -> None:
        super().__init__(sink)
        self.fields = tuple(fields)
        self.dialect = csv_dialect(dialect) if isinstance(dialect, str) else dialect
        self._writer: Any = None

    def start_exporting(self) -> None:
        self._writer = csv_writer(self, self.dialect)  # the BOM, if the dialect has one
        self._writer.writerow(self.fields)

    def export_item(self, record: dict) -> None:
        self._writer.writerow([csv_cell(record.get(f)) for f in self.fields])
        self._exported()


class ParquetExporter(Exporter):
    """Parquet with an explicit Arrow schema (parquet.SCHEMAS), written to a binary sink in row groups
    of parquet.ROW_GROUP_ROWS records. pyarrow is imported only when this exporter is used."""

    def __init__(self, sink: BinaryIO, stem: str) -> None:
        super().__init__(sink)
        self.stem = stem
        self._writer: Any = None

    def start_exporting(self) -> None:
        from kp_extract.outputs.parquet import SCHEMAS, ParquetRecordWriter

        self._writer = ParquetRecordWriter(self.sink, SCHEMAS[self.stem])

    def export_item(self, record: dict) -> None:
        self._writer.write(record)
        self.count += 1

    def finish_exporting(self) -> None:
        self._writer.close()
