"""The writer: every file of a run's output folder but datapackage.json, record by record.

`write_outputs` writes, into the output folder:

* projects.EXT and partnerships.EXT for each chosen format (FORMATS: csv, json, jsonl, parquet;
  default csv and json), and for iati the projects' iati-activities.xml (outputs/iati.py; a format
  names its files in record_file), from one pass over the records: each record becomes its dict once
  (records.project_to_dict) and goes to one exporter per format (exporters.py); the record files
  of formats not chosen that an earlier run left are removed, so the folder never mixes runs;
* kp_extract.sqlite for the format sqlite: both record kinds, the pages and their sources in one
  database (sqlite.py), built from the same passes;
* partnership_projects.EXT, the link table (a row per partnership and one of its projects), with
  the tabular formats (LINK_FORMATS: csv, parquet): the JSON formats nest the links as project_ids;
* records.xlsx with xlsx: one workbook, a sheet per table (xlsx.py);
* blocks.jsonl and errors.jsonl (error reasons scrubbed of contact details: an exception message
  may quote page text), one JSON object per line;
* candidates.jsonl, the lines the run rendered for the projects and pairs the model scored below
  its confidence threshold (run/pipeline.split_by_confidence);

and `write_contacts` contacts.json / contacts.csv (only with --include-contacts), `write_pages` pages.csv
(one row per file of the input folder: what each page gave, and why it gave no record). Nothing is held
whole in memory: a file grows record by record. Each file is atomic (files.py) and hashed while it
is written; the writer returns the FileStat (size, sha256) of every file it wrote, which
datapackage.json records (outputs/datapackage.py). A run with worker processes writes the
partnership files and blocks.jsonl in a forked child (ForkedWriter) while the main process writes
the project files; the child sends its files' stats back with its result.

A run writes its whole set into a staging folder inside the output folder (`OutputStage`) and moves
each file into place only once every file is written (datapackage.json last), then removes what an
earlier run left that this run does not write (record files of other formats, contacts files,
report.html). A run that fails before that, or reads no page, leaves the output folder as it was.
"""
from __future__ import annotations

import importlib.util
import multiprocessing
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kp_extract.model import FileError
from kp_extract.outputs.csv import DEFAULT_CSV_DIALECT, CsvDialect
from kp_extract.outputs.csv import csv_dialect as get_csv_dialect
from kp_extract.outputs.exporters import (CsvExporter, Exporter, JsonExporter, JsonLinesExporter, ParquetExporter)
from kp_extract.outputs.files import FileStat, atomic_file, file_stat, fsync_dir, hashed_atomic_file
from kp_extract.outputs.iati import IATI_FILE, IatiExporter, report_time_from_environment
from kp_extract.outputs.records import LINK_STEM, RECORD_FIELDS, RECORD_STEMS, RECORD_TO_DICT, TABLE_STEMS, link_rows
from kp_extract.outputs.sqlite import (DATABASE_FILE, PageTally, SqliteExporter, load_sqlite_utils, staged_database,
                                      write_database)
from kp_extract.privacy import CONTACT_FIELDS as PAGE_CONTACT_FIELDS
from kp_extract.privacy import scrub_contacts

__all__ = ["FORMATS", "DEFAULT_FORMATS", "FORMAT_EXTRAS", "RECORD_STEMS", "OUTPUT_NAMES", "CONTACT_FIELDS",
           "CONTACT_FILES", "LINK_FORMATS", "WORKBOOK", "Written", "parse_formats", "record_file", "record_files",
           "write_records", "write_jsonl", "write_outputs", "write_contacts", "remove_contacts", "remove_stale_temps",
           "remove_unselected", "can_fork_writer", "ForkedWriter", "PAGE_FIELDS", "write_pages", "OutputStage",
           "STAGING_PREFIX", "REPORT_FILES"]

FORMATS = ("csv", "json", "jsonl", "parquet", "iati", "sqlite", "xlsx")
# Formats whose files are not STEM.FORMAT: the file each record stem goes to (a stem not named: none).
# sqlite writes one database holding both kinds (and the pages: sqlite.py); it is named once, under
# the projects, so that the file lists name it once. xlsx writes no file per stem: its one workbook
# (WORKBOOK) holds a sheet per table.
SPECIAL_FORMAT_FILES: dict[str, dict[str, str]] = {"iati": {"projects": IATI_FILE},
                                                   "sqlite": {"projects": DATABASE_FILE}, "xlsx": {}}
