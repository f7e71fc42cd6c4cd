"""Tests for kp_extract.cli, with kp_extract.pipeline.run replaced by a stub."""
from __future__ import annotations

import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from kp_extract import __version__
from kp_extract.cli import app
from kp_extract.model import FileError

runner = CliRunner()


@dataclass
class FakeSummary:
    pages_read: int = 5
    pages_skipped: int = 0
    blocks: int = 120
    projects: int = 25
    partnerships: int = 18
    merged: int = 7
    possible_duplicates: int = 2
    languages: dict = field(default_factory=lambda: {"sv": 3, "en": 2})
    seconds: float = 1.25
    errors: list = field(default_factory=list)


@pytest.fixture
def fake_pipeline(monkeypatch):
    """Install a stub kp_extract.pipeline whose run() returns `state["summary"]`."""
    state = {"summary": FakeSummary(), "calls": [], "raise": None}

    def run(input_dir: Path, out_dir: Path):
        state["calls"].append((Path(input_dir), Path(out_dir)))
        if state["raise"] is not None:
            raise state["raise"]
        return state["summary"]

    module = types.ModuleType("kp_extract.pipeline")
    module.run = run
    monkeypatch.setitem(sys.modules, "kp_extract.pipeline", module)
    return state


@pytest.fixture
def raw_dir(tmp_path):
    d = tmp_path / "raw"
    d.mkdir()
    (d / "a.txt").write_text("Växjö och JB Marks\n", encoding="utf-8")
    return d


# ------------------------------------------------------------------ help texts

def all_commands():
    root = typer.main.get_command(app)
    yield "kp-extract", root
    # typer may vendor its own click, so duck-type the group
    for name, cmd in sorted(getattr(root, "commands", {}).items()):
        yield name, cmd


def test_every_command_and_option_has_help():
    seen = 0
    for name, cmd in all_commands():
        assert (cmd.help or "").strip(), f"command {name} has no help"
        for param in cmd.params:
            text = getattr(param, "help", None) or ""
            assert text.strip(), f"{name}: parameter {param.name} has no help"
            seen += 1
    assert seen >= 5


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["-h"]])
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
    fake_pipeline["summary"] = FakeSummary(
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
    fake_pipeline["summary"] = FakeSummary(
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


def test_python_dash_m_help():
    src = Path(__file__).resolve().parents[1] / "src"
    env_path = str(src)
    proc = subprocess.run(
        [sys.executable, "-m", "kp_extract", "--help"],
        capture_output=True, text=True, env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin",
                                             "COLUMNS": "100"},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "run" in proc.stdout
