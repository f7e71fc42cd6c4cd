"""One reader of a run's output folder, whatever format the run wrote.

`read_records(out_dir)` gives the run's projects and partnerships as the dicts of projects.json and
partnerships.json (records.project_to_dict): keys in field order, lists as lists, whole numbers as
ints, None where the record has none, sources as {"file", "start", "end"}. It reads the richest
format present (READ_ORDER): JSON, then JSON Lines (both hold the dicts themselves), then Parquet
(typed, but a whole duration comes back as 3.0), then CSV (text: every value is parsed back by the
field's kind, records.field_kinds). The review report, the scorer, `kp-extract diff` and
`kp_extract.read_output` read through it, so a run with `--format csv` or `parquet` can be reviewed,
scored and compared like one with JSON.

CSV is read in the dialect the run wrote it in: the delimiter and encoding datapackage.json gives
for the file, else what the file shows (a byte-order mark, the character after the first column
name). A cell is parsed back as outputs/csv.py wrote it: the injection guard's apostrophe off
(csv.cell_text), an empty cell None for a nullable field, "" for a text field that is never None
and [] for a list, lists split on " | ", sources as `file:start-end`, numbers as exported (a
whole duration is an int, a confidence a float), conflicts as outputs/csv.py writes them
(conflict_cell), each value typed by its field. Where a source's page came from (source_url,
retrieved_at: run --manifest), which the cell leaves out, is taken from the page's entry in
datapackage.json's inputs, as the run attached it to every source of that page. Parquet's source
structs have those keys null where the JSON object has none; they are left out. What CSV cannot tell apart reads as the JSON
writes it most often: an empty title as None (the JSON's untitled records), a one-item list of
the empty string as [].

A folder without any record file is a `NoRunOutput` (also a FileNotFoundError); a record file that
cannot be read or parsed an `OutputReadError`; both with a one-line message.

`records_frame(records, stem)` makes a pandas DataFrame of them with proper dtypes, for
`kp_extract.read_output`.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from kp_extract.outputs.csv import LIST_SEPARATOR, cell_text, conflict_from_cell
from kp_extract.outputs.records import (RECORD_FIELDS, RECORD_VALUES, SOURCE_ORIGIN_KEYS, FieldKind, conflict_dict,
                                       field_kinds, source_dict)

__all__ = ["READ_ORDER", "Records", "OutputReadError", "NoRunOutput", "record_format", "read_records",
           "read_record_file", "records_frame"]

# The record formats, richest first: the one read when a folder holds several.
READ_ORDER = ("json", "jsonl", "parquet", "csv")


class OutputReadError(Exception):
    """A run's record file cannot be read (the message is one line)."""


class NoRunOutput(OutputReadError, FileNotFoundError):
    """The folder holds no run output (the message is one line)."""


class Records(NamedTuple):
    """A run's records, as the JSON files hold them."""

    projects: list[dict]
    partnerships: list[dict]


