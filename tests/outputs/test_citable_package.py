"""A citable data package (issue 15): partnership ids, the partnership_projects link table with declared
primary and foreign keys, Data Package v2 that the frictionless CLI validates in every format
combination, --package-meta merged into datapackage.json, and the xlsx workbook."""
from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import frictionless
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from kp_extract.cli import app
from kp_extract.model import Partnership, Project, Source
from kp_extract.outputs.datapackage import PACKAGE_PROFILE, load_package_meta
from kp_extract.outputs.records import LINK_FIELDS, LINK_STEM, PARTNERSHIP_FIELDS, PROJECT_FIELDS
from kp_extract.outputs.schema import table_schema
from kp_extract.outputs.writer import write_outputs
from kp_extract.run import pipeline
from tests.conftest import RAW
from tests.outputs.test_datapackage import validate

runner = CliRunner()
TABLE_SCHEMA_V2 = "https://datapackage.org/profiles/2.0/tableschema.json"


def package(out: Path) -> dict:
    return json.loads((out / "datapackage.json").read_text(encoding="utf-8"))


def frictionless_cli(out: Path) -> subprocess.CompletedProcess:
    """`frictionless validate datapackage.json` in out (the installed command line, as a user runs it)."""
    return subprocess.run([sys.executable, "-m", "frictionless", "validate", "datapackage.json"], cwd=out,
                          capture_output=True, text=True, timeout=300)


def all_keys(obj) -> set[str]:
    """Every key of every object in the JSON value obj."""
    if isinstance(obj, dict):
        return set(obj).union(*map(all_keys, obj.values()))
    if isinstance(obj, list):
        return set().union(*map(all_keys, obj))
    return set()


def error_types(report: frictionless.Report) -> set[str]:
    return {e for row in report.flatten(["type"]) for e in row}


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def seeds_all(tmp_path_factory, cache) -> Path:
    """The seeds in every format."""
    out = tmp_path_factory.mktemp("all")
    pipeline.run(RAW, out, workers=1, cache_dir=cache, formats="csv,json,jsonl,parquet,xlsx")
    return out


# ------------------------------------------------------------------ v2, validated by the frictionless CLI

@pytest.mark.parametrize("formats, dialect", [
    ("csv", "rfc4180"),
    ("csv,json", "excel-sv"),
    ("csv,jsonl,parquet", "rfc4180"),
    ("csv,json,jsonl,parquet,xlsx", "excel-sv"),
    ("json,parquet", "rfc4180"),
    ("xlsx", "rfc4180"),
])
def test_the_frictionless_cli_finds_the_seeds_package_valid_in_every_format_combination(formats, dialect,
                                                                                         tmp_path, cache):
    out = tmp_path / "out"
    pipeline.run(RAW, out, workers=1, cache_dir=cache, formats=formats, csv_dialect=dialect)
    result = frictionless_cli(out)
    assert result.returncode == 0 and "VALID" in result.stdout and "INVALID" not in result.stdout, \
        result.stdout + result.stderr
    pkg = package(out)
    assert pkg["$schema"] == PACKAGE_PROFILE
    assert "profile" not in all_keys(pkg)  # no v1 profile keys anywhere
    tables = [r for r in pkg["resources"] if r.get("type") == "table"]
    # pages.csv (issue 15) is a table of every run, whatever the formats
    assert [r["name"] for r in tables] == (["projects", "partnerships", LINK_STEM] if "csv" in formats else []) + [
        "pages"]
    for res in tables:
        assert res["schema"]["$schema"] == TABLE_SCHEMA_V2
    files = {r["path"] for r in pkg["resources"]}
    assert ("records.xlsx" in files) == ("xlsx" in formats)
    assert ("partnership_projects.parquet" in files) == ("parquet" in formats)
    for res in pkg["resources"]:  # every resource is a file of the folder, with its hash
        assert res["hash"] == "sha256:" + hashlib.sha256((out / res["path"]).read_bytes()).hexdigest()


