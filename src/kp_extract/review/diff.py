"""What changed between two runs' outputs (`kp-extract diff OLD_OUT NEW_OUT`, `run --compare`).

`diff_outputs(old_dir, new_dir)` reads both runs' records (outputs/reader.py: any format a run
writes) and lists, for projects and for partnerships, the records that are new, those that are
gone and those that are altered, with every field that differs (old -> new). Records are matched by
content, never by their position in the files, in steps; a step only sees the records the earlier
steps left unmatched:

Projects
  1. the same `record_id` (an id is a hash of the record's content key: its title, or for an
     untitled record its parties, years and the words of its item; see README "Record ids");
  2. the same parties and a like title: the two records name at least one Swedish partner in common
     (by code or by name) and at least one partner abroad in common (names compared as the scorer
     compares them: case, punctuation and words such as "Municipality" aside; a side empty in both
     counts as in common), and their titles are alike (difflib ratio of the normalised titles at
     least TITLE_ALIKE) or both are untitled. So a record whose title was corrected is *altered*,
     with its record_id among the changed fields, not gone and new. Candidate pairs are taken best
     first (title likeness, then how many parties they share), each record once.

Partnerships
  1. the same `partnership_id`, when both records have one;
  2. the same pair: Swedish partner (by name) and partner abroad (by the scorer's key);
  3. the same Swedish partner (by code or name) and partner-abroad names alike (ratio of their keys
     at least PARTNER_ALIKE): a corrected spelling is *altered*, not gone and new.

What is matched in no step is new (only in the new output) or gone (only in the old one). Matched
records are compared field by field in the record's field order; a field one of them lacks counts
as None. Records are listed in file order: new and altered ones in the new output's order, gone
ones in the old output's.

The result renders three ways: `to_json` (the stable shape CHANGES_FORMAT, also OUT/changes.json of
`run --compare`), `render_terminal` (rich tables) and `render_html` (changes.html, in the review
report's style: its CSS and Content-Security-Policy, every value escaped).
"""
from __future__ import annotations

import difflib
import html
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kp_extract.outputs.datapackage import input_label
from kp_extract.outputs.files import FileStat, atomic_write_text
from kp_extract.outputs.reader import Records, read_records
from kp_extract.outputs.records import PARTNERSHIP_FIELDS, PROJECT_FIELDS
from kp_extract.review.evaluate import norm, partner_key

__all__ = ["CHANGES_FORMAT", "CHANGES_NAME", "TITLE_ALIKE", "PARTNER_ALIKE", "FieldChange", "Altered", "KindDiff",
           "Diff", "diff_records", "diff_outputs", "to_json", "json_text", "write_changes_json", "compare_run",
           "remove_changes", "render_terminal", "render_html"]

CHANGES_FORMAT = "kp-extract-changes/1"  # the "format" of to_json's object; a new shape gets a new number
CHANGES_NAME = "changes.json"  # what `run --compare` writes into the output folder
# Titles at least this alike (difflib ratio of the normalised titles) are one project's, when the
# parties agree too: a corrected typo or a word added keeps ~0.8-0.95, another project of the same
# parties ("Safe schools" / "Clean water") stays well below.
TITLE_ALIKE = 0.6
# Partner-abroad names at least this alike are one partner, when the Swedish partner is the same:
# "Kisumu County" / "Kisumu Count" 0.96, "Kisumu" / "Kakamega" 0.43.
PARTNER_ALIKE = 0.8

KINDS = ("projects", "partnerships")
FIELDS = {"projects": PROJECT_FIELDS, "partnerships": PARTNERSHIP_FIELDS}


@dataclass(frozen=True)
class FieldChange:
    """One field of a matched pair that differs: its old and its new value (as in the JSON records)."""

    field: str
    old: Any
    new: Any


@dataclass
class Altered:
    """A record in both outputs whose fields differ: how it was matched and what changed."""

    old: dict
    new: dict
    matched_by: str
    changes: list[FieldChange]


