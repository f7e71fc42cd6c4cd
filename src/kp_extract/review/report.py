"""The review report: a static HTML page over a run's output folder, and its sources files.

`write_report(out_dir)` reads the records (in whatever format the run wrote them: outputs/reader.py)
and blocks.jsonl from out_dir and the source pages from the input folder, and writes
out_dir/report.html: counts, the run's metadata (datapackage.json), charts (inline SVG drawn with
matplotlib), and a table of projects and one of partnerships. The tables are drawn by the page's
script from a compact JSON array of their rows, a page of rows at a time, and sorted and filtered
on that array, so that a crawl's tens of thousands of records stay quick. A record (a project or a
partnership) is shown when it is opened: its fields, every source block with its values marked in
the text (<mark data-field data-start data-end>, page offsets), its sources and its possible
duplicates or projects. A record whose sources disagree about a value (its `conflicts`) is
marked in the table and above its fields, and lists every value stated with links to the source
blocks that state it; partnerships whose sources disagree are listed after the projects. Those sections are HTML written here and kept out of the page, in
out_dir/report.sources/: chunk-N.js holds records' sections with their source blocks' <pre>s empty
and, per block, the record's marks (offsets and fields); text-N.js holds every cited block's text
once, escaped and with contact details hidden, cut into segments at the ends of every record's marks,
so that the page's script marks a record's values by wrapping whole segments (a listing block cited
by a hundred records is stored once, not a hundred times). Each file is one call, its object gzipped
in base64 (pack), loaded with a <script> when a record is opened (a script loads from file:// where
fetch() does not) and unpacked with DecompressionStream. Nothing else is fetched: CSS, script and
charts are inline and the Content-Security-Policy allows the page's own scripts and the sources
files beside it ('self'), nothing more. Page text is hostile input: everything is escaped, and
e-mail addresses, phone numbers and contact lines are hidden (privacy.contact_spans) while the other
characters keep their offsets. The same output folder and pages give byte-identical files.

The pages are those the run read, or none: the input folder is the one out_dir/datapackage.json
records (relative to out_dir, never to the working directory) unless the caller names another
(--input), and every page is hashed and compared with the sha256 the run recorded for it. A page
that is gone or whose bytes changed is shown as such (a badge, no text, no marks): a record is
never shown beside text it was not read from (check_pages, PageCheck).
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import html
import io
import json
import logging
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kp_extract.privacy import contact_spans, scrub_contacts, scrub_record
from kp_extract.outputs.files import atomic_write_text
from kp_extract.outputs.reader import read_records
from kp_extract.lexicon.gazetteer import load_gazetteer
from kp_extract.review.highlight import FIELDS, cut_segments, find_value_spans
from kp_extract.outputs.datapackage import DATAPACKAGE
from kp_extract.stages.s1_read import ReadError, page_from_bytes, read_bytes

log = logging.getLogger(__name__)

REPORT_NAME = "report.html"
# What a page check found (PageCheck.status): the page's text is shown only for OK and UNCHECKED.
OK, CHANGED, GONE, UNCHECKED = "ok", "changed", "gone", "unchecked"
STATUS_BADGES = {CHANGED: "changed since the run", GONE: "gone", UNCHECKED: "not checked"}
TOP_PARTNERS = 12  # bars in the Swedish-partner chart, and one for the others
TOP_COUNTRIES = 15  # bars in the country chart (a crawl names 190), and one for the others

FIELD_LABELS = {
    "title": "Title", "swedish_partners": "Swedish partners", "international_partners": "Partners abroad",
    "other_participants": "Other participants", "countries": "Countries", "start_date": "Start",
    "end_date": "End", "amount_sek": "Amount (SEK)", "sdgs": "SDGs", "duration_years": "Duration (years)",
    "project_areas": "Project areas", "themes": "Themes", "tags": "Tags",
}


@dataclass
class SourceText:
    """One source block as the report shows it: its text (None: not shown, see status) and its
    kind and language from blocks.jsonl (None when unknown), and the check of its page."""

    text: str | None
    kind: str | None = None
    language: str | None = None
    status: str = GONE
    note: str = ""
    ref: int = -1  # its number in the text files (shown blocks only: assign_text_files)
    text_file: int = 0  # the text file (report.sources/text-N.js) that holds it
    hidden: list[tuple[int, int, str]] | None = None  # privacy.contact_spans(text), once per block (find_hidden)


@dataclass(frozen=True)
class RecordedInput:
    """What the run recorded in datapackage.json of its input: the folder (resolved against the
    output folder; None when none is recorded), each page's sha256 and source_url, by file."""

    folder: Path | None
    sha256: dict[str, str]
    urls: dict[str, str]


@dataclass(frozen=True)
class PageCheck:
    """One source page as found now: status OK (the bytes are those the run read), CHANGED, GONE
    (not there or unreadable) or UNCHECKED (the run recorded no sha256 for it); its text when it
    may be shown (OK, UNCHECKED), and a one-line note for the badge."""

    file: str
    status: str
    text: str | None = None
    note: str = ""


@dataclass(frozen=True)
class PageCounts:
    """How many of the cited pages were found in each state."""

    total: int = 0
    ok: int = 0
    changed: int = 0
    gone: int = 0
    unchecked: int = 0

    @property
    def shown(self) -> int:
        return self.ok + self.unchecked

    def line(self) -> str:
        """One line for stderr: "2 of 5 pages changed since the run, 1 gone"; "5 of 5 pages match the run"."""
        if not (self.changed or self.gone or self.unchecked):
            return f"{self.ok} of {self.total} pages match the run"
        parts = [(n, what) for n, what in ((self.changed, "changed since the run"), (self.gone, "gone"),
                                           (self.unchecked, "not checked (no sha256 recorded)")) if n]
        first = f"{parts[0][0]} of {self.total} pages {parts[0][1]}"
        return ", ".join([first] + [f"{n} {what}" for n, what in parts[1:]])


@dataclass(frozen=True)
class ReportResult:
    """What write_report did: the file written and what the page checks found."""

    path: Path
    pages: PageCounts


# ---------------------------------------------------------------- reading

def _read_candidates(path: Path) -> list[dict]:
    """The rows of candidates.jsonl (none when it is missing), scrubbed as the records are."""
    if not path.is_file():
        return []
    with open(path, encoding="utf-8") as fh:
        return [scrub_record(json.loads(line)) for line in fh if line.strip()]