def record_format(out_dir: Path) -> str:
    """The format read_records reads out_dir's records from: the first of READ_ORDER whose
    projects file is there. NoRunOutput when none is (or out_dir is not a folder)."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise NoRunOutput(f"output folder not found: {out_dir}")
    for fmt in READ_ORDER:
        if (out_dir / f"projects.{fmt}").is_file():
            return fmt
    others = ", ".join(f"projects.{fmt}" for fmt in READ_ORDER[1:])
    raise NoRunOutput(f"no run output in {out_dir}: projects.json not found (nor {others}; "
                      f"run `kp-extract run` first)")


def read_records(out_dir: Path) -> Records:
    """The projects and partnerships of the run output in out_dir, as the JSON records, read from
    the richest format present (record_format). A missing partnerships file counts as none."""
    out_dir = Path(out_dir)
    fmt = record_format(out_dir)
    projects = read_record_file(out_dir / f"projects.{fmt}", "projects")
    partnerships_file = out_dir / f"partnerships.{fmt}"
    partnerships = read_record_file(partnerships_file, "partnerships") if partnerships_file.is_file() else []
    return Records(projects, partnerships)


def read_record_file(path: Path, stem: str) -> list[dict]:
    """The records of one record file (its format by its suffix) of stem ("projects" or
    "partnerships"), as the JSON records. OutputReadError when it cannot be read."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in _READERS:
        raise OutputReadError(f"{path}: not a record file (expected .{', .'.join(READ_ORDER)})")
    try:
        return _READERS[fmt](path, stem)
    except OutputReadError:
        raise
    except FileNotFoundError:
        raise OutputReadError(f"{path.name} not found: {path}") from None
    except IsADirectoryError:
        raise OutputReadError(f"{path.name} is a folder, not a file: {path}") from None
    except UnicodeDecodeError:
        raise OutputReadError(f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise OutputReadError(f"{path} is not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except OSError as exc:
        raise OutputReadError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (ValueError, TypeError, KeyError, csv.Error) as exc:
        raise OutputReadError(f"{path}: not a {stem} file of kp_extract: {exc}") from None


# ---------------------------------------------------------------- JSON, JSON Lines

def record_list(data: Any, key: str) -> list[dict] | None:
    """The record list of a parsed JSON file: the array itself, or data[key] (else data["records"]) of
    an object; None when that is not a list of objects. (Also how evaluate reads a gold file.)"""
    if isinstance(data, dict):
        data = data.get(key, data.get("records", []))
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        return None
    return data


def _checked(data: Any, stem: str, path: Path) -> list[dict]:
    """The record list of a JSON file (record_list); OutputReadError when there is none."""
    records = record_list(data, stem)
    if records is None:
        raise OutputReadError(f"{path}: expected a JSON array of {stem} records (objects)")
    return records


def _read_json(path: Path, stem: str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return _checked(json.load(fh), stem, path)


def _read_jsonl(path: Path, stem: str) -> list[dict]:
    records = []
    with open(path, encoding="utf-8") as fh:
        for number_, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise OutputReadError(f"{path} is not valid JSON Lines: line {number_}: {exc.msg}") from None
    return _checked(records, stem, path)


# ---------------------------------------------------------------- Parquet

def _exported_number(stem: str, name: str) -> Callable[[Any], Any]:
    """How a number field is exported (records.RECORD_VALUES: a confidence as a float of three
    decimals, a duration as an int when whole), None staying None."""
    export = RECORD_VALUES[stem][name]
    return lambda value: None if value is None else export(value)


def _read_parquet(path: Path, stem: str) -> list[dict]:
    import pyarrow.parquet as pq

    rows = pq.read_table(path).to_pylist()
    numbers = {k.name: _exported_number(stem, k.name) for k in field_kinds(stem)
               if k.kind == "number" and not k.is_list}
    sources = [k.name for k in field_kinds(stem) if k.kind == "source"]
    conflicts = [k.name for k in field_kinds(stem) if k.kind == "conflict"]
    for row in rows:
        for name in conflicts:  # a value is stored as its text: typed again by its field
            if row.get(name):
                row[name] = [conflict_dict(stem, c) for c in row[name]]
        for name, export in numbers.items():
            if name in row:
                row[name] = export(row[name])
        for name in sources:  # the struct has every origin key, null where the JSON object has none
            if row.get(name) is not None:
                row[name] = [source_dict(src) for src in row[name]] if isinstance(row[name], list) \
                    else source_dict(row[name])
    return rows


# ---------------------------------------------------------------- CSV

def _csv_layout(path: Path, stem: str) -> tuple[str, str]:
    """(encoding, delimiter) of a record CSV file: as datapackage.json beside it declares them, else
    as the file shows them (a byte-order mark; the character after the header's first column name)."""
    declared = _declared_layout(path)
    if declared is not None:
        return declared
    with open(path, "rb") as fh:
        head = fh.read(4096)
    bom = head.startswith(b"\xef\xbb\xbf")
    text = head[3:] if bom else head
    first = RECORD_FIELDS[stem][0].encode()
    delimiter = chr(text[len(first)]) if text.startswith(first) and len(text) > len(first) else ","
    return ("utf-8-sig" if bom else "utf-8"), delimiter


def _datapackage(folder: Path) -> dict:
    """folder/datapackage.json, {} when there is none or it is not a JSON object."""
    try:
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return package if isinstance(package, dict) else {}


def _page_origins(folder: Path) -> dict[str, dict]:
    """Where each input page came from, by its path (datapackage.json kp_extract.inputs: source_url,
    retrieved_at where the run knew them): what a CSV source cell (file:start-end) leaves out."""
    origins = {}
    provenance = _datapackage(folder).get("kp_extract")
    inputs = provenance.get("inputs") if isinstance(provenance, dict) else None
    for entry in inputs if isinstance(inputs, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            known = {k: str(entry[k]) for k in SOURCE_ORIGIN_KEYS if entry.get(k) is not None}
            if known:
                origins[entry["path"]] = known
    return origins


def _declared_layout(path: Path) -> tuple[str, str] | None:
    try:
        package = _datapackage(path.parent)
        for resource in package.get("resources", []):
            if resource.get("path") == path.name and isinstance(resource.get("dialect"), dict):
                return str(resource.get("encoding") or "utf-8"), str(resource["dialect"].get("delimiter") or ",")
    except (AttributeError, TypeError):
        pass  # no usable datapackage.json: the file shows its layout
    return None


def _source(cell: str) -> dict:
    """A source from its cell text `file:start-end` (the file name may hold ':' and '-')."""
    file, _, span = cell.rpartition(":")
    start, _, end = span.partition("-")
    if not file:
        raise ValueError(f"not a source (file:start-end): {cell!r}")
    return {"file": file, "start": int(start), "end": int(end)}


def _cell_parser(stem: str, kind: FieldKind, origins: dict[str, dict]) -> Callable[[str], Any]:
    """cell text (guard taken off) -> the field's JSON value; a source gets its page's origin."""
    def source(cell: str) -> dict:
        src = _source(cell)
        src.update(origins.get(src["file"], ()))
        return src

    def conflict(cell: str) -> dict:
        return conflict_dict(stem, conflict_from_cell(cell))

    parsers: dict[str, Callable[[str], Any]] = {"string": str, "integer": int, "number": float, "source": source,
                                                "conflict": conflict}
    if kind.kind == "decision":  # a JSON array in one cell (csv.decisions_cell)
        return lambda cell: json.loads(cell) if cell else []
    item = parsers[kind.kind]
    if kind.is_list:
        return lambda cell: [item(part) for part in cell.split(LIST_SEPARATOR)] if cell else []
    if kind.kind == "number":
        export = RECORD_VALUES[stem][kind.name]
        return lambda cell: export(float(cell)) if cell else None
    if kind.kind == "string":
        empty = None if kind.nullable else ""
        return lambda cell: cell if cell else empty
    return lambda cell: item(cell) if cell else None


def _read_csv(path: Path, stem: str) -> list[dict]:
    encoding, delimiter = _csv_layout(path, stem)
    origins = _page_origins(path.parent)
    parsers = {k.name: _cell_parser(stem, k, origins) for k in field_kinds(stem)}
    with open(path, encoding=encoding, newline="") as fh:
        rows = csv.reader(fh, delimiter=delimiter)
        header = next(rows, None)
        if header is None:
            raise OutputReadError(f"{path}: empty file, not even a header row")
        unknown = [name for name in header if name not in parsers]
        if unknown:
            raise OutputReadError(f"{path}: unknown column {unknown[0]!r} (not a {stem} file of this kp_extract, "
                                  f"or not in the delimiter {delimiter!r})")
        columns = [(name, parsers[name]) for name in header]
        records = []
        for line, row in enumerate(rows, 2):
            if len(row) != len(columns):
                raise OutputReadError(f"{path}: row {line} has {len(row)} cells, the header {len(columns)}")
            try:
                records.append({name: parse(cell_text(cell)) for (name, parse), cell in zip(columns, row)})
            except ValueError as exc:
                raise OutputReadError(f"{path}: row {line}: {exc}") from None
    return records


_READERS: dict[str, Callable[[Path, str], list[dict]]] = {
    "json": _read_json, "jsonl": _read_jsonl, "parquet": _read_parquet, "csv": _read_csv,
}


# ---------------------------------------------------------------- pandas

# The pandas dtype of a record field, by its kind (records.field_kinds): text (ids, codes, dates in
# their stated precision, names) as the string dtype, so that a code keeps its leading zero and a
# date "2019" stays a string; whole numbers as the nullable Int64; numbers as the nullable Float64;
# lists and sources as Python objects (lists of str, int or source dicts).
_PANDAS_DTYPES = {"string": "string", "integer": "Int64", "number": "Float64"}


def records_frame(records: list[dict], stem: str):
    """records (as read_records gives them) of stem as a pandas DataFrame: a column per record
    field in field order (also when there are no records), typed by the field's kind."""
    import pandas as pd

    kinds = field_kinds(stem)
    columns = {}
    for k in kinds:
        values = [r.get(k.name) for r in records]
        if k.is_list or k.kind == "source":
            columns[k.name] = pd.Series(values, dtype=object)
        else:
            columns[k.name] = pd.Series(values, dtype=_PANDAS_DTYPES[k.kind])
    return pd.DataFrame(columns, columns=[k.name for k in kinds])
