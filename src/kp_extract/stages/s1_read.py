"""Read stage: find the page dumps in a folder and decode each into a Page.

Text dumps are `*.txt` files; `*.html`/`*.htm` files are read by `s1_read_html` (trafilatura, the
optional `html` extra: the page's main text in the same line shape, with its title, URL and date;
offsets then index that extracted text). Without trafilatura an HTML file is a per-file error.

Decoding, in order:

* a byte-order mark decides: UTF-8 (BOM removed), UTF-32 or UTF-16;
* known binary formats (images, archives, PDF, executables, ...) are refused by
  their magic bytes;
* UTF-16 without a BOM is recognised by its pattern of NUL bytes;
* otherwise strict UTF-8, and when that fails, cp1252 (the legacy Windows
  encoding of Swedish pages; its five undefined bytes map to U+0081 etc.);
* a decoded text with a high share of control characters is refused as binary.

UTF-8 with some broken bytes (but well-formed UTF-8 letters such as å ä ö) is
read as UTF-8 with U+FFFD in their place, not as cp1252 mojibake.

The decoded text then has NUL characters removed and CRLF and lone CR turned
into "\\n". Every offset in the pipeline indexes this normalised text. Lines
longer than MAX_LINE_CHARS are blanked (spaces, same length). A page read with
replacements or blanked lines gets `metadata["read_warning"]`, which the
pipeline reports in errors.jsonl (the page is still processed). HTML pages are
decoded the same way, except that a charset the page declares wins over the
guesses when the bytes decode with it (see s1_read_html.decode_html).
"""
from __future__ import annotations

import codecs
import re
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kp_extract.model import FileError, Page
from kp_extract.stages.s1_read_html import MISSING_EXTRA, decode_html, extract_html, is_html_name

__all__ = [
    "ReadError",
    "InputDirError",
    "InputListing",
    "list_page_files",
    "walk_input",
    "not_read_reason",
    "read_page",
    "read_pages",
    "decode_bytes",
    "normalise_text",
    "blank_long_lines",
    "MAX_LINE_CHARS",
]


class ReadError(Exception):
    """A page file that cannot be read as text. `reason` says why, for errors.jsonl; `sha256` is the
    hex digest of the file's bytes when they were read (binary content), else None."""

    def __init__(self, reason: str, sha256: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.sha256 = sha256


class InputDirError(FileNotFoundError):
    """The input folder is missing or is not a folder."""


# Magic numbers of binary formats a crawler may save under a .txt name.
_MAGIC: tuple[tuple[bytes, str | None], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"BM", None),  # BMP: only with a plausible header, checked below
    (b"PK\x03\x04", "zip archive"),
    (b"PK\x05\x06", "zip archive (empty)"),
    (b"PK\x07\x08", "zip archive (spanned)"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", None),  # bzip2: only with a block header, checked below
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"(\xb5/\xfd", "zstd archive"),
    (b"%PDF-", "PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 document (old MS Office)"),
    (b"\x7fELF", "ELF executable"),
    (b"MZ", None),  # DOS/Windows executable: only with a PE/NE hint, checked below
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\x00\x00\x01\x00", "ICO image"),
    (b"wOFF", "WOFF font"),
    (b"wOF2", "WOFF2 font"),
    (b"OggS", "Ogg media"),
    (b"fLaC", "FLAC audio"),
    (b"ID3", None),  # MP3: only with a version byte, checked below
)

# BOMs, longest first (UTF-32 LE starts with the UTF-16 LE BOM).
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)

_ALLOWED_CONTROLS = frozenset("\n\r\t\f\v")
# Share of control characters above which a decoded text is taken for binary.
_MAX_CONTROL_SHARE_UTF = 0.30   # valid Unicode text: only very odd files get here
_MAX_CONTROL_SHARE_LEGACY = 0.05  # cp1252 fallback: real legacy text has ~0


def _cp1252_lenient(exc: UnicodeError):
    """Map the five bytes cp1252 leaves undefined to the same-numbered code point."""
    if isinstance(exc, UnicodeDecodeError):
        bad = exc.object[exc.start:exc.end]
        return "".join(chr(b) for b in bad), exc.end
    raise exc


codecs.register_error("kp_extract_cp1252", _cp1252_lenient)


