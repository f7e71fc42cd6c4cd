"""Tests for kp_extract.outputs.writer (and the records, cells and files it writes with): JSON/CSV
shape, CSV injection guard, atomic writes, schema validation and byte-identical output."""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from kp_extract.model import Block, FileError, Partnership, Project, Source
from kp_extract.outputs import files, schema, writer
from kp_extract.outputs.csv import csv_cell
from kp_extract.outputs.files import FileStat, atomic_write_text
from kp_extract.outputs.records import PARTNERSHIP_FIELDS, PROJECT_FIELDS, partnership_to_dict, project_to_dict
from kp_extract.outputs.schema import validate_records

OUT_FILES = ["projects.json", "projects.csv", "partnerships.json", "partnerships.csv", "partnership_projects.csv",
             "blocks.jsonl", "errors.jsonl", "candidates.jsonl"]


def write_outputs(out_dir, projects, partnerships, blocks, errors) -> writer.Written:
    """The writer with its defaults (csv and json, RFC 4180, no candidates)."""
    return writer.write_outputs(out_dir, projects, partnerships, blocks, errors)


def make_project(**kw) -> Project:
    base = dict(
        record_id="p-3f9a1c",
        title="Partnership to fight gender-based violence",
        swedish_partners=["Växjö kommun", "Älmhults kommun"],
        swedish_partner_codes=["0780", "0765"],
        international_partners=["JB Marks Local Municipality"],
        other_participants=[],
        countries=["ZA"],
        project_areas=["Inclusive leadership and governance", "Social care and wellbeing"],
        themes=["Gender Equality", "Human Rights"],
        sdgs=[5],
        start_date="2023",
        end_date="2025",
        duration_years=3.0,
        amount_sek=None,
        tags=[],
        languages=["en"],
        summary="Forthcoming project application pertains to the current partnership…",
        sources=[Source("000_d98ef4d1fb15a41d.txt", 30, 1900),
                 Source("001_d6c82e7c1c02df3a.txt", 0, 812)],
        possible_duplicates=[],
    )
    base.update(kw)
    return Project(**base)


def make_partnership(**kw) -> Partnership:
    base = dict(
        partnership_id="kp-p-0123456789abcdef",
        swedish_partner="Växjö kommun",
        swedish_partner_code="0780",
        international_partner="JB Marks Local Municipality",
        country="ZA",
        since_year=2005,
        project_ids=["p-3f9a1c"],
        sources=[Source("000_d98ef4d1fb15a41d.txt", 30, 1900)],
    )
    base.update(kw)
    return Partnership(**base)


def sample():
    projects = [
        make_project(),
        make_project(record_id="p-2", title=None, duration_years=1.5, amount_sek=1500000,
                     sdgs=[3, 11], tags=["demokrati", "ukraina"], start_date="2019-01",
                     end_date=None, possible_duplicates=["p-3f9a1c"]),
    ]
    partnerships = [make_partnership(),
                    make_partnership(swedish_partner="Region Gotland",
                                     swedish_partner_code="0980", since_year=None,
                                     country=None, project_ids=[])]
    blocks = [{"file": "a.txt", "start": 0, "end": 5, "kind": "heading", "text": "Växjö"},
              Block("a.txt", 6, 10, "text", "prose", 1, 0, "sv")]
    errors = [FileError("bad.txt", "read", "binary content (PNG image)")]
    return projects, partnerships, blocks, errors


# ------------------------------------------------------------------ JSON

def test_json_shape_and_key_order(tmp_path):
    projects, partnerships, blocks, errors = sample()
    written = write_outputs(tmp_path, projects, partnerships, blocks, errors)
    assert sorted(written.files) == sorted(OUT_FILES) and written.blocks == 2
    for name, stat in written.files.items():  # what the writer hashed is what is on disk
        assert stat == files.file_stat(tmp_path / name), name
    text = (tmp_path / "projects.json").read_text(encoding="utf-8")
    assert text.endswith("]\n")
    assert "Växjö kommun" in text  # ensure_ascii=False
    assert '\n "record_id"' not in text and text.startswith("[\n {\n  \"record_id\"")  # indent=1
    data = json.loads(text)
    assert isinstance(data, list) and len(data) == 2
    assert list(data[0]) == list(PROJECT_FIELDS)
    assert data[0]["duration_years"] == 3 and isinstance(data[0]["duration_years"], int)
    assert '"duration_years": 3,' in text
    assert data[1]["duration_years"] == 1.5
    assert data[1]["amount_sek"] == 1500000
    assert data[0]["sources"][0] == {"file": "000_d98ef4d1fb15a41d.txt", "start": 30, "end": 1900}
    pdata = json.loads((tmp_path / "partnerships.json").read_text(encoding="utf-8"))
    assert list(pdata[0]) == list(PARTNERSHIP_FIELDS)
    assert pdata[1]["since_year"] is None and pdata[1]["country"] is None


