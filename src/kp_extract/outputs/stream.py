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
* blocks.jsonl / errors.jsonl: export's JSON Lines, line by line;
* candidates.jsonl: the projects and pairs the model scored below the run's confidence threshold
  (pipeline.split_by_confidence), one JSON object per line, for review.

Each file goes to a temp file in the output folder, is fsynced and then moved
into place (os.replace), like export.atomic_write_bytes. The text files are
written through export.hashed_atomic_file, which hashes their bytes on a helper
thread as they are written, so that datapackage.json need not read them back. A run with
worker processes writes the partnership files and blocks.jsonl in a forked child
(ForkedWriter) while the main process writes the project files. tests/test_parallel.py
checks that the bytes equal export.write_outputs' on the seeds and on a
generated corpus.
"""
from __future__ import annotations

import json
import multiprocessing
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from typing import Any
from json.encoder import c_make_encoder, encode_basestring
from pathlib import Path

from kp_extract.outputs.export import (_WRITTEN, DEFAULT_CSV_DIALECT, PARTNERSHIP_FIELDS, PROJECT_FIELDS, CsvDialect, _jsonl, atomic_file,
                     csv_cell, csv_writer, errors_jsonl, hashed_atomic_file, json_line, partnership_to_dict,
                     project_to_dict)
from kp_extract.outputs.export import csv_dialect as get_csv_dialect
from kp_extract.model import FileError


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


# The fast renderer below. Records are flat dicts of strings, numbers and None, lists of strings
# or numbers, and lists of small flat dicts (sources): each shape is rendered in few C calls
# (encode_basestring over a whole list, the C encoder for a list of flat dicts); anything else
# goes to _indented, the general path. Exact types only (type(x) is str, not isinstance): a
# subclass may render differently, so it takes the general path. tests/test_export_speed.py
# checks every path against json.dumps(indent=1) on generated values.
_SCALAR_TYPES = frozenset((str, int, float, bool, type(None)))
_NL = tuple("\n" + " " * n for n in range(16))  # newline + indent of nesting level n
_SEP = tuple(",\n" + " " * n for n in range(16))  # item separator at level n
_KEY_PREFIXES: dict[str, str] = {}  # '"key": ' per key seen (record keys: a few dozen)
_KEY_PREFIX_LIMIT = 4096  # unusual records with ever new keys do not grow the table without end
_FLAT_ENCODERS: dict[int, object] = {}
_RECORD_PREFIXES: dict[tuple, tuple[str, ...]] = {}  # a record's keys -> their '"key": ' prefixes
_ONLY_STR = frozenset((str,)).issuperset


def _key_prefix(key) -> str:
    """'"key": ' for a str key; TypeError for any other key (json.dumps converts some, so the
    whole record then takes json.dumps' own path)."""
    if type(key) is not str:  # before the table: only a str is looked up in it
        raise TypeError("non-str key")
    prefix = _KEY_PREFIXES.get(key)
    if prefix is None:
        prefix = encode_basestring(key) + ": "
        if len(_KEY_PREFIXES) < _KEY_PREFIX_LIMIT:
            _KEY_PREFIXES[key] = prefix
    return prefix


def _flat_encoder(level: int):
    """The C encoder (json's own, as json.dumps uses it without indent) whose item separator is
    that of nesting level `level`; None where json has no C encoder. No circular check: it only
    ever gets lists of flat dicts of scalars, which cannot hold a cycle."""
    enc = _FLAT_ENCODERS.get(level)
    if enc is None and c_make_encoder is not None:
        enc = _FLAT_ENCODERS[level] = c_make_encoder(None, None, encode_basestring, None, ": ", _SEP[level],
                                                     False, False, False)
    return enc


def _is_flat_dict_list(items) -> bool:
    """Every item a non-empty dict (exact type) whose values are all scalars (exact types)."""
    scalars = _SCALAR_TYPES.issuperset
    return all(type(d) is dict and d and scalars(map(type, d.values())) for d in items)


def _fast_list(items, level: int) -> str:
    """A non-empty list or tuple nested at level (< len(_NL) - 2), as json.dumps(indent=1) renders it."""
    inner = level + 1
    first = type(items[0])
    if first is str:
        try:  # a list of strings, the common case: one C call
            return "[" + _NL[inner] + _SEP[inner].join(map(encode_basestring, items)) + _NL[level] + "]"
        except TypeError:  # some later item is not a str
            pass
    elif first is dict:
        flat = _flat_encoder(inner + 1)
        if flat is not None and _is_flat_dict_list(items):
            # The C encoder writes '[{"a": 1,<SEP>"b": 2},<SEP>{...}]' with one separator for both
            # levels; re-indent the joints between dicts. "},<SEP>{" only occurs there: a value
            # is a scalar (never ends in "}"), a key is a string, and a newline inside a string is
            # escaped, so the separator's newline is never part of a value.
            text = "".join(flat(items, 0))
            body = text[2:-2].replace("}" + _SEP[inner + 1] + "{",
                                      _NL[inner] + "}" + _SEP[inner] + "{" + _NL[inner + 1])
            return "[" + _NL[inner] + "{" + _NL[inner + 1] + body + _NL[inner] + "}" + _NL[level] + "]"
    elif first in _SCALAR_TYPES and _SCALAR_TYPES.issuperset(map(type, items)):
        flat = _flat_encoder(inner)
        if flat is not None:  # scalars: the C encoder with this level's separator, brackets re-indented
            return "[" + _NL[inner] + "".join(flat(items, 0))[1:-1] + _NL[level] + "]"
    return "[" + _NL[inner] + _SEP[inner].join([_fast(v, inner) for v in items]) + _NL[level] + "]"


def _fast_record(record) -> str:
    """_fast(record, 1): the top level of a record inline (it is the bulk of the calls), its key
    prefixes looked up once per key tuple (every record of a file has the same keys)."""
    if type(record) is not dict or not record:
        return _fast(record, 1)
    keys = tuple(record)
    prefixes = _RECORD_PREFIXES.get(keys)
    if prefixes is None or not _ONLY_STR(map(type, keys)):  # exact strs: equal keys, same text
        prefixes = tuple(map(_key_prefix, keys))
        if len(_RECORD_PREFIXES) < _KEY_PREFIX_LIMIT:
            _RECORD_PREFIXES[keys] = prefixes
    parts = []
    add = parts.append
    for prefix, v in zip(prefixes, record.values()):
        t = type(v)
        if t is str:
            add(prefix + encode_basestring(v))
        elif t is list:
            add(prefix + (_fast_list(v, 2) if v else "[]"))
        elif v is None:
            add(prefix + "null")
        else:
            add(prefix + _fast(v, 2))
    return "{" + _NL[2] + _SEP[2].join(parts) + _NL[1] + "}"


def _fast(o, level: int) -> str:
    """_indented(o, level), with the record shapes (see above) on fast paths."""
    t = type(o)
    if t is str:
        return encode_basestring(o)
    if o is None:
        return "null"
    if t is list or t is tuple:
        if not o:
            return "[]"
        if level < len(_NL) - 2:
            return _fast_list(o, level)
    elif t is int:
        return int.__repr__(o)
    elif t is dict and level < len(_NL) - 1:
        if not o:
            return "{}"
        inner = level + 1
        return ("{" + _NL[inner] + _SEP[inner].join([_key_prefix(k) + _fast(v, inner) for k, v in o.items()])
                + _NL[level] + "}")
    return _indented(o, level)


def record_json(record: dict) -> str:
    """One element of a json.dumps(indent=1) array, as it appears inside the array."""
    try:
        return _fast_record(record)
    except TypeError:  # anything unusual: let json do it, then indent it one level
        return json.dumps(record, ensure_ascii=False, indent=1, allow_nan=False).replace("\n", "\n ")


FORMATS = ("csv", "json", "jsonl", "parquet")
# Lines or records written per call: one write per line costs a call into the text layer each;
# a batch of this many is still a few hundred kB at most (memory stays flat).
WRITE_BATCH = 256
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


class _Batched:
    """A write() that collects text for fh and hands it over in one call per flush(): the csv
    writer and the record loop write a line or a record at a time, and each call into the text
    layer has a cost of its own."""

    def __init__(self, fh) -> None:
        self.fh = fh
        self.parts: list[str] = []
        self.write = self.parts.append

    def flush(self) -> None:
        if self.parts:
            self.fh.write("".join(self.parts))
            self.parts.clear()


def _write_records(out_dir: Path, stem: str, dicts: Iterator[dict], fields, formats: tuple[str, ...],
                   dialect: CsvDialect) -> None:
    """stem.EXT for every format in formats, from one pass over dicts (each file atomic)."""
    with ExitStack() as stack:
        outs = {fmt: _Batched(stack.enter_context(hashed_atomic_file(out_dir / f"{stem}.{fmt}")))
                for fmt in ("json", "csv", "jsonl") if fmt in formats}
        js, cs, jl = outs.get("json"), outs.get("csv"), outs.get("jsonl")
        pq = None
        if "parquet" in formats:
            from kp_extract.outputs.parquet import PARTNERSHIP_SCHEMA, PROJECT_SCHEMA, ParquetRecordWriter

            schema = PROJECT_SCHEMA if stem == "projects" else PARTNERSHIP_SCHEMA
            pq = ParquetRecordWriter(stack.enter_context(atomic_file(out_dir / f"{stem}.parquet", "wb")), schema)
        writer = None
        if cs is not None:
            writer = csv_writer(cs, dialect)
            writer.writerow(fields)
        n = 0
        for rec in dicts:
            if js is not None:
                js.write((",\n " if n else "[\n ") + record_json(rec))
            if writer is not None:
                writer.writerow([csv_cell(rec.get(f)) for f in fields])
            if jl is not None:
                jl.write(json_line(rec) + "\n")
            if pq is not None:
                pq.write(rec)
            n += 1
            if n % WRITE_BATCH == 0:
                for out in outs.values():
                    out.flush()
        if js is not None:
            js.write("\n]\n" if n else "[]\n")
        for out in outs.values():
            out.flush()
        if pq is not None:
            pq.close()


OUTPUT_NAMES = tuple(f"{stem}.{fmt}" for stem in RECORD_STEMS for fmt in FORMATS) + (
    "blocks.jsonl", "errors.jsonl", "candidates.jsonl", "contacts.json", "contacts.csv", "datapackage.json")


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
                            csv_dialect: str = DEFAULT_CSV_DIALECT, side_process: bool = False,
                            candidate_lines: Iterable[str] = ()) -> int:
    """Write projects.EXT and partnerships.EXT for each of formats (see FORMATS; the default gives
    the same bytes as export.write_outputs), blocks.jsonl and errors.jsonl, then remove record
    files of formats not selected (left by an earlier run). CSV is written in csv_dialect (see
    export.CSV_DIALECTS). Returns the number of block rows.

    side_process: write the partnership files and blocks.jsonl in a forked child process while this
    one writes the project files (same bytes; the tail of a run uses two cores instead of one).
    Only where fork is safe (see can_fork_writer); else everything is written here. An error in the
    child is raised here."""
    formats = parse_formats(formats)
    dialect = get_csv_dialect(csv_dialect)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out_dir)

    def partnerships_and_blocks() -> int:
        _write_records(out_dir, "partnerships", (partnership_to_dict(p) for p in partnerships), PARTNERSHIP_FIELDS,
                       formats, dialect)
        return _write_block_rows(out_dir, block_rows)

    with ExitStack() as stack:
        side = stack.enter_context(ForkedWriter(partnerships_and_blocks)) if side_process and can_fork_writer() \
            else None
        _write_records(out_dir, "projects", (project_to_dict(p) for p in projects), PROJECT_FIELDS, formats,
                       dialect)
        count = side.result() if side is not None else partnerships_and_blocks()
    with hashed_atomic_file(out_dir / "errors.jsonl") as fh:
        fh.write(errors_jsonl(errors))
    with hashed_atomic_file(out_dir / "candidates.jsonl") as fh:
        for line in candidate_lines:
            fh.write(line)
    remove_unselected(out_dir, formats)
    return count


