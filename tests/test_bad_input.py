"""Bad input never stops a run and never goes unreported (issue 5).

Every test runs the real pipeline through the CLI (in-process, one worker, no cache) on a tmp
folder. A good page's records must come out exactly as when it is run alone; every bad file gets
exactly one line in errors.jsonl (file, stage, reason) and one line in the run summary; no
traceback reaches the user; exit status 0 / 1 / 2 as documented.
"""
from __future__ import annotations

import builtins
import codecs
import io
import json
import os
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kp_extract.run import pages
from kp_extract.cli import app
from kp_extract.stages.s6_dedupe import MAX_POSSIBLE_DUPLICATES
from kp_extract.stages.s1_read import MAX_LINE_CHARS
from tests.conftest import RAW

runner = CliRunner()
SEED = RAW / "000_d98ef4d1fb15a41d.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")
RECORD_FILES = ("projects.json", "projects.csv", "partnerships.json", "partnerships.csv")
# A Swedish page in Latin-1's repertoire (no – ” €): for the Latin-1 and cp1252 cases.
LATIN1_PAGE = (
    "Växjö och Kisumu, Kenya\n\n"
    "Växjö kommun har sedan 2005 ett samarbete med Kisumu County i Kenya. Projektet Hållbar "
    "avfallshantering pågår 2023-2025 och får 500 000 kronor från ICLD.\n\n"
    "Projektområde\nMiljö och klimat\nSvensk partner\nVäxjö kommun\nInternationell partner\nKisumu County\n"
)


def cli(folder: Path, out: Path, *args: str):
    return runner.invoke(app, ["run", str(folder), "--out", str(out), "--workers", "1", "--no-cache", *args])


def cli_within(folder: Path, out: Path, seconds: float, *args: str):
    """cli(), and a liveness guard: the run must end within `seconds` (generous; speed is measured by
    `make bench`, not here)."""
    t0 = time.monotonic()
    result = cli(folder, out, *args)
    assert time.monotonic() - t0 < seconds, f"the run took over {seconds} s"
    return result


def input_folder(tmp_path: Path, with_seed: bool = False) -> Path:
    """A new input folder `in`, holding a copy of the seed page when with_seed."""
    folder = tmp_path / "in"
    folder.mkdir()
    if with_seed:
        shutil.copy(SEED, folder / SEED.name)
    return folder


def errors_of(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]


def records(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in RECORD_FILES}


def alone(tmp_path: Path, name: str, data: bytes, tag: str = "alone") -> dict[str, bytes]:
    """The record files of a run over a folder holding just this one file."""
    folder = tmp_path / f"{tag}-in"
    folder.mkdir()
    (folder / name).write_bytes(data)
    out = tmp_path / f"{tag}-out"
    result = cli(folder, out)
    assert result.exit_code == 0, result.output
    assert errors_of(out) == []
    return records(out)


def assert_clean_output(result) -> None:
    assert "Traceback" not in result.output
    assert "Traceback" not in result.stderr


def summary_lines_naming(result, name: str) -> list[str]:
    return [ln for ln in result.stderr.splitlines() if ln.lstrip().startswith(("skipped", "partly read"))
            and name in ln]


@pytest.fixture(scope="module")
def seed_alone(tmp_path_factory) -> dict[str, bytes]:
    return alone(tmp_path_factory.mktemp("seed"), SEED.name, SEED.read_bytes())


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("page.txt", SEED_TEXT)
    return buf.getvalue()


# ------------------------------------------------------------------ skipped files, next to a good page

SKIPPED = {
    "empty.txt": (b"", "empty file"),
    "blank.txt": (b"  \n\n\t\n", "empty file"),
    "image.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "PNG image"),
    "archive.txt": (_zip_bytes(), "zip archive"),
}


