"""Export stage: write the records as JSON, CSV and JSON Lines, atomically.

Files written to the output folder:

* projects.json, partnerships.json: a JSON array of records, keys in schema order;
* projects.csv, partnerships.csv: RFC 4180 CSV, UTF-8, header row; list fields
  joined with " | ", sources as `file:start-end`; cells starting with = + - @
  TAB or CR get a leading apostrophe (CSV injection guard; JSON keeps the value);
* blocks.jsonl: one JSON object per segmented block (for debugging);
* errors.jsonl: one JSON object per file (stage) that could not be processed;
  always written, empty when all went well;
* contacts.json, contacts.csv: only on request (write_contacts), the contact
  lines clean found.

Personal data: every text field of a record and every error reason goes
through privacy.scrub: e-mail addresses become "[e-post]", phone numbers
"[telefon]", contact-person phrases are dropped.

Every file is written to a temporary file in the same folder, flushed, fsynced
and moved into place with os.replace, so a reader never sees half a file and a
crash leaves the previous file intact. The same input gives byte-identical files.
"""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import math
import os
import queue
import secrets
import threading
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from kp_extract.privacy import scrub, scrub_contacts, scrub_items
from kp_extract.model import FileError, Partnership, Project, Source

__all__ = [
    "PROJECT_FIELDS",
    "PARTNERSHIP_FIELDS",
    "LIST_SEPARATOR",
    "project_to_dict",
    "partnership_to_dict",
    "projects_json",
    "partnerships_json",
    "records_csv",
    "csv_cell",
    "csv_writer",
    "atomic_write_bytes",
    "atomic_write_text",
    "hashed_atomic_file",
    "written_stats",
    "write_outputs",
    "validate_records",
    "load_schema",
    "CONTACT_FIELDS",
    "contacts_to_dicts",
    "write_contacts",
    "remove_contacts",
    "errors_jsonl",
    "CsvDialect",
    "CSV_DIALECTS",
    "DEFAULT_CSV_DIALECT",
    "csv_dialect",
]

PROJECT_FIELDS: tuple[str, ...] = (
    "record_id", "title", "swedish_partners", "swedish_partner_codes",
    "international_partners", "other_participants", "countries", "project_areas",
    "themes", "sdgs", "start_date", "end_date", "duration_years", "amount_sek",
    "tags", "languages", "summary", "sources", "possible_duplicates", "confidence",
)
PARTNERSHIP_FIELDS: tuple[str, ...] = (
    "swedish_partner", "swedish_partner_code", "international_partner", "country",
    "since_year", "project_ids", "sources", "confidence",
)
LIST_SEPARATOR = " | "


