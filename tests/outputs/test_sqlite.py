"""--format sqlite: kp_extract.sqlite holds every record, source and page, with keys, indexes and FTS."""
from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kp_extract.cli import app
from kp_extract.model import FileError, Partnership, Project, Source
from kp_extract.outputs import sqlite as sqlite_out
from kp_extract.outputs.sqlite import DATABASE_FILE, TABLES
from kp_extract.outputs.writer import parse_formats, record_files, write_outputs
from kp_extract.run.pipeline import run

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "raw"
LIST_COLUMNS = {"projects": {"swedish_partners", "swedish_partner_codes", "international_partners",
                             "other_participants", "countries", "project_areas", "themes", "sdgs", "tags",
                             "languages", "sources", "conflicts", "possible_duplicates", "decisions"},
                "partnerships": {"project_ids", "sources", "conflicts", "decisions"}}


@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sqlite-seeds")
    run(RAW, out, workers=1, formats="json,sqlite")
    return out


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    return db


def _rows(db, sql: str, *params) -> list[dict]:
    return [dict(r) for r in db.execute(sql, params)]


def _json(out: Path, name: str):
    return json.loads((out / name).read_text(encoding="utf-8"))


def _decoded(row: dict, stem: str) -> dict:
    return {k: json.loads(v) if k in LIST_COLUMNS[stem] else v for k, v in row.items()}


def test_projects_and_partnerships_lose_nothing(seeds_out):
    projects, partnerships = _json(seeds_out, "projects.json"), _json(seeds_out, "partnerships.json")
    assert projects and partnerships
    with _connect(seeds_out / DATABASE_FILE) as db:
        rows = [_decoded(r, "projects") for r in _rows(db, "SELECT * FROM projects ORDER BY rowid")]
        assert rows == projects  # every field, in order, lists back from their JSON text
        prows = _rows(db, "SELECT * FROM partnerships ORDER BY rowid")
        assert [_decoded(r, "partnerships") for r in prows] == partnerships  # partnership_id included
        ids = [r["partnership_id"] for r in prows]
        assert len(set(ids)) == len(ids) and all(re.fullmatch(r"kp-p-[0-9a-f]{16}(-\d+)?", i) for i in ids)


def test_sources_and_link_tables(seeds_out):
    projects, partnerships = _json(seeds_out, "projects.json"), _json(seeds_out, "partnerships.json")
    with _connect(seeds_out / DATABASE_FILE) as db:
        pids = [r["partnership_id"] for r in _rows(db, "SELECT partnership_id FROM partnerships ORDER BY rowid")]
        expected = [("project", p["record_id"], i, s["file"], s["start"], s["end"])
                    for p in projects for i, s in enumerate(p["sources"])]
        expected += [("partnership", pid, i, s["file"], s["start"], s["end"])
                     for pid, p in zip(pids, partnerships) for i, s in enumerate(p["sources"])]
        got = [tuple(r.values()) for r in _rows(db, "SELECT kind, record_id, position, file, start, [end] FROM sources"
                                                     " ORDER BY rowid")]
        assert got == expected
        partners = _rows(db, "SELECT * FROM project_partners ORDER BY rowid")
        assert [(r["project_id"], r["international_partner"], json.loads(r["swedish_partner_codes"]),
                 json.loads(r["countries"])) for r in partners] == [
            (p["record_id"], name, p["swedish_partner_codes"], p["countries"])
            for p in projects for name in p["international_partners"]]
        assert sorted(tuple(r.values()) for r in _rows(db, "SELECT project_id, country FROM project_countries")) == \
            sorted({(p["record_id"], c) for p in projects for c in p["countries"]})
        assert [tuple(r.values()) for r in _rows(
            db, "SELECT project_id, swedish_partner, swedish_partner_code FROM project_swedish_partners ORDER BY rowid")
        ] == [(p["record_id"], name, code or None) for p in projects
              for name, code in zip(p["swedish_partners"], p["swedish_partner_codes"])]


def test_pages_tell_what_each_page_gave(seeds_out):
    projects, partnerships = _json(seeds_out, "projects.json"), _json(seeds_out, "partnerships.json")
    inputs = _json(seeds_out, "datapackage.json")["kp_extract"]["inputs"]
    blocks = [json.loads(line) for line in (seeds_out / "blocks.jsonl").read_text(encoding="utf-8").splitlines()]
    with _connect(seeds_out / DATABASE_FILE) as db:
        pages = _rows(db, "SELECT * FROM pages ORDER BY rowid")
    assert [(p["file"], p["sha256"]) for p in pages] == [(i["path"], i["sha256"]) for i in inputs]
    block_counts = Counter(b["file"] for b in blocks)
    for page in pages:
        assert page["status"] == "read" and page["error"] is None
        assert page["blocks"] == block_counts[page["file"]]
        assert page["projects"] == sum(any(s["file"] == page["file"] for s in p["sources"]) for p in projects)
        assert page["partnerships"] == sum(any(s["file"] == page["file"] for s in p["sources"]) for p in partnerships)
        texts = Counter(b["language"] for b in blocks if b["file"] == page["file"] and b["kind"] in ("prose", "bullet"))
        assert page["language"] == min(texts, key=lambda lang: (-texts[lang], lang))
    assert sum(p["projects"] for p in pages) >= len(projects) > 0


