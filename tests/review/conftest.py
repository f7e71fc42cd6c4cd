"""Fixtures the review tests share: the seeds' output with its report."""
from __future__ import annotations

from pathlib import Path

import pytest

from kp_extract.review.report import write_report
from kp_extract.run.pipeline import run
from tests.conftest import ROOT

RAW = ROOT / "raw"


@pytest.fixture(scope="session")
def seeds_out(tmp_path_factory) -> Path:
    """The pipeline's output on raw/ with its report (report.html); tests read it, never write it."""
    out = tmp_path_factory.mktemp("report-seeds")
    run(RAW, out, workers=1)
    write_report(out, RAW)
    return out
