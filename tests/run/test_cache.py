"""The per-page cache: hits, misses, invalidation by page bytes, code and data; and the CLI's defaults."""
from __future__ import annotations

import hashlib
import hmac
import json
import pickle
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kp_extract.run import cache as cache_mod
from kp_extract.run import engines, pages, pipeline
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
    monkeypatch.setattr(engines, "fingerprint", lambda spacy_model=None: "0" * 64)
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
    entries = sorted(cache_dir.rglob("*.jsonl"))
    assert len(entries) == 5
    entries[0].write_bytes(b"not an entry")
    entries[1].write_bytes(entries[2].read_bytes())  # an entry stored under another key
    again = pipeline.run(raw_copy, tmp_path / "b", cache_dir=cache_dir)
    assert (again.cache_hits, again.cache_misses, again.cache_rejected) == (3, 2, 2)
    assert read_outputs(tmp_path / "a") == read_outputs(tmp_path / "b")
    healed = pipeline.run(raw_copy, tmp_path / "c", cache_dir=cache_dir)  # rewritten by the second run
    assert (healed.cache_hits, healed.cache_rejected) == (5, 0)


class Hostile:
    """A pickle that, if ever unpickled, runs code: it creates the file `marker`."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_planted_entry_runs_nothing_and_is_recomputed(raw_copy, tmp_path, capsys):
    cache_dir = tmp_path / "cache"
    pipeline.run(raw_copy, tmp_path / "a", cache_dir=cache_dir)
    entries = sorted(cache_dir.rglob("*.jsonl"))
    marker = tmp_path / "ran"
    pickle.loads(pickle.dumps(Hostile(marker)))  # the payload works when unpickled...
    assert marker.exists()
    marker.unlink()
    entries[0].write_bytes(pickle.dumps(Hostile(marker)))  # ...planted in place of a real entry
    # an entry in the right format and key, but signed with another key and naming a class
    head, body = entries[1].read_bytes().split(b"\n", 1)
    header = json.loads(head)
    forged = {"__class__": "os.system", "args": [f"touch {marker}"]}
    body = json.dumps(forged).encode("ascii")
    header["hmac"] = hmac.new(b"attacker's key", body, hashlib.sha256).hexdigest()
    entries[1].write_bytes(json.dumps(header).encode("ascii") + b"\n" + body + b"\n")
    # and one left as it was but for its value, its old HMAC kept
    head, body = entries[2].read_bytes().split(b"\n", 1)
    entries[2].write_bytes(head + b"\n" + body.replace(b"kommun", b"kommmun", 1))
    again = pipeline.run(raw_copy, tmp_path / "b", cache_dir=cache_dir)
    assert not marker.exists()
    assert (again.cache_hits, again.cache_rejected) == (2, 3)
    assert read_outputs(tmp_path / "a") == read_outputs(tmp_path / "b")
    out = tmp_path / "c"
    for e in sorted(cache_dir.rglob("*.jsonl"))[:1]:
        e.write_bytes(pickle.dumps(Hostile(marker)))
    result = CliRunner().invoke(app, ["run", str(raw_copy), "--out", str(out), "--workers", "1",
                                      "--cache", str(cache_dir)])
    assert result.exit_code == 0, result.output
    assert not marker.exists()
    assert "1 damaged or foreign entries ignored" in result.output


def test_entries_written_under_another_key_are_misses(raw_copy, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv(cache_mod.KEY_ENV, "one key")
    pipeline.run(raw_copy, tmp_path / "a", cache_dir=cache_dir)
    monkeypatch.setenv(cache_mod.KEY_ENV, "another key")
    other = pipeline.run(raw_copy, tmp_path / "b", cache_dir=cache_dir)
    assert (other.cache_hits, other.cache_rejected) == (0, 5)
    monkeypatch.setenv(cache_mod.KEY_ENV, "one key")
    back = pipeline.run(raw_copy, tmp_path / "c", cache_dir=cache_dir)
    assert (back.cache_hits, back.cache_rejected) == (0, 5)  # the second run rewrote them under its key


def test_decoding_names_no_class_from_the_data():
    key = "0" * 64
    secret = b"k"
    value_of_another_shape = json.dumps({"py/object": "os.system"}).encode("ascii")
    mac = cache_mod._mac(secret, cache_mod.PAGE, key, value_of_another_shape)
    header = json.dumps({"format": cache_mod.FORMAT, "kind": cache_mod.PAGE, "key": key, "hmac": mac})
    data = header.encode("ascii") + b"\n" + value_of_another_shape + b"\n"
    with pytest.raises(cache_mod.Rejected, match="not decodable"):  # signed, yet not a page's digest
        cache_mod.decode_entry(secret, cache_mod.PAGE, key, data)


def test_cache_commands_show_prune_and_clear(raw_copy, tmp_path):
    cache_dir = tmp_path / "cache"
    pipeline.run(raw_copy, tmp_path / "a", cache_dir=cache_dir)
    old = cache_dir / ("0" * 16) / "ab"
    old.mkdir(parents=True)
    (old / ("ab" + "0" * 62 + ".pkl")).write_bytes(b"an entry of an older version")
    info = CliRunner().invoke(app, ["cache", "info", "--cache-dir", str(cache_dir)])
    assert info.exit_code == 0, info.output
    assert "5 page entries" in info.output and "(current)" in info.output
    assert "other code version, 1 entries of an earlier format" in info.output
    pruned = CliRunner().invoke(app, ["cache", "prune", "--cache-dir", str(cache_dir)])
    assert pruned.exit_code == 0 and "freed" in pruned.output
    assert not (cache_dir / ("0" * 16)).exists() and len(list(cache_dir.rglob("*.jsonl"))) == 5
    (cache_dir / "notes.txt").write_text("mine")
    refused = CliRunner().invoke(app, ["cache", "clear", "--cache-dir", str(cache_dir)])
    assert refused.exit_code == 2 and "nothing removed" in refused.output
    assert len(list(cache_dir.rglob("*.jsonl"))) == 5
    (cache_dir / "notes.txt").unlink()
    cleared = CliRunner().invoke(app, ["cache", "clear", "--cache-dir", str(cache_dir)])
    assert cleared.exit_code == 0 and not list(cache_dir.rglob("*.jsonl")) and cache_dir.is_dir()
    nothing = CliRunner().invoke(app, ["cache", "info", "--cache-dir", str(tmp_path / "none")])
    assert nothing.exit_code == 0 and "no cache folder" in nothing.output


def test_cli_caches_in_out_by_default_and_reports_hits(raw_copy, tmp_path):
    out = tmp_path / "out"
    args = ["run", str(raw_copy), "--out", str(out), "--workers", "1"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "0 of 5 pages" in first.output
    assert list((out / ".cache").rglob("*.jsonl"))
    second = CliRunner().invoke(app, args)
    assert "5 of 5 pages" in second.output
    elsewhere = tmp_path / "elsewhere"
    third = CliRunner().invoke(app, args + ["--cache", str(elsewhere)])
    assert "0 of 5 pages" in third.output and list(elsewhere.rglob("*.jsonl"))
    fourth = CliRunner().invoke(app, args + ["--no-cache"])
    assert fourth.exit_code == 0 and "cache hits" not in fourth.output


def test_output_folder_cache_is_not_read_as_input(raw_copy, tmp_path):
    # the cache lives in OUT; with OUT inside INPUT its *.jsonl files are never taken for pages
    out = raw_copy / "out"
    s = pipeline.run(raw_copy, out, cache_dir=out / ".cache")
    s2 = pipeline.run(raw_copy, out, cache_dir=out / ".cache")
    assert s.pages_read == s2.pages_read == 5
    assert Path(out / ".cache").is_dir()


def test_page_and_contacts_entries_are_kept_apart(tmp_path):
    cache = cache_mod.PageCache(tmp_path, "f" * 64)
    key = cache.key("page.txt", hashlib.sha256(b"bytes").hexdigest())
    digest = pages.PageDigest("page.txt", [(0, 5, "prose", "sv", None, None)], [], [], "no pair")
    cache.put(key, digest)
    assert cache.get(key) == digest
    assert cache.get(key, cache_mod.CONTACTS) is None  # a page entry holds no contact rows
    cache.put(key, [("contact row",)], cache_mod.CONTACTS)
    page_file, contacts_file = cache._path(key), cache._path(key, cache_mod.CONTACTS)
    assert contacts_file.parent.parent.name == "contacts" and page_file != contacts_file
    contacts_file.write_bytes(page_file.read_bytes())  # an entry of the other kind is a miss
    assert cache.get(key, cache_mod.CONTACTS) is None
    cache.put(key, [("contact row",)], cache_mod.CONTACTS)
    cache_mod.remove_contacts(tmp_path)
    assert cache.get(key, cache_mod.CONTACTS) is None and cache.get(key) == digest
