"""Conflicts shown, not hidden: where a record's sources disagree, the record keeps the GUIDE's value and
lists every value stated, with its sources, in `conflicts`; agreeing sources list none. Through dedupe on
invented mentions, and through a whole run on invented pages: every format, the schemas, the report and
the summary."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from kp_extract.model import Conflict, ConflictValue, Mention, Partner, PartnershipMention, Source
from kp_extract.outputs.csv import conflict_cell, conflict_from_cell
from kp_extract.outputs.reader import read_record_file
from kp_extract.outputs.records import conflict_dict
from kp_extract.outputs.schema import validate_records
from kp_extract.review.diff import diff_records
from kp_extract.review.report import CONFLICT_LABELS, write_report
from tests.review.test_report import report_data, report_text
from kp_extract.run.pipeline import run
from kp_extract.run.summary import plain_lines
from kp_extract.stages.s6_dedupe import dedupe

TRANAS = Partner("Tranås kommun", "0687")


def mention(file: str, start: int, **kw) -> Mention:
    m = Mention(file=file, sources=[Source(file, start, start + 10)], languages=["en"])
    m.swedish_partners = [TRANAS]
    m.international_partners = kw.pop("intl", ["Kisumu"])
    for k, v in kw.items():
        setattr(m, k, v)
    return m


def statement(file: str, start: int, since: int | None = None, country: str | None = None) -> PartnershipMention:
    return PartnershipMention(file, TRANAS, "Kisumu", country, since, Source(file, start, start + 20))


def values(conflict: Conflict) -> list[tuple]:
    """(value, [file:start of each source]) of each value of the conflict."""
    return [(v.value, [f"{s.file}:{s.start}" for s in v.sources]) for v in conflict.values]


def only_project(mentions: list[Mention]):
    projects, _, _ = dedupe(mentions, [])
    assert len(projects) == 1
    return projects[0]


# ---------------------------------------------------------------- projects

def test_two_start_years_are_a_conflict_and_the_record_keeps_the_guides_date() -> None:
    a = mention("a.txt", 0, title="Clean Water", start_date="2019", end_date="2021")
    b = mention("b.txt", 5, title="Clean water.", start_date="2020-03", end_date="2021-12")
    p = only_project([a, b])
    assert (p.start_date, p.end_date) == ("2019", "2021-12")  # the first one's year; the most precise agreeing end
    assert [c.field for c in p.conflicts] == ["start_date"]
    assert values(p.conflicts[0]) == [("2019", ["a.txt:0"]), ("2020-03", ["b.txt:5"])]


def test_a_more_precise_date_of_the_same_year_or_the_same_date_twice_is_no_conflict() -> None:
    a = mention("a.txt", 0, title="Clean Water", start_date="2019", end_date="2021-06")
    b = mention("b.txt", 0, title="Clean Water", start_date="2019-03", end_date="2021-06")
    p = only_project([a, b])
    assert (p.start_date, p.end_date, p.conflicts) == ("2019-03", "2021-06", [])


def test_two_months_of_one_year_are_a_conflict() -> None:
    a = mention("a.txt", 0, title="Clean Water", start_date="2019", end_date="2021-03")
    b = mention("b.txt", 0, title="Clean Water", end_date="2021-04")
    c = mention("c.txt", 0, title="Clean Water", end_date="2021")
    p = only_project([a, b, c])
    assert p.end_date == "2021-03"
    assert [(c.field, values(c)) for c in p.conflicts] == [
        ("end_date", [("2021-03", ["a.txt:0"]), ("2021-04", ["b.txt:0"]), ("2021", ["c.txt:0"])])]


def test_two_amounts_are_a_conflict_the_first_stated_stays() -> None:
    a = mention("a.txt", 0, title="Clean Water", amount_sek=1_500_000, duration_years=3)
    b = mention("b.txt", 0, title="Clean Water", amount_sek=700_000, duration_years=3.0)
    c = mention("c.txt", 0, title="Clean Water", amount_sek=1_500_000)
    p = only_project([a, b, c])
    assert (p.amount_sek, p.duration_years) == (1_500_000, 3)
    assert [(c.field, values(c)) for c in p.conflicts] == [
        ("amount_sek", [(1_500_000, ["a.txt:0", "c.txt:0"]), (700_000, ["b.txt:0"])])]


def test_a_partner_tied_to_two_countries_is_a_conflict_two_partners_in_two_countries_are_not() -> None:
    a = mention("a.txt", 0, title="Clean Water", countries=["KE"], partner_countries={"Kisumu": "KE"})
    b = mention("b.txt", 0, title="Clean Water", countries=["UG"], partner_countries={"Kisumu": "UG"})
    p = only_project([a, b])
    assert p.countries == ["KE", "UG"]  # the union, as before
    assert [(c.field, values(c)) for c in p.conflicts] == [("countries", [("KE", ["a.txt:0"]), ("UG", ["b.txt:0"])])]
    two = mention("a.txt", 0, intl=["Kisumu", "Jinja"], countries=["KE", "UG"],
                  partner_countries={"Kisumu": "KE", "Jinja": "UG"})
    assert only_project([two]).conflicts == []


def test_a_heading_country_and_a_text_country_of_one_partner_are_a_conflict() -> None:
    # 'Tranås and Kisumu, Kenya' over a body that places Kisumu in Uganda: one mention, both countries
    m = mention("a.txt", 0, countries=["KE", "UG"], partner_countries={"Kisumu": "UG"})
    p = only_project([m])
    assert p.countries == ["KE", "UG"]
    assert [(c.field, [v for v, _ in values(c)]) for c in p.conflicts] == [("countries", ["KE", "UG"])]


def test_a_country_lent_by_another_page_is_no_conflict() -> None:
    a = mention("a.txt", 0, title="Clean Water", countries=["KE"], partner_countries={"Kisumu": "KE"})
    b = mention("b.txt", 0, title="Clean Water", context_country="UG")  # states none of its own
    assert only_project([a, b]).conflicts == []


def test_conflicts_do_not_depend_on_the_order_of_the_mentions() -> None:
    ms = [mention(f"{c}.txt", 0, title="Clean Water", start_date=d, amount_sek=a)
          for c, d, a in (("a", "2019", 100_000), ("b", "2020", 200_000), ("c", "2019-05", 100_000))]
    expected = only_project(ms).conflicts
    assert [c.field for c in expected] == ["start_date", "amount_sek"]
    for seed in range(5):
        shuffled = ms[:]
        random.Random(seed).shuffle(shuffled)
        assert only_project(shuffled).conflicts == expected


# ---------------------------------------------------------------- partnerships

def test_two_since_years_are_a_conflict_and_the_earliest_stays() -> None:
    _, partnerships, _ = dedupe([], [statement("b.txt", 3, since=2015), statement("a.txt", 7, since=2010)])
    (rec,) = partnerships
    assert rec.since_year == 2010
    assert [(c.field, values(c)) for c in rec.conflicts] == [("since_year", [(2010, ["a.txt:7"]), (2015, ["b.txt:3"])])]


def test_one_since_year_on_two_pages_and_a_statement_without_one_are_no_conflict() -> None:
    _, partnerships, _ = dedupe([], [statement("a.txt", 0, since=2010), statement("b.txt", 0, since=2010),
                                     statement("c.txt", 0)])
    assert [(r.since_year, r.conflicts) for r in partnerships] == [(2010, [])]


def test_two_countries_of_a_pair_are_a_conflict_a_lent_one_is_not() -> None:
    project = mention("a.txt", 0, countries=["KE"], partner_countries={"Kisumu": "KE"})
    _, partnerships, _ = dedupe([project], [statement("b.txt", 0, country="UG"), statement("c.txt", 0)])
    (rec,) = partnerships
    assert rec.country == "KE"  # the first stated, as before
    assert [(c.field, values(c)) for c in rec.conflicts] == [("country", [("KE", ["a.txt:0"]), ("UG", ["b.txt:0"])])]
    _, agreeing, _ = dedupe([project], [statement("c.txt", 0)])  # c.txt is lent a.txt's KE: no disagreement
    assert agreeing[0].conflicts == []


# ---------------------------------------------------------------- the cells

def test_a_conflict_cell_reads_back() -> None:
    conflict = Conflict("start_date", (ConflictValue("2019", (Source("news:2019-a.txt", 0, 10), Source("b.txt", 4, 9))),
                                       ConflictValue("2020-03", (Source("c, d.txt", 7, 70),))))
    as_dict = conflict_dict("projects", conflict)
    cell = conflict_cell(as_dict)
    assert cell == "start_date: 2019 (news:2019-a.txt:0-10, b.txt:4-9) vs 2020-03 (c, d.txt:7-70)"
    assert conflict_dict("projects", conflict_from_cell(cell)) == as_dict
    amount = conflict_dict("projects", {"field": "amount_sek", "values": [
        {"value": "700000", "sources": [{"file": "a.txt", "start": 0, "end": 1}]}]})
    assert amount["values"][0]["value"] == 700000  # typed by the field
    with pytest.raises(ValueError):
        conflict_from_cell("start_date 2019")
    with pytest.raises(ValueError):
        conflict_dict("projects", {"field": "nonsense", "values": []})


# ---------------------------------------------------------------- a whole run on invented pages

PAGES = {
    "a.txt": "Tranås kommun och Kisumu County i Kenya har ett partnerskap sedan 2010. "
             "Samarbetet handlar om avfallshantering.\n",
    "b.txt": "Kisumu County, Kenya (2015 - )\n\nTranås kommun arbetar tillsammans med Kisumu County om vattenfrågor.\n",
    "c.txt": "Tranås and Kisumu, Kenya\n\nProject: Clean Water for Lakeside Schools\n\n"
             "The three-year project started in 2019 and the partners were granted 1,5 miljoner SEK for it.\n",
    "d.txt": "Tranås and Kisumu, Uganda\n\nProject: Clean Water for Lakeside Schools\n\n"
             "The project runs 2020-2022 and was granted 700 000 SEK.\n",
}
AGREEING = {
    "a.txt": PAGES["a.txt"],
    "b.txt": "Kisumu County, Kenya (2010 - )\n\nTranås kommun arbetar tillsammans med Kisumu County om vattenfrågor.\n",
    "c.txt": PAGES["c.txt"],
    "d.txt": "Tranås and Kisumu, Kenya\n\nProject: Clean Water for Lakeside Schools\n\n"
             "The project runs from March 2019 to December 2022 and was granted 1,5 miljoner SEK.\n",
}
FORMATS = ("json", "jsonl", "csv", "parquet", "sqlite", "iati", "xlsx")


def _write(folder: Path, pages: dict[str, str]) -> Path:
    folder.mkdir()
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def disagreeing_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("conflicts")
    out = root / "out"
    summary = run(_write(root / "pages", PAGES), out, workers=1, formats=FORMATS)
    return out, summary


def _records(out: Path, stem: str) -> list[dict]:
    return json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))


def _by_field(record: dict) -> dict[str, list]:
    return {c["field"]: [(v["value"], sorted({s["file"] for s in v["sources"]})) for v in c["values"]]
            for c in record["conflicts"]}


def test_a_run_lists_the_disagreements_and_keeps_the_guides_values(disagreeing_run) -> None:
    out, _ = disagreeing_run
    (project,) = _records(out, "projects")
    assert (project["start_date"], project["amount_sek"], project["countries"]) == ("2019", 1_500_000, ["KE", "UG"])
    assert _by_field(project) == {"countries": [("KE", ["c.txt"]), ("UG", ["d.txt"])],
                                  "start_date": [("2019", ["c.txt"]), ("2020", ["d.txt"])],
                                  "amount_sek": [(1_500_000, ["c.txt"]), (700_000, ["d.txt"])]}
    (pair,) = _records(out, "partnerships")
    assert (pair["since_year"], pair["country"]) == (2010, "KE")
    assert _by_field(pair) == {"country": [("KE", ["a.txt", "b.txt", "c.txt"]), ("UG", ["d.txt"])],
                               "since_year": [(2010, ["a.txt"]), (2015, ["b.txt"])]}
    assert validate_records(_records(out, "projects"), _records(out, "partnerships")) == []
    for stem in ("projects", "partnerships"):  # the nested objects rendered as json.dumps renders them
        text = (out / f"{stem}.json").read_text(encoding="utf-8")
        assert text == json.dumps(_records(out, stem), ensure_ascii=False, indent=1) + "\n"


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_every_record_format_reads_back_the_conflicts(disagreeing_run, fmt) -> None:
    out, _ = disagreeing_run
    for stem in ("projects", "partnerships"):
        read = read_record_file(out / f"{stem}.{fmt}", stem)
        assert [r["conflicts"] for r in read] == [r["conflicts"] for r in _records(out, stem)]


def test_sqlite_xlsx_and_iati_are_written_beside_them(disagreeing_run) -> None:
    import sqlite3

    import openpyxl

    out, _ = disagreeing_run
    (project,) = _records(out, "projects")
    with sqlite3.connect(out / "kp_extract.sqlite") as db:
        (cell,) = db.execute("select conflicts from projects").fetchone()
    assert json.loads(cell) == project["conflicts"]
    sheet = openpyxl.load_workbook(out / "records.xlsx", read_only=True)["projects"]
    header, row = list(sheet.iter_rows(max_row=2, values_only=True))
    assert row[header.index("conflicts")] == " | ".join(conflict_cell(c) for c in project["conflicts"])
    assert (out / "iati-activities.xml").stat().st_size > 0


def test_the_summary_counts_records_with_disagreeing_sources(disagreeing_run) -> None:
    out, summary = disagreeing_run
    assert summary.conflicts == 2  # the project and the partnership
    lines = plain_lines(Path("pages"), out, summary)
    assert any(line.split() == ["conflicts", "2", "records", "with", "disagreeing", "sources"] for line in lines)


def test_the_report_marks_the_record_and_links_each_value_to_its_sources(disagreeing_run) -> None:
    out, _ = disagreeing_run
    report = write_report(out)
    html = report_text(report)  # the page, then the records' sections from its sources files
    (project,) = _records(out, "projects")
    rid = project["record_id"]
    (row,) = [r for r in report_data(report.read_text(encoding="utf-8"))["projects"] if r[0] == rid]
    # the table marks the record "sources disagree", naming these fields
    assert row[-1] == list(dict.fromkeys(CONFLICT_LABELS[c["field"]] for c in project["conflicts"])) != []
    section = html[html.index(f'<section class="record" id="{rid}"'):]
    section = section[:section.index("</section>")]
    assert 'class="conflict-marker"' in section[:section.index("</h2>")]
    anchors = {(s["file"], s["start"]): f"{rid}-s{i}" for i, s in enumerate(project["sources"])}
    listed = section[section.index('<ul class="conflicts">'):]
    for conflict in project["conflicts"]:
        assert f'data-conflict="{conflict["field"]}"' in listed
        for value in conflict["values"]:
            assert f'<b class="conflict-value">{value["value"]}</b>' in listed
            for s in value["sources"]:
                assert f'<a href="#{anchors[(s["file"], s["start"])]}"><code>{s["file"]}:{s["start"]}-{s["end"]}</code></a>' \
                    in listed
    partnerships = html[html.index('<section id="partnership-conflicts">'):]
    assert "Tranås kommun – Kisumu County" in partnerships and "<code>b.txt:" in partnerships


def test_agreeing_pages_give_no_conflict(tmp_path) -> None:
    out = tmp_path / "out"
    summary = run(_write(tmp_path / "pages", AGREEING), out, workers=1)
    (project,) = _records(out, "projects")
    (pair,) = _records(out, "partnerships")
    assert (project["start_date"], pair["since_year"]) == ("2019-03", 2010)  # the two pages did say the same
    assert (project["conflicts"], pair["conflicts"], summary.conflicts) == ([], [], 0)
    report = write_report(out)
    html = report_text(report)
    assert 'class="conflict-marker"' not in html and 'id="partnership-conflicts"' not in html
    assert all(r[-1] == [] for r in report_data(report.read_text(encoding="utf-8"))["projects"])


def test_an_output_written_before_conflicts_existed_differs_only_where_there_are_some(disagreeing_run) -> None:
    out, _ = disagreeing_run
    projects, partnerships = _records(out, "projects"), _records(out, "partnerships")
    older = [{k: v for k, v in r.items() if k != "conflicts"} for r in projects + partnerships]
    agreeing = [{**r, "conflicts": []} for r in projects + partnerships]
    diff = diff_records(older[:1], agreeing[:1], older[1:], agreeing[1:])
    assert not diff.changed  # an empty list where the old output had no key is no change
    diff = diff_records(older[:1], projects, older[1:], partnerships)
    assert [c.field for a in diff.projects.altered + diff.partnerships.altered for c in a.changes] == \
        ["conflicts", "conflicts"]


def test_the_report_table_marks_the_record_in_the_browser(disagreeing_run) -> None:
    from playwright.sync_api import sync_playwright

    from tests.review.browser import chromium_page

    out, _ = disagreeing_run
    report = write_report(out)
    (project,) = _records(out, "projects")
    with sync_playwright() as pw, chromium_page(pw) as (page, problems):
        page.goto(report.as_uri())
        marker = page.locator(f"#project-table tr[data-id='{project['record_id']}'] .conflict-marker")
        assert marker.inner_text() == "sources disagree"
        fields = dict.fromkeys(CONFLICT_LABELS[c["field"]] for c in project["conflicts"])
        assert marker.get_attribute("title") == "sources disagree: " + ", ".join(fields)
    assert problems == []