def recorded_input(out_dir: Path) -> RecordedInput:
    """The input folder and page hashes out_dir/datapackage.json records (kp_extract.input, relative
    to out_dir or absolute; kp_extract.inputs). Nothing recorded (no file, not JSON, no such keys):
    folder None and no hashes."""
    try:
        data = json.loads((Path(out_dir) / DATAPACKAGE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return RecordedInput(None, {}, {})
    prov = data.get("kp_extract") if isinstance(data, dict) else None
    if not isinstance(prov, dict):
        return RecordedInput(None, {}, {})
    location = prov.get("input")
    folder = Path(out_dir) / location if isinstance(location, str) and location else None
    hashes, urls = {}, {}
    for entry in prov.get("inputs") or []:
        if not (isinstance(entry, dict) and isinstance(entry.get("path"), str)):
            continue
        if isinstance(entry.get("sha256"), str):
            hashes[entry["path"]] = entry["sha256"]
        if isinstance(entry.get("source_url"), str):
            urls[entry["path"]] = entry["source_url"]
    return RecordedInput(folder, hashes, urls)


def resolve_input_dir(out_dir: Path, input_dir: Path | None) -> Path | None:
    """The folder the source pages are read from: input_dir if given, else the one datapackage.json
    records (relative to out_dir), else None (no page can be shown)."""
    if input_dir is not None:
        return Path(input_dir)
    return recorded_input(out_dir).folder


def check_page(file: str, folder: Path | None, recorded_sha256: str | None) -> PageCheck:
    """Find the page `file` (path relative to the input folder) in folder, hash its bytes and compare
    them with the sha256 the run recorded; decode it only when it may be shown."""
    if folder is None:
        return PageCheck(file, GONE, note="the run recorded no input folder (use --input)")
    path = folder / file
    try:
        raw = read_bytes(path)
    except ReadError as exc:
        return PageCheck(file, GONE, note=f"not in the input folder ({exc.reason})")
    sha = hashlib.sha256(raw).hexdigest()
    if recorded_sha256 is None:
        status, note = UNCHECKED, "the run recorded no sha256 for this page: it may not be the text the run read"
    elif sha != recorded_sha256:
        return PageCheck(file, CHANGED, note="its bytes differ from those the run read (sha256): text not shown")
    else:
        status, note = OK, ""
    try:
        text = page_from_bytes(raw, path, folder, sha).text
    except (ReadError, OSError) as exc:
        return PageCheck(file, GONE, note=f"cannot be read now ({getattr(exc, 'reason', exc)})")
    return PageCheck(file, status, text, note)


def check_pages(files: Iterable[str], folder: Path | None, recorded: RecordedInput) -> dict[str, PageCheck]:
    """check_page for every file, in sorted order."""
    return {f: check_page(f, folder, recorded.sha256.get(f)) for f in sorted(set(files))}


def count_pages(checks: Iterable[PageCheck]) -> PageCounts:
    states = Counter(c.status for c in checks)
    return PageCounts(sum(states.values()), states[OK], states[CHANGED], states[GONE], states[UNCHECKED])


def _block_rows(path: Path, wanted: set[tuple[str, int, int]]) -> dict[tuple[str, int, int], tuple]:
    """(kind, language) of the wanted blocks, from blocks.jsonl (streamed; a bad line is skipped)."""
    out: dict[tuple[str, int, int], tuple] = {}
    if not path.is_file():
        return out
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                row = json.loads(line)
                key = (row["file"], int(row["start"]), int(row["end"]))
            except (ValueError, KeyError, TypeError):
                continue
            if key in wanted:
                out[key] = (row.get("kind"), row.get("language"))
    return out


def load_sources(records: list[dict], checks: dict[str, PageCheck],
                 blocks_path: Path) -> dict[tuple[str, int, int], SourceText]:
    """The text of every source block the records (projects and partnerships) cite, from the checked pages (checks, by file:
    check_pages); a block of a page that is gone or changed gets text None and the page's status."""
    wanted: dict[str, set[tuple[int, int]]] = {}
    for p in records:
        for s in p.get("sources", []):
            wanted.setdefault(s["file"], set()).add((int(s["start"]), int(s["end"])))
    keys = {(f, s, e) for f, spans in wanted.items() for s, e in spans}
    rows = _block_rows(blocks_path, keys)
    out: dict[tuple[str, int, int], SourceText] = {}
    for file in sorted(wanted):
        check = checks.get(file) or PageCheck(file, GONE, note="not checked")
        text = check.text if check.status in (OK, UNCHECKED) else None
        for s, e in sorted(wanted[file]):
            kind, lang = rows.get((file, s, e), (None, None))
            block = text[s:e] if text is not None and e <= len(text) else None
            out[(file, s, e)] = SourceText(block, kind, lang, check.status, check.note)
    return out


# ---------------------------------------------------------------- charts

@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    return {c.iso2: c.name_en for c in load_gazetteer().countries}


def _counts(projects: list[dict]) -> dict[str, Counter]:
    countries: Counter = Counter()
    partners: Counter = Counter()
    sdgs: Counter = Counter()
    years: Counter = Counter()
    for p in projects:
        countries.update(set(p.get("countries") or []))
        partners.update(set(p.get("swedish_partners") or []))
        sdgs.update(set(p.get("sdgs") or []))
        year = str(p.get("start_date") or "")[:4]
        if year.isdigit():
            years[int(year)] += 1
    return {"countries": countries, "partners": partners, "sdgs": sdgs, "years": years}


def _ranked(counter: Counter, limit: int | None = None) -> list[tuple[Any, int]]:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return items[:limit] if limit else items


def top_and_others(counter: Counter, limit: int, label: Callable[[Any], str]) -> tuple[list[tuple[str, int]], str]:
    """The `limit` largest counts (ties by key), labelled, and a line for the rest: "and 177 others:
    16 792" (the number of keys left and the sum of their counts; a record counted under several of
    them counts once per key, as in the bars), "" when none is left. The rest is a line, not a bar:
    as a bar it dwarfs the others (a crawl's 192 countries)."""
    ranked = _ranked(counter)
    bars = [(label(k), n) for k, n in ranked[:limit]]
    rest = ranked[limit:]
    note = f"and {len(rest)} others: {sum(n for _, n in rest):,}".replace(",", "\u00a0") if rest else ""
    return bars, note


def charts_svg(projects: list[dict]) -> str:
    """One figure of four bar charts (projects per country and per Swedish partner: the top ones and
    "others"; per SDG; per start year on a numeric axis, so that missing years are gaps) as an
    inline <svg>. Deterministic: fixed hash salt, no date, text kept as text."""
    import matplotlib
    from matplotlib.figure import Figure  # no pyplot: no GUI backend, no global figure state

    counts = _counts(projects)
    names = _country_names()
    style: dict[Any, Any] = {"svg.hashsalt": "kp-extract-report", "svg.fonttype": "none", "font.size": 8,
             "font.family": "DejaVu Sans", "axes.spines.top": False, "axes.spines.right": False}
    with matplotlib.rc_context(style):
        fig = Figure(figsize=(15, 4.2))
        axes = fig.subplots(1, 4, width_ratios=[1.1, 1.1, 1.2, 1])
        n_countries, n_partners = len(counts["countries"]), len(counts["partners"])
        _barh(axes[0], *top_and_others(counts["countries"], TOP_COUNTRIES, lambda c: f"{names.get(c, c)} ({c})"),
              f"Projects per country (top {TOP_COUNTRIES} of {n_countries})" if n_countries > TOP_COUNTRIES
              else "Projects per country", "#2f6f9f")
        _barh(axes[1], *top_and_others(counts["partners"], TOP_PARTNERS, str),
              f"Projects per Swedish partner (top {TOP_PARTNERS} of {n_partners})"
              if n_partners > TOP_PARTNERS else "Projects per Swedish partner", "#3f8f5f")
        sdg = counts["sdgs"]
        _bars(axes[2], [str(n) for n in range(1, 18)], [sdg.get(n, 0) for n in range(1, 18)],
              "Projects per SDG", "#c0504d")
        _year_bars(axes[3], counts["years"], "Projects per start year", "#8064a2")
        fig.tight_layout(pad=1.2)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]  # drop the XML declaration and doctype: inline in HTML


def _no_data(ax: Any) -> None:
    ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()


def _barh(ax: Any, items: list[tuple[str, int]], note: str, title: str, colour: str) -> None:
    ax.set_title(title, loc="left", fontweight="bold")
    if not items:
        _no_data(ax)
        return
    labels = [str(k) for k, _ in items][::-1]
    values = [v for _, v in items][::-1]
    ax.barh(range(len(values)), values, color=colour)
    if note:
        ax.set_xlabel(note, loc="left", color="#5b6670")
    ax.set_yticks(range(len(values)), labels)
    ax.xaxis.get_major_locator().set_params(integer=True)
    for i, v in enumerate(values):
        ax.text(v, i, f" {v}", va="center", fontsize=7)


def _bars(ax: Any, labels: list[str], values: list[int], title: str, colour: str) -> None:
    ax.set_title(title, loc="left", fontweight="bold")
    if not any(values):
        _no_data(ax)
        return
    ax.bar(range(len(values)), values, color=colour)
    ax.set_xticks(range(len(values)), labels)
    if len(labels) > 12:
        ax.tick_params(axis="x", labelsize=6.5)
    ax.yaxis.get_major_locator().set_params(integer=True)


def _year_bars(ax: Any, years: Counter, title: str, colour: str) -> None:
    """Bars at their year on a numeric axis: a crawl's years run over decades with gaps, and one
    tick per bar label would overprint."""
    ax.set_title(title, loc="left", fontweight="bold")
    if not years:
        _no_data(ax)
        return
    xs = sorted(years)
    ax.bar(xs, [years[y] for y in xs], color=colour, width=0.8)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.yaxis.get_major_locator().set_params(integer=True)
    if xs[0] == xs[-1]:
        ax.set_xlim(xs[0] - 2, xs[0] + 2)


# ---------------------------------------------------------------- HTML pieces

def page_head(title: str, csp: str, css: str) -> str:
    """The start of a static page in the report's style, to its </head>: the Content-Security-Policy
    that keeps it from loading or running anything but its own (the report and changes.html)."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>{css}</style>
</head>"""


def esc(value: Any) -> str:
    """Text for HTML content or a quoted attribute (record text is scrubbed once, in scrub_record)."""
    return html.escape(str(value), quote=True)


def _list(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)


def _period(p: dict) -> str:
    start, end = p.get("start_date"), p.get("end_date")
    if start and end:
        return f"{start} – {end}"
    return start or (f"– {end}" if end else "")


def display_title(p: dict) -> str:
    """The title, or for an untitled record its parties."""
    if p.get("title"):
        return str(p["title"])
    parties = " – ".join(x for x in (_list(p.get("swedish_partners") or []),
                                     _list(p.get("international_partners") or [])) if x)
    return f"(untitled) {parties}" if parties else "(untitled)"


def _amount(value: Any) -> str:
    return "" if value is None else f"{int(value):,}".replace(",", "\u00a0")


def partnership_id(pt: dict) -> str:
    """A partnership's anchor: its partnership_id (kp-p-…), which a reviewer's decision may name; for
    an output written before partnerships had one, `pt-` and 16 hex digits of a hash of its parties
    and country, so that a link to it survives a rerun."""
    if isinstance(pt.get("partnership_id"), str) and pt["partnership_id"]:
        return str(pt["partnership_id"])
    key = "\x1f".join(str(pt.get(k) or "") for k in ("swedish_partner", "swedish_partner_code",
                                                      "international_partner", "country"))
    return "pt-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _stat_cells(items: list[tuple[str, int]]) -> str:
    return "".join(f'<div class="stat"><b>{n}</b><span>{esc(k)}</span></div>' for k, n in items)


def _summary_html(projects: list[dict], partnerships: list[dict], sources: dict) -> str:
    files = {k[0] for k in sources}
    status = {k[0]: v.status for k, v in sources.items()}
    counts = _counts(projects)
    items = [
        ("projects", len(projects)),
        ("partnerships", len(partnerships)),
        ("source pages", len(files)),
        ("countries", len(counts["countries"])),
        ("Swedish partners", len(counts["partners"])),
        ("merged from several blocks", sum(1 for p in projects if len(p.get("sources") or []) > 1)),
        ("with possible duplicates", sum(1 for p in projects if p.get("possible_duplicates"))),
        ("with conflicting sources", sum(1 for r in (*projects, *partnerships) if r.get("conflicts"))),
        ("untitled", sum(1 for p in projects if not p.get("title"))),
    ]
    states = Counter(status.values())
    for state, label in ((CHANGED, "pages changed since the run"), (GONE, "pages gone"),
                         (UNCHECKED, "pages not checked")):
        if states[state]:
            items.append((label, states[state]))
    return f'<section class="stats" id="summary">{_stat_cells(items)}</section>'


def run_metadata(out_dir: Path) -> dict[str, Any]:
    """The run's provenance from out_dir/datapackage.json (kp_extract: version, fingerprint, options,
    input, manifest, number of input pages); {} when there is none or it is not JSON."""
    try:
        data = json.loads((Path(out_dir) / DATAPACKAGE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    prov = data.get("kp_extract") if isinstance(data, dict) else None
    return prov if isinstance(prov, dict) else {}


def _shown_path(value: Any) -> str:
    """A recorded path as the report shows it: relative paths as they are; an absolute one by its
    last part only, so that the report names no folder of the machine that wrote it."""
    path = str(value)
    if Path(path).is_absolute():
        return f"…/{Path(path).name} (absolute path in datapackage.json)"
    return path


def _metadata_html(meta: dict[str, Any]) -> str:
    if not meta:
        return ('<section id="run"><h2>Run</h2><p class="none">no datapackage.json in the output folder: '
                'the run that wrote these records is not known</p></section>')
    options = meta["options"] if isinstance(meta.get("options"), dict) else {}
    rows: list[tuple[str, str]] = []
    if meta.get("input"):
        rows.append(("Input folder", _shown_path(meta["input"])))
    if isinstance(meta.get("inputs"), list):
        rows.append(("Input pages", str(len(meta["inputs"]))))
    manifest = meta.get("manifest")
    if isinstance(manifest, dict) and manifest.get("path"):
        rows.append(("Manifest", _shown_path(manifest["path"])))
    if meta.get("version"):
        rows.append(("kp_extract version", str(meta["version"])))
    if meta.get("fingerprint"):
        rows.append(("Code and data fingerprint", str(meta["fingerprint"])[:16]))
    for key, value in options.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list) else {True: "yes", False: "no"}.get(value, value)
        rows.append((f"Option {key.replace('_', ' ')}", str(shown)))
    cells = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows)
    return f'<section id="run"><h2>Run</h2><dl class="fields meta">{cells}</dl></section>'


PROJECT_COLUMNS = (  # (header, numeric sort?): the cells and sort keys are made in JS from PROJECT_ROW
    ("Title", False), ("Swedish partners", False), ("Partners abroad", False), ("Country", False),
    ("Period", False), ("SDGs", True), ("Amount (SEK)", True), ("Sources", True), ("Duplicates?", True),
)
PARTNERSHIP_COLUMNS = (
    ("Swedish partner", False), ("Partner abroad", False), ("Country", False), ("Since", True),
    ("Projects", True), ("Sources", True), ("Confidence", True),
)


def _project_row(p: dict, chunk: int) -> list[Any]:
    """One project for the table's JS (the order JS's P_* indices read): id, title as shown, untitled?,
    Swedish partners, partners abroad, countries, period, start date, SDGs, amount, number of
    sources, number of possible duplicates, the sources file it is in, the fields its sources
    disagree about (labels; the table marks the record)."""
    disagree = list(dict.fromkeys(CONFLICT_LABELS.get(str(c.get("field")), str(c.get("field")))
                                  for c in p.get("conflicts") or []))
    return [str(p["record_id"]), display_title(p), 0 if p.get("title") else 1,
            list(p.get("swedish_partners") or []), list(p.get("international_partners") or []),
            list(p.get("countries") or []), _period(p), str(p.get("start_date") or ""),
            list(p.get("sdgs") or []), p.get("amount_sek"), len(p.get("sources") or []),
            len(p.get("possible_duplicates") or []), chunk, disagree]


def _partnership_row(pt: dict, chunk: int) -> list[Any]:
    """One partnership for the table's JS: id, Swedish partner, partner abroad, country, since year,
    number of projects, number of sources, confidence, the sources file it is in."""
    return [partnership_id(pt), str(pt.get("swedish_partner") or ""), str(pt.get("international_partner") or ""),
            str(pt.get("country") or ""), pt.get("since_year"), len(pt.get("project_ids") or []),
            len(pt.get("sources") or []), pt.get("confidence"), chunk]


def _json_for_script(value: Any) -> str:
    """JSON to sit inside a <script type="application/json">: every < escaped, so that page-given
    text can never close the element or open a comment."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


CONFLICT_LABELS = {**FIELD_LABELS, "country": "Country", "since_year": "Since"}


def _conflict_marker(record: dict) -> str:
    """A marker for a record whose sources disagree (its conflicts), naming the fields; "" otherwise."""
    fields = [str(c.get("field")) for c in record.get("conflicts") or []]
    if not fields:
        return ""
    named = ", ".join(dict.fromkeys(CONFLICT_LABELS.get(f, f) for f in fields))
    return f' <span class="conflict-marker" title="sources disagree: {esc(named)}">sources disagree</span>'


def _conflicts_html(record: dict, anchors: dict[tuple[str, int, int], str] | None = None) -> str:
    """A record's conflicts: per field, every value stated and its sources, each a link to the source
    block on this page when anchors (source key -> anchor id) has it, else its file:start-end."""
    items = []
    for c in record.get("conflicts") or []:
        field = str(c.get("field"))
        values = []
        for v in c.get("values") or []:
            links = []
            for src in v.get("sources") or []:
                key = (str(src["file"]), int(src["start"]), int(src["end"]))
                text = f"<code>{esc(key[0])}:{key[1]}-{key[2]}</code>"
                anchor = (anchors or {}).get(key)
                links.append(f'<a href="#{esc(anchor)}">{text}</a>' if anchor else text)
            values.append(f'<li><b class="conflict-value">{esc(v.get("value"))}</b> {" ".join(links)}</li>')
        items.append(f'<li data-conflict="{esc(field)}">{esc(CONFLICT_LABELS.get(field, field))}'
                     f'<ul>{"".join(values)}</ul></li>')
    return f'<ul class="conflicts">{"".join(items)}</ul>' if items else ""


def _partnership_conflicts_html(partnerships: list[dict]) -> str:
    """The partnerships whose sources disagree, with their conflicts ("" when there are none)."""
    rows = [f'<li><b>{esc(r.get("swedish_partner"))} – {esc(r.get("international_partner"))}</b>'
            f' ({esc(CONFLICT_LABELS["country"])} {esc(r.get("country") or "-")}, '
            f'{esc(CONFLICT_LABELS["since_year"]).lower()} {esc(r.get("since_year") or "-")})'
            f'{_conflicts_html(r)}</li>'
            for r in partnerships if r.get("conflicts")]
    if not rows:
        return ""
    return (f'<section id="partnership-conflicts"><h2>Partnerships whose sources disagree ({len(rows)})</h2>'
            f'<ul class="partnership-conflicts">{"".join(rows)}</ul></section>')


def _options(values: Iterable[tuple[str, str]]) -> str:
    return "".join(f'<option value="{esc(v)}">{esc(label)}</option>' for v, label in values)


def _heads(columns: tuple[tuple[str, bool], ...]) -> str:
    return "".join(
        f'<th scope="col" data-col="{i}" data-num="{1 if num else 0}" tabindex="0" aria-sort="none">'
        f'{esc(h)}<span class="arrow"></span></th>' for i, (h, num) in enumerate(columns))


def _pager(kind: str) -> str:
    return (f'<div class="pager" id="{kind}-pager"><button type="button" data-step="-1">‹ previous</button>'
            f' <span class="page-no"></span> <button type="button" data-step="1">next ›</button></div>')


def _table_html(projects: list[dict]) -> str:
    names = _country_names()
    counts = _counts(projects)
    country_opts = _options((c, f"{names.get(c, c)} ({c}) – {n}") for c, n in
                            sorted(counts["countries"].items(), key=lambda kv: (names.get(kv[0], kv[0]), kv[0])))
    partner_opts = _options((k, f"{k} – {n}") for k, n in sorted(counts["partners"].items()))
    return f"""<section id="projects">
<h2>Projects</h2>
<div class="filters">
<label>Search <input type="search" id="f-text" placeholder="title, partner, country, year…" autocomplete="off"></label>
<label>Country <select id="f-country"><option value="">all countries</option>{country_opts}</select></label>
<label>Swedish partner <select id="f-partner"><option value="">all partners</option>{partner_opts}</select></label>
<label class="check"><input type="checkbox" id="f-dup"> only possible duplicates</label>
<span id="f-count" aria-live="polite">{len(projects)} of {len(projects)} projects</span>
</div>
<div class="table-wrap"><table id="project-table">
<thead><tr>{_heads(PROJECT_COLUMNS)}</tr></thead>
<tbody></tbody></table></div>
{_pager("project")}
<p class="hint">Click a column header to sort, a title to see the record with its source text.</p>
</section>"""


PAGES_FILE = "pages.csv"  # what each input file gave (writer.write_pages); older output folders have none


def read_pages_without_record(out_dir: Path) -> list[dict] | None:
    """The rows of out_dir/pages.csv that gave no record (a reason is set), in file order; None when
    the folder has no pages.csv (an output of an older version). Either CSV dialect is read."""
    import csv

    path = Path(out_dir) / PAGES_FILE
    if not path.is_file():
        return None
    with open(path, encoding="utf-8-sig", newline="") as fh:
        header = fh.readline()
        fh.seek(0)
        if header.startswith("\ufeff"):  # pragma: no cover - utf-8-sig removes it
            header = header[1:]
        rows = csv.DictReader(fh, delimiter=";" if header.startswith("file;") else ",")
        return [row for row in rows if row.get("reason")]


def _no_record_html(pages: list[dict] | None) -> str:
    """A section listing the pages that gave no record and why, so that a reviewer can look for
    misses and not only at finds; nothing for an output folder without pages.csv."""
    if pages is None:
        return ""
    if not pages:
        body = '<p class="none">Every page gave at least one record.</p>'
    else:
        rows = "\n".join(f"<tr><td>{esc(r.get('file'))}</td><td>{esc(scrub_contacts(r.get('reason') or ''))}</td>"
                         f"</tr>" for r in pages)
        body = (f'<div class="table-wrap"><table id="no-record-table"><thead><tr><th scope="col">Page</th>'
                f'<th scope="col">Why it gave no record</th></tr></thead>\n<tbody>\n{rows}\n</tbody></table></div>')
    return (f'<section id="no-record"><h2>Files that gave no record ({len(pages)})</h2>\n'
            f'<p class="hint">From pages.csv: pages that failed, were not read or gave no project or '
            f'partnership; look here for misses.</p>\n{body}\n</section>')

def _partnership_table_html(partnerships: list[dict]) -> str:
    names = _country_names()
    countries = Counter(str(pt.get("country") or "") for pt in partnerships)
    country_opts = _options((c, f"{names.get(c, c)} ({c}) – {n}") for c, n in
                            sorted(countries.items(), key=lambda kv: (names.get(kv[0], kv[0]), kv[0])) if c)
    return f"""<section id="partnerships">
<h2>Partnerships</h2>
<div class="filters">
<label>Search <input type="search" id="g-text" placeholder="partner, country, year…" autocomplete="off"></label>
<label>Country <select id="g-country"><option value="">all countries</option>{country_opts}</select></label>
<span id="g-count" aria-live="polite">{len(partnerships)} of {len(partnerships)} partnerships</span>
</div>
<div class="table-wrap"><table id="partnership-table">
<thead><tr>{_heads(PARTNERSHIP_COLUMNS)}</tr></thead>
<tbody></tbody></table></div>
{_pager("partnership")}
<p class="hint">A Swedish partner opens the partnership with its source text and its projects.</p>
</section>"""


def _field_value_html(p: dict, field: str) -> str:
    value = p.get(field)
    if field == "countries":
        names = _country_names()
        return esc(", ".join(f"{names.get(c, c)} ({c})" for c in value or []))
    if field == "swedish_partners":
        codes = p.get("swedish_partner_codes") or []
        return esc(", ".join(f"{n} ({c})" if c else n for n, c in zip(value or [], codes + [None] * len(value or []))))
    if field == "amount_sek":
        return esc(_amount(value))
    if isinstance(value, list):
        return esc(_list(value))
    return "" if value is None else esc(value)


def _fields_html(p: dict) -> str:
    rows = []
    for field in FIELDS:
        shown = _field_value_html(p, field)
        if not shown:
            continue
        rows.append(f'<dt><span class="swatch" data-field="{field}"></span>{esc(FIELD_LABELS[field])}</dt>'
                    f'<dd>{shown}</dd>')
    for key, label in (("languages", "Languages"), ("summary", "Summary")):
        value = p.get(key)
        if value:
            rows.append(f'<dt>{label}</dt><dd class="{key}">{esc(_list(value) if isinstance(value, list) else value)}</dd>')
    return f'<dl class="fields">{"".join(rows)}</dl>'


def _url_html(src: dict) -> str:
    """A link to the page's source_url (only http and https: page-given text is hostile), and when it
    was retrieved."""
    url, when = src.get("source_url"), src.get("retrieved_at")
    parts = []
    if isinstance(url, str) and url:
        if url.lower().startswith(("http://", "https://")):
            parts.append(f'<a class="url" href="{esc(url)}" rel="noopener noreferrer nofollow">{esc(url)}</a>')
        else:
            parts.append(f'<span class="url">{esc(url)}</span>')
    if isinstance(when, str) and when:
        parts.append(f'<span class="retrieved">retrieved {esc(when)}</span>')
    return "".join(f" {x}" for x in parts)


def _badge_html(block: SourceText) -> str:
    label = STATUS_BADGES.get(block.status)
    if label is None:
        return ""
    return f' <span class="badge badge-{block.status}" title="{esc(block.note)}">{esc(label)}</span>'


BlockRef = list[int]  # [text file, block ref, then start, end, field index of each mark, block-relative]
_FIELD_INDEX = {f: i for i, f in enumerate(FIELDS)}


def _block_html(p: dict, src: dict, block: SourceText, anchor: str) -> tuple[str, BlockRef | None]:
    """A source block of a record: its HTML with an empty <pre> when its text is shown, and what the
    page's script fills it with (the block's text, from its text file, with the record's marks)."""
    file, start, end = src["file"], int(src["start"]), int(src["end"])
    meta = " · ".join(x for x in (block.kind, block.language) if x)
    head = (f'<div class="block-head"><code>{esc(file)}:{start}-{end}</code>{_badge_html(block)}'
            f'{f" <span class=kind>{esc(meta)}</span>" if meta else ""}{_url_html(src)}</div>')
    if block.text is None:
        what = {CHANGED: "page changed since the run: its text is not shown", GONE: "source not available"}
        note = f": {block.note}" if block.status == GONE and block.note else ""
        return (f'<div class="block" id="{esc(anchor)}" data-status="{esc(block.status)}">{head}'
                f'<p class="missing">{esc(what.get(block.status, "source not available") + note)}</p></div>'), None
    ref: BlockRef = [block.text_file, block.ref]
    hidden = contact_spans(block.text) if block.hidden is None else block.hidden
    for span in find_value_spans(block.text, p):
        # the marks render_segments keeps: none that touches contact details
        if not any(span.start < he and hs < span.end for hs, he, _ in hidden):
            ref += [span.start, span.end, _FIELD_INDEX[span.field]]
    return (f'<div class="block" id="{esc(anchor)}" data-file="{esc(file)}" data-start="{start}" '
            f'data-end="{end}" data-status="{esc(block.status)}">{head}<pre></pre></div>'), ref


def _sources_html(values: dict, rid: str, srcs: list[dict], sources: dict) -> tuple[str, str, list[BlockRef]]:
    """(the list of source links, the source blocks, what fills their <pre>s with `values` marked, in
    order) of one record."""
    links = "".join(
        f'<li><a href="#{esc(rid)}-s{i}"><code>{esc(s["file"])}:{int(s["start"])}-{int(s["end"])}</code></a></li>'
        for i, s in enumerate(srcs))
    parts, refs = [], []
    for i, s in enumerate(srcs):
        block = sources.get((s["file"], int(s["start"]), int(s["end"])), SourceText(None))
        part, ref = _block_html(values, s, block, f"{rid}-s{i}")
        parts.append(part)
        if ref is not None:
            refs.append(ref)
    return links, "\n".join(parts), refs


def _record_html(p: dict, sources: dict, titles: dict[str, str]) -> tuple[str, list[BlockRef]]:
    rid = str(p["record_id"])
    srcs = p.get("sources") or []
    src_links, blocks, refs = _sources_html(p, rid, srcs, sources)
    anchors = {(str(s["file"]), int(s["start"]), int(s["end"])): f"{rid}-s{i}" for i, s in enumerate(srcs)}
    conflicts = _conflicts_html(p, anchors)
    if conflicts:
        conflicts = (f'<div class="conflict-list"><h3>Sources disagree (the record keeps the GUIDE\'s choice)</h3>'
                     f'{conflicts}</div>')
    dups = "".join(
        f'<li><a href="#{esc(d)}">{esc(titles.get(d, d))}</a> <code>{esc(d)}</code></li>'
        for d in p.get("possible_duplicates") or [])
    return f"""<section class="record" id="{esc(rid)}">
<p class="back"><a href="#projects">↑ back to the table</a></p>
<h2>{esc(display_title(p))}{_conflict_marker(p)}</h2>
<p class="rid"><code>{esc(rid)}</code></p>
{_fields_html(p)}
{conflicts}
{_decide_html(rid, p.get("decisions") or [])}
<div class="cols">
<div><h3>Merged sources ({len(srcs)})</h3><ul class="srcs">{src_links}</ul></div>
<div><h3>Possible duplicates</h3>{f'<ul class="dups">{dups}</ul>' if dups else '<p class="none">none</p>'}</div>
</div>
<h3>Source text</h3>
{blocks}
</section>""", refs


def _partnership_html(pt: dict, sources: dict, titles: dict[str, str]) -> tuple[str, list[BlockRef]]:
    """A partnership as a record: its fields, its projects (links), its source blocks with its
    parties and country marked (as the project fields they are)."""
    pid = partnership_id(pt)
    values = {"swedish_partners": [pt.get("swedish_partner")] if pt.get("swedish_partner") else [],
              "swedish_partner_codes": [pt.get("swedish_partner_code")],
              "international_partners": [pt.get("international_partner")] if pt.get("international_partner") else [],
              "countries": [pt.get("country")] if pt.get("country") else []}
    srcs = pt.get("sources") or []
    src_links, blocks, refs = _sources_html(values, pid, srcs, sources)
    names = _country_names()
    country = pt.get("country")
    rows = [("swedish_partners", "Swedish partner", _field_value_html(values, "swedish_partners")),
            ("international_partners", "Partner abroad", esc(pt.get("international_partner") or "")),
            ("countries", "Country", esc(f"{names.get(country, country)} ({country})" if country else "")),
            (None, "Since", esc(pt.get("since_year") if pt.get("since_year") is not None else "")),
            (None, "Confidence", esc(pt.get("confidence") if pt.get("confidence") is not None else ""))]
    fields = "".join(
        f'<dt>{f"<span class=swatch data-field={field}></span>" if field else ""}{esc(label)}</dt><dd>{shown}</dd>'
        for field, label, shown in rows if shown)
    projects = "".join(f'<li><a href="#{esc(r)}">{esc(titles.get(r, r))}</a> <code>{esc(r)}</code></li>'
                       for r in pt.get("project_ids") or [])
    title = f'{pt.get("swedish_partner") or "?"} – {pt.get("international_partner") or "?"}'
    return f"""<section class="record partnership" id="{esc(pid)}">
<p class="back"><a href="#partnerships">↑ back to the partnerships</a></p>
<h2>{esc(title)}</h2>
<p class="rid"><code>{esc(pid)}</code></p>
<dl class="fields">{fields}</dl>
<div class="cols">
<div><h3>Sources ({len(srcs)})</h3><ul class="srcs">{src_links}</ul></div>
<div><h3>Projects ({len(pt.get("project_ids") or [])})</h3>{f'<ul class="dups">{projects}</ul>' if projects else '<p class="none">none</p>'}</div>
</div>
<h3>Source text</h3>
{blocks}
</section>""", refs


def _legend() -> str:
    return "".join(f'<span class="legend-item"><mark data-field="{f}">{esc(FIELD_LABELS[f])}</mark></span>'
                   for f in FIELDS)


# ---------------------------------------------------------------- reviewer decisions

def _settable_options() -> str:
    from kp_extract.stages.s7_decide import settable_fields

    return _options((f, f) for f in settable_fields())


def decision_text(decision: dict) -> str:
    """One applied decision as a line: `action target`, then `field=value` (or the value alone),
    reviewer, date and note, each after "; " when given."""
    field, value = decision.get("field") or "", decision.get("value") or ""
    parts = [f"{decision['action']} {decision.get('target') or ''}".rstrip(), f"{field}={value}" if field else value,
             decision.get("reviewer") or "", decision.get("date") or "", decision.get("note") or ""]
    return "; ".join(p for p in parts if p)


def _decide_html(rid: str, applied: list[dict]) -> str:
    """A record's decision controls: reject it, merge another record into it, set one of its fields
    (the script, DECISIONS_JS, adds each to the pending decisions); and the decisions a run applied to it."""
    done = "".join(f"<li>{esc(decision_text(d))}</li>" for d in applied if isinstance(d, dict) and "action" in d)
    return f"""{f'<h3>Decisions applied</h3><ul class="applied">{done}</ul>' if done else ""}
<div class="decide" data-target="{esc(rid)}">
<button type="button" class="d-reject">Reject</button>
<label>merge in <input type="text" class="d-merge-value" placeholder="record_id or title"></label>
<button type="button" class="d-merge">Merge</button>
<label>set <select class="d-field"></select></label>
<input type="text" class="d-value" placeholder="value (lists: a | b)">
<button type="button" class="d-set">Set</button>
</div>"""


def candidate_target(row: dict) -> str:
    """What `promote` names a candidates.jsonl row by: a project candidate's title, else its pair."""
    if row.get("kind") == "project":
        if row.get("title"):
            return str(row["title"])
        swedish, abroad = row.get("swedish_partners") or [""], row.get("international_partners") or [""]
        return f"{swedish[0]} / {abroad[0]}"
    return f"{row.get('swedish_partner') or ''} / {row.get('international_partner') or ''}"


def _candidates_html(candidates: list[dict]) -> str:
    """The below-threshold candidates, one row per promote target (the best score of its rows)."""
    best: dict[tuple[str, str], dict] = {}
    for row in candidates:
        kind = "project" if row.get("kind") == "project" else "partnership"
        score = float((row.get("confidence") if kind == "project" else row.get("partner_score")) or 0)
        key = (kind, candidate_target(row))
        if key not in best or score > best[key]["score"]:
            best[key] = {"score": score, "file": row.get("file") or ""}
    if not best:
        return '<p class="none">No candidates below the confidence threshold.</p>'
    rows = "".join(
        f'<tr><td>{esc(kind)}</td><td>{esc(target)}</td><td>{v["score"]:.2f}</td><td><code>{esc(v["file"])}</code></td>'
        f'<td><button type="button" class="d-promote" data-target="{esc(target)}">Promote</button></td></tr>'
        for (kind, target), v in sorted(best.items(), key=lambda kv: (-kv[1]["score"], kv[0])))
    return (f'<table id="candidate-table"><thead><tr><th>kind</th><th>candidate</th><th>score</th><th>page</th>'
            f'<th></th></tr></thead><tbody>{rows}</tbody></table>')


def _decisions_html(candidates: list[dict]) -> str:
    """The reviewer's decisions: a form for any decision, the candidates to promote, the pending list and
    the download of a decisions CSV for `kp-extract run --decisions`."""
    actions = _options((a, a) for a in ("reject", "merge", "split", "promote", "set"))
    return f"""<section id="decisions">
<h2>Reviewer decisions</h2>
<p class="hint">Mark rejections, merges, splits, promotions and field values here or in a record's view, then
download them as a CSV for <code>kp-extract run --decisions FILE</code>. A target is a record_id, a title, or
<code>Swedish partner / partner abroad</code> (a partnership). Nothing leaves this page but the downloaded file.</p>
<div class="filters" id="d-form">
<label>Reviewer <input type="text" id="d-reviewer" autocomplete="name"></label>
<label>Date <input type="date" id="d-date"></label>
<label>Action <select id="d-action">{actions}</select></label>
<label>Target <input type="text" id="d-target" placeholder="record_id, title or A / B"></label>
<label>Field <select id="d-field"><option value=""></option>{_settable_options()}</select></label>
<label>Value <input type="text" id="d-value"></label>
<label>Note <input type="text" id="d-note"></label>
<button type="button" id="d-add">Add</button>
</div>
<h3>Pending decisions (<span id="d-count">0</span>)</h3>
<table id="decision-table"><thead><tr><th>action</th><th>target</th><th>field</th><th>value</th><th>note</th><th></th></tr></thead>
<tbody></tbody></table>
<p><button type="button" id="d-download">Download decisions.csv</button></p>
<h3>Candidates below the confidence threshold</h3>
{_candidates_html(candidates)}
</section>"""


# ---------------------------------------------------------------- the page

CSS = """
:root{--fg:#1d232a;--muted:#5b6670;--line:#d8dee4;--bg:#f6f8fa;--accent:#2f6f9f}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:#fff}
header{background:#1f3b57;color:#fff;padding:14px 28px}
header h1{margin:0;font-size:20px}
header p{margin:2px 0 0;color:#c9d6e2;font-size:13px}
main{padding:16px 28px 40px;max-width:1500px}
h2{font-size:18px;margin:22px 0 10px}
h3{font-size:14px;margin:16px 0 6px}
.stats{display:flex;flex-wrap:wrap;gap:10px}
.stat{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:110px}
.stat b{display:block;font-size:20px}
.stat span{color:var(--muted);font-size:12px}
.charts svg{max-width:100%;height:auto}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:center;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin-bottom:8px}
.filters label{font-size:12px;color:var(--muted)}
.filters input[type=search],.filters select{font:inherit;padding:3px 6px;margin-left:4px;border:1px solid #b8c2cc;border-radius:4px}
.filters input[type=search]{width:240px}
.filters select{max-width:320px}
#f-count,#g-count{margin-left:auto;font-weight:600}
.pager{margin:6px 0;font-size:13px}
.pager button{font:inherit;padding:2px 10px;border:1px solid #b8c2cc;border-radius:4px;background:#fff;cursor:pointer}
.pager button:disabled{opacity:.4;cursor:default}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#eef2f6;cursor:pointer;user-select:none;white-space:nowrap;position:sticky;top:0}
th:hover{background:#e2e8ee}
th .arrow{color:var(--muted);padding-left:4px}
th[aria-sort=ascending] .arrow::after{content:"▲"}
th[aria-sort=descending] .arrow::after{content:"▼"}
tbody tr:nth-child(even){background:#fafbfc}
tbody tr:hover{background:#eef5fb}
td a{color:var(--accent);text-decoration:none;font-weight:600}
td a:hover{text-decoration:underline}
.untitled{font-weight:400;font-style:italic;color:var(--muted);margin-right:2px}
#project-table td:nth-child(5){white-space:nowrap}
.hint,.rid,.none,.back{color:var(--muted);font-size:12px}
.record{border:1px solid var(--line);border-radius:8px;padding:4px 18px 14px;margin-top:22px;background:#fff;box-shadow:0 1px 3px rgba(0,0,0,.06)}
.record h2{margin-top:4px}
.loading{color:var(--muted);font-style:italic}
.load-error{color:#9a3b3b}
dl.fields{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:8px 0}
dl.fields dt{font-weight:600;color:var(--muted)}
dl.fields dd{margin:0}
dl.meta{font-size:13px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:baseline}
.cols{display:flex;flex-wrap:wrap;gap:10px 40px}
ul.dups{margin:0;padding-left:18px;max-height:16em;overflow:auto}
ul.srcs{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:2px 16px;font-size:12px}
dd.summary{max-height:6em;overflow:auto;color:#38424c}
.cols>div:first-child{flex:1 1 600px}
.block{border:1px solid var(--line);border-radius:6px;margin:8px 0;overflow:hidden}
.block-head{background:var(--bg);padding:4px 10px;font-size:12px;border-bottom:1px solid var(--line)}
.block-head .kind{color:var(--muted);margin-left:8px}
.block pre{margin:0;padding:8px 10px;white-space:pre-wrap;word-wrap:break-word;font:13px/1.5 ui-monospace,"DejaVu Sans Mono",monospace}
.missing{margin:0;padding:8px 10px;color:#9a3b3b;font-style:italic}
.badge{display:inline-block;margin-left:8px;padding:0 6px;border-radius:8px;font-size:11px;font-weight:600;color:#fff}
.badge-changed{background:#b5452f}.badge-gone{background:#6b6b6b}.badge-unchecked{background:#a07800}
.block-head .url{margin-left:8px;word-break:break-all}.block-head .retrieved{color:var(--muted);margin-left:8px}
.conflict-marker{display:inline-block;margin-left:6px;padding:0 6px;border-radius:8px;font-size:11px;font-weight:600;color:#fff;background:#b5452f;vertical-align:middle}
ul.conflicts{margin:4px 0 8px;padding-left:18px;font-size:13px}ul.conflicts ul{padding-left:16px}
ul.conflicts code{font-size:12px;margin-right:6px}.conflict-value{margin-right:6px}
.redacted{background:#444;color:#fff;border-radius:3px;padding:0 3px;font-size:11px}
mark{border-radius:3px;padding:0 1px;color:inherit}
.legend{font-size:12px;margin:6px 0 0}
.legend-item{margin-right:6px;display:inline-block}
[data-field=title]{background:#ffe08a}[data-field=swedish_partners]{background:#b7e4c7}
[data-field=international_partners]{background:#a9d6f5}[data-field=other_participants]{background:#d6e4f0}
[data-field=countries]{background:#f7c6a3}[data-field=start_date],[data-field=end_date]{background:#d9c8f0}
[data-field=amount_sek]{background:#f5b7b1}[data-field=sdgs]{background:#f9d3e4}
[data-field=duration_years]{background:#c8ecec}[data-field=project_areas]{background:#e3ecb7}
[data-field=themes]{background:#f0e0c0}[data-field=tags]{background:#e0e0e0}
"""

# The tables are drawn from the rows in #report-data (a page at a time: sorting and filtering work
# on arrays, never on DOM rows), and a record is drawn when its id is the location's hash, from the
# sources files (SIDECAR/chunk-N.js, a <script> that calls kpReportChunk, and the text-N.js of its
# blocks, kpReportText: a script loads from file:// where fetch() does not) that hold its section.
# Every text reaches the DOM as textContent; only the record sections and the blocks' segments,
# escaped by the Python that wrote them, are set as HTML, with <mark>s of a known field name and
# integer offsets around whole segments.
JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var PAGE = data.page_size;
  var collator = new Intl.Collator(undefined, {sensitivity: "base", numeric: false});
  function amount(n) { return n === null ? "" : String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0"); }
  function join(xs) { return xs.join(", "); }
  function link(id, text, untitled) {
    var a = document.createElement("a");
    a.href = "#" + id;
    if (untitled) {
      var s = document.createElement("span");
      s.className = "untitled";
      s.textContent = "untitled";
      a.appendChild(s);
      a.appendChild(document.createTextNode(text.slice("(untitled)".length)));
    } else {
      a.textContent = text;
    }
    return a;
  }
  // a record whose sources disagree is marked after its title (as report.py's _conflict_marker)
  function withConflicts(a, fields) {
    if (!fields.length) { return a; }
    var frag = document.createDocumentFragment(), mark = document.createElement("span");
    mark.className = "conflict-marker";
    mark.title = "sources disagree: " + fields.join(", ");
    mark.textContent = "sources disagree";
    frag.appendChild(a);
    frag.appendChild(document.createTextNode(" "));
    frag.appendChild(mark);
    return frag;
  }
  // columns: {text: row -> cell text, key: row -> sort key ("" or null sort last), num, link?}
  var projectColumns = [
    {text: function (r) { return r[1]; }, key: function (r) { return r[1].toLowerCase(); },
     cell: function (r) { return withConflicts(link(r[0], r[1], r[2] === 1), r[13]); }},
    {text: function (r) { return join(r[3]); }, key: function (r) { return join(r[3]).toLowerCase(); }},
    {text: function (r) { return join(r[4]); }, key: function (r) { return join(r[4]).toLowerCase(); }},
    {text: function (r) { return join(r[5]); }, key: function (r) { return join(r[5]); }},
    {text: function (r) { return r[6]; }, key: function (r) { return r[7]; }},
    {text: function (r) { return join(r[8]); }, key: function (r) { return r[8].length ? r[8][0] : null; }, num: true},
    {text: function (r) { return amount(r[9]); }, key: function (r) { return r[9]; }, num: true},
    {text: function (r) { return String(r[10]); }, key: function (r) { return r[10]; }, num: true},
    {text: function (r) { return r[11] ? "yes" : ""; }, key: function (r) { return r[11]; }, num: true}
  ];
  var partnershipColumns = [
    {text: function (r) { return r[1]; }, key: function (r) { return r[1].toLowerCase(); },
     cell: function (r) { return link(r[0], r[1], false); }},
    {text: function (r) { return r[2]; }, key: function (r) { return r[2].toLowerCase(); }},
    {text: function (r) { return r[3]; }, key: function (r) { return r[3]; }},
    {text: function (r) { return r[4] === null ? "" : String(r[4]); }, key: function (r) { return r[4]; }, num: true},
    {text: function (r) { return String(r[5]); }, key: function (r) { return r[5]; }, num: true},
    {text: function (r) { return String(r[6]); }, key: function (r) { return r[6]; }, num: true},
    {text: function (r) { return r[7] === null ? "" : String(r[7]); }, key: function (r) { return r[7]; }, num: true}
  ];
  function makeTable(opts) {
    var rows = opts.rows, columns = opts.columns;
    var table = document.getElementById(opts.table), body = table.tBodies[0];
    var pager = document.getElementById(opts.pager);
    var count = document.getElementById(opts.count);
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    // what the search box matches: every cell's text, lower case, once
    var hay = rows.map(function (r) { return columns.map(function (c) { return c.text(r); }).join(" \u0001 ").toLowerCase(); });
    var order = rows.map(function (_, i) { return i; });  // the rows in the current sort order
    var shown = order, page = 0;
    function draw() {
      var pages = Math.max(1, Math.ceil(shown.length / PAGE));
      if (page >= pages) { page = pages - 1; }
      var frag = document.createDocumentFragment();
      shown.slice(page * PAGE, (page + 1) * PAGE).forEach(function (i) {
        var r = rows[i], tr = document.createElement("tr");
        tr.setAttribute("data-id", r[0]);
        columns.forEach(function (c) {
          var td = document.createElement("td");
          if (c.cell) { td.appendChild(c.cell(r)); } else { td.textContent = c.text(r); }
          tr.appendChild(td);
        });
        frag.appendChild(tr);
      });
      body.textContent = "";
      body.appendChild(frag);
      count.textContent = shown.length + " of " + rows.length + " " + opts.noun;
      pager.querySelector(".page-no").textContent = "page " + (page + 1) + " of " + pages;
      pager.querySelector("[data-step='-1']").disabled = page === 0;
      pager.querySelector("[data-step='1']").disabled = page >= pages - 1;
      pager.hidden = pages === 1;
    }
    function filter() {
      var q = opts.query().trim().toLowerCase(), test = opts.test();
      shown = order.filter(function (i) { return (!q || hay[i].indexOf(q) >= 0) && test(rows[i]); });
      page = 0;
      draw();
    }
    function sortBy(th) {
      var col = Number(th.getAttribute("data-col")), c = columns[col];
      var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      var keys = rows.map(c.key);
      order = rows.map(function (_, i) { return i; });
      order.sort(function (a, b) {
        var x = keys[a], y = keys[b];
        var xe = x === null || x === "", ye = y === null || y === "";
        if (xe !== ye) { return xe ? 1 : -1; }  // empty cells last, either way
        var cmp = xe ? 0 : (c.num ? x - y : collator.compare(x, y));
        return cmp !== 0 ? dir * cmp : a - b;
      });
      filter();
    }
    heads.forEach(function (th) {
      th.addEventListener("click", function () { sortBy(th); });
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(th); } });
    });
    pager.addEventListener("click", function (e) {
      var step = e.target.getAttribute && e.target.getAttribute("data-step");
      if (step) { page += Number(step); draw(); }
    });
    opts.inputs.forEach(function (el) {
      el.addEventListener("input", filter);
      el.addEventListener("change", filter);
    });
    filter();
  }
  function $(id) { return document.getElementById(id); }
  makeTable({rows: data.projects, columns: projectColumns, table: "project-table", pager: "project-pager",
    count: "f-count", noun: "projects", inputs: [$("f-text"), $("f-country"), $("f-partner"), $("f-dup")],
    query: function () { return $("f-text").value; },
    test: function () {
      var c = $("f-country").value, p = $("f-partner").value, d = $("f-dup").checked;
      return function (r) {
        return (!c || r[5].indexOf(c) >= 0) && (!p || r[3].indexOf(p) >= 0) && (!d || r[11] > 0);
      };
    }});
  makeTable({rows: data.partnerships, columns: partnershipColumns, table: "partnership-table",
    pager: "partnership-pager", count: "g-count", noun: "partnerships", inputs: [$("g-text"), $("g-country")],
    query: function () { return $("g-text").value; },
    test: function () {
      var c = $("g-country").value;
      return function (r) { return !c || r[3] === c; };
    }});

  // the record view: the location's hash names a record (or one of its source blocks, ID-sN)
  var chunkOf = {};
  data.projects.forEach(function (r) { chunkOf[r[0]] = r[12]; });
  data.partnerships.forEach(function (r) { chunkOf[r[0]] = r[8]; });
  var view = $("record-view"), sections = {}, texts = {}, done = {}, failed = {}, wanted = null;
  var FIELDS = data.fields;
  // a sources file's object comes gzipped in base64 (report.py's pack)
  function unpack(name, packed, into) {
    try {
      var bin = atob(packed), bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
      var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      new Response(stream).text().then(function (json) {
        var value = JSON.parse(json);
        Object.keys(value).forEach(function (k) { into[k] = value[k]; });
        done[name] = true;
        show();
      }, function () { failed[name] = true; show(); });
    } catch (e) {
      failed[name] = true;
      show();
    }
  }
  window.kpReportChunk = function (n, packed) { unpack("chunk-" + n, packed, sections); };
  window.kpReportText = function (n, packed) { unpack("text-" + n, packed, texts); };
  function load(name) {  // chunk-N (records) or text-N (the blocks' text)
    if (done[name] || failed[name] || document.querySelector("script[data-chunk='" + name + "']")) { return; }
    var s = document.createElement("script");
    s.src = data.sidecar + "/" + name + ".js";
    s.setAttribute("data-chunk", name);
    s.onerror = function () { failed[name] = true; show(); };
    document.head.appendChild(s);
  }
  function message(cls, text) {
    var p = document.createElement("p");
    p.className = cls;
    p.textContent = text;
    view.textContent = "";
    view.appendChild(p);
  }
  // a block's text with a record's marks: the text file holds [page start, then the start and the
  // escaped HTML of each segment] (cut by report.py at the ends of every mark), the record's ref
  // [text file, block, then start, end, field index of each mark]: a mark wraps whole segments
  function blockHtml(text, ref) {
    var base = text[0], out = [], m = 2, end = -1;
    for (var i = 1; i < text.length; i += 2) {
      var at = text[i], piece = text[i + 1];
      if (end >= 0 && at >= end) { out.push("</mark>"); end = -1; }
      if (end < 0 && m < ref.length && ref[m] === at && piece.charAt(0) !== "<") {
        out.push('<mark data-field="' + FIELDS[ref[m + 2]] + '" data-start="' + (base + at) +
                 '" data-end="' + (base + ref[m + 1]) + '">');
        end = ref[m + 1];
        m += 3;
      }
      out.push(piece);
    }
    if (end >= 0) { out.push("</mark>"); }
    return out.join("");
  }
  function draw(section) {
    view.innerHTML = section[0];  // written and escaped by report.py
    var pres = view.querySelectorAll(".block pre");
    section[1].forEach(function (ref, i) { pres[i].innerHTML = blockHtml(texts[ref[1]], ref); });
    // the decision controls' fields: those of the page's own form
    var fields = Array.prototype.slice.call($("d-field").options, 1);
    Array.prototype.forEach.call(view.querySelectorAll("select.d-field"), function (sel) {
      fields.forEach(function (o) { sel.appendChild(o.cloneNode(true)); });
    });
  }
  function unavailable(name) {
    message("load-error", "The sources of this record could not be loaded: " + data.sidecar +
      "/" + name + ".js must be in the folder next to the report (and the browser must read gzip: " +
      "DecompressionStream).");
  }
  function show() {
    var hash = decodeURIComponent(location.hash.slice(1));
    var id = hash.replace(/-s\d+$/, "");
    if (!(id in chunkOf)) { id = hash; }
    if (!(id in chunkOf)) { wanted = null; view.textContent = ""; return; }
    var name = "chunk-" + chunkOf[id];
    if (failed[name]) { unavailable(name); return; }
    if (!done[name]) { message("loading", "loading the sources…"); load(name); return; }
    var section = sections[id], need = [];
    section[1].forEach(function (ref) {
      var t = "text-" + ref[0];
      if (!done[t] && need.indexOf(t) < 0) { need.push(t); }
    });
    var bad = need.filter(function (t) { return failed[t]; });
    if (bad.length) { unavailable(bad[0]); return; }
    if (need.length) { message("loading", "loading the sources…"); need.forEach(load); return; }
    if (wanted !== id || !$(id)) {
      draw(section);
      wanted = id;
    }
    var target = $(hash) || $(id);
    if (target) { target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", show);
  show();
})();
"""

DECISIONS_CSS = """
.decide{display:flex;flex-wrap:wrap;gap:6px 10px;align-items:center;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:6px 10px;margin:8px 0;font-size:12px}
.decide input,.decide select,#d-form input,#d-form select{font:inherit;padding:2px 5px}
#decision-table,#candidate-table{width:auto;min-width:50%}
"""

# The pending decisions live in this page only; Download builds the CSV (the columns of
# s7_decide.COLUMNS, RFC 4180 quoting, CRLF) as a Blob and saves it.
DECISIONS_JS = r"""
(function () {
  "use strict";
  var COLUMNS = ["action", "target", "field", "value", "reviewer", "date", "note"];
  var pending = [];
  var tbody = document.querySelector("#decision-table tbody");
  var reviewer = document.getElementById("d-reviewer");
  var date = document.getElementById("d-date");
  if (!date.value) { date.value = new Date().toISOString().slice(0, 10); }
  function cell(v) {
    v = v == null ? "" : String(v);
    return /[",\r\n]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }
  function csvText() {
    return [COLUMNS.join(",")].concat(pending.map(function (d) {
      return COLUMNS.map(function (c) { return cell(d[c]); }).join(",");
    })).join("\r\n") + "\r\n";
  }
  function render() {
    tbody.textContent = "";
    pending.forEach(function (d, i) {
      var tr = document.createElement("tr");
      ["action", "target", "field", "value", "note"].forEach(function (c) {
        var td = document.createElement("td"); td.textContent = d[c]; tr.appendChild(td);
      });
      var td = document.createElement("td"), b = document.createElement("button");
      b.type = "button"; b.textContent = "remove";
      b.addEventListener("click", function () { pending.splice(i, 1); render(); });
      td.appendChild(b); tr.appendChild(td); tbody.appendChild(tr);
    });
    document.getElementById("d-count").textContent = String(pending.length);
  }
  function add(action, target, field, value, note) {
    if (!target) { return; }
    pending.push({action: action, target: target, field: field || "", value: value || "",
                  reviewer: reviewer.value.trim(), date: date.value, note: note || ""});
    render();
  }
  document.getElementById("d-add").addEventListener("click", function () {
    var v = function (id) { return document.getElementById(id).value.trim(); };
    add(v("d-action"), v("d-target"), v("d-action") === "set" ? v("d-field") : "", v("d-value"), v("d-note"));
  });
  // a record's controls are drawn when it is opened (its section comes from the sources files):
  // one listener on the document serves every record's box
  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest(".decide button") : null;
    if (!button) { return; }
    var box = button.closest(".decide"), target = box.getAttribute("data-target");
    if (button.classList.contains("d-reject")) { add("reject", target); }
    if (button.classList.contains("d-merge")) { add("merge", target, "", box.querySelector(".d-merge-value").value.trim()); }
    if (button.classList.contains("d-set")) {
      add("set", target, box.querySelector(".d-field").value, box.querySelector(".d-value").value.trim());
    }
  });
  Array.prototype.forEach.call(document.querySelectorAll(".d-promote"), function (b) {
    b.addEventListener("click", function () { add("promote", b.getAttribute("data-target")); });
  });
  document.getElementById("d-download").addEventListener("click", function () {
    var url = URL.createObjectURL(new Blob([csvText()], {type: "text/csv;charset=utf-8"}));
    var a = document.createElement("a");
    a.href = url; a.download = "decisions.csv";
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 0);
  });
  window.kpDecisionsCsv = csvText;
})();
"""

# The report's own inline style and script, and its sources files: 'self' lets the record view load
# SIDECAR/chunk-N.js next to the report (from file://, or the same origin when served) and nothing
# else; every other load stays forbidden. diff.py's changes.html, which has no sidecar, keeps CSP.
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline' 'self'; img-src data:"
PAGE_SIZE = 100  # table rows drawn at a time
CHUNK_CHARS = 400_000  # about this much record HTML per sources file: one file per record opened


ReportProgress = Callable[[str, int, int], None]  # (stage, done, total)


PARALLEL_FROM = 2000  # records: below this a report renders in-process (a pool costs more than it saves)
BATCH = 200  # records per task of the rendering pool

# What the rendering pool's workers read: set in the parent just before the pool forks, so that the
# records and the source texts are shared with the workers, never pickled to them.
_render_state: tuple[list[dict], dict, dict[str, str]] | None = None


Section = tuple[str, list[BlockRef]]  # a record's HTML (its <pre>s empty) and what fills them


def _section(rec: dict, sources: dict, titles: dict[str, str]) -> tuple[str, Section]:
    if "record_id" in rec:
        return str(rec["record_id"]), _record_html(rec, sources, titles)
    return partnership_id(rec), _partnership_html(rec, sources, titles)


def _render_batch(batch: range) -> list[tuple[str, Section]]:
    assert _render_state is not None, "the rendering pool's state is set before it forks"
    records, sources, titles = _render_state
    return [_section(records[i], sources, titles) for i in batch]


def _sections(projects: list[dict], partnerships: list[dict], sources: dict,
              progress: ReportProgress | None, workers: int = 0) -> Iterator[tuple[str, Section]]:
    """(id, section) of every project, then every partnership, in that order. Marking the values
    in every source block is most of a report's work: a big one is rendered by `workers` forked
    processes (0: one per core), in batches taken back in order, so the output is the same."""
    global _render_state
    titles = {str(p["record_id"]): display_title(p) for p in projects}
    records = projects + partnerships
    total = len(records)
    batches = [range(i, min(i + BATCH, total)) for i in range(0, total, BATCH)]
    workers = workers or os.cpu_count() or 1
    parallel = workers > 1 and total >= PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods()
    done = 0
    if not parallel:
        for batch in batches:
            for i in batch:
                yield _section(records[i], sources, titles)
            done += len(batch)
            if progress is not None:
                progress("records", done, total)
        return
    _render_state = (records, sources, titles)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for batch, rendered in zip(batches, pool.imap(_render_batch, batches)):
                yield from rendered
                done += len(batch)
                if progress is not None:
                    progress("records", done, total)
    finally:
        _render_state = None


def chunk_sections(sections: Iterable[tuple[str, Section]], limit: int = CHUNK_CHARS
                   ) -> Iterator[tuple[int, dict[str, Section]]]:
    """The sections grouped in order into chunks of about `limit` characters (a section larger than
    that is a chunk alone), numbered from 1."""
    chunk: dict[str, Section] = {}
    size, n = 0, 1
    for rid, section in sections:
        weight = len(section[0]) + 12 * sum(len(r) for r in section[1])
        if chunk and size + weight > limit:
            yield n, chunk
            chunk, size, n = {}, 0, n + 1
        chunk[rid] = section
        size += weight
    if chunk:
        yield n, chunk


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def pack(value: Any) -> str:
    """value as a sources file carries it: its compact JSON, gzipped (no timestamp: the same bytes
    every time) and in base64, which the page's script unpacks (DecompressionStream). The sections'
    HTML repeats itself from record to record, and gzip takes most of that out."""
    data = gzip.compress(_compact(value).encode("utf-8"), compresslevel=6, mtime=0)
    return base64.b64encode(data).decode("ascii")


def unpack(packed: str) -> Any:
    """The value pack packed."""
    return json.loads(gzip.decompress(base64.b64decode(packed)).decode("utf-8"))


def chunk_script(n: int, sections: dict[str, Section]) -> str:
    """A record file: one call of the report's kpReportChunk with the chunk's sections by id, each
    [its HTML, [[text file, block ref, start, end, field index, ...] of each shown block]]."""
    return f'kpReportChunk({n},"{pack({rid: [h, refs] for rid, (h, refs) in sections.items()})}");\n'


def assign_text_files(sources: dict[tuple[str, int, int], SourceText], limit: int = CHUNK_CHARS) -> None:
    """Number the shown blocks (ref, in key order) and group them in order into text files of about
    `limit` characters of text (text_file, from 1): each block's text is written once, in one file."""
    ref, n, size = 0, 1, 0
    for key in sorted(sources):
        block = sources[key]
        if block.text is None:
            continue
        if size and size + len(block.text) > limit:
            n, size = n + 1, 0
        block.ref, block.text_file = ref, n
        ref += 1
        size += len(block.text)


