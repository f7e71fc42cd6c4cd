"""`kp-extract inspect FILE`: one page's blocks and mentions, values highlighted in the terminal.

The page goes through the per-page stages (pages.process_page: clean, segment, language,
extract). Each block is printed with its index, kind, language and offsets, and its text with the
values of the mentions that cite it marked in place (highlight.find_value_spans): in colour on a
terminal, as «value» in plain output. Contact details are hidden as in the review report.

With a run's output folder (`run_page`), the page is found as the run names it, in the input
folder the run recorded (or another one), and shown only when its bytes are those the run read
(report.check_page): a page that changed since the run is not shown as the run's source.
"""
from __future__ import annotations

import bisect
import sys
from pathlib import Path

from rich.console import Console
from rich.text import Text

from kp_extract.review.highlight import FIELDS, find_value_spans, mention_values, non_overlapping, render_segments
from kp_extract.model import Block, Mention, PartnershipMention
from kp_extract.stages.s1_read import ReadError, read_page

# Terminal colours of the marked fields (background colours, as in the report).
STYLES = {
    "title": "black on yellow", "swedish_partners": "black on green", "international_partners": "black on cyan",
    "other_participants": "black on bright_cyan", "countries": "black on bright_red", "start_date": "black on magenta",
    "end_date": "black on magenta", "amount_sek": "black on red", "sdgs": "black on bright_magenta",
    "duration_years": "black on bright_blue", "project_areas": "black on bright_green", "themes": "black on bright_yellow",
    "tags": "black on white",
}
PLAIN_MARK = ("«", "»")


class InspectError(Exception):
    """The file cannot be shown (unreadable, not text, empty, gone)."""


class PageChanged(InspectError):
    """The page's bytes are not those the run read."""


def run_page(out_dir: Path, file: str, input_dir: Path | None = None) -> tuple[Path, Path, list[str]]:
    """(page path, input folder, header lines) of the page `file` (its path relative to the input folder,
    as the run's sources name it) of the run whose output is out_dir: found in input_dir, else in the
    input folder out_dir/datapackage.json records, and hashed. InspectError when it is gone,
    PageChanged when its bytes differ from those the run recorded."""
    from kp_extract.review.report import CHANGED, GONE, OK, check_page, recorded_input

    recorded = recorded_input(Path(out_dir))
    folder = Path(input_dir) if input_dir is not None else recorded.folder
    name = Path(file).as_posix()
    check = check_page(name, folder, recorded.sha256.get(name))
    if check.status == GONE:
        raise InspectError(f"page {name} of the run in {out_dir}: {check.note}")
    if check.status == CHANGED:
        raise PageChanged(f"page {name} changed since the run in {out_dir}: {check.note}; "
                          "inspect it without --run to see it as it is now")
    lines = [f"{name}: the page the run in {out_dir} read (sha256 matches)" if check.status == OK
             else f"{name}: not checked: {check.note}"]
    if name in recorded.urls:
        lines.append(f"source: {recorded.urls[name]}")
    if folder is None:  # check_page calls a page without a folder gone: not reached
        raise InspectError(f"page {name} of the run in {out_dir}: no input folder recorded; use --input")
    return folder / name, folder, lines


def block_mentions(blocks: list[Block], mentions: list[Mention]) -> list[list[int]]:
    """For each block, the indexes of the mentions that cite it as a source."""
    index = {(b.start, b.end): i for i, b in enumerate(blocks)}
    out: list[list[int]] = [[] for _ in blocks]
    for mi, m in enumerate(mentions):
        for s in m.sources:
            i = index.get((s.start, s.end))
            if i is not None and mi not in out[i]:
                out[i].append(mi)
    return out


def statement_values(s: PartnershipMention) -> dict:
    """A partnership statement's values in the record shape find_value_spans takes."""
    return {"swedish_partners": [s.swedish_partner.name], "international_partners": [s.international_partner],
            "countries": [s.country] if s.country else []}


def block_statements(blocks: list[Block], statements: list[PartnershipMention]) -> list[list[dict]]:
    """For each block, the values of the partnership statements inside it (a statement cites a
    sentence or a block)."""
    starts = [b.start for b in blocks]
    out: list[list[dict]] = [[] for _ in blocks]
    for st in statements:
        i = bisect.bisect_right(starts, st.source.start) - 1
        if i >= 0 and blocks[i].start <= st.source.start and st.source.end <= blocks[i].end:
            out[i].append(statement_values(st))
    return out


def block_text(block: Block, records: list[dict], color: bool) -> Text:
    """The block's text with the values of `records` (value mappings) marked (colour, or «...» when plain)."""
    spans = non_overlapping(s for r in records for s in find_value_spans(block.text, r))
    out = Text()
    for kind, text, span in render_segments(block.text, spans):
        if kind == "mark":
            if color and span is not None:  # a mark always carries its span
                out.append(text, style=STYLES.get(span.field, "reverse"))
            else:
                out.append(f"{PLAIN_MARK[0]}{text}{PLAIN_MARK[1]}")
        elif kind == "redacted":
            out.append(text, style="dim" if color else "")
        else:
            out.append(text)
    return out


