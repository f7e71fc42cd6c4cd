"""datapackage.json: a Frictionless Data Package describing one run's outputs, with provenance.

Written last by every run (pipeline.run), atomically, into the output folder, as a Data Package v2
(`"$schema": PACKAGE_PROFILE`; no v1 `profile` keys):

* with csv among the formats: the resources are the tables projects.csv, partnerships.csv and
  partnership_projects.csv (`"type": "table"`): encoding, CSV dialect (delimiter, line terminator,
  quoting, header), size in bytes, "sha256:" hash and Table Schema (schema/*.tableschema.json, v2:
  field types, constraints, primaryKey record_id / partnership_id / both of the link table, the link
  table's foreignKeys to the other two, `missingValues: [""]`; list fields have type "list" with
  `delimiter: " | "` and an itemType; numbers use "." as decimal mark in both CSV dialects); the
  other record files written (JSON, JSON Lines, Parquet, IATI XML, SQLite, the xlsx workbook) follow as
  file resources;
* without csv: the resources are the record files that were written (projects/partnerships .json,
  .jsonl, .parquet, partnership_projects.parquet, records.xlsx) as `"type": "file"` resources with
  format, media type, bytes and hash;
* the descriptive keys of `--package-meta FILE` (load_package_meta: title, description, licenses,
  sources, contributors, version, keywords, and any other key), merged in on every run: they win
  over the tool's defaults (name, title, version), while `$schema`, the resources and the provenance
  stay the tool's;
* pages.csv, in every package: a table resource "pages" (one row per input file: sha256,
  language, blocks, candidates, records, partnerships, and why it gave no record), with its Table
  Schema (schema/pages.tableschema.json), in the run's CSV dialect;
* `kp_extract` (a custom property): tool version, code/data fingerprint
  (cache.fingerprint), the options that shape the output (formats, CSV dialect,
  include_contacts), where the input folder is (`input`: relative to the folder
  of datapackage.json when the two share a parent folder other than the root,
  else absolute; see input_location), what the sources' offsets index
  (`source_offsets`), the manifest of --manifest (path as given, sha256), every
  other output file with its bytes and hash (changes.json of `run --compare`
  among them), and every input file read: its
  path relative to the input folder, the sha256 of its bytes (left out for a
  file whose bytes could not be read), and where it came from (`source_url`,
  `retrieved_at`) when the manifest or the page says so.

Nothing in it depends on the clock or the number of workers, so a run into the
same output folder from the same input folder gives the same bytes. The
input list is streamed into the file, one line per input file. The sizes and
hashes of the output files are those the writer took while writing them
(writer.write_outputs and write_contacts return them; the run hands them in).
"""
from __future__ import annotations

import datetime
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kp_extract import __version__
from kp_extract.outputs.csv import LIST_SEPARATOR
from kp_extract.outputs.csv import csv_dialect as get_csv_dialect
from kp_extract.outputs.files import FileStat, atomic_file, file_stat
from kp_extract.outputs.records import TABLE_STEMS
from kp_extract.outputs.schema import load_schema, table_schema
from kp_extract.outputs.writer import parse_formats, record_files

__all__ = ["PACKAGE_NAME", "DATAPACKAGE", "PACKAGE_PROFILE", "TOOL_KEYS", "SOURCE_OFFSETS", "input_label",
           "input_location", "load_package_meta", "write_datapackage"]

PACKAGE_PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
# Keys of datapackage.json that each run writes itself: a --package-meta file's are ignored ("profile" is v1's
# name for $schema), so that a copy of an earlier datapackage.json can serve as the file.
TOOL_KEYS = ("$schema", "profile", "resources", "kp_extract")

PACKAGE_NAME = "kp-extract-records"
DATAPACKAGE = "datapackage.json"
PAGES = "pages.csv"  # what each input file gave and why it gave no record (writer.write_pages)
MEDIATYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
    "xml": "application/xml",
    "sqlite": "application/vnd.sqlite3",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_INPUTS_PLACEHOLDER = "\x00inputs\x00"  # replaced by the streamed input list


# What the offsets of every source mean (written into datapackage.json: an archivist citing a span
# of an HTML page must know it is not a span of the HTML bytes).
SOURCE_OFFSETS = ("start and end are character offsets into the page's decoded text, newlines normalised to "
                  "\\n; for HTML pages (*.html, *.htm) they index the main text extracted from the HTML "
                  "(trafilatura, as kp-extract reads it), not the HTML")