@dataclass
class KindDiff:
    """The changes of one kind of record (projects or partnerships)."""

    new: list[dict] = field(default_factory=list)
    gone: list[dict] = field(default_factory=list)
    altered: list[Altered] = field(default_factory=list)
    unchanged: int = 0

    def counts(self) -> dict[str, int]:
        return {"new": len(self.new), "gone": len(self.gone), "altered": len(self.altered),
                "unchanged": self.unchanged}


@dataclass
class Diff:
    """What changed from the old output to the new: per kind of record, and the outputs' labels."""

    projects: KindDiff
    partnerships: KindDiff
    old_label: str = "old"
    new_label: str = "new"

    def kinds(self) -> list[tuple[str, KindDiff]]:
        return [("projects", self.projects), ("partnerships", self.partnerships)]

    @property
    def changed(self) -> bool:
        return any(d.new or d.gone or d.altered for _, d in self.kinds())


# ---------------------------------------------------------------- matching

def _title_likeness(a: Any, b: Any) -> float:
    """1.0 for two untitled records, 0.0 for one untitled, else the ratio of the normalised titles."""
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, norm(a), norm(b)).ratio()


def _swedish_keys(record: dict) -> set[str]:
    """A project's Swedish partners as comparable keys: codes and normalised names."""
    return ({f"code:{c}" for c in record.get("swedish_partner_codes") or []}
            | {f"name:{norm(n)}" for n in record.get("swedish_partners") or []})


def _abroad_keys(record: dict) -> set[str]:
    return {partner_key(n) for n in record.get("international_partners") or []}


def _shared(a: set, b: set) -> int | None:
    """How many keys a and b share; 1 when both are empty (a side empty in both agrees); None when
    they share none."""
    if not a and not b:
        return 1
    n = len(a & b)
    return n or None


def _pair_greedy(old: list[dict], new: list[dict], old_left: set[int], new_left: set[int],
                 score: Callable[[dict, dict], tuple | None], blocks: Callable[[dict], Iterable[Any]]
                 ) -> list[tuple[int, int]]:
    """(old index, new index) pairs among the unmatched, best score first, each record once; only
    records sharing a block key are compared (so the work stays near-linear), score None: no pair."""
    by_block: dict[Any, list[int]] = defaultdict(list)
    for j in sorted(new_left):
        for key in set(blocks(new[j])):
            by_block[key].append(j)
    candidates = []
    for i in sorted(old_left):
        seen: set[int] = set()
        for key in set(blocks(old[i])):
            for j in by_block.get(key, ()):
                if j in seen:
                    continue
                seen.add(j)
                s = score(old[i], new[j])
                if s is not None:
                    candidates.append((s, -i, -j))
    candidates.sort(reverse=True)  # best first; ties: earlier records first
    pairs = []
    for _, i, j in candidates:
        i, j = -i, -j
        if i in old_left and j in new_left:
            old_left.discard(i)
            new_left.discard(j)
            pairs.append((i, j))
    return pairs


def _pair_by_key(old: list[dict], new: list[dict], old_left: set[int], new_left: set[int],
                 key: Callable[[dict], Any]) -> list[tuple[int, int]]:
    """(old index, new index) pairs of unmatched records with the same key (None: no key), in file
    order when a key repeats."""
    waiting: dict[Any, list[int]] = defaultdict(list)
    for i in sorted(old_left):
        k = key(old[i])
        if k is not None:
            waiting[k].append(i)
    pairs = []
    for j in sorted(new_left):
        k = key(new[j])
        if k is not None and waiting.get(k):
            i = waiting[k].pop(0)
            old_left.discard(i)
            new_left.discard(j)
            pairs.append((i, j))
    return pairs


def _project_score(a: dict, b: dict) -> tuple | None:
    sw = _shared(_swedish_keys(a), _swedish_keys(b))
    abroad = _shared(_abroad_keys(a), _abroad_keys(b))
    if sw is None or abroad is None:
        return None
    likeness = _title_likeness(a.get("title"), b.get("title"))
    return (likeness, sw + abroad) if likeness >= TITLE_ALIKE else None