def test_keys_indexes_and_full_text_search(seeds_out):
    with _connect(seeds_out / DATABASE_FILE) as db:
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        fks = {(t.name, r["from"], r["table"], r["to"]) for t in TABLES
               for r in _rows(db, f"PRAGMA foreign_key_list([{t.name}])")}
        assert {("sources", "file", "pages", "file"), ("project_partners", "project_id", "projects", "record_id"),
                ("project_countries", "project_id", "projects", "record_id"),
                ("project_swedish_partners", "project_id", "projects", "record_id")} <= fks
        for t in TABLES:
            pk = [r["name"] for r in sorted(_rows(db, f"PRAGMA table_info([{t.name}])"), key=lambda r: r["pk"])
                  if r["pk"]]
            assert tuple(pk) == t.pk, t.name
        indexed = {(t.name, r["name"]) for t in TABLES for i in _rows(db, f"PRAGMA index_list([{t.name}])")
                   for r in _rows(db, f"PRAGMA index_info([{i['name']}])")}
        for needed in [("partnerships", "swedish_partner_code"), ("partnerships", "country"),
                       ("project_countries", "country"), ("project_swedish_partners", "swedish_partner_code")]:
            assert needed in indexed
        plan = " ".join(r["detail"] for r in _rows(db, "EXPLAIN QUERY PLAN SELECT * FROM partnerships "
                                                       "WHERE swedish_partner_code = '0780'"))
        assert "USING INDEX" in plan
        projects = _rows(db, "SELECT record_id, title, summary FROM projects")
        found = {}
        for word in ("gender", "Ukraine", "demokrati", "water"):
            found[word] = {r["record_id"] for r in _rows(
                db, "SELECT p.record_id FROM projects_fts JOIN projects p ON p.rowid = projects_fts.rowid "
                    "WHERE projects_fts MATCH ?", word)}
            expected = {p["record_id"] for p in projects
                        if re.search(rf"\b{word}\b", f"{p['title'] or ''} {p['summary']}", re.I)}
            assert found[word] == expected, word
        assert "kp-32580081c4c68f45" in found["gender"]  # "Partnership to fight gender-based violence"


def test_listed_in_datapackage(seeds_out):
    import hashlib

    package = _json(seeds_out, "datapackage.json")
    entry = next(r for r in package["resources"] if r["path"] == DATABASE_FILE)
    data = (seeds_out / DATABASE_FILE).read_bytes()
    assert entry["hash"] == f"sha256:{hashlib.sha256(data).hexdigest()}" and entry["bytes"] == len(data)
    assert entry["format"] == "sqlite" and entry["mediatype"] == "application/vnd.sqlite3"
    assert record_files("json,sqlite") == ["projects.json", DATABASE_FILE, "partnerships.json"]
    assert not list(seeds_out.glob(".*.tmp"))


