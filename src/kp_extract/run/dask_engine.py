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
per core) is started for the run and closed after it.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from kp_extract.run.cache import check_key_id, key_id
from kp_extract.run.pipeline import process_chunk

IN_FLIGHT_PER_WORKER = 3


def _partition(paths, root: str, cache_root: str | None, fp: str | None, include_contacts: bool = False,
               cache_key_id: str | None = None) -> list:
    if cache_root:
        check_key_id(cache_key_id)
    return process_chunk(list(paths), root, cache_root, fp, include_contacts)


def dask_results(chunks: list[list[str]], root: str, cache_root: str | None, fp: str | None,
                 scheduler: str | None = None, workers: int = 1, include_contacts: bool = False) -> Iterator[tuple]:
    """(PageDigest or FileError, cache hit?, sha256 or None) per file (pipeline.process_file), in file order,
    computed on Dask."""
    import dask.bag as db
    from distributed import Client, LocalCluster

    if not chunks:
        return
    cluster = None
    if scheduler:
        client = Client(scheduler, set_as_default=False)
    else:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster, set_as_default=False)
    try:
        paths = [p for chunk in chunks for p in chunk]
        bag = db.from_sequence(paths, partition_size=max(1, max(len(c) for c in chunks)))
        cache_key_id = key_id() if cache_root else None
        parts = bag.map_partitions(_partition, root, cache_root, fp, include_contacts, cache_key_id).to_delayed()
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or workers)
        window = n_workers * IN_FLIGHT_PER_WORKER
        todo = iter(parts)
        pending: deque = deque()
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
        client.close()
        if cluster is not None:
            cluster.close()
