"""Reviewer decisions on invented records: each action, each kind of target, what matches nothing, and
files that cannot be applied as written."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from kp_extract.model import Decision, Partnership, Project, Source
from kp_extract.lexicon.partners import partner_key
from kp_extract.stages.s6_dedupe import partnership_id, record_id
from kp_extract.stages.s7_decide import (DecisionsError, apply_decisions, parse_decisions, part_id, read_decisions,
                                         typed_value)

HEADER = "action,target,field,value,reviewer,date,note\n"


def project(rid: str, title: str | None, swedish: list[str], abroad: list[str], countries: list[str],
            start: int = 0, **more) -> Project:
    fields = dict(record_id=rid, title=title, swedish_partners=swedish, swedish_partner_codes=["0780"] * len(swedish),
                  international_partners=abroad, other_participants=[], countries=countries, project_areas=[],
                  themes=[], sdgs=[], start_date=None, end_date=None, duration_years=None, amount_sek=None, tags=[],
                  languages=["sv"], summary="", sources=[Source("a.txt", start, start + 10)])
    fields.update(more)
    return Project(**fields)


def partnership(swedish: str, abroad: str, country: str, ids: list[str]) -> Partnership:
    return Partnership(swedish, "0780", abroad, country, None, ids, [Source("a.txt", 0, 10)],
                       partnership_id=partnership_id(swedish, "0780", partner_key(abroad)))


A = "kp-aaaaaaaaaaaaaaaa"
B = "kp-bbbbbbbbbbbbbbbb"
C = "kp-cccccccccccccccc"


@pytest.fixture
def run():
    """An invented deduped run: three projects and three partnerships."""
    projects = [
        project(A, "Rent vatten", ["Växjö kommun"], ["JB Marks Local Municipality"], ["ZA"], 0,
                possible_duplicates=[B]),
        project(B, None, ["Växjö kommun"], ["JB Marks Local Municipality"], ["ZA"], 20, possible_duplicates=[A],
                sdgs=[6], start_date="2024"),
        project(C, "Gröna skolor", ["Växjö kommun"], ["Kalush City Council", "Lviv"], ["UA"], 40),
    ]
    partnerships = [
        partnership("Växjö kommun", "JB Marks Local Municipality", "ZA", [A, B]),
        partnership("Växjö kommun", "Kalush City Council", "UA", [C]),
        partnership("Växjö kommun", "Lviv", "UA", [C]),
    ]
    return projects, partnerships


def decide(run, *decisions: Decision, candidates=()):
    projects, partnerships = run
    before = copy.deepcopy((projects, partnerships))
    out = apply_decisions(projects, partnerships, decisions, candidates)
    assert (projects, partnerships) == before  # a stage does not change what it is given
    return out


def by_id(out) -> dict[str, Project]:
    return {p.record_id: p for p in out.projects}


def test_reject_a_project_by_id_drops_it_and_its_links(run):
    d = Decision("reject", A, reviewer="Anna", date="2026-12-01", note="not a project")
    out = decide(run, d)
    assert set(by_id(out)) == {B, C}
    assert out.applied == [d] and out.unmatched == []
    assert out.partnerships[0].project_ids == [B]  # the partnership stays, without the rejected id
    assert by_id(out)[B].possible_duplicates == []


def test_reject_a_partnership_by_pair(run):
    out = decide(run, Decision("reject", "Växjö / Lviv"))
    assert [(r.swedish_partner, r.international_partner) for r in out.partnerships] == [
        ("Växjö kommun", "JB Marks Local Municipality"), ("Växjö kommun", "Kalush City Council")]
    assert len(out.projects) == 3  # the projects stay


def test_reject_a_partnership_by_its_id(run):
    target = run[1][1].partnership_id
    out = decide(run, Decision("reject", target))
    assert [r.partnership_id for r in out.partnerships] == [run[1][0].partnership_id, run[1][2].partnership_id]


def test_reject_by_title_ignores_case_and_punctuation(run):
    out = decide(run, Decision("reject", "gröna  SKOLOR!"))
    assert set(by_id(out)) == {A, B}


def test_merge_by_title_and_id_keeps_the_targets_id_and_relinks(run):
    d = Decision("merge", "Rent vatten", value=B, reviewer="Anna")
    out = decide(run, d)
    merged = by_id(out)[A]
    assert set(by_id(out)) == {A, C}
    assert merged.title == "Rent vatten" and merged.sdgs == [6] and merged.start_date == "2024"
    assert merged.sources == [Source("a.txt", 0, 10), Source("a.txt", 20, 30)]
    assert merged.possible_duplicates == [] and merged.decisions == [d]
    assert out.partnerships[0].project_ids == [A]


def test_merge_with_a_record_that_is_gone_is_unmatched(run):
    d = Decision("merge", A, value="kp-0000000000000000")
    out = decide(run, d)
    assert out.applied == [] and out.unmatched == [(d, "the other record: no project record with id kp-0000000000000000")]
    assert len(out.projects) == 3


def test_split_by_partner_abroad(run):
    d = Decision("split", "Gröna skolor", value="Lviv", note="two projects")
    out = decide(run, d)
    ids = [p.record_id for p in out.projects]
    part = part_id(C, "lviv")
    assert ids == [A, B, C, part]  # the part right after the record it came from
    kept, new = by_id(out)[C], by_id(out)[part]
    assert kept.international_partners == ["Kalush City Council"] and new.international_partners == ["Lviv"]
    assert new.title == "Gröna skolor" and new.countries == ["UA"]
    assert kept.decisions == [d] and new.decisions == [d]
    links = {r.international_partner: r.project_ids for r in out.partnerships}
    assert links["Lviv"] == [part] and links["Kalush City Council"] == [C]


def test_split_with_no_value_takes_out_every_partner_but_the_first(run):
    out = decide(run, Decision("split", C))
    assert [p.international_partners for p in out.projects[2:]] == [["Kalush City Council"], ["Lviv"]]


def test_split_of_a_record_with_one_partner_abroad_is_unmatched(run):
    out = decide(run, Decision("split", A))
    assert out.applied == [] and "nothing to split" in out.unmatched[0][1]


def test_set_typed_by_the_schema(run):
    out = decide(run, Decision("set", A, "amount_sek", "500000"), Decision("set", "Gröna skolor", "sdgs", "4 | 11"),
                 Decision("set", A, "duration_years", "1.5"), Decision("set", A, "start_date", ""),
                 Decision("set", "Växjö kommun / JB Marks", "since_year", "2005"))
    assert out.unmatched == []
    assert by_id(out)[A].amount_sek == 500000 and by_id(out)[A].duration_years == 1.5
    assert by_id(out)[C].sdgs == [4, 11]
    assert out.partnerships[0].since_year == 2005 and out.partnerships[0].decisions[0].field == "since_year"


def test_set_on_a_pair_with_a_project_field_needs_one_project(run):
    ambiguous = Decision("set", "Växjö / JB Marks", "amount_sek", "1")
    one = Decision("set", "Växjö kommun / Lviv", "amount_sek", "2")
    out = decide(run, ambiguous, one)
    assert out.applied == [one] and by_id(out)[C].amount_sek == 2
    assert out.unmatched == [(ambiguous, "2 project records of the pair 'Växjö / JB Marks' (name one by its record_id)")]


def test_decisions_apply_in_file_order(run):
    rename = Decision("set", C, "title", "Green schools")
    out = decide(run, Decision("set", "Green schools", "amount_sek", "1"), rename,
                 Decision("set", "Green schools", "amount_sek", "2"))
    assert by_id(out)[C].amount_sek == 2 and by_id(out)[C].record_id == C  # an id never changes
    assert len(out.unmatched) == 1


CANDIDATES = [
    {"kind": "project", "file": "b.txt", "title": "Trygga parker", "swedish_partners": ["Borås stad"],
     "swedish_partner_codes": ["1490"], "international_partners": ["Kisumu County Government"], "countries": ["KE"],
     "confidence": 0.31, "sources": [{"file": "b.txt", "start": 5, "end": 40}]},
    {"kind": "project", "file": "c.txt", "title": "Trygga parker!", "swedish_partners": ["Borås stad"],
     "swedish_partner_codes": ["1490"], "international_partners": ["Kisumu County"], "countries": ["KE"],
     "confidence": 0.42, "sources": [{"file": "c.txt", "start": 0, "end": 9}]},
    {"kind": "partnership", "file": "b.txt", "swedish_partner": "Borås stad", "swedish_partner_code": "1490",
     "international_partner": "Nakuru", "country": "KE", "partner_score": 0.27, "project_score": 0.1,
     "start": 50, "end": 90, "evidence": []},
]


def test_promote_a_project_candidate_by_title(run):
    d = Decision("promote", "trygga parker", reviewer="Anna")
    out = decide(run, d, candidates=CANDIDATES)
    new = out.projects[-1]
    assert new.title == "Trygga parker" and new.confidence == 0.42 and new.decisions == [d]
    assert new.record_id == record_id(new)  # the id a record of this title gets
    assert new.sources == [Source("b.txt", 5, 40), Source("c.txt", 0, 9)]  # both mentions, one record
    link = [r for r in out.partnerships if r.swedish_partner == "Borås stad"]
    assert [(r.international_partner, r.project_ids) for r in link] == [("Kisumu County Government", [new.record_id])]
    assert link[0].partnership_id == partnership_id("Borås stad", "1490", "kisumu")


def test_promote_a_pair_candidate(run):
    out = decide(run, Decision("promote", "Borås stad / Nakuru"), candidates=CANDIDATES)
    new = [r for r in out.partnerships if r.international_partner == "Nakuru"]
    assert len(new) == 1 and new[0].confidence == 0.27 and new[0].sources == [Source("b.txt", 50, 90)]
    assert new[0].partnership_id == partnership_id("Borås stad", "1490", "nakuru")  # as dedupe would key it
    assert len(out.projects) == 3


def test_promote_of_a_candidate_that_is_not_there_is_unmatched(run):
    d = Decision("promote", "Borås stad / Eldoret")
    out = decide(run, d, candidates=CANDIDATES)
    assert out.unmatched == [(d, "no candidate of the pair 'Borås stad / Eldoret' in candidates.jsonl")]


def test_a_target_that_is_gone_is_unmatched_not_dropped(run):
    gone = Decision("reject", "kp-0123456789abcdef")
    out = decide(run, gone, Decision("reject", "Växjö / Kyiv"), Decision("set", "Ingen sådan titel", "tags", "x"))
    assert [why for _, why in out.unmatched] == [
        "no project record with id kp-0123456789abcdef", "no partnership of the pair 'Växjö / Kyiv'",
        "no project record titled 'Ingen sådan titel'"]
    assert len(out.projects) == 3 and len(out.partnerships) == 3


# ---------------------------------------------------------------- the file

def test_csv_and_yaml_give_the_same_decisions(tmp_path: Path):
    (tmp_path / "d.csv").write_text(HEADER + "set,Rent vatten,sdgs,6 | 3,Anna,2026-12-01,\"checked, twice\"\n"
                                    "\n" "reject,Växjö / Lviv,,,,,\n", encoding="utf-8")
    (tmp_path / "d.yaml").write_text(
        "- {action: set, target: Rent vatten, field: sdgs, value: '6 | 3', reviewer: Anna, date: 2026-12-01,"
        " note: 'checked, twice'}\n- action: reject\n  target: Växjö / Lviv\n", encoding="utf-8")
    from_csv, from_yaml = read_decisions(tmp_path / "d.csv"), read_decisions(tmp_path / "d.yaml")
    assert from_csv.decisions == from_yaml.decisions == (
        Decision("set", "Rent vatten", "sdgs", "6 | 3", "Anna", "2026-12-01", "checked, twice"),
        Decision("reject", "Växjö / Lviv"))
    assert from_csv.name == "d.csv" and len(from_csv.sha256) == 64


@pytest.mark.parametrize("text, message", [
    ("action,target\nrejct,kp-aaaaaaaaaaaaaaaa\n", "line 2: unknown action 'rejct'"),
    ("action,target,colour\nreject,x,red\n", "the CSV header must be"),
    ("target,value\nx,y\n", "the CSV header must be"),
    (HEADER + "reject,,,,,,\n", "line 2: no target"),
    (HEADER + "merge,kp-aaaaaaaaaaaaaaaa,,,,,\n", "merge needs the other record"),
    (HEADER + "set,kp-aaaaaaaaaaaaaaaa,amount_sek,lots,,,\n", "amount_sek: 'lots' is not a whole number"),
    (HEADER + "set,kp-aaaaaaaaaaaaaaaa,sdgs,18,,,\n", "sdgs: 18 is greater than the maximum of 17"),
    (HEADER + "set,kp-aaaaaaaaaaaaaaaa,countries,Kenya,,,\n", "countries: 'Kenya' does not match"),
    (HEADER + "set,kp-aaaaaaaaaaaaaaaa,record_id,kp-x,,,\n", "field 'record_id' cannot be set"),
    (HEADER + "set,kp-aaaaaaaaaaaaaaaa,since_year,2005,,,\n", "since_year is a partnership field"),
    (HEADER + "reject,x,,,,,,extra\n", "more cells than columns"),
])
def test_malformed_csv_is_a_usage_error(text: str, message: str):
    with pytest.raises(DecisionsError, match=message.replace("(", r"\(").replace("'", "'")):
        parse_decisions(text)


@pytest.mark.parametrize("text, message", [
    ("action: reject\n", "must be a list of mappings"),
    ("- reject\n", "entry 1: not a mapping"),
    ("- {action: reject, target: x, who: me}\n", "entry 1: unknown column 'who'"),
    ("- {action: [reject], target: x}\n", "entry 1: action must be a single value"),
    ("- {action: reject, target: x\n", "not valid YAML"),
])
def test_malformed_yaml_is_a_usage_error(text: str, message: str):
    with pytest.raises(DecisionsError, match=message):
        parse_decisions(text, yaml_syntax=True)


def test_a_missing_file_is_a_usage_error(tmp_path: Path):
    with pytest.raises(DecisionsError, match="cannot read"):
        read_decisions(tmp_path / "nowhere.csv")


def test_values_are_typed_by_the_schema():
    assert typed_value("amount_sek", " 120000 ") == 120000
    assert typed_value("sdgs", "5 | 11") == [5, 11]
    assert typed_value("countries", "KE|UG") == ["KE", "UG"]
    assert typed_value("title", "") is None
    assert typed_value("duration_years", "2") == 2.0
