"""The pipeline: wires the stages, nothing more.

read -> clean -> segment -> language -> extract (per page) -> dedupe (corpus)
-> export. A failure inside one page is caught at the page boundary and
reported; the run goes on.
"""
from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .clean import clean_page
from .dedupe import dedupe
from .export import write_outputs
from .extract import PageResult, extract_page
from .language import assign_languages
from .model import Block, FileError, Mention, Page, PartnershipMention
from .read import read_pages
from .segment import segment_page

log = logging.getLogger(__name__)

NO_RECORD_REASONS = {
    "chrome": "site chrome",
    "footer": "footer of an item that named no project",
    "heading": "heading names no project or partnership",
    "title": "title line of an item that named no partner pair",
    "prose": "no project or partnership named",
    "bullet": "bullet names no project",
}


@dataclass
class PageOutput:
    """What one page contributes: its blocks, mentions and partnership statements."""

    file: str
    blocks: list[Block]
    result: PageResult


@dataclass
class RunSummary:
    pages_read: int = 0
    pages_skipped: int = 0
    blocks: int = 0
    projects: int = 0
    partnerships: int = 0
    merged: int = 0
    possible_duplicates: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    errors: list[FileError] = field(default_factory=list)


def process_page(page: Page) -> PageOutput:
    """Every per-page stage for one page."""
    page = clean_page(page)
    blocks = assign_languages(segment_page(page))
    return PageOutput(page.file, blocks, extract_page(page, blocks))


def run(input_dir: Path, out_dir: Path) -> RunSummary:
    """Run the whole pipeline over input_dir and write the outputs to out_dir."""
    t0 = time.perf_counter()
    summary = RunSummary()
    outputs: list[PageOutput] = []
    for item in read_pages(Path(input_dir)):
        if isinstance(item, FileError):
            summary.errors.append(item)
            continue
        try:
            outputs.append(process_page(item))
            summary.pages_read += 1
        except Exception as exc:  # noqa: BLE001 - one bad page must not stop the run
            log.debug("page %s failed", item.file, exc_info=True)
            summary.errors.append(FileError(item.file, "extract", f"{exc.__class__.__name__}: {exc}"))
    summary.pages_skipped = len(summary.errors)
    mentions: list[Mention] = [m for o in outputs for m in o.result.mentions]
    statements: list[PartnershipMention] = [s for o in outputs for s in o.result.partnerships]
    projects, partnerships, merged = dedupe(mentions, statements)
    block_rows = block_records(outputs, projects, partnerships)
    write_outputs(Path(out_dir), projects, partnerships, block_rows, summary.errors)
    summary.blocks = len(block_rows)
    summary.projects = len(projects)
    summary.partnerships = len(partnerships)
    summary.merged = merged
    summary.possible_duplicates = sum(1 for p in projects if p.possible_duplicates)
    summary.languages = dict(sorted(Counter(b.language for o in outputs for b in o.blocks
                                            if b.language and b.kind in ("prose", "bullet")).items()))
    summary.seconds = time.perf_counter() - t0
    return summary


def block_records(outputs: list[PageOutput], projects, partnerships) -> list[dict]:
    """One row per block: where it is, what it is, and the records it fed (or why none)."""
    fed: dict[tuple[str, int, int], list[str]] = {}
    for p in projects:
        for s in p.sources:
            fed.setdefault((s.file, s.start, s.end), []).append(p.record_id)
    partnered: set[tuple[str, int, int]] = {(s.file, s.start, s.end) for r in partnerships for s in r.sources}
    rows = []
    for o in outputs:
        for b in o.blocks:
            ids = sorted({rid for (f, s, e), rs in fed.items() if f == b.file and s < b.end and b.start < e
                          for rid in rs}) if b.kind != "chrome" else []
            row = {"file": b.file, "start": b.start, "end": b.end, "kind": b.kind, "language": b.language,
                   "item": b.item, "section": b.section, "record_ids": ids}
            if not ids:
                within = any(f == b.file and s < b.end and b.start < e for f, s, e in partnered)
                row["reason"] = ("partnership statement only" if within and b.kind != "chrome"
                                 else NO_RECORD_REASONS.get(b.kind, "no record"))
            rows.append(row)
    return rows
