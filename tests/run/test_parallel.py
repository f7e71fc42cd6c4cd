"""Parallel and streaming runs: same bytes for any number of workers, and the same bytes as the whole-file
reference writer (tests/outputs/reference_writer.py)."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kp_extract.run import blocks, engines, pages, pipeline
from kp_extract.cli import app
from kp_extract.stages.s6_dedupe import dedupe
from kp_extract.model import FileError
from kp_extract.privacy import scrubbed_candidate
from kp_extract.stages.s1_read import read_pages
from kp_extract.outputs.jsontext import record_json
from tests.conftest import RAW, read_outputs
from tests.outputs.reference_writer import write_outputs


@pytest.mark.parametrize("corpus", ["raw", "corpus"])
def test_two_workers_give_the_same_bytes_as_one(corpus, small_corpus, serial_outputs, tmp_path):
    folder = RAW if corpus == "raw" else small_corpus
    summary = pipeline.run(folder, tmp_path, workers=2)
    assert summary.workers == 2
    assert read_outputs(tmp_path) == serial_outputs[corpus]


def test_three_workers_and_tiny_chunks(small_corpus, serial_outputs, tmp_path, monkeypatch):
    monkeypatch.setattr(engines, "CHUNK_BYTES", 1)  # one file per task: many tasks, out-of-order completion
    monkeypatch.setattr(engines, "IN_FLIGHT_PER_WORKER", 1)
    pipeline.run(small_corpus, tmp_path, workers=3)
    assert read_outputs(tmp_path) == serial_outputs["corpus"]


def test_skipped_file_is_reported_in_order(small_corpus, serial_outputs):
    errors = [json.loads(line) for line in serial_outputs["corpus"]["errors.jsonl"].decode().splitlines()]
    assert [(e["file"], e["stage"]) for e in errors] == [("part0000/zz_image.txt", "read")]


def _kept(outputs) -> tuple[list, list, str]:
    """The mentions and statements that reach the model's thresholds, and the candidates.jsonl text of the
    rest, as a run keeps them (pipeline.split_by_confidence, over whole pages in memory)."""
    t_project, t_partner = pipeline.confidence_thresholds()
    mentions, statements, lines = [], [], []
    for o in outputs:
        mentions += [m for m in o.result.mentions if m.confidence >= t_project]
        statements += [s for s in o.result.partnerships if s.confidence >= t_partner]
        lines += [json.dumps(pipeline.candidate_project_row(m), ensure_ascii=False)
                  for m in o.result.mentions if m.confidence < t_project]
        lines += [json.dumps(dict({"kind": "partnership"}, **scrubbed_candidate(r)), ensure_ascii=False)
                  for r in o.result.candidates if r["partner_score"] < t_partner]
    return mentions, statements, "".join(line + "\n" for line in lines)


def _reference_outputs(folder: Path, out: Path) -> None:
    """The pre-streaming pipeline: everything in memory, the whole-file reference writer."""
    outputs, errors = [], []
    for item in read_pages(folder):
        if isinstance(item, FileError):
            errors.append(item)
            continue
        outputs.append(pages.process_page(item))
    mentions, statements, candidates = _kept(outputs)
    projects, partnerships, _ = dedupe(mentions, statements)
    write_outputs(out, projects, partnerships, _naive_block_records(outputs, projects, partnerships), errors)
    (out / "candidates.jsonl").write_text(candidates, encoding="utf-8")


def _naive_block_records(outputs, projects, partnerships) -> list[dict]:
    fed: dict[tuple[str, int, int], list[str]] = {}
    for p in projects:
        for s in p.sources:
            fed.setdefault((s.file, s.start, s.end), []).append(p.record_id)
    partnered = {(s.file, s.start, s.end) for r in partnerships for s in r.sources}
    rows = []
    for o in outputs:
        for b in o.blocks:
            ids = sorted({rid for (f, s, e), rs in fed.items() if f == b.file and s < b.end and b.start < e
                          for rid in rs}) if b.kind != "chrome" else []
            row = {"file": b.file, "start": b.start, "end": b.end, "kind": b.kind, "language": b.language,
                   "item": b.item, "section": b.section, "record_ids": ids}
            here = [c for c in o.result.candidates if b.start <= c["start"] < b.end] if b.kind != "chrome" else []
            here.sort(key=lambda c: (c["start"], c["end"], c["swedish_partner"], c["international_partner"],
                                     c["partner_score"], c["project_score"]))
            if here:
                row["candidates"] = [{k: c[k] for k in ("swedish_partner", "international_partner", "partner_score",
                                                        "project_score")} for c in here]
            if not ids:
                within = any(f == b.file and s < b.end and b.start < e for f, s, e in partnered)
                if within and b.kind != "chrome":
                    row["reason"] = "partnership statement only"
                elif here:
                    best = max(max(c["partner_score"], c["project_score"]) for c in here)
                    row["reason"] = f"candidate pairs below the confidence threshold (best score {best:.2f})"
                else:
                    row["reason"] = blocks.NO_RECORD_REASONS.get(b.kind, "no record")
            rows.append(row)
    return rows


@pytest.mark.parametrize("corpus", ["raw", "corpus"])
def test_streaming_run_equals_in_memory_export(corpus, small_corpus, serial_outputs, tmp_path):
    folder = RAW if corpus == "raw" else small_corpus
    _reference_outputs(folder, tmp_path)
    assert read_outputs(tmp_path) == serial_outputs[corpus]


def test_block_records_matches_the_naive_overlap_scan(small_corpus):
    outputs = [pages.process_page(p) for p in read_pages(small_corpus) if not isinstance(p, FileError)]
    mentions, statements, _ = _kept(outputs)
    projects, partnerships, _ = dedupe(mentions, statements)
    assert blocks.block_records(outputs, projects, partnerships) == \
        _naive_block_records(outputs, projects, partnerships)


def test_span_index_overlaps():
    from kp_extract.model import Source

    class P:
        def __init__(self, rid, spans):
            self.record_id, self.sources = rid, [Source("f", s, e) for s, e in spans]

    index = blocks.SpanIndex([P("a", [(0, 100)]), P("b", [(10, 20), (50, 60)]), P("c", [(95, 200)])], [])
    assert index.record_ids("f", 0, 5) == ["a"]
    assert index.record_ids("f", 15, 55) == ["a", "b"]
    assert index.record_ids("f", 99, 101) == ["a", "c"]
    assert index.record_ids("f", 100, 150) == ["c"]
    assert index.record_ids("f", 200, 300) == []
    assert index.record_ids("g", 0, 300) == []


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                         st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=10), json_values, max_size=6), max_size=4))
def test_record_json_matches_json_dumps(records):
    expected = json.dumps(records, ensure_ascii=False, indent=1, allow_nan=False) + "\n"
    body = "".join(("[\n " if i == 0 else ",\n ") + record_json(r) for i, r in enumerate(records))
    assert (body + "\n]\n" if records else "[]\n") == expected


def test_record_json_refuses_nan():
    with pytest.raises(ValueError):
        record_json({"x": math.nan})


def test_make_chunks_keeps_order_and_every_file(small_corpus):
    files = sorted(small_corpus.rglob("*.txt"))
    chunks = engines.make_chunks(files, workers=2, chunk_bytes=10_000)
    assert [p for c in chunks for p in c] == [str(f) for f in files]
    assert len(chunks) > 2


def test_make_chunks_shrink_towards_the_end(small_corpus):
    """Guided scheduling: each chunk stops once it holds a quarter-per-worker of what was left (capped
    at chunk_bytes), so the last chunks are small and no worker is left with a large one."""
    files = sorted(small_corpus.rglob("*.txt"))
    size = {str(f): f.stat().st_size for f in files}
    chunks = engines.make_chunks(files, workers=2, chunk_bytes=10_000)
    remaining = sum(size.values())
    for chunk in chunks[:-1]:
        target = min(10_000, remaining // 8)
        held = [size[p] for p in chunk]
        assert sum(held) >= target and sum(held[:-1]) < target  # closed at the first file reaching it
        remaining -= sum(held)
    first, last_ones = sum(size[p] for p in chunks[0]), [sum(size[p] for p in c) for c in chunks[-4:]]
    assert max(last_ones) < first


def test_cli_workers_option(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(RAW), "--out", str(out), "--workers", "2", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "2 (local)" in result.output
    assert not (out / ".cache").exists()


def test_unknown_engine_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(app, ["run", str(RAW), "--out", str(tmp_path), "--engine", "spark"])
    assert result.exit_code == 2
    with pytest.raises(ValueError):
        pipeline.run(RAW, tmp_path, engine="spark")


def test_main_process_freezes_what_it_holds_and_unfreezes_after(small_corpus, serial_outputs, tmp_path,
                                                                 monkeypatch):
    import gc

    monkeypatch.setattr(pipeline, "FREEZE_EVERY_PAGES", 1)
    frozen_at_dedupe = []
    real_dedupe = pipeline.dedupe

    def watching(mentions, statements):
        frozen_at_dedupe.append(gc.get_freeze_count())
        return real_dedupe(mentions, statements)

    monkeypatch.setattr(pipeline, "dedupe", watching)
    assert gc.get_freeze_count() == 0
    pipeline.run(small_corpus, tmp_path / "ok", workers=1)
    assert frozen_at_dedupe and frozen_at_dedupe[0] > 0  # the mentions were out of the collector's reach
    assert gc.get_freeze_count() == 0  # and back under it after the run
    assert read_outputs(tmp_path / "ok") == serial_outputs["corpus"]

    def failing(mentions, statements):
        raise RuntimeError("dedupe failed")

    monkeypatch.setattr(pipeline, "dedupe", failing)
    with pytest.raises(RuntimeError):
        pipeline.run(small_corpus, tmp_path / "failed", workers=1)
    assert gc.get_freeze_count() == 0  # also when the run fails
