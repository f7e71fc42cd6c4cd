"""outputs/reader.py (issue 14): one reader of a run's output, in whatever format it was written,
giving exactly the JSON records; and kp_extract.read_output, the same as pandas DataFrames."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import kp_extract
from kp_extract.model import Partnership, Project, Source
from kp_extract.outputs.reader import (READ_ORDER, NoRunOutput, OutputReadError, read_record_file, read_records,
                                       record_format)
from kp_extract.outputs.records import PARTNERSHIP_FIELDS, PROJECT_FIELDS
from kp_extract.outputs.writer import write_outputs
from kp_extract.run import pipeline
from tests.conftest import RAW

# The runs the test reads back: (folder name, formats, CSV dialect).
RUNS = {
    "json": ("json", "rfc4180"),
    "csv": ("csv", "rfc4180"),
    "csv-excel-sv": ("csv", "excel-sv"),
    "parquet": ("parquet", "rfc4180"),
    "jsonl": ("jsonl", "rfc4180"),
}


def typed(value):
    """value with the type of every scalar next to it: 3 and 3.0, "" and None differ."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


@pytest.fixture(scope="module")
def seed_runs(tmp_path_factory) -> dict[str, Path]:
    """The seed pages run once per format (a shared page cache makes the later runs quick)."""
    cache = tmp_path_factory.mktemp("cache")
    outs = {}
    for name, (fmt, dialect) in RUNS.items():
        out = outs[name] = tmp_path_factory.mktemp(name)
        pipeline.run(RAW, out, workers=1, formats=fmt, csv_dialect=dialect, cache_dir=cache)
    return outs


def json_file(folder: Path, stem: str) -> list[dict]:
    return json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", list(RUNS))
def test_every_format_of_a_run_reads_as_the_json_records(seed_runs, name):
    expected_projects = json_file(seed_runs["json"], "projects")
    expected_partnerships = json_file(seed_runs["json"], "partnerships")
    assert len(expected_projects) > 10 and len(expected_partnerships) > 5  # the seeds give records
    assert record_format(seed_runs[name]) == RUNS[name][0]
    got = read_records(seed_runs[name])
    assert typed(got.projects) == typed(expected_projects)
    assert typed(got.partnerships) == typed(expected_partnerships)
    assert [list(p) for p in got.projects] == [list(PROJECT_FIELDS)] * len(expected_projects)  # key order


def test_csv_dialect_is_found_without_datapackage(seed_runs, tmp_path):
    for name in ("csv", "csv-excel-sv"):
        folder = tmp_path / name
        folder.mkdir()
        for stem in ("projects", "partnerships"):
            (folder / f"{stem}.csv").write_bytes((seed_runs[name] / f"{stem}.csv").read_bytes())
        assert typed(read_records(folder)) == typed(read_records(seed_runs["json"]))


def invented_records() -> tuple[list[Project], list[Partnership]]:
    """Values CSV must parse back: guarded cells, a code with a leading zero, a file name with ':'
    and '-', None and empty lists, a half-year duration, a whole one, an untitled record."""
    src = [Source("dir/a-b:c.txt", 0, 10), Source("e.txt", 12, 30)]
    common = dict(swedish_partners=["Stockholms stad"], swedish_partner_codes=["0180"],
                  other_participants=[], project_areas=[], themes=["=Gender"], tags=[], languages=["sv", "en"],
                  possible_duplicates=[])
    projects = [
        Project(record_id="kp-00000000000000a1", title="-5 degrees: a climate plan",
                international_partners=["=cmd|' /C calc'!A0", "Kisumu County"], countries=["KE"], sdgs=[13, 5],
                start_date="2019-03", end_date="2021", duration_years=1.5, amount_sek=450000,
                summary="Line one\nline two; \"quoted\"", sources=src, confidence=0.873, **common),
        Project(record_id="kp-00000000000000b2", title=None, international_partners=[], countries=[], sdgs=[],
                start_date=None, end_date=None, duration_years=3, amount_sek=None, summary="", sources=src[1:],
                confidence=1.0, **common),
    ]
    partnerships = [
        Partnership("Stockholms stad", "0180", "@Home Municipality", None, None, [], src, 0.5),
        Partnership("Region Skåne", "12", "Kisumu County", "KE", 2019, ["kp-00000000000000a1"], src[:1], 1.0),
    ]
    return projects, partnerships


@pytest.mark.parametrize("fmt, dialect", [("csv", "rfc4180"), ("csv", "excel-sv"), ("parquet", "rfc4180"),
                                          ("jsonl", "rfc4180")])
