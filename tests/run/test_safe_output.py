"""Issue 15: nothing lost on failure, files not read named, pages.csv, a stale report removed.

A good output folder stays byte-identical through a run that reads no page or fails before or
during its export; every file of the input folder is either read or listed with a reason."""
from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path

import frictionless
import pytest
from typer.testing import CliRunner

from kp_extract.cli import app
from kp_extract.outputs import datapackage, writer
from kp_extract.outputs.schema import table_schema
from kp_extract.outputs.writer import PAGE_FIELDS, STAGING_PREFIX
from kp_extract.review.report import write_report
from kp_extract.run import pipeline, summary as run_summary
from kp_extract.stages.s1_read import walk_input

runner = CliRunner()

# Invented pages: one that names a partnership and a project, one that names nobody abroad.
PARTNER_PAGE = (
    "Växjö kommun och JB Marks\n\n"
    "Svensk partner: Växjö kommun\n\n"
    "Projekt: Jämställd ledning i Växjö och JB Marks\n\n"
    "Växjö kommun har sedan 2005 ett partnerskap med JB Marks Local Municipality i Sydafrika. "
    "Projektet Jämställd ledning pågår 2023-2025 och handlar om jämställdhet.\n"
)
NO_PAIR_PAGE = "Om oss\n\nBiblioteket har öppet alla vardagar. Välkommen in och låna en bok.\n"


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file under folder but the per-page cache, by relative path."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".cache" not in p.parts}


