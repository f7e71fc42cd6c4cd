"""The pipeline: wires the stages, nothing more.

read -> clean -> segment -> language -> extract (per page) -> dedupe (corpus)
-> export. A failure inside one page is caught at the page boundary and
reported; the run goes on.

The per-page stages (pages.py) run in-process (workers=1), in a pool of worker processes
(workers>1; each loads spaCy and the gazetteers once, in its initializer) or
on a Dask cluster (engine="dask"): engines.py, dask_engine.py. Files are read lazily
by the workers and handed out in bounded chunks; each page comes back as a
small PageDigest (block rows, mentions, partnership statements; no page text,
no spaCy Doc), in file order whatever the engine, so the output is
byte-identical for any number of workers. Block rows are spooled to a temp
file; only mentions and statements stay in memory for the corpus-wide dedup.
With a cache folder, each page's digest is stored under the sha256 of its
bytes and a fingerprint of the code and data (cache.py), so re-runs redo only
changed pages. Each worker also returns the sha256 of the file's bytes; the
run spools them and writes them, last, into datapackage.json (datapackage.py).
"""
from __future__ import annotations

import dataclasses
import heapq
import json
import logging
import math
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from kp_extract.run.cache import REJECTED, remove_contacts as remove_cached_contacts
from kp_extract.stages.s6_dedupe import dedupe, prepare as prepare_dedupe
from kp_extract.stages.s7_decide import (COLUMNS as DECISION_COLUMNS, DecisionsFile, Outcome, apply_decisions,
                                         unmatched_rows)
from kp_extract.model import CitedSource, FileError, Mention, Partner, Partnership, PartnershipMention, Project
from kp_extract.outputs.datapackage import input_label, write_datapackage
from kp_extract.run.manifest import Manifest, PageOrigin, origin as page_origin, read_manifest
from kp_extract.outputs.reader import READ_ORDER, read_records
from kp_extract.review.diff import CHANGES_NAME, compare_run
from kp_extract.outputs.csv import DEFAULT_CSV_DIALECT, csv_dialect as get_csv_dialect
from kp_extract.outputs.jsontext import json_line
from kp_extract.outputs.writer import (CONTACT_FILES, DEFAULT_FORMATS, OUTPUT_NAMES, OutputStage, parse_formats,
                                       record_files, write_contacts, write_outputs, write_pages)
from kp_extract.privacy import scrub
from kp_extract.stages.s5_extract.scoring import load_model
from kp_extract.run.engines import ENGINES, default_workers, iter_page_results
from kp_extract.run.blocks import candidate_spans, spooled_block_rows
from kp_extract.run.compact import SummaryStore, compact, compact_statements, held_objects_frozen
from kp_extract.run.pages import PageDigest
from kp_extract.run.progress import DEDUPE, ProgressCallback, ProgressTally
from kp_extract.stages.s1_read import (InputListing, _check_input_dir, _relative_posix, not_read_reason,
                                       walk_input)

log = logging.getLogger(__name__)

# How often the main process moves what it holds out of the collector's reach (see held_objects_frozen).
FREEZE_EVERY_PAGES = 256


@dataclass
class RunSummary:
    pages_read: int = 0
    pages_skipped: int = 0
    blocks: int = 0
    projects: int = 0
    partnerships: int = 0
    merged: int = 0
    possible_duplicates: int = 0
    conflicts: int = 0  # records (projects and partnerships) whose sources disagree about a value
    languages: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    errors: list[FileError] = field(default_factory=list)
    workers: int = 1
    engine: str = "local"
    cache_hits: int | None = None  # None: no cache
    cache_misses: int | None = None
    cache_rejected: int = 0  # misses whose entry was there but damaged or foreign (cache.PageCache.get)
    pages_partial: int = 0  # processed, but with a warning in errors
    contacts: int | None = None  # None: contacts not written
    candidates: int = 0  # projects and pairs below the confidence threshold, in candidates.jsonl
    min_confidence: tuple[float, float] = (0.5, 0.5)  # (projects, partnerships) thresholds of the run
    manifest_rows: int | None = None  # rows of --manifest (None: no manifest)
    manifest_unmatched: list[str] = field(default_factory=list)  # its files that are not in the input
    pages_without_row: int = 0  # input files the manifest has no row for
    decisions_applied: int | None = None  # None: no --decisions file
    decisions_unmatched: list[tuple] = field(default_factory=list)  # (Decision, why), in file order
    not_read: list[str] = field(default_factory=list)  # files of the input folder that are not pages
    pages_no_record: int = 0  # pages that failed or gave no record (reasons in pages.csv; files not read aside)
    output_written: bool = True  # False: the run wrote nothing (not_written_reason says why)
    not_written_reason: str | None = None


