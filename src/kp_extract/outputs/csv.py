"""CSV: the dialects and the cells, both ways.

A cell is the same in every dialect (`csv_cell`): None is an empty cell, lists are joined with
" | " (LIST_SEPARATOR), sources are `file:start-end`, numbers are plain with "." as the decimal
mark, and a cell that starts with = + - @ TAB or CR gets a leading apostrophe so that a
spreadsheet does not run it as a formula (the JSON keeps the original text). `cell_text` takes
the apostrophe off again, for the readers (outputs/reader.py).

The dialects (CSV_DIALECTS): rfc4180, the default (UTF-8, "," between cells, CRLF, minimal
quoting), and excel-sv, what Excel with Swedish regional settings opens with a double click (UTF-8
with a byte-order mark, ";" between cells, CRLF).
"""
from __future__ import annotations

import csv
import dataclasses
import json
import re
from typing import Any

from kp_extract.model import Source
from kp_extract.outputs.records import number, source_dict

__all__ = ["LIST_SEPARATOR", "CsvDialect", "CSV_DIALECTS", "DEFAULT_CSV_DIALECT", "csv_dialect", "csv_cell",
           "csv_writer", "cell_text", "header_bytes", "decisions_cell", "conflict_cell", "conflict_from_cell"]

LIST_SEPARATOR = " | "


@dataclasses.dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is laid out: the cells (csv_cell: lists joined with LIST_SEPARATOR, numbers
    plain with "." as decimal mark, injection guard) are the same in every dialect."""

    name: str
    delimiter: str
    bom: bool  # a UTF-8 byte-order mark first, so that Excel reads the file as UTF-8
    lineterminator: str = "\r\n"

    @property
    def encoding(self) -> str:
        """The encoding name a reader should use (Frictionless, pandas): utf-8-sig with a BOM."""
        return "utf-8-sig" if self.bom else "utf-8"


# rfc4180: the default, RFC 4180 with UTF-8. excel-sv: what Excel with Swedish regional settings
# opens with a double click: it expects ";" between cells (the comma is the decimal mark there) and
# needs the BOM to read UTF-8. Numbers keep "." (declared in datapackage.json) so that both dialects
# hold the same values.
CSV_DIALECTS: dict[str, CsvDialect] = {
    "rfc4180": CsvDialect("rfc4180", ",", bom=False),
    "excel-sv": CsvDialect("excel-sv", ";", bom=True),
}
DEFAULT_CSV_DIALECT = "rfc4180"


def csv_dialect(name: str) -> CsvDialect:
    """The CsvDialect called name; ValueError naming the valid ones otherwise."""
    try:
        return CSV_DIALECTS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown CSV dialect {name!r} (choose from {', '.join(CSV_DIALECTS)})") from None


_CSV_INJECTION_LEADS = ("=", "+", "-", "@", "\t", "\r")
_CSV_INJECTION_CHARS = frozenset(_CSV_INJECTION_LEADS)  # all one character: a set test on text[0]
_ONLY_STR = frozenset((str,)).issuperset
_ONLY_INT = frozenset((int,)).issuperset


def _plain_cell(value: Any) -> str:
    """The text of a CSV cell before the injection guard (see csv_cell)."""
    # Exact types first: a record's cells are strings, lists of strings, None and ints; a
    # subclass (whose str() may differ) takes the general path below.
    t = type(value)
    if t is str:
        return value
    if value is None:
        return ""
    if t is list or t is tuple:
        return _list_cell(value)
    if t is int:
        return int.__repr__(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        num = number(value)
        return "" if num is None else repr(num) if isinstance(num, float) else str(num)
    if isinstance(value, (Source, dict)):
        src = source_dict(value)
        return f"{src['file']}:{src['start']}-{src['end']}"
    if isinstance(value, (list, tuple)):
        return _list_cell(value)
    return str(value)


def _list_cell(items) -> str:
    """_plain_cell of a list: its items' cells joined with LIST_SEPARATOR."""
    kinds = set(map(type, items))
    if _ONLY_STR(kinds):  # exact str items are their own cells: one C join
        return LIST_SEPARATOR.join(items)
    if _ONLY_INT(kinds):
        return LIST_SEPARATOR.join(map(int.__repr__, items))
    if type(items[0]) is dict and "action" in items[0]:  # reviewer decisions (records._decisions)
        return decisions_cell(items)
    return LIST_SEPARATOR.join([_item_cell(v) for v in items])


