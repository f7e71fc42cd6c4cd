"""End to end on the invented page fixtures (tests/fixtures/pages/): the generalisation floor.

The pages cover the phenomena listed in tests/fixtures/pages/README_*.md (sets a to f; c to f
were written as held-out sets, from the GUIDE alone): other municipalities, countries and layouts,
both languages, pages with no records. Their gold follows the GUIDE.
"""
from __future__ import annotations

from pathlib import Path

from kp_extract.run.pipeline import run
from kp_extract.review.evaluate import evaluate

FIXTURES = Path(__file__).parent / "fixtures"


def test_fixture_pages_meet_the_floor(tmp_path: Path) -> None:
    run(FIXTURES / "pages", tmp_path)
    report = evaluate(tmp_path, FIXTURES / "pages.gold.json")
    detail = "\n".join(report.misses)
    assert report.overall.f1 >= 0.95, detail
    assert report.records.f1 >= 0.95, detail
    assert report.partnerships.f1 >= 0.95, detail