def _project_blocks(record: dict) -> Iterable[Any]:
    return _swedish_keys(record) or {"no Swedish partner"}


def _match_projects(old: list[dict], new: list[dict]) -> list[tuple[int, int, str]]:
    old_left, new_left = set(range(len(old))), set(range(len(new)))
    pairs = [(i, j, "record_id") for i, j in _pair_by_key(old, new, old_left, new_left,
                                                           lambda r: r.get("record_id"))]
    pairs += [(i, j, "parties and title") for i, j in _pair_greedy(old, new, old_left, new_left, _project_score,
                                                                   _project_blocks)]
    return pairs


def _partnership_swedish_keys(record: dict) -> set[str]:
    keys = {f"name:{norm(record.get('swedish_partner') or '')}"}
    if record.get("swedish_partner_code"):
        keys.add(f"code:{record['swedish_partner_code']}")
    return keys


def _partnership_score(a: dict, b: dict) -> tuple | None:
    if not _partnership_swedish_keys(a) & _partnership_swedish_keys(b):
        return None
    ratio = difflib.SequenceMatcher(None, partner_key(a.get("international_partner") or ""),
                                    partner_key(b.get("international_partner") or "")).ratio()
    return (ratio,) if ratio >= PARTNER_ALIKE else None


def _match_partnerships(old: list[dict], new: list[dict]) -> list[tuple[int, int, str]]:
    old_left, new_left = set(range(len(old))), set(range(len(new)))
    pairs = [(i, j, "partnership_id") for i, j in _pair_by_key(old, new, old_left, new_left,
                                                                lambda r: r.get("partnership_id") or None)]
    pairs += [(i, j, "pair") for i, j in _pair_by_key(
        old, new, old_left, new_left,
        lambda r: (norm(r.get("swedish_partner") or ""), partner_key(r.get("international_partner") or "")))]
    pairs += [(i, j, "Swedish partner and a like partner abroad") for i, j in _pair_greedy(
        old, new, old_left, new_left, _partnership_score, _partnership_swedish_keys)]
    return pairs


_MATCHERS = {"projects": _match_projects, "partnerships": _match_partnerships}


def _changes(old: dict, new: dict, fields: tuple[str, ...], ignore: frozenset[str] = frozenset()
             ) -> list[FieldChange]:
    """The fields (the record's fields in order, then any other key) whose values differ, but for
    those in ignore."""
    names = list(fields) + [k for k in list(old) + list(new) if k not in fields]
    out, seen = [], set(ignore)
    for name in names:
        if name in seen:
            continue
        seen.add(name)
        a, b = old.get(name), new.get(name)
        if (name not in old and b == []) or (name not in new and a == []):
            continue  # a list field an output written before it existed lacks (conflicts): nothing changed
        if a != b:  # 3 and 3.0 are one duration (Parquet and JSON), "" and None are not one title
            out.append(FieldChange(name, a, b))
    return out


def _diff_kind(kind: str, old: list[dict], new: list[dict], ignore: frozenset[str] = frozenset()) -> KindDiff:
    pairs = _MATCHERS[kind](old, new)
    matched_old = {i for i, _, _ in pairs}
    matched_new = {j for _, j, _ in pairs}
    result = KindDiff(new=[r for j, r in enumerate(new) if j not in matched_new],
                      gone=[r for i, r in enumerate(old) if i not in matched_old])
    for i, j, how in sorted(pairs, key=lambda p: p[1]):
        changes = _changes(old[i], new[j], FIELDS[kind], ignore)
        if changes:
            result.altered.append(Altered(old[i], new[j], how, changes))
        else:
            result.unchanged += 1
    return result