def test_jsonl_files(tmp_path):
    projects, partnerships, blocks, errors = sample()
    write_outputs(tmp_path, projects, partnerships, blocks, errors)
    lines = (tmp_path / "blocks.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["kind"] for x in lines] == ["heading", "prose"]
    assert "Växjö" in lines[0]
    err = (tmp_path / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in err] == [
        {"file": "bad.txt", "stage": "read", "reason": "binary content (PNG image)"}]


def test_empty_outputs_still_written(tmp_path):
    out = tmp_path / "new" / "out"
    written = write_outputs(out, [], [], [], [])
    assert all((out / name).exists() for name in written.files) and len(written.files) == len(OUT_FILES)
    assert (out / "errors.jsonl").read_bytes() == b""
    assert (out / "blocks.jsonl").read_bytes() == b""
    assert json.loads((out / "projects.json").read_text()) == []
    assert (out / "projects.csv").read_text().splitlines() == [",".join(PROJECT_FIELDS)]


def test_json_validates_against_schemas(tmp_path):
    projects, partnerships, blocks, errors = sample()
    write_outputs(tmp_path, projects, partnerships, blocks, errors)
    pj = json.loads((tmp_path / "projects.json").read_text(encoding="utf-8"))
    sj = json.loads((tmp_path / "partnerships.json").read_text(encoding="utf-8"))
    assert validate_records(pj, sj) == []


def test_validate_records_reports_problems():
    bad = project_to_dict(make_project(sdgs=[18], countries=["zaf"], start_date="2019/01"))
    del bad["summary"]
    bad_p = partnership_to_dict(make_partnership(swedish_partner_code="780", sources=[]))
    msgs = validate_records([project_to_dict(make_project()), bad], [bad_p])
    joined = "\n".join(msgs)
    assert "projects[1].sdgs[0]" in joined and "18" in joined
    assert "projects[1].countries[0]" in joined
    assert "projects[1].start_date" in joined
    assert "summary" in joined
    assert "partnerships[0].swedish_partner_code" in joined
    assert "partnerships[0].sources" in joined
    assert not any(m.startswith("projects[0]") for m in msgs)


def test_schemas_are_shipped_with_package():
    assert schema.load_schema("project")["title"] == "kp_extract project record"
    assert schema.load_schema("partnership")["required"][0] == "partnership_id"


# ------------------------------------------------------------------ CSV

def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_csv_fields_lists_sources_nulls(tmp_path):
    projects, partnerships, blocks, errors = sample()
    write_outputs(tmp_path, projects, partnerships, blocks, errors)
    raw = (tmp_path / "projects.csv").read_bytes()
    assert b"\r\n" in raw and not raw.startswith(b"\xef\xbb\xbf")
    rows = read_csv(tmp_path / "projects.csv")
    assert list(rows[0]) == list(PROJECT_FIELDS)
    r0, r1 = rows
    assert r0["swedish_partners"] == "Växjö kommun | Älmhults kommun"
    assert r0["swedish_partner_codes"] == "0780 | 0765"
    assert r0["sources"] == "000_d98ef4d1fb15a41d.txt:30-1900 | 001_d6c82e7c1c02df3a.txt:0-812"
    assert r0["duration_years"] == "3"
    assert r0["amount_sek"] == "" and r0["tags"] == "" and r0["other_participants"] == ""
    assert r1["title"] == ""
    assert r1["amount_sek"] == "1500000"
    assert r1["duration_years"] == "1.5"
    assert r1["sdgs"] == "3 | 11"
    assert r1["end_date"] == ""
    prow = read_csv(tmp_path / "partnerships.csv")
    assert list(prow[0]) == list(PARTNERSHIP_FIELDS)
    assert prow[0]["since_year"] == "2005" and prow[1]["since_year"] == ""
    assert prow[0]["sources"] == "000_d98ef4d1fb15a41d.txt:30-1900"


@pytest.mark.parametrize(
    "title, cell",
    [
        ('=HYPERLINK("http://evil.example","klick")', '\'=HYPERLINK("http://evil.example","klick")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Växjö = JB Marks", "Växjö = JB Marks"),
        ("Project: a-b", "Project: a-b"),
    ],
)
def test_csv_injection_escaped(tmp_path, title, cell):
    write_outputs(tmp_path, [make_project(title=title, international_partners=[title])],
                  [make_partnership(international_partner=title)], [], [])
    rows = read_csv(tmp_path / "projects.csv")
    assert rows[0]["title"] == cell
    assert rows[0]["international_partners"] == cell
    assert read_csv(tmp_path / "partnerships.csv")[0]["international_partner"] == cell
    # JSON keeps the original value
    assert json.loads((tmp_path / "projects.json").read_text(encoding="utf-8"))[0]["title"] == title


def test_csv_quoting_of_commas_quotes_newlines(tmp_path):
    title = 'Vatten, avlopp och "klimat"\nandra raden'
    write_outputs(tmp_path, [make_project(title=title, summary="rad 1\r\nrad 2")], [], [], [])
    rows = read_csv(tmp_path / "projects.csv")
    assert rows[0]["title"] == title
    assert rows[0]["summary"] == "rad 1\r\nrad 2"


def test_csv_cell_unit():
    assert csv_cell(None) == ""
    assert csv_cell([]) == ""
    assert csv_cell(["a", "b"]) == "a | b"
    assert csv_cell([5, 11]) == "5 | 11"
    assert csv_cell(2550000) == "2550000"
    assert csv_cell(3.0) == "3"
    assert csv_cell(Source("a b.txt", 1, 2)) == "a b.txt:1-2"
    assert csv_cell(["-x", "y"]) == "'-x | y"


# ------------------------------------------------------------------ atomic + determinism

def test_atomic_write_keeps_old_file_when_writer_crashes(tmp_path, monkeypatch):
    target = tmp_path / "projects.json"
    target.write_text("OLD\n", encoding="utf-8")

    def boom(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", boom)
    with pytest.raises(OSError):
        atomic_write_text(target, "NEW CONTENT\n")
    assert target.read_text(encoding="utf-8") == "OLD\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["projects.json"]  # no temp left


def test_write_outputs_crash_midway_leaves_previous_outputs(tmp_path, monkeypatch):
    projects, partnerships, blocks, errors = sample()
    write_outputs(tmp_path, projects, partnerships, blocks, errors)
    before = {n: (tmp_path / n).read_bytes() for n in OUT_FILES}

    real_replace = os.replace
    calls = {"n": 0}

    def flaky_replace(src, dst):
        calls["n"] += 1
        if calls["n"] == 3:  # crash while moving partnerships.csv into place (csv closes before json)
            raise KeyboardInterrupt
        return real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", flaky_replace)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(tmp_path, [make_project(title="changed")], [], [], [])
    for name in OUT_FILES[2:]:
        assert (tmp_path / name).read_bytes() == before[name], name
    changed = json.loads((tmp_path / "projects.json").read_text(encoding="utf-8"))  # whole, not partial
    assert [p["title"] for p in changed] == ["changed"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_atomic_write_file_mode_respects_umask(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "f.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "f.txt").stat().st_mode & 0o777 == 0o644


def test_atomic_writes_return_what_they_wrote(tmp_path):
    import hashlib

    data = "å,ä\r\n".encode("utf-8")
    assert atomic_write_text(tmp_path / "a.csv", "å,ä\r\n") == FileStat(len(data), hashlib.sha256(data).hexdigest())
    assert files.file_stat(tmp_path / "a.csv") == FileStat(len(data), hashlib.sha256(data).hexdigest())


def test_byte_identical_repeated_writes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_outputs(a, *sample())
    write_outputs(b, *sample())
    write_outputs(a, *sample())  # overwrite in place
    for name in OUT_FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_nan_duration_exported_as_null(tmp_path):
    write_outputs(tmp_path, [make_project(duration_years=float("nan"))], [], [], [])
    data = json.loads((tmp_path / "projects.json").read_text(encoding="utf-8"))
    assert data[0]["duration_years"] is None
