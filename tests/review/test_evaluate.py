"""kp_extract.review.evaluate (`kp-extract evaluate`): the same numbers as the external scorer, and the
right numbers on small hand-made output/gold pairs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kp_extract.cli import app
from kp_extract.review.evaluate import FIELDS, EvaluationError, Score, evaluate, evaluate_records
from kp_extract.run.pipeline import run
from tests.tools import score as external

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
runner = CliRunner()


# ------------------------------------------------------------------ the same as score.py

@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """(output folder, gold file) of the seeds, the fixture pages, and a damaged copy of the seeds' output."""
    seeds = tmp_path_factory.mktemp("seeds")
    run(ROOT / "raw", seeds)
    pages = tmp_path_factory.mktemp("pages")
    run(FIXTURES / "pages", pages)
    damaged = tmp_path_factory.mktemp("damaged")
    projects = json.loads((seeds / "projects.json").read_text(encoding="utf-8"))
    partnerships = json.loads((seeds / "partnerships.json").read_text(encoding="utf-8"))
    del projects[::4]  # missing records
    for p in projects[::3]:  # wrong values, extra and missing list items
        p["start_date"], p["sdgs"], p["countries"] = "1999", p["sdgs"][1:] + [17], p["countries"] + ["XX"]
    projects.append(dict(projects[0], title="Invented record", swedish_partners=["Nowhere kommun"],
                         international_partners=["Atlantis"], sources=[]))  # an extra record
    del partnerships[::5]
    for p in partnerships[::2]:
        p["since_year"] = 1990
    (damaged / "projects.json").write_text(json.dumps(projects), encoding="utf-8")
    (damaged / "partnerships.json").write_text(json.dumps(partnerships), encoding="utf-8")
    return {"seeds": (seeds, FIXTURES / "seeds.gold.json"), "pages": (pages, FIXTURES / "pages.gold.json"),
            "damaged": (damaged, FIXTURES / "seeds.gold.json")}


def counts(c) -> tuple[int, int, int]:
    return (c.tp, c.fp, c.fn)


@pytest.mark.parametrize("name", ["seeds", "pages", "damaged"])
def test_same_numbers_as_the_external_scorer(outputs, name):
    out, gold = outputs[name]
    rec, per_field, total, part, since, misses, n_pred, n_gold = external.score(out, gold)
    report = evaluate(out, gold)
    assert counts(report.records) == counts(rec)
    assert {f: counts(s) for f, s in report.fields.items()} == {f: counts(c) for f, c in per_field.items()}
    assert counts(report.overall) == counts(total)
    assert counts(report.partnerships) == counts(part)
    assert counts(report.since_year) == counts(since)
    assert (report.overall.precision, report.overall.recall, report.overall.f1) == total.prf()
    assert report.records.f1 == rec.prf()[2] and report.partnerships.f1 == part.prf()[2]
    assert report.misses == misses
    assert (report.predicted, report.gold) == (n_pred, n_gold)


def test_the_damaged_output_scores_below_one(outputs):
    # the comparison above is only worth something if the damage shows
    report = evaluate(*outputs["damaged"])
    assert report.records.fp and report.records.fn
    assert report.fields["start_date"].fp and report.fields["sdgs"].fn and report.fields["countries"].fp
    assert report.partnerships.fn and report.since_year.fp
    assert report.overall.f1 < 0.95


def test_cli_prints_the_external_scorers_figures(outputs):
    out, gold = outputs["pages"]
    got = runner.invoke(app, ["evaluate", str(out), str(gold), "--json"])
    assert got.exit_code == 0, got.output
    data = json.loads(got.stdout)
    rec, per_field, total, part, since, _misses, _n_pred, _n_gold = external.score(out, gold)
    for name, c in [("records", rec), *per_field.items(), ("partnerships", part), ("partnership since_year", since)]:
        p, r, f = c.prf()
        assert data[name] == {"p": p, "r": r, "f1": f, "tp": c.tp, "fp": c.fp, "fn": c.fn}, name
    assert data["overall"] == dict(zip(("p", "r", "f1"), total.prf()))
    assert "misses" not in data


# ------------------------------------------------------------------ hand-made pairs

def project(title: str, sw: str, intl: str, **fields) -> dict:
    rec = {"title": title, "swedish_partners": [sw], "international_partners": [intl], "countries": ["KE"],
           "sdgs": [5], "start_date": "2021", "end_date": None, "sources": [{"file": "a.txt"}]}
    rec.update(fields)
    return rec


GOLD = [project("Clean water", "Växjö kommun", "Kisumu County"),
        project("Safe schools", "Umeå kommun", "Nakuru County", sdgs=[4, 16])]


def test_a_perfect_output_scores_one():
    report = evaluate_records(GOLD, GOLD)
    assert counts(report.records) == (2, 0, 0)
    assert report.overall.f1 == 1.0 and report.misses == []
    # per record: title, one partner each side, one country, start date, and the SDGs
    assert counts(report.overall) == (2 * 5 + 1 + 2, 0, 0)


def test_a_missing_record_costs_recall_only():
    report = evaluate_records(GOLD[:1], GOLD)
    assert counts(report.records) == (1, 0, 1)
    assert report.records.precision == 1.0 and report.records.recall == 0.5
    assert counts(report.fields["sdgs"]) == (1, 0, 2)
    assert counts(report.fields["title"]) == (1, 0, 1)
    assert counts(report.fields["end_date"]) == (0, 0, 0)  # null on both sides is not counted
    assert any(m.startswith("MISSING record Safe schools") for m in report.misses)


