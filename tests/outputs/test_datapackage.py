"""datapackage.json (issue 6): a Frictionless package that frictionless validates (rows included),
with hashes of every output and input file, byte-identical across runs, worker counts and cache hits."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
from pathlib import Path

import frictionless
import pytest

from kp_extract import __version__
from kp_extract.run import pipeline
from kp_extract.run.cache import fingerprint
from kp_extract.outputs.csv import CSV_DIALECTS, LIST_SEPARATOR, csv_writer
from kp_extract.outputs.datapackage import SOURCE_OFFSETS, input_label, input_location
from kp_extract.outputs.records import LINK_FIELDS, LINK_STEM, PARTNERSHIP_FIELDS, PROJECT_FIELDS
from kp_extract.outputs.schema import table_schema
from tests.conftest import RAW, ROOT

FIELDS = {"projects": PROJECT_FIELDS, "partnerships": PARTNERSHIP_FIELDS, LINK_STEM: LINK_FIELDS}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def package(out: Path) -> dict:
    return json.loads((out / "datapackage.json").read_text(encoding="utf-8"))


def validate(out: Path) -> frictionless.Report:
    """frictionless.validate on out/datapackage.json (relative paths resolve against the cwd)."""
    cwd = os.getcwd()
    os.chdir(out)
    try:
        return frictionless.validate("datapackage.json")
    finally:
        os.chdir(cwd)


def errors(report: frictionless.Report) -> list[str]:
    return [e for row in report.flatten(["type"]) for e in row]


@pytest.fixture(scope="module", params=["rfc4180", "excel-sv"])
def seeds_run(request, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp(f"dp-{request.param}")
    pipeline.run(RAW, out, workers=1, csv_dialect=request.param)
    return out


def test_table_schemas_match_the_export_fields():
    for stem, fields in FIELDS.items():
        schema = table_schema(stem)
        assert [f["name"] for f in schema["fields"]] == list(fields)
        assert all(f["delimiter"] == LIST_SEPARATOR for f in schema["fields"] if f["type"] == "list")
        assert schema["missingValues"] == [""]
    assert table_schema("projects")["primaryKey"] == ["record_id"]
    assert table_schema("partnerships")["primaryKey"] == ["partnership_id"]
    assert table_schema(LINK_STEM)["primaryKey"] == ["partnership_id", "project_id"]


def test_frictionless_validates_the_seeds_package_and_reads_every_row(seeds_run):
    report = validate(seeds_run)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = {task.name: task.stats["rows"] for task in report.tasks if task.type == "table"}
    partnerships = json.loads((seeds_run / "partnerships.json").read_text(encoding="utf-8"))
    for stem in ("projects", "partnerships"):
        assert rows[stem] == len(json.loads((seeds_run / f"{stem}.json").read_text(encoding="utf-8"))) > 0
    assert rows[LINK_STEM] == sum(len(p["project_ids"]) for p in partnerships) > 0


def test_package_describes_the_csv_files(seeds_run):
    pkg = package(seeds_run)
    options = pkg["kp_extract"]["options"]
    assert pkg["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json" and "profile" not in pkg
    assert pkg["version"] == __version__
    assert [r["name"] for r in pkg["resources"]] == ["projects", "partnerships", LINK_STEM, "projects-json",
                                                     "partnerships-json", "pages"]
    excel = options["csv_dialect"] == "excel-sv"
    for res in pkg["resources"][:3]:
        assert res["type"] == "table" and "profile" not in res
        path = seeds_run / res["path"]
        assert res["path"].endswith(".csv")
        assert res["bytes"] == path.stat().st_size and res["hash"] == "sha256:" + sha256(path)
        assert res["dialect"]["delimiter"] == (";" if excel else ",")
        assert res["dialect"]["lineTerminator"] == "\r\n"
        assert res["encoding"] == ("utf-8-sig" if excel else "utf-8")
        assert res["schema"] == table_schema(res["name"])
        duration = [f for f in res["schema"]["fields"] if f["name"] == "duration_years"]
        assert all(f["decimalChar"] == "." for f in duration)


def test_provenance(seeds_run):
    prov = package(seeds_run)["kp_extract"]
    assert prov["version"] == __version__ and prov["fingerprint"] == fingerprint()
    assert prov["options"]["formats"] == ["csv", "json"] and prov["options"]["include_contacts"] is False
    # relative to the output folder when they share a folder other than the root (a clone under /tmp),
    # else absolute; either way it opens the seeds from the output folder
    assert prov["input"] == input_location(RAW, seeds_run)
    assert (seeds_run / prov["input"]).resolve() == RAW.resolve()
    assert "HTML" in prov["source_offsets"] and prov["source_offsets"] == SOURCE_OFFSETS
    raw_files = sorted(RAW.glob("*.txt"))
    assert prov["inputs"] == [{"path": p.name, "sha256": sha256(p)} for p in raw_files]
    outputs = {o["path"]: o for o in prov["outputs"]}
    assert set(outputs) == {"blocks.jsonl", "errors.jsonl", "candidates.jsonl"}  # the record files are resources
    for name, entry in outputs.items():
        assert entry["bytes"] == (seeds_run / name).stat().st_size
        assert entry["hash"] == "sha256:" + sha256(seeds_run / name)


def test_no_absolute_paths_or_times_when_input_and_output_share_a_folder(tmp_path):
    # issue 15: the input's location is recorded relative to the output folder, so that report and
    # inspect find the pages from anywhere; absolute (the only machine path written) only when the
    # two have no common folder but the root (test_provenance)
    crawl = tmp_path / "crawl" / "2024"
    shutil.copytree(RAW, crawl)
    out = tmp_path / "runs" / "out"
    pipeline.run(crawl, out, workers=1)
    text = (out / "datapackage.json").read_text(encoding="utf-8")
    for path in (str(tmp_path), str(ROOT), str(Path.home()), "/tmp/"):
        assert path not in text
    assert package(out)["kp_extract"]["input"] == "../../crawl/2024"
    assert (out / "../../crawl/2024").resolve() == crawl.resolve()
    assert input_label(RAW) == "raw" and input_label(Path("crawl/2024")) == "crawl/2024"


def test_input_location(tmp_path):
    (tmp_path / "raw").mkdir()
    (tmp_path / "a" / "out").mkdir(parents=True)
    assert input_location(tmp_path / "raw", tmp_path / "a" / "out") == "../../raw"
    assert input_location(tmp_path / "a" / "out" / "in", tmp_path / "a" / "out") == "in"
    assert input_location(tmp_path / "raw", tmp_path / "raw") == "."
    # symlinks are followed: out/location must open the folder the run read
    (tmp_path / "link").symlink_to(tmp_path / "a")
    assert input_location(tmp_path / "raw", tmp_path / "link" / "out") == "../../raw"
    assert input_location("/srv/crawl", "/home/me/out") == "/srv/crawl"


def test_byte_identical_across_runs_workers_and_cache(seeds_run, tmp_path):
    dialect = package(seeds_run)["kp_extract"]["options"]["csv_dialect"]
    expected = (seeds_run / "datapackage.json").read_bytes()
    cache = tmp_path / "cache"
    for i, workers in enumerate((2, 2, 1)):  # cold cache, warm cache (all hits), serial with hits
        out = tmp_path / f"out{i}"
        summary = pipeline.run(RAW, out, workers=workers, cache_dir=cache, csv_dialect=dialect)
        assert summary.cache_hits == (0 if i == 0 else 5)
        # the same bytes but for where the input is seen from: each output folder records it from itself
        here = json.dumps(input_location(RAW, out)).encode()
        there = json.dumps(input_location(RAW, seeds_run)).encode()
        assert (out / "datapackage.json").read_bytes() == expected.replace(there, here)


def _corrupt(out: Path, dest: Path, edit, rehash: bool = True) -> Path:
    """A copy of out with projects.csv edited; with rehash the package's bytes/hash follow the edit,
    so that only the rows can make validation fail."""
    shutil.copytree(out, dest)
    path = dest / "projects.csv"
    path.write_bytes(edit(path.read_bytes()))
    if rehash:
        pkg = package(dest)
        res = pkg["resources"][0]
        res["bytes"], res["hash"] = path.stat().st_size, "sha256:" + sha256(path)
        (dest / "datapackage.json").write_text(json.dumps(pkg, ensure_ascii=False, indent=1), encoding="utf-8")
    return dest


def _rewrite_rows(data: bytes, edit) -> bytes:
    """data (a CSV of either dialect) with its rows (header first) passed through edit."""
    bom = data.startswith(b"\xef\xbb\xbf")
    dialect = CSV_DIALECTS["excel-sv" if bom else "rfc4180"]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=dialect.delimiter))
    buf = io.StringIO(newline="")
    csv_writer(buf, dialect).writerows(edit(rows))
    return buf.getvalue().encode("utf-8")


def _first_row_cell(data: bytes, field: str, value: str) -> bytes:
    """data with the first data row's cell of field replaced by value."""
    def edit(rows):
        rows[1][rows[0].index(field)] = value
        return rows

    return _rewrite_rows(data, edit)