def diff_records(old_projects: Sequence[dict], new_projects: Sequence[dict], old_partnerships: Sequence[dict] = (),
                 new_partnerships: Sequence[dict] = (), old_label: str = "old", new_label: str = "new",
                 ignore: Iterable[str] = ()) -> Diff:
    """What changed from the old records to the new (dicts as in projects.json / partnerships.json).
    ignore: fields whose changes do not make a matched record altered (e.g. sources and confidence,
    which a re-crawl with renamed files or new chrome changes while the records stay the same);
    ValueError for a name that is no field of either kind."""
    ignored = check_ignored(ignore)
    return Diff(_diff_kind("projects", list(old_projects), list(new_projects), ignored),
                _diff_kind("partnerships", list(old_partnerships), list(new_partnerships), ignored),
                old_label, new_label)


def check_ignored(names: Iterable[str]) -> frozenset[str]:
    """The field names to ignore, each a field of projects or partnerships; ValueError otherwise."""
    ignored = frozenset(names)
    known = set(PROJECT_FIELDS) | set(PARTNERSHIP_FIELDS)
    unknown = sorted(ignored - known)
    if unknown:
        raise ValueError(f"no such record field: {', '.join(unknown)} (fields: {', '.join(sorted(known))})")
    return ignored


def diff_outputs(old_dir: Path, new_dir: Path, ignore: Iterable[str] = ()) -> Diff:
    """What changed from the run output in old_dir to that in new_dir (any format a run writes).
    outputs.reader.OutputReadError (NoRunOutput for a folder without run output) when one is unreadable."""
    ignored = check_ignored(ignore)
    old, new = read_records(old_dir), read_records(new_dir)
    return diff_records(old.projects, new.projects, old.partnerships, new.partnerships,
                        input_label(old_dir), input_label(new_dir), ignored)


# ---------------------------------------------------------------- the JSON shape

def identity(kind: str, record: dict) -> Any:
    """What names a record in the output: a project's record_id; a partnership's partnership_id if
    it has one, else [Swedish partner, partner abroad]."""
    if kind == "projects":
        return record.get("record_id")
    if record.get("partnership_id"):
        return record["partnership_id"]
    return [record.get("swedish_partner"), record.get("international_partner")]


def label(kind: str, record: dict) -> str:
    """A short human name of a record: a project's title (or its parties when untitled), a
    partnership's "Swedish partner – partner abroad"."""
    if kind == "partnerships":
        return f"{record.get('swedish_partner') or '?'} – {record.get('international_partner') or '?'}"
    if record.get("title"):
        return str(record["title"])
    parties = " – ".join(", ".join(map(str, record.get(k) or [])) for k in ("swedish_partners",
                                                                         "international_partners"))
    return f"(untitled) {parties}".strip()


def to_json(diff: Diff) -> dict:
    """The diff as one JSON object (the shape is CHANGES_FORMAT; README "What changed since the last
    crawl" documents it): format, old, new, counts per kind, then per kind the new and gone records
    (whole, as in the record files) and the altered ones (old and new identity, label, how they
    were matched, the changed fields with old and new values)."""
    out: dict[str, Any] = {"format": CHANGES_FORMAT, "old": diff.old_label, "new": diff.new_label,
                           "counts": {kind: d.counts() for kind, d in diff.kinds()}}
    for kind, d in diff.kinds():
        out[kind] = {
            "new": d.new,
            "gone": d.gone,
            "altered": [{"old": identity(kind, a.old), "new": identity(kind, a.new), "label": label(kind, a.new),
                         "matched_by": a.matched_by,
                         "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in a.changes]}
                        for a in d.altered],
        }
    return out


def json_text(diff: Diff) -> str:
    return json.dumps(to_json(diff), ensure_ascii=False, indent=1) + "\n"


def write_changes_json(path: Path, diff: Diff) -> FileStat:
    """to_json(diff) written to path, atomically (same diff: same bytes); the file's FileStat."""
    return atomic_write_text(Path(path), json_text(diff))


def compare_run(previous: Records, previous_dir: Path, out_dir: Path, written_dir: Path | None = None) -> FileStat:
    """`run --compare`: OUT/changes.json, what changed from previous (the records of previous_dir,
    read before the run wrote anything, so that previous_dir may be the run's own output folder) to
    the records the run has just written to out_dir. The file's FileStat. written_dir: where the run's
    files are until they are moved into out_dir (its staging folder, writer.OutputStage); changes.json
    is written there too, while its labels name out_dir."""
    written_dir = Path(written_dir if written_dir is not None else out_dir)
    new = read_records(written_dir)
    diff = diff_records(previous.projects, new.projects, previous.partnerships, new.partnerships,
                        input_label(previous_dir), input_label(out_dir))
    return write_changes_json(written_dir / CHANGES_NAME, diff)


def remove_changes(out_dir: Path) -> None:
    """Remove the changes.json an earlier `run --compare` left: it does not describe this run."""
    try:
        (Path(out_dir) / CHANGES_NAME).unlink()
    except FileNotFoundError:
        pass


# ---------------------------------------------------------------- values for people

MAX_SHOWN = 200  # characters of one value in a table cell; the JSON has them whole


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict) and {"file", "start", "end"} <= set(value):
        return f"{value['file']}:{value['start']}-{value['end']}"
    if isinstance(value, list):
        return " | ".join(_text(v) for v in value) if value else "[]"
    return str(value)


