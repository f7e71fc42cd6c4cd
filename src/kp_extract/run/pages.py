"""The worker's unit: one page file read, run through the per-page stages and digested.

process_file reads a file, serves it from the cache or runs clean, segment, language and extract on
it (process_page) and returns its PageDigest, the compact, scrubbed result that crosses process
boundaries and is cached; process_chunk does that for one chunk of files (one worker task, whatever
the engine: engines.py). Nothing here knows about scheduling or the corpus-wide steps.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kp_extract.lexicon.partners import use_model
from kp_extract.model import Block, FileError, Mention, Page, PartnershipMention, RunOptions
from kp_extract.privacy import find_contacts, scrub, scrubbed_candidate, scrubbed_mention, scrubbed_statement
from kp_extract.run.cache import CONTACTS, REJECTED, CacheLookup, PageCache
from kp_extract.stages.s1_read import ReadError, _relative_posix, page_from_bytes, read_bytes
from kp_extract.stages.s2_clean import clean_page
from kp_extract.stages.s3_segment import segment_page
from kp_extract.stages.s4_language import assign_languages
from kp_extract.stages.s5_extract import PageResult, extract_page

log = logging.getLogger(__name__)

# Blocks of one page that are extracted: real pages have at most about a hundred; a page of
# thousands of empty cards would otherwise take extraction and dedup (quadratic in mentions that
# share partners) out of bounds. The rest is reported as a warning in errors.jsonl.
MAX_PAGE_BLOCKS = 5000


@dataclass
class PageOutput:
    """What one page contributes: its blocks, mentions and partnership statements."""

    file: str
    blocks: list[Block]
    result: PageResult
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (stage, reason): page processed in part
    contacts: list[tuple] = field(default_factory=list)  # privacy.find_contacts rows


@dataclass
class PageDigest:
    """The compact per-page result that crosses process boundaries and is cached.

    `blocks` holds (start, end, kind, language, item, section) per block: all
    that blocks.jsonl needs, without the text. Made by `digest`: its texts hold
    no e-mail address, phone number or contact-person phrase, and `contacts` is
    empty unless the run asked for contacts.
    """

    file: str
    blocks: list[tuple]
    mentions: list[Mention]
    partnerships: list[PartnershipMention]
    no_record_reason: str | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)
    contacts: list[tuple] = field(default_factory=list)
    candidates: list[dict] = field(default_factory=list)  # the pairs the model scored (extract.records)
    url: str | None = None  # the page's own canonical URL (HTML pages: Page.url)



def process_page(page: Page, seconds: dict[str, float] | None = None) -> PageOutput:
    """Every per-page stage for one page. seconds: when given, each stage's wall time is added to it
    under its name (clean, segment, language, extract), for the run's stage log lines."""
    seconds = {} if seconds is None else seconds
    lap = time.perf_counter()

    def timed(stage: str) -> None:
        nonlocal lap
        now = time.perf_counter()
        seconds[stage] = seconds.get(stage, 0.0) + now - lap
        lap = now

    warnings = []
    if page.metadata.get("read_warning"):
        warnings.append(("read", page.metadata["read_warning"]))
    page = clean_page(page)
    timed("clean")
    blocks = segment_page(page)
    if len(blocks) > MAX_PAGE_BLOCKS:
        warnings.append(("segment", f"{len(blocks)} blocks, only the first {MAX_PAGE_BLOCKS} extracted"))
        del blocks[MAX_PAGE_BLOCKS:]
    timed("segment")
    blocks = assign_languages(blocks)
    timed("language")
    result = extract_page(page, blocks)
    contacts = find_contacts(page)
    timed("extract")
    return PageOutput(page.file, blocks, result, warnings, contacts)


def digest(out: PageOutput, include_contacts: bool = False) -> PageDigest:
    """The page's compact result, free of personal data unless include_contacts: every text a record or
    errors.jsonl can show is scrubbed here (privacy.scrubbed_mention and the like), so that neither the
    cache nor the main process holds what no output may show; the contact rows are kept only when
    include_contacts. out is not changed. Export scrubs again, which changes nothing (scrubbed text
    has nothing left to scrub). Merging and record ids thus see the text the records show: they
    differ from scrubbing at export only where a title or partner name itself holds a contact detail."""
    rows = [(b.start, b.end, b.kind, b.language, b.item, b.section) for b in out.blocks]
    return PageDigest(out.file, rows, [scrubbed_mention(m) for m in out.result.mentions],
                      [scrubbed_statement(s) for s in out.result.partnerships], out.result.no_record_reason,
                      [(stage, scrub(reason)) for stage, reason in out.warnings],
                      list(out.contacts) if include_contacts else [],
                      [scrubbed_candidate(c) for c in out.result.candidates])


