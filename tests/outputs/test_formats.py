"""Output formats (issue 6): csv, json, jsonl and parquet, alone or together; the CSV dialects
rfc4180 and excel-sv; stale files of unselected formats; usage errors; byte-identical re-runs."""
from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from kp_extract.outputs import parquet as parquet_export
from kp_extract.run import pipeline
from kp_extract.cli import app
from kp_extract.model import Partnership, Project, Source
from kp_extract.outputs.csv import csv_cell
from kp_extract.outputs.records import PARTNERSHIP_FIELDS, PROJECT_FIELDS, project_to_dict
from kp_extract.outputs.writer import FORMATS, parse_formats, record_files, write_outputs
from tests.conftest import RAW
from tests.outputs.reference_writer import records_csv

runner = CliRunner()
FIELDS = {"projects": PROJECT_FIELDS, "partnerships": PARTNERSHIP_FIELDS}
ALWAYS = {"blocks.jsonl", "errors.jsonl", "candidates.jsonl", "pages.csv", "datapackage.json"}


def record_names(formats) -> set[str]:
    """The record files a run writes for formats: projects and partnerships in each format but xlsx, the
    link table partnership_projects with csv and parquet, one workbook records.xlsx with xlsx."""
    names = {f"{s}.{f}" for s in FIELDS for f in formats if f != "xlsx"}
    names |= {f"partnership_projects.{f}" for f in formats if f in ("csv", "parquet")}
    return names | ({"records.xlsx"} if "xlsx" in formats else set())


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.is_file()}


def all_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def every_format(tmp_path_factory) -> Path:
    """The seeds, every format, default CSV dialect."""
    out = tmp_path_factory.mktemp("every-format")
    pipeline.run(RAW, out, workers=1, formats=FORMATS)
    return out


