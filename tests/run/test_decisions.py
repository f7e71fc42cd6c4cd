"""`run --decisions`: a reviewer's decisions applied to a whole run of invented pages, kept across a
re-crawl (renamed files, prepended chrome), carried by every format, reported when they match nothing,
and refused (exit 2, nothing read) when the file is malformed."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from kp_extract.cli import app
from kp_extract.run.pipeline import run
from kp_extract.stages.s7_decide import part_id, read_decisions
from tests.run.test_stable_ids import CARDS, CHROME, NEWS, listing

PROJECTS = """Kommunala partnerskap

Projekt: Rena sjöar

Linköpings kommun och Kalush i Ukraina samarbetar om vattenvård. Projektet pågår 2023–2025.

Svensk partner
Linköpings kommun
Internationell partner
Kalush City Council

Projekt: Trygga skolvägar

Umeå kommun arbetar tillsammans med Gulu i Uganda med trafiksäkerhet. Projektet pågår 2024–2026. Även Lira i Uganda har visat intresse för Umeå kommun.

Nyheter

Under våren besökte en delegation från Falun staden Kolomyia för att se på skolor.
"""
# with this threshold the pairs Umeå / Lira (named apart from the project, not listed with Gulu) and Falun /
# Kolomyia are below it: candidates to promote
MIN_CONFIDENCE = 0.9
HEADER = "action,target,field,value,reviewer,date,note\n"


def write_pages(folder: Path, pages: dict[str, str]) -> Path:
    folder.mkdir()
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def records(out: Path) -> tuple[list[dict], list[dict]]:
    return (json.loads((out / "projects.json").read_text(encoding="utf-8")),
            json.loads((out / "partnerships.json").read_text(encoding="utf-8")))


def by_parties(projects: list[dict]) -> dict[tuple, dict]:
    return {(tuple(p["swedish_partners"]), tuple(p["international_partners"])): p for p in projects}


FIRST_CRAWL = {"listing.txt": listing(CARDS), "news.txt": NEWS, "projekt.txt": PROJECTS}
RECRAWL = {"sida-1.txt": CHROME + listing(CARDS), "nyhet-2.txt": CHROME + NEWS, "projekt-3.txt": CHROME + PROJECTS}


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> tuple[list[dict], list[dict]]:
    """The first crawl without decisions: what the reviewer looked at."""
    tmp = tmp_path_factory.mktemp("plain")
    run(write_pages(tmp / "in", FIRST_CRAWL), tmp / "out", workers=1, min_confidence=MIN_CONFIDENCE)
    return records(tmp / "out")


def decisions_csv(plain, folder: Path) -> Path:
    """A reviewer's file for the first crawl: every action, targets by id, title and pair, one decision
    whose record does not exist."""
    projects = by_parties(plain[0])
    vihiga = projects[(("Region Gävleborg",), ("Vihiga County",))]["record_id"]
    trygga = next(p for p in plain[0] if p["title"] == "Trygga skolvägar")["record_id"]
    rena = next(p for p in plain[0] if p["title"] == "Rena sjöar")["record_id"]
    rows = [
        f"reject,{vihiga},,,Anna,2026-12-01,not a project\n",
        f"merge,Rena sjöar,,{trygga},Anna,2026-12-01,one project\n",
        f"split,{rena},,Gulu,Anna,2026-12-02,two after all\n",
        "promote,Umeå kommun / Lira,,,Anna,2026-12-02,\n",
        "set,Borås stad / Kisumu County,amount_sek,250000,Anna,2026-12-02,decision letter\n",
        "set,Karlstad / Kericho County Government,since_year,2018,Anna,2026-12-02,\n",
        "reject,Mjölby kommun / Ungheni,,,Anna,2026-12-02,no partnership\n",
        "reject,kp-0123456789abcdef,,,Anna,2026-12-02,gone\n",
    ]
    path = folder / "decisions.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def test_every_action_applies_to_a_run(plain, tmp_path: Path):
    path = decisions_csv(plain, tmp_path)
    summary = run(write_pages(tmp_path / "in", FIRST_CRAWL), tmp_path / "out", workers=1,
                  min_confidence=MIN_CONFIDENCE, decisions=read_decisions(path), formats="csv,json,jsonl,parquet")
    projects, partnerships = records(tmp_path / "out")
    before = by_parties(plain[0])
    rena = next(p for p in plain[0] if p["title"] == "Rena sjöar")["record_id"]
    trygga = next(p for p in plain[0] if p["title"] == "Trygga skolvägar")["record_id"]
    ids = {p["record_id"]: p for p in projects}

    assert before[(("Region Gävleborg",), ("Vihiga County",))]["record_id"] not in ids  # rejected
    assert trygga not in ids  # merged into Rena sjöar, which then gave its partner Gulu a record of its own
    merged, part = ids[rena], ids[part_id(rena, "gulu")]
    assert merged["international_partners"] == ["Kalush City Council"] and merged["countries"] == ["UA"]
    assert part["international_partners"] == ["Gulu"] and part["countries"] == ["UG"]
    assert merged["swedish_partners"] == ["Linköpings kommun"] and part["swedish_partners"] == ["Umeå kommun"]
    assert [d["action"] for d in merged["decisions"]] == ["merge", "split"]
    assert [d["action"] for d in part["decisions"]] == ["merge", "split"]
    assert ids[before[(("Borås stad",), ("Kisumu County Government",))]["record_id"]]["amount_sek"] == 250000

    pairs = {(r["swedish_partner"], r["international_partner"]): r for r in partnerships}
    assert ("Mjölby kommun", "Ungheni") not in pairs  # rejected partnership
    assert pairs[("Umeå kommun", "Lira")]["decisions"][0]["action"] == "promote"  # promoted candidate pair
    assert pairs[("Umeå kommun", "Gulu")]["project_ids"] == [part["record_id"]]
    assert pairs[("Karlstads kommun", "Kericho County Government")]["since_year"] == 2018
    assert pairs[("Region Gävleborg", "Vihiga County")]["project_ids"] == []

    assert summary.decisions_applied == 7
    assert [(d.target, why) for d, why in summary.decisions_unmatched] == [
        ("kp-0123456789abcdef", "no project record with id kp-0123456789abcdef")]
    with open(tmp_path / "out" / "decisions-unmatched.csv", encoding="utf-8", newline="") as fh:
        assert list(csv.DictReader(fh)) == [{
            "action": "reject", "target": "kp-0123456789abcdef", "field": "", "value": "", "reviewer": "Anna",
            "date": "2026-12-02", "note": "gone", "reason": "no project record with id kp-0123456789abcdef"}]
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    provenance = package["kp_extract"]["decisions"]
    assert provenance["file"] == "decisions.csv" and len(provenance["applied"]) == 7
    assert provenance["unmatched"][0]["reason"].startswith("no project record")
    assert "decisions-unmatched.csv" in [o["path"] for o in package["kp_extract"]["outputs"]]

    # every format carries the decisions
    jsonl = [json.loads(line) for line in (tmp_path / "out" / "projects.jsonl").read_text(encoding="utf-8").splitlines()]
    parquet = pq.read_table(tmp_path / "out" / "projects.parquet").to_pylist()
    assert [p["decisions"] for p in jsonl] == [p["decisions"] for p in parquet] == [p["decisions"] for p in projects]
    with open(tmp_path / "out" / "projects.csv", encoding="utf-8", newline="") as fh:
        cells = {row["record_id"]: row["decisions"] for row in csv.DictReader(fh)}
    assert json.loads(cells[rena]) == merged["decisions"]  # one JSON array in the cell
    assert [d["note"] for d in merged["decisions"]] == ["one project", "two after all"]
    from kp_extract.outputs.reader import read_record_file

    assert read_record_file(tmp_path / "out" / "projects.csv", "projects") == projects  # CSV reads back whole
    untouched = before[(("Mjölby kommun",), ("Ungheni",))]["record_id"]
    assert cells[untouched] == "" and ids[untouched]["decisions"] == []


def test_decisions_survive_a_recrawl_with_renamed_files_and_chrome(plain, tmp_path: Path):
    decisions = read_decisions(decisions_csv(plain, tmp_path))
    first = run(write_pages(tmp_path / "a", FIRST_CRAWL), tmp_path / "out-a", workers=1,
                min_confidence=MIN_CONFIDENCE, decisions=decisions)
    again = run(write_pages(tmp_path / "b", RECRAWL), tmp_path / "out-b", workers=1,
                min_confidence=MIN_CONFIDENCE, decisions=decisions)

    def content(out: Path):  # the records without where they were read (files and offsets change)
        projects, partnerships = records(out)
        # the projects in the order of their sources, which the renamed files change: compared by id
        # (and the model's scores, which the chrome's words move a little)
        return (sorted(({k: v for k, v in p.items() if k not in ("sources", "confidence")} for p in projects),
                       key=lambda p: p["record_id"]),
                [{k: v for k, v in p.items() if k not in ("sources", "confidence")} for p in partnerships])

    assert content(tmp_path / "out-b") == content(tmp_path / "out-a")
    assert again.decisions_applied == first.decisions_applied == 7
    assert again.decisions_unmatched == first.decisions_unmatched
    assert {s["file"] for p in records(tmp_path / "out-b")[0] for s in p["sources"]} <= set(RECRAWL)


def test_a_run_without_decisions_removes_an_earlier_runs_unmatched_file(plain, tmp_path: Path):
    pages = write_pages(tmp_path / "in", {"news.txt": NEWS})
    (tmp_path / "d.csv").write_text(HEADER + "reject,Ingen sådan titel,,,,,\n", encoding="utf-8")
    run(pages, tmp_path / "out", workers=1, decisions=read_decisions(tmp_path / "d.csv"))
    assert (tmp_path / "out" / "decisions-unmatched.csv").is_file()
    run(pages, tmp_path / "out", workers=1)
    assert not (tmp_path / "out" / "decisions-unmatched.csv").exists()
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    assert "decisions" not in package["kp_extract"]


runner = CliRunner()


def test_cli_applies_decisions_and_lists_the_unmatched(tmp_path: Path):
    pages = write_pages(tmp_path / "in", {"news.txt": NEWS})
    (tmp_path / "d.yaml").write_text(
        "- {action: set, target: Mjölby kommun / Ungheni, field: tags, value: vatten | Moldavien, reviewer: Anna}\n"
        "- {action: reject, target: Ingen sådan titel}\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(pages), "--out", str(tmp_path / "out"), "--workers", "1",
                                 "--no-cache", "--decisions", str(tmp_path / "d.yaml")])
    assert result.exit_code == 0, result.output
    assert "1 applied, 1 unmatched (decisions-unmatched.csv)" in result.output
    assert "unmatched reject Ingen sådan titel" in result.output
    assert "no project record titled 'Ingen sådan titel'" in result.output
    (project,) = records(tmp_path / "out")[0]
    assert project["tags"] == ["vatten", "Moldavien"]


@pytest.mark.parametrize("name, text, message", [
    ("d.csv", HEADER + "rejct,kp-0123456789abcdef,,,,,\n", "line 2: unknown action 'rejct'"),
    ("d.csv", "who,what\nme,that\n", "the CSV header must be action,target,field,value,reviewer,date,note"),
    ("d.csv", HEADER + "set,kp-0123456789abcdef,sdgs,18,,,\n", "line 2: sdgs: 18 is greater than the maximum of 17"),
    ("d.yaml", "- {action: reject\n", "not valid YAML"),
    ("missing.csv", None, "cannot read"),
])
def test_cli_refuses_a_malformed_decisions_file_before_reading_a_page(tmp_path: Path, name, text, message):
    pages = write_pages(tmp_path / "in", {"news.txt": NEWS})
    if text is not None:
        (tmp_path / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(pages), "--out", str(out), "--workers", "1",
                                 "--decisions", str(tmp_path / name)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --decisions ") and message in lines[0], result.output
    assert not out.exists()  # nothing was run