# Formats that need an optional package: (module, the extra that installs it).
FORMAT_EXTRAS = {"sqlite": ("sqlite_utils", "sqlite"), "xlsx": ("openpyxl", "xlsx")}
# The formats that also write the link table partnership_projects.EXT (tabular: a join needs it).
LINK_FORMATS = ("csv", "parquet")
# The workbook of xlsx (outputs/xlsx.py, imported only when xlsx is chosen: it needs openpyxl).
WORKBOOK = "records.xlsx"
DEFAULT_FORMATS = ("csv", "json")
# A contacts file row: the page, then what privacy.find_contacts gives for one contact line.
CONTACT_FIELDS: tuple[str, ...] = ("file",) + PAGE_CONTACT_FIELDS
CONTACT_FILES = ("contacts.json", "contacts.csv")


def record_file(stem: str, fmt: str) -> str | None:
    """The file stem's records ("projects", "partnerships" or LINK_STEM) go to in format fmt: STEM.FORMAT,
    or what SPECIAL_FORMAT_FILES names (None: the format has no file for that stem; the link table has
    files in LINK_FORMATS only)."""
    if stem == LINK_STEM and fmt not in LINK_FORMATS:
        return None
    special = SPECIAL_FORMAT_FILES.get(fmt)
    return special.get(stem) if special is not None else f"{stem}.{fmt}"


# Every record file of every format (what remove_unselected may remove).
_EVERY_RECORD_FILE = tuple(n for stem in TABLE_STEMS for fmt in FORMATS
                           if (n := record_file(stem, fmt))) + (WORKBOOK,)
# pages.csv: one row per file of the input folder (pipeline.page_rows); schema/pages.tableschema.json.
PAGE_FIELDS = ("file", "sha256", "language", "blocks", "candidates", "records", "partnerships", "reason")
# What `kp-extract run --report` (review/report.py) writes into the output folder: a run removes them, and
# the CLI writes them anew after the run when --report asks, so that no report describes another run.
REPORT_FILES = ("report.html", "report.sources")  # the page and the folder of its records' sources
OUTPUT_NAMES = _EVERY_RECORD_FILE + (
    "blocks.jsonl", "errors.jsonl", "candidates.jsonl", "pages.csv") + CONTACT_FILES + REPORT_FILES + (
    "datapackage.json",)
STAGING_PREFIX = ".kp-staging-"


