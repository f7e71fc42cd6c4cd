"""IATI 2.03 activities: `--format iati` writes OUT/iati-activities.xml, one iati-activity per project.

The exporter (IatiExporter) streams the file like the other text exporters: the root element at
start, one activity per record dict (records.project_to_dict) and the closing tag at the end. The
codes, the provisional reporting organisation, ICLD and Sida, the sector and the cue words are in
data/iati.json, each with the reason for the choice; the README maps every element to its field.

What the 2.03 schema requires and the records cannot always give:

* activity-date (at least one): a record with neither start_date nor end_date is left out of the
  file, and an XML comment at its end lists the record_ids left out and why;
* activity-status: derived from the text and the dates where it can be (see data/iati.json); where
  it cannot, the data file's `unknown` code is written with a comment in the activity saying so;
* title and description: a record without a title is titled by its parties, one without a summary
  described by a template sentence;
* at least one iati-activity: a run without a dated project writes a well-formed file that the
  schema rejects (IATI has no valid empty activity file).

Dates: IATI wants xs:date, the records are as precise as the text (`2023`, `2019-01`). A start is
written as the first day of what the text states (2023 -> 2023-01-01), an end as the last day
(2025 -> 2025-12-31, 2020-02 -> 2020-02-29); the activity-date's narrative keeps the date as the
text stated it.

generated-datetime: the file is byte-identical from run to run, so the clock is not read. When the
environment states a report time in SOURCE_DATE_EPOCH (seconds since 1970, the reproducible-builds
convention), it is the generated-datetime, and the reference date for the activity status;
otherwise the attribute is left out (it is optional).
"""
from __future__ import annotations

import calendar
import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from kp_extract import DATA_DIR
from kp_extract.outputs.exporters import _TextExporter

__all__ = ["IATI_FILE", "IatiExporter", "iati_mapping", "report_time_from_environment", "iati_identifier",
           "date_bounds"]

log = logging.getLogger(__name__)

IATI_FILE = "iati-activities.xml"
REPORT_TIME_VARIABLE = "SOURCE_DATE_EPOCH"

# Characters XML 1.0 does not allow in a document (controls but TAB/LF/CR, lone surrogates, U+FFFE/F):
# a page may carry them, the file must stay well-formed; they become U+FFFD.
# The comments the file carries where the schema's demands meet what a record cannot give.
PROVISIONAL_NOTE = (" Written by kp_extract from extracted records. The reporting-org {ref} and the iati-identifier "
                    "prefix are provisional (see the README, IATI activities). ")
LEFT_OUT_NOTE = (" {count} project records without a start or end date are not in this file (IATI 2.03 requires an "
                 "activity-date): {ids} ")
STATUS_NOTE = (" activity-status not derivable from the record: the text reports neither start nor end as having "
               "happened and no report date is stated (SOURCE_DATE_EPOCH); code {code} is a placeholder ")

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# In an attribute a literal TAB/LF/CR would be normalised to a space by every reader: written as references.
_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;",
                                    "\n": "&#10;", "\r": "&#13;"})
_NEEDS_ATTRIBUTE_ESCAPE = re.compile('[&<>"\t\n\r]')
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def _text(value: Any) -> str:
    text = _NOT_XML.sub("\ufffd", str(value))
    # str.replace is several times faster than str.translate on long summaries
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") if "&" in text or "<" in text \
        or ">" in text else text


def _attribute(value: Any) -> str:
    text = _NOT_XML.sub("\ufffd", str(value))
    return text.translate(_ATTRIBUTE_ESCAPES) if _NEEDS_ATTRIBUTE_ESCAPE.search(text) else text


def _comment(value: str) -> str:
    """value as the content of an XML comment, which may not hold '--' nor end with '-'."""
    return _NOT_XML.sub("\ufffd", value).replace("--", "- -").rstrip("-")


def _attrs(**attributes: Any) -> str:
    """' name="value"' for every attribute that is not None (names with '_' written with '-';
    xml_lang as xml:lang), in the order given."""
    parts = []
    for name, value in attributes.items():
        if value is None:
            continue
        name = "xml:lang" if name == "xml_lang" else name.replace("_", "-")
        parts.append(f' {name}="{_attribute(value)}"')
    return "".join(parts)


def _file_uri(path: str) -> str:
    """A page's path relative to the input folder as a relative URI reference (percent-encoded UTF-8;
    a name with undecodable bytes, which arrives with lone surrogates, as its original bytes)."""
    try:
        return quote(path, safe="/", errors="surrogateescape")
    except UnicodeEncodeError:
        return quote(path, safe="/", errors="replace")


def _cue_pattern(cues: list[str]) -> re.Pattern:
    words = sorted((re.escape(c) for c in cues), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class IatiMapping:
    """data/iati.json, read once (see the reasons there)."""

    raw: Mapping[str, Any]
    actual_start: re.Pattern
    actual_end: re.Pattern
    planned: re.Pattern
    programme_names: tuple[tuple[dict, re.Pattern], ...]  # (organisation, its names as a whole-word pattern)

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]