# ---------------------------------------------------------------- the run

def run(input_dir: Path, out_dir: Path, *, workers: int | None = 1, engine: str = "local",
        cache_dir: Path | None = None, scheduler: str | None = None,
        include_contacts: bool = False, formats: tuple[str, ...] | list[str] | str = DEFAULT_FORMATS,
        csv_dialect: str = DEFAULT_CSV_DIALECT, progress: ProgressCallback | None = None,
        min_confidence: float | None = None, manifest: Manifest | Path | str | None = None,
        compare: Path | None = None, package_meta: dict | None = None,
        decisions: DecisionsFile | None = None, dashboard: bool = False,
        spacy_model: str | None = None) -> RunSummary:
    """Run the whole pipeline over input_dir and write the outputs to out_dir.

    workers: worker processes for the per-page stages (None or 0: all cores;
    1: in this process). engine: "local" or "dask" (scheduler: address of a
    Dask scheduler; None starts a LocalCluster; dashboard: serve its dashboard). cache_dir: per-page
    result cache (None: no cache). include_contacts: also write contacts.json/.csv (personal data);
    without it, contacts files of an earlier run are removed. formats: the record file formats
    (writer.FORMATS, comma-separated or a list; record files of other formats left in out_dir
    are removed). csv_dialect: "rfc4180" or "excel-sv" (csv.CSV_DIALECTS). ValueError for an unknown
    engine, format or dialect, before anything is read.
    progress: called in this process with a progress.ProgressEvent before the first page, after
    each page and when dedup starts. min_confidence: the confidence a project or partnership needs
    to be a record (default: the model's own thresholds, data/pair_model.json); what scores below
    goes to candidates.jsonl. manifest: the crawl manifest (manifest.Manifest, or its path, read
    here: ManifestError before anything else is read): its url and retrieved_at go to every source of
    the records and to datapackage.json; an HTML page's own URL is used where it has no row.
    compare: an earlier run's output folder (may be out_dir itself): its
    records are read before anything is written, and OUT/changes.json says what changed from them
    (review/diff.py); without it a changes.json an earlier run left is removed. package_meta: an
    archivist's package metadata (datapackage.load_package_meta), merged into datapackage.json. decisions: a reviewer's decisions
    (s7_decide.read_decisions), applied after dedup; those that match nothing go to
    OUT/decisions-unmatched.csv (removed by a run without).

    Nothing is lost on failure: the files are written into a staging folder inside out_dir and moved
    into place together once all are written (writer.OutputStage), datapackage.json last. A run that
    reads no page writes nothing (summary.output_written is False, summary.not_written_reason says
    why); an exception before or during the export leaves out_dir as it was.
    """
    t0 = time.perf_counter()
    formats, thresholds, manifest = checked_options(engine, formats, csv_dialect, min_confidence, manifest, compare)
    previous = read_records(compare) if compare is not None else None  # before out_dir is written over
    workers = workers or default_workers()
    out_dir = Path(out_dir)
    input_dir, listing = list_input(Path(input_dir), out_dir)
    summary = start_summary(listing, input_dir, workers, engine, thresholds, manifest)
    prepare_cache(summary, cache_dir, include_contacts)
    with RunSpools() as spools, held_objects_frozen() as freeze:
        collected = collect_pages(listing.files, input_dir, summary, spools, freeze, thresholds, progress,
                                  workers=workers, engine=engine, cache_dir=cache_dir, scheduler=scheduler,
                                  include_contacts=include_contacts, dashboard=dashboard, spacy_model=spacy_model)
        if summary.pages_read == 0:  # nothing to write: the last good output stays as it is
            summary.output_written = False
            summary.not_written_reason = ("no page file in the input folder" if not listing.files
                                          else "no page could be read")
            summary.seconds = time.perf_counter() - t0
            return summary
        t = time.perf_counter()
        records = dedupe_pages(collected, freeze)
        decided = None
        if decisions is not None:
            decided = decide(records, decisions, spools, summary)
        log.info("stage dedupe: %d mentions and %d partnership statements kept -> %d projects (%d merged) and "
                 "%d partnerships, %.2f s", records.mentions, records.statements, len(records.projects),
                 records.merged, len(records.partnerships), time.perf_counter() - t)
        t = time.perf_counter()
        origins = attach_origins(spools, manifest, summary)
        moved = export(out_dir, records, origins, spools, summary, listing, collected.contacts,
                       formats=formats, csv_dialect=csv_dialect, workers=workers, include_contacts=include_contacts,
                       input_dir=input_dir, manifest=manifest, package_meta=package_meta,
                       previous=previous, compare=compare, decisions=decisions, decided=decided,
                       spacy_model=spacy_model)
        log.info("stage export: %d files, %d block rows, %.2f s", len(moved), summary.blocks,
                 time.perf_counter() - t)
    count_records(summary, records, collected.languages)
    summary.seconds = time.perf_counter() - t0
    return summary


