"""Command-line interface: `kp-extract run INPUT_DIR --out DIR`.

Exit status: 0 all pages processed; 1 some files were skipped or only partly
processed (see errors.jsonl; the output is still written); 2 usage error, or
nothing could be done (input folder missing, no readable page, a failure of
the run itself). No traceback is printed unless --debug.
"""
from __future__ import annotations

import importlib
import inspect
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import typer

from kp_extract import __version__

EXIT_OK = 0
EXIT_SKIPPED = 1
EXIT_FAILED = 2

HELP = (
    "Extract Swedish municipal partnership (ICLD 'kommunala partnerskap') projects and "
    "partnerships from a folder of raw web-page dumps (*.txt) into deduplicated records: "
    "projects.json/.csv, partnerships.json/.csv, blocks.jsonl and errors.jsonl."
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


def _summary_lines(input_dir: Path, out_dir: Path, s: Any) -> list[str]:
    langs = getattr(s, "languages", None) or {}
    lang_text = ", ".join(f"{k} {v}" for k, v in sorted(langs.items(), key=lambda kv: (-kv[1], kv[0]))) or "-"
    rows = [
        ("pages read", s.pages_read),
        ("pages skipped", s.pages_skipped),
        ("blocks", s.blocks),
        ("projects", s.projects),
        ("partnerships", s.partnerships),
        ("merged mentions", s.merged),
        ("possible duplicates", s.possible_duplicates),
        ("languages", lang_text),
        ("seconds", f"{float(s.seconds):.2f}"),
    ]
    if getattr(s, "workers", None):
        engine = getattr(s, "engine", "local")
        rows.insert(-1, ("workers", f"{s.workers} ({engine})"))
    hits, misses = getattr(s, "cache_hits", None), getattr(s, "cache_misses", None)
    if hits is not None:
        rows.insert(-1, ("cache hits", f"{hits} of {hits + (misses or 0)} pages"))
    if getattr(s, "pages_partial", 0):
        rows.insert(2, ("pages partly read", s.pages_partial))
    if getattr(s, "contacts", None) is not None:
        rows.insert(-1, ("contacts", s.contacts))
    width = max(len(k) for k, _ in rows)
    lines = [f"kp-extract {input_dir} -> {out_dir}"]
    lines += [f"  {k.ljust(width)}  {v}" for k, v in rows]
    return lines


def _error_lines(errors: list, limit: int = 20) -> list[str]:
    """One line per error: "skipped" for a file that gave nothing, "partly read" for a page that was
    processed with a warning (its reason ends in "(page processed)")."""
    from kp_extract.clean import scrub_contacts
    from kp_extract.read import PARTIAL

    lines = []
    for e in errors[:limit]:
        verb = "partly read" if str(e.reason).endswith(f"({PARTIAL})") else "skipped"
        lines.append(f"  {verb} {e.file} ({e.stage}): {scrub_contacts(str(e.reason))}")
    if len(errors) > limit:
        lines.append(f"  ... and {len(errors) - limit} more (see errors.jsonl)")
    return lines


def _accepted(func: Any, options: dict[str, Any]) -> dict[str, Any]:
    """The options func takes (all of them if it takes **kwargs)."""
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):  # pragma: no cover
        return options
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return options
    return {k: v for k, v in options.items() if k in params}