def _short(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 1] + "…"


def change_text(change: FieldChange) -> tuple[str, str]:
    """(old, new) of a change as people read it: a list shows the items it lost and gained (or that
    only their order changed), a scalar its value; long values are cut (the JSON has them whole)."""
    a, b = change.old, change.new
    if isinstance(a, list) and isinstance(b, list):
        a_items, b_items = [_text(x) for x in a], [_text(x) for x in b]
        lost = [x for x in a_items if x not in b_items]
        gained = [x for x in b_items if x not in a_items]
        if not lost and not gained:
            return _short(_text(a)), _short(_text(b) + " (order changed)")
        return (_short("− " + " | ".join(lost)) if lost else "", _short("+ " + " | ".join(gained)) if gained else "")
    return _short(_text(a)), _short(_text(b))


def _record_line(kind: str, record: dict) -> str:
    if kind == "projects":
        parts = [", ".join(record.get("swedish_partners") or []), ", ".join(record.get("international_partners") or [])]
        years = "–".join(str(x) for x in (record.get("start_date"), record.get("end_date")) if x)
        return " · ".join(x for x in parts + [years] if x)
    return " · ".join(str(x) for x in (record.get("country"), record.get("since_year")) if x)


def summary_line(kind: str, d: KindDiff) -> str:
    c = d.counts()
    return f"{kind}: {c['new']} new, {c['gone']} gone, {c['altered']} altered, {c['unchanged']} unchanged"


def _rows(kind: str, d: KindDiff) -> list[tuple[str, str, str, str, str]]:
    """(change, record, field, old, new) rows of one kind: new, gone, then altered (a row per field)."""
    rows = []
    for r in d.new:
        rows.append(("new", f"{label(kind, r)}", "", "", _record_line(kind, r)))
    for r in d.gone:
        rows.append(("gone", f"{label(kind, r)}", "", _record_line(kind, r), ""))
    for a in d.altered:
        for n, c in enumerate(a.changes):
            old, new = change_text(c)
            rows.append(("altered" if n == 0 else "", label(kind, a.new) if n == 0 else "", c.field, old, new))
    return rows


def _ident_text(kind: str, record: dict) -> str:
    ident = identity(kind, record)
    return " – ".join(map(str, ident)) if isinstance(ident, list) else str(ident)


# ---------------------------------------------------------------- the terminal

def render_terminal(diff: Diff) -> list:
    """The diff as rich renderables: a line saying what was compared, then per kind a summary line
    and (when anything changed) a table with a row per new and gone record and per altered field."""
    from rich.table import Table
    from rich.text import Text

    out: list = [Text(f"changes from {diff.old_label} to {diff.new_label}")]
    colours = {"new": "green", "gone": "red", "altered": "yellow"}
    for kind, d in diff.kinds():
        out.append(Text(summary_line(kind, d), style="bold"))
        rows = _rows(kind, d)
        if not rows:
            continue
        table = Table(show_lines=False, header_style="bold")
        for name in ("change", "record", "field", "old", "new"):
            table.add_column(name, overflow="fold")
        for change, *rest in rows:
            table.add_row(Text(change, style=colours.get(change, "")), *(Text(x) for x in rest))
        out.append(table)
    return out


