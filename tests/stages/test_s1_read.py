"""Tests for kp_extract.stages.s1_read: listing, decoding, normalising and error reporting."""
from __future__ import annotations

import builtins
import codecs
import hashlib
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kp_extract.model import FileError, Page
from kp_extract.stages.s1_read import (
    InputDirError,
    ReadError,
    decode_bytes,
    list_page_files,
    normalise_text,
    read_page,
    read_pages,
)

SWEDISH = "Växjö kommun och Älmhults kommun samarbetar med JB Marks – ”Project: Å”.\n"


def write(root: Path, rel: str, data: bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------ decoding

@pytest.mark.parametrize(
    "raw, expected_text, expected_encoding",
    [
        (SWEDISH.encode("utf-8"), SWEDISH, "utf-8"),
        (codecs.BOM_UTF8 + SWEDISH.encode("utf-8"), SWEDISH, "utf-8-sig"),
        (codecs.BOM_UTF16_LE + SWEDISH.encode("utf-16-le"), SWEDISH, "utf-16-le"),
        (codecs.BOM_UTF16_BE + SWEDISH.encode("utf-16-be"), SWEDISH, "utf-16-be"),
        (codecs.BOM_UTF32_LE + SWEDISH.encode("utf-32-le"), SWEDISH, "utf-32-le"),
        ("Växjö kommun\n".encode("cp1252"), "Växjö kommun\n", "cp1252"),
        ("Älmhult – ”citat” €\n".encode("cp1252"), "Älmhult – ”citat” €\n", "cp1252"),
        ("Växjö kommun\n".encode("utf-16-le"), "Växjö kommun\n", "utf-16-le"),
        (b"", "", "utf-8"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf32le-bom", "cp1252",
         "cp1252-punct", "utf16le-no-bom", "empty"],
)
def test_read_page_encodings(tmp_path, raw, expected_text, expected_encoding):
    path = write(tmp_path, "page.txt", raw)
    page = read_page(path, tmp_path)
    assert isinstance(page, Page)
    assert page.text == expected_text
    assert page.encoding == expected_encoding
    assert "\ufeff" not in page.text
    assert page.sha256 == hashlib.sha256(raw).hexdigest()
    assert page.file == "page.txt"


def test_cp1252_undefined_bytes_do_not_fail(tmp_path):
    raw = "Växjö ".encode("cp1252") + b"\x81" + " kommun\n".encode("cp1252")
    page = read_page(write(tmp_path, "a.txt", raw), tmp_path)
    assert page.encoding == "cp1252"
    assert page.text.startswith("Växjö ")


@pytest.mark.parametrize(
    "raw, expected",
    [
        (b"a\r\nb\r\nc", "a\nb\nc"),
        (b"a\rb\rc\r", "a\nb\nc\n"),
        (b"a\r\n\r\nb\n\rc", "a\n\nb\n\nc"),
        (b"V\xc3\xa4xj\x00\xc3\xb6\x00 kommun\x00", "Växjö kommun"),
        (b"a\r\x00\nb", "a\nb"),
    ],
    ids=["crlf", "lone-cr", "mixed", "nul", "nul-inside-crlf"],
)
def test_newlines_and_nul_normalised(tmp_path, raw, expected):
    page = read_page(write(tmp_path, "n.txt", raw), tmp_path)
    assert page.text == expected
    assert "\r" not in page.text and "\x00" not in page.text


def test_nul_padding_at_end_is_text(tmp_path):
    raw = SWEDISH.encode("utf-8") + b"\x00" * 4096
    page = read_page(write(tmp_path, "pad.txt", raw), tmp_path)
    assert page.text == SWEDISH


@pytest.mark.parametrize(
    "raw, word",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "PNG"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"abc" * 10, "zip"),
        (b"PK\x05\x06" + b"\x00" * 18, "zip"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip"),
        (b"GIF89a\x01\x00\x01\x00", "GIF"),
        (b"\x7fELF\x02\x01\x01\x00", "ELF"),
        (bytes(range(0, 32)) * 20, "control"),
        (bytes((i * 37 + 11) % 256 for i in range(4000)), "control"),
    ],
    ids=["png", "zip", "zip-empty", "jpeg", "pdf", "gzip", "gif", "elf", "controls",
         "random-ish"],
)
def test_binary_content_is_refused(tmp_path, raw, word):
    path = write(tmp_path, "bin.txt", raw)
    with pytest.raises(ReadError) as info:
        read_page(path, tmp_path)
    assert "binary" in info.value.reason
    assert word.lower() in info.value.reason.lower()


def test_text_starting_like_magic_is_still_text(tmp_path):
    for text in ("BM-projektet i Växjö\n", "MZ och JB Marks\n", "ID3 är inget ljud\n",
                 "BZh är bara bokstäver\n"):
        page = read_page(write(tmp_path, "m.txt", text.encode("utf-8")), tmp_path)
        assert page.text == text


def test_unreadable_file_permission_error(tmp_path, monkeypatch):
    path = write(tmp_path, "secret.txt", b"hemligt")
    real_open = builtins.open

    def fake_open(file, *args, **kwargs):
        if Path(file) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    with pytest.raises(ReadError) as info:
        read_page(path, tmp_path)
    assert "permission" in info.value.reason
    items = list(read_pages(tmp_path))
    assert items == [FileError("secret.txt", "read", "permission denied")]


def test_read_error_is_exception_with_reason():
    err = ReadError("binary content (PNG image)")
    assert isinstance(err, Exception)
    assert err.reason == "binary content (PNG image)"
    assert str(err) == "binary content (PNG image)"


# ------------------------------------------------------------------ listing

def test_list_is_recursive_sorted_and_pages_only(tmp_path):
    for rel in ["b.txt", "a.txt", "sub/z.txt", "sub/deeper/a.txt", "A.TXT", "notes.md",
                "a.txt.bak", "sub/c.html", "d.HTM", "e.pdf", "f.html.orig", ".hidden.txt"]:
        write(tmp_path, rel, b"x")
    rels = [p.relative_to(tmp_path).as_posix() for p in list_page_files(tmp_path)]
    assert rels == sorted(rels)
    assert set(rels) == {"b.txt", "a.txt", "sub/z.txt", "sub/deeper/a.txt", "A.TXT",
                         ".hidden.txt", "sub/c.html", "d.HTM"}


def test_directory_named_txt_is_descended_not_listed(tmp_path):
    (tmp_path / "x.txt").mkdir()
    write(tmp_path, "x.txt/inner.txt", b"inne")
    write(tmp_path, "y.txt", b"y")
    rels = [p.relative_to(tmp_path).as_posix() for p in list_page_files(tmp_path)]
    assert rels == ["x.txt/inner.txt", "y.txt"]
    pages = list(read_pages(tmp_path))
    assert [p.file for p in pages] == ["x.txt/inner.txt", "y.txt"]
    assert all(isinstance(p, Page) for p in pages)


def test_symlink_loop_terminates(tmp_path):
    write(tmp_path, "a/page.txt", b"sida")
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a" / "self").symlink_to(tmp_path / "a", target_is_directory=True)
    (tmp_path / "selfloop.txt").symlink_to(tmp_path / "selfloop.txt")  # ELOOP link
    files = list_page_files(tmp_path)
    rels = [p.relative_to(tmp_path).as_posix() for p in files]
    assert rels == ["a/page.txt", "selfloop.txt"]
    items = list(read_pages(tmp_path))
    assert isinstance(items[0], Page)
    assert isinstance(items[1], FileError) and items[1].file == "selfloop.txt"


def test_symlinked_folder_outside_is_followed_once(tmp_path):
    outside = tmp_path / "outside"
    write(outside, "o.txt", b"ute")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link1").symlink_to(outside, target_is_directory=True)
    (root / "link2").symlink_to(outside, target_is_directory=True)
    rels = [p.relative_to(root).as_posix() for p in list_page_files(root)]
    assert rels == ["link1/o.txt"]


def test_broken_symlink_reported(tmp_path):
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    items = list(read_pages(tmp_path))
    assert len(items) == 1 and isinstance(items[0], FileError)
    assert items[0].stage == "read"


@pytest.mark.parametrize("name", ["with space.txt", "Växjö – sida.txt", "line\nbreak.txt",
                                  "日本.txt", "tab\there.txt"])
def test_odd_names(tmp_path, name):
    write(tmp_path, name, "Växjö".encode("utf-8"))
    write(tmp_path, "sub dir/" + name, b"x")
    pages = list(read_pages(tmp_path))
    assert [p.file for p in pages] == sorted([name, "sub dir/" + name])
    assert all(isinstance(p, Page) for p in pages)


def test_stable_order_regardless_of_creation_order(tmp_path):
    names = ["c/1.txt", "a.txt", "b/2.txt", "b/10.txt", "B.txt", "ä.txt", "z.txt"]
    for n in reversed(names):
        write(tmp_path / "one", n, b"x")
    for n in names:
        write(tmp_path / "two", n, b"x")
    one = [p.relative_to(tmp_path / "one").as_posix() for p in list_page_files(tmp_path / "one")]
    two = [p.relative_to(tmp_path / "two").as_posix() for p in list_page_files(tmp_path / "two")]
    assert one == two == sorted(names)


def test_missing_input_folder(tmp_path):
    with pytest.raises(InputDirError, match="not found"):
        list_page_files(tmp_path / "nope")
    with pytest.raises(FileNotFoundError):  # InputDirError is a FileNotFoundError
        read_pages(tmp_path / "nope")  # raised at call, not at first next()


def test_input_path_is_a_file(tmp_path):
    f = write(tmp_path, "f.txt", b"x")
    with pytest.raises(InputDirError, match="not a folder"):
        read_pages(f)


def test_read_pages_mixes_pages_and_errors_in_order(tmp_path):
    write(tmp_path, "1.txt", b"ett")
    write(tmp_path, "2.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    write(tmp_path, "3.txt", "tre – Växjö".encode("cp1252"))
    items = list(read_pages(tmp_path))
    assert [type(i).__name__ for i in items] == ["Page", "FileError", "Page"]
    assert [i.file for i in items] == ["1.txt", "2.txt", "3.txt"]
    assert items[1].stage == "read" and "PNG" in items[1].reason
    assert items[2].encoding == "cp1252"


def test_seed_pages_read(tmp_path):
    raw_dir = Path(__file__).resolve().parents[2] / "raw"
    pages = list(read_pages(raw_dir))
    assert pages and all(isinstance(p, Page) for p in pages)
    assert [p.file for p in pages] == sorted(p.file for p in pages)


# ------------------------------------------------------------------ properties

LINE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\t"),
    max_size=200,
)


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(LINE_TEXT.filter(lambda s: "\n" not in s), max_size=8),
       newline=st.sampled_from(["\n", "\r\n", "\r"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_roundtrip_any_text(tmp_path_factory, lines, newline, encoding):
    root = tmp_path_factory.mktemp("rt")
    text = "\n".join(lines)
    raw = text.replace("\n", newline).encode(encoding)
    path = root / "p.txt"
    path.write_bytes(raw)
    page = read_page(path, root)
    assert page.text == text
    assert page.sha256 == hashlib.sha256(raw).hexdigest()


@settings(max_examples=150, deadline=None)
@given(chunks=st.lists(st.tuples(st.text(alphabet="abcÅÄÖåäö ,.-:\t", max_size=30),
                                 st.sampled_from(["\n", "\r\n", "\r", "\x00", ""])),
                       max_size=15))
def test_offsets_round_trip(chunks):
    """Offsets found in the normalised text index exactly the words written to the file."""
    raw_text = "".join(a + b for a, b in chunks)
    assume(raw_text.count("\x00") <= 3)  # more NULs than that in so little text is binary (tested elsewhere)
    text, _enc = decode_bytes(raw_text.encode("utf-8"))
    norm = normalise_text(text)
    assert "\r" not in norm and "\x00" not in norm
    pieces = [a for a, _ in chunks]
    pos = 0
    for piece in pieces:
        if not piece:
            continue
        start = norm.index(piece, pos)
        assert norm[start:start + len(piece)] == piece
        pos = start + len(piece)


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöÅÄÖéü ,.;:!?-–\n0123456789",
                    max_size=300))
def test_cp1252_legacy_roundtrip(tmp_path_factory, text):
    raw = text.encode("cp1252")
    try:  # a few short cp1252 byte runs are also valid UTF-8 ("Ä–"); UTF-8 wins then
        raw.decode("utf-8")
        assume(not any(ord(c) > 127 for c in text))
    except UnicodeDecodeError:
        pass
    root = tmp_path_factory.mktemp("cp")
    (root / "l.txt").write_bytes(raw)
    page = read_page(root / "l.txt", root)
    assert page.text == text
    if any(ord(c) > 127 for c in text):
        assert page.encoding == "cp1252"