def test_primary_and_foreign_keys_are_declared():
    assert table_schema("projects")["primaryKey"] == ["record_id"]
    assert table_schema("partnerships")["primaryKey"] == ["partnership_id"]
    link = table_schema(LINK_STEM)
    assert link["primaryKey"] == ["partnership_id", "project_id"]
    assert link["foreignKeys"] == [
        {"fields": ["partnership_id"], "reference": {"resource": "partnerships", "fields": ["partnership_id"]}},
        {"fields": ["project_id"], "reference": {"resource": "projects", "fields": ["record_id"]}},
    ]
    for stem in ("projects", "partnerships", LINK_STEM):
        assert table_schema(stem)["$schema"] == TABLE_SCHEMA_V2


def _edit_link_table(out: Path, dest: Path, edit) -> Path:
    """A copy of out whose partnership_projects.csv rows (header first) went through edit; the package's
    bytes and hash follow, so that only the rows can make validation fail."""
    shutil.copytree(out, dest)
    path = dest / "partnership_projects.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(edit(rows))
    pkg = package(dest)
    (res,) = [r for r in pkg["resources"] if r["name"] == LINK_STEM]
    res["bytes"], res["hash"] = path.stat().st_size, "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    (dest / "datapackage.json").write_text(json.dumps(pkg, ensure_ascii=False, indent=1), encoding="utf-8")
    return dest


def test_the_link_table_must_point_at_existing_records(seeds_all, tmp_path):
    same = _edit_link_table(seeds_all, tmp_path / "same", lambda rows: rows)
    assert validate(same).valid  # the copy alone changes nothing
    unknown_project = _edit_link_table(seeds_all, tmp_path / "project",
                                       lambda rows: rows + [[rows[1][0], "kp-0000000000000000"]])
    report = validate(unknown_project)
    assert not report.valid and "foreign-key" in error_types(report)
    unknown_pair = _edit_link_table(seeds_all, tmp_path / "pair",
                                    lambda rows: rows + [["kp-p-0000000000000000", rows[1][1]]])
    report = validate(unknown_pair)
    assert not report.valid and "foreign-key" in error_types(report)
    repeated = _edit_link_table(seeds_all, tmp_path / "repeated", lambda rows: rows + rows[1:2])
    report = validate(repeated)
    assert not report.valid and {"primary-key", "unique-error"} & error_types(report)


# ------------------------------------------------------------------ partnership ids and the link table

def test_partnership_id_leads_every_format(seeds_all):
    records = json.loads((seeds_all / "partnerships.json").read_text(encoding="utf-8"))
    ids = [p["partnership_id"] for p in records]
    assert ids and len(set(ids)) == len(ids) and all(i.startswith("kp-p-") and len(i) == 21 for i in ids)
    assert list(records[0]) == list(PARTNERSHIP_FIELDS) and PARTNERSHIP_FIELDS[0] == "partnership_id"
    with open(seeds_all / "partnerships.csv", newline="", encoding="utf-8") as fh:
        assert [row["partnership_id"] for row in csv.DictReader(fh)] == ids
    assert [json.loads(line)["partnership_id"] for line in
            (seeds_all / "partnerships.jsonl").read_text(encoding="utf-8").splitlines()] == ids
    table = pq.read_table(seeds_all / "partnerships.parquet")
    assert table.column("partnership_id").to_pylist() == ids
    assert not table.schema.field("partnership_id").nullable