def parse_formats(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """The output formats named in values (comma-separated strings, possibly several; case and blanks
    ignored), in FORMATS order without repeats; DEFAULT_FORMATS for None. ValueError naming the valid
    formats for an unknown name or when no name is given, and for a format whose optional package
    (FORMAT_EXTRAS) is not installed, naming the extra to install."""
    if values is None:
        return DEFAULT_FORMATS
    if isinstance(values, str):
        values = [values]
    names = [part.strip().lower() for value in values for part in str(value).split(",") if part.strip()]
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        what = f"unknown format {unknown[0]!r}" if unknown else "no format given"
        raise ValueError(f"{what} (choose one or more of {', '.join(FORMATS)}, comma-separated)")
    for name in names:
        if name in FORMAT_EXTRAS and importlib.util.find_spec(FORMAT_EXTRAS[name][0]) is None:
            raise ValueError(f"the {name} format needs {FORMAT_EXTRAS[name][0]}: "
                             f"pip install 'kp_extract[{FORMAT_EXTRAS[name][1]}]'")
    return tuple(f for f in FORMATS if f in names)


def record_files(formats: Iterable[str] | str) -> list[str]:
    """File names of the record outputs for formats: the projects' files, the partnerships', the link
    table's, FORMATS order (record_file), then the workbook (xlsx)."""
    chosen = parse_formats(formats)
    names = [name for stem in TABLE_STEMS for fmt in chosen if (name := record_file(stem, fmt))]
    return names + [WORKBOOK] * ("xlsx" in chosen)


@dataclass
class Written:
    """What write_outputs wrote: the FileStat of every file, by name, and the number of block rows
    (and, for the sqlite format, the block tally per page: sqlite.PageTally.rows())."""

    files: dict[str, FileStat] = field(default_factory=dict)
    blocks: int = 0
    pages: dict[str, tuple[int, str | None]] = field(default_factory=dict)


# The text exporters, by format, in the order their files are opened (and closed in reverse).
_TEXT_EXPORTERS: dict[str, Callable[..., Exporter]] = {"json": JsonExporter, "csv": CsvExporter,
                                                       "jsonl": JsonLinesExporter,
                                                       "iati": lambda sink: IatiExporter(sink, report_time_from_environment())}


def write_records(out_dir: Path, stem: str, records: Iterable[dict], formats: Iterable[str] | str,
                  dialect: CsvDialect | str = DEFAULT_CSV_DIALECT, more: Iterable[Exporter] = ()
                  ) -> dict[str, FileStat]:
    """stem's files ("projects", "partnerships" or LINK_STEM; record_file) for every format in formats, from one
    pass over the record dicts (each file atomic); the FileStat of each file written. For sqlite the stem's rows
    go to a staging database (sqlite.staged_database) that write_outputs builds kp_extract.sqlite from. more:
    exporters to feed in the same pass whose sinks the caller owns (a workbook's sheet)."""
    out_dir = Path(out_dir)
    formats = parse_formats(formats)
    dialect = get_csv_dialect(dialect) if isinstance(dialect, str) else dialect
    fields = RECORD_FIELDS[stem]
    sinks = {}
    with ExitStack() as stack:
        exporters: list[Exporter] = []
        for fmt, make in _TEXT_EXPORTERS.items():
            name = record_file(stem, fmt)
            if fmt in formats and name:
                sink = sinks[name] = stack.enter_context(hashed_atomic_file(out_dir / name))
                exporters.append(make(sink, fields, dialect) if fmt == "csv" else make(sink))
        if "parquet" in formats:
            exporters.append(ParquetExporter(stack.enter_context(atomic_file(out_dir / f"{stem}.parquet", "wb")),
                                             stem))
        if "sqlite" in formats and stem in RECORD_STEMS:  # the database holds the links its own way
            exporters.append(SqliteExporter(stack.enter_context(staged_database(out_dir, stem)), stem))
        exporters.extend(more)
        for exporter in exporters:
            exporter.start_exporting()
        exports = [exporter.export_item for exporter in exporters]
        for record in records:
            for export in exports:
                export(record)
        for exporter in exporters:
            exporter.finish_exporting()
    stats = {name: sink.stat for name, sink in sinks.items()}
    if "parquet" in formats:  # written by pyarrow, not through a hashing sink: hashed once written
        stats[f"{stem}.parquet"] = file_stat(out_dir / f"{stem}.parquet")
    return stats


def write_jsonl(path: Path, rows: Iterable[Any]) -> tuple[FileStat, int]:
    """A JSON Lines file of rows (dicts, or dataclass instances as their asdict), atomically; its
    FileStat and the number of rows."""
    with hashed_atomic_file(Path(path)) as sink:
        exporter = JsonLinesExporter(sink)
        exporter.start_exporting()
        for row in rows:
            exporter.export_item(row)
        exporter.finish_exporting()
    return sink.stat, exporter.count


def _export_all(exporter: Exporter, rows: Iterable[dict]) -> None:
    exporter.start_exporting()
    for row in rows:
        exporter.export_item(row)
    exporter.finish_exporting()


def _error_rows(errors: Iterable[FileError]) -> Iterable[dict]:
    """errors.jsonl rows: {"file", "stage", "reason"}, the reason as FileError.shown_reason shows it,
    scrubbed of contact details."""
    for e in errors:
        yield {"file": e.file, "stage": e.stage, "reason": scrub_contacts(e.shown_reason())}


def write_outputs(out_dir: Path, projects, partnerships, block_rows: Iterable[dict], errors: list[FileError], *,
                  formats: Iterable[str] | str = DEFAULT_FORMATS, csv_dialect: str = DEFAULT_CSV_DIALECT,
                  side_process: bool = False, candidate_lines: Iterable[str] = (),
                  inputs: Iterable[tuple[str, str | None]] = ()) -> Written:
    """Write projects.EXT and partnerships.EXT for each of formats (see FORMATS), blocks.jsonl,
    errors.jsonl and candidates.jsonl into out_dir (created if missing), then remove record files of
    formats not selected (left by an earlier run). projects and partnerships are Project and
    Partnership objects, written in the order given; CSV is written in csv_dialect (see
    csv.CSV_DIALECTS). Returns the FileStat of every file written and the number of block rows.

    side_process: write the partnership files and blocks.jsonl in a forked child process while this
    one writes the project files (same bytes; the tail of a run uses two cores instead of one).
    Only where fork is safe (see can_fork_writer); else everything is written here. An error in the
    child is raised here.

    inputs: (path, sha256 or None) per input file, as write_datapackage takes them: the pages table
    of kp_extract.sqlite (format sqlite; read only then)."""
    formats = parse_formats(formats)
    dialect = get_csv_dialect(csv_dialect) if isinstance(csv_dialect, str) else csv_dialect
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out_dir)
    if "sqlite" in formats:
        load_sqlite_utils()  # before the fork below: one import for both writer processes
    partnerships = list(partnerships)  # read twice: the records, then their links
    workbook = None
    if "xlsx" in formats:
        from kp_extract.outputs.xlsx import XlsxWorkbook

        workbook = XlsxWorkbook()

    def partnerships_and_blocks() -> Written:
        files = write_records(out_dir, "partnerships", map(RECORD_TO_DICT["partnerships"], partnerships), formats,
                              dialect)
        files.update(write_records(out_dir, LINK_STEM, link_rows(partnerships), formats, dialect))
        tally = PageTally() if "sqlite" in formats else None
        files["blocks.jsonl"], count = write_jsonl(out_dir / "blocks.jsonl",
                                                   tally.tap(block_rows) if tally else block_rows)
        return Written(files, count, tally.rows() if tally else {})

    with ExitStack() as stack:
        side = stack.enter_context(ForkedWriter(partnerships_and_blocks)) if side_process and can_fork_writer() \
            else None
        files = write_records(out_dir, "projects", map(RECORD_TO_DICT["projects"], projects), formats, dialect,
                              more=[workbook.exporter("projects")] if workbook else ())
        rest = side.result() if side is not None else partnerships_and_blocks()
    written = Written({**files, **rest.files}, rest.blocks)
    if workbook is not None:  # its other sheets here: the workbook lives in this process
        for stem, rows in (("partnerships", map(RECORD_TO_DICT["partnerships"], partnerships)),
                           (LINK_STEM, link_rows(partnerships))):
            _export_all(workbook.exporter(stem), rows)
        written.files[WORKBOOK] = workbook.save(out_dir / WORKBOOK)
    written.files["errors.jsonl"], _ = write_jsonl(out_dir / "errors.jsonl", _error_rows(errors))
    if "sqlite" in formats:
        written.files[DATABASE_FILE] = write_database(out_dir, pages=rest.pages, inputs=inputs,
                                                      errors=[FileError(**row) for row in _error_rows(errors)])
    with hashed_atomic_file(out_dir / "candidates.jsonl") as sink:
        for line in candidate_lines:
            sink.write(line)
    written.files["candidates.jsonl"] = sink.stat
    remove_unselected(out_dir, formats)
    return written