def _item_cell(value: Any) -> str:
    """_plain_cell of one list item, with sources (dicts, Source) inline: what source_dict and the
    f-string of _plain_cell make of them, in the same order of lookups and conversions."""
    t = type(value)
    if t is dict:
        if "values" in value:  # a conflict (records.conflict_dict), not a source
            return conflict_cell(value)
        file, start, end = value["file"], int(value["start"]), int(value["end"])
        return f"{file}:{start}-{end}"
    if t is Source:
        return f"{value.file}:{value.start}-{value.end}"
    return _plain_cell(value)


def decisions_cell(decisions: list[dict]) -> str:
    """A record's reviewer decisions in one CSV cell: a JSON array of their objects (Table Schema type
    "array"), so that they read back whole, notes with commas and bars included; an empty cell for none."""
    return json.dumps(list(decisions), ensure_ascii=False) if decisions else ""
# One conflict in a cell: `field: value (file:start-end, file:start-end) vs value (file:start-end)`; a
# record's conflicts are joined with LIST_SEPARATOR like any list. Values are years, amounts, durations,
# ISO dates and country codes: never a space in them.
_CONFLICT_VALUE = re.compile(r"(\S+) \(((?:.*?:\d+-\d+)?)\)(?: vs |$)")
_CONFLICT_SOURCE = re.compile(r"(.+?):(\d+)-(\d+)(?:, |$)")


def conflict_cell(conflict: dict) -> str:
    """The cell text of one conflict (records.conflict_dict)."""
    values = " vs ".join(
        f"{_plain_cell(v['value'])} ({', '.join(_item_cell(s) for s in v['sources'])})" for v in conflict["values"])
    return f"{conflict['field']}: {values}"


def _matches_whole(pattern: re.Pattern, text: str) -> list[re.Match]:
    """pattern's matches one after another from the start of text to its end; ValueError if they leave a gap."""
    found, pos = [], 0
    while pos < len(text):
        m = pattern.match(text, pos)
        if m is None or m.end() == pos:
            raise ValueError(f"not a conflict cell: {text!r}")
        found.append(m)
        pos = m.end()
    return found


def conflict_from_cell(text: str) -> dict:
    """conflict_cell read back: {"field", "values": [{"value": text, "sources": [{"file", "start", "end"}]}]}
    (the value as its text: records.conflict_value types it by the field)."""
    field, sep, rest = text.partition(": ")
    if not sep or not field or not rest:
        raise ValueError(f"not a conflict cell: {text!r}")
    return {"field": field, "values": [
        {"value": m.group(1),
         "sources": [{"file": s.group(1), "start": int(s.group(2)), "end": int(s.group(3))}
                     for s in _matches_whole(_CONFLICT_SOURCE, m.group(2))]}
        for m in _matches_whole(_CONFLICT_VALUE, rest)]}


def csv_cell(value: Any) -> str:
    """One CSV cell: None -> "", lists joined with " | " (reviewer decisions: a JSON array), sources as file:start-end,
    numbers plain, and a leading apostrophe before = + - @ TAB CR (CSV injection guard)."""
    text = _plain_cell(value)
    if text and text[0] in _CSV_INJECTION_CHARS:
        text = "'" + text
    return text


def cell_text(cell: str) -> str:
    """The text csv_cell guarded: cell without the apostrophe the injection guard put before its
    first character (a cell whose own text starts with an apostrophe and one of those characters
    reads back without it: the guard cannot tell them apart)."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in _CSV_INJECTION_CHARS:
        return cell[1:]
    return cell


def csv_writer(fh, dialect: CsvDialect):
    """A csv.writer on the text stream fh in dialect (minimal quoting); writes the BOM first if the
    dialect has one, so call it on an empty stream."""
    if dialect.bom:
        fh.write("\ufeff")
    return csv.writer(fh, delimiter=dialect.delimiter, lineterminator=dialect.lineterminator,
                      quoting=csv.QUOTE_MINIMAL)


def header_bytes(fields, dialect: CsvDialect) -> bytes:
    """How a file of dialect with the header row fields starts (BOM included)."""
    return (("\ufeff" if dialect.bom else "") + dialect.delimiter.join(fields) + dialect.lineterminator).encode("utf-8")
