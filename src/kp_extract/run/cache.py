"""Per-page result cache for incremental runs.

Every page's per-page result (its block rows, project mentions and partnership
statements; see pages.PageDigest) is stored under a key made of

* sha256 of the page's bytes,
* the page's path relative to the input folder (records carry it in their
  sources, so two identical files at two paths are two entries), and
* `fingerprint()`: a hash of the cache format, the package version, the spaCy
  and Python versions, every file under `data/` and `schema/`, and every `.py`
  source of the package (the benchmark code aside).

Changing a gazetteer, a label table or any code therefore changes every key,
and the next run redoes every page; a re-run over a crawl where few pages
changed redoes only those. Entries live in `DIR/<fingerprint[:16]>/<key[:2]>/<key>.jsonl`,
written atomically (temp file + os.replace), one per key.

An entry cannot run code, and cannot be forged. It is two lines of JSON: a
header {"format", "kind", "key", "hmac"} and the value, encoded by
cache_codec.py, whose decoder rebuilds the few dataclasses of a digest from
their declared field types and names no class from the data. "hmac" is an
HMAC-SHA256, under a secret key that lives outside the cache folder, of the
format, the kind of entry, its key and the value's bytes: whoever can write
into the cache folder (a shared filesystem under a Dask cluster) but does not
hold the key cannot make an entry that is read, nor move a real one to
another page or kind. A missing key file, a damaged, truncated or foreign
entry (bad HMAC, another kind or key, an older format such as the pickles of
kp-cache-3) is a miss: the page is recomputed and the entry written again.
`PageCache.rejected` counts the entries found but refused; the run summary
reports them.

The secret key (`secret_key`): the environment variable KP_EXTRACT_CACHE_KEY
when set (any string; e.g. `python -c "import secrets; print(secrets.token_hex(32))"`),
else the file `$XDG_CONFIG_HOME/kp-extract/cache-key` (`~/.config/...`),
created on first use with 32 random bytes (hex), mode 0600, in a folder of
mode 0700. Worker processes of this machine read the same variable or file.
Dask workers on other machines need the same key: set KP_EXTRACT_CACHE_KEY
to one value in the environment of the client and of every worker (or share
the key file); the client sends each task the key's id (`key_id`, a hash that
does not reveal the key), and a worker holding another key fails the run with
CacheKeyMismatch rather than refusing every entry its peers wrote. When no
key can be had (the variable unset and the file cannot be created) the cache
is off for the run, with one warning.

Personal data: a page entry holds what pages.digest keeps, which is scrubbed of
e-mail addresses, phone numbers and contact-person phrases and has no contact
rows. A page's contact rows (clean.find_contacts) are a separate entry,
`DIR/<fingerprint[:16]>/contacts/<key[:2]>/<key>.jsonl`, written only by runs
with include_contacts; `remove_contacts` deletes them all (a run without
include_contacts calls it, as it deletes contacts.json/.csv).

`scan`, `prune` and `clear` are what `kp-extract cache info|prune|clear` does.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import shutil
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kp_extract import PACKAGE_DIR
from kp_extract.run import cache_codec

log = logging.getLogger(__name__)

# 2: scrubbed page entries, contact rows apart; 3: confidences and candidates; 4: JSON + HMAC, no pickles
FORMAT = "kp-cache-4"
PAGE, CONTACTS = "page", "contacts"  # the two kinds of entry
SUFFIX = ".jsonl"
OLD_SUFFIXES = (".pkl",)  # entries of earlier formats, which `cache prune` removes with their folders
KEY_ENV = "KP_EXTRACT_CACHE_KEY"
_SKIP_DIRS = {"__pycache__", "bench"}
_CODECS = {
    PAGE: (cache_codec.encode_page, cache_codec.decode_page),
    CONTACTS: (cache_codec.encode_contacts, cache_codec.decode_contacts),
}


@lru_cache(maxsize=4)
def fingerprint(spacy_model: str | None = None) -> str:
    """Hash of everything a page's result depends on besides the page itself (spacy_model: the run's
    trained spaCy pipeline; None: the KP_EXTRACT_SPACY_MODEL environment variable's, else none)."""
    from kp_extract import __version__

    h = hashlib.sha256()
    h.update(f"{FORMAT}\0{__version__}\0{sys.version_info[0]}.{sys.version_info[1]}\0".encode())
    try:
        import spacy

        h.update(f"spacy {spacy.__version__}\0".encode())
    except ImportError:  # pragma: no cover - spaCy is a dependency
        pass
    # a plugged-in trained pipeline changes what extraction sees
    h.update(f"model {spacy_model or os.environ.get('KP_EXTRACT_SPACY_MODEL', '')}\0".encode())
    files: list[tuple[str, Path]] = []
    for path in PACKAGE_DIR.rglob("*"):
        rel = path.relative_to(PACKAGE_DIR)
        if not path.is_file() or _SKIP_DIRS.intersection(rel.parts[:-1]):
            continue
        if rel.parts[0] in ("data", "schema") or path.suffix == ".py":
            files.append((rel.as_posix(), path))
    for name, file in sorted(files):
        h.update(name.encode("utf-8") + b"\0")
        h.update(hashlib.sha256(file.read_bytes()).digest())
    return h.hexdigest()


