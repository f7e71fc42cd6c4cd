"""Streaming export: export.write_outputs, byte for byte, without building whole files in memory.

export.write_outputs renders each file into one string (json.dumps of the whole
array, with the pure-Python indent encoder), which for a large corpus holds
the output several times over in memory and runs on one core after the
parallel part. Here every record is rendered and written on its own:

* projects.json / partnerships.json: ``json.dumps(records, ensure_ascii=False,
  indent=1, allow_nan=False) + "\\n"``, reproduced record by record with a
  small formatter that uses the C string encoder;
* projects.csv / partnerships.csv: export.records_csv's dialect and cells
  (export.csv_cell), row by row; `csv_dialect="excel-sv"` writes a BOM, ";"
  and CRLF instead (export.CSV_DIALECTS);
* with `formats` (any of csv, json, jsonl, parquet; default csv and json):
  projects.jsonl / partnerships.jsonl, one record object per line, and
  projects.parquet / partnerships.parquet (parquet_export.py); the record files
  of formats not selected that an earlier run left are removed;
* blocks.jsonl / errors.jsonl: export's JSON Lines, line by line.

Each file goes to a temp file in the output folder, is fsynced and then moved
into place (os.replace), like export.atomic_write_bytes. tests/test_parallel.py
checks that the bytes equal export.write_outputs' on the seeds and on a
generated corpus.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from json.encoder import encode_basestring
from pathlib import Path

from .export import (DEFAULT_CSV_DIALECT, PARTNERSHIP_FIELDS, PROJECT_FIELDS, CsvDialect, _jsonl, atomic_file,
                     csv_cell, csv_writer, errors_jsonl, partnership_to_dict, project_to_dict)
from .export import csv_dialect as get_csv_dialect
from .model import FileError


def _scalar(o) -> str:
    if isinstance(o, str):
        return encode_basestring(o)
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, int):
        return int.__repr__(o)
    if isinstance(o, float):
        if o != o or o in (float("inf"), float("-inf")):
            raise ValueError("Out of range float values are not JSON compliant")
        return float.__repr__(o)
    raise TypeError(type(o).__name__)


def _indented(o, level: int) -> str:
    """json.dumps(o, ensure_ascii=False, indent=1) as if nested at `level`."""
    if isinstance(o, dict):
        if not o:
            return "{}"
        inner = "\n" + " " * (level + 1)
        parts = []
        for k, v in o.items():
            if not isinstance(k, str):
                raise TypeError("non-str key")
            parts.append(encode_basestring(k) + ": " + _indented(v, level + 1))
        return "{" + inner + ("," + inner).join(parts) + "\n" + " " * level + "}"
    if isinstance(o, (list, tuple)):
        if not o:
            return "[]"
        inner = "\n" + " " * (level + 1)
        return "[" + inner + ("," + inner).join(_indented(v, level + 1) for v in o) + "\n" + " " * level + "]"
    return _scalar(o)


def record_json(record: dict) -> str:
    """One element of a json.dumps(indent=1) array, as it appears inside the array."""
    try:
        return _indented(record, 1)
    except TypeError:  # anything unusual: let json do it, then indent it one level
        return json.dumps(record, ensure_ascii=False, indent=1, allow_nan=False).replace("\n", "\n ")


FORMATS = ("csv", "json", "jsonl", "parquet")
DEFAULT_FORMATS = ("csv", "json")
RECORD_STEMS = ("projects", "partnerships")


def parse_formats(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """The output formats named in values (comma-separated strings, possibly several; case and blanks
    ignored), in FORMATS order without repeats; DEFAULT_FORMATS for None. ValueError naming the valid
    formats for an unknown name or when no name is given."""
    if values is None:
        return DEFAULT_FORMATS
    if isinstance(values, str):
        values = [values]
    names = [part.strip().lower() for value in values for part in str(value).split(",") if part.strip()]
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        what = f"unknown format {unknown[0]!r}" if unknown else "no format given"
        raise ValueError(f"{what} (choose one or more of {', '.join(FORMATS)}, comma-separated)")
    return tuple(f for f in FORMATS if f in names)


def record_files(formats: Iterable[str] | str) -> list[str]:
    """File names of the record outputs for formats: projects.EXT then partnerships.EXT, FORMATS order."""
    chosen = parse_formats(formats)
    return [f"{stem}.{fmt}" for stem in RECORD_STEMS for fmt in chosen]


def _write_records(out_dir: Path, stem: str, dicts: Iterator[dict], fields, formats: tuple[str, ...],
                   dialect: CsvDialect) -> None:
    """stem.EXT for every format in formats, from one pass over dicts (each file atomic)."""
    with ExitStack() as stack:
        js = stack.enter_context(atomic_file(out_dir / f"{stem}.json")) if "json" in formats else None
        cs = stack.enter_context(atomic_file(out_dir / f"{stem}.csv")) if "csv" in formats else None
        jl = stack.enter_context(atomic_file(out_dir / f"{stem}.jsonl")) if "jsonl" in formats else None
        pq = None
        if "parquet" in formats:
            from .parquet_export import PARTNERSHIP_SCHEMA, PROJECT_SCHEMA, ParquetRecordWriter

            schema = PROJECT_SCHEMA if stem == "projects" else PARTNERSHIP_SCHEMA
            pq = ParquetRecordWriter(stack.enter_context(atomic_file(out_dir / f"{stem}.parquet", "wb")), schema)
        writer = None
        if cs is not None:
            writer = csv_writer(cs, dialect)
            writer.writerow(fields)
        first = True
        for rec in dicts:
            if js is not None:
                js.write(("[\n " if first else ",\n ") + record_json(rec))
            first = False
            if writer is not None:
                writer.writerow([csv_cell(rec.get(f)) for f in fields])
            if jl is not None:
                jl.write(json.dumps(rec, ensure_ascii=False, allow_nan=False) + "\n")
            if pq is not None:
                pq.write(rec)
        if js is not None:
            js.write("[]\n" if first else "\n]\n")
        if pq is not None:
            pq.close()


OUTPUT_NAMES = tuple(f"{stem}.{fmt}" for stem in RECORD_STEMS for fmt in FORMATS) + (
    "blocks.jsonl", "errors.jsonl", "contacts.json", "contacts.csv", "datapackage.json")


def remove_stale_temps(out_dir: Path) -> None:
    """Remove the temp files (".NAME.<hex>.tmp") a killed earlier run left next to the outputs."""
    for name in OUTPUT_NAMES:
        for tmp in Path(out_dir).glob(f".{name}.*.tmp"):
            try:
                tmp.unlink()
            except OSError:
                pass


def remove_unselected(out_dir: Path, formats: Iterable[str]) -> None:
    """Remove projects/partnerships files of the formats not in formats, which an earlier run with
    other --format values left, so that the folder holds one run's outputs only."""
    keep = set(record_files(formats))
    for stem in RECORD_STEMS:
        for fmt in FORMATS:
            name = f"{stem}.{fmt}"
            if name not in keep:
                try:
                    (Path(out_dir) / name).unlink()
                except FileNotFoundError:
                    pass