def _period(m: Mention) -> str:
    if m.start_date or m.end_date:
        return f"{m.start_date or ''}–{m.end_date or ''}"
    return ""


def mention_lines(mentions: list[Mention], blocks: list[Block]) -> list[str]:
    """One line per mention: its values and the blocks it cites (plain text)."""
    index = {(b.start, b.end): i for i, b in enumerate(blocks)}
    lines = []
    for i, m in enumerate(mentions):
        cited = sorted({index[(s.start, s.end)] for s in m.sources if (s.start, s.end) in index})
        parts = [f"mention {i}" + (f" ({m.kind})" if m.kind != "project" else "") + ":",
                 f'"{m.title}"' if m.title else "(untitled)"]
        values = [
            ("Swedish", ", ".join(p.name for p in m.swedish_partners)),
            ("abroad", ", ".join(m.international_partners)), ("countries", ", ".join(m.countries)),
            ("period", _period(m)), ("SDGs", ", ".join(str(n) for n in m.sdgs)),
            ("years", "" if m.duration_years is None else f"{m.duration_years:g}"),
            ("SEK", "" if m.amount_sek is None else str(m.amount_sek)),
            ("blocks", " ".join(f"#{b}" for b in cited)),
        ]
        parts += [f"{k}: {v}" for k, v in values if v]
        lines.append(" | ".join(parts[:2]) if len(parts) == 2 else parts[0] + " " + " | ".join(parts[1:]))
    return lines


def show(path: Path, color: bool | None = None, console: Console | None = None, root: Path | None = None,
         header: list[str] | None = None) -> None:
    """Print the inspection of one page file to `console` (default: stdout). color None: colour only
    on a terminal. root: the input folder the page's name is relative to (default: its folder).
    header: lines printed first (run_page's)."""
    from kp_extract.run.pages import process_page

    path = Path(path)
    try:
        page = read_page(path, Path(root) if root is not None else path.parent)
    except ReadError as exc:
        raise InspectError(f"cannot read {path}: {exc.reason}") from None
    if not page.text.strip():
        raise InspectError(f"no text in {path}")
    if console is None:
        console = Console(file=sys.stdout, highlight=False, no_color=color is False,
                          force_terminal=True if color else None)
    use_color = console.is_terminal and not console.no_color if color is None else color
    for line in header or []:
        console.print(Text(line), soft_wrap=True)
    out = process_page(page)
    blocks, mentions = out.blocks, list(out.result.mentions)
    cites = block_mentions(blocks, mentions)
    stated = block_statements(blocks, list(out.result.partnerships))
    console.print(Text(f"{page.file}: {len(page.text)} characters ({page.encoding}), {len(blocks)} blocks, "
                       f"{len(mentions)} mentions, {len(out.result.partnerships)} partnership statements",
                       style="bold" if use_color else ""), soft_wrap=True)
    if use_color:
        legend = Text("marked: ")
        for f in FIELDS:
            legend.append(f, style=STYLES[f])
            legend.append(" ")
        console.print(legend, soft_wrap=True)
    for i, (b, cited) in enumerate(zip(blocks, cites)):
        head = f"#{i} {b.kind} {b.language or '-'} {b.start}-{b.end}"
        if cited:
            head += "  mentions " + ", ".join(str(m) for m in cited)
        if stated[i]:
            head += f"  partnership statements {len(stated[i])}"
        console.print()
        console.print(Text(head, style="bold cyan" if use_color else ""), soft_wrap=True)
        records = [mention_values(mentions[m]) for m in cited] + stated[i]
        body = block_text(b, records, use_color)
        console.print(_indent(body), soft_wrap=not console.is_terminal)
    console.print()
    if mentions:
        for line in mention_lines(mentions, blocks):
            console.print(Text(line, style="bold" if use_color else ""), soft_wrap=True)
    else:
        reason = out.result.no_record_reason
        console.print(Text(f"no mentions{f': {reason}' if reason else ''}"), soft_wrap=True)
    for s in out.result.partnerships:
        since = f" since {s.since_year}" if s.since_year else ""
        console.print(Text(f"partnership: {s.swedish_partner.name} – {s.international_partner} "
                           f"({s.country or '?'}){since} at {s.source.start}-{s.source.end}"), soft_wrap=True)


def _indent(text: Text, pad: str = "    ") -> Text:
    """Every line of text indented by pad (styles kept)."""
    out = Text()
    for j, line in enumerate(text.split("\n", allow_blank=True)):
        if j:
            out.append("\n")
        out.append(pad)
        out.append_text(line)
    return out