def page_key(fp: str, rel_file: str, sha256: str) -> str:
    """Cache key of one page: fingerprint, relative path and the sha256 (hex) of its bytes."""
    h = hashlib.sha256()
    h.update(fp.encode("ascii") + b"\0")
    h.update(rel_file.encode("utf-8", "surrogateescape") + b"\0")
    h.update(bytes.fromhex(sha256))
    return h.hexdigest()


# ---------------------------------------------------------------- the secret key

class CacheKeyMismatch(RuntimeError):
    """A worker holds another cache key than the process that started the run."""


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning("%s", message)


def key_file() -> Path:
    """Where the cache key is kept when KP_EXTRACT_CACHE_KEY is not set."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "kp-extract" / "cache-key"


@lru_cache(maxsize=8)
def _key_from_file(path: str) -> bytes:
    """The key in path, made first if there is none (32 random bytes, hex, mode 0600). Two processes
    making it at once agree: the file appears whole (os.link of a written temp file) or not at all."""
    file = Path(path)
    try:
        data = file.read_bytes().strip()
    except FileNotFoundError:
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = file.with_name(f".{file.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_hex(32).encode("ascii") + b"\n")
            try:
                os.link(tmp, file)
            except FileExistsError:
                pass  # another process made it first: use theirs
        finally:
            os.unlink(tmp)
        data = file.read_bytes().strip()
    if not data:
        raise OSError(f"{file} is empty")
    if os.name == "posix" and file.stat().st_mode & 0o077:
        _warn_once(f"the cache key file {file} can be read by other users: "
                   f"anyone who reads it can forge cache entries (chmod 600 it)")
    return data


def secret_key() -> bytes | None:
    """The key the cache signs and checks entries with (see the module docstring), or None (with one
    warning) when KP_EXTRACT_CACHE_KEY is unset and the key file can be neither read nor made."""
    value = os.environ.get(KEY_ENV)
    if value:
        return value.encode("utf-8", "surrogateescape")
    path = key_file()
    try:
        return _key_from_file(str(path))
    except OSError as exc:
        _warn_once(f"per-page cache off: no key in {KEY_ENV} and none in {path} "
                   f"({exc.strerror or exc}); set {KEY_ENV} to use the cache")
        return None


def key_id(secret: bytes | None = None) -> str | None:
    """A name for the key that does not reveal it: processes with the same key_id hold the same key."""
    secret = secret_key() if secret is None else secret
    if secret is None:
        return None
    return hmac.new(secret, b"kp-extract cache key id", hashlib.sha256).hexdigest()[:16]


def check_key_id(expected: str | None) -> None:
    """Raise CacheKeyMismatch unless this process holds the key whose key_id is expected (a worker
    task calls it with the key_id of the process that started the run)."""
    mine = key_id()
    if mine != expected:
        import socket

        raise CacheKeyMismatch(
            f"this worker ({socket.gethostname()}) has another per-page cache key than the run's client "
            f"(key id {mine} here, {expected} there): set {KEY_ENV} to the same value for the client and "
            f"every worker, or run with --no-cache")


# ---------------------------------------------------------------- entries

def _mac(secret: bytes, kind: str, key: str, body: bytes) -> str:
    h = hmac.new(secret, f"{FORMAT}\0{kind}\0{key}\0".encode("ascii"), hashlib.sha256)
    h.update(body)
    return h.hexdigest()


class Rejected(Exception):
    """Why an entry found on disk is not used."""


def encode_entry(secret: bytes, kind: str, key: str, value) -> bytes:
    """The bytes of an entry: header line and value line (cache_codec.CodecError if value does not
    have the shape of its kind)."""
    body = _CODECS[kind][0](value)
    header = {"format": FORMAT, "kind": kind, "key": key, "hmac": _mac(secret, kind, key, body)}
    return json.dumps(header, separators=(",", ":")).encode("ascii") + b"\n" + body + b"\n"


def decode_entry(secret: bytes, kind: str, key: str, data: bytes):
    """The value of the entry data, which must be of that kind and key and signed with secret; Rejected
    for anything else. The value is decoded only once its HMAC checks."""
    head, sep, body = data.partition(b"\n")
    if not sep or not body.endswith(b"\n"):
        raise Rejected("truncated")
    body = body[:-1]
    try:
        header = json.loads(head)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Rejected("no header (not an entry of this format)") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise Rejected("another format")
    if header.get("kind") != kind or header.get("key") != key:
        raise Rejected("stored under another kind or key")
    mac = header.get("hmac")
    if not isinstance(mac, str) or not hmac.compare_digest(mac, _mac(secret, kind, key, body)):
        raise Rejected("HMAC does not match (damaged, or written without this key)")
    try:
        return _CODECS[kind][1](body)
    except cache_codec.CodecError as exc:
        raise Rejected(f"signed but not decodable: {exc}") from None


_NO_KEY = object()


class PageCache:
    """A folder of per-page results for one code/data fingerprint: per key, a PAGE entry (the page's
    digest) and, only when a run asks for contacts, a CONTACTS entry (its contact rows).

    `rejected` counts the entries get found but did not use (damaged, truncated, foreign)."""

    def __init__(self, root: Path | str, fp: str, secret: bytes | None = _NO_KEY):  # type: ignore[assignment]
        self.root = Path(root)
        self.fp = fp
        self.dir = self.root / fp[:16]
        self.secret = secret_key() if secret is _NO_KEY else secret
        self.rejected = 0

    def key(self, rel_file: str, sha256: str) -> str:
        return page_key(self.fp, rel_file, sha256)

    def _path(self, key: str, kind: str = PAGE) -> Path:
        folder = self.dir if kind == PAGE else self.dir / kind
        return folder / key[:2] / f"{key}{SUFFIX}"

    def get(self, key: str, kind: str = PAGE):
        """The stored entry of that kind, or None: missing, or rejected (counted in self.rejected):
        unreadable, truncated, of another format, signed with another key or stored under another key
        or kind. Nothing in a rejected entry is decoded beyond its header line."""
        if self.secret is None:
            return None
        path = self._path(key, kind)
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            return None
        except OSError as exc:  # a folder in its place, no permission: the page is recomputed
            return self._reject(path, f"unreadable: {exc.strerror or exc}")
        try:
            return decode_entry(self.secret, kind, key, data)
        except Rejected as exc:
            return self._reject(path, str(exc))
        except Exception as exc:  # noqa: BLE001 - a damaged entry is a miss, never a failure
            return self._reject(path, f"{exc.__class__.__name__}: {exc}")

    def _reject(self, path: Path, reason: str) -> None:
        self.rejected += 1
        log.debug("cache entry %s ignored: %s", path, reason)
        return None

    def put(self, key: str, value, kind: str = PAGE) -> None:
        """Store value atomically; a failure to write only costs a future miss. A value the codec
        cannot store exactly is not stored (one warning: that page is recomputed on every run)."""
        if self.secret is None:
            return
        try:
            data = encode_entry(self.secret, kind, key, value)
        except cache_codec.CodecError as exc:
            _warn_once(f"a {kind} result was not cached (the cache cannot store it exactly): {exc}")
            return
        path = self._path(key, kind)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass


class _RejectedLookup:
    """What pages.process_file returns for "served from the cache?" when the page's entry was there
    but rejected: false, like a miss (the page was recomputed), and told apart by `is REJECTED` so the
    run can count it. Pickles as the module's one instance (it crosses process boundaries)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "REJECTED"

    def __reduce__(self) -> str:
        return "REJECTED"