# ---------------------------------------------------------------- contacts (opt-in)

def write_contacts(out_dir: Path, rows: Iterable[tuple]) -> dict[str, FileStat]:
    """contacts.json and contacts.csv (RFC 4180; only with `kp-extract run --include-contacts`): one
    row per contact line found (file, then privacy.find_contacts' start, end, name, role, email,
    phone), atomically; the FileStat of each."""
    dicts = [dict(zip(CONTACT_FIELDS, row)) for row in rows]
    stats = {}
    for name, make in (("contacts.json", JsonExporter), ("contacts.csv", lambda s: CsvExporter(s, CONTACT_FIELDS))):
        with hashed_atomic_file(Path(out_dir) / name) as sink:
            exporter = make(sink)
            exporter.start_exporting()
            for d in dicts:
                exporter.export_item(d)
            exporter.finish_exporting()
        stats[name] = sink.stat
    return stats


def remove_contacts(out_dir: Path) -> None:
    """Remove contacts.json/.csv left by an earlier --include-contacts run (personal data)."""
    for name in CONTACT_FILES:
        try:
            os.unlink(Path(out_dir) / name)
        except FileNotFoundError:
            pass


# ---------------------------------------------------------------- pages.csv

def write_pages(out_dir: Path, rows: Iterable[dict], dialect: CsvDialect | str = DEFAULT_CSV_DIALECT
                ) -> tuple[FileStat, int]:
    """pages.csv (PAGE_FIELDS, in the run's CSV dialect, the same formula guard as the record CSVs),
    atomically; its FileStat and the number of rows. Reasons are scrubbed of contact details (an
    exception message may quote page text)."""
    dialect = get_csv_dialect(dialect) if isinstance(dialect, str) else dialect
    with hashed_atomic_file(Path(out_dir) / "pages.csv") as sink:
        exporter = CsvExporter(sink, PAGE_FIELDS, dialect)
        exporter.start_exporting()
        for row in rows:
            if isinstance(row.get("reason"), str):
                row = dict(row, reason=scrub_contacts(row["reason"]))
            exporter.export_item(row)
        exporter.finish_exporting()
    return sink.stat, exporter.count