# ---------------------------------------------------------------- the steps of the run

def checked_options(engine: str, formats: tuple[str, ...] | list[str] | str, csv_dialect: str,
                    min_confidence: float | None, manifest: Manifest | Path | str | None, compare: Path | None
                    ) -> tuple[tuple[str, ...], tuple[float, float], Manifest | None]:
    """(formats, confidence thresholds, manifest) of the run, once its options are checked: ValueError for
    an unknown engine, format or dialect, a confidence outside 0..1, or compare without a record format it
    can read back; the manifest read when given as a path (ManifestError); before anything else is read."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    parsed = parse_formats(formats)
    get_csv_dialect(csv_dialect)
    if min_confidence is not None and not 0.0 <= min_confidence <= 1.0:
        raise ValueError(f"min_confidence must be between 0 and 1, not {min_confidence}")
    thresholds = confidence_thresholds(min_confidence)
    if manifest is not None and not isinstance(manifest, Manifest):
        manifest = read_manifest(manifest)
    if compare is not None and not set(parsed) & set(READ_ORDER):
        raise ValueError(f"compare needs the run to write records it can read back: one of {', '.join(READ_ORDER)} "
                         f"among the formats")
    return parsed, thresholds, manifest


def list_input(input_dir: Path, out_dir: Path) -> tuple[Path, InputListing]:
    """The checked input folder and what it holds (the output folder left out when it lies inside)."""
    input_dir = _check_input_dir(input_dir)
    listing = walk_input(input_dir, exclude=out_dir if _inside(out_dir, input_dir) else None)
    log.info("input %s: %d page files, %d files not read, %d folders not listed", input_dir, len(listing.files),
             len(listing.not_read), len(listing.dir_errors))
    return input_dir, listing


def start_summary(listing: InputListing, input_dir: Path, workers: int, engine: str,
                  thresholds: tuple[float, float], manifest: Manifest | None) -> RunSummary:
    """The run's summary before any page is read: the files not read, the folders not listed, and how
    the manifest matches the input files."""
    summary = RunSummary(workers=workers, engine=engine, min_confidence=thresholds,
                         not_read=[_relative_posix(p, input_dir) for p in listing.not_read])
    summary.errors.extend(FileError(rel, "read", f"cannot list folder: {reason}") for rel, reason in listing.dir_errors)
    if manifest is not None:
        names = {_relative_posix(f, input_dir) for f in listing.files}
        summary.manifest_rows = len(manifest.rows)
        summary.manifest_unmatched = manifest.unmatched(names)
        summary.pages_without_row = sum(1 for n in names if n not in manifest.rows)
    return summary


def prepare_cache(summary: RunSummary, cache_dir: Path | None, include_contacts: bool) -> None:
    """With a cache: its counts start at zero, and the contact rows it holds are removed unless the run
    asks for contacts (like contacts.json: personal data only a run asking for it may leave)."""
    if cache_dir is None:
        return
    summary.cache_hits = summary.cache_misses = 0
    if not include_contacts:
        remove_cached_contacts(cache_dir)


class RunSpools:
    """The temp files the run writes each page's results to until export, so that only mentions and
    statements stay in memory: blocks (blocks.jsonl lines to be, binary), summaries (SummaryStore),
    inputs ([file, sha256, url] per file, for datapackage.json), candidates (candidates.jsonl lines)
    and pages (pages.csv rows before dedupe)."""

    def __enter__(self) -> RunSpools:
        with ExitStack() as stack:
            self.blocks = stack.enter_context(tempfile.TemporaryFile(prefix="kp-blocks-"))
            self.summaries = stack.enter_context(SummaryStore())
            self.inputs = stack.enter_context(_text_spool("kp-inputs-"))
            self.candidates = stack.enter_context(_text_spool("kp-candidates-"))
            self.pages = stack.enter_context(_text_spool("kp-pages-"))
            self._close = stack.pop_all()
        return self

    def __exit__(self, *exc: object) -> None:
        self._close.close()


@dataclass
class Collected:
    """What the run keeps in memory of the pages until dedupe."""

    tally: ProgressTally
    mentions: list[Mention] = field(default_factory=list)
    statements: list[PartnershipMention] = field(default_factory=list)
    languages: Counter = field(default_factory=Counter)
    contacts: list[tuple] = field(default_factory=list)
    preload: threading.Thread | None = None  # prepares dedupe while the workers extract


def collect_pages(files: list[Path], input_dir: Path, summary: RunSummary, spools: RunSpools,
                  freeze: Callable[[], None], thresholds: tuple[float, float], progress: ProgressCallback | None,
                  *, workers: int, engine: str, cache_dir: Path | None, scheduler: str | None,
                  include_contacts: bool, dashboard: bool, spacy_model: str | None = None) -> Collected:
    """Every page's result, in file order, counted in summary and written to the spools; the mentions and
    statements that reach the thresholds kept (compacted) for dedupe; the per-stage log lines at the end."""
    collected = Collected(tally=ProgressTally(progress, len(files)))
    tally = collected.tally
    stages = StageLog()
    interned: dict[str, Partner] = {}
    for item, hit, sha256, seconds in iter_page_results(files, input_dir, workers, engine, cache_dir, scheduler,
                                                        include_contacts, dashboard, spacy_model):
        tally.page(item)
        stages.page(item, hit, seconds)
        if collected.preload is None and workers > 1:  # after the pool started: fork-safety needs one thread then
            collected.preload = threading.Thread(target=prepare_dedupe, name="kp-prepare-dedupe", daemon=True)
            collected.preload.start()
        spools.inputs.write(json.dumps([item.file, sha256, getattr(item, "url", None)]) + "\n")  # datapackage.json
        if hit is REJECTED:  # its cache entry was damaged or foreign: recomputed
            summary.cache_rejected += 1
        if isinstance(item, FileError):
            summary.errors.append(item)
            spools.pages.write(json.dumps(error_page_row(item, sha256)) + "\n")
            continue
        summary.pages_read += 1
        if item.warnings:  # one errors.jsonl line per page: the first stage, every reason
            reasons = "; ".join(r for _, r in item.warnings)
            summary.errors.append(FileError(item.file, item.warnings[0][0], reasons, partial=True))
            summary.pages_partial += 1
        if include_contacts:
            collected.contacts.extend((item.file,) + tuple(c) for c in item.contacts)
        if cache_dir is not None:
            if hit:  # both counts start at 0 when there is a cache (start_summary)
                summary.cache_hits = (summary.cache_hits or 0) + 1
            else:
                summary.cache_misses = (summary.cache_misses or 0) + 1
        kept, kept_statements = split_by_confidence(item, thresholds, spools.candidates)
        spools.pages.write(json.dumps(page_row(item, sha256, thresholds, bool(kept or kept_statements))) + "\n")
        collected.mentions.extend(compact(kept, spools.summaries, interned))
        collected.statements.extend(compact_statements(kept_statements, interned))
        collected.languages.update(row[3] for row in item.blocks if row[3] and row[2] in ("prose", "bullet"))
        spools.blocks.write(json.dumps([item.file, item.blocks, item.no_record_reason,
                                        candidate_spans(item.candidates)]).encode("ascii") + b"\n")
        if summary.pages_read % FREEZE_EVERY_PAGES == 0:
            freeze()
    summary.pages_skipped = len(summary.errors) - summary.pages_partial
    stages.log_pages()
    return collected


@dataclass
class Records:
    """The run's records after dedupe (and the reviewer's decisions), and what dedupe was given."""

    projects: list[Project]
    partnerships: list[Partnership]
    merged: int
    mentions: int  # mentions and statements dedupe was given
    statements: int


def dedupe_pages(collected: Collected, freeze: Callable[[], None]) -> Records:
    """The corpus-wide dedupe of the mentions and statements collected; they are let go of after it."""
    collected.tally.stage(DEDUPE)
    if collected.preload is not None:
        collected.preload.join()
    freeze()
    n_mentions, n_statements = len(collected.mentions), len(collected.statements)
    projects, partnerships, merged = dedupe(collected.mentions, collected.statements)
    collected.mentions, collected.statements = [], []
    return Records(projects, partnerships, merged, n_mentions, n_statements)


def decide(records: Records, decisions: DecisionsFile, spools: RunSpools, summary: RunSummary) -> Outcome:
    """The reviewer's decisions applied to the records (and to the candidates spooled); summary counts
    those applied and keeps those that matched nothing."""
    spools.candidates.seek(0)
    decided = apply_decisions(records.projects, records.partnerships, decisions.decisions,
                              (json.loads(line) for line in spools.candidates))
    records.projects, records.partnerships = decided.projects, decided.partnerships
    summary.decisions_applied, summary.decisions_unmatched = len(decided.applied), decided.unmatched
    return decided


def attach_origins(spools: RunSpools, manifest: Manifest | None, summary: RunSummary) -> dict[str, PageOrigin]:
    """Where each page came from (page_origins), for the records' sources; counts the candidates spooled
    into summary on the way; leaves the spools rewound for export."""
    spools.blocks.seek(0)
    spools.candidates.seek(0)
    summary.candidates = sum(1 for _ in spools.candidates)
    spools.inputs.seek(0)
    origins = page_origins(spools.inputs, manifest)
    spools.candidates.seek(0)
    spools.inputs.seek(0)  # read again by write_outputs, only for the sqlite format's pages table
    return origins


def export(out_dir: Path, records: Records, origins: dict[str, PageOrigin], spools: RunSpools,
           summary: RunSummary, listing: InputListing, contacts: list[tuple], *, formats: tuple[str, ...],
           csv_dialect: str, workers: int, include_contacts: bool, input_dir: Path, manifest: Manifest | None,
           package_meta: dict | None, previous, compare: Path | None, decisions: DecisionsFile | None,
           decided: Outcome | None, spacy_model: str | None = None) -> list:
    """Every output file written into a staging folder and moved into out_dir together, datapackage.json
    last; files of an earlier run that this one does not write removed. The files moved."""
    projects, partnerships = records.projects, records.partnerships
    with OutputStage(out_dir) as stage:
        written = write_outputs(stage.folder, (cite_sources(spools.summaries.resolve(p), origins) for p in projects),
                                [cite_sources(r, origins) for r in partnerships],
                                spooled_block_rows(spools.blocks, projects, partnerships), summary.errors,
                                formats=formats, csv_dialect=csv_dialect,
                                side_process=workers > 1, candidate_lines=spools.candidates,
                                inputs=(tuple(json.loads(line)[:2]) for line in spools.inputs))
        summary.blocks = written.blocks
        if include_contacts:
            written.files.update(write_contacts(stage.folder, contacts))
            summary.contacts = len(contacts)
        if previous is not None and compare is not None:  # previous is read from compare
            written.files[CHANGES_NAME] = compare_run(previous, Path(compare), out_dir, written_dir=stage.folder)
        if decisions is not None:
            written.files[UNMATCHED_DECISIONS] = write_unmatched_decisions(stage.folder, summary.decisions_unmatched)
        spools.pages.seek(0)
        rows = _final_page_rows(spools.pages, summary.not_read, listing.dir_errors, projects, partnerships, summary)
        written.files["pages.csv"], _ = write_pages(stage.folder, rows, csv_dialect)
        spools.inputs.seek(0)
        write_datapackage(stage.folder, formats=formats, csv_dialect=csv_dialect, include_contacts=include_contacts,
                          input_dir=input_dir, inputs=_input_entries(spools.inputs, origins), written=written.files,
                          manifest=None if manifest is None else {"path": input_label(manifest.path),
                                                                  "sha256": manifest.sha256},
                          meta=package_meta, final_dir=out_dir, spacy_model=spacy_model,
                          decisions=decisions_provenance(decisions, decided) if decisions is not None else None)
        # files of an earlier run that this one does not write: never mixed in with its own
        stale = [name for name in OUTPUT_NAMES if name not in record_files(formats)] + [CHANGES_NAME,
                                                                                      UNMATCHED_DECISIONS]
        if include_contacts:
            stale = [name for name in stale if name not in CONTACT_FILES]
        return stage.commit(remove=stale)


def count_records(summary: RunSummary, records: Records, languages: Counter) -> None:
    """The record counts of the summary, once the records are written."""
    projects, partnerships = records.projects, records.partnerships
    summary.projects = len(projects)
    summary.partnerships = len(partnerships)
    summary.merged = records.merged
    summary.possible_duplicates = sum(1 for p in projects if p.possible_duplicates)
    summary.conflicts = sum(1 for p in projects if p.conflicts) + sum(1 for r in partnerships if r.conflicts)
    summary.languages = dict(sorted(languages.items()))


# ---------------------------------------------------------------- where the pages came from

def page_origins(input_spool, manifest: Manifest | None) -> dict[str, PageOrigin]:
    """Where each input page came from, by file (only pages something is known of): the manifest's
    row, else the page's own canonical URL (manifest.origin). input_spool: the run's [file, sha256,
    url] lines."""
    out: dict[str, PageOrigin] = {}
    for line in input_spool:
        file, _sha, url = json.loads(line)
        found = page_origin(manifest, file, url)
        if found is not None:
            out[file] = found
    return out


def _input_entries(input_spool, origins: Mapping[str, PageOrigin]) -> Iterator[tuple]:
    """(file, sha256, source_url, retrieved_at) per input file, for datapackage.json."""
    for line in input_spool:
        file, sha, _url = json.loads(line)
        found = origins.get(file)
        yield (file, sha) if found is None else (file, sha, found.url, found.retrieved_at)


def cite_sources(record, origins: Mapping[str, PageOrigin]):
    """record (a Project or Partnership) with each source whose page's origin is known as a
    CitedSource (source_url, retrieved_at); record itself when nothing is known. After dedupe:
    merging and ids never see the origins."""
    if not origins:
        return record
    sources = []
    changed = False
    for s in record.sources:
        found = origins.get(s.file)
        if found is None:
            sources.append(s)
        else:
            sources.append(CitedSource(s.file, s.start, s.end, found.url, found.retrieved_at))
            changed = True
    return dataclasses.replace(record, sources=sources) if changed else record


def _text_spool(prefix: str):
    """A temp text file for lines spooled until export (file names may hold undecodable bytes)."""
    return tempfile.TemporaryFile("w+", encoding="utf-8", errors="surrogateescape", newline="\n", prefix=prefix)


def _inside(folder: Path, parent: Path) -> bool:
    """Whether folder is parent or lies under it (after resolving links; False when it cannot tell)."""
    try:
        folder, parent = folder.resolve(), parent.resolve()
    except OSError:
        return False
    return folder == parent or parent in folder.parents


# ---------------------------------------------------------------- stage log

class StageLog:
    """The counts and seconds of the per-page stages, summed over the pages (seconds are per stage
    across all workers, so with N workers they add up to about N times the wall time), logged at INFO
    once the pages are done: one line per stage (`-v` or `--debug` shows them)."""

    def __init__(self) -> None:
        self.seconds: Counter = Counter()
        self.pages = self.failed = self.cached = self.blocks = self.mentions = self.statements = 0
        self.processed = 0  # pages that went through clean..extract here (not from the cache)
        self.processed_blocks = 0
        self.started = time.perf_counter()

    def page(self, item: PageDigest | FileError, hit: bool, seconds: Mapping[str, float]) -> None:
        self.seconds.update(seconds)
        if isinstance(item, FileError):
            log.debug("page %s: %s error: %s", item.file, item.stage, item.reason)
            self.failed += 1
            return
        # logged here, in the main process, so that every engine shows it (workers may not share our log)
        log.debug("page %s: %d blocks, %d mentions, %d partnership statements%s", item.file, len(item.blocks),
                  len(item.mentions), len(item.partnerships), " (from the cache)" if hit else "")
        self.pages += 1
        self.blocks += len(item.blocks)
        self.mentions += len(item.mentions)
        self.statements += len(item.partnerships)
        if hit:
            self.cached += 1
        else:
            self.processed += 1
            self.processed_blocks += len(item.blocks)

    def lines(self) -> list[str]:
        s = self.seconds
        cached = f" (+{self.cached} from the cache)" if self.cached else ""
        return [
            f"stage read: {self.pages + self.failed} files, {self.pages} pages, {self.failed} failed, "
            f"{s['read']:.2f} s",
            f"stage clean: {self.processed} pages{cached}, {s['clean']:.2f} s",
            f"stage segment: {self.processed} pages, {self.processed_blocks} blocks, {s['segment']:.2f} s",
            f"stage language: {self.processed_blocks} blocks, {s['language']:.2f} s",
            f"stage extract: {self.pages} pages{cached}, {self.mentions} mentions, {self.statements} partnership "
            f"statements, {s['extract']:.2f} s",
            f"stage pages: {time.perf_counter() - self.started:.2f} s wall time (stage seconds are summed over "
            f"the workers)",
        ]

    def log_pages(self) -> None:
        for line in self.lines():
            log.info("%s", line)


# ---------------------------------------------------------------- pages.csv

def page_language(blocks: list[tuple]) -> str | None:
    """The language most of a page's prose and bullet blocks are in (ties: the first by name)."""
    counts = Counter(row[3] for row in blocks if row[3] and row[2] in ("prose", "bullet"))
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if counts else None