REJECTED = _RejectedLookup()
CacheLookup = bool | _RejectedLookup  # served from the cache? True, False, or REJECTED (false too)


def remove_contacts(root: Path | str) -> None:
    """Delete every CONTACTS entry under the cache folder root (of any fingerprint): personal data that
    only runs with include_contacts may keep. Page entries stay."""
    root = Path(root)
    if not root.is_dir():
        return
    for folder in sorted(root.glob(f"*/{CONTACTS}")):
        try:
            shutil.rmtree(folder)
        except OSError as exc:  # the run goes on; say so, as the data stays
            log.warning("could not remove cached contact rows in %s: %s", folder, exc.strerror or exc)


# ---------------------------------------------------------------- kp-extract cache info | prune | clear

_FP_DIR = re.compile(r"[0-9a-f]{16}")
_SHARD_DIR = re.compile(r"[0-9a-f]{2}")
_ENTRY = re.compile(r"([0-9a-f]{64})(\.jsonl|\.pkl)")
_TEMP = re.compile(r"\.([0-9a-f]{64})(\.jsonl|\.pkl)\.[0-9a-f]{8}\.tmp")


@dataclass
class FolderStats:
    """One fingerprint folder of a cache: DIR/<fingerprint[:16]>."""

    name: str
    path: Path
    pages: int = 0  # page entries
    contacts: int = 0  # contact entries
    old_format: int = 0  # entries of an earlier format (pickles), among pages and contacts
    temp: int = 0  # temp files a run that was stopped left behind
    bytes: int = 0