TextFile = list[tuple[int, int, str, list[tuple[int, int, str]] | None]]  # (page start, ref, text, hidden)
_text_state: tuple[dict[int, TextFile], dict[int, set[int]]] | None = None  # as _render_state


def _hidden_batch(texts: list[str]) -> list[list[tuple[int, int, str]]]:
    return [contact_spans(t) for t in texts]


def find_hidden(sources: dict[tuple[str, int, int], SourceText], workers: int = 1) -> None:
    """The contact details of every shown block (its `hidden`), found once per block rather than once
    per record citing it; by `workers` processes (the blocks' texts are small to send)."""
    shown = [b for _k, b in sorted(sources.items()) if b.text is not None]
    batches = [[b.text or "" for b in shown[i:i + 500]] for i in range(0, len(shown), 500)]
    if workers > 1 and len(batches) > 1 and "fork" in multiprocessing.get_all_start_methods():
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            found = [h for batch in pool.imap(_hidden_batch, batches) for h in batch]
    else:
        found = [h for batch in batches for h in _hidden_batch(batch)]
    for block, hidden in zip(shown, found):
        block.hidden = hidden


def _text_script(n: int, blocks: TextFile, cuts: dict[int, set[int]]) -> str:
    """One text file: kpReportText(N, packed {ref: [page start, then the start and HTML of each
    segment]}), each block's text cut at the ends of the marks of every record citing it (cuts, by
    ref), escaped, contact details hidden (highlight.cut_segments)."""
    out: dict[str, list[Any]] = {}
    for start, ref, text, hidden in blocks:
        entry: list[Any] = [start]
        for at, kind, piece in cut_segments(text, cuts.get(ref, ()), hidden):
            if kind == "text":
                entry += [at, html.escape(piece)]
            else:
                entry += [at, f'<span class="redacted" title="contact details hidden">{html.escape(piece)}</span>']
        out[str(ref)] = entry
    return f'kpReportText({n},"{pack(out)}");\n'