@pytest.mark.parametrize("field, value, error", [
    ("record_id", "not-an-id", "constraint-error"),   # pattern
    ("record_id", "", "constraint-error"),            # required
    ("sdgs", "5 | five", "type-error"),               # list of integers
    ("amount_sek", "1 000", "type-error"),            # integer, no thousands separators
    ("start_date", "23 May", "constraint-error"),     # pattern
])
def test_corrupted_rows_fail_validation(seeds_run, tmp_path, field, value, error):
    bad = _corrupt(seeds_run, tmp_path / "bad", lambda data: _first_row_cell(data, field, value))
    report = validate(bad)
    assert not report.valid
    assert error in errors(report)


def test_duplicate_record_id_fails_validation(seeds_run, tmp_path):
    bad = _corrupt(seeds_run, tmp_path / "dup", lambda data: _rewrite_rows(data, lambda rows: rows + rows[1:2]))
    report = validate(bad)
    assert not report.valid and {"primary-key", "unique-error"} & set(errors(report))


def test_rewriting_unchanged_rows_stays_valid(seeds_run, tmp_path):
    """The corruption helpers change only what they are told to (so the failures above are the edits')."""
    same = _corrupt(seeds_run, tmp_path / "same", lambda data: _rewrite_rows(data, lambda rows: rows))
    assert (same / "projects.csv").read_bytes() == (seeds_run / "projects.csv").read_bytes()
    assert validate(same).valid


