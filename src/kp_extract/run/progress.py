"""Progress of a run: the events pipeline.run reports and the bar the command line draws.

pipeline.run(progress=callback) calls the callback in the main process: once before the
first page (pages_done 0, pages_total known), once per finished page (read, skipped or
served from the cache) with cumulative counts, and once when the pages are done and the
corpus-wide dedup and export start (stage "dedupe"). `ProgressBar` turns those events
into a rich progress bar; the command line only uses it when stderr is a terminal.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

PAGES = "pages"
DEDUPE = "dedupe"


@dataclass(frozen=True)
class ProgressEvent:
    """Cumulative counts of a run so far. mentions: project mentions found (records before dedup)."""

    pages_total: int
    pages_done: int = 0
    pages_skipped: int = 0
    blocks: int = 0
    mentions: int = 0
    stage: str = PAGES


ProgressCallback = Callable[[ProgressEvent], None]


class ProgressTally:
    """Keeps the counts of a run and hands each new event to a callback (does nothing without one)."""

    def __init__(self, callback: ProgressCallback | None, pages_total: int):
        self.callback = callback
        self.event = ProgressEvent(pages_total=pages_total)
        self._emit()

    def page(self, item: Any) -> None:
        """One page finished: a PageDigest (blocks, mentions) or a FileError (skipped)."""
        if self.callback is None:
            return
        e = self.event
        if hasattr(item, "blocks"):
            self.event = replace(e, pages_done=e.pages_done + 1, blocks=e.blocks + len(item.blocks),
                                 mentions=e.mentions + len(item.mentions))
        else:
            self.event = replace(e, pages_done=e.pages_done + 1, pages_skipped=e.pages_skipped + 1)
        self._emit()

    def stage(self, name: str) -> None:
        """The run moved on to another stage (DEDUPE: the pages are all done)."""
        self.event = replace(self.event, stage=name)
        self._emit()

    def _emit(self) -> None:
        if self.callback is not None:
            self.callback(self.event)


STAGE_LABELS = {PAGES: "pages", DEDUPE: "writing"}


def rate_and_eta(event: ProgressEvent, elapsed: float) -> tuple[str, str]:
    """("12.5 pages/s", "0:01:20") from the pages done in `elapsed` seconds since the first event.

    The rate is the average over the whole run: pages come back from the workers in chunks, so a
    recent-window rate would jump. Unknown values are dashes; the ETA is 0 once the pages are done.
    """
    if event.pages_done == 0 or elapsed <= 0:
        return "- pages/s", "-:--:--"
    rate = event.pages_done / elapsed
    left = max(0, event.pages_total - event.pages_done)
    seconds = round(left / rate) if event.stage == PAGES else 0
    return f"{rate:.1f} pages/s", f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class ProgressBar:
    """A rich progress bar fed by ProgressEvents: pages done/total, blocks, mentions, pages/s, ETA.

    Use as a context manager around pipeline.run(progress=bar); the bar is removed when it ends.
    Draws nothing when the console is not a terminal.
    """

    def __init__(self, console: Any, clock: Callable[[], float] = time.monotonic):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=20),
            MofNCompleteColumn(),
            TextColumn("{task.fields[blocks]} blocks {task.fields[mentions]} mentions"),
            TextColumn("{task.fields[rate]}"),
            TextColumn("ETA {task.fields[eta]}"),
            console=console,
            transient=True,
            disable=not console.is_terminal,  # a log file or pipe gets no bar, not even a blank line
        )
        self.task = self.progress.add_task(STAGE_LABELS[PAGES], total=None, visible=False, blocks=0,
                                           mentions=0, rate="- pages/s", eta="-:--:--")
        self.clock = clock
        self.started: float | None = None

    def __enter__(self) -> ProgressBar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, event: ProgressEvent) -> None:
        now = self.clock()
        if self.started is None:
            self.started = now
        rate, eta = rate_and_eta(event, now - self.started)
        self.progress.update(
            self.task, total=event.pages_total, completed=event.pages_done,
            description=STAGE_LABELS.get(event.stage, event.stage),
            blocks=event.blocks, mentions=event.mentions, rate=rate, eta=eta, visible=True,
        )
        if event.pages_done == 0 or event.stage != PAGES:  # else the bar's own timer redraws it
            self.progress.refresh()