@pytest.fixture
def pages(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_partner.txt").write_text(PARTNER_PAGE, encoding="utf-8")
    (folder / "b_nothing.txt").write_text(NO_PAIR_PAGE, encoding="utf-8")
    return folder


@pytest.fixture
def good_output(tmp_path, pages) -> tuple[Path, dict[str, str]]:
    """A complete output folder (with a review report in it) and the hashes of its files."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(pages), "--out", str(out), "-w", "1", "-q", "--report"])
    assert result.exit_code == 0, result.stderr
    files = snapshot(out)
    assert {"projects.json", "pages.csv", "datapackage.json", "report.html"} <= set(files)
    assert json.loads((out / "projects.json").read_text(encoding="utf-8")), "the fixture page gives a project"
    return out, files


def no_staging_left(out: Path) -> bool:
    return not [p for p in out.iterdir() if p.name.startswith(STAGING_PREFIX) or p.name.endswith(".tmp")]


# ------------------------------------------------------------------ nothing lost on failure

def test_empty_input_leaves_the_output_as_it_was(tmp_path, good_output):
    out, before = good_output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["run", str(empty), "--out", str(out), "-w", "1"])
    assert result.exit_code == 2
    assert "no page file in the input folder" in result.stderr and "nothing written" in result.stderr
    assert snapshot(out) == before and no_staging_left(out)


def test_unreadable_input_leaves_the_output_as_it_was(tmp_path, good_output):
    out, before = good_output
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (bad / "empty.txt").write_bytes(b"")
    result = runner.invoke(app, ["run", str(bad), "--out", str(out), "-w", "1"])
    assert result.exit_code == 2
    assert "no page could be read" in result.stderr
    assert "skipped image.txt (read): binary content" in result.stderr
    assert snapshot(out) == before and no_staging_left(out)


def test_a_run_that_reads_no_page_creates_no_folder(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    summary = pipeline.run(empty, tmp_path / "new", workers=1)
    assert summary.output_written is False and summary.not_written_reason == "no page file in the input folder"
    assert not (tmp_path / "new").exists()


def _fail(*args, **kwargs):
    raise RuntimeError("injected failure")


@pytest.mark.parametrize("where", ["dedupe", "write_jsonl", "write_pages", "write_datapackage"])
def test_a_failure_before_or_in_the_export_leaves_the_output_as_it_was(where, monkeypatch, pages, good_output):
    out, before = good_output
    (pages / "c_more.txt").write_text(PARTNER_PAGE.replace("2005", "2007"), encoding="utf-8")  # a new output
    target = writer if where == "write_jsonl" else pipeline  # write_jsonl: blocks.jsonl, mid-export
    monkeypatch.setattr(target, where, _fail)
    with pytest.raises(RuntimeError, match="injected failure"):
        pipeline.run(pages, out, workers=1, cache_dir=None)
    assert snapshot(out) == before and no_staging_left(out)


def test_cli_says_nothing_was_written_when_the_run_fails(monkeypatch, pages, good_output):
    out, before = good_output
    monkeypatch.setattr(pipeline, "write_datapackage", _fail)
    result = runner.invoke(app, ["run", str(pages), "--out", str(out), "-w", "1", "--no-cache"])
    assert result.exit_code == 2
    assert f"nothing written: {out} is as it was before the run" in result.stderr
    assert snapshot(out) == before


def test_staging_folder_of_a_dead_run_is_removed_and_a_live_ones_kept(tmp_path, pages):
    out = tmp_path / "out"
    out.mkdir()
    dead = out / f"{STAGING_PREFIX}999999999-abc"  # no such process
    dead.mkdir()
    (dead / ".projects.json.0a.tmp").write_text("half", encoding="utf-8")
    live = out / f"{STAGING_PREFIX}1-abc"  # pid 1 is always running: another run's folder
    live.mkdir()
    pipeline.run(pages, out, workers=1)
    assert not dead.exists() and live.is_dir()


# ------------------------------------------------------------------ --spacy-model

def test_missing_spacy_model_is_a_usage_error_before_any_page_is_read(tmp_path, pages, monkeypatch):
    def no_run(*args, **kwargs):
        raise AssertionError("the pipeline ran")

    monkeypatch.setattr(pipeline, "run", no_run)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(pages), "--out", str(out), "--spacy-model", "xx_no_such_model_sm"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "xx_no_such_model_sm" in lines[0] and "not installed" in lines[0]
    assert not out.exists()
    monkeypatch.setenv("KP_EXTRACT_SPACY_MODEL", str(tmp_path))  # a folder that is no pipeline
    result = runner.invoke(app, ["run", str(pages), "--out", str(out)])
    assert result.exit_code == 2 and "no config.cfg" in result.stderr and "KP_EXTRACT_SPACY_MODEL" in result.stderr


# ------------------------------------------------------------------ files not read

def test_walk_lists_files_not_read_but_not_hidden_ones_or_the_output_folder(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / ".git").mkdir()
    (folder / "out").mkdir()
    for name in ("a.txt", "b.HTML", "sub/c.htm", "report.pdf", "sub/photo.png", "notes.md", "README",
                 ".hidden.pdf", ".git/HEAD", "out/projects.json", "out/report.html"):
        (folder / name).write_bytes(b"x")
    listing = walk_input(folder, exclude=folder / "out")
    rel = lambda paths: [p.relative_to(folder).as_posix() for p in paths]  # noqa: E731
    assert rel(listing.files) == ["a.txt", "b.HTML", "sub/c.htm"]
    assert rel(listing.not_read) == ["README", "notes.md", "report.pdf", "sub/photo.png"]


def test_summary_names_the_files_not_read():
    files = ["a.pdf", "b.pdf", "c.png", "d.pdf", "e.docx", "f.md", "g.pdf"]
    assert run_summary.not_read_text(files[:3]) == "3 files (2 .pdf, 1 .png): a.pdf, b.pdf, c.png"
    text = run_summary.not_read_text(files)
    assert text.startswith("7 files (4 .pdf, 1 .docx, 1 .md, 1 .png): a.pdf, b.pdf, c.png, d.pdf, e.docx, …")


def test_files_not_read_are_in_the_summary_and_pages_csv(tmp_path, pages):
    (pages / "brochure.pdf").write_bytes(b"%PDF-1.4\n")
    (pages / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (pages / ".DS_Store").write_bytes(b"junk")
    out = pages / "out"  # inside the input folder: its own files are not counted
    runner.invoke(app, ["run", str(pages), "--out", str(out), "-w", "1"])
    result = runner.invoke(app, ["run", str(pages), "--out", str(out), "-w", "1"])
    assert result.exit_code == 0, result.stderr
    assert "not read" in result.stderr and "2 files (1 .pdf, 1 .png): brochure.pdf, logo.png" in result.stderr
    rows = {r["file"]: r for r in read_pages_csv(out)}
    assert rows["brochure.pdf"]["reason"].startswith("not read: a .pdf file")
    assert rows["logo.png"]["reason"].startswith("not read: a .png file")
    assert not [f for f in rows if f.startswith(("out/", ".DS"))]


# ------------------------------------------------------------------ pages.csv

def read_pages_csv(out: Path) -> list[dict]:
    with open(out / "pages.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_pages_csv_has_a_row_per_file_with_why_it_gave_no_record(tmp_path, pages):
    (pages / "c_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (pages / "d_empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    summary = pipeline.run(pages, out, workers=1)
    with open(out / "pages.csv", encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == list(PAGE_FIELDS)
    rows = {r["file"]: r for r in read_pages_csv(out)}
    assert list(rows) == ["a_partner.txt", "b_nothing.txt", "c_binary.txt", "d_empty.txt"]
    found = rows["a_partner.txt"]
    assert found["sha256"] == hashlib.sha256(PARTNER_PAGE.encode()).hexdigest()
    assert found["language"] == "sv" and int(found["blocks"]) > 0 and int(found["candidates"]) > 0
    assert int(found["records"]) >= 1 and int(found["partnerships"]) >= 1 and found["reason"] == ""
    assert rows["b_nothing.txt"]["records"] == "0" and rows["b_nothing.txt"]["reason"].startswith("no pair found")
    assert rows["c_binary.txt"]["reason"] == "read error: binary content (PNG image)"
    assert rows["d_empty.txt"]["reason"] == "read error: empty file (no text)"
    assert summary.pages_no_record == 3
    assert "pages with no record" in dict(run_summary.summary_rows(summary))


def test_pages_below_the_threshold_say_so(tmp_path, pages):
    out = tmp_path / "out"
    pipeline.run(pages, out, workers=1, min_confidence=1.0)
    reason = {r["file"]: r["reason"] for r in read_pages_csv(out)}["a_partner.txt"]
    assert reason.startswith("all below the confidence threshold 1 (best score 0.")


def test_pages_csv_is_a_resource_of_the_datapackage_that_validates(tmp_path, pages):
    out = tmp_path / "out"
    pipeline.run(pages, out, workers=1, formats="json")
    package = json.loads((out / datapackage.DATAPACKAGE).read_text(encoding="utf-8"))
    resource = [r for r in package["resources"] if r["name"] == "pages"]
    assert resource and resource[0]["path"] == "pages.csv" and resource[0]["schema"] == table_schema("pages")
    assert resource[0]["hash"] == "sha256:" + hashlib.sha256((out / "pages.csv").read_bytes()).hexdigest()
    assert [f["name"] for f in table_schema("pages")["fields"]] == list(PAGE_FIELDS)
    cwd = os.getcwd()
    os.chdir(out)
    try:
        report = frictionless.validate("datapackage.json")
    finally:
        os.chdir(cwd)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_report_lists_the_pages_that_gave_no_record(tmp_path, pages):
    (pages / "c_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    out = tmp_path / "out"
    pipeline.run(pages, out, workers=1, csv_dialect="excel-sv")
    html = write_report(out, pages).read_text(encoding="utf-8")
    section = html[html.index('<section id="no-record">'):]
    section = section[:section.index("</section>")]
    assert "Files that gave no record (2)" in section
    assert "<td>b_nothing.txt</td><td>no pair found" in section
    assert "<td>c_binary.txt</td><td>read error: binary content (PNG image)</td>" in section
    assert "a_partner.txt" not in section


# ------------------------------------------------------------------ a stale report

def test_a_run_without_report_removes_a_stale_report(tmp_path, good_output, pages):
    out, _ = good_output
    result = runner.invoke(app, ["run", str(pages), "--out", str(out), "-w", "1", "-q"])
    assert result.exit_code == 0, result.stderr
    assert not (out / "report.html").exists() and not (out / "report.sources").exists()
    result = runner.invoke(app, ["run", str(pages), "--out", str(out), "-w", "1", "-q", "--report"])
    assert result.exit_code == 0 and (out / "report.html").is_file() and (out / "report.sources").is_dir()
    result = runner.invoke(app, ["run", str(pages), "--out", str(out), "-w", "1", "-q"])
    assert result.exit_code == 0 and not (out / "report.sources").exists()  # the records' sources go too


def test_pages_csv_is_the_same_for_any_number_of_workers(tmp_path, pages):
    for name in ("c_more.txt", "d_more.txt", "e_more.txt"):
        (pages / name).write_text(PARTNER_PAGE.replace("2005", "2006"), encoding="utf-8")
    pipeline.run(pages, tmp_path / "one", workers=1)
    pipeline.run(pages, tmp_path / "two", workers=2)
    assert (tmp_path / "one" / "pages.csv").read_bytes() == (tmp_path / "two" / "pages.csv").read_bytes()
