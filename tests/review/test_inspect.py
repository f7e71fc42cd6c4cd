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
