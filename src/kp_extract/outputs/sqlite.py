"""kp_extract.sqlite: the records as one SQLite database, written with sqlite-utils, for Datasette.

`--format sqlite` writes OUT/kp_extract.sqlite (`kp-extract serve OUT` opens it in Datasette,
review/serve.py). Its tables (TABLES; created in this order, so that each foreign key names a table
that exists):

* pages: one row per input file: its sha256, whether it was read, partly read or skipped (and the
  errors.jsonl reason), its main language, how many blocks it was cut into and how many projects and
  partnerships cite it;
* projects: one row per project record, primary key record_id; every field of projects.json, list
  fields (and sources) as JSON text, so that nothing of the record is lost;
* partnerships: one row per partnership record, primary key partnership_id (the record's own id,
  stages/s6_dedupe.partnership_id);
* sources: one row per (record, source): kind ("project"/"partnership"), record_id, position in the
  record's sources, file (a page), start, end;
* project_partners: one row per project x partner abroad, with the project's Swedish partners'
  codes and its countries (JSON text): the project's parties, one partner abroad at a time;
* project_countries, project_swedish_partners: a project's countries and Swedish partners (with
  their codes) one per row, indexed, so that "the projects of 0780" or "of UA" are index look-ups;

with indexes on the codes, countries and partners, and full-text search (FTS5, projects_fts) on the
projects' titles and summaries.

How it is written: the writer (outputs/writer.py) exports the projects and the partnerships in one
pass each, possibly in two processes (its ForkedWriter); one SQLite file cannot take two writers at
once, so each pass goes through a SqliteExporter into a staging database of its own
(".kp_extract.sqlite.STEM.tmp"), and `write_database` then builds the file: a temp file next to it
(files.atomic_file) gets the tables, the staged rows, the pages, the indexes and the FTS index,
and replaces kp_extract.sqlite when it is whole. The staging files are removed.

Same records, same rows: the rows and their order depend on the records only, so two runs over
the same pages answer every query alike (the file's bytes are not promised).
"""
from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kp_extract.outputs.exporters import Exporter
from kp_extract.outputs.files import FileStat, atomic_file, file_stat
from kp_extract.outputs.records import RECORD_STEMS, field_kinds

__all__ = ["DATABASE_FILE", "TABLES", "FTS_COLUMNS", "INSERT_BATCH", "Table", "SqliteExporter", "PageTally",
           "load_sqlite_utils", "staged_database", "stage_path", "write_database"]

DATABASE_FILE = "kp_extract.sqlite"
# Rows buffered per table before one insert_all: a few hundred kB at most.
INSERT_BATCH = 1000
FTS_COLUMNS = ("title", "summary")
# The block kinds whose language is a page's language (the summary's `languages` counts the same).
_TEXT_KINDS = ("prose", "bullet")

_SQL_TYPES = {"string": str, "integer": int, "number": float}