def input_location(input_dir: Path | str, out_dir: Path | str) -> str:
    """Where the input folder is, as datapackage.json records it (POSIX form): relative to out_dir
    when the two share a parent folder other than the file-system root ("../raw"), else absolute.
    Both are resolved first (symlinks followed), so out_dir/location opens the same folder the
    run read. `kp-extract report` and `inspect` find the pages with it."""
    src = Path(os.path.realpath(input_dir))
    out = Path(os.path.realpath(out_dir))
    try:
        common = Path(os.path.commonpath([src, out]))
    except ValueError:  # other drives (Windows)
        return src.as_posix()
    if common == Path(common.anchor):
        return src.as_posix()
    return Path(os.path.relpath(src, out)).as_posix()


def input_label(input_dir: Path | str) -> str:
    """The input folder as recorded: as given (POSIX form) when relative, its name alone when absolute
    (no machine-specific paths in the output)."""
    path = Path(input_dir)
    return (path.name or path.as_posix()) if path.is_absolute() else path.as_posix()


def _file_entry(out_dir: Path, name: str, written: Mapping[str, FileStat]) -> dict:
    stat = written.get(name) or file_stat(out_dir / name)
    fmt = name.rsplit(".", 1)[-1]
    return {"path": name, "format": fmt, "mediatype": MEDIATYPES.get(fmt, "application/octet-stream"),
            "bytes": stat.size, "hash": f"sha256:{stat.sha256}"}


def _csv_resource(out_dir: Path, stem: str, dialect_name: str, written: Mapping[str, FileStat]) -> dict:
    dialect = get_csv_dialect(dialect_name)
    entry = _file_entry(out_dir, f"{stem}.csv", written)
    schema = table_schema(stem)
    for field in schema["fields"]:  # the data file and the writer must agree on the separator
        if field.get("type") == "list" and field.get("delimiter") != LIST_SEPARATOR:
            raise ValueError(f"{stem}.tableschema.json: {field['name']} delimiter is not {LIST_SEPARATOR!r}")
    return {
        "name": stem,
        "type": "table",
        "path": entry["path"],
        "format": "csv",
        "mediatype": entry["mediatype"],
        "encoding": dialect.encoding,
        "bytes": entry["bytes"],
        "hash": entry["hash"],
        "dialect": {"delimiter": dialect.delimiter, "lineTerminator": dialect.lineterminator, "quoteChar": '"',
                    "doubleQuote": True, "header": True},
        "schema": schema,
    }


def _resources(out_dir: Path, formats: tuple[str, ...], dialect: str,
               written: Mapping[str, FileStat]) -> tuple[list[dict], list[str]]:
    """(resources, names of the record files they describe): the CSV tables, then every other record file."""
    tables = [_csv_resource(out_dir, stem, dialect, written) for stem in TABLE_STEMS] if "csv" in formats else []
    files = [name for name in record_files(formats) if not name.endswith(".csv")]
    return (tables + [{"name": name.replace(".", "-"), "type": "file", **_file_entry(out_dir, name, written)}
                      for name in files], record_files(formats))


def _json_text(obj, **kwargs) -> str:
    """json.dumps with the text as it is, or \\u escapes when it holds characters UTF-8 cannot
    encode (a file name with undecodable bytes arrives with lone surrogates)."""
    text = json.dumps(obj, ensure_ascii=False, **kwargs)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(obj, ensure_ascii=True, **kwargs)
    return text


