"""The run's confidence threshold: records that reach it, candidates.jsonl for the rest, and what blocks.jsonl
says of the pairs scored in a block (pipeline.split_by_confidence, candidate_project_row, block_row, run's
min_confidence). The runs here decide with a hand-made model, never the shipped one's weights."""
from __future__ import annotations

import io
import json
import math

import pytest

from kp_extract.stages import s5_extract as extract
from kp_extract.run import blocks, pipeline
from kp_extract.run.pages import PageDigest
from kp_extract.stages.s5_extract.scoring import Head, PairModel
from kp_extract.model import Mention, Partner, PartnershipMention, Source
from tests.stages.s5_extract.pages import CARD


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


PAGES = {
    "card.txt": CARD,
    "pair.txt": "Nyheter\n\nEksjö kommun och Kisumu har fått medel för ett gemensamt arbete om vatten.\n",
}
# partner: 0.73 for a pair named in one sentence; project: 0.88 for the card's pair, 0.27 for the other
MODEL = PairModel({"partner": Head({"same_sentence": 2.0}, -1.0, 0.5),
                   "project": Head({"rule_mention": 3.0, "same_sentence": 0.5}, -1.5, 0.6),
                   "title": Head({}, -10.0, 0.5)}, {"hand_made": True})


@pytest.fixture
def hand_made_model(monkeypatch):
    monkeypatch.setattr(extract, "load_model", lambda *a, **k: MODEL)
    monkeypatch.setattr(pipeline, "load_model", lambda *a, **k: MODEL)
    return MODEL


