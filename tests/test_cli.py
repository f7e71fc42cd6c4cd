"""Tests for kp_extract.cli, with kp_extract.run.pipeline.run replaced by a stub (monkeypatch)."""
from __future__ import annotations

import subprocess
import sys
import types
from enum import Enum
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from kp_extract import __version__
from kp_extract.cli import app
from kp_extract.model import FileError
from kp_extract.run import pipeline

runner = CliRunner()


def small_run_summary(**fields) -> pipeline.RunSummary:
    """The RunSummary of a small run (the fields a test gives override these)."""
    values: dict = dict(pages_read=5, pages_skipped=0, blocks=120, projects=25, partnerships=18, merged=7,
                        possible_duplicates=2, languages={"sv": 3, "en": 2}, seconds=1.25, errors=[])
    return pipeline.RunSummary(**{**values, **fields})


@pytest.fixture
def fake_pipeline(monkeypatch):
    """Replace kp_extract.run.pipeline.run by a stub that returns `state["summary"]`."""
    state = {"summary": small_run_summary(), "calls": [], "options": [], "raise": None}

    def run(input_dir: Path, out_dir: Path, **options):
        state["calls"].append((Path(input_dir), Path(out_dir)))
        state["options"].append(options)
        if state["raise"] is not None:
            raise state["raise"]
        return state["summary"]

    monkeypatch.setattr(pipeline, "run", run)
    return state


@pytest.fixture
def raw_dir(tmp_path):
    d = tmp_path / "raw"
    d.mkdir()
    (d / "a.txt").write_text("Växjö och JB Marks\n", encoding="utf-8")
    return d


# ------------------------------------------------------------------ help texts

def all_commands(cmd=None, path="kp-extract"):
    """(path, command) for the root and every command below it, depth first."""
    cmd = cmd if cmd is not None else typer.main.get_command(app)
    yield path, cmd
    # typer may vendor its own click, so duck-type the group
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        yield from all_commands(sub, f"{path} {name}")


