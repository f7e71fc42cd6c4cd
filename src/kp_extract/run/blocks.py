"""blocks.jsonl: one row per text block of the pages, with the records it fed, the pairs the model
scored in it and, when it fed none, why. SpanIndex answers which records fed a span."""
from __future__ import annotations

import bisect
import json
from collections.abc import Iterator
from itertools import accumulate

from kp_extract.run.pages import PageOutput

NO_RECORD_REASONS = {
    "chrome": "site chrome",
    "footer": "footer of an item that named no project",
    "heading": "heading names no project or partnership",
    "title": "title line of an item that named no partner pair",
    "prose": "no project or partnership named",
    "bullet": "bullet names no project",
}


class SpanIndex:
    """Which records fed which spans, per file: overlap queries in O(log n + hits)."""

    def __init__(self, projects, partnerships):
        fed: dict[str, list[tuple[int, int, str]]] = {}
        for p in projects:
            rid = p.record_id
            for s in p.sources:
                spans = fed.get(s.file)
                if spans is None:
                    spans = fed[s.file] = []
                spans.append((s.start, s.end, rid))
        self.fed = {f: self._index(spans) for f, spans in fed.items()}
        part: dict[str, list[tuple[int, int, str]]] = {}
        for r in partnerships:
            for s in r.sources:
                spans = part.get(s.file)
                if spans is None:
                    spans = part[s.file] = []
                spans.append((s.start, s.end, ""))
        self.partnered = {f: self._index(spans) for f, spans in part.items()}

    @staticmethod
    def _index(spans: list[tuple[int, int, str]]):
        """(starts, spans, max_end) of spans sorted without repeats; max_end[i] is the largest end
        of spans[0..i] (spans before index i end at most max_end[i])."""
        spans = sorted(set(spans))
        max_end = list(accumulate([e for _, e, _ in spans], max))
        return [s for s, _, _ in spans], spans, max_end

    @staticmethod
    def _bounds(index, start: int, end: int) -> tuple[int, int]:
        """(lo, hi): the spans that may overlap [start, end) are spans[lo:hi]: those starting before
        the block ends, without the prefix whose spans all end at or before the block starts. spans[lo]
        itself overlaps when lo < hi: max_end[lo] > start while max_end[lo - 1] <= start, so its end is
        the one above start."""
        starts, _, max_end = index
        hi = bisect.bisect_left(starts, end)
        return bisect.bisect_right(max_end, start, 0, hi), hi

    @staticmethod
    def _overlapping(index, start: int, end: int) -> Iterator[tuple[int, int, str]]:
        lo, hi = SpanIndex._bounds(index, start, end)
        return (span for span in index[1][lo:hi] if span[1] > start)

    def record_ids(self, file: str, start: int, end: int) -> list[str]:
        index = self.fed.get(file)
        if index is None:
            return []
        lo, hi = self._bounds(index, start, end)
        if lo >= hi:
            return []
        return sorted({rid for _, e, rid in index[1][lo:hi] if e > start})

    def partnered_within(self, file: str, start: int, end: int) -> bool:
        index = self.partnered.get(file)
        if index is None:
            return False
        lo, hi = self._bounds(index, start, end)
        return lo < hi  # see _bounds: spans[lo] overlaps


def block_row(index: SpanIndex, file: str, start: int, end: int, kind: str, language, item: int,
              section: int, page_reason: str | None = None, candidates: tuple = ()) -> dict:
    """One blocks.jsonl row: where the block is, what it is, the records it fed, the pairs the model
    scored in it (candidates: (start, end, Swedish body, partner abroad, partner score, project score)
    of the page), and why it fed no record: the page's kind when it gave no project at all, else the
    block's."""
    ids = index.record_ids(file, start, end) if kind != "chrome" else []
    row = {"file": file, "start": start, "end": end, "kind": kind, "language": language,
           "item": item, "section": section, "record_ids": ids}
    here = [c for c in candidates if start <= c[0] < end] if kind != "chrome" else []
    if here:
        row["candidates"] = [{"swedish_partner": sw, "international_partner": intl, "partner_score": ps,
                              "project_score": js} for _s, _e, sw, intl, ps, js in here]
    if not ids:
        if kind == "chrome":
            row["reason"] = NO_RECORD_REASONS["chrome"]
        elif index.partnered_within(file, start, end):
            row["reason"] = "partnership statement only"
        elif here:
            best = max(max(ps, js) for _s, _e, _sw, _i, ps, js in here)
            row["reason"] = f"candidate pairs below the confidence threshold (best score {best:.2f})"
        elif page_reason:
            row["reason"] = f"page gives no project: {page_reason}"
        else:
            row["reason"] = NO_RECORD_REASONS.get(kind, "no record")
    return row


def block_records(outputs: list[PageOutput], projects, partnerships) -> list[dict]:
    """One row per block of in-memory PageOutputs (the streaming run uses block_row directly)."""
    index = SpanIndex(projects, partnerships)
    return [block_row(index, b.file, b.start, b.end, b.kind, b.language, b.item, b.section,
                      o.result.no_record_reason, candidate_spans(o.result.candidates))
            for o in outputs for b in o.blocks]


def candidate_spans(rows: list[dict]) -> tuple:
    """What blocks.jsonl shows of a page's candidate rows: (start, end, Swedish body, partner abroad, partner
    score, project score), in page order."""
    return tuple(sorted((r["start"], r["end"], r["swedish_partner"], r["international_partner"],
                         r["partner_score"], r["project_score"]) for r in rows))


def spooled_block_rows(spool, projects, partnerships) -> Iterator[dict]:
    """The blocks.jsonl rows of the run's spooled pages ([file, block rows, page reason, candidate spans]
    lines), with the records each block fed."""
    index = SpanIndex(projects, partnerships)
    for line in spool:
        file, rows, page_reason, candidates = json.loads(line)
        for start, end, kind, language, item, section in rows:
            yield block_row(index, file, start, end, kind, language, item, section, page_reason, candidates)
