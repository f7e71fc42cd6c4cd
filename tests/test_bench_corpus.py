"""The benchmark corpus generator: deterministic, varied, every layout, parsable; and the bench runner."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from kp_extract.bench import corpus
from tests.conftest import ROOT


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.txt"))}


def test_same_seed_same_files(tmp_path):
    corpus.generate(tmp_path / "a", pages=30, seed=3)
    corpus.generate(tmp_path / "b", pages=30, seed=3)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_other_seed_other_files(tmp_path):
    corpus.generate(tmp_path / "a", pages=10, seed=3)
    corpus.generate(tmp_path / "b", pages=10, seed=4)
    assert set(_files(tmp_path / "a").values()).isdisjoint(_files(tmp_path / "b").values())


def test_smaller_corpus_is_a_prefix_and_mb_is_respected(tmp_path):
    n, size = corpus.generate(tmp_path / "mb", mb=0.2, seed=5)
    assert size >= 200_000 and n > 10
    small = _files(tmp_path / "mb")
    corpus.generate(tmp_path / "pages", pages=n + 5, seed=5)
    big = _files(tmp_path / "pages")
    assert all(big[name] == data for name, data in small.items())


def test_every_layout_and_varied_words():
    pages = [corpus.page(11, i) for i in range(200)]
    layouts = Counter(name.split("_")[1] for name, _ in pages)
    assert set(layouts) == set(corpus.LAYOUTS)
    texts = [data.decode("utf-8-sig", errors="replace") for _, data in pages]
    assert len(set(texts)) == len(texts)
    words = Counter(w for t in texts for w in re.findall(r"[^\W\d_]+", t))
    assert len(words) > 2000  # a real vocabulary, not one page repeated
    numbers = {w for t in texts for w in re.findall(r"\d+", t)}
    assert len(numbers) > 120  # years, counts, amounts, phone numbers
    munis = {m.official for m in corpus.tables().munis}
    assert sum(1 for m in munis if any(m in t for t in texts)) > 100
    assert any(b"\r\n" in data for _, data in pages)
    assert any(data.startswith(b"\xef\xbb\xbf") for _, data in pages)
    for layout, marker in (("listing", "Internationell partner\n"), ("news", "Samarbetsområde: "),
                           ("municipal", "Senast uppdaterad: "), ("english", "Area of cooperation: ")):
        assert any(marker in t for (name, _), t in zip(pages, texts) if f"_{layout}_" in name), layout


def test_new_words_keep_coming_as_in_real_text():
    """Heaps' law: the second half of a corpus still brings words the first half never had (the
    few hundred listed words alone gave 5% of the second half's words new; spaCy's tokenizer cache
    then made the floor twice as fast as on real varied text)."""
    texts = [data.decode("utf-8-sig", errors="replace") for _, data in (corpus.page(11, i) for i in range(400))]
    seen = {w for t in texts[:200] for w in t.split()}
    later = [w for t in texts[200:] for w in t.split()]
    assert sum(w not in seen for w in later) / len(later) > 0.08


def test_lexicon_words_recur_and_are_spelled_the_same_everywhere():
    assert corpus.lexicon_stem(12345) == corpus.lexicon_stem(12345)
    stems = [corpus.lexicon_stem(rank) for rank in range(1, 2001)]
    assert all(s.isalpha() and s.islower() and 4 <= len(s) <= 12 for s in stems)
    assert len(set(stems)) > 1900  # ranks are words, not a handful of spellings
    # frequent (low-rank) stems turn up on many pages, as frequent words do
    texts = [data.decode("utf-8-sig", errors="replace") for _, data in (corpus.page(11, i) for i in range(200))]
    common = corpus.lexicon_stem(1)
    assert sum(re.search(rf"\b{common}", t) is not None for t in texts) > 10


def test_pipeline_finds_records_in_every_layout(serial_outputs):
    projects = json.loads(serial_outputs["corpus"]["projects.json"])
    partnerships = json.loads(serial_outputs["corpus"]["partnerships.json"])
    assert len(projects) > 40 and len(partnerships) > 40
    layouts = {s["file"].split("_")[1] for p in projects for s in p["sources"]}
    assert layouts == set(corpus.LAYOUTS)


def test_bench_runner_smoke(tmp_path):
    env = dict(os.environ, BENCH_SIZES="0.03,0.06", BENCH_OUT=str(tmp_path / "results.json"), BENCH_WORKERS="1")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    proc = subprocess.run([sys.executable, "-m", "kp_extract.bench.run"], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    assert [round(r["size_mb"], 2) >= s for r, s in zip(results["sizes"], (0.03, 0.06))] == [True, True]
    for r in results["sizes"]:
        assert r["pages_per_s"] > 0 and r["peak_rss_mb"] > 0 and r["ratio_to_floor"] > 0
        assert 0 <= r["dedup_state_mb"] <= r["main_peak_rss_mb"]
        assert 0 < r["peak_rss_without_dedup_mb"] <= r["peak_rss_mb"]
    assert set(results["targets"]) == {"whole run <= 3x tokenizer floor (every size)",
                                       "time linear (t/t0 <= 1.0625 x size/s0)",
                                       "peak memory largest <= 1.5x smallest, dedup state aside"}
    assert set(results["information"]) == {"peak memory largest <= 1.5x smallest, dedup state included (stricter)"}
    floor_ok = all(r["ratio_to_floor"] <= 3.0 for r in results["sizes"])
    assert results["targets"]["whole run <= 3x tokenizer floor (every size)"] is floor_ok
    assert "xfloor" in proc.stdout
