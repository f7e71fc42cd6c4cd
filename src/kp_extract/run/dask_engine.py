"""The Dask engine: the cluster, and how a chunk of files is submitted to it.

dask_submitter connects to a Dask scheduler (or starts a LocalCluster) and gives
engines.windowed_results a submitter: one Client.submit of dask_chunk (pages.process_chunk) per
chunk, each chunk as engines.make_chunks made it. The window and the order of the results are
engines.windowed_results's, as for the local process pool: the client's memory stays bounded, and
the corpus-wide dedup and the export (done by pipeline.run on the client) see the pages in the same
order as with the local engine, so the output is byte-identical. Each worker loads spaCy and the
gazetteers once (pages.warm_up is a module-level cached loader).

The workers read the files and the cache folder themselves, so on a real
cluster both must be on a filesystem every worker sees, at the same path. They
check cache entries with the cache key of their own machine (cache.secret_key:
KP_EXTRACT_CACHE_KEY, else a key file); each task carries the client's key id
and a worker with another key fails the run (cache.CacheKeyMismatch) rather
than reject what its peers wrote.
Without a scheduler address a LocalCluster (one single-threaded worker process
per core) is started for the run and closed after it (client first, then cluster, with every
future cancelled), with no dashboard unless asked for. Dask's own loggers stay at ERROR unless
the run's log level asks for INFO or DEBUG (quiet_dask_loggers).
"""
from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from kp_extract.model import RunOptions
from kp_extract.run.cache import check_key_id, key_id
from kp_extract.run.pages import process_chunk

DASHBOARD_ADDRESS = ":8787"  # with --dashboard: Dask's usual port (it takes a free one if that is in use)
log = logging.getLogger(__name__)


def dask_chunk(paths: list[str], options: RunOptions, cache_key_id: str | None) -> list:
    """pages.process_chunk on a Dask worker, once the worker's cache key is checked against the client's."""
    if options.cache_root:
        check_key_id(cache_key_id)
    return process_chunk(paths, options)


@contextmanager
def dask_submitter(options: RunOptions, scheduler: str | None = None, workers: int = 1, dashboard: bool = False
                   ) -> Iterator[tuple[Callable[[list[str]], Any], int]]:
    """(submit, workers): submit(chunk) runs dask_chunk on the cluster and returns its future; workers
    is how many the cluster has (at least 1). The cluster is the scheduler's at that address, else a
    LocalCluster of `workers` processes started here and closed on exit. dashboard: serve the
    LocalCluster's dashboard (DASHBOARD_ADDRESS, or name the scheduler's) and print its link on stderr;
    without it the LocalCluster serves none and opens no port 8787 behind the user's back."""
    quiet_dask_loggers()
    from distributed import Client, LocalCluster

    with ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(Client(scheduler, set_as_default=False))
        else:
            # Without a dashboard the scheduler still serves its HTTP routes (health, metrics), by default
            # on port 8787: bound here to a free port of the loopback interface instead.
            cluster = stack.enter_context(LocalCluster(
                n_workers=max(1, workers), threads_per_worker=1, processes=True,
                dashboard_address=DASHBOARD_ADDRESS if dashboard else None, silence_logs=dask_log_level(),
                scheduler_kwargs=None if dashboard else {"dashboard_address": "127.0.0.1:0"}))
            client = stack.enter_context(Client(cluster, set_as_default=False))
        if dashboard:
            link = client.dashboard_link if client.dashboard_link else "none (the scheduler serves no dashboard)"
            print(f"Dask dashboard: {link}", file=sys.stderr, flush=True)  # asked for: shown even with --quiet
        cache_key_id = key_id() if options.cache_root else None

        def submit(chunk: list[str]) -> Any:
            # pure=False: a new task each time, never the result of an earlier run's task with the same
            # files (the pages or the cache may have changed since)
            return client.submit(dask_chunk, chunk, options, cache_key_id, pure=False)

        yield submit, max(1, len(client.scheduler_info().get("workers", {})) or workers)


# Loggers of Dask and distributed (and of their web and comm layers) that talk at INFO on every run.
DASK_LOGGERS = ("distributed", "dask", "bokeh", "tornado")


def dask_log_level() -> int:
    """The level Dask's loggers get: what kp_extract's own logger is set to when that asks for INFO or
    DEBUG (-v, -vv, --log-level), else ERROR: Dask's INFO lines (workers started, closing) and the
    warnings it prints while a cluster shuts down are not the run's business."""
    level = logging.getLogger("kp_extract").getEffectiveLevel()
    return level if level <= logging.INFO else logging.ERROR


def quiet_dask_loggers() -> None:
    """Set Dask's loggers to dask_log_level, here and (through the environment they inherit and the Dask
    config they read at import) in the worker processes a LocalCluster starts."""
    level = dask_log_level()
    name = logging.getLevelName(level).lower()
    for logger in DASK_LOGGERS:
        logging.getLogger(logger).setLevel(level)
    os.environ["DASK_LOGGING__DISTRIBUTED"] = name
    try:
        import dask

        dask.config.set({"logging.distributed": name})
    except ImportError:  # pragma: no cover - dask missing: dask_submitter fails with a clear ImportError
        pass