def test_the_link_table_holds_the_partnerships_project_ids(seeds_all):
    records = json.loads((seeds_all / "partnerships.json").read_text(encoding="utf-8"))
    expected = [{"partnership_id": p["partnership_id"], "project_id": pid} for p in records for pid in p["project_ids"]]
    assert expected
    with open(seeds_all / "partnership_projects.csv", newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert tuple(reader.fieldnames) == LINK_FIELDS
        assert list(reader) == expected
    table = pq.read_table(seeds_all / "partnership_projects.parquet")
    assert table.to_pylist() == expected and table.column_names == list(LINK_FIELDS)
    project_ids = {p["record_id"] for p in json.loads((seeds_all / "projects.json").read_text(encoding="utf-8"))}
    assert {row["project_id"] for row in expected} <= project_ids


# ------------------------------------------------------------------ --package-meta

META_YAML = """\
title: Kommunala partnerskap, vårens insamling
description: Projekt och partnerskap ur kommunernas webbsidor.
version: "2026.1"
created: "2026-05-04T08:00:00Z"
keywords: [ICLD, kommunala partnerskap]
licenses:
  - name: CC-BY-4.0
    path: https://creativecommons.org/licenses/by/4.0/
    title: Creative Commons Attribution 4.0
contributors:
  - title: Stina Arkivarie
    roles: [curator]
sources:
  - title: Kommunernas webbsidor, april 2026
archive_shelf: B-12
resources: [not, the, tool's]
kp_extract: {version: forged}
"""


def test_package_meta_flows_in_and_survives_a_second_run(tmp_path, cache):
    meta_file = tmp_path / "meta.yaml"
    meta_file.write_text(META_YAML, encoding="utf-8")
    out = tmp_path / "out"
    for _ in range(2):  # the second run writes over the first, with every page from the cache
        result = runner.invoke(app, ["run", str(RAW), "--out", str(out), "--cache", str(cache), "--workers", "1",
                                     "--quiet", "--format", "csv,json,xlsx", "--package-meta", str(meta_file)])
        assert result.exit_code == 0, result.output
        pkg = package(out)
        assert pkg["title"] == "Kommunala partnerskap, vårens insamling"
        assert pkg["version"] == "2026.1" and pkg["created"] == "2026-05-04T08:00:00Z"
        assert pkg["licenses"][0]["name"] == "CC-BY-4.0" and pkg["contributors"][0]["roles"] == ["curator"]
        assert pkg["keywords"] == ["ICLD", "kommunala partnerskap"] and pkg["archive_shelf"] == "B-12"
        assert pkg["$schema"] == PACKAGE_PROFILE and pkg["name"] == "kp-extract-records"
        # the resources and the provenance stay the tool's
        assert [r["name"] for r in pkg["resources"]][:3] == ["projects", "partnerships", LINK_STEM]
        assert pkg["kp_extract"]["version"] != "forged" and pkg["kp_extract"]["inputs"]
        assert frictionless_cli(out).returncode == 0
    first = (out / "datapackage.json").read_bytes()
    runner.invoke(app, ["run", str(RAW), "--out", str(out), "--cache", str(cache), "--workers", "2", "--quiet",
                        "--format", "csv,json,xlsx", "--package-meta", str(meta_file)])
    assert (out / "datapackage.json").read_bytes() == first


def test_package_meta_as_json_is_the_same_as_yaml(tmp_path):
    (tmp_path / "meta.yaml").write_text(META_YAML, encoding="utf-8")
    from_yaml = load_package_meta(tmp_path / "meta.yaml")
    (tmp_path / "meta.json").write_text(json.dumps(from_yaml, ensure_ascii=False), encoding="utf-8")
    assert load_package_meta(tmp_path / "meta.json") == from_yaml


@pytest.mark.parametrize("name, text, word", [
    ("meta.yaml", None, "cannot read"),                                   # no such file
    ("meta.yaml", "title: [unclosed\n", "not valid YAML"),
    ("meta.json", '{"title": "x",}', "not valid JSON"),
    ("meta.yaml", "- just\n- a list\n", "must be a mapping"),
    ("meta.yaml", "licenses: CC-BY-4.0\n", "licenses"),                  # a list of objects
    ("meta.yaml", "version: 1.0\n", "version"),                           # a number: quote it
    ("meta.yaml", "contributors:\n  - roles: [author]\n", "contributors"),  # a contributor without a name
    ("meta.yaml", "created: 2026-05-04\n", "created"),                    # a date without time and offset
    ("meta.yaml", b"title: \xff\xfe\n", "cannot read"),                   # not UTF-8
])
def test_a_bad_package_meta_file_is_a_usage_error_before_any_page_is_read(name, text, word, tmp_path):
    meta_file = tmp_path / name
    if isinstance(text, bytes):
        meta_file.write_bytes(text)
    elif text is not None:
        meta_file.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(RAW), "--out", str(out), "--no-cache", "--package-meta", str(meta_file)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and word in lines[0] and str(meta_file) in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()  # nothing was read or written


# ------------------------------------------------------------------ xlsx

REGION = "Region Kronoberg"


def _records() -> tuple[list[Project], list[Partnership]]:
    project = Project(
        record_id="kp-0123456789abcdef", title="=HYPERLINK(\"http://x\") Vatten", swedish_partners=["Växjö kommun", REGION],
        swedish_partner_codes=["0780", "07"], international_partners=["JB Marks Local Municipality"],
        other_participants=[], countries=["ZA"], project_areas=[], themes=["Gender Equality"], sdgs=[5, 11],
        start_date="2023-05", end_date="2025", duration_years=1.5, amount_sek=450000, tags=[], languages=["sv"],
        summary="Ett påhittat projekt.", sources=[Source("a.txt", 3, 40), Source("b.txt", 0, 12)],
        possible_duplicates=[], confidence=0.875)
    pairs = [Partnership("Växjö kommun", "0780", "JB Marks Local Municipality", "ZA", 2005, [project.record_id],
                         [Source("a.txt", 3, 40)], 0.9, partnership_id="kp-p-00000000000000aa"),
             Partnership(REGION, "07", "JB Marks Local Municipality", "ZA", None, [project.record_id],
                         [Source("a.txt", 3, 40)], 0.9, partnership_id="kp-p-00000000000000bb")]
    return [project], pairs


def _sheet(book, name: str) -> list[list]:
    return [list(row) for row in book[name].iter_rows()]


def test_xlsx_keeps_codes_dates_and_ids_as_text(tmp_path):
    projects, pairs = _records()
    out = tmp_path / "out"
    written = write_outputs(out, projects, pairs, [], [], formats="xlsx")
    assert "records.xlsx" in written.files and not (out / "projects.csv").exists()
    book = openpyxl.load_workbook(out / "records.xlsx")
    assert book.sheetnames == ["projects", "partnerships", LINK_STEM]
    header, row = _sheet(book, "projects")
    assert [c.value for c in header] == list(PROJECT_FIELDS)
    cell = dict(zip(PROJECT_FIELDS, row))
    for name, value in (("record_id", "kp-0123456789abcdef"), ("swedish_partner_codes", "0780 | 07"),
                        ("start_date", "2023-05"), ("end_date", "2025"), ("sdgs", "5 | 11"),
                        ("sources", "a.txt:3-40 | b.txt:0-12"), ("title", "=HYPERLINK(\"http://x\") Vatten")):
        assert cell[name].value == value and isinstance(cell[name].value, str), name
        assert cell[name].number_format == "@" and cell[name].data_type == "s", name  # text, never a formula
    assert cell["amount_sek"].value == 450000 and cell["duration_years"].value == 1.5
    assert cell["confidence"].value == 0.875
    header, *rows = _sheet(book, "partnerships")
    assert [c.value for c in header] == list(PARTNERSHIP_FIELDS)
    codes = [dict(zip(PARTNERSHIP_FIELDS, r))["swedish_partner_code"] for r in rows]
    assert [c.value for c in codes] == ["0780", "07"] and all(c.number_format == "@" for c in codes)
    assert [[c.value for c in r] for r in _sheet(book, LINK_STEM)] == [
        list(LINK_FIELDS), ["kp-p-00000000000000aa", "kp-0123456789abcdef"],
        ["kp-p-00000000000000bb", "kp-0123456789abcdef"]]


def test_xlsx_is_byte_identical_twice(tmp_path):
    projects, pairs = _records()
    write_outputs(tmp_path / "a", projects, pairs, [], [], formats="xlsx")
    write_outputs(tmp_path / "b", projects, pairs, [], [], formats="xlsx", side_process=True)
    assert (tmp_path / "a" / "records.xlsx").read_bytes() == (tmp_path / "b" / "records.xlsx").read_bytes()


def test_xlsx_without_openpyxl_is_a_usage_error(tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "openpyxl" else real(name, *a))
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(RAW), "--out", str(out), "--no-cache", "--format", "csv,xlsx"])
    assert result.exit_code == 2 and "kp_extract[xlsx]" in result.stderr and not out.exists()


def test_the_readme_pandas_example_keeps_codes_as_strings(seeds_all):
    codes = {"swedish_partner_codes": str, "start_date": str, "end_date": str}
    projects = pd.read_csv(seeds_all / "projects.csv", dtype=codes, keep_default_na=False)
    assert "0780 | 0765" in set(projects["swedish_partner_codes"])
    pairs = pd.read_csv(seeds_all / "partnerships.csv", dtype={"swedish_partner_code": str})
    assert "0780" in set(pairs["swedish_partner_code"])
