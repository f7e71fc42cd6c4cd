"""The project's own scorer: extracted records against a hand-made gold file.

`evaluate(output_dir, gold_path)` matches predicted project records (OUTPUT/projects.json, or the
records of whichever format the run wrote: outputs/reader.py)
to gold records (a `{"projects": [...], "partnerships": [...]}` file in the format of
../shared/gold/GUIDE.md) and counts, per scored field, the values found (tp), invented
(fp) and missed (fn); records and partnerships are counted the same way. The numbers are
those of the external scorer (../shared/tools/score.py, copied to tests/tools/score.py):

* values are compared after normalisation: NFKC, case-folded, punctuation collapsed;
  partners abroad without generic words (`Local Municipality`, `kommun`, ...; the tables
  are in data/scoring.json); countries upper-cased; SDGs as integers; durations to two
  decimals; amounts to whole kronor;
* a predicted and a gold record may match when their titles are close (ratio >= 0.85) or
  both their Swedish and their international partners overlap; candidate pairs are taken
  greedily, best similarity first (title, partners, dates, amounts, areas, SDGs,
  countries and source files all add to it);
* an unmatched gold record counts every scored value as missed, an unmatched predicted
  record every value as invented; fields a gold record lists in `unscored` are skipped;
* partnerships match on (Swedish partner, partner abroad); their `since_year` is scored
  like a scalar field;
* precision of nothing predicted and recall of nothing expected are 1.0.
"""
from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from kp_extract import DATA_DIR
from kp_extract.outputs.reader import record_list

LIST_FIELDS = ("swedish_partners", "swedish_partner_codes", "international_partners",
               "countries", "project_areas", "themes", "sdgs", "tags", "languages")
SCALAR_FIELDS = ("title", "start_date", "end_date", "duration_years", "amount_sek")
# The scored project fields, in report order.
FIELDS = ("title",) + LIST_FIELDS[:7] + ("start_date", "end_date", "duration_years", "amount_sek") + LIST_FIELDS[7:]
# Titles at least this close match whatever the partners say.
TITLE_MATCH = 0.85


class EvaluationError(Exception):
    """Evaluation cannot start: a missing file or a gold file that is not gold (message is one line)."""


# ---------------------------------------------------------------- the report

