"""Progress events of pipeline.run and the progress bar drawn from them."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

from rich.console import Console

from kp_extract.run.pipeline import run
from kp_extract.run.progress import DEDUPE, PAGES, ProgressBar, ProgressEvent, ProgressTally, rate_and_eta

RAW = Path(__file__).resolve().parents[2] / "raw"


def test_run_reports_every_page_then_the_dedup(tmp_path):
    pages = tmp_path / "in"
    pages.mkdir()
    seeds = sorted(RAW.glob("*.txt"))[:2]
    for f in seeds:
        shutil.copy(f, pages / f.name)
    (pages / "zz_image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    events: list[ProgressEvent] = []
    summary = run(pages, tmp_path / "out", workers=1, progress=events.append)
    assert [e.pages_done for e in events] == [0, 1, 2, 3, 3]
    assert {e.pages_total for e in events} == {3}
    assert [e.stage for e in events] == [PAGES] * 4 + [DEDUPE]
    assert [e.pages_skipped for e in events] == [0, 0, 0, 1, 1]
    assert events[-1].blocks == summary.blocks
    counts = [(e.blocks, e.mentions) for e in events]
    assert counts == sorted(counts) and events[2].mentions > events[1].mentions > 0


def test_without_a_callback_nothing_is_counted():
    tally = ProgressTally(None, 4)
    tally.page(object())
    tally.stage(DEDUPE)
    assert tally.event.pages_done == 0


def test_rate_and_eta():
    assert rate_and_eta(ProgressEvent(pages_total=10), 5.0) == ("- pages/s", "-:--:--")
    assert rate_and_eta(ProgressEvent(pages_total=100, pages_done=20), 10.0) == ("2.0 pages/s", "0:00:40")
    assert rate_and_eta(ProgressEvent(pages_total=10000, pages_done=1), 1.0) == ("1.0 pages/s", "2:46:39")
    assert rate_and_eta(ProgressEvent(pages_total=100, pages_done=100, stage=DEDUPE), 50.0)[1] == "0:00:00"


def test_the_bar_shows_pages_blocks_mentions_rate_and_eta():
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120, color_system=None)
    ticks = iter([0.0, 4.0])
    with ProgressBar(console, clock=lambda: next(ticks)) as bar:
        bar(ProgressEvent(pages_total=10))
        bar(ProgressEvent(pages_total=10, pages_done=2, blocks=40, mentions=6))
        bar.progress.refresh()
        shown = buffer.getvalue()
    assert "pages" in shown and "2/10" in shown
    assert "40 blocks 6 mentions" in shown
    assert "0.5 pages/s" in shown and "ETA 0:00:16" in shown


def test_a_console_that_is_no_terminal_gets_no_bar():
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False)
    with ProgressBar(console) as bar:
        bar(ProgressEvent(pages_total=3))
        bar(ProgressEvent(pages_total=3, pages_done=3))
    assert buffer.getvalue() == ""