def _write_block_rows(out_dir: Path, block_rows: Iterable[dict]) -> int:
    """blocks.jsonl from block_rows, in batches; the number of rows."""
    count = 0
    with hashed_atomic_file(out_dir / "blocks.jsonl") as fh:
        lines = []
        for row in block_rows:
            lines.append(_jsonl((row,)))
            if len(lines) == WRITE_BATCH:
                fh.write("".join(lines))
                count += len(lines)
                lines = []
        fh.write("".join(lines))
        count += len(lines)
    return count


def can_fork_writer() -> bool:
    """True when a child process may be forked here: the platform has fork and this process runs no
    other thread (a thread holding a lock at the fork would leave the child a lock nobody releases)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


class ForkedWriter:
    """Runs write() in a forked child process (it sees this process' objects as they are, nothing is
    pickled); result() waits for it and returns its value, or raises its exception. The files the
    child wrote through export.hashed_atomic_file keep their recorded hashes here (export.written_stats).
    Leaving the with-block before result() stops the child."""

    def __init__(self, write: Callable[[], Any]) -> None:
        self._write = write

    def __enter__(self) -> "ForkedWriter":
        ctx = multiprocessing.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=self._child, args=(self._write, send), name="kp-write", daemon=True)
        self._proc.start()
        send.close()
        self._done = False
        return self

    @staticmethod
    def _child(write: Callable[[], Any], send) -> None:
        before = dict(_WRITTEN)
        try:
            value = write()
            send.send(("ok", value, {k: v for k, v in _WRITTEN.items() if before.get(k) != v}))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
            try:
                send.send(("error", exc, {}))
            except Exception:  # noqa: BLE001 - an exception that does not pickle
                send.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}"), {}))
        finally:
            send.close()

    def result(self) -> Any:
        try:
            status, value, written = self._recv.recv()
        except EOFError:
            status, value, written = "error", RuntimeError(
                f"the writer process ended without a result (exit code {self._proc.exitcode})"), {}
        self._proc.join()
        self._done = True
        if status != "ok":
            raise value
        _WRITTEN.update(written)
        return value

    def __exit__(self, *exc) -> None:
        if not self._done:
            self._proc.terminate()
            self._proc.join()
        self._recv.close()