def error_page_row(error: FileError, sha256: str | None) -> dict:
    """The pages.csv row of a file that failed: no counts, the stage and reason."""
    what = "read error" if error.stage == "read" else f"{error.stage} error"
    return {"file": error.file, "sha256": sha256, "reason": f"{what}: {error.reason}"}


def page_row(item: PageDigest, sha256: str | None, thresholds: tuple[float, float], kept_any: bool) -> dict:
    """The pages.csv row of a processed page before dedupe (records are counted at export), with the
    reason it will give no record unless kept_any (a mention or statement reached its threshold)."""
    row = {"file": item.file, "sha256": sha256, "language": page_language(item.blocks),
           "blocks": len(item.blocks), "candidates": len(item.candidates)}
    if kept_any:
        return row
    scores = [max(c["partner_score"], c["project_score"]) for c in item.candidates]
    scores += [m.confidence for m in item.mentions]
    if not item.blocks:
        row["reason"] = "no text (no block)"
    elif scores:
        t_project, t_partner = thresholds
        at = f"{t_project:g}" if t_project == t_partner else f"{t_project:g}/{t_partner:g}"
        best = math.floor(max(scores) * 100) / 100  # rounded down: a best of 0.996 is below a threshold of 1
        row["reason"] = f"all below the confidence threshold {at} (best score {best:.2f})"
    else:
        row["reason"] = "no pair found" + (f" ({item.no_record_reason})" if item.no_record_reason else "")
    return row