@dataclass(frozen=True)
class Table:
    """One table: its columns (name -> Python type, as sqlite-utils takes them), primary key, foreign
    keys ((column, other table, other column)), indexed columns, and the record stem whose export
    fills it (None: written by write_database)."""

    name: str
    columns: dict[str, type]
    pk: tuple[str, ...]
    foreign_keys: tuple[tuple[str, str, str], ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    stem: str | None = None


def _record_columns(stem: str) -> dict[str, type]:
    """A record's fields as columns, in field order: lists (and sources) as JSON text."""
    return {f.name: str if f.is_list else _SQL_TYPES[f.kind] for f in field_kinds(stem)}


TABLES: tuple[Table, ...] = (
    Table("pages", {"file": str, "sha256": str, "status": str, "error": str, "language": str, "blocks": int,
                    "projects": int, "partnerships": int}, ("file",), indexes=(("status",), ("language",))),
    Table("projects", _record_columns("projects"), ("record_id",),
          indexes=(("start_date",), ("confidence",)), stem="projects"),
    Table("partnerships", _record_columns("partnerships"), ("partnership_id",),
          indexes=(("swedish_partner_code",), ("country",), ("international_partner",), ("since_year",),
                   ("confidence",)), stem="partnerships"),
    # record_id is a projects.record_id or a partnerships.partnership_id, as kind says: SQLite has no
    # foreign key to one of two tables, so it has none; file has one.
    Table("sources", {"kind": str, "record_id": str, "position": int, "file": str, "start": int, "end": int},
          ("kind", "record_id", "position"), foreign_keys=(("file", "pages", "file"),),
          indexes=(("file",), ("record_id",))),
    Table("project_partners", {"project_id": str, "position": int, "international_partner": str,
                               "swedish_partner_codes": str, "countries": str}, ("project_id", "position"),
          foreign_keys=(("project_id", "projects", "record_id"),),
          indexes=(("international_partner",), ("swedish_partner_codes",), ("countries",)), stem="projects"),
    Table("project_countries", {"project_id": str, "country": str}, ("project_id", "country"),
          foreign_keys=(("project_id", "projects", "record_id"),), indexes=(("country",),), stem="projects"),
    Table("project_swedish_partners", {"project_id": str, "position": int, "swedish_partner": str,
                                       "swedish_partner_code": str}, ("project_id", "position"),
          foreign_keys=(("project_id", "projects", "record_id"),),
          indexes=(("swedish_partner_code",), ("swedish_partner",)), stem="projects"),
)
_BY_NAME = {t.name: t for t in TABLES}
# The tables a stem's export fills in its staging database ("sources" from both).
_STAGED: dict[str, tuple[str, ...]] = {
    stem: tuple(t.name for t in TABLES if t.stem == stem) + ("sources",) for stem in RECORD_STEMS}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def load_sqlite_utils() -> None:
    """Import sqlite-utils (about a second: it imports pandas when installed) in this process, so that
    a writer process forked after it has it too instead of importing it again."""
    import sqlite_utils  # noqa: F401


def _open(path: Path):
    """A sqlite_utils Database on path, tuned for a one-off build: no rollback journal (a failed build
    is thrown away whole, and the finished file is fsynced by atomic_file), no syncs while building."""
    from sqlite_utils import Database

    db = Database(path)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    return db


def _create(db, table: Table, with_foreign_keys: bool) -> None:
    db[table.name].create(dict(table.columns), pk=table.pk[0] if len(table.pk) == 1 else table.pk,
                          foreign_keys=list(table.foreign_keys) if with_foreign_keys else None,
                          not_null=set(table.pk))


# ---------------------------------------------------------------- staging (one pass per stem)

def stage_path(out_dir: Path, stem: str) -> Path:
    """The staging database of stem's export: hidden, named so that the writer's clean-up of stale
    temp files (".kp_extract.sqlite.*.tmp") removes one that a killed run left."""
    return Path(out_dir) / f".{DATABASE_FILE}.{stem}.tmp"


@contextmanager
def staged_database(out_dir: Path, stem: str) -> Iterator[Any]:
    """A fresh staging database for stem's records (a sqlite_utils Database), closed after the block;
    removed if the block fails (write_database removes it once it is built into the file)."""
    path = stage_path(out_dir, stem)
    path.unlink(missing_ok=True)
    db = _open(path)
    try:
        yield db
    except BaseException:
        db.close()
        path.unlink(missing_ok=True)
        raise
    db.close()


class SqliteExporter(Exporter):
    """The exporter of one stem's records into its staging database
    (the sink: a sqlite_utils Database, see staged_database): projects fill projects,
    project_partners, project_countries, project_swedish_partners and sources; partnerships fill
    partnerships and sources. Rows are inserted INSERT_BATCH at a time."""

    def __init__(self, sink: Any, stem: str) -> None:
        super().__init__(sink)
        self.stem = stem
        self._rows: dict[str, list[dict]] = {name: [] for name in _STAGED[stem]}

    def start_exporting(self) -> None:
        for name in _STAGED[self.stem]:
            _create(self.sink, _BY_NAME[name], with_foreign_keys=False)

    def export_item(self, record: dict) -> None:
        rows = self._rows
        if self.stem == "projects":
            rid = record["record_id"]
            kind = "project"
            rows["projects"].append({k: _json(v) if isinstance(v, list) else v for k, v in record.items()})
            codes, countries = _json(record["swedish_partner_codes"]), _json(record["countries"])
            rows["project_partners"] += [
                {"project_id": rid, "position": i, "international_partner": partner,
                 "swedish_partner_codes": codes, "countries": countries}
                for i, partner in enumerate(record["international_partners"])]
            rows["project_countries"] += [{"project_id": rid, "country": c} for c in dict.fromkeys(record["countries"])]
            partner_codes = record["swedish_partner_codes"]
            rows["project_swedish_partners"] += [
                {"project_id": rid, "position": i, "swedish_partner": name,
                 "swedish_partner_code": (partner_codes[i] if i < len(partner_codes) else None) or None}
                for i, name in enumerate(record["swedish_partners"])]
        else:
            rid = record["partnership_id"]
            kind = "partnership"
            rows["partnerships"].append({k: _json(v) if isinstance(v, list) else v for k, v in record.items()})
        rows["sources"] += [{"kind": kind, "record_id": rid, "position": i, "file": s["file"], "start": s["start"],
                             "end": s["end"]} for i, s in enumerate(record["sources"])]
        self.count += 1
        if self.count % INSERT_BATCH == 0:
            self._flush()

    def _flush(self) -> None:
        for name, rows in self._rows.items():
            if rows:
                self.sink[name].insert_all(rows, batch_size=INSERT_BATCH)
                rows.clear()

    def finish_exporting(self) -> None:
        self._flush()


# ---------------------------------------------------------------- pages

class PageTally:
    """Counts, per page, the blocks.jsonl rows that pass through `tap` (blocks, and the languages of
    its prose and bullet blocks), for the pages table; `rows()` gives {file: (blocks, language)}."""

    def __init__(self) -> None:
        self._blocks: Counter = Counter()
        self._languages: dict[str, Counter] = {}

    def tap(self, block_rows: Iterable[dict]) -> Iterator[dict]:
        """block_rows, unchanged, counted on the way through."""
        for row in block_rows:
            file = row["file"]
            self._blocks[file] += 1
            if row.get("language") and row.get("kind") in _TEXT_KINDS:
                self._languages.setdefault(file, Counter())[row["language"]] += 1
            yield row

    def rows(self) -> dict[str, tuple[int, str | None]]:
        """{file: (blocks, its most frequent text language or None; a tie goes to the first by name)}."""
        out = {}
        for file, blocks in self._blocks.items():
            langs = self._languages.get(file)
            out[file] = (blocks, min(langs, key=lambda lang: (-langs[lang], lang)) if langs else None)
        return out


def _page_rows(inputs: Iterable[tuple[str, str | None]], tally: Mapping[str, tuple[int, str | None]],
               errors: Iterable[Any]) -> Iterator[dict]:
    """One pages row per input file (in input order), then per file only the tally or the errors name."""
    reasons: dict[str, list[str]] = {}
    for e in errors:
        reasons.setdefault(e.file, []).append(f"{e.stage}: {e.reason}")
    seen = set()

    def row(file: str, sha256: str | None) -> dict:
        seen.add(file)
        blocks, language = tally.get(file, (0, None))
        error = "; ".join(reasons[file]) if file in reasons else None
        status = "read" if error is None else "partly read" if file in tally else "skipped"
        return {"file": file, "sha256": sha256, "status": status, "error": error, "language": language,
                "blocks": blocks, "projects": 0, "partnerships": 0}

    for file, sha256 in inputs:
        if file not in seen:
            yield row(file, sha256)
    for file in sorted((set(tally) | set(reasons)) - seen):
        yield row(file, None)


# ---------------------------------------------------------------- the file

def write_database(out_dir: Path, *, pages: Mapping[str, tuple[int, str | None]] | None = None,
                   errors: Iterable[Any] = (), inputs: Iterable[tuple[str, str | None]] = ()) -> FileStat:
    """Build out_dir/kp_extract.sqlite from the staging databases of both stems (SqliteExporter), the
    page tally (PageTally.rows()), the run's errors (model.FileError) and its input files ((path,
    sha256 or None) per file, as datapackage.json takes them); atomically. Its FileStat."""
    out_dir = Path(out_dir)
    path = out_dir / DATABASE_FILE
    stages = {stem: stage_path(out_dir, stem) for stem in RECORD_STEMS}
    for stem, stage in stages.items():
        if not stage.is_file():
            raise FileNotFoundError(f"{DATABASE_FILE}: the {stem} were not exported (no {stage.name})")
    try:
        # atomic_file gives the temp file's name; SQLite writes it through its own handle, and
        # atomic_file's fsync of the same file (the inode) then the rename make it whole or absent.
        with atomic_file(path, "wb") as fh:
            _build(Path(fh.name), stages, _page_rows(inputs, pages or {}, errors))
    finally:
        for stage in stages.values():
            stage.unlink(missing_ok=True)
    return file_stat(path)


def _build(path: Path, stages: Mapping[str, Path], page_rows: Iterable[dict]) -> None:
    db = _open(path)
    try:
        for table in TABLES:
            _create(db, table, with_foreign_keys=True)
        db["pages"].insert_all(page_rows, batch_size=INSERT_BATCH)
        for stem, stage in stages.items():
            db.execute("ATTACH DATABASE ? AS stage", [os.fspath(stage)])  # not within a transaction
            with db.conn:
                for name in _STAGED[stem]:
                    columns = ", ".join(f"[{c}]" for c in _BY_NAME[name].columns)
                    db.execute(f"INSERT INTO main.[{name}] ({columns}) SELECT {columns} FROM stage.[{name}]"
                               " ORDER BY rowid")
            db.execute("DETACH DATABASE stage")
        for table in TABLES:
            for index_columns in table.indexes:
                db[table.name].create_index(list(index_columns))
        with db.conn:
            # a page that a record cites but that no input, block or error names (records handed to the
            # writer without their run's pages, as in tests): a row of its own, so the foreign key holds
            db.execute("INSERT OR IGNORE INTO pages (file, status, blocks, projects, partnerships)"
                       " SELECT DISTINCT file, 'read', 0, 0, 0 FROM sources ORDER BY file")
            db.execute("UPDATE pages SET"
                       " projects = (SELECT count(DISTINCT record_id) FROM sources s"
                       "             WHERE s.file = pages.file AND s.kind = 'project'),"
                       " partnerships = (SELECT count(DISTINCT record_id) FROM sources s"
                       "                 WHERE s.file = pages.file AND s.kind = 'partnership')")
        db["projects"].enable_fts(list(FTS_COLUMNS), fts_version="FTS5")
        db.execute("ANALYZE")
    finally:
        db.close()
