"""The crawl manifest of `kp-extract run --manifest FILE`: where each page was fetched from, and when.

A manifest is a CSV or TSV file (the delimiter is sniffed from its header line: comma, tab or
semicolon) with a header row naming at least the columns `file`, `url` and `retrieved_at` (any
order, case and surrounding spaces aside; other columns are ignored). `file` is a page's path
relative to the input folder, `url` the address it was fetched from, `retrieved_at` an ISO 8601
date or date-time. An empty `url` or `retrieved_at` cell means unknown.

It lives in run/, not stages/: it is read once, in the main process, before any page is read (a
manifest that cannot be used is a usage error, like a bad option), and it describes the crawl, not
a page's text; the pipeline attaches its rows to the records' sources (pipeline.cite_sources) and
datapackage.json lists them per input.
"""
from __future__ import annotations

import csv
import hashlib
import io
import posixpath
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["COLUMNS", "ManifestError", "PageOrigin", "Manifest", "read_manifest", "origin"]

COLUMNS = ("file", "url", "retrieved_at")
DELIMITERS = ",\t;"


class ManifestError(ValueError):
    """The manifest cannot be used: unreadable, no header, columns missing, a bad row. The message is
    one line naming the file (and the line, for a bad row)."""


@dataclass(frozen=True, slots=True)
class PageOrigin:
    """Where a page came from: the URL it was fetched from and when (ISO 8601), each None when unknown."""

    url: str | None = None
    retrieved_at: str | None = None


@dataclass
class Manifest:
    """A read manifest: its rows by `file` (POSIX path relative to the input folder), and the
    sha256 of the manifest file's bytes."""

    path: Path
    sha256: str
    rows: dict[str, PageOrigin] = field(default_factory=dict)

    def unmatched(self, files: set[str]) -> list[str]:
        """The manifest's files that are not among `files` (the input's pages), sorted."""
        return sorted(f for f in self.rows if f not in files)


def _normalise_file(value: str) -> str:
    """A manifest `file` cell as the run names pages: POSIX separators, no leading ./, no . segments."""
    text = value.strip().replace("\\", "/")
    return posixpath.normpath(text) if text else ""


def _check_url(value: str) -> bool:
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc) and " " not in value


def _check_time(value: str) -> bool:
    for parse in (datetime.fromisoformat, date.fromisoformat):
        try:
            parse(value.replace("Z", "+00:00") if value.endswith("Z") else value)
            return True
        except ValueError:
            continue
    return False


def read_manifest(path: Path | str) -> Manifest:
    """Read a manifest file (see the module docstring). ManifestError when it cannot be read, has no
    header row, lacks a column, or a row is bad: an empty, absolute or upward `file`, a file named
    twice, a `url` that is not an absolute URL, a `retrieved_at` that is not ISO 8601."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"manifest {path}: cannot read: {exc.strerror or exc.__class__.__name__}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ManifestError(f"manifest {path}: not UTF-8 text") from None
    lines = text.splitlines()
    header = next((line for line in lines if line.strip()), None)
    if header is None:
        raise ManifestError(f"manifest {path}: empty (a header row {','.join(COLUMNS)} is needed)")
    try:
        dialect = csv.Sniffer().sniff(header, delimiters=DELIMITERS)
    except csv.Error:
        raise ManifestError(f"manifest {path}: cannot tell the delimiter from the header row "
                            f"(expected the columns {', '.join(COLUMNS)} separated by commas or tabs)") from None
    reader = csv.reader(io.StringIO(text), delimiter=dialect.delimiter, quotechar='"', doublequote=True)
    names: list[str] | None = None
    manifest = Manifest(path, hashlib.sha256(raw).hexdigest())
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if names is None:
            names = [cell.strip().lower() for cell in row]
            missing = [c for c in COLUMNS if c not in names]
            if missing:
                raise ManifestError(f"manifest {path}: no column {', '.join(missing)} in the header row "
                                    f"(it has: {', '.join(n for n in names if n) or 'nothing'})")
            at = {c: names.index(c) for c in COLUMNS}
            continue
        line = reader.line_num
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in at.items()}
        file = _normalise_file(cells["file"])
        if not file:
            raise ManifestError(f"manifest {path}, line {line}: empty file")
        if file.startswith("/") or file == ".." or file.startswith("../"):
            raise ManifestError(f"manifest {path}, line {line}: file {cells['file']!r} is not relative to the "
                                "input folder")
        if file in manifest.rows:
            raise ManifestError(f"manifest {path}, line {line}: {file} is named twice")
        url, when = cells["url"] or None, cells["retrieved_at"] or None
        if url is not None and not _check_url(url):
            raise ManifestError(f"manifest {path}, line {line}: url {url!r} is not an absolute URL")
        if when is not None and not _check_time(when):
            raise ManifestError(f"manifest {path}, line {line}: retrieved_at {when!r} is not an ISO 8601 "
                                "date or date-time")
        manifest.rows[file] = PageOrigin(url, when)
    return manifest


def origin(manifest: Manifest | None, file: str, page_url: str | None) -> PageOrigin | None:
    """Where the page `file` came from: its manifest row, with the page's own canonical URL (HTML
    pages: Page.url) where the row gives no url or there is no row; None when nothing is known.
    The manifest wins over the page."""
    row = manifest.rows.get(file) if manifest is not None else None
    if row is None:
        return PageOrigin(page_url, None) if page_url else None
    if row.url is None and page_url:
        return PageOrigin(page_url, row.retrieved_at)
    return row if (row.url or row.retrieved_at) else None
