"""review/diff.py (`kp-extract diff`, `run --compare`; issue 16, item 2): records new, gone and altered
between two outputs, matched by content, on small invented outputs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kp_extract.cli import app
from kp_extract.model import Partnership, Project, Source
from kp_extract.outputs.records import partnership_to_dict, project_to_dict
from kp_extract.outputs.writer import write_outputs
from kp_extract.review.diff import CHANGES_FORMAT, diff_outputs, diff_records, render_html, to_json
from tests.conftest import RAW

runner = CliRunner()


def project(record_id: str, title: str | None, swedish=("Växjö kommun",), codes=("0780",),
            abroad=("Kisumu County",), **fields) -> dict:
    values = dict(record_id=record_id, title=title, swedish_partners=list(swedish), swedish_partner_codes=list(codes),
                  international_partners=list(abroad), other_participants=[], countries=["KE"], project_areas=[],
                  themes=[], sdgs=[5], start_date="2019", end_date="2021", duration_years=3, amount_sek=None,
                  tags=[], languages=["en"], summary="", sources=[Source("a.txt", 0, 10)])
    values.update(fields)
    return project_to_dict(Project(**values))


def partnership(swedish: str, abroad: str, since: int | None = 2005, **fields) -> dict:
    values = dict(swedish_partner=swedish, swedish_partner_code="0780", international_partner=abroad, country="KE",
                  since_year=since, project_ids=[], sources=[Source("a.txt", 0, 10)])
    values.update(fields)
    return partnership_to_dict(Partnership(**values))


OLD_PROJECTS = [
    project("kp-0000000000000001", "Safe schools in Kisumu"),
    project("kp-0000000000000002", "Clean water for all", start_date="2019"),
    project("kp-0000000000000003", "Waste management pre-study", abroad=("Lviv City Council",), countries=["UA"]),
    project("kp-0000000000000004", None, swedish=("Falu kommun",), codes=("2080",), abroad=("Kolomyia",)),
]
OLD_PARTNERSHIPS = [
    partnership("Växjö kommun", "Kisumu County"),
    partnership("Växjö kommun", "Lviv City Council", country="UA"),
    partnership("Falu kommun", "Kolomyia", since=None, swedish_partner_code="2080", country="UA"),
]


def kinds(diff, kind):
    return getattr(diff, kind)


def test_reordered_records_are_no_change():
    diff = diff_records(OLD_PROJECTS, OLD_PROJECTS[::-1], OLD_PARTNERSHIPS, OLD_PARTNERSHIPS[::-1])
    assert not diff.changed
    assert diff.projects.counts() == {"new": 0, "gone": 0, "altered": 0, "unchanged": 4}
    assert diff.partnerships.counts() == {"new": 0, "gone": 0, "altered": 0, "unchanged": 3}


def test_new_gone_and_a_changed_year():
    new = [OLD_PROJECTS[3], dict(OLD_PROJECTS[1], start_date="2020"), OLD_PROJECTS[0],
           project("kp-00000000000000aa", "Green spaces", abroad=("Kakamega County",))]
    diff = diff_records(OLD_PROJECTS, new)
    assert [p["record_id"] for p in diff.projects.new] == ["kp-00000000000000aa"]
    assert [p["record_id"] for p in diff.projects.gone] == ["kp-0000000000000003"]
    (altered,) = diff.projects.altered
    assert altered.matched_by == "record_id"
    assert [(c.field, c.old, c.new) for c in altered.changes] == [("start_date", "2019", "2020")]
    assert diff.projects.unchanged == 2



def test_ignored_fields_do_not_make_a_record_altered():
    # a re-crawl: files renamed, offsets moved by new chrome, a confidence nudged; one record's year changed
    moved = [dict(p, sources=[{"file": "new_a.txt", "start": 40, "end": 50}], confidence=0.5) for p in OLD_PROJECTS]
    moved[1] = dict(moved[1], start_date="2020")
    assert len(diff_records(OLD_PROJECTS, moved).projects.altered) == 4
    diff = diff_records(OLD_PROJECTS, moved, ignore=["sources", "confidence"])
    (altered,) = diff.projects.altered
    assert [(c.field, c.old, c.new) for c in altered.changes] == [("start_date", "2019", "2020")]
    assert diff.projects.unchanged == 3
    with pytest.raises(ValueError, match="no such record field: sorces"):
        diff_records(OLD_PROJECTS, moved, ignore=["sorces"])


def test_cli_ignore_option(two_outputs):
    old, new = two_outputs
    plain = runner.invoke(app, ["diff", str(old), str(new), "--json"])
    ignoring = runner.invoke(app, ["diff", str(old), str(new), "--json", "--ignore", "sources,confidence",
                                   "--ignore", "start_date"])
    assert plain.exit_code == ignoring.exit_code == 0, ignoring.output
    # the one change between the two outputs is a start date
    assert json.loads(plain.stdout)["counts"]["projects"]["altered"] == 1
    assert json.loads(ignoring.stdout)["counts"]["projects"]["altered"] == 0
    bad = runner.invoke(app, ["diff", str(old), str(new), "--ignore", "nonsense"])
    assert bad.exit_code == 2 and "--ignore: no such record field: nonsense" in bad.output

def test_a_corrected_title_is_altered_not_gone_and_new():
    corrected = dict(OLD_PROJECTS[0], record_id="kp-00000000000000b1", title="Safe schools in Kisumu County")
    diff = diff_records(OLD_PROJECTS, [corrected] + OLD_PROJECTS[1:])
    assert diff.projects.new == [] and diff.projects.gone == []
    (altered,) = diff.projects.altered
    assert altered.matched_by == "parties and title"
    assert [(c.field, c.old, c.new) for c in altered.changes] == [
        ("record_id", "kp-0000000000000001", "kp-00000000000000b1"),
        ("title", "Safe schools in Kisumu", "Safe schools in Kisumu County")]


def test_another_project_of_the_same_parties_is_new_not_altered():
    other = project("kp-00000000000000c1", "Digital archives for the county")  # same parties as record 1
    diff = diff_records(OLD_PROJECTS, [other] + OLD_PROJECTS[1:])
    assert [p["record_id"] for p in diff.projects.new] == ["kp-00000000000000c1"]
    assert [p["record_id"] for p in diff.projects.gone] == ["kp-0000000000000001"]
    assert diff.projects.altered == []


def test_a_like_title_of_other_parties_is_not_matched():
    moved = dict(OLD_PROJECTS[0], record_id="kp-00000000000000d1", swedish_partners=["Umeå kommun"],
                 swedish_partner_codes=["2480"], title="Safe schools in Kisumu!")
    diff = diff_records(OLD_PROJECTS, [moved] + OLD_PROJECTS[1:])
    assert len(diff.projects.new) == 1 and len(diff.projects.gone) == 1 and diff.projects.altered == []


def test_an_untitled_record_with_other_years_is_altered():
    changed = dict(OLD_PROJECTS[3], record_id="kp-00000000000000e1", end_date="2022")
    diff = diff_records(OLD_PROJECTS, OLD_PROJECTS[:3] + [changed])
    (altered,) = diff.projects.altered
    assert altered.matched_by == "parties and title"
    assert [c.field for c in altered.changes] == ["record_id", "end_date"]


def test_partnerships_new_gone_altered_and_a_corrected_spelling():
    new = [partnership("Växjö kommun", "Kisumu County", since=2007),
           partnership("Falu kommun", "Kolomyya", since=None, swedish_partner_code="2080", country="UA"),
           partnership("Växjö kommun", "Kakamega County")]
    diff = diff_records([], [], OLD_PARTNERSHIPS, new)
    assert [p["international_partner"] for p in diff.partnerships.new] == ["Kakamega County"]
    assert [p["international_partner"] for p in diff.partnerships.gone] == ["Lviv City Council"]
    first, second = diff.partnerships.altered
    assert first.matched_by == "pair" and [(c.field, c.old, c.new) for c in first.changes] == [
        ("since_year", 2005, 2007)]
    assert second.matched_by == "Swedish partner and a like partner abroad"
    assert [(c.field, c.old, c.new) for c in second.changes] == [("international_partner", "Kolomyia", "Kolomyya")]


def test_partnerships_match_by_partnership_id_when_both_have_one():
    old = [dict(OLD_PARTNERSHIPS[0], partnership_id="pp-1")]
    new = [dict(OLD_PARTNERSHIPS[0], partnership_id="pp-1", international_partner="Kisumu County Government")]
    diff = diff_records([], [], old, new)
    (altered,) = diff.partnerships.altered
    assert altered.matched_by == "partnership_id"
    assert to_json(diff)["partnerships"]["altered"][0]["old"] == "pp-1"


def test_the_json_shape():
    new = [dict(OLD_PROJECTS[1], start_date="2020")] + OLD_PROJECTS[2:]
    out = to_json(diff_records(OLD_PROJECTS, new, OLD_PARTNERSHIPS, OLD_PARTNERSHIPS))
    assert list(out) == ["format", "old", "new", "counts", "projects", "partnerships"]
    assert out["format"] == CHANGES_FORMAT
    assert out["counts"]["projects"] == {"new": 0, "gone": 1, "altered": 1, "unchanged": 2}
    assert out["projects"]["gone"] == [OLD_PROJECTS[0]]  # whole records
    assert out["projects"]["altered"] == [{
        "old": "kp-0000000000000002", "new": "kp-0000000000000002", "label": "Clean water for all",
        "matched_by": "record_id", "changes": [{"field": "start_date", "old": "2019", "new": "2020"}]}]
    json.dumps(out, allow_nan=False)


# ---------------------------------------------------------------- the command

def write_json(folder: Path, projects: list[dict], partnerships: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "projects.json").write_text(json.dumps(projects, ensure_ascii=False), encoding="utf-8")
    (folder / "partnerships.json").write_text(json.dumps(partnerships, ensure_ascii=False), encoding="utf-8")
    return folder


HOSTILE = '<script>alert("x")</script> & Co'


@pytest.fixture
def two_outputs(tmp_path) -> tuple[Path, Path]:
    old = write_json(tmp_path / "old", OLD_PROJECTS, OLD_PARTNERSHIPS)
    new = write_json(tmp_path / "new", [dict(OLD_PROJECTS[1], start_date="2020"), OLD_PROJECTS[0],
                                        project("kp-00000000000000aa", HOSTILE)] + OLD_PROJECTS[3:],
                     OLD_PARTNERSHIPS[::-1])
    return old, new


def test_cli_table_json_and_html(two_outputs, tmp_path):
    old, new = two_outputs
    got = runner.invoke(app, ["diff", str(old), str(new)], env={"COLUMNS": "200"})  # a wide terminal
    assert got.exit_code == 0, got.output
    text = got.stdout
    assert "projects: 1 new, 1 gone, 1 altered, 2 unchanged" in text
    assert "partnerships: 0 new, 0 gone, 0 altered, 3 unchanged" in text
    assert "start_date" in text and "2020" in text and "Waste management pre-study" in text
    as_json = runner.invoke(app, ["diff", str(old), str(new), "--json"])
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout) == to_json(diff_outputs(old, new))
    page = tmp_path / "out" / "changes.html"
    got = runner.invoke(app, ["diff", str(old), str(new), "--html", str(page)])
    assert got.exit_code == 0 and str(page) in got.stderr
    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html
    assert "Content-Security-Policy" in html and ".stat{" in html  # the report's CSS
    assert html == render_html(diff_outputs(old, new))


def test_cli_compares_across_formats(tmp_path):
    projects = [Project(**{k: v for k, v in p.items() if k != "sources"},
                        sources=[Source(**s) for s in p["sources"]]) for p in OLD_PROJECTS]
    partnerships = [Partnership(**{k: v for k, v in p.items() if k != "sources"},
                                sources=[Source(**s) for s in p["sources"]]) for p in OLD_PARTNERSHIPS]
    write_outputs(tmp_path / "csv", projects, partnerships, [], [], formats="csv", csv_dialect="excel-sv")
    write_outputs(tmp_path / "parquet", projects[::-1], partnerships, [], [], formats="parquet")
    got = runner.invoke(app, ["diff", str(tmp_path / "csv"), str(tmp_path / "parquet"), "--json"])
    assert got.exit_code == 0, got.output
    counts = json.loads(got.stdout)["counts"]
    assert counts["projects"] == {"new": 0, "gone": 0, "altered": 0, "unchanged": 4}
    assert counts["partnerships"]["unchanged"] == 3


@pytest.mark.parametrize("case, message", [
    ("missing", "output folder not found"),
    ("empty", "no run output in"),
    ("damaged", "is not valid JSON"),
])
def test_unreadable_input_is_one_line_and_exit_2(two_outputs, tmp_path, case, message):
    old, new = two_outputs
    if case == "missing":
        new = tmp_path / "nowhere"
    elif case == "empty":
        new = tmp_path / "empty"
        new.mkdir()
    else:
        (new / "projects.json").write_text("[{", encoding="utf-8")
    got = runner.invoke(app, ["diff", str(old), str(new)])
    assert got.exit_code == 2
    assert got.stdout == "" and got.stderr.startswith("error: ") and message in got.stderr
    assert len(got.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------- run --compare

def test_run_compare_writes_changes_json(tmp_path):
    first = tmp_path / "first"
    got = runner.invoke(app, ["run", str(RAW), "--out", str(first), "--no-cache", "-w", "1", "-q"])
    assert got.exit_code == 0, got.output
    # an invented earlier crawl: one record fewer, a year changed, the rest reordered
    earlier = tmp_path / "earlier"
    projects = json.loads((first / "projects.json").read_text(encoding="utf-8"))
    partnerships = json.loads((first / "partnerships.json").read_text(encoding="utf-8"))
    dropped = projects.pop(1)
    projects[0] = dict(projects[0], end_date="1999")
    write_json(earlier, projects[::-1], partnerships[1:])

    again = tmp_path / "again"
    got = runner.invoke(app, ["run", str(RAW), "--out", str(again), "--format", "csv", "--compare", str(earlier),
                              "--no-cache", "-w", "1"])
    assert got.exit_code == 0, got.output
    assert "changes: projects 1 new, 0 gone, 1 altered" in got.stderr
    changes = json.loads((again / "changes.json").read_text(encoding="utf-8"))
    assert changes == to_json(diff_outputs(earlier, again))
    assert [p["record_id"] for p in changes["projects"]["new"]] == [dropped["record_id"]]
    (altered,) = changes["projects"]["altered"]
    assert altered["changes"] == [{"field": "end_date", "old": "1999", "new": json.loads(
        (first / "projects.json").read_text(encoding="utf-8"))[0]["end_date"]}]
    assert changes["counts"]["partnerships"]["new"] == 1
    package = json.loads((again / "datapackage.json").read_text(encoding="utf-8"))
    assert "changes.json" in [f["path"] for f in package["kp_extract"]["outputs"]]

    # the run's own folder as the earlier run: read before it is written over, nothing changed
    got = runner.invoke(app, ["run", str(RAW), "--out", str(again), "--compare", str(again), "--no-cache", "-w", "1",
                              "-q"])
    assert got.exit_code == 0, got.output
    counts = json.loads((again / "changes.json").read_text(encoding="utf-8"))["counts"]
    assert all(c["new"] == c["gone"] == c["altered"] == 0 and c["unchanged"] > 0 for c in counts.values())

    # a run without --compare leaves no changes.json behind
    got = runner.invoke(app, ["run", str(RAW), "--out", str(again), "--no-cache", "-w", "1", "-q"])
    assert got.exit_code == 0 and not (again / "changes.json").exists()


def test_run_compare_with_no_earlier_output_is_a_usage_error(tmp_path):
    out = tmp_path / "out"
    got = runner.invoke(app, ["run", str(RAW), "--out", str(out), "--compare", str(tmp_path / "none"), "--no-cache"])
    assert got.exit_code == 2 and "--compare" in got.stderr and "not found" in got.stderr
    assert not out.exists()  # nothing done


def test_run_compare_needs_a_record_format(tmp_path):
    old = write_json(tmp_path / "old", OLD_PROJECTS, OLD_PARTNERSHIPS)
    out = tmp_path / "out"
    got = runner.invoke(app, ["run", str(RAW), "--out", str(out), "--format", "iati", "--compare", str(old),
                              "--no-cache"])
    assert got.exit_code == 2 and "--compare needs a record format" in got.stderr
    assert len(got.stderr.strip().splitlines()) == 1 and not out.exists()