def _text_batch(n: int) -> str:
    assert _text_state is not None, "the text pool's state is set before it forks"
    files, cuts = _text_state
    return _text_script(n, files[n], cuts)


def text_scripts(sources: dict[tuple[str, int, int], SourceText], cuts: dict[int, set[int]],
                 workers: int = 1) -> Iterator[tuple[int, str]]:
    """(N, the text file text-N.js) of every text file (assign_text_files), in order; `workers` forked
    processes make them when there are many (the same bytes either way)."""
    global _text_state
    files: dict[int, TextFile] = {}
    for (_file, start, _end), block in sorted(sources.items()):
        if block.text is not None:
            files.setdefault(block.text_file, []).append((start, block.ref, block.text, block.hidden))
    numbers = sorted(files)
    if not (workers > 1 and len(numbers) > 1 and "fork" in multiprocessing.get_all_start_methods()):
        for n in numbers:
            yield n, _text_script(n, files[n], cuts)
        return
    _text_state = (files, cuts)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from zip(numbers, pool.imap(_text_batch, numbers))
    finally:
        _text_state = None


def sidecar_dir(report: Path) -> Path:
    """The folder of the report's sources files: report.html -> report.sources/."""
    return report.with_name(report.stem + ".sources")


def render_report(projects: list[dict], partnerships: list[dict], sources: dict[tuple[str, int, int], SourceText],
                  chunks: dict[str, int], sidecar: str, meta: dict[str, Any] | None = None,
                  candidates: list[dict] | None = None, pages_without_record: list[dict] | None = None) -> str:
    """The HTML page: counts, run metadata, charts, the two tables' rows as JSON (chunks: the sources
    file of each record id; sidecar: that folder's name relative to the page), the reviewer's
    decisions (candidates: the rows of candidates.jsonl, offered for promotion), the pages that gave
    no record (pages.csv rows with a reason: read_pages_without_record; no section when None)."""
    data = {
        "page_size": PAGE_SIZE, "sidecar": sidecar, "fields": list(FIELDS),
        "projects": [_project_row(p, chunks[str(p["record_id"])]) for p in projects],
        "partnerships": [_partnership_row(pt, chunks[partnership_id(pt)]) for pt in partnerships],
    }
    return f"""{page_head("kp_extract review report", REPORT_CSP, CSS + DECISIONS_CSS)}
<body>
<header><h1>kp_extract review report</h1>
<p>Projects and partnerships extracted from municipal partnership pages, with the source text each record was read from.</p></header>
<main>
{_summary_html(projects, partnerships, sources)}
{_metadata_html(meta or {})}
<section class="charts" id="charts"><h2>Counts</h2>
{charts_svg(projects)}
</section>
{_table_html(projects)}
{_partnership_table_html(partnerships)}
{_partnership_conflicts_html(partnerships)}
{_no_record_html(pages_without_record)}
<p class="legend">Marked in the source text: {_legend()}</p>
{_decisions_html(candidates or [])}
<div id="record-view" aria-live="polite"></div>
</main>
<script type="application/json" id="report-data">{_json_for_script(data)}</script>
<script>{JS}{DECISIONS_JS}</script>
</body>
</html>
"""