# ---------------------------------------------------------------- changes.html

_DIFF_CSS = """
.diff td.old{color:#8a1c1c;background:#fdf0f0}
.diff td.new{color:#1c5e2a;background:#effaf1}
.diff td.kind{font-weight:600;white-space:nowrap}
.diff tr.new td.kind{color:#1c5e2a}
.diff tr.gone td.kind{color:#8a1c1c}
.diff tr.altered td.kind{color:#8a5a00}
.diff th{cursor:default}
"""


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _kind_html(kind: str, d: KindDiff) -> str:
    def name(r: dict, note: str = "") -> str:
        """The record's label, with its id under it when the label is not the id already."""
        ident = _ident_text(kind, r)
        below = " · ".join(x for x in (ident if ident != label(kind, r) else "", note) if x)
        return esc(label(kind, r)) + (f'<div class="rid">{esc(below)}</div>' if below else "")

    rows = []
    for r in d.new:
        rows.append(f'<tr class="new"><td class="kind">new</td><td>{name(r)}</td><td></td><td></td>'
                    f'<td class="new">{esc(_record_line(kind, r))}</td></tr>')
    for r in d.gone:
        rows.append(f'<tr class="gone"><td class="kind">gone</td><td>{name(r)}</td><td></td>'
                    f'<td class="old">{esc(_record_line(kind, r))}</td><td></td></tr>')
    for a in d.altered:
        span = len(a.changes)
        ids = _ident_text(kind, a.new)
        if _ident_text(kind, a.old) != ids:
            ids = f"{_ident_text(kind, a.old)} → {ids}"
        for n, c in enumerate(a.changes):
            old, new = change_text(c)
            head = (f'<td class="kind" rowspan="{span}">altered</td><td rowspan="{span}">{esc(label(kind, a.new))}'
                    f'<div class="rid">{esc(ids)} · matched by {esc(a.matched_by)}</div></td>') if n == 0 else ""
            rows.append(f'<tr class="altered">{head}<td>{esc(c.field)}</td><td class="old">{esc(old)}</td>'
                        f'<td class="new">{esc(new)}</td></tr>')
    body = "\n".join(rows) if rows else '<tr><td colspan="5" class="none">no changes</td></tr>'
    return f"""<section id="{kind}"><h2>{esc(kind.capitalize())}</h2>
<p>{esc(summary_line(kind, d))}</p>
<div class="table-wrap"><table class="diff">
<thead><tr><th>change</th><th>record</th><th>field</th><th>old</th><th>new</th></tr></thead>
<tbody>
{body}
</tbody></table></div>
</section>"""


def render_html(diff: Diff) -> str:
    """changes.html: a static page in the review report's style (its CSS and Content-Security-
    Policy: no script, nothing fetched), the counts, then a table per kind of record. Every value is
    escaped."""
    from kp_extract.review.report import CSP, CSS, page_head

    stats = "".join(f'<div class="stat"><b>{n}</b><span>{esc(kind)} {esc(what)}</span></div>'
                    for kind, d in diff.kinds() for what, n in d.counts().items() if what != "unchanged")
    sections = "\n".join(_kind_html(kind, d) for kind, d in diff.kinds())
    return f"""{page_head("kp_extract changes", CSP, CSS + _DIFF_CSS)}
<body>
<header><h1>kp_extract changes</h1>
<p>From {esc(diff.old_label)} to {esc(diff.new_label)}: records new, gone and altered (matched by id, then by parties and title).</p></header>
<main>
<section class="stats" id="summary">{stats}</section>
{sections}
</main>
</body>
</html>
"""