def _plain(value):
    """value with YAML's dates and times as ISO 8601 text, as JSON writes them."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return value


def load_package_meta(path: Path | str) -> dict:
    """The package metadata of a --package-meta file: a JSON object (*.json) or a YAML mapping (any
    other name), checked against schema/package-meta.schema.json (the Data Package v2 descriptive
    keys; unknown keys are kept). ValueError with one line naming the file and what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise ValueError(f"cannot read package metadata {path}: {reason}") from None
    try:
        if path.suffix.lower() == ".json":
            meta = json.loads(text)
        else:
            import yaml

            meta = yaml.safe_load(text)
    except ValueError as exc:  # json.JSONDecodeError
        raise ValueError(f"package metadata {path} is not valid JSON: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - yaml.YAMLError, imported lazily
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ValueError(f"package metadata {path} is not valid YAML: {problem}") from None
    if not isinstance(meta, dict):
        raise ValueError(f"package metadata {path} must be a mapping of keys (title, description, licenses, ...), "
                         f"not {type(meta).__name__}")
    meta = _plain(meta)
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(load_schema("package-meta")).iter_errors(meta),
                    key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        err = errors[0]
        where = ".".join(str(p) for p in err.absolute_path) or "top level"
        raise ValueError(f"package metadata {path}: {where}: {err.message}")
    return meta


def write_datapackage(out_dir: Path, *, formats: Iterable[str] | str, csv_dialect: str, include_contacts: bool,
                      input_dir: Path | str, inputs: Iterable[tuple],
                      written: Mapping[str, FileStat] | None = None,
                      manifest: Mapping[str, str] | None = None, meta: Mapping | None = None,
                      decisions: dict | None = None, final_dir: Path | None = None,
                      spacy_model: str | None = None) -> Path:
    """Write out_dir/datapackage.json (see the module docstring) for the files a run has written there.

    inputs: (path relative to the input folder, sha256 hex or None[, source_url or None[, retrieved_at
    or None]]) per input file, in file order; consumed once, one entry at a time. written: the FileStat
    of the files, by name, as the writer returned them (writer.write_outputs, write_contacts); a file
    not in it is read and hashed here. manifest: {"path", "sha256"} of the run's --manifest file.
    meta: the archivist's package metadata (load_package_meta), merged in: its keys win over the
    tool's name, title and version, TOOL_KEYS stay the tool's. decisions: the reviewer decisions of
    the run (pipeline.decisions_provenance), kept under kp_extract.decisions; None without a
    decisions file. final_dir: the folder the package ends up in when out_dir is a staging folder
    inside it (writer.OutputStage): the input's location is recorded relative to final_dir.
    """
    out_dir = Path(out_dir)
    formats = parse_formats(formats)
    from kp_extract.run.cache import fingerprint

    written = written or {}
    resources_, described = _resources(out_dir, formats, csv_dialect, written)
    if (out_dir / PAGES).is_file():  # in every run's output, in the run's CSV dialect, whatever the formats
        resources_.append(_csv_resource(out_dir, "pages", csv_dialect, written))
    others = [n for n in record_files(formats) if n not in described] + ["blocks.jsonl", "errors.jsonl",
                                                                        "candidates.jsonl", "changes.json"]
    if include_contacts:
        others += ["contacts.json", "contacts.csv"]
    if decisions is not None:
        others.append("decisions-unmatched.csv")
    package: dict[str, Any] = {
        "$schema": PACKAGE_PROFILE,
        "name": PACKAGE_NAME,
        "title": "ICLD municipal partnership projects and partnerships",
        "version": __version__,
    }
    package.update((k, v) for k, v in (meta or {}).items() if k not in TOOL_KEYS)
    package |= {
        "resources": resources_,
        "kp_extract": {
            "version": __version__,
            "fingerprint": fingerprint(spacy_model),
            "options": {"formats": list(formats), "csv_dialect": csv_dialect,
                        "include_contacts": bool(include_contacts)},
            "input": input_location(input_dir, final_dir if final_dir is not None else out_dir),
            "source_offsets": SOURCE_OFFSETS,
            **({"manifest": dict(manifest)} if manifest else {}),
            **({"decisions": decisions} if decisions is not None else {}),
            "outputs": [_file_entry(out_dir, name, written) for name in others if (out_dir / name).is_file()],
            "inputs": _INPUTS_PLACEHOLDER,
        },
    }
    text = _json_text(package, indent=1) + "\n"
    head, tail = text.split(json.dumps(_INPUTS_PLACEHOLDER), 1)
    path = out_dir / DATAPACKAGE
    with atomic_file(path) as fh:
        fh.write(head + "[")
        first = True
        for rel, sha, *origin in inputs:
            entry = {"path": rel} if sha is None else {"path": rel, "sha256": sha}
            for key, value in zip(("source_url", "retrieved_at"), origin):
                if value is not None:
                    entry[key] = value
            fh.write(("\n   " if first else ",\n   ") + _json_text(entry))
            first = False
        fh.write("]" if first else "\n  ]")
        fh.write(tail)
    return path