@lru_cache(maxsize=1)
def iati_mapping() -> IatiMapping:
    raw = json.loads((DATA_DIR / "iati.json").read_text(encoding="utf-8"))
    # Organisation names are matched as written (case-sensitive): 'sida' is also a Swedish word.
    programme = tuple((org, re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, org["names"])) + r")(?!\w)"))
                      for org in raw["programme_orgs"])
    return IatiMapping(raw, _cue_pattern(raw["actual_start_cues"]), _cue_pattern(raw["actual_end_cues"]),
                       _cue_pattern(raw["planned_cues"]), programme)


def report_time_from_environment(environ: Mapping[str, str] = os.environ) -> datetime | None:
    """The report time the environment states in SOURCE_DATE_EPOCH (UTC), or None when it states none
    or an unreadable one (logged)."""
    value = environ.get(REPORT_TIME_VARIABLE, "").strip()
    if not value:
        return None
    try:
        return datetime.fromtimestamp(int(value), tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        log.warning("%s=%r is not a number of seconds since 1970: generated-datetime left out",
                    REPORT_TIME_VARIABLE, value)
        return None


def iati_identifier(record_id: str, mapping: IatiMapping | None = None) -> str:
    """The activity's iati-identifier: the reporting organisation's (provisional) ref, '-', record_id."""
    mapping = mapping or iati_mapping()
    return f"{mapping['reporting_org']['ref']}-{record_id}"


def date_bounds(value: str | None) -> tuple[date, date] | None:
    """The first and last day of an ISO date as precise as the text (YYYY, YYYY-MM, YYYY-MM-DD);
    None for None or anything else."""
    if not value:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip())
    if not m:
        return None
    year, month, day = int(m[1]), m[2], m[3]
    try:
        if day:
            d = date(year, int(month), int(day))
            return d, d
        if month:
            month_ = int(month)
            return date(year, month_, 1), date(year, month_, calendar.monthrange(year, month_)[1])
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None


def _is_actual(summary: str, stated: str, actual: re.Pattern, planned: re.Pattern) -> bool:
    """True when summary reports the date `stated` as having happened: in a sentence that states its
    year, the cue that governs the year is an actual cue. The governing cue is the nearest one before
    the year (`started in 2019 and will end in 2021`), else the nearest after it (`2019 startade
    projektet`); cues are the actual cues of the date's kind and the planned cues."""
    year = stated[:4]
    if year not in summary:
        return False
    for sentence in _SENTENCE_END.split(summary):
        for at in (m.start() for m in re.finditer(re.escape(year), sentence)):
            cues = sorted([(c.start(), True) for c in actual.finditer(sentence)]
                          + [(c.start(), False) for c in planned.finditer(sentence)])
            before = [is_actual for pos, is_actual in cues if pos < at]
            after = [is_actual for pos, is_actual in cues if pos > at]
            if before or after:
                return before[-1] if before else after[0]
    return False