def test_reruns_give_the_same_rows(seeds_out, tmp_path):
    """Another run (two workers: the partnerships are exported in a forked child) gives every table,
    FTS index included, the same rows in the same order."""
    again = tmp_path / "again"
    run(RAW, again, workers=2, formats="csv,sqlite")
    first, second = _connect(seeds_out / DATABASE_FILE), _connect(again / DATABASE_FILE)
    names = [r[0] for r in first.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    assert names == [r[0] for r in second.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    assert {"projects", "partnerships", "sources", "project_partners", "pages", "projects_fts"} <= set(names)
    for name in names:
        query = f"SELECT * FROM [{name}]"  # a full scan: rowid order, or key order for FTS's WITHOUT ROWID tables
        rows = [tuple(r) for r in first.execute(query)]
        assert rows == [tuple(r) for r in second.execute(query)], name
        assert rows or name not in ("projects", "partnerships", "sources", "pages"), name


# ---------------------------------------------------------------- small invented records

def _project(rid: str, title: str, file: str = "a.txt") -> Project:
    return Project(record_id=rid, title=title, swedish_partners=["Växjö kommun", "Okänd kommun"],
                   swedish_partner_codes=["0780", ""], international_partners=["Kalush", "Lviv"],
                   other_participants=[], countries=["UA"], project_areas=[], themes=[], sdgs=[5], start_date="2021",
                   end_date=None, duration_years=1.5, amount_sek=None, tags=[], languages=["sv"],
                   summary="Samarbete om vatten.", sources=[Source(file, 0, 10)], confidence=0.7)


# as dedupe gives them: a pair whose key another pair shares gets -1
PAIR_IDS = ["kp-p-00000000000000aa", "kp-p-00000000000000aa-1", "kp-p-00000000000000bb"]


def _partnership(name: str, pid: str, file: str = "a.txt") -> Partnership:
    return Partnership(partnership_id=pid, swedish_partner="Växjö kommun", swedish_partner_code="0780", international_partner=name,
                       country="UA", since_year=2010, project_ids=["kp-0000000000000001"],
                       sources=[Source(file, 0, 10)], confidence=0.9)


def _write(out: Path, formats="sqlite", **kwargs):
    blocks = [{"file": "a.txt", "start": 0, "end": 10, "kind": "prose", "language": "sv"},
              {"file": "a.txt", "start": 11, "end": 20, "kind": "heading", "language": "en"},
              {"file": "b.txt", "start": 0, "end": 5, "kind": "prose", "language": "en"}]
    return write_outputs(out, [_project("kp-0000000000000001", "Vatten")],
                         [_partnership("Kalush", PAIR_IDS[0]), _partnership("Kalush", PAIR_IDS[1]), _partnership("Lviv", PAIR_IDS[2])], blocks,
                         [FileError("b.txt", "extract", "crashed (partly read)"),
                          FileError("c.bin", "read", "binary content")],
                         formats=formats, **kwargs)


def test_invented_records_pages_and_ids(tmp_path):
    written = _write(tmp_path, inputs=[("a.txt", "aa" * 32), ("b.txt", "bb" * 32), ("c.bin", None)])
    assert DATABASE_FILE in written.files
    with _connect(tmp_path / DATABASE_FILE) as db:
        ids = [r["partnership_id"] for r in _rows(db, "SELECT partnership_id FROM partnerships ORDER BY rowid")]
        assert ids == PAIR_IDS  # the records' own ids, in record order
        pages = {r["file"]: r for r in _rows(db, "SELECT * FROM pages")}
        assert [pages[f]["status"] for f in ("a.txt", "b.txt", "c.bin")] == ["read", "partly read", "skipped"]
        assert pages["a.txt"]["sha256"] == "aa" * 32 and pages["c.bin"]["sha256"] is None
        assert pages["a.txt"]["language"] == "sv" and pages["a.txt"]["blocks"] == 2
        assert pages["a.txt"]["projects"] == 1 and pages["a.txt"]["partnerships"] == 3
        assert pages["c.bin"]["error"] == "read: binary content" and pages["c.bin"]["blocks"] == 0
        assert _rows(db, "SELECT swedish_partner_code FROM project_swedish_partners ORDER BY position") == [
            {"swedish_partner_code": "0780"}, {"swedish_partner_code": None}]
        assert _rows(db, "SELECT duration_years, sdgs FROM projects") == [{"duration_years": 1.5, "sdgs": "[5]"}]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocks.jsonl", "candidates.jsonl", "errors.jsonl",
                                                         DATABASE_FILE]


def test_failed_build_keeps_the_previous_file(tmp_path, monkeypatch):
    _write(tmp_path)
    before = (tmp_path / DATABASE_FILE).read_bytes()

    def broken(path, stages, page_rows):
        sqlite3.connect(path).execute("CREATE TABLE half (x)").connection.close()
        raise RuntimeError("disk full")

    monkeypatch.setattr(sqlite_out, "_build", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        _write(tmp_path)
    assert (tmp_path / DATABASE_FILE).read_bytes() == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp, no staging file


def test_stale_staging_removed_and_unselected_database_deleted(tmp_path):
    _write(tmp_path)
    stale = tmp_path / f".{DATABASE_FILE}.projects.tmp"
    stale.write_bytes(b"left by a killed run")
    _write(tmp_path, formats="json")
    assert not stale.exists()
    assert not (tmp_path / DATABASE_FILE).exists()  # an earlier run's database goes with its format
    assert (tmp_path / "projects.json").exists()


def test_sqlite_format_needs_its_extra(monkeypatch, tmp_path):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "sqlite_utils" else real(name, *a))
    with pytest.raises(ValueError, match=r"pip install 'kp_extract\[sqlite\]'"):
        parse_formats("json,sqlite")
    assert parse_formats("json") == ("json",)
    result = CliRunner().invoke(app, ["run", str(RAW), "--out", str(tmp_path / "o"), "--format", "sqlite"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "kp_extract[sqlite]" in lines[0]
    assert not (tmp_path / "o").exists()