def test_a_wrong_field_is_one_false_positive_and_one_false_negative():
    preds = [GOLD[0], dict(GOLD[1], start_date="2020", countries=["KE", "UG"])]
    report = evaluate_records(preds, GOLD)
    assert counts(report.records) == (2, 0, 0)
    assert counts(report.fields["start_date"]) == (1, 1, 1)
    assert counts(report.fields["countries"]) == (2, 1, 0)
    assert "[Safe schools] start_date: got '2020', want '2021'" in report.misses
    assert report.fields["title"].f1 == 1.0


def test_an_extra_record_costs_precision_only():
    extra = project("Bee keeping", "Luleå kommun", "Gulu City", sdgs=[2, 15])
    report = evaluate_records(GOLD + [extra], GOLD)
    assert counts(report.records) == (2, 1, 0)
    assert counts(report.fields["sdgs"]) == (3, 2, 0)
    assert report.overall.recall == 1.0 and report.overall.precision < 1.0
    assert any(m.startswith("EXTRA record Bee keeping") for m in report.misses)


def test_names_are_compared_after_normalisation_and_unscored_fields_are_skipped():
    gold = [dict(GOLD[0], unscored=["start_date"])]
    pred = [dict(GOLD[0], title="CLEAN  WATER!", international_partners=["Kisumu County Government"],
                 start_date="1999")]
    report = evaluate_records(pred, gold)
    assert counts(report.fields["title"]) == (1, 0, 0)
    assert counts(report.fields["international_partners"]) == (1, 0, 0)
    assert counts(report.fields["start_date"]) == (0, 0, 0)


def test_partnerships_and_since_year():
    gold = [{"swedish_partner": "Växjö kommun", "international_partner": "Kisumu County", "since_year": 2010},
            {"swedish_partner": "Umeå kommun", "international_partner": "Nakuru", "since_year": None}]
    preds = [{"swedish_partner": "Växjö kommun", "international_partner": "Kisumu", "since_year": 2011},
             {"swedish_partner": "Luleå kommun", "international_partner": "Gulu", "since_year": None}]
    report = evaluate_records(GOLD, GOLD, preds, gold)
    assert counts(report.partnerships) == (1, 1, 1)
    assert counts(report.since_year) == (0, 1, 1)
    assert "MISSING partnership ('umeå kommun', 'nakuru')" in report.misses


def test_score_arithmetic():
    assert Score(3, 1, 0).precision == 0.75 and Score(3, 1, 0).recall == 1.0
    assert Score().f1 == 1.0  # nothing expected, nothing predicted
    assert Score(0, 2, 2).f1 == 0.0
    assert Score(1, 2, 3) + Score(1, 1, 1) == Score(2, 3, 4)


def test_fields_in_the_external_scorers_order():
    assert list(FIELDS) == external.FIELDS


# ------------------------------------------------------------------ files and the command

def write(folder: Path, projects, partnerships=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "projects.json").write_text(json.dumps(projects), encoding="utf-8")
    if partnerships is not None:
        (folder / "partnerships.json").write_text(json.dumps(partnerships), encoding="utf-8")
    return folder


def test_cli_table_and_misses(tmp_path):
    out = write(tmp_path / "out", GOLD[:1])
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps({"projects": GOLD}), encoding="utf-8")
    got = runner.invoke(app, ["evaluate", str(out), str(gold)])
    assert got.exit_code == 0, got.output
    lines = got.stdout.splitlines()
    assert lines[0].split() == ["field", "P", "R", "F1", "tp", "fp", "fn"]
    assert lines[1].split() == ["records", "1.000", "0.500", "0.667", "1", "0", "1"]
    assert lines[-1].startswith("overall field micro-F1 ")
    assert "records 1 predicted, 2 gold, record F1 0.667" in lines[-1]
    assert "MISSING" not in got.stdout
    shown = runner.invoke(app, ["evaluate", str(out), str(gold), "--show-misses"])
    assert "MISSING record Safe schools" in shown.stdout
    as_json = json.loads(runner.invoke(app, ["evaluate", str(out), str(gold), "--json", "--show-misses"]).stdout)
    assert as_json["records"]["fn"] == 1 and any("MISSING" in m for m in as_json["misses"])


def test_a_projects_json_file_is_accepted_as_output(tmp_path):
    out = write(tmp_path / "out", GOLD)
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps({"projects": GOLD}), encoding="utf-8")
    assert evaluate(out / "projects.json", gold).records == Score(2, 0, 0)


@pytest.mark.parametrize("case, message", [
    ("no output", "output not found"),
    ("no projects.json", "projects.json not found"),
    ("no gold", "gold file not found"),
    ("gold not JSON", "gold file is not valid JSON"),
    ("gold without projects", 'expected a JSON object with a "projects" array'),
    ("projects not records", "expected a JSON array of projects records"),
])
def test_bad_files_are_one_line_errors_with_exit_2(tmp_path, case, message):
    out = write(tmp_path / "out", GOLD)
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps({"projects": GOLD}), encoding="utf-8")
    if case == "no output":
        out = tmp_path / "nowhere"
    elif case == "no projects.json":
        (out / "projects.json").unlink()
    elif case == "no gold":
        gold = tmp_path / "missing.gold.json"
    elif case == "gold not JSON":
        gold.write_text('{"projects": [', encoding="utf-8")
    elif case == "gold without projects":
        gold.write_text("[]", encoding="utf-8")
    elif case == "projects not records":
        (out / "projects.json").write_text('{"projects": 3}', encoding="utf-8")
    with pytest.raises(EvaluationError, match=message.replace("(", r"\(")):
        evaluate(out, gold)
    got = runner.invoke(app, ["evaluate", str(out), str(gold)])
    assert got.exit_code == 2
    assert got.stdout == ""
    assert got.stderr.startswith("error: ") and message in got.stderr
    assert len(got.stderr.strip().splitlines()) == 1 and "Traceback" not in got.stderr