def _final_page_rows(page_spool, not_read: list[str], dir_errors: list[tuple[str, str]], projects, partnerships,
                     summary: RunSummary) -> Iterator[dict]:
    """pages.csv rows in file order: the spooled page rows with their records and partnerships counted,
    the files not read and the folders that could not be listed; counts summary.pages_no_record (the
    pages that gave no record; not the files not read, which the summary counts apart)."""
    records: dict[str, set] = {}
    for p in projects:
        for src in p.sources:
            records.setdefault(src.file, set()).add(p.record_id)
    partnered: Counter = Counter()
    for r in partnerships:
        partnered.update({src.file for src in r.sources})

    def pages() -> Iterator[dict]:
        for line in page_spool:
            row = json.loads(line)
            if "blocks" in row:
                row["records"] = len(records.get(row["file"], ()))
                row["partnerships"] = partnered.get(row["file"], 0)
                if not (row["records"] or row["partnerships"]):
                    row.setdefault("reason", "no record (its mentions merged into none)")
                else:
                    row.pop("reason", None)
            if row.get("reason"):  # a page that failed or gave no record
                summary.pages_no_record += 1
            yield row

    unread = ({"file": rel, "reason": not_read_reason(Path(rel))} for rel in not_read)
    unlisted = sorted(({"file": rel, "reason": f"read error: cannot list folder: {reason}"}
                       for rel, reason in dir_errors), key=lambda row: row["file"])
    return heapq.merge(pages(), unread, unlisted, key=lambda row: row["file"])