WARMUP_TEXT = (
    "Svensk partner: Växjö kommun\n\nVäxjö and JB Marks, South Africa\n\n"
    "Project: Warm-up\n\nVäxjö kommun har sedan 2005 ett samarbete med JB Marks i Sydafrika. "
    "The project runs 2023-2025.\n\n  • Växjö kommun ska tillsammans med Kalush i Ukraina arbeta.\n\n"
    "Projektområde\nUrban planning\nGlobala mål\n5 - Jämställdhet\nSvensk partner\nVäxjö Kommun\n"
    "Internationell partner\nJB Marks Local Municipality\n"
)


@lru_cache(maxsize=1)
def warm_up() -> bool:
    """Load spaCy, the gazetteers and every table once in this process (worker initializer)."""
    try:
        process_page(Page("warm-up.txt", WARMUP_TEXT, ""))
    except Exception:  # noqa: BLE001 - warming is an optimisation only
        log.debug("warm-up failed", exc_info=True)
    return True


def process_file(path: str, options: RunOptions, cache: PageCache | None = None
                 ) -> tuple[PageDigest | FileError, CacheLookup, str | None, dict[str, float]]:
    """Read, process and digest one file: (PageDigest or FileError, served from cache?, sha256 hex of
    the file's bytes or None when they could not be read, seconds per stage spent on it: read, and for
    a page processed here clean, segment, language, extract). The hash comes from the bytes read here,
    with or without a cache hit, so datapackage.json is the same either way. The digest carries the
    page's contact rows only with options.include_contacts; only then are they cached (in an entry of
    their own), and only a page whose rows are cached too is a hit then. cache: options' cache, opened."""
    root, include_contacts = options.root, options.include_contacts
    rel = _relative_posix(Path(path), Path(root))
    key = None
    t0 = time.perf_counter()
    seconds: dict[str, float] = {}

    def done(item, hit, sha256):
        seconds.setdefault("read", time.perf_counter() - t0)
        return item, hit, sha256, seconds

    try:
        raw = read_bytes(Path(path))
    except ReadError as exc:
        return done(FileError(rel, "read", exc.reason), False, None)
    sha256 = hashlib.sha256(raw).hexdigest()  # once: for the cache key, the page and datapackage.json
    missed: CacheLookup = False  # cache.REJECTED (false too) when the page's entry was there but damaged or foreign
    if cache is not None:
        key = cache.key(rel, sha256)
        rejected = cache.rejected
        hit = cache.get(key)
        if hit is not None and include_contacts:
            contacts = cache.get(key, CONTACTS)
            hit = None if contacts is None else dataclasses.replace(hit, contacts=contacts)
        if hit is not None:
            return done(hit, True, sha256)
        missed = REJECTED if cache.rejected > rejected else False
    try:
        page = page_from_bytes(raw, Path(path), Path(root), sha256)
    except ReadError as exc:
        return done(FileError(rel, "read", exc.reason), missed, sha256)
    seconds["read"] = time.perf_counter() - t0
    if not page.text.strip():  # an empty dump is a crawl failure worth reporting, not a page
        warning = page.metadata.get("read_warning", "")
        reason = f"no text left: {warning}" if warning else "empty file (no text)"
        return done(FileError(page.file, "read", reason), missed, page.sha256)
    try:
        result = digest(process_page(page, seconds), include_contacts)
    except Exception as exc:  # noqa: BLE001 - one bad page must not stop the run
        log.debug("page %s failed", page.file, exc_info=True)
        return done(FileError(page.file, "extract", f"{exc.__class__.__name__}: {exc}"), missed, page.sha256)
    result.url = page.url
    if cache is not None and key is not None:
        cache.put(key, dataclasses.replace(result, contacts=[]))
        if include_contacts:
            cache.put(key, result.contacts, CONTACTS)
    return done(result, missed, page.sha256)


def process_chunk(paths: list[str], options: RunOptions) -> list:
    """process_file over a chunk of files (one worker task)."""
    use_model(options.spacy_model)
    warm_up()
    cache = open_cache(options)
    return [process_file(p, options, cache) for p in paths]


def open_cache(options: RunOptions) -> PageCache | None:
    """The run's per-page cache, None without one."""
    if options.cache_root and options.fingerprint:
        return PageCache(options.cache_root, options.fingerprint)
    return None