class IatiExporter(_TextExporter):
    """IATI 2.03 iati-activities XML, one iati-activity per project record dict that has a date.

    report_time: the generated-datetime and the reference date for activity-status; None leaves the
    attribute out (see the module docstring; the writer passes report_time_from_environment()).
    `left_out` lists the record_ids written without an activity (no date)."""

    def __init__(self, sink: Any, report_time: datetime | None = None, mapping: IatiMapping | None = None) -> None:
        super().__init__(sink)
        self.report_time = report_time
        self.mapping = mapping or iati_mapping()
        self.left_out: list[str] = []
        # what every activity repeats, rendered once
        m = self.mapping
        rep, partner = m["reporting_org"], m["partner_org"]
        secondary = "1" if rep["secondary_reporter"] else None
        self._reporting_org = (
            f"  <reporting-org{_attrs(ref=rep['ref'], type=rep['type'], secondary_reporter=secondary)}>"
            f"<narrative{_attrs(xml_lang=rep['name_language'])}>{_text(rep['name'])}</narrative></reporting-org>\n")
        self._partner_org = f"  <participating-org{_attrs(role=partner['role'], type=partner['type'])}>"
        self._sector = f"  <sector{_attrs(vocabulary=m['sector']['vocabulary'], code=m['sector']['code'])}/>\n"

    def start_exporting(self) -> None:
        m = self.mapping
        generated = self.report_time.strftime("%Y-%m-%dT%H:%M:%SZ") if self.report_time else None
        self.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                   f"<!--{_comment(PROVISIONAL_NOTE.format(ref=m['reporting_org']['ref']))}-->\n"
                   f"<iati-activities{_attrs(version=m['version'], generated_datetime=generated)}>\n")

    def export_item(self, record: dict) -> None:
        start = date_bounds(record.get("start_date"))
        end = date_bounds(record.get("end_date"))
        if start is None and end is None:
            self.left_out.append(str(record.get("record_id")))
        else:
            self.write(self._activity(record, start, end))
        self._exported()

    def finish_exporting(self) -> None:
        if self.left_out:
            note = LEFT_OUT_NOTE.format(count=len(self.left_out), ids=" ".join(self.left_out))
            self.write(f"<!--{_comment(note)}-->\n")
        self.write("</iati-activities>\n")
        self.flush()

    # ------------------------------------------------------------ one activity

    def _activity(self, r: dict, start: tuple[date, date] | None, end: tuple[date, date] | None) -> str:
        m = self.mapping
        languages = r.get("languages") or []
        lang = languages[0] if languages else None
        summary = r.get("summary") or ""
        out = [f" <iati-activity{_attrs(xml_lang=lang, default_currency=m['budget']['currency'])}>\n",
               f"  <iati-identifier>{_text(iati_identifier(r['record_id'], m))}</iati-identifier>\n"]
        out.append(self._reporting_org)
        swedish = r.get("swedish_partners") or []
        abroad = r.get("international_partners") or []
        title = r.get("title") or (", ".join(swedish) + m["untitled_separator"] + ", ".join(abroad))
        out.append(f"  <title><narrative>{_text(title)}</narrative></title>\n")
        description = f"  <description{_attrs(type=m['description_type'])}>"
        if summary.strip():
            out.append(f"{description}<narrative>{_text(summary)}</narrative></description>\n")
        else:
            sentence = m["description_template"].format(swedish=", ".join(swedish), international=", ".join(abroad),
                                                        countries=", ".join(r.get("countries") or []))
            out.append(f"{description}<narrative{_attrs(xml_lang=m['description_template_language'])}>"
                       f"{_text(sentence)}</narrative></description>\n")
        for name in [*swedish, *abroad]:
            out.append(f"{self._partner_org}<narrative>{_text(name)}</narrative></participating-org>\n")
        named_in = f"{r.get('title') or ''}\n{summary}"
        for org, names in m.programme_names:
            if names.search(named_in):
                out.append(f"  <participating-org{_attrs(ref=org['ref'], role=org['role'], type=org['type'])}>"
                           f"<narrative{_attrs(xml_lang=org['name_language'])}>{_text(org['name'])}</narrative>"
                           "</participating-org>\n")
        start_actual = start is not None and _is_actual(summary, r["start_date"], m.actual_start, m.planned)
        end_actual = end is not None and _is_actual(summary, r["end_date"], m.actual_end, m.planned)
        status, derived = self._status(start, end, start_actual, end_actual)
        if not derived:
            out.append(f"  <!--{_comment(STATUS_NOTE.format(code=status))}-->\n")
        out.append(f"  <activity-status{_attrs(code=status)}/>\n")
        types = m["activity_date_types"]
        if start is not None:
            kind = types["actual_start" if start_actual else "planned_start"]
            out.append(f"  <activity-date{_attrs(type=kind, iso_date=start[0].isoformat())}>"
                       f"<narrative>{_text(r['start_date'])}</narrative></activity-date>\n")
        if end is not None:
            kind = types["actual_end" if end_actual else "planned_end"]
            out.append(f"  <activity-date{_attrs(type=kind, iso_date=end[1].isoformat())}>"
                       f"<narrative>{_text(r['end_date'])}</narrative></activity-date>\n")
        for code in r.get("countries") or []:
            out.append(f"  <recipient-country{_attrs(code=code)}/>\n")
        out.append(self._sector)
        for goal in r.get("sdgs") or []:
            out.append(f"  <tag{_attrs(vocabulary=m['sdg_goal_vocabulary'], code=goal)}/>\n")
        amount = r.get("amount_sek")
        if amount is not None and start is not None and end is not None:
            budget = m["budget"]
            out.append(f"  <budget{_attrs(type=budget['type'], status=budget['status'])}>"
                       f"<period-start{_attrs(iso_date=start[0].isoformat())}/>"
                       f"<period-end{_attrs(iso_date=end[1].isoformat())}/>"
                       f"<value{_attrs(currency=budget['currency'], value_date=start[0].isoformat())}>"
                       f"{int(amount)}</value>"
                       "</budget>\n")
        link = m["document_link"]
        for file in dict.fromkeys(s["file"] for s in r.get("sources") or []):
            fmt = link["formats"].get(file.rsplit(".", 1)[-1].lower(), link["default_format"]) if "." in file \
                else link["default_format"]
            out.append(f"  <document-link{_attrs(url=_file_uri(file), format=fmt)}>"
                       f"<title><narrative>{_text(file)}</narrative></title>"
                       f"<category{_attrs(code=link['category'])}/></document-link>\n")
        out.append(" </iati-activity>\n")
        return "".join(out)

    def _status(self, start, end, start_actual: bool, end_actual: bool) -> tuple[str, bool]:
        """(activity-status code, whether it was derived) for the record's dates and cues."""
        codes = self.mapping["activity_status"]
        if end_actual:
            return codes["finalisation"], True
        if start_actual:
            return codes["implementation"], True
        if self.report_time is not None:
            today = self.report_time.date()
            if start is not None and today < start[0]:
                return codes["pipeline"], True
            if end is not None and today > end[1]:
                return codes["finalisation"], True
            if start is not None:
                return codes["implementation"], True
        return codes["unknown"], False