# ---------------------------------------------------------------- reviewer decisions

UNMATCHED_DECISIONS = "decisions-unmatched.csv"


def write_unmatched_decisions(out_dir: Path, unmatched: list[tuple]):
    """OUT/decisions-unmatched.csv: the decisions file's columns and `reason`, one row per decision that
    matched nothing (only the header when all applied); cells scrubbed and guarded as in the record CSV."""
    from kp_extract.outputs.exporters import CsvExporter
    from kp_extract.outputs.files import hashed_atomic_file

    header = (*DECISION_COLUMNS, "reason")
    with hashed_atomic_file(Path(out_dir) / UNMATCHED_DECISIONS) as sink:
        exporter = CsvExporter(sink, header)
        exporter.start_exporting()
        for row in unmatched_rows(unmatched):
            exporter.export_item(dict(zip(header, map(scrub, row))))
        exporter.finish_exporting()
    return sink.stat


def decisions_provenance(decisions: DecisionsFile, decided) -> dict:
    """What datapackage.json says of the decisions: the file, its hash, each decision applied and each
    unmatched one with why."""
    def as_dict(d) -> dict:
        return {k: scrub(v) for k, v in d.to_dict().items()}

    return {"file": decisions.name, "sha256": decisions.sha256,
            "applied": [as_dict(d) for d in decided.applied],
            "unmatched": [dict(as_dict(d), reason=scrub(why)) for d, why in decided.unmatched]}