@dataclasses.dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is laid out: the cells (csv_cell: lists joined with LIST_SEPARATOR, numbers
    plain with "." as decimal mark, injection guard) are the same in every dialect."""

    name: str
    delimiter: str
    bom: bool  # a UTF-8 byte-order mark first, so that Excel reads the file as UTF-8
    lineterminator: str = "\r\n"

    @property
    def encoding(self) -> str:
        """The encoding name a reader should use (Frictionless, pandas): utf-8-sig with a BOM."""
        return "utf-8-sig" if self.bom else "utf-8"


# rfc4180: the default, RFC 4180 with UTF-8. excel-sv: what Excel with Swedish regional settings
# opens with a double click: it expects ";" between cells (the comma is the decimal mark there) and
# needs the BOM to read UTF-8. Numbers keep "." (declared in datapackage.json) so that both dialects
# hold the same values.
CSV_DIALECTS: dict[str, CsvDialect] = {
    "rfc4180": CsvDialect("rfc4180", ",", bom=False),
    "excel-sv": CsvDialect("excel-sv", ";", bom=True),
}
DEFAULT_CSV_DIALECT = "rfc4180"


def csv_dialect(name: str) -> CsvDialect:
    """The CsvDialect called name; ValueError naming the valid ones otherwise."""
    try:
        return CSV_DIALECTS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown CSV dialect {name!r} (choose from {', '.join(CSV_DIALECTS)})") from None


_CSV_INJECTION_LEADS = ("=", "+", "-", "@", "\t", "\r")
_CSV_INJECTION_CHARS = frozenset(_CSV_INJECTION_LEADS)  # all one character: a set test on text[0]


# ---------------------------------------------------------------- record -> dict

def _number(value: Any) -> int | float | None:
    """int for whole numbers (3.0 -> 3), float otherwise, None for None/NaN/inf."""
    if value is None or isinstance(value, bool):
        return value  # type: ignore[return-value]
    if isinstance(value, int):
        return value
    value = float(value)
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() else value


def _source_dict(src: Source | dict) -> dict:
    if isinstance(src, Source):
        return src.to_dict()
    if isinstance(src, dict):
        return {"file": src["file"], "start": int(src["start"]), "end": int(src["end"])}
    raise TypeError(f"not a source: {src!r}")


_ONLY_STR = frozenset((str,)).issuperset
_ONLY_INT = frozenset((int,)).issuperset


def _sources(sources) -> list[dict]:
    """[_source_dict(s) for s in sources], with an exact Source's dict (Source.to_dict) built inline."""
    return [{"file": s.file, "start": s.start, "end": s.end} if type(s) is Source else _source_dict(s)
            for s in sources]


def project_to_dict(p: Project) -> dict:
    """A Project as its JSON object, keys in PROJECT_FIELDS order. Text fields (title, names,
    areas, themes, tags, summary) are scrubbed of e-mail addresses, phone numbers and
    contact-person phrases (privacy.scrub); ids, codes, dates and sources are not touched."""
    return {
        "record_id": p.record_id,
        "title": scrub(p.title),
        "swedish_partners": scrub_items(p.swedish_partners),
        "swedish_partner_codes": list(p.swedish_partner_codes),
        "international_partners": scrub_items(p.international_partners),
        "other_participants": scrub_items(p.other_participants),
        "countries": list(p.countries),
        "project_areas": scrub_items(p.project_areas),
        "themes": scrub_items(p.themes),
        "sdgs": [int(x) for x in p.sdgs],
        "start_date": p.start_date,
        "end_date": p.end_date,
        "duration_years": _number(p.duration_years),
        "amount_sek": None if p.amount_sek is None else int(p.amount_sek),
        "tags": scrub_items(p.tags),
        "languages": list(p.languages),
        "summary": scrub(p.summary) if p.summary is not None else "",
        "sources": _sources(p.sources),
        "possible_duplicates": list(p.possible_duplicates),
        "confidence": _confidence(p.confidence),
    }


def partnership_to_dict(p: Partnership) -> dict:
    """A Partnership as its JSON object, keys in PARTNERSHIP_FIELDS order (names scrubbed, privacy.scrub)."""
    return {
        "swedish_partner": scrub(p.swedish_partner),
        "swedish_partner_code": p.swedish_partner_code,
        "international_partner": scrub(p.international_partner),
        "country": p.country,
        "since_year": None if p.since_year is None else int(p.since_year),
        "project_ids": list(p.project_ids),
        "sources": _sources(p.sources),
        "confidence": _confidence(p.confidence),
    }


def _confidence(value: float) -> float:
    """A record's confidence as exported: three decimals, within 0..1."""
    return round(min(max(float(value), 0.0), 1.0), 3)


def _as_dict(obj: Any) -> dict:
    if isinstance(obj, dict):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    raise TypeError(f"cannot export {type(obj).__name__} as a JSON object")


# ---------------------------------------------------------------- serialisation