@pytest.mark.parametrize("name", sorted(SKIPPED))
def test_skipped_file_next_to_good_page(name, tmp_path, seed_alone):
    data, reason = SKIPPED[name]
    folder = input_folder(tmp_path, with_seed=True)
    (folder / name).write_bytes(data)
    out = tmp_path / "out"
    result = cli(folder, out)
    assert result.exit_code == 1, result.output
    assert_clean_output(result)
    errors = errors_of(out)
    assert [(e["file"], e["stage"]) for e in errors] == [(name, "read")]
    assert reason in errors[0]["reason"]
    assert len(summary_lines_naming(result, name)) == 1
    assert records(out) == seed_alone


def test_only_bad_files_exit_2_and_write_nothing(tmp_path):
    folder = input_folder(tmp_path)
    for name, (data, _) in SKIPPED.items():
        (folder / name).write_bytes(data)
    out = tmp_path / "out"
    result = cli(folder, out)
    assert result.exit_code == 2
    assert_clean_output(result)
    assert "no readable page" in result.stderr and "nothing written" in result.stderr
    for name in SKIPPED:  # the summary names every skipped file, as errors.jsonl would have
        assert f"skipped {name} (read)" in result.stderr
    assert not out.exists()  # a run that read no page writes nothing (it would wipe a good output)


def test_unreadable_file_permission_error(tmp_path, monkeypatch, seed_alone):
    folder = input_folder(tmp_path, with_seed=True)
    (folder / "locked.txt").write_text(LATIN1_PAGE, encoding="utf-8")
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if str(file).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)  # tests run as root: chmod 000 would not stop us
    out = tmp_path / "out"
    result = cli(folder, out)
    monkeypatch.undo()
    assert result.exit_code == 1
    assert_clean_output(result)
    assert errors_of(out) == [{"file": "locked.txt", "stage": "read", "reason": "permission denied"}]
    assert len(summary_lines_naming(result, "locked.txt")) == 1
    assert records(out) == seed_alone


def test_directory_named_txt_and_symlink_loop_are_not_errors(tmp_path, seed_alone):
    folder = input_folder(tmp_path, with_seed=True)
    (folder / "folder.txt").mkdir()
    os.symlink(".", folder / "loop")
    os.symlink("../loop2", folder / "folder.txt" / "loop2")  # loop2 -> in/loop2 -> itself: broken, not a page
    out = tmp_path / "out"
    result = cli(folder, out)
    assert result.exit_code == 0, result.output
    assert errors_of(out) == []
    assert records(out) == seed_alone


# ------------------------------------------------------------------ decodable variants: same records as UTF-8

def _crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


def _lone_cr(text: str) -> bytes:
    return text.replace("\n", "\r").encode("utf-8")


def _nul(text: str) -> bytes:
    return text.replace("\n", "\x00\n").replace(" ", " \x00", 5).encode("utf-8")