def test_every_command_and_option_has_help():
    seen = 0
    names = set()
    for name, cmd in all_commands():
        names.add(name)
        assert (cmd.help or "").strip(), f"command {name} has no help"
        for param in cmd.params:
            text = getattr(param, "help", None) or ""
            assert text.strip(), f"{name}: parameter {param.name} has no help"
            seen += 1
    assert {"kp-extract run", "kp-extract evaluate", "kp-extract schema"} <= names
    assert seen >= 15


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["-h"], ["evaluate", "--help"], ["schema", "-h"]])
def test_help_exits_zero(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_run_help_mentions_options():
    out = runner.invoke(app, ["run", "--help"]).output
    for opt in ("--out", "--debug", "--no-debug", "--quiet", "INPUT_DIR"):
        assert opt in out


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


# ------------------------------------------------------------------ exit codes

def test_success_exit_0_and_summary(fake_pipeline, raw_dir, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(raw_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert fake_pipeline["calls"] == [(raw_dir, out)]
    assert "projects" in result.stderr and "25" in result.stderr
    assert "sv 3" in result.stderr
    assert result.stdout == ""


def test_run_hands_the_pipeline_every_option_as_given(fake_pipeline, raw_dir, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(raw_dir), "--out", str(out), "--workers", "3", "--cache", str(tmp_path / "c"),
                                 "--format", "json", "--csv-dialect", "excel-sv", "--min-confidence", "0.7",
                                 "--include-contacts"])
    assert result.exit_code == 0, result.output
    [options] = fake_pipeline["options"]
    assert {k: options[k] for k in ("workers", "engine", "cache_dir", "scheduler", "include_contacts", "formats",
                                    "csv_dialect", "min_confidence", "manifest", "compare", "package_meta",
                                    "decisions", "dashboard")} == {
        "workers": 3, "engine": "local", "cache_dir": tmp_path / "c", "scheduler": None, "include_contacts": True,
        "formats": ("json",), "csv_dialect": "excel-sv", "min_confidence": 0.7, "manifest": None, "compare": None,
        "package_meta": None, "decisions": None, "dashboard": False}


def summary_rows(stderr: str) -> dict[str, str]:
    """label -> value of the plain summary (label and value are two or more spaces apart)."""
    rows = {}
    for line in stderr.splitlines()[1:]:
        if line.startswith("  ") and not line.lstrip().startswith(("skipped ", "partly read ")):
            label, _, value = line.strip().rpartition("  ")
            rows[line[:len(line) - len(line.lstrip())] + label.strip()] = value.strip()
    return rows


def test_summary_is_plain_text_when_stderr_is_not_a_terminal(fake_pipeline, raw_dir, tmp_path):
    fake_pipeline["summary"] = small_run_summary(
        pages_read=4, pages_skipped=3,
        errors=[FileError("a.png.txt", "read", "binary content (PNG image)"),
                FileError("b.zip.txt", "read", "binary content (zip archive)"),
                FileError("c.txt", "extract", "ValueError: boom"),
                FileError("d.txt", "read", "invalid UTF-8 bytes replaced", partial=True)])
    fake_pipeline["summary"].pages_partial = 1
    result = runner.invoke(app, ["run", str(raw_dir), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"kp-extract {raw_dir} -> {tmp_path / 'o'}"
    assert "\x1b[" not in result.stderr  # no terminal codes: no bar, no rich table
    rows = summary_rows(result.stderr)
    assert rows["  pages read"] == "4" and rows["  pages skipped"] == "3"
    assert rows["    read: binary content"] == "2" and rows["    extract: ValueError"] == "1"
    assert rows["  pages partly read"] == "1" and rows["    read: invalid UTF-8 bytes replaced"] == "1"
    assert rows["  merged duplicates"] == "7" and rows["  possible duplicates"] == "2"
    assert rows["  languages"] == "sv 3, en 2" and rows["  time"] == "1.25 s"
    assert list(rows)[:2] == ["  pages read", "  pages skipped"]
    assert [ln.split()[:2] for ln in lines if ln.lstrip().startswith(("skipped", "partly"))] == [
        ["skipped", "a.png.txt"], ["skipped", "b.zip.txt"], ["skipped", "c.txt"], ["partly", "read"]]


@pytest.fixture
def progress_pipeline(monkeypatch):
    """A stub pipeline whose run() reports progress on 3 pages (one skipped) when given a callback."""
    from kp_extract.run.progress import ProgressTally

    calls = []

    def run(input_dir: Path, out_dir: Path, *, progress=None, **options):
        calls.append(progress)
        tally = ProgressTally(progress, 3)
        for item in (types.SimpleNamespace(blocks=[1] * 10, mentions=[1] * 4), FileError("x.txt", "read", "bad"),
                     types.SimpleNamespace(blocks=[1] * 5, mentions=[1])):
            tally.page(item)
        tally.stage("dedupe")
        return small_run_summary(pages_read=2, pages_skipped=1, errors=[FileError("x.txt", "read", "bad")])

    monkeypatch.setattr(pipeline, "run", run)
    return calls


def test_no_progress_output_when_stderr_is_not_a_terminal(progress_pipeline, raw_dir, tmp_path):
    result = runner.invoke(app, ["run", str(raw_dir), "--out", str(tmp_path / "o")])
    assert progress_pipeline == [None]
    from kp_extract.run.summary import error_lines, plain_lines

    summary = small_run_summary(pages_read=2, pages_skipped=1, errors=[FileError("x.txt", "read", "bad")])
    expected = plain_lines(raw_dir, tmp_path / "o", summary) + error_lines(summary.errors)
    assert result.stderr.splitlines() == expected  # the summary and nothing else


def terminal(monkeypatch):
    """Make the command believe stderr is a terminal; returns the buffer its console writes to."""
    import io

    from rich.console import Console

    from kp_extract import cli

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120, color_system=None)
    monkeypatch.setattr(cli, "_stderr_is_terminal", lambda: True)
    monkeypatch.setattr(cli, "_stderr_console", lambda: console)
    return buffer


def test_progress_bar_and_table_on_a_terminal(progress_pipeline, raw_dir, tmp_path, monkeypatch):
    buffer = terminal(monkeypatch)
    result = runner.invoke(app, ["run", str(raw_dir), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert callable(progress_pipeline[0])
    shown = buffer.getvalue()
    assert "3/3" in shown
    assert "15 blocks 5 mentions" in shown and "pages/s" in shown and "ETA" in shown
    # then the summary as a table
    assert "pages skipped" in shown and "read: bad" in shown and "possible duplicates" in shown
    assert "skipped x.txt (read): bad" in result.stderr


def test_quiet_on_a_terminal_shows_no_bar(progress_pipeline, raw_dir, tmp_path, monkeypatch):
    buffer = terminal(monkeypatch)
    result = runner.invoke(app, ["run", str(raw_dir), "--out", str(tmp_path / "o"), "--quiet"])
    assert progress_pipeline == [None]
    assert buffer.getvalue() == ""
    assert result.stderr.splitlines() == ["  skipped x.txt (read): bad"]


def test_default_out_is_output(fake_pipeline, raw_dir, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", str(raw_dir)])
    assert result.exit_code == 0
    assert fake_pipeline["calls"][0][1] == Path("output")


def test_quiet_prints_nothing_on_success(fake_pipeline, raw_dir, tmp_path):
    result = runner.invoke(app, ["run", str(raw_dir), "--out", str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 0
    assert result.output == ""


def test_skipped_files_exit_1(fake_pipeline, raw_dir, tmp_path):
    fake_pipeline["summary"] = small_run_summary(
        pages_read=4, pages_skipped=1,
        errors=[FileError("bad.txt", "read", "binary content (PNG image)")])
    result = runner.invoke(app, ["run", str(raw_dir), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 1
    assert "bad.txt" in result.stderr and "PNG" in result.stderr


def test_missing_input_exit_2(fake_pipeline, tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "not found" in result.stderr
    assert fake_pipeline["calls"] == []
    assert "Traceback" not in result.output


def test_input_is_a_file_exit_2(fake_pipeline, tmp_path):
    f = tmp_path / "f.txt"
    f.write_text("x")
    result = runner.invoke(app, ["run", str(f)])
    assert result.exit_code == 2
    assert "not a folder" in result.stderr


def test_no_readable_page_exit_2(fake_pipeline, raw_dir, tmp_path):
    fake_pipeline["summary"] = small_run_summary(
        pages_read=0, pages_skipped=1, projects=0, partnerships=0, blocks=0,
        languages={}, errors=[FileError("a.txt", "read", "binary content (zip archive)")])
    result = runner.invoke(app, ["run", str(raw_dir), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "no readable page" in result.stderr


def test_usage_error_exit_2(fake_pipeline):
    assert runner.invoke(app, ["run"]).exit_code == 2
    assert runner.invoke(app, ["run", ".", "--bogus"]).exit_code == 2
    assert runner.invoke(app, ["nosuchcommand"]).exit_code == 2


def test_pipeline_crash_no_traceback_without_debug(fake_pipeline, raw_dir, tmp_path):
    fake_pipeline["raise"] = RuntimeError("segment exploded")
    result = runner.invoke(app, ["run", str(raw_dir), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "segment exploded" in result.stderr
    assert "Traceback" not in result.stderr
    assert "--debug" in result.stderr


def test_pipeline_crash_traceback_with_debug(fake_pipeline, raw_dir, tmp_path):
    fake_pipeline["raise"] = RuntimeError("segment exploded")
    result = runner.invoke(app, ["run", str(raw_dir), "--out", str(tmp_path / "o"), "--debug"])
    assert result.exit_code == 2
    assert "Traceback" in result.stderr
    assert "segment exploded" in result.stderr


def test_out_is_a_file_exit_2(fake_pipeline, raw_dir, tmp_path):
    f = tmp_path / "taken"
    f.write_text("x")
    result = runner.invoke(app, ["run", str(raw_dir), "--out", str(f)])
    assert result.exit_code == 2
    assert fake_pipeline["calls"] == []



# ------------------------------------------------------------------ --min-confidence

@pytest.fixture
def confidence_pipeline(monkeypatch):
    """A stub pipeline whose run() takes min_confidence and records what it was given."""
    calls = []

    def run(input_dir: Path, out_dir: Path, *, min_confidence=None, **options):
        calls.append(min_confidence)
        summary = small_run_summary()
        summary.candidates = 3
        summary.min_confidence = (0.6, 0.4) if min_confidence is None else (min_confidence, min_confidence)
        return summary

    monkeypatch.setattr(pipeline, "run", run)
    return calls


def _plain(text: str) -> str:
    """A rich error panel as one line: box characters and line wrapping removed."""
    return " ".join(text.replace("│", " ").replace("╭", " ").replace("╰", " ").replace("─", " ").split())


@pytest.mark.parametrize("value", ["1.5", "-0.1", "abc"])
def test_min_confidence_out_of_range_is_a_usage_error(confidence_pipeline, raw_dir, tmp_path, value):
    result = runner.invoke(app, ["run", str(raw_dir), "--out", str(tmp_path / "o"), "--min-confidence", value])
    assert result.exit_code == 2
    assert "Invalid value for '--min-confidence'" in _plain(result.output)
    assert confidence_pipeline == []
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("value, given", [("0", 0.0), ("1", 1.0), ("0.35", 0.35)])
def test_min_confidence_is_passed_to_the_run(confidence_pipeline, raw_dir, tmp_path, value, given):
    result = runner.invoke(app, ["run", str(raw_dir), "--out", str(tmp_path / "o"), "--min-confidence", value])
    assert result.exit_code == 0, result.output
    assert confidence_pipeline == [given]
    assert summary_rows(result.stderr)["  below confidence"] == f"3 (candidates.jsonl; threshold {given:g})"


def test_without_min_confidence_the_run_uses_the_models_thresholds(confidence_pipeline, raw_dir, tmp_path):
    result = runner.invoke(app, ["run", str(raw_dir), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert confidence_pipeline == [None]
    assert summary_rows(result.stderr)["  below confidence"] == (
        "3 (candidates.jsonl; threshold 0.6 projects, 0.4 partnerships)")


def test_min_confidence_help_text():
    run_cmd = typer.main.get_command(app).commands["run"]
    (param,) = [p for p in run_cmd.params if p.name == "min_confidence"]
    assert "--min-confidence" in param.opts
    assert "0-1" in param.help and "candidates.jsonl" in param.help and "never dropped" in param.help
    out = _plain(runner.invoke(app, ["run", "--help"]).output)
    assert "--min-confidence" in out and "0.0<=x<=1.0" in out

ROOT = Path(__file__).resolve().parents[1]
ENV = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "COLUMNS": "100"}


def test_python_dash_m_help():
    proc = subprocess.run([sys.executable, "-m", "kp_extract", "--help"], capture_output=True, text=True,
                          env=ENV, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for command in ("run", "evaluate", "schema"):
        assert command in proc.stdout
    assert "Usage: kp-extract " in proc.stdout


def test_console_script_help(tmp_path):
    """The `kp-extract` entry point of pyproject.toml, run through the wrapper pip installs for it."""
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    module, _, attr = scripts["kp-extract"].partition(":")
    wrapper = tmp_path / "kp-extract"
    wrapper.write_text(f"#!{sys.executable}\nimport sys\nfrom {module} import {attr}\n"
                       f"if __name__ == '__main__':\n    sys.exit({attr}())\n", encoding="utf-8")
    wrapper.chmod(0o755)
    for args in (["--help"], ["schema", "--help"], ["--version"]):
        proc = subprocess.run([str(wrapper), *args], capture_output=True, text=True, env=ENV, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert "kp-extract" in proc.stdout


# ------------------------------------------------------------------ schema

def schema_file(name: str) -> str:
    return (ROOT / "src" / "kp_extract" / "schema" / f"{name}.schema.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("args, name", [([], "project"), (["projects"], "project"),
                                        (["partnerships"], "partnership")])
def test_schema_prints_the_schema_file(args, name):
    import json

    result = runner.invoke(app, ["schema", *args])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(schema_file(name))
    assert result.stdout == schema_file(name).rstrip("\n") + "\n"


def test_schema_all_holds_both():
    import json

    result = runner.invoke(app, ["schema", "all"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"projects": json.loads(schema_file("project")),
                                         "partnerships": json.loads(schema_file("partnership"))}


def test_schema_of_an_unknown_kind_is_a_usage_error():
    result = runner.invoke(app, ["schema", "contacts"])
    assert result.exit_code == 2 and result.stdout == ""


# ------------------------------------------------------------------ README command reference

def test_readme_command_reference_is_up_to_date():
    from kp_extract import cli_docs

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert cli_docs.current_block(readme) == cli_docs.block(cli_docs.render()), (
        "README.md's command reference differs from `kp-extract --help`: run "
        "`python -m kp_extract.cli_docs --write README.md` (or `make docs`)")


def test_command_reference_lists_every_command_and_option():
    from kp_extract import cli_docs

    text = cli_docs.render()
    for path, cmd in all_commands():
        assert f"#### `{path}`" in text
        for param in cmd.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("-"):
                    assert opt in text, (path, opt)
            assert " ".join(param.help.split()).replace("*", "\\*").replace("|", "\\|")[:60] in text


def test_command_reference_does_not_depend_on_the_terminal(monkeypatch):
    from kp_extract import cli_docs

    monkeypatch.setenv("COLUMNS", "40")
    narrow = cli_docs.render()
    monkeypatch.setenv("COLUMNS", "250")
    assert cli_docs.render() == narrow
    assert all("\x1b[" not in line for line in narrow.splitlines())


def test_command_reference_write_and_check(tmp_path):
    from kp_extract import cli_docs

    doc = tmp_path / "DOC.md"
    doc.write_text(f"intro\n\n{cli_docs.START}\nSTALE TEXT\n{cli_docs.END}\n\nrest\n", encoding="utf-8")
    assert cli_docs.main(["--check", str(doc)]) == 1
    assert cli_docs.main(["--write", str(doc)]) == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("intro\n\n") and text.endswith("\n\nrest\n") and "STALE TEXT" not in text
    assert cli_docs.main(["--check", str(doc)]) == 0
    doc.write_text("no markers\n", encoding="utf-8")
    assert cli_docs.main(["--write", str(doc)]) == 2


class Colour(str, Enum):
    red = "red"
    blue = "blue"


def test_command_reference_of_any_command_tree():
    """Commands, groups and options the other commands do not have yet are rendered too."""
    from kp_extract import cli_docs

    demo = typer.Typer(help="Demo tool.")
    sub = typer.Typer(help="Things about reports.")
    demo.add_typer(sub, name="report")

    @demo.command()
    def paint(colour: Colour = typer.Option(Colour.red, help="Which | colour."),
              count: int = typer.Option(2, "--count", "-n", help="How many coats.")) -> None:
        """Paint *all* of it.

        Second paragraph
        spread over two lines."""

    @sub.command("build")
    def build(target: Path = typer.Argument(..., help="Where to.")) -> None:
        """Build a report."""

    @sub.command("secret", hidden=True)
    def secret() -> None:
        """Not listed."""

    text = cli_docs.render(typer.main.get_command(demo))
    assert "#### `kp-extract paint`" in text and "#### `kp-extract report build`" in text
    assert "secret" not in text
    assert "Paint \\*all\\* of it." in text
    assert "Second paragraph spread over two lines." in text
    assert "Which \\| colour. [default: red]" in text
    assert "| `-n, --count " in text and "| How many coats. [default: 2] |" in text
    assert "| `report` | Things about reports. |" in text
    assert "Where to. [required]" in text
