"""records.xlsx (writer.WORKBOOK, `--format xlsx`): one workbook with a sheet per table (projects, partnerships,
partnership_projects), for people who open the data in Excel.

Why a workbook and not only excel-sv CSV: Excel guesses the type of every CSV cell, so a municipality
code `0780` becomes the number 780, a region code `07` becomes 7 and a date `2023-05` becomes a
date. In a workbook each cell carries its type: ids, codes, dates, names and the joined lists are
written as text cells (a str value with the number format "@", Text), so they stay as written;
counts, amounts, years and confidences are numbers. Lists are joined with " | " and sources written
`file:start-end`, as in the CSV (csv.py). Text is never a formula: a cell whose text starts with `=`
is a text cell, so it needs no apostrophe guard and keeps the text of the JSON.

openpyxl (the optional extra `xlsx`) is imported only when this format is chosen. The workbook is
streamed (openpyxl's write-only mode keeps each sheet in a temp file, not in memory), and then
rewritten with fixed zip timestamps and without the creation and modification times openpyxl
stamps, so that the same records give the same bytes like every other output.
"""
from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from kp_extract.outputs.csv import _plain_cell
from kp_extract.outputs.exporters import Exporter
from kp_extract.outputs.files import FileStat, atomic_file, file_stat
from kp_extract.outputs.records import field_kinds

__all__ = ["XLSX_MEDIATYPE", "TEXT_FORMAT", "XlsxWorkbook", "XlsxSheetExporter"]

XLSX_MEDIATYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_FORMAT = "@"  # Excel's Text number format: the cell is shown and edited as the text it holds
# A zip entry's time: the earliest a zip can hold, so that no clock time reaches the file.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# dcterms:created / dcterms:modified, the clock times openpyxl writes into docProps/core.xml
_CORE_TIMES = re.compile(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>")


class XlsxWorkbook:
    """A write-only openpyxl workbook: `exporter(stem)` gives the Exporter of one sheet, `save(path)`
    writes the workbook atomically and returns its FileStat."""

    def __init__(self) -> None:
        from openpyxl import Workbook

        self.book = Workbook(write_only=True)

    def exporter(self, stem: str) -> "XlsxSheetExporter":
        return XlsxSheetExporter(self, stem)

    def save(self, path: Path) -> FileStat:
        path = Path(path)
        with tempfile.TemporaryFile(prefix="kp-xlsx-") as raw:
            self.book.save(raw)
            raw.seek(0)
            with zipfile.ZipFile(raw) as src, atomic_file(path, "wb") as fh, \
                    zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as dst:
                for info in src.infolist():
                    data = src.read(info)
                    if info.filename == "docProps/core.xml":
                        data = _CORE_TIMES.sub(b"", data)
                    entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
                    entry.compress_type = zipfile.ZIP_DEFLATED
                    entry.external_attr = 0o600 << 16
                    dst.writestr(entry, data)
        return file_stat(path)


class XlsxSheetExporter(Exporter):
    """One sheet of the workbook, named stem: a header row of the field names, then a row per record
    (a dict of records.RECORD_TO_DICT, or a link row). Text fields and lists are text cells ("@"),
    numbers numeric cells, None an empty cell."""

    def __init__(self, workbook: XlsxWorkbook, stem: str) -> None:
        super().__init__(workbook)
        self.stem = stem
        self.kinds = field_kinds(stem)
        self.sheet: Any = None

    def start_exporting(self) -> None:
        self.sheet = self.sink.book.create_sheet(self.stem)
        self.sheet.append([self._text(k.name) for k in self.kinds])

    def _text(self, text: str):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.sheet, value=text)
        cell.data_type = "s"  # a string that starts with "=" stays a string, never a formula
        cell.number_format = TEXT_FORMAT
        return cell

    def export_item(self, record: dict) -> None:
        row: list[Any] = []
        for kind in self.kinds:
            value = record.get(kind.name)
            if value is None:
                row.append(None)
            elif kind.is_list or kind.kind in ("string", "source"):
                row.append(self._text(_plain_cell(value)))
            else:
                row.append(value)
        self.sheet.append(row)
        self.count += 1