VARIANTS = {
    "cp1252": (SEED_TEXT, lambda t: t.encode("cp1252"), "cp1252"),
    "latin1": (LATIN1_PAGE, lambda t: t.encode("latin-1"), "cp1252"),
    "utf16-bom": (SEED_TEXT, lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"), "utf-16-le"),
    "utf8-bom": (SEED_TEXT, lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), "utf-8-sig"),
    "crlf": (SEED_TEXT, _crlf, "utf-8"),
    "lone-cr": (SEED_TEXT, _lone_cr, "utf-8"),
    "nul": (SEED_TEXT, _nul, "utf-8"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_encoding_and_newline_variants_give_the_utf8_records(variant, tmp_path):
    text, encode, _ = VARIANTS[variant]
    expected = alone(tmp_path, "page.txt", text.encode("utf-8"), "utf8")
    got = alone(tmp_path, "page.txt", encode(text), variant)
    assert got == expected
    assert json.loads(got["projects.json"]), "the page gives records"


def test_invalid_utf8_is_read_reported_and_keeps_the_records(tmp_path, seed_alone):
    folder = input_folder(tmp_path)
    # broken bytes after the page's text: the offsets before them do not move
    (folder / SEED.name).write_bytes(SEED.read_bytes() + b"\n\n\xff\xfe\x80 trasig rad\n")
    out = tmp_path / "out"
    result = cli(folder, out)
    assert result.exit_code == 1
    assert_clean_output(result)
    [err] = errors_of(out)
    assert (err["file"], err["stage"]) == (SEED.name, "read")
    assert "invalid UTF-8" in err["reason"] and err["reason"].endswith("(page processed)")
    assert len(summary_lines_naming(result, SEED.name)) == 1
    assert "partly read" in result.stderr
    assert records(out) == seed_alone


# ------------------------------------------------------------------ odd names

@pytest.mark.parametrize("name", ["with space.txt", "Växjö–Kisumu åäö.txt", "new\nline.txt", " lead.txt"])
def test_odd_file_names(name, tmp_path):
    expected = alone(tmp_path, name, SEED.read_bytes(), "one")
    folder = input_folder(tmp_path)
    (folder / name).write_bytes(SEED.read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    result = cli(folder, out)
    assert result.exit_code == 1
    assert [e["file"] for e in errors_of(out)] == ["empty.txt"]
    assert records(out) == expected
    files = {s["file"] for p in json.loads(records(out)["projects.json"]) for s in p["sources"]}
    assert files == {name}


# ------------------------------------------------------------------ pathological sizes
# Each test below bounds its wall time only as a liveness guard (a hang or a blow-up fails fast); what
# it asserts is the behaviour. That the work grows linearly is asserted by counting operations, not by
# timing, in test_scaling.py.

def test_50_mb_single_line_is_bounded_and_reported(tmp_path, seed_alone):
    folder = input_folder(tmp_path, with_seed=True)
    sentence = "Växjö kommun samarbetar med Kisumu i Kenya sedan 2005 och projektet pågår 2023-2025. ".encode()
    with open(folder / "huge.txt", "wb") as fh:
        chunk = sentence * (1024 * 1024 // len(sentence))
        for _ in range(50):
            fh.write(chunk)
    assert (folder / "huge.txt").stat().st_size > 49 * 1024 * 1024
    out = tmp_path / "out"
    result = cli_within(folder, out, seconds=120)
    assert result.exit_code == 1
    assert_clean_output(result)
    [err] = errors_of(out)
    assert (err["file"], err["stage"]) == ("huge.txt", "read")
    assert f"longer than {MAX_LINE_CHARS}" in err["reason"]
    assert records(out) == seed_alone


def test_extremely_long_line_inside_a_card(tmp_path):
    head, sep, rest = SEED_TEXT.partition("\n\n")
    long_line = ("Växjö " * (3 * MAX_LINE_CHARS // 6))[: 3 * MAX_LINE_CHARS]
    with_line = head + sep + long_line + "\n\n" + rest
    blanked = head + sep + " " * len(long_line) + "\n\n" + rest
    expected = alone(tmp_path, "card.txt", blanked.encode("utf-8"), "blanked")
    folder = input_folder(tmp_path)
    (folder / "card.txt").write_text(with_line, encoding="utf-8")
    out = tmp_path / "out"
    result = cli_within(folder, out, seconds=60)
    assert result.exit_code == 1
    [err] = errors_of(out)
    assert err["stage"] == "read" and "1 line(s) longer than" in err["reason"]
    assert records(out) == expected
    seed_titles = {p["title"] for p in json.loads(alone(tmp_path, "card.txt", SEED.read_bytes(), "s")["projects.json"])}
    assert {p["title"] for p in json.loads(expected["projects.json"])} == seed_titles


def test_page_of_100000_empty_cards_is_bounded_and_reported(tmp_path, seed_alone):
    folder = input_folder(tmp_path, with_seed=True)
    # each card in its own words (one card repeated word for word would be one item, merged)
    cards = (f"Växjö and X, Kenya\n\nÄrende {i}.\n\nProjektområde\nUrban planning\n\n" for i in range(100_000))
    (folder / "cards.txt").write_text("".join(cards), encoding="utf-8")
    out = tmp_path / "out"
    # every card a record, whatever the model thinks of a partner named X: the bounds are the point
    result = cli_within(folder, out, 120, "--min-confidence", "0")
    assert result.exit_code == 1
    assert_clean_output(result)
    [err] = errors_of(out)
    assert (err["file"], err["stage"]) == ("cards.txt", "segment")
    assert f"only the first {pages.MAX_PAGE_BLOCKS}" in err["reason"]
    assert len(summary_lines_naming(result, "cards.txt")) == 1
    blocks = (out / "blocks.jsonl").read_text().splitlines()
    assert sum(1 for b in blocks if '"cards.txt"' in b) == pages.MAX_PAGE_BLOCKS
    seed_ids = {p["record_id"] for p in json.loads(seed_alone["projects.json"])}
    got = {p["record_id"]: p for p in json.loads(records(out)["projects.json"])}
    assert seed_ids <= set(got)
    # the cards name one partner pair and nothing that tells them apart: near-misses of each other,
    # listed up to the bound rather than every card listing every other
    cards = [p for p in got.values() if p["sources"][0]["file"] == "cards.txt"]
    assert len(cards) > MAX_POSSIBLE_DUPLICATES
    assert {len(p["possible_duplicates"]) for p in cards} == {MAX_POSSIBLE_DUPLICATES}


def test_900_000_character_paragraph_is_processed(tmp_path, seed_alone):
    # one block of ordinary sentences naming municipalities and partners, in lines under the blanking
    # limit: nothing is left out, and the statements it makes come out
    sentences = ("Växjö kommun har sedan 2005 ett samarbete med Kisumu County i Kenya. ",
                 "The City of Borås and Kutaisi in Georgia work together on local democracy. ",
                 "Projektet handlar om vattenförsörjning och sanitet i stadens östra delar. ")
    lines, size = [], 0
    while size < 900_000:
        lines.append("".join(sentences[(len(lines) + k) % 3] for k in range(5)).strip())
        size += len(lines[-1]) + 1
    folder = input_folder(tmp_path, with_seed=True)
    (folder / "paragraph.txt").write_text("Partnerskap\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = cli_within(folder, out, seconds=120)
    assert result.exit_code == 0, result.output
    assert_clean_output(result)
    assert errors_of(out) == []
    blocks = [json.loads(b) for b in (out / "blocks.jsonl").read_text().splitlines()]
    assert max(b["end"] - b["start"] for b in blocks if b["file"] == "paragraph.txt") > 900_000
    pairs = {(p["swedish_partner"], p["international_partner"])
             for p in json.loads(records(out)["partnerships.json"])
             if any(s["file"] == "paragraph.txt" for s in p["sources"])}
    assert ("Växjö kommun", "Kisumu County") in pairs
    seed_ids = {p["record_id"] for p in json.loads(seed_alone["projects.json"])}
    assert seed_ids <= {p["record_id"] for p in json.loads(records(out)["projects.json"])}


# ------------------------------------------------------------------ everything at once

def test_every_bad_file_at_once(tmp_path, monkeypatch, seed_alone):
    folder = input_folder(tmp_path, with_seed=True)
    for name, (data, _) in SKIPPED.items():
        (folder / name).write_bytes(data)
    (folder / "locked.txt").write_text(LATIN1_PAGE, encoding="utf-8")
    (folder / "line.txt").write_bytes(b"x" * (MAX_LINE_CHARS + 10))
    (folder / "dir.txt").mkdir()
    os.symlink(".", folder / "loop")
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if str(file).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    out = tmp_path / "out"
    result = cli(folder, out)
    monkeypatch.undo()
    assert result.exit_code == 1
    assert_clean_output(result)
    bad = sorted([*SKIPPED, "locked.txt", "line.txt"])
    errors = errors_of(out)
    assert sorted(e["file"] for e in errors) == bad
    assert all(set(e) == {"file", "stage", "reason"} and e["reason"] for e in errors)
    for name in bad:
        assert len(summary_lines_naming(result, name)) == 1, name
    assert records(out) == seed_alone