def test_changed_file_fails_the_hash_check(seeds_run, tmp_path):
    def swap(rows):  # the first two records change places: same size, every row still valid
        return rows[:1] + rows[2:3] + rows[1:2] + rows[3:]

    bad = _corrupt(seeds_run, tmp_path / "changed", lambda data: _rewrite_rows(data, swap), rehash=False)
    assert (bad / "projects.csv").stat().st_size == (seeds_run / "projects.csv").stat().st_size
    report = validate(bad)
    assert not report.valid and "hash-count" in errors(report)


def test_without_csv_the_package_lists_the_record_files(tmp_path):
    out = tmp_path / "out"
    pipeline.run(RAW, out, workers=1, formats="jsonl,parquet")
    pkg = package(out)
    assert pkg["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json" and "profile" not in pkg
    assert [r["path"] for r in pkg["resources"]] == ["projects.jsonl", "projects.parquet", "partnerships.jsonl",
                                                     "partnerships.parquet", "partnership_projects.parquet",
                                                     "pages.csv"]
    for res in pkg["resources"][:-1]:
        assert res["type"] == "file" and res["hash"] == "sha256:" + sha256(out / res["path"])
    assert validate(out).valid
    (out / "projects.parquet").write_bytes((out / "projects.parquet").read_bytes() + b"x")
    assert not validate(out).valid


def test_bad_files_are_listed_with_the_hash_of_their_bytes(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(sorted(RAW.glob("*.txt"))[0], folder / "a.txt")
    (folder / "b.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (folder / "c.txt").write_bytes(b"")
    out = tmp_path / "out"
    summary = pipeline.run(folder, out, workers=1)
    assert summary.pages_skipped == 2
    inputs = package(out)["kp_extract"]["inputs"]
    assert inputs == [{"path": n, "sha256": sha256(folder / n)} for n in ("a.txt", "b.txt", "c.txt")]
    assert validate(out).valid


def test_contacts_files_are_listed_when_written(tmp_path):
    out = tmp_path / "out"
    pipeline.run(RAW, out, workers=1, include_contacts=True)
    prov = package(out)["kp_extract"]
    assert prov["options"]["include_contacts"] is True
    assert {"contacts.json", "contacts.csv"} <= {o["path"] for o in prov["outputs"]}
