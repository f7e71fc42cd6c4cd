"""Segment: split a cleaned page into blocks with kinds and offsets.

Page dumps are plain text where paragraphs are separated by blank lines.
A block is one paragraph (or one bullet line, or one labelled footer run).
Kinds:

* ``chrome``  - lies inside a span that clean marked as site chrome;
* ``footer``  - a run of ``Label`` / ``value`` line pairs (listing-card footer);
* ``title``   - a ``Project: X`` style line;
* ``bullet``  - one bullet line;
* ``heading`` - a one-line paragraph that reads as a heading (short, no
  sentence-final punctuation);
* ``prose``   - everything else.

A footer closes an *item* (a card or a news article): every block up to and
including it belongs to that item, and the next block starts a new one.
Inside an item a heading starts a new *section*.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from kp_extract.model import Block, Page

from kp_extract import DATA_DIR

MAX_HEADING_CHARS = 160
# "Beviljade medel: 250 000 kronor" is a labelled value, "Completed: Patient Safety Culture" a heading
LABEL_VALUE = re.compile(r"^[^:]{2,40}:\s+(?:[\d(]|[a-zåäö])")
MAX_HEADING_WORDS = 22


@dataclass(frozen=True)
class Layout:
    """Structural labels of programme pages (from data/layout.json)."""

    footer_labels: dict[str, str]  # casefolded label -> field name
    footer_label_max_len: int  # length of the longest casefolded footer label
    inline_labels: dict[str, str]  # casefolded label -> field name
    bullet_re: re.Pattern
    inline_re: re.Pattern
    dash_re: re.Pattern
    speech_re: re.Pattern
    title_labels: tuple[str, ...]  # the title labels as written ('Project', 'Förstudie')
    teaser_kinds: dict[str, str]  # casefolded content-type label of a teaser -> 'project' | 'other'

    def is_bullet(self, line: str) -> bool:
        """A bullet line; a dash-led line is one unless it reports speech ('– Vi är glada, säger …')."""
        if self.bullet_re.match(line):
            return True
        return bool(self.dash_re.match(line)) and not self.speech_re.search(line)


@lru_cache(maxsize=1)
def load_layout() -> Layout:
    """Load and compile the layout labels once."""
    raw = json.loads((DATA_DIR / "layout.json").read_text(encoding="utf-8"))
    footer = {lab.casefold(): fld for fld, labs in raw["footer_labels"].items() for lab in labs}
    inline = {lab.casefold(): fld for fld, labs in raw["inline_labels"].items() for lab in labs}
    marks = "".join(re.escape(m) for m in raw["bullet_marks"])
    bullet_re = re.compile(rf"^\s*(?:[{marks}]|\d{{1,2}}[.)])\s+(?=\S)")
    labels = sorted(inline, key=len, reverse=True)
    inline_re = re.compile(
        r"^\s*(?P<label>" + "|".join(re.escape(lab) for lab in labels) + r")\s*:\s*(?P<value>\S.*?)\s*$",
        re.IGNORECASE,
    )
    dash_re = re.compile(r"^\s*(?:" + "|".join(map(re.escape, raw["dash_marks"])) + r")\s+(?=\S)")
    speech_re = re.compile(r"\b(?:" + "|".join(map(re.escape, raw["speech_verbs"])) + r")\b", re.IGNORECASE)
    teasers = {lab.casefold(): kind for kind, labs in raw["teaser_kinds"].items() for lab in labs}
    return Layout(footer, max(map(len, footer), default=0), inline, bullet_re, inline_re, dash_re, speech_re,
                  tuple(raw["inline_labels"]["title"]), teasers)


@dataclass
class Line:
    start: int
    end: int  # end of the text, newline excluded
    text: str
    chrome: bool


def split_lines(page: Page) -> list[Line]:
    """Every line of the page with its offsets and whether it lies inside chrome."""
    lines: list[Line] = []
    chrome = sorted(page.chrome)
    n = len(chrome)
    ci = 0
    pos = 0
    text = page.text
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        while ci < n and chrome[ci][1] <= start:
            ci += 1
        is_chrome = False
        # Only a span that starts before the line's end can cover its first non-blank character
        # (the covering loop below needs chrome[ci][0] <= that character's offset < end): most
        # lines lie between spans and skip the stripping.
        if ci < n and chrome[ci][0] < end and raw.strip():
            # A line is chrome when chrome spans cover all its non-blank characters.
            s = start + (len(raw) - len(raw.lstrip()))
            e = start + len(raw.rstrip())
            j, covered = ci, s
            while j < n and chrome[j][0] <= covered and covered < e:
                covered = max(covered, chrome[j][1])
                j += 1
            is_chrome = covered >= e
        lines.append(Line(start, end, raw, is_chrome))
    return lines


def footer_field(line: str) -> str | None:
    """The record field a footer label line names, or None."""
    layout = load_layout()
    key = line.strip().rstrip(":").strip()
    # casefold never shortens a string, so a key longer than every label names none (most lines
    # are prose: no casefold of them)
    if len(key) > layout.footer_label_max_len:
        return None
    return layout.footer_labels.get(key.casefold())


SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-ZÅÄÖ]")


def inline_field(line: str) -> tuple[str, str, int] | None:
    """(field, value, value offset in line) for a 'Label: value' line, else None.

    A title label whose value goes on into further sentences ('The name of the project: X. It is
    a 3-year project …') is prose that names the project, not a title line.
    """
    # inline_re has a literal ":" after the label: a line without one is no 'Label: value' line
    # (most lines are prose; this skips the label alternation for them)
    if ":" not in line:
        return None
    m = load_layout().inline_re.match(line)
    if not m:
        return None
    field = load_layout().inline_labels[m.group("label").casefold()]
    if field == "title" and SENTENCE_BREAK.search(m.group("value")):
        return None
    return field, m.group("value"), m.start("value")


@lru_cache(maxsize=1)
def _glued_title_re() -> re.Pattern:
    """A capitalised title label glued to the lower-case end of a word before it ('…VietnamProject: X')."""
    labels = sorted((lab for lab in load_layout().title_labels if lab[:1].isupper()), key=len, reverse=True)
    return re.compile(r"(?<=[a-zåäöéü])(?:" + "|".join(map(re.escape, labels)) + r")\s*:\s*\S")


def glued_title_at(line: str) -> int | None:
    """Where a title label glued to the text before it starts ('Luleå and Ben Tre, VietnamProject: X' -> the
    offset of 'Project'), when the line up to there is a heading; else None."""
    if ":" not in line:
        return None  # every label is followed by a colon
    m = _glued_title_re().search(line)
    if not m or inline_field(line[m.start():]) is None or not is_heading_text(line[:m.start()]):
        return None
    return m.start()


def is_heading_text(text: str) -> bool:
    """A one-line paragraph that reads as a heading rather than a sentence."""
    t = text.strip()
    if not t or len(t) > MAX_HEADING_CHARS or len(t.split()) > MAX_HEADING_WORDS:
        return False
    if t[-1] in ".!?:;," or LABEL_VALUE.match(t):
        return False
    if not (t[0].isupper() or t[0].isdigit() or t[0] in "“\"'"):
        return False
    return not load_layout().is_bullet(text)


def _footer_run(lines: list[Line], i: int) -> int:
    """Index after the footer run starting at line i (i itself if none starts there)."""
    j = i
    while j + 1 < len(lines):
        if lines[j].chrome or not footer_field(lines[j].text):
            break
        value = lines[j + 1]
        if not value.text.strip() or footer_field(value.text):
            break
        j += 2
    return j


def segment_page(page: Page) -> list[Block]:
    """Split a cleaned page into blocks in page order (see module docstring)."""
    layout = load_layout()
    lines = split_lines(page)
    blocks: list[Block] = []
    item, section = 0, 0

    def add(start: int, end: int, kind: str) -> None:
        nonlocal item, section
        if kind == "heading" and blocks and blocks[-1].item == item:
            section += 1
        blocks.append(Block(page.file, start, end, page.text[start:end], kind, item, section))
        if kind == "footer":
            item += 1
            section = 0

    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.text.strip():
            i += 1
            continue
        if line.chrome:
            j = i
            while j + 1 < len(lines) and lines[j + 1].chrome and lines[j + 1].text.strip():
                j += 1
            add(line.start, lines[j].end, "chrome")
            i = j + 1
            continue
        end = _footer_run(lines, i)
        if end > i:
            add(line.start, lines[end - 1].end, "footer")
            i = end
            continue
        if layout.is_bullet(line.text):
            add(line.start + _lead(line.text), line.end, "bullet")
            i += 1
            continue
        field = inline_field(line.text)
        if field and field[0] == "title":
            add(line.start + _lead(line.text), line.start + len(line.text.rstrip()), "title")
            i += 1
            continue
        glued = glued_title_at(line.text)
        if glued:  # 'Luleå and Ben Tre, VietnamProject: X': a card heading and its title line run together
            add(line.start + _lead(line.text), line.start + glued, "heading")
            add(line.start + glued, line.start + len(line.text.rstrip()), "title")
            i += 1
            continue
        # A paragraph: consecutive non-blank lines that are not chrome, bullets or footers.
        j = i
        while (j + 1 < len(lines) and lines[j + 1].text.strip() and not lines[j + 1].chrome
               and not layout.is_bullet(lines[j + 1].text)
               and _footer_run(lines, j + 1) == j + 1
               and not (inline_field(lines[j + 1].text) or ("",))[0] == "title"):
            j += 1
        start = line.start + _lead(line.text)
        stop = lines[j].start + len(lines[j].text.rstrip())
        kind = "heading" if j == i and is_heading_text(line.text) and not field else "prose"
        add(start, stop, kind)
        i = j + 1
    return blocks


def _lead(text: str) -> int:
    return len(text) - len(text.lstrip())
