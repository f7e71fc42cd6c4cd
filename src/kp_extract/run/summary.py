"""The end-of-run summary `kp-extract run` prints on stderr.

`summary_rows` turns a pipeline.RunSummary into (label, value) rows: pages read,
skipped (and why, one sub-row per stage and reason group), partly read (and why),
the files of the input folder not read (counted per suffix, the first few named), pages with no
record (or, for a run that read no page, that nothing was written), blocks, projects,
partnerships, merged duplicates, possible duplicates, conflicts (records whose
sources disagree about a value), reviewer decisions applied and unmatched (each unmatched one listed
with why), languages,
contacts, workers, cache hits (and cache entries ignored as damaged or foreign), time.
Wall-clock time appears here only, never in a file. `plain_lines` renders them as aligned text (stderr is not a terminal), `rich_table`
as a rich Table (it is).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

Row = tuple[str, str]
SUB = "  "  # indent of a reason row under its pages row


def reason_group(error: Any) -> str:
    """"stage: what" for a FileError, without the file-specific detail: "read: binary content"
    for "binary content (PNG image)", "extract: ValueError" for "ValueError: ...". """
    head = re.split(r" \(|:", str(error.reason), maxsplit=1)[0].strip()
    return f"{error.stage}: {head or 'unknown'}"


def _why_rows(errors: Iterable[Any]) -> list[Row]:
    counts = Counter(reason_group(e) for e in errors)
    return [(SUB + group, str(n)) for group, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


NOT_READ_NAMES = 5  # names of files not read that the summary shows; pages.csv lists them all


def not_read_text(files: list[str], names: int = NOT_READ_NAMES) -> str:
    """"3 files (2 .pdf, 1 .png): a.pdf, b.pdf, c.png" for the files of the input folder that are not
    read: how many, per suffix (most first), and the first few names ("…" when there are more)."""
    suffixes = Counter(PurePosixPath(f).suffix.lower() or "no suffix" for f in files)
    kinds = ", ".join(f"{n} {suffix}" for suffix, n in sorted(suffixes.items(), key=lambda kv: (-kv[1], kv[0])))
    shown = ", ".join(files[:names]) + (", …" if len(files) > names else "")
    return f"{len(files)} file{'s' if len(files) != 1 else ''} ({kinds}): {shown}"


def _languages(langs: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(langs.items(), key=lambda kv: (-kv[1], kv[0]))) or "-"


# unmatched decisions listed one per row in the summary; all of them are in decisions-unmatched.csv
UNMATCHED_LISTED = 20


def _decision_rows(s: Any) -> list[Row]:
    """With --decisions: how many applied and matched nothing, then a row per unmatched decision
    (action and target, and why)."""
    if getattr(s, "decisions_applied", None) is None:
        return []
    from kp_extract.privacy import scrub_contacts

    unmatched = list(getattr(s, "decisions_unmatched", None) or [])
    rows = [("decisions", f"{s.decisions_applied} applied, {len(unmatched)} unmatched"
             + (" (decisions-unmatched.csv)" if unmatched else ""))]
    for d, why in unmatched[:UNMATCHED_LISTED]:
        rows.append((SUB + scrub_contacts(f"unmatched {d.action} {d.target}"), scrub_contacts(why)))
    if len(unmatched) > UNMATCHED_LISTED:
        rows.append((SUB + "...", f"{len(unmatched) - UNMATCHED_LISTED} more (decisions-unmatched.csv)"))
    return rows


def summary_rows(s: Any) -> list[Row]:
    """The rows of the summary of a RunSummary (attributes added later are optional)."""
    errors = list(getattr(s, "errors", None) or [])
    skipped = [e for e in errors if not e.partial]
    partial = [e for e in errors if e.partial]
    rows: list[Row] = [("pages read", str(s.pages_read)), ("pages skipped", str(s.pages_skipped))]
    rows += _why_rows(skipped)
    if getattr(s, "pages_partial", 0) or partial:
        rows.append(("pages partly read", str(getattr(s, "pages_partial", len(partial)))))
        rows += _why_rows(partial)
    if getattr(s, "not_read", None):
        rows.append(("not read", not_read_text(s.not_read)))
    if not getattr(s, "output_written", True):  # no record counts: there are none, and nothing was written
        rows.append(("output", f"not written: {s.not_written_reason or 'no page read'}; the folder is as it was"))
        rows.append(("time", f"{float(s.seconds):.2f} s"))
        return rows
    rows.append(("pages with no record", f"{getattr(s, 'pages_no_record', 0)} (reasons in pages.csv)"))
    rows += [
        ("blocks", str(s.blocks)),
        ("projects", str(s.projects)),
        ("partnerships", str(s.partnerships)),
        ("merged duplicates", str(s.merged)),
        ("possible duplicates", str(s.possible_duplicates)),
    ]
    if hasattr(s, "conflicts"):
        rows.append(("conflicts", f"{s.conflicts} records with disagreeing sources"))
    if hasattr(s, "candidates"):
        t_project, t_partner = getattr(s, "min_confidence", (0.5, 0.5))
        at = f"{t_project:g}" if t_project == t_partner else f"{t_project:g} projects, {t_partner:g} partnerships"
        rows.append(("below confidence", f"{s.candidates} (candidates.jsonl; threshold {at})"))
    if getattr(s, "manifest_rows", None) is not None:
        rows.append(("manifest", manifest_text(s)))
    rows += _decision_rows(s)
    rows.append(("languages", _languages(getattr(s, "languages", None) or {})))
    if getattr(s, "contacts", None) is not None:
        rows.append(("contacts", str(s.contacts)))
    if getattr(s, "workers", None):
        rows.append(("workers", f"{s.workers} ({getattr(s, 'engine', 'local')})"))
    hits, misses = getattr(s, "cache_hits", None), getattr(s, "cache_misses", None)
    if hits is not None:
        rows.append(("cache hits", f"{hits} of {hits + (misses or 0)} pages"))
    if getattr(s, "cache_rejected", 0):
        rows.append(("cache", f"{s.cache_rejected} damaged or foreign entries ignored (recomputed)"))
    rows.append(("time", f"{float(s.seconds):.2f} s"))
    return rows


def manifest_text(s: Any) -> str:
    """What the run made of --manifest: its rows, those naming no input file (the first few by name)
    and the input files it has no row for."""
    unmatched = list(getattr(s, "manifest_unmatched", None) or [])
    text = f"{s.manifest_rows} rows, {s.manifest_rows - len(unmatched)} matched"
    if unmatched:
        shown = ", ".join(unmatched[:3]) + (", …" if len(unmatched) > 3 else "")
        text += f"; {len(unmatched)} name no input file ({shown})"
    without = getattr(s, "pages_without_row", 0)
    if without:
        text += f"; {without} input files have no row"
    return text


def title(input_dir: Path, out_dir: Path) -> str:
    return f"kp-extract {input_dir} -> {out_dir}"


def plain_lines(input_dir: Path, out_dir: Path, s: Any) -> list[str]:
    """The summary as aligned text lines, a title line first."""
    rows = summary_rows(s)
    width = max(len(k) for k, _ in rows)
    return [title(input_dir, out_dir)] + [f"  {k.ljust(width)}  {v}" for k, v in rows]


def rich_table(input_dir: Path, out_dir: Path, s: Any):
    """The summary as a rich Table (for a terminal)."""
    from rich.table import Table

    table = Table(title=title(input_dir, out_dir), title_justify="left", show_header=False, box=None,
                  padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(justify="right")
    for k, v in summary_rows(s):
        table.add_row(k, v, style="dim" if k.startswith(SUB) else None)
    return table


def error_lines(errors: list, limit: int = 20) -> list[str]:
    """One line per error: "skipped" for a file that gave nothing, "partly read" for a page that
    was processed with a warning; contact details scrubbed; at most `limit` lines and a count."""
    from kp_extract.privacy import scrub_contacts

    lines = []
    for e in errors[:limit]:
        verb = "partly read" if e.partial else "skipped"
        lines.append(f"  {verb} {e.file} ({e.stage}): {scrub_contacts(str(e.shown_reason()))}")
    if len(errors) > limit:
        lines.append(f"  ... and {len(errors) - limit} more (see errors.jsonl)")
    return lines