# ---------------------------------------------------------------- the folder

class OutputStage:
    """A staging folder inside out_dir (".kp-staging-<pid>-<random>") that a run writes its whole set of
    files into. commit() moves each into out_dir (os.replace in one folder: atomic per file), with
    datapackage.json last, then removes the files of out_dir the run did not write that an earlier run
    may have left (see commit). Leaving the with-block, committed or not, removes the staging folder, so
    a failure before commit leaves out_dir exactly as it was; the folder of a run that was killed is
    removed by the next run (remove_stale_staging). Why not write in place: atomic files keep each
    file whole, but a crash between two of them would leave new projects next to old partnerships."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = Path(out_dir)
        self.path: Path | None = None
        self.committed: list[str] = []

    def __enter__(self) -> "OutputStage":
        self.out_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(self.out_dir)
        self.path = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=self.out_dir))
        return self

    @property
    def folder(self) -> Path:
        """The staging folder (RuntimeError outside the with-block)."""
        if self.path is None:
            raise RuntimeError("the output stage is not open")
        return self.path

    def commit(self, remove: Iterable[str] = ()) -> list[str]:
        """Move every staged file into out_dir (datapackage.json last), then remove each name of remove
        that is in out_dir and was not staged, and the temp files a killed run left. The names moved."""
        folder = self.folder
        names = sorted(p.name for p in folder.iterdir() if p.is_file())
        names.sort(key=lambda n: n == "datapackage.json")
        for name in names:
            os.replace(folder / name, self.out_dir / name)
            self.committed.append(name)
        for name in remove:
            if name not in names:
                try:
                    (self.out_dir / name).unlink()
                except FileNotFoundError:
                    pass
                except IsADirectoryError:  # report.sources/
                    shutil.rmtree(self.out_dir / name, ignore_errors=True)
        remove_stale_temps(self.out_dir)
        fsync_dir(self.out_dir)
        return names

    def __exit__(self, *exc) -> None:
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def remove_stale_staging(out_dir: Path) -> None:
    """Remove the staging folders of earlier runs that were killed (their process is gone)."""
    for folder in Path(out_dir).glob(f"{STAGING_PREFIX}*"):
        pid = folder.name[len(STAGING_PREFIX):].split("-", 1)[0]
        if folder.is_dir() and not (pid.isdigit() and int(pid) != os.getpid() and _pid_alive(int(pid))):
            shutil.rmtree(folder, ignore_errors=True)


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
    for name in _EVERY_RECORD_FILE:  # not record_files(FORMATS): that needs every format's extra installed
        if name not in keep:
            try:
                (Path(out_dir) / name).unlink()
            except FileNotFoundError:
                pass


# ---------------------------------------------------------------- the forked writer

def can_fork_writer() -> bool:
    """True when a child process may be forked here: the platform has fork and this process runs no
    other thread (a thread holding a lock at the fork would leave the child a lock nobody releases)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


class ForkedWriter:
    """Runs write() in a forked child process (it sees this process' objects as they are, nothing is
    pickled on the way in); result() waits for it and returns its value (pickled back: the files'
    stats with it), or raises its exception. Leaving the with-block before result() stops the child."""

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
        try:
            value = write()
            send.send(("ok", value))
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
            try:
                send.send(("error", exc))
            except Exception:  # noqa: BLE001 - an exception that does not pickle
                send.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
        finally:
            send.close()

    def result(self) -> Any:
        try:
            status, value = self._recv.recv()
        except EOFError:
            status, value = "error", RuntimeError(
                f"the writer process ended without a result (exit code {self._proc.exitcode})")
        self._proc.join()
        self._done = True
        if status != "ok":
            raise value
        return value

    def __exit__(self, *exc) -> None:
        if not self._done:
            self._proc.terminate()
            self._proc.join()
        self._recv.close()

