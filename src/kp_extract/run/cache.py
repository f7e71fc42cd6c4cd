"""Per-page result cache for incremental runs.

Every page's per-page result (its block rows, project mentions and partnership
statements; see pipeline.PageDigest) is stored under a key made of

* sha256 of the page's bytes,
* the page's path relative to the input folder (records carry it in their
  sources, so two identical files at two paths are two entries), and
* `fingerprint()`: a hash of the package version, the spaCy and Python
  versions, every file under `data/` and `schema/`, and every `.py` source of
  the package (the benchmark code aside).

Changing a gazetteer, a label table or any code therefore changes every key,
and the next run redoes every page; a re-run over a crawl where few pages
changed redoes only those. Entries are pickles, written atomically (temp file +
os.replace), one per key, in `DIR/<fingerprint[:16]>/<key[:2]>/<key>.pkl`.
The cache is a local, trusted store: never point it at files from elsewhere.
Unreadable or truncated entries count as misses.

Personal data: a page entry holds what pipeline.digest keeps, which is scrubbed of
e-mail addresses, phone numbers and contact-person phrases and has no contact
rows. A page's contact rows (privacy.find_contacts) are a separate entry,
`DIR/<fingerprint[:16]>/contacts/<key[:2]>/<key>.pkl`, written only by runs
with include_contacts; `remove_contacts` deletes them all (a run without
include_contacts calls it, as it deletes contacts.json/.csv).
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import secrets
import shutil
import sys
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

FORMAT = "kp-cache-3"  # 2: scrubbed page entries, contact rows apart; 3: confidences and candidates
PAGE, CONTACTS = "page", "contacts"  # the two kinds of entry
from kp_extract import PACKAGE_DIR
_SKIP_DIRS = {"__pycache__", "bench"}


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Hash of everything a page's result depends on besides the page itself."""
    from kp_extract import __version__

    h = hashlib.sha256()
    h.update(f"{FORMAT}\0{__version__}\0{sys.version_info[0]}.{sys.version_info[1]}\0".encode())
    try:
        import spacy

        h.update(f"spacy {spacy.__version__}\0".encode())
    except ImportError:  # pragma: no cover - spaCy is a dependency
        pass
    # a plugged-in trained pipeline changes what extraction sees
    h.update(f"model {os.environ.get('KP_EXTRACT_SPACY_MODEL', '')}\0".encode())
    files = []
    for path in PACKAGE_DIR.rglob("*"):
        rel = path.relative_to(PACKAGE_DIR)
        if not path.is_file() or _SKIP_DIRS.intersection(rel.parts[:-1]):
            continue
        if rel.parts[0] in ("data", "schema") or path.suffix == ".py":
            files.append((rel.as_posix(), path))
    for rel, path in sorted(files):
        h.update(rel.encode("utf-8") + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def page_key(fp: str, rel_file: str, sha256: str) -> str:
    """Cache key of one page: fingerprint, relative path and the sha256 (hex) of its bytes."""
    h = hashlib.sha256()
    h.update(fp.encode("ascii") + b"\0")
    h.update(rel_file.encode("utf-8", "surrogateescape") + b"\0")
    h.update(bytes.fromhex(sha256))
    return h.hexdigest()


class PageCache:
    """A folder of pickled per-page results for one code/data fingerprint: per key, a PAGE entry (the
    page's digest) and, only when a run asks for contacts, a CONTACTS entry (its contact rows)."""

    def __init__(self, root: Path | str, fp: str):
        self.root = Path(root)
        self.fp = fp
        self.dir = self.root / fp[:16]

    def key(self, rel_file: str, sha256: str) -> str:
        return page_key(self.fp, rel_file, sha256)

    def _path(self, key: str, kind: str = PAGE) -> Path:
        folder = self.dir if kind == PAGE else self.dir / kind
        return folder / key[:2] / f"{key}.pkl"

    def get(self, key: str, kind: str = PAGE):
        """The stored entry of that kind, or None (missing, unreadable, from another format or stored
        under another key or kind)."""
        try:
            with open(self._path(key, kind), "rb") as fh:
                stored = pickle.load(fh)
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - a damaged entry is a miss, never a failure
            return None
        if not (isinstance(stored, tuple) and len(stored) == 3 and stored[:2] == (kind, key)):
            return None
        return stored[2]

    def put(self, key: str, value, kind: str = PAGE) -> None:
        """Store value atomically; a failure to write only costs a future miss."""
        path = self._path(key, kind)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                pickle.dump((kind, key, value), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            try:
                os.unlink(tmp)
            except OSError:
                pass


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
