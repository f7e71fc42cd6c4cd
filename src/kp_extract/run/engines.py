"""Where the per-page work runs: in this process, in a local process pool or on Dask.

The files are cut into chunks (make_chunks: consecutive files, shrinking towards the end of the
run) and each chunk is one task, pages.process_chunk. Both parallel engines hand their tasks to one
loop, windowed_results: it keeps a bounded window of chunks in flight (IN_FLIGHT_PER_WORKER per
worker), so that memory stays bounded however large the input, and yields the results in file
order, so that the output is byte-identical whatever the engine and the number of workers. The
engines differ only in how a chunk is submitted: ProcessPoolExecutor.submit here, Client.submit in
dask_engine.py.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Protocol

from kp_extract.model import RunOptions
from kp_extract.run.cache import fingerprint
from kp_extract.lexicon.partners import using_model
from kp_extract.run.pages import open_cache, process_chunk, process_file, warm_up

ENGINES = ("local", "dask")
# Bytes of page dumps per task handed to a worker, at most this many files per task, and tasks in
# flight per worker (enough that no worker waits for the main process to hand it the next one).
CHUNK_BYTES = 512 * 1024
CHUNK_FILES = 256
IN_FLIGHT_PER_WORKER = 3


class ChunkFuture(Protocol):
    """What a submitter returns for one chunk: a concurrent.futures.Future or a distributed.Future."""

    def result(self) -> Any: ...

    def cancel(self) -> Any: ...


Submit = Callable[[list[str]], ChunkFuture]


def default_workers() -> int:
    """Cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def make_chunks(files: list[Path], workers: int, chunk_bytes: int | None = None) -> list[list[str]]:
    """Consecutive runs of files, in order. Each chunk holds about remaining / (4 * workers) bytes of
    what is left to hand out, but at most chunk_bytes (default CHUNK_BYTES) and CHUNK_FILES files:
    chunks shrink towards the end of the run (guided scheduling), so the workers finish together
    instead of one idling while another works through a large last chunk."""
    limit = CHUNK_BYTES if chunk_bytes is None else chunk_bytes
    sizes = []
    for f in files:
        try:
            sizes.append(os.stat(f).st_size)
        except OSError:
            sizes.append(0)

    def share(left: int) -> int:
        return max(1, min(limit, left // max(1, workers * 4)))

    remaining = sum(sizes)
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    target = share(remaining)
    for f, n in zip(files, sizes):
        current.append(str(f))
        size += n
        if size >= target or len(current) >= CHUNK_FILES:
            chunks.append(current)
            remaining -= size
            current, size = [], 0
            target = share(remaining)
    if current:
        chunks.append(current)
    return chunks


def windowed_results(chunks: list[list[str]], submit: Submit, workers: int) -> Iterator[tuple]:
    """The results of every chunk, in the order of chunks, each chunk submitted with submit: at most
    workers * IN_FLIGHT_PER_WORKER chunks in flight; the next is submitted as soon as the oldest is
    taken. A run stopped early (the generator closed, or an error) cancels what is still in flight,
    so that nothing is left computing when the engine shuts down."""
    window = max(1, workers) * IN_FLIGHT_PER_WORKER
    todo = iter(chunks)
    pending: deque[ChunkFuture] = deque()
    try:
        for chunk in todo:
            pending.append(submit(chunk))
            if len(pending) >= window:
                break
        while pending:
            results = pending.popleft().result()  # the future goes with it: Dask then forgets the task
            nxt = next(todo, None)
            if nxt is not None:
                pending.append(submit(nxt))
            yield from results
    finally:
        for future in pending:
            future.cancel()


def _mp_context() -> Any:
    """fork when it is safe (no other threads), else forkserver/spawn."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def iter_page_results(files: list[Path], root: Path, workers: int = 1, engine: str = "local",
                      cache_root: Path | None = None, scheduler: str | None = None,
                      include_contacts: bool = False, dashboard: bool = False,
                      spacy_model: str | None = None) -> Iterator[tuple]:
    """(PageDigest or FileError, cache hit?, sha256 or None, seconds per stage) for every file, in the
    order of files (pages.process_file); digests carry contact rows only with include_contacts. dashboard:
    with engine "dask", serve Dask's dashboard (see dask_engine.dask_submitter)."""
    options = RunOptions(str(root), str(cache_root) if cache_root is not None else None,
                         fingerprint(spacy_model) if cache_root is not None else None, include_contacts,
                         spacy_model)
    if engine == "dask":
        chunks = make_chunks(files, max(workers, 2))
        if not chunks:
            return
        from kp_extract.run.dask_engine import dask_submitter

        with dask_submitter(options, scheduler=scheduler, workers=workers, dashboard=dashboard) as (submit,
                                                                                                   dask_workers):
            yield from windowed_results(chunks, submit, dask_workers)
    elif workers <= 1 or len(files) <= 1:
        with using_model(options.spacy_model):
            cache = open_cache(options)
            for f in files:
                yield process_file(str(f), options, cache)
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context(), initializer=warm_up) as pool:
            def submit(chunk: list[str]) -> ChunkFuture:
                return pool.submit(process_chunk, chunk, options)

            yield from windowed_results(make_chunks(files, workers), submit, workers)
