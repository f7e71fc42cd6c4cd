"""End to end on the sample input (raw/): accuracy floors, schema, determinism."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kp_extract.outputs.schema import validate_records
from kp_extract.run.pipeline import run
from kp_extract.review.evaluate import evaluate

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "raw"
GOLD = ROOT / "tests" / "fixtures" / "seeds.gold.json"
OUTPUTS = ["projects.json", "projects.csv", "partnerships.json", "partnerships.csv", "blocks.jsonl"]


@pytest.fixture(scope="module")
def seeds_output(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seeds")
    run(RAW, out)
    return out


def test_writes_every_output(seeds_output: Path) -> None:
    for name in OUTPUTS:
        assert (seeds_output / name).stat().st_size > 0, name


def test_seeds_meet_the_accuracy_floors(seeds_output: Path) -> None:
    report = evaluate(seeds_output, GOLD)
    field_f1, record_f1, partnership_f1 = report.overall.f1, report.records.f1, report.partnerships.f1
    detail = "\n".join(report.misses)
    assert field_f1 >= 0.98, detail
    assert record_f1 >= 0.98, detail
    assert partnership_f1 >= 0.98, detail


def test_output_validates_against_the_schemas(seeds_output: Path) -> None:
    projects = json.loads((seeds_output / "projects.json").read_text(encoding="utf-8"))
    partnerships = json.loads((seeds_output / "partnerships.json").read_text(encoding="utf-8"))
    assert projects and partnerships
    assert validate_records(projects, partnerships) == []


def test_sources_point_inside_their_files(seeds_output: Path) -> None:
    projects = json.loads((seeds_output / "projects.json").read_text(encoding="utf-8"))
    for p in projects:
        for s in p["sources"]:
            text = (RAW / s["file"]).read_text(encoding="utf-8")
            assert 0 <= s["start"] < s["end"] <= len(text)


def test_every_block_fed_a_record_or_says_why(seeds_output: Path) -> None:
    rows = [json.loads(line) for line in (seeds_output / "blocks.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows
    for row in rows:
        assert row["record_ids"] or row.get("reason"), row


def test_two_runs_are_byte_identical(seeds_output: Path, tmp_path: Path) -> None:
    run(RAW, tmp_path)
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() == (seeds_output / name).read_bytes(), name


def test_blocks_of_a_page_with_no_project_say_what_page_it_is(tmp_path: Path) -> None:
    pages = tmp_path / "in"
    pages.mkdir()
    (pages / "call.txt").write_text(
        "Utlysning 2025\n\nNu öppnar ansökningsomgången för kommunala partnerskap. Sista dag för ansökan är "
        "15 mars. Svenska kommuner och regioner kan söka medel för förstudier.\n", encoding="utf-8")
    run(pages, tmp_path / "out")
    rows = [json.loads(line) for line in (tmp_path / "out" / "blocks.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows and all(row["reason"] == "page gives no project: call for applications" for row in rows)
    assert json.loads((tmp_path / "out" / "projects.json").read_text(encoding="utf-8")) == []


def test_a_plugged_in_pipeline_is_used_and_a_missing_one_is_a_clear_error(tmp_path: Path, seeds_output: Path,
                                                                             monkeypatch) -> None:
    import spacy
    from typer.testing import CliRunner

    from kp_extract.lexicon import partners
    from kp_extract.cli import app

    nlp = spacy.blank("sv")
    nlp.to_disk(tmp_path / "pipeline")
    monkeypatch.delenv(partners.MODEL_ENV, raising=False)
    runner = CliRunner()
    try:
        partners.reset_caches()
        got = runner.invoke(app, ["run", str(RAW), "--out", str(tmp_path / "out"), "--workers", "1",
                                  "--no-cache", "--quiet", "--spacy-model", str(tmp_path / "pipeline")])
        assert got.exit_code == 0, got.output
        # the same tokenizer rules as the blank pipeline: the same records
        assert (tmp_path / "out" / "projects.json").read_bytes() == (seeds_output / "projects.json").read_bytes()
        partners.reset_caches()
        bad = runner.invoke(app, ["run", str(RAW), "--out", str(tmp_path / "bad"), "--workers", "1", "--no-cache",
                                  "--quiet", "--spacy-model", str(tmp_path / "missing")])
        assert bad.exit_code != 0
        assert "not installed" in bad.output
    finally:
        import os
        os.environ.pop(partners.MODEL_ENV, None)
        partners.reset_caches()


@pytest.mark.parametrize("workers", [1, 2])
def test_the_spacy_model_reaches_the_workers_in_the_run_options(tmp_path, workers, monkeypatch):
    """--spacy-model travels in RunOptions, not in the environment: a model that is not there fails
    every page in the workers too, and the run leaves the process's own choice as it was."""
    from kp_extract.lexicon import partners
    from kp_extract.run import pipeline

    monkeypatch.delenv(partners.MODEL_ENV, raising=False)
    missing = str(tmp_path / "no-such-pipeline")
    summary = pipeline.run(RAW, tmp_path / "out", workers=workers, spacy_model=missing)
    assert summary.pages_read == 0 and len(summary.errors) == 5
    assert all(missing in e.reason and "not installed" in e.reason for e in summary.errors)
    assert partners.MODEL_ENV not in os.environ and partners._chosen_model is None
    assert pipeline.run(RAW, tmp_path / "plain", workers=workers).pages_read == 5  # back to the blank one