def write_outputs_streaming(out_dir: Path, projects, partnerships, block_rows: Iterable[dict],
                            errors: list[FileError], *, formats: Iterable[str] | str = DEFAULT_FORMATS,
                            csv_dialect: str = DEFAULT_CSV_DIALECT) -> int:
    """Write projects.EXT and partnerships.EXT for each of formats (see FORMATS; the default gives
    the same bytes as export.write_outputs), blocks.jsonl and errors.jsonl, then remove record
    files of formats not selected (left by an earlier run). CSV is written in csv_dialect (see
    export.CSV_DIALECTS). Returns the number of block rows."""
    formats = parse_formats(formats)
    dialect = get_csv_dialect(csv_dialect)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out_dir)
    _write_records(out_dir, "projects", (project_to_dict(p) for p in projects), PROJECT_FIELDS, formats, dialect)
    _write_records(out_dir, "partnerships", (partnership_to_dict(p) for p in partnerships), PARTNERSHIP_FIELDS,
                   formats, dialect)
    count = 0
    with atomic_file(out_dir / "blocks.jsonl") as fh:
        for row in block_rows:
            fh.write(_jsonl((row,)))
            count += 1
    with atomic_file(out_dir / "errors.jsonl") as fh:
        fh.write(errors_jsonl(errors))
    remove_unselected(out_dir, formats)
    return count
