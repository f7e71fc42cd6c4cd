"""Issue 15: logging that means what it says (-v, -vv, --log-level, --log-file, --debug; Dask quiet)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kp_extract.cli import app
from tests.conftest import ROOT

runner = CliRunner()
SRC = ROOT / "src"
PAGE = ("Svensk partner: Växjö kommun\n\nVäxjö kommun har sedan 2005 ett partnerskap med JB Marks Local "
        "Municipality i Sydafrika. Projektet Jämställd ledning pågår 2023-2025.\n")
STAGES = ("read", "clean", "segment", "language", "extract", "dedupe", "export")


@pytest.fixture
def pages(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(PAGE, encoding="utf-8")
    (folder / "b.txt").write_text("Om oss\n\nBiblioteket har öppet.\n", encoding="utf-8")
    return folder


def stage_lines(text: str) -> dict[str, str]:
    return {stage: line for line in text.splitlines() for stage in STAGES if f"stage {stage}:" in line}


def test_debug_logs_one_line_per_stage_with_counts_and_seconds(tmp_path, pages):
    result = runner.invoke(app, ["run", str(pages), "--out", str(tmp_path / "out"), "-w", "1", "--debug"])
    assert result.exit_code == 0, result.stderr
    lines = stage_lines(result.stderr)
    assert set(lines) == set(STAGES)
    assert "2 files, 2 pages, 0 failed" in lines["read"]
    assert "2 pages" in lines["clean"] and " blocks, " in lines["segment"]
    assert " mentions, " in lines["extract"] and "partnership statements" in lines["extract"]
    assert "-> " in lines["dedupe"] and " files, " in lines["export"]
    assert all(line.rstrip().endswith(" s") for line in lines.values())
    assert sum(1 for line in result.stderr.splitlines() if "stage read:" in line) == 1
    assert "page a.txt: " in result.stderr  # debug: a line per page


def test_verbose_levels_and_the_default(tmp_path, pages):
    quiet = runner.invoke(app, ["run", str(pages), "--out", str(tmp_path / "o1"), "-w", "1"])
    assert quiet.exit_code == 0 and not stage_lines(quiet.stderr)
    info = runner.invoke(app, ["run", str(pages), "--out", str(tmp_path / "o2"), "-w", "1", "-v"])
    assert set(stage_lines(info.stderr)) == set(STAGES) and "page a.txt: " not in info.stderr
    debug = runner.invoke(app, ["run", str(pages), "--out", str(tmp_path / "o3"), "-w", "1", "-vv"])
    assert "page a.txt: " in debug.stderr
    level = runner.invoke(app, ["run", str(pages), "--out", str(tmp_path / "o4"), "-w", "1", "-v",
                                "--log-level", "warning"])
    assert level.exit_code == 0 and not stage_lines(level.stderr)


def test_log_file_gets_the_lines(tmp_path, pages):
    log_file = tmp_path / "run.log"
    result = runner.invoke(app, ["run", str(pages), "--out", str(tmp_path / "out"), "-w", "1", "-q",
                                 "--log-level", "info", "--log-file", str(log_file)])
    assert result.exit_code == 0, result.stderr
    logged = log_file.read_text(encoding="utf-8")
    assert set(stage_lines(logged)) == set(STAGES)
    assert all(line[:4].isdigit() for line in logged.splitlines())  # each line starts with its time


@pytest.mark.parametrize("args, message", [
    (["--log-level", "loud"], "unknown --log-level 'loud'"),
    (["--log-file", "/nonexistent-folder/run.log"], "cannot write the log file"),
    (["--dashboard"], "--dashboard needs --engine dask"),
])
def test_logging_usage_errors(tmp_path, pages, args, message):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(pages), "--out", str(out), *args])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()] and message in result.stderr
    assert not out.exists()


distributed = pytest.importorskip("distributed")


def test_dask_quiet_prints_nothing(tmp_path, pages):
    """With -q a run on a LocalCluster prints nothing at all: no Dask INFO line from the scheduler,
    nannies or workers, no warning or traceback when the cluster closes, no dashboard link."""
    env = dict(os.environ, PYTHONPATH=str(SRC))
    env.pop("DASK_LOGGING__DISTRIBUTED", None)
    proc = subprocess.run([sys.executable, "-m", "kp_extract", "run", str(pages), "--out", str(tmp_path / "out"),
                           "-q", "--engine", "dask", "-w", "1", "--no-cache"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "" and proc.stdout == ""


@pytest.mark.parametrize("dashboard", [False, True])
def test_dashboard_only_when_asked(tmp_path, pages, monkeypatch, dashboard):
    seen = {}
    real = distributed.LocalCluster

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(distributed, "LocalCluster", spy)
    args = ["run", str(pages), "--out", str(tmp_path / "out"), "-q", "--engine", "dask", "-w", "1", "--no-cache"]
    result = runner.invoke(app, args + (["--dashboard"] if dashboard else []))
    assert result.exit_code == 0, result.stderr
    assert seen["dashboard_address"] == (":8787" if dashboard else None)
    if not dashboard:  # the scheduler's HTTP routes, which it serves anyway, on a free loopback port
        assert seen["scheduler_kwargs"] == {"dashboard_address": "127.0.0.1:0"}
    assert ("Dask dashboard: " in result.stderr) is dashboard
