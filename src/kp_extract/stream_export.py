"""Streaming export: export.write_outputs, byte for byte, without building whole files in memory.

export.write_outputs renders each file into one string (json.dumps of the whole
array, with the pure-Python indent encoder), which for a large corpus holds
the output several times over in memory and runs on one core after the
parallel part. Here every record is rendered and written on its own:

* projects.json / partnerships.json: ``json.dumps(records, ensure_ascii=False,
  indent=1, allow_nan=False) + "\\n"``, reproduced record by record with a
  small formatter that uses the C string encoder;
* projects.csv / partnerships.csv: export.records_csv's dialect and cells
  (export.csv_cell), row by row;
* blocks.jsonl / errors.jsonl: export's JSON Lines, line by line.

Each file goes to a temp file in the output folder, is fsynced and then moved
into place (os.replace), like export.atomic_write_bytes. tests/test_parallel.py
checks that the bytes equal export.write_outputs' on the seeds and on a
generated corpus.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring
from pathlib import Path

from .export import (PARTNERSHIP_FIELDS, PROJECT_FIELDS, _jsonl, atomic_file, csv_cell, errors_jsonl,
                     partnership_to_dict, project_to_dict)
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


def _write_records(out_dir: Path, stem: str, dicts: Iterator[dict], fields) -> None:
    with atomic_file(out_dir / f"{stem}.json") as js, atomic_file(out_dir / f"{stem}.csv") as cs:
        writer = csv.writer(cs, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(fields)
        first = True
        for rec in dicts:
            js.write(("[\n " if first else ",\n ") + record_json(rec))
            first = False
            writer.writerow([csv_cell(rec.get(f)) for f in fields])
        js.write("[]\n" if first else "\n]\n")


OUTPUT_NAMES = ("projects.json", "projects.csv", "partnerships.json", "partnerships.csv", "blocks.jsonl",
                "errors.jsonl", "contacts.json", "contacts.csv")


def remove_stale_temps(out_dir: Path) -> None:
    """Remove the temp files (".NAME.<hex>.tmp") a killed earlier run left next to the outputs."""
    for name in OUTPUT_NAMES:
        for tmp in Path(out_dir).glob(f".{name}.*.tmp"):
            try:
                tmp.unlink()
            except OSError:
                pass


def write_outputs_streaming(out_dir: Path, projects, partnerships, block_rows: Iterable[dict],
                            errors: list[FileError]) -> int:
    """Write the six output files like export.write_outputs; returns the number of block rows."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out_dir)
    _write_records(out_dir, "projects", (project_to_dict(p) for p in projects), PROJECT_FIELDS)
    _write_records(out_dir, "partnerships", (partnership_to_dict(p) for p in partnerships), PARTNERSHIP_FIELDS)
    count = 0
    with atomic_file(out_dir / "blocks.jsonl") as fh:
        for row in block_rows:
            fh.write(_jsonl((row,)))
            count += 1
    with atomic_file(out_dir / "errors.jsonl") as fh:
        fh.write(errors_jsonl(errors))
    return count