def _magic_kind(raw: bytes) -> str | None:
    for magic, kind in _MAGIC:
        if not raw.startswith(magic):
            continue
        if kind is not None:
            return kind
        if magic == b"BM" and len(raw) >= 14 and raw[6:10] == b"\x00\x00\x00\x00":
            return "BMP image"
        if magic == b"BZh" and len(raw) >= 10 and raw[3:4].isdigit() and raw[4:10] == b"1AY&SY":
            return "bzip2 archive"
        if magic == b"MZ" and (b"PE\x00\x00" in raw[:1024] or b"This program" in raw[:512]):
            return "Windows executable"
        if magic == b"ID3" and len(raw) >= 10 and raw[3] in (2, 3, 4) and raw[4] == 0:
            return "MP3 audio"
    if raw[:4] == b"RIFF" and raw[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}[raw[8:12]]
    if raw[4:8] == b"ftyp":
        return "MP4/HEIF media"
    return None


def _looks_utf16_without_bom(raw: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the bytes look like BOM-less UTF-16 text."""
    n = len(raw) - len(raw) % 2
    if n < 12 or b"\x00" not in raw:  # a few bytes are too few to tell UTF-16 from text with NULs
        return None
    pairs = n // 2
    even_nul = sum(1 for i in range(0, n, 2) if raw[i] == 0)
    odd_nul = sum(1 for i in range(1, n, 2) if raw[i] == 0)
    # Latin-script text in UTF-16 has a NUL high byte for nearly every character.
    if odd_nul >= 0.6 * pairs and even_nul <= 0.05 * pairs:
        return "utf-16-le"
    if even_nul >= 0.6 * pairs and odd_nul <= 0.05 * pairs:
        return "utf-16-be"
    return None


_MIN_CONTROLS = 4  # a stray control character or two does not make a file binary


# category Cc is exactly U+0000-001F and U+007F-009F; tab, newlines, form feed and vertical tab are allowed
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _control_share(text: str) -> float:
    """Share of control characters (other than whitespace) in text; 0.0 when there
    are fewer than _MIN_CONTROLS of them. Trailing NUL padding is ignored."""
    body = text.rstrip("\x00")  # NUL padding at the end is common and harmless
    if not body:
        return 0.0
    bad = len(_CONTROLS.findall(body))
    if bad < _MIN_CONTROLS:
        return 0.0
    return bad / len(body)


# UTF-8 text with some broken bytes (a truncated download, a pasted cp1252 character) is read as
# UTF-8 with U+FFFD for the broken bytes, rather than as cp1252 mojibake ("VÃ¤xjÃ¶"), when it holds
# well-formed UTF-8 Latin letters (å ä ö é ü: C3 xx) or punctuation (– ” ’ …: E2 80 xx). In cp1252
# those byte pairs read "Ã¤", "â€“": never seen in real legacy text.
_UTF8_EVIDENCE = re.compile(rb"\xc3[\x80-\xbf]|\xe2\x80[\x80-\xbf]")
_REPLACEMENT = "\ufffd"


def _mostly_utf8(raw: bytes) -> str | None:
    """raw decoded as UTF-8 with U+FFFD replacements, when it is UTF-8 with some broken bytes; else None."""
    if not _UTF8_EVIDENCE.search(raw):
        return None
    text = raw.decode("utf-8", errors="replace")
    if _control_share(text) > _MAX_CONTROL_SHARE_UTF:
        raise ReadError("binary content (too many control characters)")
    return text


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """Decode raw page bytes to (text, encoding name). Raises ReadError for binary data.

    The returned text is not yet newline-normalised; see normalise_text.
    """
    if not raw:
        return "", "utf-8"
    for bom, name, codec in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError as exc:
                raise ReadError(f"invalid {name} data after byte-order mark: {exc.reason}") from None
            if text.startswith("\ufeff"):
                text = text[1:]
            if _control_share(text) > _MAX_CONTROL_SHARE_UTF:
                raise ReadError(f"binary content (too many control characters for {name} text)")
            return text, name
    kind = _magic_kind(raw)
    if kind:
        raise ReadError(f"binary content ({kind})")
    utf16 = _looks_utf16_without_bom(raw)
    if utf16:
        try:
            text = raw.decode(utf16)
        except UnicodeDecodeError:
            pass
        else:
            if _control_share(text) <= _MAX_CONTROL_SHARE_UTF:
                return text, utf16
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _control_share(text) > _MAX_CONTROL_SHARE_UTF:
            raise ReadError("binary content (too many control characters)")
        return text, "utf-8"
    mostly = _mostly_utf8(raw)
    if mostly is not None:
        return mostly, "utf-8"
    text = raw.decode("cp1252", errors="kp_extract_cp1252")
    if _control_share(text) > _MAX_CONTROL_SHARE_LEGACY:
        raise ReadError("binary content (not UTF-8, too many control characters for cp1252 text)")
    return text, "cp1252"


def normalise_text(text: str) -> str:
    """Remove NUL characters and turn CRLF and lone CR into "\\n"."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


# Lines longer than this are not page text (minified script, an inlined data blob, a dump gone
# wrong): the longest line of the seed and fixture pages is under 1 000 characters. They are
# blanked (every character but the newline becomes a space, so offsets do not move) and reported,
# which keeps every later stage bounded: extraction time grows faster than linearly with a block's
# length.
MAX_LINE_CHARS = 20_000


def blank_long_lines(text: str, limit: int = MAX_LINE_CHARS) -> tuple[str, int]:
    """(text with every line longer than limit replaced by as many spaces, number of such lines)."""
    if len(text) <= limit:
        return text, 0
    lines = text.split("\n")
    long = [i for i, line in enumerate(lines) if len(line) > limit and not line.isspace()]
    for i in long:
        lines[i] = " " * len(lines[i])
    return ("\n".join(lines) if long else text), len(long)


def _broken_utf8(raw: bytes, text: str, encoding: str) -> int:
    """How many U+FFFD decode_bytes put in for broken UTF-8 bytes (0 for clean input)."""
    if encoding != "utf-8" or _REPLACEMENT not in text:
        return 0
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return text.count(_REPLACEMENT) - raw.count(b"\xef\xbf\xbd")
    return 0


def _relative_posix(path: Path, root: Path) -> str:
    try:
        rel = path.relative_to(root)
    except ValueError:
        rel = Path(os.path.relpath(path, root))
    return rel.as_posix()


def read_bytes(path: Path) -> bytes:
    """The bytes of a page file; ReadError with a human-readable reason when it cannot be read."""
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except PermissionError:
        raise ReadError("permission denied") from None
    except IsADirectoryError:
        raise ReadError("is a directory") from None
    except FileNotFoundError:
        raise ReadError("file not found (vanished, or a broken symlink)") from None
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise ReadError(f"cannot read file: {reason}") from None


def read_page(path: Path, root: Path) -> Page:
    """Read and decode one page dump. `file` is `path` relative to `root`, POSIX style.

    Raises ReadError (with a human-readable `reason`, and the bytes' `sha256` when
    they were read) when the file cannot be read or is not text.
    """
    return page_from_bytes(read_bytes(Path(path)), Path(path), Path(root))


def page_from_bytes(raw: bytes, path: Path, root: Path, sha256: str | None = None) -> Page:
    """Decode the bytes read from path into a Page, as read_page does. `sha256`: the hex digest of
    raw when the caller has it already (computed here otherwise)."""
    sha256 = sha256 or hashlib.sha256(raw).hexdigest()
    html = is_html_name(Path(path).name)
    try:
        text, encoding = decode_html(raw) if html else decode_bytes(raw)
    except ReadError as exc:
        exc.sha256 = sha256
        raise
    broken = _broken_utf8(raw, text, encoding)
    meta: dict[str, str | None] = {}
    if html:
        text, meta = _html_text(text, sha256)
    text, long_lines = blank_long_lines(normalise_text(text))
    page = Page(
        file=_relative_posix(Path(path), Path(root)),
        text=text,
        sha256=sha256,
        encoding=encoding,
        title=meta.get("title"),
        url=meta.get("url"),
        date=meta.get("date"),
    )
    warnings = []
    if html and not text.strip() and raw.strip():
        warnings.append("no main text found in the HTML")
    if broken:
        warnings.append(f"invalid UTF-8: {broken} byte sequence(s) replaced by U+FFFD")
    if long_lines:
        warnings.append(f"{long_lines} line(s) longer than {MAX_LINE_CHARS} characters left out")
    if warnings:
        page.metadata["read_warning"] = "; ".join(warnings)
    return page


def _html_text(text: str, sha256: str) -> tuple[str, dict[str, str | None]]:
    """s1_read_html.extract_html, its failures as ReadError: the page is skipped, the run goes on."""
    try:
        return extract_html(text)
    except ImportError:
        raise ReadError(MISSING_EXTRA, sha256) from None
    except Exception as exc:  # noqa: BLE001 - a parser crash on one page must not stop the run
        raise ReadError(f"HTML extraction failed: {exc.__class__.__name__}: {exc}", sha256) from None


def _is_page_name(name: str) -> bool:
    return name.lower().endswith(".txt") or is_html_name(name)


@dataclass
class InputListing:
    """What a walk of the input folder found: the page files it reads (sorted by relative path), the
    folders that could not be listed ((relative dir, reason)), and the files it does not read
    (anything but *.txt, *.html, *.htm; sorted by relative path), so that none is ignored silently."""

    files: list[Path] = field(default_factory=list)
    dir_errors: list[tuple[str, str]] = field(default_factory=list)
    not_read: list[Path] = field(default_factory=list)


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def walk_input(input_dir: Path, exclude: Path | None = None) -> InputListing:
    """The page files under input_dir, the folders that could not be listed and the files not read.

    Follows symlinked folders but visits each real folder once, so symlink loops
    (and aliases of a folder already seen) are not entered again. Entries are
    visited in sorted order, so which alias wins is deterministic. Hidden files and
    everything under hidden folders (".git", an output folder's ".cache") are never
    counted as not read (a hidden page file is still read, as before). exclude: a
    folder not to enter at all (the run's output folder when it lies inside input_dir:
    its report.html is not a page, its projects.json not a file left unread).
    """
    listing = InputListing()
    files, errors, not_read = listing.files, listing.dir_errors, listing.not_read
    seen: set[tuple[int, int]] = set()
    if exclude is not None:
        try:
            st = os.stat(exclude)
            seen.add((st.st_dev, st.st_ino))
        except OSError:
            pass
    stack: list[tuple[Path, bool]] = [(input_dir, False)]
    while stack:
        folder, hidden = stack.pop()
        try:
            st = os.stat(folder)
        except OSError as exc:
            errors.append((_relative_posix(folder, input_dir), exc.strerror or "cannot stat folder"))
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            continue
        seen.add(key)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            errors.append((_relative_posix(folder, input_dir), exc.strerror or "cannot list folder"))
            continue
        subdirs: list[tuple[Path, bool]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError:
                is_dir = False
            if is_dir:
                subdirs.append((Path(entry.path), hidden or _is_hidden(entry.name)))
            elif _is_page_name(entry.name):
                files.append(Path(entry.path))
            elif not (hidden or _is_hidden(entry.name)):
                not_read.append(Path(entry.path))
        stack.extend(reversed(subdirs))
    files.sort(key=lambda p: _relative_posix(p, input_dir))
    not_read.sort(key=lambda p: _relative_posix(p, input_dir))
    return listing


def _walk(input_dir: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """Page files under input_dir, and (relative dir, reason) for folders that could not be listed
    (walk_input without the files not read)."""
    listing = walk_input(input_dir)
    return listing.files, listing.dir_errors


def not_read_reason(path: Path) -> str:
    """Why a file of the input folder is not read, for pages.csv: its kind by suffix."""
    suffix = Path(path).suffix.lower()
    what = f"a {suffix} file" if suffix else "a file without suffix"
    return f"not read: {what} (only *.txt, *.html and *.htm are read)"


def _check_input_dir(input_dir: Path) -> Path:
    input_dir = Path(input_dir)
    if not input_dir.exists():
        raise InputDirError(f"input folder not found: {input_dir}")
    if not input_dir.is_dir():
        raise InputDirError(f"input path is not a folder: {input_dir}")
    return input_dir


def list_page_files(input_dir: Path) -> list[Path]:
    """Every `*.txt`, `*.html` and `*.htm` file under input_dir (recursively; suffix case-insensitive).

    Sorted by path relative to input_dir (POSIX form). Folders named `*.txt` are
    descended into, not listed; symlinked folders are followed once (no loops).
    Raises InputDirError when input_dir is missing or not a folder.
    """
    return _walk(_check_input_dir(input_dir))[0]


def read_pages(input_dir: Path) -> Iterator[Page | FileError]:
    """Pages of input_dir in list_page_files order; FileError(file, "read", reason) for
    files (and sub-folders) that cannot be read.

    Raises InputDirError at once (not at the first next()) when input_dir is missing.
    """
    input_dir = _check_input_dir(input_dir)
    files, dir_errors = _walk(input_dir)

    def generate() -> Iterator[Page | FileError]:
        for rel, reason in dir_errors:
            yield FileError(rel, "read", f"cannot list folder: {reason}")
        for path in files:
            try:
                yield read_page(path, input_dir)
            except ReadError as exc:
                yield FileError(_relative_posix(path, input_dir), "read", exc.reason)

    return generate()

