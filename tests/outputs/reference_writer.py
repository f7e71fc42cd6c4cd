"""The reference writer: the output files rendered whole, the plain way, for tests to compare with.

kp_extract writes its files record by record (outputs/writer.py, exporters.py, jsontext.py). This
module renders the same files as whole strings with the standard library alone (json.dumps of the
whole array, csv.writer over every row, json.dumps per JSON Lines line), from the same record dicts
(records.project_to_dict) and cells (csv.csv_cell). Tests check that the streaming writer gives
these bytes (tests/run/test_parallel.py on whole runs, tests/perf/test_export_speed.py on
generated records). Production code never imports it.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kp_extract.model import FileError, Partnership, Project
from kp_extract.outputs.csv import DEFAULT_CSV_DIALECT, csv_cell, csv_dialect
from kp_extract.outputs.records import PARTNERSHIP_FIELDS, PROJECT_FIELDS, partnership_to_dict, project_to_dict
from kp_extract.privacy import scrub_contacts

OUTPUT_FILES = ("projects.json", "projects.csv", "partnerships.json", "partnerships.csv", "blocks.jsonl",
                "errors.jsonl")


def _as_dict(obj: Any) -> dict:
    return obj if isinstance(obj, dict) else dataclasses.asdict(obj)


def json_array(records: Iterable[Any]) -> str:
    """A JSON array file: json.dumps(ensure_ascii=False, indent=1, allow_nan=False) and a newline."""
    return json.dumps(list(records), ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def jsonl(records: Iterable[Any]) -> str:
    """A JSON Lines file: json.dumps(ensure_ascii=False, allow_nan=False) of each record (a dict or a
    dataclass) and a newline."""
    return "".join(json.dumps(_as_dict(r), ensure_ascii=False, allow_nan=False) + "\n" for r in records)


def errors_jsonl(errors: Iterable[FileError]) -> str:
    """errors.jsonl: one {"file", "stage", "reason"} per line, a partly read page's reason ending in
    "(page processed)", reasons scrubbed of contact details."""
    rows = []
    for e in errors:
        reason = f"{e.reason} (page processed)" if e.partial else e.reason
        rows.append({"file": e.file, "stage": e.stage, "reason": scrub_contacts(reason)})
    return jsonl(rows)


def records_csv(records: Iterable[dict], fields: Sequence[str], dialect: str = DEFAULT_CSV_DIALECT) -> str:
    """A CSV file with a header row in a dialect of csv.CSV_DIALECTS, cells by csv_cell."""
    d = csv_dialect(dialect)
    buf = io.StringIO(newline="")
    if d.bom:
        buf.write("\ufeff")
    writer = csv.writer(buf, delimiter=d.delimiter, lineterminator=d.lineterminator, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(fields)
    for rec in records:
        writer.writerow([csv_cell(rec.get(f)) for f in fields])
    return buf.getvalue()


def write_outputs(out_dir: Path, projects: list[Project], partnerships: list[Partnership], blocks: list[Any],
                  errors: list[FileError]) -> list[Path]:
    """projects.json/.csv, partnerships.json/.csv, blocks.jsonl and errors.jsonl in out_dir (created
    if missing), each rendered whole; the paths, in that order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    project_dicts = [project_to_dict(p) for p in projects]
    partnership_dicts = [partnership_to_dict(p) for p in partnerships]
    contents = [
        ("projects.json", json_array(project_dicts)),
        ("projects.csv", records_csv(project_dicts, PROJECT_FIELDS)),
        ("partnerships.json", json_array(partnership_dicts)),
        ("partnerships.csv", records_csv(partnership_dicts, PARTNERSHIP_FIELDS)),
        ("blocks.jsonl", jsonl(blocks)),
        ("errors.jsonl", errors_jsonl(errors)),
    ]
    paths = []
    for name, text in contents:
        (out_dir / name).write_bytes(text.encode("utf-8"))
        paths.append(out_dir / name)
    return paths
