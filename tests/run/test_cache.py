"""The per-page cache: hits, misses, invalidation by page bytes, code and data; and the CLI's defaults."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from typer.testing import CliRunner

from kp_extract.run import cache as cache_mod
from kp_extract.run import pipeline
from kp_extract.cli import app
from tests.conftest import read_outputs


def test_second_run_is_served_from_the_cache(raw_copy, serial_outputs, tmp_path):
    cache_dir = tmp_path / "cache"
    first = pipeline.run(raw_copy, tmp_path / "a", cache_dir=cache_dir)
    assert (first.cache_hits, first.cache_misses) == (0, 5)
    second = pipeline.run(raw_copy, tmp_path / "b", workers=2, cache_dir=cache_dir)
    assert (second.cache_hits, second.cache_misses) == (5, 0)
    assert read_outputs(tmp_path / "a") == read_outputs(tmp_path / "b") == serial_outputs["raw"]


def test_only_changed_pages_are_redone(raw_copy, tmp_path):
    cache_dir = tmp_path / "cache"
    pipeline.run(raw_copy, tmp_path / "a", cache_dir=cache_dir)
    page = sorted(raw_copy.glob("*.txt"))[2]
    page.write_text(page.read_text(encoding="utf-8") + "\nLidingö och Slavuta\n\nSamarbetsområde: Utbildning\n",
                    encoding="utf-8")
    again = pipeline.run(raw_copy, tmp_path / "b", cache_dir=cache_dir)
    assert (again.cache_hits, again.cache_misses) == (4, 1)
    pipeline.run(raw_copy, tmp_path / "fresh")  # no cache at all
    assert read_outputs(tmp_path / "b") == read_outputs(tmp_path / "fresh")


def test_renamed_page_is_a_miss(raw_copy, tmp_path):
    cache_dir = tmp_path / "cache"
    pipeline.run(raw_copy, tmp_path / "a", cache_dir=cache_dir)
    first = sorted(raw_copy.glob("*.txt"))[0]
    first.rename(raw_copy / ("renamed_" + first.name))
    again = pipeline.run(raw_copy, tmp_path / "b", cache_dir=cache_dir)
    assert (again.cache_hits, again.cache_misses) == (4, 1)
    pipeline.run(raw_copy, tmp_path / "fresh")
    assert read_outputs(tmp_path / "b") == read_outputs(tmp_path / "fresh")


def test_new_code_or_data_fingerprint_invalidates_everything(raw_copy, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    pipeline.run(raw_copy, tmp_path / "a", cache_dir=cache_dir)
    monkeypatch.setattr(pipeline, "fingerprint", lambda: "0" * 64)
    changed = pipeline.run(raw_copy, tmp_path / "b", cache_dir=cache_dir)
    assert (changed.cache_hits, changed.cache_misses) == (0, 5)
    again = pipeline.run(raw_copy, tmp_path / "c", cache_dir=cache_dir)
    assert (again.cache_hits, again.cache_misses) == (5, 0)
    assert read_outputs(tmp_path / "a") == read_outputs(tmp_path / "c")


def test_fingerprint_follows_data_files_and_sources(tmp_path, monkeypatch):
    pkg = tmp_path / "kp_extract"
    shutil.copytree(cache_mod.PACKAGE_DIR, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache_mod, "PACKAGE_DIR", pkg)
    compute = cache_mod.fingerprint.__wrapped__
    base = compute()
    assert compute() == base
    (pkg / "bench" / "corpus.py").write_text("# benchmark code does not change results\n")
    assert compute() == base
    gaz = pkg / "data" / "countries.csv"
    gaz.write_bytes(gaz.read_bytes() + b"XX,Nowhere,Ingenstans,,,\n")
    with_data = compute()
    assert with_data != base
    (pkg / "stages" / "s5_extract" / "proposals.py").write_text((pkg / "stages" / "s5_extract" / "proposals.py").read_text(encoding="utf-8") + "\n# edit\n",
                                    encoding="utf-8")
    assert compute() not in (base, with_data)


def test_damaged_entries_are_misses(raw_copy, tmp_path):
    cache_dir = tmp_path / "cache"
    pipeline.run(raw_copy, tmp_path / "a", cache_dir=cache_dir)
    entries = sorted(cache_dir.rglob("*.pkl"))
    assert len(entries) == 5
    entries[0].write_bytes(b"not a pickle")
    entries[1].write_bytes(entries[2].read_bytes())  # an entry stored under another key
    again = pipeline.run(raw_copy, tmp_path / "b", cache_dir=cache_dir)
    assert (again.cache_hits, again.cache_misses) == (3, 2)
    assert read_outputs(tmp_path / "a") == read_outputs(tmp_path / "b")


def test_cli_caches_in_out_by_default_and_reports_hits(raw_copy, tmp_path):
    out = tmp_path / "out"
    args = ["run", str(raw_copy), "--out", str(out), "--workers", "1"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "0 of 5 pages" in first.output
    assert list((out / ".cache").rglob("*.pkl"))
    second = CliRunner().invoke(app, args)
    assert "5 of 5 pages" in second.output
    elsewhere = tmp_path / "elsewhere"
    third = CliRunner().invoke(app, args + ["--cache", str(elsewhere)])
    assert "0 of 5 pages" in third.output and list(elsewhere.rglob("*.pkl"))
    fourth = CliRunner().invoke(app, args + ["--no-cache"])
    assert fourth.exit_code == 0 and "cache hits" not in fourth.output


def test_output_folder_cache_is_not_read_as_input(raw_copy, tmp_path):
    # the cache lives in OUT; with OUT inside INPUT its *.pkl files are never taken for pages
    out = raw_copy / "out"
    s = pipeline.run(raw_copy, out, cache_dir=out / ".cache")
    s2 = pipeline.run(raw_copy, out, cache_dir=out / ".cache")
    assert s.pages_read == s2.pages_read == 5
    assert Path(out / ".cache").is_dir()


def test_page_and_contacts_entries_are_kept_apart(tmp_path):
    cache = cache_mod.PageCache(tmp_path, "f" * 64)
    key = cache.key("page.txt", hashlib.sha256(b"bytes").hexdigest())
    cache.put(key, "the page's digest")
    assert cache.get(key) == "the page's digest"
    assert cache.get(key, cache_mod.CONTACTS) is None  # a page entry holds no contact rows
    cache.put(key, [("contact row",)], cache_mod.CONTACTS)
    page_file, contacts_file = cache._path(key), cache._path(key, cache_mod.CONTACTS)
    assert contacts_file.parent.parent.name == "contacts" and page_file != contacts_file
    contacts_file.write_bytes(page_file.read_bytes())  # an entry of the other kind is a miss
    assert cache.get(key, cache_mod.CONTACTS) is None
    cache.put(key, [("contact row",)], cache_mod.CONTACTS)
    cache_mod.remove_contacts(tmp_path)
    assert cache.get(key, cache_mod.CONTACTS) is None and cache.get(key) == "the page's digest"