def test_invented_values_round_trip(tmp_path, fmt, dialect):
    projects, partnerships = invented_records()
    write_outputs(tmp_path / "json", projects, partnerships, [], [], formats="json")
    write_outputs(tmp_path / fmt, projects, partnerships, [], [], formats=fmt, csv_dialect=dialect)
    expected = read_records(tmp_path / "json")
    assert expected.projects[0]["swedish_partner_codes"] == ["0180"] and expected.projects[1]["title"] is None
    assert typed(read_records(tmp_path / fmt)) == typed(expected)


def test_the_richest_format_is_read(tmp_path):
    projects, partnerships = invented_records()
    write_outputs(tmp_path, projects, partnerships, [], [], formats="csv,parquet")
    assert record_format(tmp_path) == "parquet"
    (tmp_path / "projects.json").write_text(json.dumps([{"record_id": "kp-from-json"}]), encoding="utf-8")
    assert record_format(tmp_path) == "json"
    assert read_records(tmp_path).projects == [{"record_id": "kp-from-json"}]
    assert read_records(tmp_path).partnerships == []  # no partnerships.json: none
    assert READ_ORDER == ("json", "jsonl", "parquet", "csv")


def test_a_folder_without_run_output_is_one_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(NoRunOutput) as caught:
        read_records(tmp_path)
    message = str(caught.value)
    assert "no run output in" in message and "projects.csv" in message and "\n" not in message
    assert isinstance(caught.value, FileNotFoundError)
    with pytest.raises(NoRunOutput, match="output folder not found"):
        read_records(tmp_path / "missing")


@pytest.mark.parametrize("name, content, message", [
    ("projects.json", "[{", "is not valid JSON"),
    ("projects.json", '{"projects": 3}', "expected a JSON array of projects records"),
    ("projects.jsonl", '{"record_id": 1}\nnot json\n', "not valid JSON Lines: line 2"),
    ("projects.csv", "record_id,colour\nkp-1,red\n", "unknown column 'colour'"),
    ("projects.csv", "record_id,sdgs\nkp-1,five\n", "row 2"),
    ("projects.csv", "record_id,sources\nkp-1,nofile\n", "not a source"),
    ("projects.csv", "", "empty file"),
    ("projects.parquet", "not parquet", "not a projects file"),
])
def test_damaged_record_files_are_one_line_errors(tmp_path, name, content, message):
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(OutputReadError, match=message) as caught:
        read_records(tmp_path)
    assert "\n" not in str(caught.value)


def test_read_record_file_refuses_other_suffixes(tmp_path):
    with pytest.raises(OutputReadError, match="not a record file"):
        read_record_file(tmp_path / "projects.xlsx", "projects")


# ---------------------------------------------------------------- kp_extract.read_output

def test_read_output_dataframes_have_proper_dtypes(tmp_path):
    projects, partnerships = invented_records()
    write_outputs(tmp_path, projects, partnerships, [], [], formats="csv")
    frames = kp_extract.read_output(tmp_path)
    df, parts = frames
    assert list(df.columns) == list(PROJECT_FIELDS) and list(parts.columns) == list(PARTNERSHIP_FIELDS)
    assert str(df["amount_sek"].dtype) == "Int64" and str(parts["since_year"].dtype) == "Int64"
    assert df["amount_sek"].tolist()[0] == 450000 and df["amount_sek"].isna().tolist() == [False, True]
    assert parts["since_year"].isna().tolist() == [True, False] and parts["since_year"][1] == 2019
    for col in ("record_id", "title", "start_date", "end_date", "summary"):
        assert isinstance(df[col].dtype, pd.StringDtype), col
    assert isinstance(parts["swedish_partner_code"].dtype, pd.StringDtype)
    assert parts["swedish_partner_code"].tolist() == ["0180", "12"]  # the leading zero stays
    assert df["start_date"][0] == "2019-03" and df["end_date"][0] == "2021"  # dates as stated
    assert pd.isna(df["title"][1]) and pd.isna(df["start_date"][1])
    assert df["swedish_partner_codes"][0] == ["0180"]
    assert df["sdgs"][0] == [13, 5] and df["countries"][1] == []
    assert df["sources"][0][0] == {"file": "dir/a-b:c.txt", "start": 0, "end": 10}
    assert df["duration_years"].tolist() == [1.5, 3.0] and df["duration_years"].dtype.kind == "f"
    assert df["confidence"].tolist() == [0.873, 1.0]