def _write_sidecar(folder: Path, chunks: Iterable[tuple[int, dict[str, Section]]],
                   sources: dict[tuple[str, int, int], SourceText], workers: int = 1) -> dict[str, int]:
    """Write the sources files into folder (each atomically): the records' files (chunk-N.js) as they
    come, then the text files (text-N.js), whose segments need the marks of every record; remove any
    other chunk-*.js and text-*.js there (an earlier, larger report's), and return the chunk number of
    every record id."""
    folder.mkdir(parents=True, exist_ok=True)
    where: dict[str, int] = {}
    names = set()
    cuts: dict[int, set[int]] = {}
    for n, sections in chunks:
        name = f"chunk-{n}.js"
        atomic_write_text(folder / name, chunk_script(n, sections))
        names.add(name)
        where.update(dict.fromkeys(sections, n))
        for _html, refs in sections.values():
            for ref in refs:
                cuts.setdefault(ref[1], set()).update(ref[2 + i] for i in range(len(ref) - 2) if i % 3 != 2)
    for n, script in text_scripts(sources, cuts, workers):
        name = f"text-{n}.js"
        atomic_write_text(folder / name, script)
        names.add(name)
    for stale in [*folder.glob("chunk-*.js"), *folder.glob("text-*.js")]:
        if stale.name not in names:
            stale.unlink()
    return where


