"""Faults (issue 5): a crash in one page's extraction is caught at the page boundary, a run killed
mid-write never leaves a half-written output, and the outputs are deterministic."""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kp_extract.run import engines, pages, pipeline
from kp_extract.bench.corpus import generate
from kp_extract.cli import app
from kp_extract.outputs.writer import STAGING_PREFIX
from tests.conftest import RAW, ROOT, read_outputs

runner = CliRunner()
SRC = ROOT / "src"
CRASH_FILE = "002_e8ce17b8f4e7c177.txt"


def _crash_on(target: str):
    real = pages.extract_page

    def extract_page(page, blocks):
        if page.file == target:
            raise RuntimeError("extraction exploded on purpose")
        return real(page, blocks)

    return extract_page


def _without(folder: Path, name: str, dest: Path) -> Path:
    shutil.copytree(folder, dest)
    (dest / name).unlink()
    return dest


@pytest.mark.parametrize("workers", [1, 2])
def test_extract_crash_is_caught_at_the_page_boundary(workers, tmp_path, monkeypatch):
    if workers > 1:
        # the monkeypatch reaches worker processes only when they are forked; earlier tests in the
        # session may have left idle threads, which makes the pipeline prefer forkserver
        monkeypatch.setattr(engines, "_mp_context", lambda: multiprocessing.get_context("fork"))
    monkeypatch.setattr(pages, "extract_page", _crash_on(CRASH_FILE))
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(RAW), "--out", str(out), "--workers", str(workers), "--no-cache"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [json.loads(x) for x in (out / "errors.jsonl").read_text().splitlines()]
    assert len(errors) == 1
    assert (errors[0]["file"], errors[0]["stage"]) == (CRASH_FILE, "extract")
    assert "extraction exploded on purpose" in errors[0]["reason"]
    assert sum(CRASH_FILE in line for line in result.stderr.splitlines()) == 1
    # the other pages give exactly what they give without the crashing page
    monkeypatch.undo()
    ref = tmp_path / "ref"
    pipeline.run(_without(RAW, CRASH_FILE, tmp_path / "rest"), ref, workers=1)
    for name in ("projects.json", "projects.csv", "partnerships.json", "partnerships.csv"):
        assert (out / name).read_bytes() == (ref / name).read_bytes(), name


# ------------------------------------------------------------------ atomic outputs

KILLER = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from kp_extract.run import pipeline
    from kp_extract.outputs import exporters

    where, after = sys.argv[3], int(sys.argv[4])
    calls = 0
    real = getattr(exporters, where)

    def killing(*args, **kwargs):
        global calls
        calls += 1
        if calls == after:
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    setattr(exporters, where, killing)
    pipeline.run(Path(sys.argv[1]), Path(sys.argv[2]), workers=1)
""")


@pytest.fixture(scope="module")
def kill_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kill-corpus")
    generate(folder, pages=25, seed=11)
    new = tmp_path_factory.mktemp("kill-new")
    pipeline.run(folder, new, workers=1)
    return folder, read_outputs(new)


@pytest.mark.parametrize("where, after", [
    ("csv_cell", 40),  # inside projects.json/.csv
    ("json_line", 30),  # inside blocks.jsonl, once the record files are written
])
def test_killed_run_leaves_previous_outputs_whole(where, after, kill_corpus, tmp_path):
    """Killed in the middle of the export, a run leaves every previous file as it was: the new files
    are written into a staging folder and only moved into place once all are written (it used to
    leave new record files next to old blocks: a mix of two runs)."""
    folder, new = kill_corpus
    out = tmp_path / "out"
    pipeline.run(RAW, out, workers=1)  # the previous, complete outputs
    old = read_outputs(out)
    env = dict(os.environ, PYTHONPATH=str(SRC))
    proc = subprocess.run([sys.executable, "-c", KILLER, str(folder), str(out), where, str(after)],
                          env=env, capture_output=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    staged = [p for p in out.iterdir() if p.name.startswith(STAGING_PREFIX)]
    assert staged and any(p.name.endswith(".tmp") for p in staged[0].iterdir()), \
        "the run was killed while a temp file was open in its staging folder"
    assert read_outputs(out) == old
    # the next run finishes the job and clears the dead run's staging folder
    pipeline.run(folder, out, workers=1)
    assert read_outputs(out) == new
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp") or p.name.startswith(STAGING_PREFIX)]


# ------------------------------------------------------------------ determinism

def test_two_runs_give_identical_bytes(serial_outputs, tmp_path):
    pipeline.run(RAW, tmp_path, workers=1)
    assert read_outputs(tmp_path) == serial_outputs["raw"]


@pytest.mark.parametrize("hashseed, locale", [("0", "C"), ("4242", "C.UTF-8")])
def test_hash_seed_and_locale_do_not_change_output(hashseed, locale, serial_outputs, tmp_path):
    env = dict(os.environ, PYTHONPATH=str(SRC), PYTHONHASHSEED=hashseed, LC_ALL=locale, LANG=locale)
    proc = subprocess.run([sys.executable, "-m", "kp_extract", "run", str(RAW), "--out", str(tmp_path),
                           "--workers", "1", "--no-cache", "-q"], env=env, capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert read_outputs(tmp_path) == serial_outputs["raw"]


def test_creation_order_does_not_change_output(small_corpus, serial_outputs, tmp_path):
    dest = tmp_path / "corpus"
    files = sorted(p for p in small_corpus.rglob("*") if p.is_file())
    for i, src in enumerate(reversed(files)):  # created last-first, with mtimes in that order
        target = dest / src.relative_to(small_corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(src.read_bytes())
        os.utime(target, (1_600_000_000 + i, 1_600_000_000 + i))
    pipeline.run(dest, tmp_path / "out", workers=1)
    assert read_outputs(tmp_path / "out") == serial_outputs["corpus"]
