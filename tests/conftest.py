"""Shared fixtures: a small generated corpus and the serial engine's output on it and on raw/."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from kp_extract.bench.corpus import generate
from kp_extract.run.pipeline import run

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
OUTPUT_FILES = ("projects.json", "projects.csv", "partnerships.json", "partnerships.csv", "blocks.jsonl",
                "errors.jsonl")


# The per-page cache signs its entries with a key kept in $XDG_CONFIG_HOME/kp-extract/cache-key
# (run/cache.py); the tests keep theirs in a folder of their own, never in the user's home.
os.environ.setdefault("XDG_CONFIG_HOME", tempfile.mkdtemp(prefix="kp-test-config-"))
os.environ.pop("KP_EXTRACT_CACHE_KEY", None)


def read_outputs(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUT_FILES}


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory) -> Path:
    """40 generated pages (every layout) plus one binary file, in two sub-folders."""
    folder = tmp_path_factory.mktemp("corpus")
    generate(folder, pages=40, seed=7, per_folder=25)
    (folder / "part0000" / "zz_image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    return folder


@pytest.fixture(scope="session")
def serial_outputs(tmp_path_factory, small_corpus) -> dict[str, dict[str, bytes]]:
    """The in-process (workers=1, no cache) outputs on raw/ and on small_corpus."""
    out = {}
    for name, folder in (("raw", RAW), ("corpus", small_corpus)):
        dest = tmp_path_factory.mktemp(f"serial-{name}")
        run(folder, dest, workers=1)
        out[name] = read_outputs(dest)
    return out


@pytest.fixture
def raw_copy(tmp_path) -> Path:
    dest = tmp_path / "raw"
    shutil.copytree(RAW, dest)
    for p in dest.iterdir():
        p.chmod(0o644)
    return dest
