"""The Dask engine gives the same bytes as the in-process engine."""
from __future__ import annotations

import pytest

from kp_extract.run import pipeline
from tests.conftest import RAW, read_outputs

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


@pytest.mark.parametrize("corpus", ["raw", "corpus"])
def test_dask_equals_serial(corpus, scheduler, small_corpus, serial_outputs, tmp_path):
    folder = RAW if corpus == "raw" else small_corpus
    summary = pipeline.run(folder, tmp_path, engine="dask", scheduler=scheduler, workers=2)
    assert summary.engine == "dask"
    assert read_outputs(tmp_path) == serial_outputs[corpus]


def test_dask_with_cache(scheduler, raw_copy, serial_outputs, tmp_path):
    cache_dir = tmp_path / "cache"
    first = pipeline.run(raw_copy, tmp_path / "a", engine="dask", scheduler=scheduler, cache_dir=cache_dir)
    second = pipeline.run(raw_copy, tmp_path / "b", engine="dask", scheduler=scheduler, cache_dir=cache_dir)
    assert (first.cache_misses, second.cache_hits) == (5, 5)
    assert read_outputs(tmp_path / "b") == serial_outputs["raw"]