def build_report(out_dir: Path, input_dir: Path | None = None, out_file: Path | None = None,
                 progress: ReportProgress | None = None, workers: int = 0) -> ReportResult:
    """Write the review report for the run output in out_dir (default out_dir/report.html, its
    sources files in out_dir/report.sources/) and return it with the counts of the page checks.
    Source pages are read from input_dir, else from the folder out_dir/datapackage.json records
    (relative to out_dir), and each is compared with the sha256 the run recorded: a page gone or
    changed is shown with a badge and without its text. progress(stage, done, total) is called as
    pages are checked ("pages") and records rendered and written ("records"). workers:
    processes that render a big report's records (0: one per core; 1: in-process).
    The records are read from whichever format the run wrote (outputs.reader.read_records); raises
    outputs.reader.NoRunOutput (a FileNotFoundError) when out_dir holds none, OutputReadError when a
    record file is damaged."""
    out_dir = Path(out_dir)
    records = read_records(out_dir)
    projects = [scrub_record(p) for p in records.projects]
    partnerships = list(records.partnerships)
    candidates = _read_candidates(out_dir / "candidates.jsonl")
    recorded = recorded_input(out_dir)
    folder = Path(input_dir) if input_dir is not None else recorded.folder
    files = sorted({s["file"] for r in projects + partnerships for s in r.get("sources", [])})
    checks: dict[str, PageCheck] = {}
    for i, f in enumerate(files, 1):
        checks[f] = check_page(f, folder, recorded.sha256.get(f))
        if progress is not None and (i % 100 == 0 or i == len(files)):
            progress("pages", i, len(files))
    sources = load_sources(projects + partnerships, checks, out_dir / "blocks.jsonl")
    assign_text_files(sources)
    n_records = len(projects) + len(partnerships)
    text_workers = (workers or os.cpu_count() or 1) if n_records >= PARALLEL_FROM else 1
    find_hidden(sources, text_workers)
    target = Path(out_file) if out_file is not None else out_dir / REPORT_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    sidecar = sidecar_dir(target)
    chunks = _write_sidecar(sidecar, chunk_sections(_sections(projects, partnerships, sources, progress, workers)),
                            sources, text_workers)
    page = render_report(projects, partnerships, sources, chunks, sidecar.name, run_metadata(out_dir), candidates,
                         read_pages_without_record(out_dir))
    atomic_write_text(target, page)
    return ReportResult(target, count_pages(checks.values()))


def write_report(out_dir: Path, input_dir: Path | None = None, out_file: Path | None = None) -> Path:
    """build_report, returning the report's path."""
    return build_report(out_dir, input_dir, out_file).path


class ReportProgressBar:
    """A rich progress bar on the console for build_report's progress (pages checked, records
    rendered and written); draws nothing when the console is not a terminal, like the run's bar."""

    LABELS = {"pages": "checking pages", "records": "writing records"}

    def __init__(self, console: Any):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("report: {task.description}"), BarColumn(bar_width=20),
                                 MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True,
                                 disable=not console.is_terminal)
        self.task = self.progress.add_task("", total=None, visible=False)

    def __enter__(self) -> ReportProgressBar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.progress.update(self.task, description=self.LABELS.get(stage, stage), completed=done, total=total,
                             visible=True)