@app.command()
def run(
    input_dir: Path = typer.Argument(
        ..., metavar="INPUT_DIR",
        help="Folder of page dumps; every *.txt under it is read, recursively.",
        show_default=False,
    ),
    out: Path = typer.Option(
        Path("output"), "--out", "-o", metavar="DIR",
        help="Folder to write projects.json/.csv, partnerships.json/.csv, blocks.jsonl and errors.jsonl to (created if missing).",
    ),
    debug: bool = typer.Option(
        False, "--debug/--no-debug",
        help="Log each stage and print a full traceback when the run fails.",
    ),
    quiet: bool = typer.Option(
        False, "--quiet", "-q",
        help="Print nothing but errors (no summary table).",
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
    include_contacts: bool = typer.Option(
        False, "--include-contacts",
        help="Also write contacts.json and contacts.csv: the contact lines found on the pages (file, start, end, "
             "name, role, email, phone). Personal data: off by default; the records never contain them.",
    ),
    spacy_model: str = typer.Option(
        None, "--spacy-model", metavar="NAME", show_default=False,
        help="An installed trained spaCy pipeline (package name or folder) to use instead of the blank "
             "sv/en pipelines; nothing is downloaded. Same as the KP_EXTRACT_SPACY_MODEL environment variable.",
    ),
    report: bool = typer.Option(
        False, "--report/--no-report",
        help="After the run, also write the review report OUT/report.html (see `kp-extract report`).",
    ),
) -> None:
    """Read INPUT_DIR, extract and deduplicate records, and write them to --out.

    Exit status: 0 all pages processed; 1 some files were skipped or only partly processed (see errors.jsonl; the output is still written); 2 usage error, or nothing could be done.

    E-mail addresses and phone numbers in the records are replaced by placeholders (e-post, telefon) and contact-person phrases are left out; --include-contacts writes the contact lines to contacts.json/.csv.
    """
    logging.basicConfig(
        level=logging.DEBUG if debug else (logging.ERROR if quiet else logging.WARNING),
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not input_dir.exists():
        _err(f"error: input folder not found: {input_dir}")
        raise typer.Exit(EXIT_FAILED)
    if not input_dir.is_dir():
        _err(f"error: input path is not a folder: {input_dir}")
        raise typer.Exit(EXIT_FAILED)
    if out.exists() and not out.is_dir():
        _err(f"error: output path exists and is not a folder: {out}")
        raise typer.Exit(EXIT_FAILED)

    if spacy_model:
        os.environ["KP_EXTRACT_SPACY_MODEL"] = spacy_model  # worker processes inherit it
    if engine not in ("local", "dask"):
        _err(f"error: unknown --engine {engine!r} (choose local or dask)")
        raise typer.Exit(EXIT_FAILED)
    if scheduler and engine != "dask":
        _err("error: --scheduler needs --engine dask")
        raise typer.Exit(EXIT_FAILED)
    options: dict[str, Any] = {
        "workers": workers or None,
        "engine": engine,
        "cache_dir": None if no_cache else (cache if cache is not None else out / ".cache"),
        "scheduler": scheduler,
    }
    if include_contacts:
        options["include_contacts"] = True

    try:
        pipeline = importlib.import_module("kp_extract.pipeline")
        summary = pipeline.run(input_dir, out, **_accepted(pipeline.run, options))
    except KeyboardInterrupt:
        _err("interrupted")
        raise typer.Exit(130)
    except Exception as exc:  # noqa: BLE001 - the CLI is the last line
        if debug:
            traceback.print_exc()
        else:
            _err(f"error: {exc.__class__.__name__}: {exc}")
            _err("(run again with --debug for a traceback)")
        raise typer.Exit(EXIT_FAILED)

    errors = list(getattr(summary, "errors", None) or [])
    if not quiet:
        for line in _summary_lines(input_dir, out, summary):
            _err(line)
    if errors:
        for line in _error_lines(errors):
            _err(line)

    if summary.pages_read == 0:
        _err(f"error: no readable page in {input_dir}")
        raise typer.Exit(EXIT_FAILED)
    if report:
        _write_report(out, input_dir, None, debug, quiet)
    if summary.pages_skipped or errors:
        raise typer.Exit(EXIT_SKIPPED)
    raise typer.Exit(EXIT_OK)


# ---------------------------------------------------------------- report and inspect

def _write_report(out_dir: Path, input_dir: Path | None, out_file: Path | None, debug: bool, quiet: bool) -> Path:
    """Write the review report; a failure is one error line (a traceback with --debug) and exit 2."""
    from kp_extract.report import write_report

    try:
        path = write_report(out_dir, input_dir, out_file)
    except Exception as exc:  # noqa: BLE001 - the CLI is the last line
        if debug:
            traceback.print_exc()
        _err(f"error: report not written: {exc}")
        raise typer.Exit(EXIT_FAILED)
    if not quiet:
        _err(f"report: {path}")
    return path


@app.command("report")
def report_command(
    out_dir: Path = typer.Argument(
        ..., metavar="OUTPUT_DIR", show_default=False,
        help="Output folder of a run (with projects.json, partnerships.json, blocks.jsonl).",
    ),
    input_dir: Path = typer.Option(
        None, "--input", "-i", metavar="DIR", show_default=False,
        help="Folder of the page dumps the run read, for the source text. Default: the input folder "
             "OUTPUT_DIR/datapackage.json names, else ./raw. Pages not found are shown as 'source not available'.",
    ),
    out_file: Path = typer.Option(
        None, "--out", "-o", metavar="FILE", show_default=False,
        help="Where to write the report (default: OUTPUT_DIR/report.html).",
    ),
    debug: bool = typer.Option(False, "--debug/--no-debug", help="Print a full traceback when writing fails."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not print the report's path."),
) -> None:
    """Write a self-contained HTML review report of a run's output folder.

    The page (OUTPUT_DIR/report.html) shows counts and charts, a sortable, filterable table of projects, and per project its fields, its source text with the extracted values highlighted, its merged sources and possible duplicates. Nothing is fetched when it is opened; e-mail addresses and phone numbers in the source text are hidden.

    Exit status: 0 report written; 2 usage error or the report could not be written.
    """
    if not out_dir.is_dir():
        _err(f"error: output folder not found: {out_dir}")
        raise typer.Exit(EXIT_FAILED)
    if not (out_dir / "projects.json").is_file():
        _err(f"error: no projects.json in {out_dir} (run `kp-extract run` first)")
        raise typer.Exit(EXIT_FAILED)
    if input_dir is not None and not input_dir.is_dir():
        _err(f"error: input folder not found: {input_dir}")
        raise typer.Exit(EXIT_FAILED)
    _write_report(out_dir, input_dir, out_file, debug, quiet)
    raise typer.Exit(EXIT_OK)


@app.command("inspect")
def inspect_command(
    file: Path = typer.Argument(..., metavar="FILE", show_default=False, help="One page dump (*.txt) to look at."),
    color: bool = typer.Option(
        None, "--color/--no-color", show_default=False,
        help="Colour the highlighted values (default: only when writing to a terminal). With --no-color "
             "values are marked as «value».",
    ),
    debug: bool = typer.Option(False, "--debug/--no-debug", help="Print a full traceback when the page fails."),
) -> None:
    """Show one page's blocks with the extracted values highlighted in place.

    Each block is printed with its index, kind, language and offsets, and its text with the values of the mentions and partnership statements that cite it highlighted; then one line per mention. Contact details in the text are hidden.

    Exit status: 0 page shown; 2 the file is missing or cannot be read.
    """
    from kp_extract import inspect_page

    if not file.is_file():
        _err(f"error: file not found: {file}")
        raise typer.Exit(EXIT_FAILED)
    try:
        inspect_page.show(file, color=color)
    except inspect_page.InspectError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(EXIT_FAILED)
    except Exception as exc:  # noqa: BLE001 - the CLI is the last line
        if debug:
            traceback.print_exc()
        _err(f"error: {exc.__class__.__name__}: {exc}")
        raise typer.Exit(EXIT_FAILED)
    raise typer.Exit(EXIT_OK)


if __name__ == "__main__":  # pragma: no cover
    app(prog_name="kp-extract")