@dataclass(frozen=True)
class Score:
    """Counts of one scored quantity and the precision, recall and F1 they give."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_dict(self) -> dict[str, float | int]:
        return {"p": self.precision, "r": self.recall, "f1": self.f1, "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass(frozen=True)
class EvaluationReport:
    """What `evaluate` found. `overall` is the micro-average over every field of `fields`."""

    records: Score
    fields: dict[str, Score]
    partnerships: Score
    since_year: Score
    predicted: int
    gold: int
    misses: list[str] = field(default_factory=list)

    @property
    def overall(self) -> Score:
        total = Score()
        for s in self.fields.values():
            total = total + s
        return total

    def rows(self) -> list[tuple[str, Score]]:
        """(name, score) in report order: records, each field, partnerships, since_year."""
        return ([("records", self.records)] + list(self.fields.items())
                + [("partnerships", self.partnerships), ("partnership since_year", self.since_year)])

    def to_dict(self, misses: bool = False) -> dict[str, Any]:
        """A JSON-ready dict: every row, `overall`, the record counts and (on request) the misses."""
        out: dict[str, Any] = {name: s.to_dict() for name, s in self.rows()}
        overall = self.overall
        out["overall"] = {"p": overall.precision, "r": overall.recall, "f1": overall.f1}
        out["predicted"] = self.predicted
        out["gold"] = self.gold
        if misses:
            out["misses"] = list(self.misses)
        return out

    def summary_line(self) -> str:
        """The last line of the text report (the same words as score.py's)."""
        o = self.overall
        return (f"overall field micro-F1 {o.f1:.3f} (P {o.precision:.3f} R {o.recall:.3f}); "
                f"records {self.predicted} predicted, {self.gold} gold, record F1 {self.records.f1:.3f}; "
                f"partnerships F1 {self.partnerships.f1:.3f}")


# ---------------------------------------------------------------- normalisation

@lru_cache(maxsize=1)
def _tables() -> tuple[frozenset[str], dict[str, str]]:
    data = json.loads((DATA_DIR / "scoring.json").read_text(encoding="utf-8"))
    return frozenset(data["generic_partner_words"]), dict(data["partner_aliases"])


def norm(value: Any) -> str:
    """NFKC, case-folded, every run of punctuation/underscores/space one space."""
    s = unicodedata.normalize("NFKC", str(value)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", s).split())


def partner_key(value: Any) -> str:
    """A partner abroad's name without generic words, aliases resolved."""
    generic, aliases = _tables()
    key = " ".join(w for w in norm(value).split() if w not in generic) or norm(value)
    return aliases.get(key, key)


def item_key(name: str, value: Any) -> Any:
    """The comparable form of one item of a list field."""
    if name == "sdgs":
        try:
            return int(value)
        except (TypeError, ValueError):
            return str(value)
    if name == "international_partners":
        return partner_key(value)
    if name == "countries":
        return str(value).strip().upper()
    return norm(value)


def scalar_key(name: str, value: Any) -> Any:
    """The comparable form of a scalar field; None for null or empty."""
    if value is None or value == "":
        return None
    if name == "duration_years":
        try:
            return round(float(value), 2)
        except (TypeError, ValueError):
            return str(value)
    if name == "amount_sek":
        try:
            return int(round(float(value)))
        except (TypeError, ValueError):
            return str(value)
    if name in ("start_date", "end_date"):
        return str(value).strip()
    return norm(value)


def as_list(value: Any) -> list:
    """A list field's items; a CSV-style "a | b" string is split."""
    if value is None:
        return []
    if isinstance(value, str):
        return [x.strip() for x in value.split("|") if x.strip()]
    return list(value)


def keys(record: dict, name: str) -> set:
    return {item_key(name, x) for x in as_list(record.get(name))}


def source_files(record: dict) -> set[str]:
    """Base names of the files a record cites (dict sources or `file:start-end` strings)."""
    out = set()
    for src in as_list(record.get("sources")):
        name = src.get("file", "") if isinstance(src, dict) else str(src).rsplit(":", 1)[0]
        out.add(name.replace("\\", "/").rsplit("/", 1)[-1])
    return out


# ---------------------------------------------------------------- matching

def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def _agreement(a: set, b: set) -> float:
    """Like jaccard, but two empty sets agree (a record with no Swedish municipality)."""
    return _jaccard(a, b) if a | b else 1.0


def title_similarity(a: Any, b: Any) -> float:
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, norm(a), norm(b)).ratio()


def similarity(pred: dict, gold: dict) -> float:
    """How alike two project records are; 0 when they may not match at all."""
    sw = _agreement(keys(pred, "swedish_partners"), keys(gold, "swedish_partners"))
    intl = _agreement(keys(pred, "international_partners"), keys(gold, "international_partners"))
    ts = title_similarity(pred.get("title"), gold.get("title"))
    if ts < TITLE_MATCH and (sw == 0 or intl == 0):
        return 0.0
    s = 3 * ts + 2 * sw + 2 * intl
    if not pred.get("title") and not gold.get("title"):
        s += 1.0
    for name in ("start_date", "end_date", "amount_sek", "duration_years"):
        pk = scalar_key(name, pred.get(name))
        if pk is not None and pk == scalar_key(name, gold.get(name)):
            s += 0.5
    for name in ("project_areas", "sdgs", "countries"):
        s += 0.3 * _jaccard(keys(pred, name), keys(gold, name))
    return s + 1.5 * _jaccard(source_files(pred), source_files(gold))


def match(preds: list[dict], golds: list[dict]) -> list[tuple[int, int]]:
    """Greedy one-to-one (pred index, gold index) pairs, most similar first (ties: higher indexes first)."""
    candidates = [(s, i, j) for i, p in enumerate(preds) for j, g in enumerate(golds)
                  if (s := similarity(p, g)) > 0]
    candidates.sort(reverse=True)
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


# ---------------------------------------------------------------- counting

def compare_field(name: str, pred: dict | None, gold: dict | None, label: str,
                  misses: list[str]) -> Score:
    """Counts of one field of a (possibly missing) predicted record against a (possibly missing)
    gold record; a miss line is appended when they differ."""
    if name in SCALAR_FIELDS:
        pk = scalar_key(name, pred.get(name)) if pred else None
        gk = scalar_key(name, gold.get(name)) if gold else None
        if pk is None and gk is None:
            return Score()
        if pk == gk:
            return Score(tp=1)
        misses.append(f"{label} {name}: got {pred.get(name) if pred else None!r}, "
                      f"want {gold.get(name) if gold else None!r}")
        return Score(fp=int(pk is not None), fn=int(gk is not None))
    pk = keys(pred, name) if pred else set()
    gk = keys(gold, name) if gold else set()
    got = Score(len(pk & gk), len(pk - gk), len(gk - pk))
    if got.fp or got.fn:
        misses.append(f"{label} {name}: extra {sorted(map(str, pk - gk))} missing {sorted(map(str, gk - pk))}")
    return got


def _label(gold: dict) -> str:
    names = as_list(gold.get("swedish_partners")) + as_list(gold.get("international_partners"))
    return f"[{gold.get('title') or '/'.join(names)}]"


def score_projects(preds: list[dict], golds: list[dict]) -> tuple[Score, dict[str, Score], list[str]]:
    """(record counts, per-field counts, miss lines) of predicted against gold project records."""
    pairs = match(preds, golds)
    fields = {name: Score() for name in FIELDS}
    misses: list[str] = []

    def add(name: str, pred: dict | None, gold: dict | None, label: str, sink: list[str]) -> None:
        fields[name] = fields[name] + compare_field(name, pred, gold, label, sink)

    for i, j in pairs:
        gold = golds[j]
        for name in FIELDS:
            if name not in gold.get("unscored", []):
                add(name, preds[i], gold, _label(gold), misses)
    matched_p = {i for i, _ in pairs}
    matched_g = {j for _, j in pairs}
    for j, gold in enumerate(golds):
        if j not in matched_g:
            misses.append(f"MISSING record {gold.get('title') or gold.get('swedish_partners')} / "
                          f"{gold.get('international_partners')}")
            for name in FIELDS:
                if name not in gold.get("unscored", []):
                    add(name, None, gold, "", [])
    for i, pred in enumerate(preds):
        if i not in matched_p:
            misses.append(f"EXTRA record {pred.get('title') or pred.get('swedish_partners')} / "
                          f"{pred.get('international_partners')}")
            for name in FIELDS:
                add(name, pred, None, "", [])
    records = Score(len(pairs), len(preds) - len(pairs), len(golds) - len(pairs))
    return records, fields, misses


def _partnership_key(record: dict) -> tuple[str, str]:
    return norm(record.get("swedish_partner", "")), partner_key(record.get("international_partner", ""))


def score_partnerships(preds: list[dict], golds: list[dict]) -> tuple[Score, Score, list[str]]:
    """(partnership counts, since_year counts, miss lines). Nothing is counted when gold has none."""
    if not golds:
        return Score(), Score(), []
    pmap = {_partnership_key(r): r for r in preds}
    gmap = {_partnership_key(r): r for r in golds}
    found = Score(len(pmap.keys() & gmap.keys()), len(pmap.keys() - gmap.keys()), len(gmap.keys() - pmap.keys()))
    misses: list[str] = []
    since = Score()
    for k, gold in gmap.items():
        since = since + compare_field("start_date", {"start_date": (pmap.get(k) or {}).get("since_year")},
                                      {"start_date": gold.get("since_year")}, f"[partnership {k}] since_year",
                                      misses)
    misses += [f"MISSING partnership {k}" for k in sorted(gmap.keys() - pmap.keys())]
    misses += [f"EXTRA partnership {k}" for k in sorted(pmap.keys() - gmap.keys())]
    return found, since, misses


# ---------------------------------------------------------------- files

def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvaluationError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise EvaluationError(f"{what} is a folder, not a file: {path}") from None
    except UnicodeDecodeError:
        raise EvaluationError(f"{what} is not UTF-8 text: {path}") from None
    except json.JSONDecodeError as exc:
        raise EvaluationError(f"{what} is not valid JSON: {path}: line {exc.lineno} column {exc.colno}: "
                              f"{exc.msg}") from None
    except OSError as exc:
        raise EvaluationError(f"cannot read {what}: {path}: {exc.strerror or exc}") from None


def _records(data: Any, key: str, path: Path) -> list[dict]:
    """The record list of a file (reader.record_list); EvaluationError when there is none."""
    records = record_list(data, key)
    if records is None:
        raise EvaluationError(f"{path}: expected a JSON array of {key} records (objects)")
    return records


def load_output(output: Path) -> tuple[list[dict], list[dict]]:
    """(projects, partnerships) of an output folder, in whatever format the run wrote them
    (outputs.reader.read_records), or of one projects file (.json, .jsonl, .parquet, .csv) and
    the partnerships file of the same format beside it. A missing partnerships file counts as none."""
    from kp_extract.outputs.reader import OutputReadError, read_record_file, read_records

    output = Path(output)
    if not output.exists():
        raise EvaluationError(f"output not found: {output}")
    try:
        if output.is_dir():
            return read_records(output)
        partnerships_file = output.with_name("partnerships" + output.suffix)
        projects = read_record_file(output, "projects")
        partnerships = (read_record_file(partnerships_file, "partnerships")
                        if partnerships_file.is_file() and partnerships_file != output else [])
    except OutputReadError as exc:
        raise EvaluationError(str(exc)) from None
    return projects, partnerships


def load_gold(gold_path: Path) -> tuple[list[dict], list[dict]]:
    """(projects, partnerships) of a gold file: a JSON object with a "projects" array and an
    optional "partnerships" array."""
    gold_path = Path(gold_path)
    data = _read_json(gold_path, "gold file")
    if not isinstance(data, dict) or "projects" not in data:
        raise EvaluationError(f"gold file {gold_path}: expected a JSON object with a \"projects\" array "
                              "(see the GUIDE)")
    return _records(data, "projects", gold_path), _records(data.get("partnerships", []), "partnerships", gold_path)


def evaluate_records(preds: Iterable[dict], golds: Iterable[dict], pred_partnerships: Iterable[dict] = (),
                     gold_partnerships: Iterable[dict] = ()) -> EvaluationReport:
    """Score record lists already in memory."""
    preds, golds = list(preds), list(golds)
    records, fields, misses = score_projects(preds, golds)
    partnerships, since, part_misses = score_partnerships(list(pred_partnerships), list(gold_partnerships))
    return EvaluationReport(records, fields, partnerships, since, len(preds), len(golds), misses + part_misses)


def evaluate(output_dir: Path, gold_path: Path) -> EvaluationReport:
    """Score the records in output_dir (in any format a run writes: load_output) against gold_path.

    Raises EvaluationError with a one-line message when a file is missing or not what it should be.
    """
    gold_projects, gold_partnerships = load_gold(Path(gold_path))
    projects, partnerships = load_output(Path(output_dir))
    return evaluate_records(projects, gold_projects, partnerships, gold_partnerships)


# ---------------------------------------------------------------- rendering

def render_table(report: EvaluationReport, show_misses: bool = False):
    """The report as rich renderables: the table of rows, then (on request) the misses, then the
    summary line."""
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False)
    table.add_column("field")
    for name in ("P", "R", "F1", "tp", "fp", "fn"):
        table.add_column(name, justify="right")
    for name, s in report.rows():
        table.add_row(name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.tp), str(s.fp), str(s.fn))
    out: list = [table]
    if show_misses:
        out.append(Text("\nmisses:" + "".join("\n" + m for m in report.misses)))
    out.append(Text(report.summary_line()))
    return out