# ---------------------------------------------------------------- confidence

def confidence_thresholds(min_confidence: float | None = None) -> tuple[float, float]:
    """(projects, partnerships) confidence a record needs: min_confidence for both, else the model's own."""
    if min_confidence is not None:
        return float(min_confidence), float(min_confidence)
    model = load_model()
    return model.project.threshold, model.partner.threshold


def split_by_confidence(item: PageDigest, thresholds: tuple[float, float], spool) -> tuple[list[Mention],
                                                                                       list[PartnershipMention]]:
    """The page's mentions and statements that reach the thresholds; the rest, as candidates.jsonl lines,
    to spool: a project mention below its threshold, a pair whose partner score is below its threshold."""
    t_project, t_partner = thresholds
    kept: list[Mention] = []
    low: list[Mention] = []
    for m in item.mentions:
        (kept if m.confidence >= t_project else low).append(m)
    statements = [s for s in item.partnerships if s.confidence >= t_partner]
    for m in low:
        spool.write(json_line(candidate_project_row(m)) + "\n")
    for row in item.candidates:
        if row["partner_score"] < t_partner:
            spool.write(json_line(dict({"kind": "partnership"}, **row)) + "\n")
    return kept, statements


def candidate_project_row(m: Mention) -> dict:
    """A project mention below the threshold, as a candidates.jsonl row."""
    return {"kind": "project", "file": m.file, "title": m.title,
            "swedish_partners": [p.name for p in m.swedish_partners],
            "swedish_partner_codes": [p.code for p in m.swedish_partners],
            "international_partners": list(m.international_partners), "countries": list(m.countries),
            "confidence": round(m.confidence, 4), "sources": [s.to_dict() for s in m.sources]}