def test_read_output_of_an_empty_run_keeps_the_columns_and_dtypes(tmp_path):
    write_outputs(tmp_path, [], [], [], [], formats="parquet")
    df, parts = kp_extract.read_output(tmp_path)
    assert len(df) == 0 and len(parts) == 0
    assert list(df.columns) == list(PROJECT_FIELDS)
    assert str(df["amount_sek"].dtype) == "Int64" and isinstance(df["record_id"].dtype, pd.StringDtype)


# ---------------------------------------------------------------- the commands read any format

def test_run_report_with_csv_only_writes_the_same_report_as_with_json(tmp_path):
    from typer.testing import CliRunner

    from kp_extract.cli import app

    runner = CliRunner()
    reports, sources = {}, {}
    for fmt in ("json", "csv"):
        out = tmp_path / fmt
        got = runner.invoke(app, ["run", str(RAW), "--out", str(out), "--format", fmt, "--report", "--no-cache",
                                  "-w", "1", "-q", "--csv-dialect", "excel-sv"])
        assert got.exit_code == 0, got.output
        reports[fmt] = (out / "report.html").read_bytes()
        sources[fmt] = {f.name: f.read_bytes() for f in sorted((out / "report.sources").iterdir())}
    assert b"kp_extract review report" in reports["csv"]
    # the same report but for the run's metadata, which names the formats the run wrote
    assert b"<dt>Option formats</dt><dd>csv</dd>" in reports["csv"]
    assert reports["csv"].replace(b"<dt>Option formats</dt><dd>csv</dd>",
                                  b"<dt>Option formats</dt><dd>json</dd>") == reports["json"]
    assert sources["csv"] == sources["json"] and sources["csv"]
    again = runner.invoke(app, ["report", str(tmp_path / "csv"), "--input", str(RAW), "-q"])
    assert again.exit_code == 0, again.output
    empty = runner.invoke(app, ["report", str(tmp_path)])
    assert empty.exit_code == 2 and "no run output in" in empty.stderr
    assert len(empty.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("fmt", ["csv", "csv-excel-sv", "parquet", "jsonl"])
def test_evaluate_scores_any_format_as_json(seed_runs, fmt):
    from typer.testing import CliRunner

    from kp_extract.cli import app
    from kp_extract.review.evaluate import evaluate

    gold = Path(__file__).resolve().parents[1] / "fixtures" / "seeds.gold.json"
    expected = evaluate(seed_runs["json"], gold).to_dict(misses=True)
    assert expected["records"]["tp"] > 10
    assert evaluate(seed_runs[fmt], gold).to_dict(misses=True) == expected
    suffix = RUNS[fmt][0]
    assert evaluate(seed_runs[fmt] / f"projects.{suffix}", gold).to_dict(misses=True) == expected  # one file
    got = CliRunner().invoke(app, ["evaluate", str(seed_runs[fmt]), str(gold), "--json"])
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout)["overall"] == expected["overall"]


def test_where_the_pages_came_from_is_read_back_from_every_format(tmp_path):
    """run --manifest puts source_url and retrieved_at on every source: the CSV cell file:start-end
    leaves them out (datapackage.json has them per page), Parquet has them null where unknown."""
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    for name in ("000_d98ef4d1fb15a41d.txt", "002_e8ce17b8f4e7c177.txt"):
        (crawl / name).write_bytes((RAW / name).read_bytes())
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,url,retrieved_at\n000_d98ef4d1fb15a41d.txt,https://www.example.org/a,2024-05-01\n",
                        encoding="utf-8")
    outs = {}
    for fmt, dialect in (("json", "rfc4180"), ("csv", "rfc4180"), ("csv", "excel-sv"), ("parquet", "rfc4180")):
        out = outs[f"{fmt}-{dialect}"] = tmp_path / f"{fmt}-{dialect}"
        pipeline.run(crawl, out, workers=1, formats=fmt, csv_dialect=dialect, manifest=manifest)
    expected = read_records(outs["json-rfc4180"])
    cited = [s for p in expected.projects for s in p["sources"]]
    assert {"file": cited[0]["file"], "start": cited[0]["start"], "end": cited[0]["end"],
            "source_url": "https://www.example.org/a", "retrieved_at": "2024-05-01"} in cited
    assert any("source_url" not in s for s in cited)  # the page without a row
    for name, out in outs.items():
        assert typed(read_records(out)) == typed(expected), name
