"""Hypothesis fuzzing (issue 5): arbitrary text and mutated seed pages through every stage and
through the whole pipeline on one page (process_page + dedupe + export). No exception escapes,
every exported record validates against the schema, every source offset lies inside its page."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kp_extract.run import pages
from kp_extract.run.blocks import SpanIndex, block_row
from kp_extract.privacy import find_contacts, scrub_contacts
from kp_extract.stages.s2_clean import clean_page
from kp_extract.stages.s6_dedupe import dedupe
from kp_extract.outputs.records import PROJECT_FIELDS, partnership_to_dict, project_to_dict
from kp_extract.outputs.schema import validate_records
from kp_extract.stages.s5_extract import extract_page
from kp_extract.stages.s4_language import assign_languages
from kp_extract.model import Page
from kp_extract.stages.s1_read import blank_long_lines, decode_bytes, normalise_text
from kp_extract.stages.s3_segment import segment_page
from kp_extract.outputs.writer import write_outputs
from tests.conftest import RAW
from tests.outputs.reference_writer import records_csv

SEEDS = [p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))]
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Text that looks like page dumps: Swedish letters, punctuation, digits, newlines, odd Unicode.
page_alphabet = st.characters(blacklist_categories=("Cs",))
any_text = st.text(page_alphabet, max_size=400)
noise = st.text(st.sampled_from(list("\n\n\n  :.,–-•*()0123456789åäöÅÄÖ@+=\t\r\x00\ufeff\u200b\u00a0é"))
                | page_alphabet, min_size=1, max_size=20)


@st.composite
def mutated_seed(draw) -> str:
    """A seed page (or a window of one) with lines deleted, glued, blocks shuffled, Unicode inserted."""
    text = draw(st.sampled_from(SEEDS))
    lo = draw(st.integers(0, max(0, len(text) - 1)))
    text = text[lo:lo + draw(st.integers(200, 6000))]
    lines = text.split("\n")
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["delete", "glue", "insert", "shuffle", "duplicate"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "glue" and i + 1 < len(lines):
            lines[i:i + 2] = [lines[i] + lines[i + 1]]
        elif op == "insert":
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(noise) + lines[i][pos:]
        elif op == "shuffle":
            blocks = "\n".join(lines).split("\n\n")
            blocks = draw(st.permutations(blocks))
            lines = "\n\n".join(blocks).split("\n")
        elif op == "duplicate":
            lines.insert(i, lines[i])
    return "\n".join(lines)


def page_of(text: str) -> Page:
    text, _ = blank_long_lines(normalise_text(text))
    return Page("fuzz.txt", text, "")


def check_stages(text: str) -> None:
    page = clean_page(page_of(text))
    n = len(page.text)
    assert all(0 <= s < e <= n for s, e in page.chrome)
    for row in find_contacts(page):
        assert 0 <= row[0] < row[1] <= n
    blocks = assign_languages(segment_page(page))
    for b in blocks:
        assert 0 <= b.start <= b.end <= n and b.text == page.text[b.start:b.end]
    result = extract_page(page, blocks)
    for m in result.mentions:
        assert all(0 <= s.start <= s.end <= n and s.file == "fuzz.txt" for s in m.sources)
    for s in result.partnerships:
        assert 0 <= s.source.start <= s.source.end <= n
    scrub_contacts(text)


def check_pipeline(text: str) -> None:
    page = page_of(text)
    out = pages.process_page(page)
    projects, partnerships, _ = dedupe(list(out.result.mentions), list(out.result.partnerships))
    pj = [project_to_dict(p) for p in projects]
    sj = [partnership_to_dict(p) for p in partnerships]
    assert validate_records(pj, sj) == []
    n = len(page.text)
    for rec in pj + sj:
        for src in rec["sources"]:
            assert src["file"] == "fuzz.txt" and 0 <= src["start"] <= src["end"] <= n
    records_csv(pj, PROJECT_FIELDS)
    digest = pages.digest(out)
    index = SpanIndex(projects, partnerships)
    rows = [block_row(index, page.file, *row, digest.no_record_reason) for row in digest.blocks]
    with tempfile.TemporaryDirectory() as tmp:
        write_outputs(Path(tmp), projects, partnerships, rows, [])
        assert json.loads((Path(tmp) / "projects.json").read_text(encoding="utf-8")) == pj


@settings(max_examples=40, **SETTINGS)
@given(raw=st.binary(max_size=600))
def test_decode_any_bytes(raw):
    from kp_extract.stages.s1_read import ReadError

    try:
        text, encoding = decode_bytes(raw)
    except ReadError as exc:
        assert exc.reason
        return
    assert isinstance(text, str) and encoding
    norm = normalise_text(text)
    assert "\r" not in norm and "\x00" not in norm


@settings(max_examples=40, **SETTINGS)
@given(text=any_text)
def test_every_stage_on_arbitrary_text(text):
    check_stages(text)


@settings(max_examples=50, **SETTINGS)
@given(text=mutated_seed())
def test_every_stage_on_mutated_seed_pages(text):
    check_stages(text)


@settings(max_examples=50, **SETTINGS)
@given(text=any_text)
def test_pipeline_on_arbitrary_text(text):
    check_pipeline(text)


@settings(max_examples=50, **SETTINGS)
@given(text=mutated_seed())
def test_pipeline_on_mutated_seed_pages(text):
    check_pipeline(text)


@settings(max_examples=50, **SETTINGS)
@given(text=any_text)
def test_scrub_removes_every_address(text):
    from kp_extract.privacy import _rules

    out = scrub_contacts(text + " anna.ek@vaxjo.se " + text)
    assert _rules().email.search(out) is None
