"""Atomic output files that tell what they wrote: their size and sha256.

Every output file goes to a temporary file in the same folder (".NAME.<hex>.tmp"), is flushed,
fsynced and moved into place with os.replace, so a reader never sees half a file and a crash
leaves the previous file intact. The text files are written through `hashed_atomic_file`, which
hashes their bytes on a helper thread as they are written: its sink's `stat` (a FileStat: size and
sha256) is what datapackage.json records, handed over by the writer, without reading the file back.
"""
from __future__ import annotations

import hashlib
import os
import queue
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FileStat", "atomic_file", "HashedText", "hashed_atomic_file", "atomic_write_bytes",
           "atomic_write_text", "file_stat", "fsync_dir"]


@dataclass(frozen=True)
class FileStat:
    """The size in bytes and the sha256 hex digest of a file's bytes."""

    size: int
    sha256: str


def fsync_dir(folder: Path) -> None:
    """fsync a folder, so that the renames into it are on disk (best effort)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_file(path: Path, mode: str = "w"):
    """An open temp file next to path (text mode: UTF-8, newlines as written) that replaces path,
    after flush and fsync, when the block ends without error; on any failure the temp file is removed
    and an existing file at path is untouched. New files get the usual 0o666 & ~umask permissions."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fh = open(tmp, mode, encoding="utf-8", newline="") if "b" not in mode else open(tmp, mode)
    try:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())
        fh.close()
        os.replace(tmp, path)
    except BaseException:
        fh.close()
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


class HashedText:
    """A text sink for atomic_file's binary temp file that also hashes what it writes: each write
    is encoded as UTF-8 (what atomic_file's text mode writes: UTF-8, no newline translation),
    written, and handed to a helper thread that feeds it to sha256. The bytes hashed are the bytes
    written, in order. hashlib lets go of the GIL for large updates, so the hashing runs on
    another core while the main thread renders the next records. `stat` is set by finish()."""

    def __init__(self, raw) -> None:
        self.raw = raw
        self.size = 0
        self._stat: FileStat | None = None
        self._sha = hashlib.sha256()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._hash, name="kp-hash-output", daemon=True)
        self._thread.start()

    def _hash(self) -> None:
        update, get = self._sha.update, self._queue.get
        while (data := get()) is not None:
            update(data)

    def write(self, text: str) -> int:
        data = text.encode("utf-8")
        self.raw.write(data)
        self._queue.put(data)
        self.size += len(data)
        return len(text)

    def finish(self) -> FileStat:
        """Stop the helper thread; the FileStat of the bytes written (also kept as `stat`)."""
        self._queue.put(None)
        self._thread.join()
        self._stat = FileStat(self.size, self._sha.hexdigest())
        return self._stat

    @property
    def stat(self) -> FileStat:
        """The FileStat of the finished file; RuntimeError before finish()."""
        if self._stat is None:
            raise RuntimeError("the file is not finished yet")
        return self._stat


@contextmanager
def hashed_atomic_file(path: Path) -> Iterator[HashedText]:
    """atomic_file(path) in text mode, through a HashedText sink: after the block the file is in
    place and the sink's `stat` holds its size and sha256 (hashed while it was written)."""
    path = Path(path)
    with atomic_file(path, "wb") as raw:
        out = HashedText(raw)
        try:
            yield out
        finally:
            out.finish()


def atomic_write_bytes(path: Path, data: bytes) -> FileStat:
    """Write data to path atomically (see atomic_file); its size and sha256."""
    with atomic_file(Path(path), "wb") as fh:
        fh.write(data)
    return FileStat(len(data), hashlib.sha256(data).hexdigest())


def atomic_write_text(path: Path, text: str) -> FileStat:
    """atomic_write_bytes of text encoded as UTF-8 (newlines written as given)."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def file_stat(path: Path) -> FileStat:
    """The FileStat of the file at path, read in chunks (for a file written without hashing)."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return FileStat(size, h.hexdigest())