def _json_array(records: Sequence[dict]) -> str:
    return json.dumps(list(records), ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def projects_json(projects: Iterable[Project]) -> str:
    """projects.json content: a JSON array, ensure_ascii=False, indent=1, trailing newline."""
    return _json_array([project_to_dict(p) for p in projects])


def partnerships_json(partnerships: Iterable[Partnership]) -> str:
    """partnerships.json content."""
    return _json_array([partnership_to_dict(p) for p in partnerships])


# json.dumps(obj, ensure_ascii=False, allow_nan=False) is JSONEncoder(ensure_ascii=False,
# allow_nan=False).encode(obj), which builds json's C encoder anew for every call (with a fresh
# dict of the containers being encoded, for its circular check). json_line builds it once: the
# dict is empty again after every call that returns (the encoder takes out what it put in), and
# is emptied after one that raises, so each call starts as a fresh encoder would. One thread at a
# time (the export runs in the main thread).
_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
_LINE_MARKERS: dict = {}
_c_line = (json.encoder.c_make_encoder(_LINE_MARKERS, _LINE_ENCODER.default, json.encoder.encode_basestring,
                                       None, _LINE_ENCODER.key_separator, _LINE_ENCODER.item_separator,
                                       False, False, False)
           if json.encoder.c_make_encoder is not None else None)


def json_line(obj: Any) -> str:
    """json.dumps(obj, ensure_ascii=False, allow_nan=False)."""
    if _c_line is None:
        return _LINE_ENCODER.encode(obj)
    try:
        return "".join(_c_line(obj, 0))
    except BaseException:
        _LINE_MARKERS.clear()
        raise


def _jsonl(records: Iterable[Any]) -> str:
    """One JSON Lines line (json_line, then "\\n") per record (a dict or a dataclass)."""
    return "".join([json_line(_as_dict(r)) + "\n" for r in records])


def errors_jsonl(errors: Iterable[FileError]) -> str:
    """errors.jsonl content: one {"file", "stage", "reason"} object per line, reasons scrubbed
    (an exception message may quote page text)."""
    rows = []
    for e in errors:
        d = dict(_as_dict(e))
        if isinstance(d.get("reason"), str):
            d["reason"] = scrub_contacts(d["reason"])
        rows.append(d)
    return _jsonl(rows)


def _plain_cell(value: Any) -> str:
    """The text of a CSV cell before the injection guard (see csv_cell)."""
    # Exact types first: a record's cells are strings, lists of strings, None and ints; a
    # subclass (whose str() may differ) takes the general path below.
    t = type(value)
    if t is str:
        return value
    if value is None:
        return ""
    if t is list or t is tuple:
        return _list_cell(value)
    if t is int:
        return int.__repr__(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        num = _number(value)
        return "" if num is None else repr(num) if isinstance(num, float) else str(num)
    if isinstance(value, (Source, dict)):
        src = _source_dict(value)
        return f"{src['file']}:{src['start']}-{src['end']}"
    if isinstance(value, (list, tuple)):
        return _list_cell(value)
    return str(value)


def _list_cell(items) -> str:
    """_plain_cell of a list: its items' cells joined with LIST_SEPARATOR."""
    kinds = set(map(type, items))
    if _ONLY_STR(kinds):  # exact str items are their own cells: one C join
        return LIST_SEPARATOR.join(items)
    if _ONLY_INT(kinds):
        return LIST_SEPARATOR.join(map(int.__repr__, items))
    return LIST_SEPARATOR.join([_item_cell(v) for v in items])


def _item_cell(value: Any) -> str:
    """_plain_cell of one list item, with sources (dicts, Source) inline: what _source_dict and the
    f-string of _plain_cell make of them, in the same order of lookups and conversions."""
    t = type(value)
    if t is dict:
        file, start, end = value["file"], int(value["start"]), int(value["end"])
        return f"{file}:{start}-{end}"
    if t is Source:
        return f"{value.file}:{value.start}-{value.end}"
    return _plain_cell(value)


def csv_cell(value: Any) -> str:
    """One CSV cell: None -> "", lists joined with " | ", sources as file:start-end,
    numbers plain, and a leading apostrophe before = + - @ TAB CR (CSV injection guard)."""
    text = _plain_cell(value)
    if text and text[0] in _CSV_INJECTION_CHARS:
        text = "'" + text
    return text


def csv_writer(fh, dialect: CsvDialect):
    """A csv.writer on the text stream fh in dialect (minimal quoting); writes the BOM first if the
    dialect has one, so call it on an empty stream."""
    if dialect.bom:
        fh.write("\ufeff")
    return csv.writer(fh, delimiter=dialect.delimiter, lineterminator=dialect.lineterminator,
                      quoting=csv.QUOTE_MINIMAL)


def records_csv(records: Iterable[dict], fields: Sequence[str], dialect: str = DEFAULT_CSV_DIALECT) -> str:
    """CSV with a header row: RFC 4180 (",", CRLF line ends, minimal quoting) by default, or
    another of CSV_DIALECTS."""
    buf = io.StringIO(newline="")
    writer = csv_writer(buf, csv_dialect(dialect))
    writer.writerow(fields)
    for rec in records:
        writer.writerow([csv_cell(rec.get(f)) for f in fields])
    return buf.getvalue()


# ---------------------------------------------------------------- atomic files

def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_file(path: Path, mode: str = "w"):
    """An open temp file next to path (text mode: UTF-8, newlines as written) that replaces path,
    after flush and fsync, when the block ends without error; on any failure the temp file is removed
    and an existing file at path is untouched. New files get the usual 0o666 & ~umask permissions."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fh = open(tmp, mode, encoding="utf-8", newline="") if "b" not in mode else open(tmp, mode)
    try:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())
        fh.close()
        os.replace(tmp, path)
    except BaseException:
        fh.close()
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(path.parent)


class _HashedText:
    """A text sink for atomic_file's binary temp file that also hashes what it writes: each write
    is encoded as UTF-8 (what atomic_file's text mode writes: UTF-8, no newline translation),
    written, and handed to a helper thread that feeds it to sha256. The bytes hashed are the bytes
    written, in order. hashlib lets go of the GIL for large updates, so the hashing runs on
    another core while the main thread renders the next records."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.size = 0
        self._sha = hashlib.sha256()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._hash, name="kp-hash-output", daemon=True)
        self._thread.start()

    def _hash(self) -> None:
        update, get = self._sha.update, self._queue.get
        while (data := get()) is not None:
            update(data)

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self.raw.write(data)
        self._queue.put(data)
        self.size += len(data)
        return len(text)

    def finish(self) -> tuple[int, str]:
        """Stop the helper thread; (bytes written, sha256 hex digest)."""
        self._queue.put(None)
        self._thread.join()
        return self.size, self._sha.hexdigest()


# path -> (st_dev, st_ino, st_size, st_mtime_ns, size, sha256 hex) of files hashed_atomic_file wrote
_WRITTEN: dict[str, tuple[int, int, int, int, int, str]] = {}


def _stat_key(st: os.stat_result) -> tuple[int, int, int, int]:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


@contextmanager
def hashed_atomic_file(path: Path):
    """atomic_file(path) in text mode that also records the size and sha256 of the bytes written
    (see written_stats), hashed on a helper thread while the file is written."""
    path = Path(path)
    with atomic_file(path, "wb") as raw:
        out = _HashedText(raw)
        try:
            yield out
        finally:
            size, sha = out.finish()
    _WRITTEN[os.path.abspath(path)] = _stat_key(os.stat(path)) + (size, sha)


def written_stats(path: Path) -> tuple[int, str] | None:
    """(size, sha256 hex) of the file at path as hashed_atomic_file wrote it, or None when it did
    not write it or the file there has changed since (another inode, size or modification time):
    then the caller reads the file."""
    key = os.path.abspath(path)
    known = _WRITTEN.get(key)
    if known is None:
        return None
    try:
        st = os.stat(key)
    except OSError:
        return None
    if _stat_key(st) != known[:4] or known[4] != st.st_size:
        return None
    return known[4], known[5]


def atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write data to path atomically (see atomic_file)."""
    with atomic_file(Path(path), "wb") as fh:
        fh.write(data)
    return Path(path)


def atomic_write_text(path: Path, text: str) -> Path:
    """atomic_write_bytes of text encoded as UTF-8 (newlines written as given)."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_outputs(
    out_dir: Path,
    projects: list[Project],
    partnerships: list[Partnership],
    blocks: list[dict],
    errors: list[FileError],
) -> list[Path]:
    """Write projects.json/.csv, partnerships.json/.csv, blocks.jsonl and errors.jsonl
    into out_dir (created if missing). Returns the paths written, in that order.

    Records are written in the order given; nothing is sorted here.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    project_dicts = [project_to_dict(p) for p in projects]
    partnership_dicts = [partnership_to_dict(p) for p in partnerships]
    contents: list[tuple[str, str]] = [
        ("projects.json", _json_array(project_dicts)),
        ("projects.csv", records_csv(project_dicts, PROJECT_FIELDS)),
        ("partnerships.json", _json_array(partnership_dicts)),
        ("partnerships.csv", records_csv(partnership_dicts, PARTNERSHIP_FIELDS)),
        ("blocks.jsonl", _jsonl(blocks)),
        ("errors.jsonl", errors_jsonl(errors)),
    ]
    return [atomic_write_text(out_dir / name, text) for name, text in contents]


# ---------------------------------------------------------------- contacts (opt-in)

CONTACT_FIELDS: tuple[str, ...] = ("file", "start", "end", "name", "role", "email", "phone")
CONTACT_FILES = ("contacts.json", "contacts.csv")


def contacts_to_dicts(rows: Iterable[tuple]) -> list[dict]:
    """(file, start, end, name, role, email, phone) tuples as dicts in CONTACT_FIELDS order."""
    return [dict(zip(CONTACT_FIELDS, row)) for row in rows]


def write_contacts(out_dir: Path, rows: Iterable[tuple]) -> list[Path]:
    """contacts.json and contacts.csv (only with `kp-extract run --include-contacts`): one row per
    contact line clean marked (file, start, end, name, role, email, phone), atomically."""
    dicts = contacts_to_dicts(rows)
    return [atomic_write_text(Path(out_dir) / "contacts.json", _json_array(dicts)),
            atomic_write_text(Path(out_dir) / "contacts.csv", records_csv(dicts, CONTACT_FIELDS))]


def remove_contacts(out_dir: Path) -> None:
    """Remove contacts.json/.csv left by an earlier --include-contacts run (personal data)."""
    for name in CONTACT_FILES:
        try:
            os.unlink(Path(out_dir) / name)
        except FileNotFoundError:
            pass


# ---------------------------------------------------------------- validation

@lru_cache(maxsize=None)
def _schema_text(name: str) -> str:
    return resources.files("kp_extract").joinpath("schema", name).read_text(encoding="utf-8")


def load_schema(kind: str) -> dict:
    """The shipped JSON Schema for kind "project" or "partnership"."""
    return json.loads(_schema_text(f"{kind}.schema.json"))


def _path_text(prefix: str, index: int, path: Iterable[Any]) -> str:
    out = f"{prefix}[{index}]"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def validate_records(projects_json: list[dict], partnerships_json: list[dict]) -> list[str]:
    """Validate record dicts against the shipped schemas; one message per violation,
    e.g. "projects[3].sdgs[0]: 18 is greater than the maximum of 17". Empty when valid."""
    from jsonschema import Draft202012Validator

    messages: list[str] = []
    for prefix, kind, records in (
        ("projects", "project", projects_json),
        ("partnerships", "partnership", partnerships_json),
    ):
        validator = Draft202012Validator(load_schema(kind))
        for i, rec in enumerate(records):
            errs = sorted(validator.iter_errors(rec), key=lambda e: [str(p) for p in e.path])
            for err in errs:
                messages.append(f"{_path_text(prefix, i, err.path)}: {err.message}")
    return messages
