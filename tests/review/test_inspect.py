"""`kp-extract inspect FILE`: one page's blocks with the extracted values highlighted."""
from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from kp_extract.cli import app

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "raw" / "000_d98ef4d1fb15a41d.txt"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _inspect(*args: str):
    return CliRunner().invoke(app, ["inspect", *args])


def test_plain_output_lists_blocks_and_marks_values():
    res = _inspect(str(PAGE))
    assert res.exit_code == 0, res.output
    out = res.output
    assert not ANSI.search(out)
    assert out.startswith(f"{PAGE.name}: ")
    heads = re.findall(r"^#(\d+) (\w+) (\w+|-) (\d+)-(\d+)", out, re.M)
    assert [int(h[0]) for h in heads] == list(range(len(heads))) and len(heads) > 5
    assert {h[1] for h in heads} >= {"heading", "title", "prose", "footer"}
    assert {h[2] for h in heads} >= {"en"}
    # values of the mentions that cite a block are marked in place
    assert "Project: «Partnership to fight gender-based violence»" in out
    assert "«Växjö KommunÄlmhults kommun»" not in out  # two partners glued: two marks
    assert "«Växjö Kommun»«Älmhults kommun»" in out
    assert "«5 - Jämställdhet»" in out
    assert re.search(r"^mention 0: \"Partnership to fight gender-based violence\" \| Swedish: Växjö kommun, "
                     r"Älmhults kommun \| abroad: JB Marks Local Municipality \| countries: ZA", out, re.M)


def test_colour_output_uses_ansi_styles_and_no_plain_marks():
    res = _inspect(str(PAGE), "--color")
    assert res.exit_code == 0, res.output
    assert ANSI.search(res.output)
    assert "«" not in res.output
    plain = ANSI.sub("", res.output)
    assert "Project: Partnership to fight gender-based violence" in plain
    assert re.search(r"\x1b\[[0-9;]*m5 - Jämställdhet\x1b\[0m", res.output)


def test_contacts_hidden(tmp_path):
    page = tmp_path / "p.txt"
    page.write_text("Växjö kommun och Kalush i Ukraina har ett kommunalt partnerskap sedan 2010.\n\n"
                    "Kontakt: Anna Ek, anna@vaxjo.se\n\nRing 0470-41 00 00 för mer.\n", encoding="utf-8")
    res = _inspect(str(page), "--no-color")
    assert res.exit_code == 0, res.output
    assert "anna@" not in res.output and "41 00 00" not in res.output
    assert "[telefon]" in res.output
    assert "«Växjö kommun»" in res.output


def test_errors_are_one_line_exit_2(tmp_path):
    res = _inspect(str(tmp_path / "missing.txt"))
    assert res.exit_code == 2
    assert res.output.strip() == f"error: file not found: {tmp_path / 'missing.txt'}"
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    res = _inspect(str(binary))
    assert res.exit_code == 2 and res.output.startswith("error: cannot read") and "Traceback" not in res.output
    empty = tmp_path / "e.txt"
    empty.write_text("  \n", encoding="utf-8")
    res = _inspect(str(empty))
    assert res.exit_code == 2 and "no text" in res.output


def test_help():
    res = CliRunner().invoke(app, ["inspect", "--help"])
    assert res.exit_code == 0
    assert "--no-color" in res.output and "FILE" in res.output


# ---------------------------------------------------------------- --run: the page the run read (issue 15)

PAGE_TEXT = """Projekt: Rent vatten i Lusaka

Svensk partner: Umeå kommun
Internationell partner: Lusaka City Council, Zambia
Period: 2022–2024

Umeå kommun och Lusaka City Council i Zambia samarbetar om vattenförsörjning och avloppsrening.
"""


def _small_run(tmp_path: Path) -> tuple[Path, Path]:
    from kp_extract.run.pipeline import run

    crawl = tmp_path / "crawl"
    (crawl / "sub").mkdir(parents=True)
    (crawl / "sub" / "a.txt").write_text(PAGE_TEXT, encoding="utf-8")
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,url,retrieved_at\nsub/a.txt,https://example.org/lusaka,2024-05-01\n", encoding="utf-8")
    out = tmp_path / "out"
    run(crawl, out, workers=1, manifest=manifest)
    return out, crawl


def test_run_page_is_found_where_the_run_read_it(tmp_path, monkeypatch):
    out, crawl = _small_run(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    res = _inspect("sub/a.txt", "--run", str(out), "--no-color")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == f"sub/a.txt: the page the run in {out} read (sha256 matches)"
    assert lines[1] == "source: https://example.org/lusaka"
    assert "«Lusaka City Council»" in res.output


def test_run_page_changed_gone_or_moved(tmp_path):
    out, crawl = _small_run(tmp_path)
    page = crawl / "sub" / "a.txt"
    page.write_text(PAGE_TEXT.replace("Umeå", "Luleå"), encoding="utf-8")
    res = _inspect("sub/a.txt", "--run", str(out), "--no-color")
    assert res.exit_code == 1 and "changed since the run" in res.output
    assert "Luleå" not in res.output and len(res.output.strip().splitlines()) == 1
    page.write_text(PAGE_TEXT, encoding="utf-8")
    moved = tmp_path / "moved"
    crawl.rename(moved)
    res = _inspect("sub/a.txt", "--run", str(out))
    assert res.exit_code == 2 and res.output.startswith("error: page sub/a.txt of the run") and "not in the input" in res.output
    res = _inspect("sub/a.txt", "--run", str(out), "--input", str(moved), "--no-color")
    assert res.exit_code == 0 and "(sha256 matches)" in res.output


def test_input_needs_run(tmp_path):
    res = _inspect(str(PAGE), "--input", str(tmp_path))
    assert res.exit_code == 2 and res.output.strip() == "error: --input needs --run (the output folder of the run whose pages moved)"
    res = _inspect(str(PAGE), "--run", str(tmp_path / "nope"))
    assert res.exit_code == 2 and "output folder not found" in res.output