@pytest.fixture(scope="module")
def excel_sv(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("excel-sv")
    pipeline.run(RAW, out, workers=1, formats="csv,json", csv_dialect="excel-sv")
    return out


def json_records(folder: Path, stem: str) -> list[dict]:
    return json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ formats

def test_default_formats_are_csv_and_json_and_unchanged(every_format, serial_outputs):
    assert parse_formats(None) == ("csv", "json")
    # the default run wrote exactly these record files; adding formats changes none of their bytes
    for name, data in serial_outputs["raw"].items():
        assert (every_format / name).read_bytes() == data, name


def test_every_format_writes_both_record_files(every_format):
    assert files_in(every_format) == ALWAYS | set(record_files(FORMATS))
    assert {f"{s}.{f}" for s in FIELDS for f in FORMATS if f not in ("iati", "sqlite", "xlsx")} <= files_in(every_format)
    assert {"partnership_projects.csv", "partnership_projects.parquet", "records.xlsx"} <= files_in(every_format)


@pytest.mark.parametrize("stem", ["projects", "partnerships"])
def test_jsonl_round_trips_to_the_json_records(every_format, stem):
    lines = (every_format / f"{stem}.jsonl").read_text(encoding="utf-8").splitlines()
    records = json_records(every_format, stem)
    assert records, "the seeds give records"
    assert [json.loads(line) for line in lines] == records
    assert all(list(json.loads(line)) == list(FIELDS[stem]) for line in lines)


@pytest.mark.parametrize("stem", ["projects", "partnerships"])
def test_parquet_round_trips_to_the_json_records(every_format, stem):
    table = pq.read_table(every_format / f"{stem}.parquet")
    assert table.column_names == list(FIELDS[stem])
    # 3.0 == 3 for duration_years; a source's source_url and retrieved_at, which a JSON source object
    # has only when the page's origin is known, are null columns of the struct in Parquet
    assert [_without_null_origins(r) for r in table.to_pylist()] == json_records(every_format, stem)


def _without_null_origins(record: dict) -> dict:
    sources = [{k: v for k, v in s.items() if not (k in ("source_url", "retrieved_at") and v is None)}
               for s in record["sources"]]
    return dict(record, sources=sources)


def test_parquet_schema_is_explicit(every_format):
    schema = pq.read_schema(every_format / "projects.parquet")
    assert schema.field("duration_years").type == pa.float64()
    assert schema.field("amount_sek").type == pa.int64()
    assert schema.field("sdgs").type == pa.list_(pa.int64())
    assert schema.field("countries").type == pa.list_(pa.string())
    assert schema.field("sources").type == pa.list_(pa.struct(
        [("file", pa.string()), ("start", pa.int64()), ("end", pa.int64()), ("source_url", pa.string()),
         ("retrieved_at", pa.string())]))
    assert schema.metadata is None or b"pandas" not in schema.metadata
    assert pq.read_schema(every_format / "partnerships.parquet").field("since_year").type == pa.int64()


def test_parquet_is_written_in_bounded_row_groups(every_format, tmp_path, monkeypatch):
    monkeypatch.setattr(parquet_export, "ROW_GROUP_ROWS", 4)
    pipeline.run(RAW, tmp_path, workers=1, formats="parquet")
    meta = pq.read_metadata(tmp_path / "projects.parquet")
    n = len(json_records(every_format, "projects"))
    assert meta.num_rows == n and meta.num_row_groups == math.ceil(n / 4)
    assert all(meta.row_group(i).num_rows <= 4 for i in range(meta.num_row_groups))
    assert pq.read_table(tmp_path / "projects.parquet").to_pylist() == \
        pq.read_table(every_format / "projects.parquet").to_pylist()


def test_empty_run_gives_valid_empty_files(tmp_path):
    out = tmp_path / "out"
    write_outputs(out, [], [], [], [], formats=FORMATS)
    assert pq.read_table(out / "projects.parquet").num_rows == 0
    assert pq.read_schema(out / "projects.parquet").names == list(PROJECT_FIELDS)
    assert (out / "projects.jsonl").read_bytes() == b""
    assert (out / "projects.json").read_bytes() == b"[]\n"


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_alone_and_stale_files_of_others_removed(fmt, every_format, tmp_path):
    out = tmp_path / "out"
    pipeline.run(RAW, out, workers=1, formats=FORMATS)  # an earlier run with every format
    pipeline.run(RAW, out, workers=1, formats=[fmt])
    assert files_in(out) == ALWAYS | set(record_files([fmt]))
    for name in record_files([fmt]):
        assert (out / name).read_bytes() == (every_format / name).read_bytes()


def test_other_files_in_the_output_folder_are_left_alone(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.csv").write_text("mine\n")
    (out / "projects.xlsx").write_text("mine too\n")
    pipeline.run(RAW, out, workers=1, formats="json")
    assert {"notes.csv", "projects.xlsx"} <= files_in(out)
    assert not (out / "projects.csv").exists()


@pytest.mark.parametrize("dialect", ["rfc4180", "excel-sv"])
def test_every_format_byte_identical_twice(dialect, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    pipeline.run(RAW, first, workers=1, formats=FORMATS, csv_dialect=dialect)
    pipeline.run(RAW, second, workers=2, formats=FORMATS, csv_dialect=dialect)
    a, b = all_bytes(first), all_bytes(second)
    assert set(a) == ALWAYS | set(record_files(FORMATS))
    assert a == b


# ------------------------------------------------------------------ CSV dialects

def test_rfc4180_is_utf8_without_bom_comma_crlf(every_format):
    data = (every_format / "projects.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.startswith(",".join(PROJECT_FIELDS).encode() + b"\r\n")
    assert data.endswith(b"\r\n")


@pytest.mark.parametrize("stem", ["projects", "partnerships"])
def test_excel_sv_is_bom_semicolon_crlf(excel_sv, every_format, stem):
    data = (excel_sv / f"{stem}.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + ";".join(FIELDS[stem]).encode() + b"\r\n")
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    plain = list(csv.reader(io.StringIO((every_format / f"{stem}.csv").read_text(encoding="utf-8"), newline="")))
    assert rows == plain  # the same cells, only the layout differs
    # every row ends with CRLF: no bare LF outside quoted cells
    assert text.count("\r\n") >= len(rows) and text.endswith("\r\n")
    assert (excel_sv / f"{stem}.json").read_bytes() == (every_format / f"{stem}.json").read_bytes()


@pytest.mark.parametrize("stem", ["projects", "partnerships"])
def test_excel_sv_round_trips_through_pandas(excel_sv, stem):
    frame = pd.read_csv(excel_sv / f"{stem}.csv", sep=";", encoding="utf-8-sig", dtype=str,
                        keep_default_na=False)
    assert list(frame.columns) == list(FIELDS[stem])
    expected = [[csv_cell(rec[f]) for f in FIELDS[stem]] for rec in json_records(excel_sv, stem)]
    assert frame.values.tolist() == expected


HOSTILE = ["=HYPERLINK(\"http://evil.example\";\"x\")", "+SUM(1;2)", "-2+3", "@SUM(1)", "\tTAB", "\rCR"]


def hostile_records() -> tuple[list[Project], list[Partnership]]:
    src = [Source("a.txt", 0, 10)]
    projects = [Project(
        record_id=f"kp-{i:016x}", title=t, swedish_partners=["Växjö kommun"], swedish_partner_codes=["0780"],
        international_partners=[t, "Kisumu; County"], other_participants=[], countries=["KE"],
        project_areas=[], themes=[], sdgs=[5, 11], start_date="2023", end_date="2024-06",
        duration_years=1.5, amount_sek=1234567, tags=[], languages=["sv"], summary='Say "hi"\nthen go',
        sources=src) for i, t in enumerate(HOSTILE)]
    partnerships = [Partnership("Växjö kommun", "0780", t, "KE", 2005, [], src) for t in HOSTILE]
    return projects, partnerships


@pytest.mark.parametrize("dialect, sep", [("rfc4180", ","), ("excel-sv", ";")])
def test_hostile_cells_escaped_and_numbers_plain_in_both_dialects(dialect, sep, tmp_path):
    projects, partnerships = hostile_records()
    write_outputs(tmp_path, projects, partnerships, [], [], formats="csv", csv_dialect=dialect)
    text = (tmp_path / "projects.csv").read_bytes().decode("utf-8-sig")
    assert text == records_csv([project_to_dict(p) for p in projects], PROJECT_FIELDS, dialect).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=sep))
    assert [r["title"] for r in rows] == ["'" + t for t in HOSTILE]
    assert all(r["international_partners"] == f"'{t} | Kisumu; County" for r, t in zip(rows, HOSTILE))
    assert {r["duration_years"] for r in rows} == {"1.5"}  # "." in both dialects, no thousands separator
    assert {r["amount_sek"] for r in rows} == {"1234567"}
    assert {r["sdgs"] for r in rows} == {"5 | 11"}
    assert {r["summary"] for r in rows} == {'Say "hi"\nthen go'}
    for name in ("projects.csv", "partnerships.csv"):
        body = (tmp_path / name).read_bytes().decode("utf-8-sig")
        for row in csv.reader(io.StringIO(body, newline=""), delimiter=sep):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)


# ------------------------------------------------------------------ usage errors

@pytest.mark.parametrize("args, word", [
    (["--format", "xml"], "'xml'"),
    (["--format", "csv,ods"], "'ods'"),
    (["--format", ","], "no format"),
    (["--csv-dialect", "excel"], "'excel'"),
])
def test_invalid_format_or_dialect_is_a_usage_error(args, word, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(RAW), "--out", str(out), "--no-cache", *args])
    assert result.exit_code == 2, result.output
    assert word in result.stderr and "Traceback" not in result.output
    valid = "rfc4180, excel-sv" if "dialect" in args[0] else "csv, json, jsonl, parquet"
    assert valid in result.stderr
    assert not out.exists()  # nothing done


def test_pipeline_rejects_unknown_format_and_dialect(tmp_path):
    with pytest.raises(ValueError, match="parquet"):
        pipeline.run(RAW, tmp_path / "a", formats="csv,orc")
    with pytest.raises(ValueError, match="excel-sv"):
        pipeline.run(RAW, tmp_path / "b", csv_dialect="excel-us")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_cli_format_repeated_and_comma_separated(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(RAW), "--out", str(out), "--no-cache", "--workers", "1",
                                 "--format", "JSONL, parquet", "--format", "csv", "--csv-dialect", "excel-sv"])
    assert result.exit_code == 0, result.output
    assert files_in(out) == ALWAYS | record_names(("csv", "jsonl", "parquet"))
    assert (out / "projects.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_parse_formats_order_and_repeats():
    assert parse_formats("parquet,csv,parquet") == ("csv", "parquet")
    assert parse_formats(["json", "jsonl,csv"]) == ("csv", "json", "jsonl")