@pytest.fixture
def pages(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in PAGES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run(pages, out, **kw) -> tuple[object, dict]:
    summary = pipeline.run(pages, out, workers=1, **kw)
    outputs = {name: json.loads((out / name).read_text(encoding="utf-8"))
               for name in ("projects.json", "partnerships.json")}
    outputs["candidates"] = [json.loads(line) for line in (out / "candidates.jsonl").read_text().splitlines()]
    outputs["blocks"] = [json.loads(line) for line in (out / "blocks.jsonl").read_text().splitlines()]
    return summary, outputs


def projects(out: dict) -> list[tuple]:
    return sorted(((p["title"], tuple(p["swedish_partners"]), tuple(p["international_partners"]), p["confidence"])
                   for p in out["projects.json"]), key=repr)


def rows(out: dict, kind: str) -> list[dict]:
    return [r for r in out["candidates"] if r["kind"] == kind]


def test_by_default_the_models_own_thresholds_decide(hand_made_model, pages, tmp_path):
    summary, out = run(pages, tmp_path / "out")
    assert summary.min_confidence == (0.6, 0.5)
    assert projects(out) == [("Clean Markets for All", ("Tranås kommun",), ("Nyeri County Government",),
                              round(sigmoid(2.0), 3))]
    (row,) = rows(out, "project")
    assert row == {"kind": "project", "file": "pair.txt", "title": None, "swedish_partners": ["Eksjö kommun"],
                   "swedish_partner_codes": ["0686"], "international_partners": ["Kisumu"], "countries": ["KE"],
                   "confidence": round(sigmoid(-1.0), 4),
                   "sources": [{"file": "pair.txt", "start": 9,
                                "end": len(PAGES["pair.txt"]) - 1}]}
    assert rows(out, "partnership") == []  # both pairs reach the partner threshold
    assert sorted(p["international_partner"] for p in out["partnerships.json"]) == ["Kisumu",
                                                                                    "Nyeri County Government"]
    assert summary.candidates == 1


def test_min_confidence_zero_makes_every_proposed_mention_a_record(hand_made_model, pages, tmp_path):
    summary, out = run(pages, tmp_path / "out", min_confidence=0)
    assert summary.min_confidence == (0.0, 0.0)
    assert projects(out) == [
        ("Clean Markets for All", ("Tranås kommun",), ("Nyeri County Government",), round(sigmoid(2.0), 3)),
        (None, ("Eksjö kommun",), ("Kisumu",), round(sigmoid(-1.0), 3))]
    assert rows(out, "project") == [] and rows(out, "partnership") == []
    assert summary.candidates == 0 and summary.projects == 2


def test_min_confidence_one_makes_no_record(hand_made_model, pages, tmp_path):
    summary, out = run(pages, tmp_path / "out", min_confidence=1.0)
    assert out["projects.json"] == [] and out["partnerships.json"] == []
    assert sorted((r["file"], r["confidence"]) for r in rows(out, "project")) == [
        ("card.txt", round(sigmoid(2.0), 4)), ("pair.txt", round(sigmoid(-1.0), 4))]
    partner_rows = sorted(rows(out, "partnership"), key=lambda r: r["file"])
    assert [(r["file"], r["swedish_partner"], r["international_partner"], r["partner_score"])
            for r in partner_rows] == [("card.txt", "Tranås kommun", "Nyeri County Government", round(sigmoid(1.0), 4)),
                                       ("pair.txt", "Eksjö kommun", "Kisumu", round(sigmoid(1.0), 4))]
    assert summary.candidates == 4 and summary.projects == 0


def test_blocks_jsonl_shows_the_pairs_scored_in_a_block_and_why_it_fed_no_record(hand_made_model, pages,
                                                                                  tmp_path):
    _summary, out = run(pages, tmp_path / "out", min_confidence=1.0)
    prose = next(b for b in out["blocks"] if b["file"] == "pair.txt" and b["kind"] == "prose")
    assert prose["record_ids"] == []
    assert prose["candidates"] == [{"swedish_partner": "Eksjö kommun", "international_partner": "Kisumu",
                                    "partner_score": round(sigmoid(1.0), 4),
                                    "project_score": round(sigmoid(-1.0), 4)}]
    assert prose["reason"] == "candidate pairs below the confidence threshold (best score 0.73)"
    heading = next(b for b in out["blocks"] if b["file"] == "pair.txt" and b["kind"] == "heading")
    assert "candidates" not in heading
    # kept as a partnership at the model's own threshold, the same block says so
    _summary, kept = run(pages, tmp_path / "kept")
    prose = next(b for b in kept["blocks"] if b["file"] == "pair.txt" and b["kind"] == "prose")
    assert prose["reason"] == "partnership statement only" and len(prose["candidates"]) == 1


@pytest.mark.parametrize("value", [-0.01, 1.5, float("nan")])
def test_run_refuses_a_min_confidence_out_of_range_before_reading(value, pages, tmp_path):
    with pytest.raises(ValueError, match="min_confidence must be between 0 and 1"):
        pipeline.run(pages, tmp_path / "out", workers=1, min_confidence=value)
    assert not (tmp_path / "out").exists()


def test_confidence_thresholds(hand_made_model):
    assert pipeline.confidence_thresholds() == (0.6, 0.5)
    assert pipeline.confidence_thresholds(0.25) == (0.25, 0.25)
    assert pipeline.confidence_thresholds(0) == (0.0, 0.0)


# ---------------------------------------------------------------- the pieces

TRANAS = Partner("Tranås kommun", "0687")


def mention(confidence: float, title: str) -> Mention:
    return Mention(file="p.txt", title=title, swedish_partners=[TRANAS], international_partners=["Nyeri"],
                   countries=["KE"], sources=[Source("p.txt", 3, 40)], confidence=confidence)


def statement(confidence: float, name: str) -> PartnershipMention:
    return PartnershipMention("p.txt", TRANAS, name, "KE", None, Source("p.txt", 3, 40), confidence=confidence)


def candidate(name: str, partner: float, project: float) -> dict:
    return {"file": "p.txt", "swedish_partner": "Tranås kommun", "swedish_partner_code": "0687",
            "international_partner": name, "country": "KE", "partner_score": partner, "project_score": project,
            "start": 3, "end": 40, "evidence": ["+joined"]}


def test_split_by_confidence_keeps_what_reaches_each_threshold_and_spools_the_rest():
    item = PageDigest("p.txt", [], [mention(0.7, "Hög"), mention(0.5, "Lagom"), mention(0.3, "Låg")],
                               [statement(0.65, "Nyeri"), statement(0.55, "Kisumu")],
                               candidates=[candidate("Nyeri", 0.65, 0.7), candidate("Kisumu", 0.55, 0.1)])
    spool = io.StringIO()
    kept, statements = pipeline.split_by_confidence(item, (0.5, 0.6), spool)
    assert [m.title for m in kept] == ["Hög", "Lagom"]  # a threshold is reached at equality
    assert [s.international_partner for s in statements] == ["Nyeri"]
    lines = [json.loads(line) for line in spool.getvalue().splitlines()]
    assert [(r["kind"], r.get("title"), r.get("international_partner")) for r in lines] == [
        ("project", "Låg", None), ("partnership", None, "Kisumu")]
    assert lines[1] == dict({"kind": "partnership"}, **candidate("Kisumu", 0.55, 0.1))
    assert next(iter(lines[1])) == "kind"


def test_candidate_project_row():
    m = mention(0.123456, "Rena torg")
    m.swedish_partners.append(Partner("Region Jönköpings län", "06", "region"))
    assert pipeline.candidate_project_row(m) == {
        "kind": "project", "file": "p.txt", "title": "Rena torg",
        "swedish_partners": ["Tranås kommun", "Region Jönköpings län"], "swedish_partner_codes": ["0687", "06"],
        "international_partners": ["Nyeri"], "countries": ["KE"], "confidence": 0.1235,
        "sources": [{"file": "p.txt", "start": 3, "end": 40}]}


def test_block_row_candidates_and_reasons():
    spans = blocks.candidate_spans([candidate("Nyeri", 0.4, 0.35), candidate("Kisumu", 0.2, 0.3)])
    assert spans == ((3, 40, "Tranås kommun", "Kisumu", 0.2, 0.3), (3, 40, "Tranås kommun", "Nyeri", 0.4, 0.35))
    empty = blocks.SpanIndex([], [])
    row = blocks.block_row(empty, "p.txt", 0, 50, "prose", "sv", 0, 0, None, spans)
    assert row["candidates"] == [
        {"swedish_partner": "Tranås kommun", "international_partner": "Kisumu", "partner_score": 0.2,
         "project_score": 0.3},
        {"swedish_partner": "Tranås kommun", "international_partner": "Nyeri", "partner_score": 0.4,
         "project_score": 0.35}]
    assert row["reason"] == "candidate pairs below the confidence threshold (best score 0.40)"
    # a block after the pairs' sentences shows none of them; a chrome block never does
    later = blocks.block_row(empty, "p.txt", 50, 90, "prose", "sv", 0, 0, "a programme description", spans)
    assert "candidates" not in later and later["reason"] == "page gives no project: a programme description"
    chrome = blocks.block_row(empty, "p.txt", 0, 50, "chrome", "sv", 0, 0, None, spans)
    assert "candidates" not in chrome and chrome["reason"] == blocks.NO_RECORD_REASONS["chrome"]