@dataclass
class CacheScan:
    """What a cache folder holds: its fingerprint folders, and any path the cache did not write."""

    root: Path
    folders: list[FolderStats] = field(default_factory=list)
    foreign: list[Path] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return sum(f.bytes for f in self.folders)


def _scan_shards(folder: Path, stats: FolderStats, foreign: list[Path], contacts: bool) -> None:
    for shard in sorted(folder.iterdir()):
        if shard.name == CONTACTS and not contacts and shard.is_dir() and not shard.is_symlink():
            _scan_shards(shard, stats, foreign, True)
            continue
        if not (_SHARD_DIR.fullmatch(shard.name) and shard.is_dir() and not shard.is_symlink()):
            foreign.append(shard)
            continue
        for entry in sorted(shard.iterdir()):
            m = _ENTRY.fullmatch(entry.name) or _TEMP.fullmatch(entry.name)
            if not m or m.group(1)[:2] != shard.name or entry.is_symlink() or not entry.is_file():
                foreign.append(entry)
                continue
            stats.bytes += entry.stat().st_size
            if entry.name.endswith(".tmp"):
                stats.temp += 1
                continue
            if contacts:
                stats.contacts += 1
            else:
                stats.pages += 1
            if m.group(2) != SUFFIX:
                stats.old_format += 1


def scan(root: Path | str) -> CacheScan:
    """The fingerprint folders under root with their entries and sizes, and every path the cache would
    not have written (`foreign`). FileNotFoundError if root is missing."""
    root = Path(root)
    result = CacheScan(root)
    for folder in sorted(root.iterdir()):
        if not (_FP_DIR.fullmatch(folder.name) and folder.is_dir() and not folder.is_symlink()):
            result.foreign.append(folder)
            continue
        stats = FolderStats(folder.name, folder)
        _scan_shards(folder, stats, result.foreign, False)
        result.folders.append(stats)
    return result


class NotACache(Exception):
    """A folder that holds files the cache did not write: `prune` and `clear` leave it alone."""

    def __init__(self, found: CacheScan):
        self.scan = found
        shown = ", ".join(str(p) for p in found.foreign[:3])
        more = f" and {len(found.foreign) - 3} more" if len(found.foreign) > 3 else ""
        super().__init__(f"{found.root} does not look like a kp-extract cache folder: it holds {shown}{more}, "
                         f"which the cache did not write; nothing removed")


def _checked(root: Path | str) -> CacheScan:
    found = scan(root)
    if found.foreign:
        raise NotACache(found)
    return found


def _remove(folders: list[FolderStats]) -> list[FolderStats]:
    for f in folders:
        shutil.rmtree(f.path)
    return folders


def prune(root: Path | str, current: str | None = None) -> list[FolderStats]:
    """Remove every fingerprint folder under root but the current code's (fingerprint(), or current):
    entries no run of this code reads. Returns the folders removed; NotACache (nothing removed) if
    root holds anything the cache did not write."""
    keep = (current or fingerprint())[:16]
    return _remove([f for f in _checked(root).folders if f.name != keep])


def clear(root: Path | str) -> list[FolderStats]:
    """Remove every fingerprint folder under root (root itself stays). NotACache (nothing removed) if
    root holds anything the cache did not write."""
    return _remove(_checked(root).folders)
