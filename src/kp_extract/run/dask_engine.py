"""Run the per-page stages on a Dask distributed cluster.

A dask.bag over the file paths (one partition per chunk of files) maps
pipeline.process_chunk over each partition; each worker loads spaCy and the
gazetteers once (pipeline.warm_up is a module-level cached loader). The client
computes at most a few partitions per worker at a time and takes their results
in partition order, so the client's memory stays bounded and the corpus-wide
dedup and the export (done by pipeline.run on the client) see the pages in the
same order as the local engine: the output is byte-identical.

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
from collections import deque
from collections.abc import Iterator
from contextlib import ExitStack

from kp_extract.run.cache import check_key_id, key_id
from kp_extract.run.pages import process_chunk

IN_FLIGHT_PER_WORKER = 3
DASHBOARD_ADDRESS = ":8787"  # with --dashboard: Dask's usual port (it takes a free one if that is in use)
log = logging.getLogger(__name__)


def _partition(paths, root: str, cache_root: str | None, fp: str | None, include_contacts: bool = False,
               cache_key_id: str | None = None) -> list:
    if cache_root:
        check_key_id(cache_key_id)
    return process_chunk(list(paths), root, cache_root, fp, include_contacts)


def dask_results(chunks: list[list[str]], root: str, cache_root: str | None, fp: str | None,
                 scheduler: str | None = None, workers: int = 1, include_contacts: bool = False,
                 dashboard: bool = False) -> Iterator[tuple]:
    """(PageDigest or FileError, cache hit?, sha256 or None, seconds per stage) per file
    (pipeline.process_file), in file order, computed on Dask. dashboard: serve the LocalCluster's
    dashboard (DASHBOARD_ADDRESS, or name the scheduler's) and print its link on stderr; without it the
    LocalCluster serves none and opens no port 8787 behind the user's back."""
    if not chunks:
        return
    quiet_dask_loggers()
    import dask.bag as db
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
        paths = [p for chunk in chunks for p in chunk]
        bag = db.from_sequence(paths, partition_size=max(1, max(len(c) for c in chunks)))
        cache_key_id = key_id() if cache_root else None
        parts = bag.map_partitions(_partition, root, cache_root, fp, include_contacts, cache_key_id).to_delayed()
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or workers)
        window = n_workers * IN_FLIGHT_PER_WORKER
        todo = iter(parts)
        pending: deque = deque()
        try:
            for part in todo:
                pending.append(client.compute(part))
                if len(pending) >= window:
                    break
            while pending:
                future = pending.popleft()
                results = future.result()
                future.release()
                nxt = next(todo, None)
                if nxt is not None:
                    pending.append(client.compute(nxt))
                yield from results
        finally:
            for future in pending:  # a run stopped early: nothing left computing when the cluster closes
                future.cancel()


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
    except ImportError:  # pragma: no cover - dask missing: dask_results fails with a clear ImportError
        pass
