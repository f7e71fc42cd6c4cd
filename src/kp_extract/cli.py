"""Command-line interface: `kp-extract run | evaluate | schema | report | inspect | serve | cache`.

One thin function per command; the work is done in modules (pipeline, evaluate,
summary, progress, export).

Exit status: 0 all pages processed; 1 some files were skipped or only partly
processed (see errors.jsonl; the output is still written); 2 usage error, or
nothing could be done (input folder missing, no readable page, a failure of
the run itself). No traceback is printed unless --debug.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import traceback
from enum import Enum
from pathlib import Path
from typing import Any

import typer

from kp_extract import __version__
from kp_extract.run import summary as run_summary

EXIT_OK = 0
EXIT_SKIPPED = 1
EXIT_FAILED = 2

HELP = (
    "Extract Swedish municipal partnership (ICLD 'kommunala partnerskap') projects and "
    "partnerships from a folder of raw web-page dumps (*.txt) into deduplicated records: "
    "projects and partnerships as CSV and JSON (or JSON Lines, Parquet, SQLite: see run --format), blocks.jsonl, "
    "errors.jsonl and datapackage.json."
)
EXIT_HELP = (
    "Exit status: 0 all pages processed; 1 some files were skipped or only partly processed "
    "(listed in errors.jsonl and the summary; the output is still written); 2 usage error, or "
    "nothing could be done (input folder missing, no readable page, the run itself failed)."
)

app = typer.Typer(
    help=HELP + "\n\n" + EXIT_HELP,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"kp-extract {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", help="Show the version and exit.",
        callback=_version_callback, is_eager=True,
    ),
) -> None:
    """Extract ICLD municipal partnership projects and partnerships from page dumps."""


def _err(msg: str) -> None:
    typer.echo(msg, err=True)


def _stderr_is_terminal() -> bool:
    """Progress bar and rich tables only for a person watching (tests replace this)."""
    return sys.stderr.isatty()


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
LOG_FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _log_level(debug: bool, quiet: bool, verbose: int = 0, log_level: str | None = None) -> int:
    """The run's log level: --log-level when given, else DEBUG for --debug or -vv, INFO for -v, ERROR for
    --quiet, WARNING otherwise. ValueError naming the levels for an unknown --log-level."""
    if log_level:
        name = log_level.strip().lower()
        if name not in LOG_LEVELS:
            raise ValueError(f"unknown --log-level {log_level!r} (choose one of {', '.join(LOG_LEVELS)})")
        return getattr(logging, name.upper())
    if debug or verbose >= 2:
        return logging.DEBUG
    if verbose == 1:
        return logging.INFO
    return logging.ERROR if quiet else logging.WARNING


def _configure_logging(debug: bool, quiet: bool, console: Any, verbose: int = 0, log_level: str | None = None,
                       log_file: Path | None = None) -> None:
    """Log to stderr at the level _log_level gives; through the rich console when there is one, so log
    lines print above the progress bar instead of through it. With log_file the same lines, with their
    time, also go to that file (created or appended to; OSError when it cannot be opened). The handlers
    a previous call installed are replaced (the CLI may run more than once in one process)."""
    level = _log_level(debug, quiet, verbose, log_level)
    handlers: list[logging.Handler] = []
    if console is not None:
        from rich.logging import RichHandler

        handlers.append(RichHandler(console=console, show_time=False, show_path=False))
    else:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter(LOG_FORMAT))
        handlers.append(stream)
    if log_file is not None:
        to_file = logging.FileHandler(log_file, encoding="utf-8")
        to_file.setFormatter(logging.Formatter(LOG_FILE_FORMAT))
        handlers.append(to_file)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_kp_extract", False)]:
        root.removeHandler(old)
        old.close()
    for handler in handlers:
        handler._kp_extract = True  # type: ignore[attr-defined]  # ours, to replace on the next call
        handler.setLevel(level)
        root.addHandler(handler)
    root.setLevel(level)


def _spacy_model_problem(name: str) -> str | None:
    """Why the spaCy pipeline name (a package name or a folder) cannot be loaded, or None when it can
    be: a folder needs spaCy's config.cfg, a package must be installed. Checked before any page is read:
    otherwise every page fails with the same error."""
    folder = Path(name)
    if folder.is_dir():
        return None if (folder / "config.cfg").is_file() else (
            f"spaCy model folder {name!r} is not a trained pipeline (no config.cfg in it): give the folder "
            f"spaCy saved with nlp.to_disk, or an installed package name")
    import spacy.util

    if spacy.util.is_package(name):
        return None
    return (f"spaCy model {name!r} is not installed: install its package into this Python "
            f"(e.g. python -m spacy download {name}) or give a pipeline folder; without --spacy-model "
            f"the blank sv/en pipelines are used")


def _print_summary(input_dir: Path, out: Path, summary: Any, console: Any, quiet: bool) -> None:
    """The end-of-run summary on stderr (a rich table on a terminal console, else plain text; none
    with --quiet), then one line per skipped or partly read file (always)."""
    if console is not None:
        console.print(run_summary.rich_table(input_dir, out, summary))
    elif not quiet:
        for line in run_summary.plain_lines(input_dir, out, summary):
            _err(line)
    for line in run_summary.error_lines(list(getattr(summary, "errors", None) or [])):
        _err(line)


@app.command()
def run(
    input_dir: Path = typer.Argument(
        ..., metavar="INPUT_DIR",
        help="Folder of page dumps; every *.txt under it is read, recursively.",
        show_default=False,
    ),
    out: Path = typer.Option(
        Path("output"), "--out", "-o", metavar="DIR",
        help="Folder to write the record files (projects, partnerships in each --format), blocks.jsonl, "
             "errors.jsonl and datapackage.json to (created if missing).",
    ),
    debug: bool = typer.Option(
        False, "--debug/--no-debug",
        help="Log at debug level: one line per stage with its counts and seconds (read, clean, segment, "
             "language, extract summed over the pages; dedupe; export) and one per page; print a full "
             "traceback when the run fails.",
    ),
    quiet: bool = typer.Option(
        False, "--quiet", "-q",
        help="Print nothing but errors: no progress bar, no summary.",
    ),
    verbose: int = typer.Option(
        0, "--verbose", "-v", count=True,
        help="Log more: -v info (one line per stage with its counts and seconds), -vv debug (also one line "
             "per page).",
    ),
    log_level: str = typer.Option(
        None, "--log-level", metavar="LEVEL", show_default=False,
        help="Log level: debug, info, warning, error or critical (overrides -v, --debug and --quiet for the "
             "log; default warning, error with --quiet). Dask's own log lines show at info and debug only.",
    ),
    log_file: Path = typer.Option(
        None, "--log-file", metavar="FILE", show_default=False,
        help="Also write the log lines, with their time, to FILE (appended; at the level chosen by -v, "
             "--debug or --log-level).",
    ),
    workers: int = typer.Option(
        0, "--workers", "-w", min=0, metavar="N",
        help="Worker processes for the per-page stages; 0 (default) uses every core, 1 runs in this process. "
             "The output is the same for any N.",
    ),
    cache: Path = typer.Option(
        None, "--cache", metavar="DIR", show_default=False,
        help="Folder of cached per-page results (default: OUT/.cache). Pages whose bytes, code and data files "
             "are unchanged since an earlier run are not processed again.",
    ),
    no_cache: bool = typer.Option(
        False, "--no-cache",
        help="Do not read or write the per-page cache; process every page.",
    ),
    engine: str = typer.Option(
        "local", "--engine", metavar="local|dask",
        help="Where the per-page stages run: 'local' (a process pool on this machine) or 'dask' "
             "(a Dask distributed cluster, see --scheduler).",
    ),
    scheduler: str = typer.Option(
        None, "--scheduler", metavar="ADDRESS", show_default=False,
        help="With --engine dask: address of the Dask scheduler, e.g. tcp://10.0.0.5:8786. "
             "Without it a LocalCluster with --workers processes is started for the run.",
    ),
    dashboard: bool = typer.Option(
        False, "--dashboard",
        help="With --engine dask: serve the Dask dashboard (on a free port of the LocalCluster, or the "
             "scheduler's) and print its link. Without it no dashboard port is opened.",
    ),
    include_contacts: bool = typer.Option(
        False, "--include-contacts",
        help="Also write contacts.json and contacts.csv: the contact lines found on the pages (file, start, end, "
             "name, role, email, phone). Personal data: off by default; the records never contain them.",
    ),
    formats: list[str] = typer.Option(
        None, "--format", metavar="FORMATS", show_default=False,
        help="Record file formats, comma-separated or the option repeated: any of csv, json, jsonl, parquet, "
             "iati (IATI 2.03 activities of the projects, iati-activities.xml), sqlite (one database of both kinds, "
             "kp_extract.sqlite, for `kp-extract serve`), xlsx (one workbook, records.xlsx, with codes, dates and "
             "ids as text cells) (default: csv,json). csv and parquet also write the link table "
             "partnership_projects. Files of formats not chosen that an earlier run left in --out are removed.",
    ),
    package_meta: Path = typer.Option(
        None, "--package-meta", metavar="FILE", show_default=False,
        help="YAML or JSON file of package metadata (title, description, licenses, sources, contributors, "
             "version, keywords, ...) merged into datapackage.json on every run: its keys win over the tool's, "
             "unknown keys are kept; the resources and the provenance stay the tool's.",
    ),
    csv_dialect: str = typer.Option(
        "rfc4180", "--csv-dialect", metavar="rfc4180|excel-sv",
        help="CSV layout: 'rfc4180' (UTF-8, ',' between cells, CRLF) or 'excel-sv' (UTF-8 with BOM, ';', CRLF: "
             "opens in Excel with Swedish settings). Numbers keep '.' as decimal mark in both.",
    ),
    spacy_model: str = typer.Option(
        None, "--spacy-model", metavar="NAME", show_default=False,
        help="An installed trained spaCy pipeline (package name or folder) to use instead of the blank "
             "sv/en pipelines; nothing is downloaded. Same as the KP_EXTRACT_SPACY_MODEL environment variable. "
             "One that is not installed is a usage error (exit 2) before any page is read.",
    ),
    report: bool = typer.Option(
        False, "--report/--no-report",
        help="After the run, also write the review report OUT/report.html (see `kp-extract report`).",
    ),
    min_confidence: float = typer.Option(
        None, "--min-confidence", min=0.0, max=1.0, metavar="P", show_default=False,
        help="The confidence (0-1) the trained model must give a project or a partnership for it to be a record "
             "(default: the model's own thresholds). What scores below is written to OUT/candidates.jsonl "
             "for review, never dropped.",
    ),
    manifest: Path = typer.Option(
        None, "--manifest", metavar="FILE", show_default=False,
        help="Crawl manifest, CSV or TSV with the columns file (relative to INPUT_DIR), url and retrieved_at "
             "(ISO 8601): each page's URL and fetch time go to every source of the records and to "
             "datapackage.json. Rows naming no input file and pages without a row are counted in the summary.",
    ),
    compare: Path = typer.Option(
        None, "--compare", metavar="OLD_OUT", show_default=False,
        help="An earlier run's output folder (any --format; may be --out itself): also write OUT/changes.json, "
             "the records new, gone and altered since then (the shape of `kp-extract diff --json`).",
    ),
    decisions: Path = typer.Option(
        None, "--decisions", metavar="FILE", show_default=False,
        help="A reviewer's decisions to apply after dedup, in file order: CSV with the columns "
             "action,target,field,value,reviewer,date,note (or the same keys in YAML, a list of mappings). "
             "Actions: reject, merge, split, promote (a candidate of candidates.jsonl), set; a target is a "
             "record_id, a title or 'Swedish partner / partner abroad' (see README, Reviewer decisions). "
             "Decisions that match nothing are listed in the summary and OUT/decisions-unmatched.csv. "
             "A file that cannot be read or applied as written stops the run (exit 2).",
    ),
) -> None:
    """Read INPUT_DIR, extract and deduplicate records, and write them to --out.

    On a terminal a progress bar (pages, blocks, mentions, rate, ETA) runs on stderr; a summary follows (pages read, skipped and why, blocks, projects, partnerships, merged and possible duplicates, languages, time).

    Exit status: 0 all pages processed; 1 some files were skipped or only partly processed (see errors.jsonl; the output is still written); 2 usage error, or nothing could be done.

    E-mail addresses and phone numbers in the records are replaced by placeholders (e-post, telefon) and contact-person phrases are left out; --include-contacts writes the contact lines to contacts.json/.csv.
    """
    console = _stderr_console() if _stderr_is_terminal() and not quiet else None
    try:
        _configure_logging(debug, quiet, console, verbose, log_level, log_file)
    except ValueError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    except OSError as exc:
        _err(f"error: cannot write the log file {log_file}: {exc.strerror or exc}")
        raise typer.Exit(EXIT_FAILED) from None
    if not input_dir.exists():
        _err(f"error: input folder not found: {input_dir}")
        raise typer.Exit(EXIT_FAILED)
    if not input_dir.is_dir():
        _err(f"error: input path is not a folder: {input_dir}")
        raise typer.Exit(EXIT_FAILED)
    if out.exists() and not out.is_dir():
        _err(f"error: output path exists and is not a folder: {out}")
        raise typer.Exit(EXIT_FAILED)

    model = spacy_model or os.environ.get("KP_EXTRACT_SPACY_MODEL")
    problem = _spacy_model_problem(model) if model else None
    if problem:
        where = "" if spacy_model else " (from the KP_EXTRACT_SPACY_MODEL environment variable)"
        _err(f"error: {problem}{where}")
        raise typer.Exit(EXIT_FAILED)
    if engine not in ("local", "dask"):
        _err(f"error: unknown --engine {engine!r} (choose local or dask)")
        raise typer.Exit(EXIT_FAILED)
    if scheduler and engine != "dask":
        _err("error: --scheduler needs --engine dask")
        raise typer.Exit(EXIT_FAILED)
    if dashboard and engine != "dask":
        _err("error: --dashboard needs --engine dask")
        raise typer.Exit(EXIT_FAILED)
    from kp_extract.outputs.csv import csv_dialect as check_csv_dialect
    from kp_extract.outputs.writer import parse_formats

    from kp_extract.run.manifest import read_manifest

    try:
        chosen_formats = parse_formats(formats or None)
        check_csv_dialect(csv_dialect)
        crawl_manifest = read_manifest(manifest) if manifest is not None else None  # before any page is read
        if package_meta is not None:
            from kp_extract.outputs.datapackage import load_package_meta

            meta = load_package_meta(package_meta)
    except ValueError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    if compare is not None:
        from kp_extract.outputs.reader import READ_ORDER, OutputReadError, read_records

        if not set(chosen_formats) & set(READ_ORDER):
            _err(f"error: --compare needs a record format to compare: add one of {', '.join(READ_ORDER)} to --format")
            raise typer.Exit(EXIT_FAILED)
        try:
            read_records(compare)  # a folder that cannot be compared is a usage error, before the run
        except OutputReadError as exc:
            _err(f"error: --compare: {exc}")
            raise typer.Exit(EXIT_FAILED) from None
    decisions_file = None
    if decisions is not None:
        from kp_extract.stages.s7_decide import DecisionsError, read_decisions

        try:
            decisions_file = read_decisions(decisions)
        except DecisionsError as exc:
            _err(f"error: --decisions {exc}")
            raise typer.Exit(EXIT_FAILED) from None
    try:
        from kp_extract.run import pipeline

        with contextlib.ExitStack() as stack:
            progress = None
            if console is not None:
                from kp_extract.run.progress import ProgressBar

                progress = stack.enter_context(ProgressBar(console))
            summary = pipeline.run(input_dir, out, workers=workers or None, engine=engine,
                                   cache_dir=None if no_cache else (cache if cache is not None else out / ".cache"),
                                   scheduler=scheduler, include_contacts=include_contacts, formats=chosen_formats,
                                   csv_dialect=csv_dialect, progress=progress, min_confidence=min_confidence,
                                   manifest=crawl_manifest, compare=compare,
                                   package_meta=meta if package_meta is not None else None,
                                   decisions=decisions_file, dashboard=dashboard, spacy_model=model or None)
    except KeyboardInterrupt:
        _err("interrupted")
        raise typer.Exit(130) from None
    except Exception as exc:  # noqa: BLE001 - the CLI is the last line
        if debug:
            traceback.print_exc()
        else:
            _err(f"error: {exc.__class__.__name__}: {exc}")
            _err("(run again with --debug for a traceback)")
        _err(f"nothing written: {out} is as it was before the run")
        raise typer.Exit(EXIT_FAILED) from None

    errors = list(getattr(summary, "errors", None) or [])
    _print_summary(input_dir, out, summary, console, quiet)

    if summary.pages_read == 0:
        why = getattr(summary, "not_written_reason", None) or "no page could be read"
        _err(f"error: no readable page in {input_dir} ({why}); nothing written, {out} is as it was")
        raise typer.Exit(EXIT_FAILED)
    if report:
        _write_report(out, input_dir, None, debug, quiet)
    if compare is not None and not quiet:
        _print_changes(out)
    if summary.pages_skipped or errors:
        raise typer.Exit(EXIT_SKIPPED)
    raise typer.Exit(EXIT_OK)


def _print_changes(out: Path) -> None:
    """One line per kind of record from the OUT/changes.json `run --compare` wrote, on stderr."""
    from kp_extract.review.diff import CHANGES_NAME

    path = out / CHANGES_NAME
    counts = json.loads(path.read_text(encoding="utf-8"))["counts"]
    for kind, c in counts.items():
        _err(f"changes: {kind} {c['new']} new, {c['gone']} gone, {c['altered']} altered ({path})")


class SchemaKind(str, Enum):
    """The records `kp-extract schema` prints the schema of."""

    projects = "projects"
    partnerships = "partnerships"
    all = "all"


SCHEMA_FILES = {SchemaKind.projects: "project", SchemaKind.partnerships: "partnership"}


@app.command()
def evaluate(
    output: Path = typer.Argument(
        ..., metavar="OUTPUT", show_default=False,
        help="Output folder of a run (its projects and partnerships in any --format), or one projects file "
             "(.json, .jsonl, .parquet, .csv).",
    ),
    gold: Path = typer.Argument(
        ..., metavar="GOLD", show_default=False,
        help='Gold file: {"projects": [...], "partnerships": [...]} in the format of the record GUIDE.',
    ),
    as_json: bool = typer.Option(
        False, "--json",
        help="Print the figures as JSON (one object: a row per field with p, r, f1, tp, fp, fn; overall; "
             "record counts) instead of a table.",
    ),
    show_misses: bool = typer.Option(
        False, "--show-misses",
        help="Also list every difference: missing and extra records and partnerships, wrong field values.",
    ),
) -> None:
    """Score OUTPUT against a hand-made GOLD file: per-field precision, recall and F1.

    Predicted project records are matched one-to-one to gold records (by title, partners, dates and sources); values are compared after normalisation. Prints a row per field, records, partnerships and since_year, and a last line with the overall field micro-F1. Exit status 2 when a file is missing or not valid.
    """
    from kp_extract.review import evaluate as scorer

    try:
        report = scorer.evaluate(output, gold)
    except scorer.EvaluationError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(misses=show_misses), indent=2, ensure_ascii=False))
        return
    from rich.console import Console

    console = Console(width=100, highlight=False, soft_wrap=True)
    for part in scorer.render_table(report, show_misses):
        console.print(part)


@app.command()
def schema(
    kind: SchemaKind = typer.Argument(
        SchemaKind.projects, metavar="KIND", show_default=False,
        help="Which records: projects (the default), partnerships, or all "
             '(one object {"projects": ..., "partnerships": ...}).',
    ),
) -> None:
    """Print the JSON Schema (draft 2020-12) of the output records to stdout.

    The schemas are the files in src/kp_extract/schema/; the test suite validates the output against them (a run does not: validate its records with any JSON Schema validator, or its tables with `frictionless validate OUT/datapackage.json`).
    """
    from kp_extract.outputs.schema import load_schema

    if kind is SchemaKind.all:
        both = {k.value: load_schema(name) for k, name in SCHEMA_FILES.items()}
        typer.echo(json.dumps(both, indent=1, ensure_ascii=False))
    else:
        typer.echo(schema_text(SCHEMA_FILES[kind]).rstrip("\n"))


def schema_text(kind: str) -> str:
    """The shipped schema file of kind "project" or "partnership", as it is on disk."""
    from importlib import resources

    return resources.files("kp_extract").joinpath("schema", f"{kind}.schema.json").read_text(encoding="utf-8")


# ---------------------------------------------------------------- report and inspect

def _write_report(out_dir: Path, input_dir: Path | None, out_file: Path | None, debug: bool, quiet: bool) -> Any:
    """Write the review report (report.ReportResult); a failure is one error line (a traceback with
    --debug) and exit 2. The page checks are one line on stderr: always when a page is changed, gone
    or unchecked, else unless quiet."""
    from kp_extract.review.report import ReportProgressBar, build_report

    try:
        with contextlib.ExitStack() as stack:
            bar = None
            if not quiet and _stderr_is_terminal():  # a big crawl's report takes a while: show how far
                bar = stack.enter_context(ReportProgressBar(_stderr_console()))
            result = build_report(out_dir, input_dir, out_file, progress=bar)
    except Exception as exc:  # noqa: BLE001 - the CLI is the last line
        if debug:
            traceback.print_exc()
        _err(f"error: report not written: {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    pages = result.pages
    if pages.total and (pages.ok < pages.total or not quiet):
        _err(f"sources: {pages.line()}")
    if not quiet:
        _err(f"report: {result.path}")
    return result


@app.command("report")
def report_command(
    out_dir: Path = typer.Argument(
        ..., metavar="OUTPUT_DIR", show_default=False,
        help="Output folder of a run (its projects and partnerships in any --format, and blocks.jsonl).",
    ),
    input_dir: Path = typer.Option(
        None, "--input", "-i", metavar="DIR", show_default=False,
        help="Folder of the page dumps the run read, for the source text, when they moved since the run. "
             "Default: the input folder OUTPUT_DIR/datapackage.json records (relative to OUTPUT_DIR). Every page "
             "is compared with the sha256 the run recorded; one that changed or is gone is marked so, without "
             "its text.",
    ),
    out_file: Path = typer.Option(
        None, "--out", "-o", metavar="FILE", show_default=False,
        help="Where to write the report (default: OUTPUT_DIR/report.html).",
    ),
    debug: bool = typer.Option(False, "--debug/--no-debug", help="Print a full traceback when writing fails."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not print the report's path."),
) -> None:
    """Write a static HTML review report of a run's output folder.

    The page (OUTPUT_DIR/report.html) shows counts, the run's metadata and charts, sortable, filterable tables of projects and partnerships (100 rows a page), and per record its fields, its source text with the extracted values highlighted, its merged sources and possible duplicates or projects. The records' source texts are in the folder beside the page (OUTPUT_DIR/report.sources/), loaded when a record is opened: keep the two together. Nothing else is fetched when it is opened; e-mail addresses and phone numbers in the source text are hidden. On a terminal a progress bar shows how far it is.

    The pages are read from the input folder the run recorded (or --input) and hashed: a page whose bytes are not those the run read, or that is gone, is marked with a badge and its text is not shown; stderr says how many (e.g. 'sources: 2 of 5 pages changed since the run, 1 gone').

    Exit status: 0 report written; 1 report written, but none of the pages the records cite could be shown (all changed or gone); 2 usage error or the report could not be written.
    """
    if not out_dir.is_dir():
        _err(f"error: output folder not found: {out_dir}")
        raise typer.Exit(EXIT_FAILED)
    from kp_extract.outputs.reader import NoRunOutput, record_format

    try:
        record_format(out_dir)  # any format a run writes will do
    except NoRunOutput as exc:
        _err(f"error: {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    if input_dir is not None and not input_dir.is_dir():
        _err(f"error: input folder not found: {input_dir}")
        raise typer.Exit(EXIT_FAILED)
    pages = _write_report(out_dir, input_dir, out_file, debug, quiet).pages
    raise typer.Exit(EXIT_SKIPPED if pages.total and not pages.shown else EXIT_OK)


@app.command("diff")
def diff_command(
    old: Path = typer.Argument(..., metavar="OLD_OUT", show_default=False,
                               help="Output folder of the earlier run (any --format)."),
    new: Path = typer.Argument(..., metavar="NEW_OUT", show_default=False,
                               help="Output folder of the later run (any --format)."),
    as_json: bool = typer.Option(
        False, "--json",
        help="Print the changes as one JSON object (the shape of OUT/changes.json, see the README) instead of "
             "tables.",
    ),
    html_file: Path = typer.Option(
        None, "--html", metavar="FILE", show_default=False,
        help="Also write the changes as a static HTML page (e.g. changes.html) in the review report's style.",
    ),
    ignore: list[str] = typer.Option(
        [], "--ignore", metavar="FIELD[,FIELD]", show_default=False,
        help="Record fields whose changes do not count (repeatable or comma-separated), e.g. "
             "`--ignore sources,confidence` after a re-crawl that renamed files or changed the site's chrome: "
             "a record then counts as altered only when its content changed.",
    ),
) -> None:
    """List what changed from OLD_OUT to NEW_OUT: projects and partnerships new, gone and altered (field by field, old -> new).

    Records are matched by content, not by position: projects by record_id, then by the same parties with a like title (a corrected title is altered, not gone and new); partnerships by partnership_id, then by (Swedish partner, partner abroad), then by the Swedish partner with a like partner abroad.

    Exit status: 0 compared (also when something changed); 2 usage error or an output folder that cannot be read.
    """
    from kp_extract.outputs.reader import OutputReadError
    from kp_extract.review import diff as changes

    ignored = [name.strip() for value in ignore for name in value.split(",") if name.strip()]
    try:
        changes.check_ignored(ignored)
    except ValueError as exc:
        _err(f"error: --ignore: {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    try:
        result = changes.diff_outputs(old, new, ignored)
    except OutputReadError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    if html_file is not None:
        from kp_extract.outputs.files import atomic_write_text

        try:
            html_file.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(html_file, changes.render_html(result))
        except OSError as exc:
            _err(f"error: cannot write {html_file}: {exc.strerror or exc}")
            raise typer.Exit(EXIT_FAILED) from None
    if as_json:
        typer.echo(changes.json_text(result), nl=False)
    else:
        from rich.console import Console

        console = Console(highlight=False, soft_wrap=False)
        for part in changes.render_terminal(result):
            console.print(part)
    if html_file is not None:
        _err(f"changes: {html_file}")
    raise typer.Exit(EXIT_OK)


@app.command("inspect")
def inspect_command(
    file: Path = typer.Argument(
        ..., metavar="FILE", show_default=False,
        help="One page dump (*.txt, *.html) to look at; with --run, its path as the run's sources name it "
             "(relative to the input folder).",
    ),
    color: bool = typer.Option(
        None, "--color/--no-color", show_default=False,
        help="Colour the highlighted values (default: only when writing to a terminal). With --no-color "
             "values are marked as «value».",
    ),
    debug: bool = typer.Option(False, "--debug/--no-debug", help="Print a full traceback when the page fails."),
    run_dir: Path = typer.Option(
        None, "--run", metavar="OUT", show_default=False,
        help="Output folder of the run that read the page: FILE is found in the input folder OUT/datapackage.json "
             "records (relative to OUT) and shown only when its sha256 is the one the run recorded.",
    ),
    input_dir: Path = typer.Option(
        None, "--input", "-i", metavar="DIR", show_default=False,
        help="With --run: the folder the run's pages are in now, when they moved since the run.",
    ),
) -> None:
    """Show one page's blocks with the extracted values highlighted in place.

    Each block is printed with its index, kind, language and offsets, and its text with the values of the mentions and partnership statements that cite it highlighted; then one line per mention. Contact details in the text are hidden.

    Exit status: 0 page shown; 1 with --run, the page changed since the run (not shown); 2 usage error, or the file is missing, gone or cannot be read.
    """
    from kp_extract.review import inspect as inspect_page

    if input_dir is not None and run_dir is None:
        _err("error: --input needs --run (the output folder of the run whose pages moved)")
        raise typer.Exit(EXIT_FAILED)
    if run_dir is not None and not run_dir.is_dir():
        _err(f"error: output folder not found: {run_dir}")
        raise typer.Exit(EXIT_FAILED)
    if input_dir is not None and not input_dir.is_dir():
        _err(f"error: input folder not found: {input_dir}")
        raise typer.Exit(EXIT_FAILED)
    root, header = None, None
    if run_dir is not None:
        try:
            file, root, header = inspect_page.run_page(run_dir, file.as_posix(), input_dir)
        except inspect_page.PageChanged as exc:
            _err(f"error: {exc}")
            raise typer.Exit(EXIT_SKIPPED) from None
        except inspect_page.InspectError as exc:
            _err(f"error: {exc}")
            raise typer.Exit(EXIT_FAILED) from None
    elif not file.is_file():
        _err(f"error: file not found: {file}")
        raise typer.Exit(EXIT_FAILED)
    try:
        inspect_page.show(file, color=color, root=root, header=header)
    except inspect_page.InspectError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    except Exception as exc:  # noqa: BLE001 - the CLI is the last line
        if debug:
            traceback.print_exc()
        _err(f"error: {exc.__class__.__name__}: {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    raise typer.Exit(EXIT_OK)


# ---------------------------------------------------------------- serve

@app.command("serve")
def serve_command(
    out_dir: Path = typer.Argument(
        ..., metavar="OUTPUT_DIR", show_default=False,
        help="Output folder of a run with --format sqlite (with kp_extract.sqlite).",
    ),
    port: int = typer.Option(8001, "--port", "-p", metavar="N", min=0, max=65535,
                             help="Port to listen on (0: any free port, shown when the server starts)."),
    host: str = typer.Option("127.0.0.1", "--host", metavar="H",
                             help="Address to listen on: 127.0.0.1 (this machine only) by default; "
                                  "0.0.0.0 opens it to the network."),
) -> None:
    """Browse a run's kp_extract.sqlite in Datasette (the 'serve' extra) until Ctrl-C.

    Opens OUTPUT_DIR/kp_extract.sqlite read-only with descriptions of every table and column, full-text search on project titles and summaries, and canned queries: projects per country and year, the partnerships of one municipality, records needing review.

    Exit status: 0 the server stopped; 2 the file is missing, Datasette is not installed or the address cannot be listened on.
    """
    from kp_extract.review.serve import ServeError, serve

    try:
        serve(out_dir, host=host, port=port)
    except ServeError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    raise typer.Exit(EXIT_OK)


# ---------------------------------------------------------------- cache

cache_app = typer.Typer(
    help="Look after the per-page result cache that `kp-extract run` keeps (default: output/.cache): "
         "`info` shows what it holds, `prune` removes the entries of other code versions, `clear` removes "
         "every entry. Exit status: 0 done (also when there is no cache folder: nothing to do); 2 usage "
         "error, or the folder holds files the cache did not write (then nothing is removed).",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(cache_app, name="cache")

DEFAULT_CACHE_DIR = Path("output") / ".cache"  # `run`'s cache with its default --out
CACHE_DIR_HELP = ("The cache folder: `run`'s --cache DIR, or OUT/.cache for `run --out OUT` "
                  "(default: output/.cache, the cache of `run` with its default --out).")


def _size(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n} B"  # pragma: no cover


def _cache_folder(cache_dir: Path) -> bool:
    """Whether cache_dir is a folder; exit 2 if it is something else."""
    if cache_dir.exists() and not cache_dir.is_dir():
        _err(f"error: not a folder: {cache_dir}")
        raise typer.Exit(EXIT_FAILED)
    return cache_dir.is_dir()


def _removed(cache_dir: Path, action: Any, what: str) -> None:
    """Run prune or clear; print what it freed; exit 2 when the folder is not a cache."""
    from kp_extract.run import cache

    if not _cache_folder(cache_dir):
        typer.echo(f"nothing to do: no cache folder at {cache_dir}")
        raise typer.Exit(EXIT_OK)
    try:
        removed = action(cache_dir)
    except cache.NotACache as exc:
        _err(f"error: {exc}")
        raise typer.Exit(EXIT_FAILED) from None
    for f in removed:
        typer.echo(f"removed {f.path} ({_size(f.bytes)}, {f.pages} page and {f.contacts} contact entries)")
    if removed:
        typer.echo(f"freed {_size(sum(f.bytes for f in removed))} in {len(removed)} folder(s)")
    else:
        typer.echo(f"nothing to do: no {what} in {cache_dir}")
    raise typer.Exit(EXIT_OK)


@cache_app.command("info")
def cache_info(
    cache_dir: Path = typer.Option(DEFAULT_CACHE_DIR, "--cache-dir", metavar="DIR", help=CACHE_DIR_HELP),
) -> None:
    """Show the cache folder: per code-fingerprint folder its size and entries, which one the current code reads.

    Each run of a code/data version reads and writes one folder, named after the first 16 characters of its fingerprint; folders of other versions are never read again (`kp-extract cache prune` removes them). Also shows where the key that signs the entries lives.
    """
    from kp_extract.run import cache

    if not _cache_folder(cache_dir):
        typer.echo(f"no cache folder at {cache_dir}")
        raise typer.Exit(EXIT_OK)
    found = cache.scan(cache_dir)
    current = cache.fingerprint()[:16]
    typer.echo(f"cache folder: {cache_dir}")
    key = (f"the {cache.KEY_ENV} environment variable" if os.environ.get(cache.KEY_ENV)
           else str(cache.key_file()))
    typer.echo(f"key: {key}")
    typer.echo(f"current code fingerprint: {current}"
               + ("" if any(f.name == current for f in found.folders) else " (no folder yet)"))
    for f in found.folders:
        notes = ["current" if f.name == current else "other code version"]
        if f.old_format:
            notes.append(f"{f.old_format} entries of an earlier format")
        if f.temp:
            notes.append(f"{f.temp} temp files")
        typer.echo(f"  {f.name}  {_size(f.bytes):>9}  {f.pages:>7} page entries  {f.contacts:>6} contact entries"
                   f"  ({', '.join(notes)})")
    typer.echo(f"total: {_size(found.bytes)}, {sum(f.pages for f in found.folders)} page entries, "
               f"{sum(f.contacts for f in found.folders)} contact entries in {len(found.folders)} folder(s)")
    if found.foreign:
        typer.echo(f"also holds {len(found.foreign)} path(s) the cache did not write, e.g. {found.foreign[0]} "
                   f"(prune and clear leave such a folder alone)")
    raise typer.Exit(EXIT_OK)


@cache_app.command("prune")
def cache_prune(
    cache_dir: Path = typer.Option(DEFAULT_CACHE_DIR, "--cache-dir", metavar="DIR", help=CACHE_DIR_HELP),
) -> None:
    """Remove the entries of other code versions: every fingerprint folder but the current code's.

    Refuses (exit 2, nothing removed) if the folder holds files the cache did not write.
    """
    from kp_extract.run import cache

    _removed(cache_dir, cache.prune, "folder of another code version")


@cache_app.command("clear")
def cache_clear(
    cache_dir: Path = typer.Option(DEFAULT_CACHE_DIR, "--cache-dir", metavar="DIR", help=CACHE_DIR_HELP),
) -> None:
    """Remove every cache entry (every fingerprint folder; the cache folder itself stays).

    Refuses (exit 2, nothing removed) if the folder holds files the cache did not write: it is not a cache folder.
    """
    from kp_extract.run import cache

    _removed(cache_dir, cache.clear, "cache entries")


if __name__ == "__main__":  # pragma: no cover
    app(prog_name="kp-extract")
