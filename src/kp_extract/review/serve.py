"""`kp-extract serve OUT`: browse a run's kp_extract.sqlite in Datasette.

Datasette (the `serve` extra) runs in this process on OUT/kp_extract.sqlite (written by
`kp-extract run --format sqlite`, outputs/sqlite.py), opened immutable (read only: a run may replace
the file meanwhile, the server keeps the one it opened), with the metadata of data/datasette.yaml:
title, description, licence and source notes, per-table and per-column descriptions, and the
canned queries (projects per country and year, the partnerships of one municipality, records
needing review). Nothing is fetched: Datasette serves its own bundled pages.
"""
from __future__ import annotations

import importlib.util
import socket
from importlib import resources
from pathlib import Path

from kp_extract.outputs.sqlite import DATABASE_FILE

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "METADATA", "ServeError", "metadata_path", "database_path",
           "datasette_args", "check_address", "serve"]

DEFAULT_HOST = "127.0.0.1"  # this machine only; 0.0.0.0 opens it to the network
DEFAULT_PORT = 8001  # Datasette's own default
METADATA = "data/datasette.yaml"


class ServeError(Exception):
    """Why the database cannot be served, in one line for the user."""


def metadata_path() -> Path:
    """The Datasette metadata file shipped in the package (data/datasette.yaml)."""
    return Path(str(resources.files("kp_extract").joinpath(METADATA)))


def database_path(out_dir: Path) -> Path:
    """OUT/kp_extract.sqlite, checked: ServeError when the folder or the file is missing or when
    Datasette is not installed."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise ServeError(f"output folder not found: {out_dir}")
    path = out_dir / DATABASE_FILE
    if not path.is_file():
        raise ServeError(f"no {DATABASE_FILE} in {out_dir} (run `kp-extract run INPUT --out {out_dir} "
                         "--format sqlite` first)")
    if importlib.util.find_spec("datasette") is None:
        raise ServeError("kp-extract serve needs Datasette: pip install 'kp_extract[serve]'")
    return path


def datasette_args(database: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> list[str]:
    """The `datasette serve` arguments for database."""
    return ["serve", "--immutable", str(database), "--metadata", str(metadata_path()), "--host", host,
            "--port", str(port)]


def check_address(host: str, port: int) -> None:
    """ServeError when host:port cannot be listened on (in use, or not an address of this machine):
    said before Datasette starts, in one line, rather than in the server's log as it stops."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            probe.bind(address)
        except OSError as exc:
            raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def serve(out_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve OUT/kp_extract.sqlite with Datasette until interrupted (ServeError, before anything
    starts, when the file or Datasette is missing or the address cannot be listened on)."""
    database = database_path(out_dir)
    check_address(host, port)
    from datasette.cli import cli as datasette_cli

    datasette_cli.main(datasette_args(database, host, port), prog_name="kp-extract serve", standalone_mode=False)
