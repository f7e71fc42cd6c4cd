"""kp-extract serve: Datasette metadata and canned queries, usage errors, and a real server in Chromium."""
from __future__ import annotations

import importlib.util
import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from kp_extract.cli import app
from kp_extract.outputs.sqlite import DATABASE_FILE, TABLES
from kp_extract.review.serve import datasette_args, metadata_path
from kp_extract.run.pipeline import run
from tests.review.browser import chromium_page
from tests.review.test_report import ARTIFACTS

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "raw"
SERVER_START_SECONDS = 60


@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("serve-seeds")
    run(RAW, out, workers=1, formats="json,sqlite")
    return out


@pytest.fixture(scope="module")
def metadata() -> dict:
    return yaml.safe_load(metadata_path().read_text(encoding="utf-8"))


def _json(out: Path, name: str):
    return json.loads((out / name).read_text(encoding="utf-8"))


def _query(out: Path, name: str, metadata: dict, **params) -> list[dict]:
    db = sqlite3.connect(f"file:{out / DATABASE_FILE}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute(metadata["databases"]["kp_extract"]["queries"][name]["sql"], params)]
    finally:
        db.close()


# ---------------------------------------------------------------- metadata and canned queries

def test_metadata_describes_every_table_and_column(seeds_out, metadata):
    assert metadata["title"] and metadata["description"] and metadata["license"] and metadata["source"]
    described = metadata["databases"]["kp_extract"]["tables"]
    db = sqlite3.connect(seeds_out / DATABASE_FILE)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                           "'sqlite%' AND name NOT LIKE 'projects_fts%' ORDER BY name")]
        assert sorted(described) == tables == sorted(t.name for t in TABLES)
        for table in tables:
            columns = [r[1] for r in db.execute(f"PRAGMA table_info([{table}])")]
            assert described[table]["description"], table
            assert list(described[table]["columns"]) == columns, table  # every column, none that is not there
            assert all(isinstance(text, str) and text for text in described[table]["columns"].values()), table
    finally:
        db.close()


def test_projects_per_country_and_year(seeds_out, metadata):
    projects = _json(seeds_out, "projects.json")
    expected = Counter((c, (p["start_date"] or "unknown")[:4] if p["start_date"] else "unknown")
                       for p in projects for c in dict.fromkeys(p["countries"]))
    rows = _query(seeds_out, "projects_per_country_and_year", metadata)
    assert {(r["country"], r["start_year"]): r["projects"] for r in rows} == dict(expected)
    assert len(rows) > 1 and [(r["country"], r["start_year"]) for r in rows] == sorted(expected)


def test_partnerships_of_one_municipality(seeds_out, metadata):
    partnerships = _json(seeds_out, "partnerships.json")
    by_code = sorted((p["international_partner"], p["country"]) for p in partnerships
                     if p["swedish_partner_code"] == "0780")
    assert by_code
    for param in ("0780", "Växjö"):
        rows = _query(seeds_out, "partnerships_of_municipality", metadata, municipality=param)
        assert sorted((r["international_partner"], r["country"]) for r in rows) == by_code, param
        assert {r["swedish_partner"] for r in rows} == {"Växjö kommun"}
    assert _query(seeds_out, "partnerships_of_municipality", metadata, municipality="") == []


def test_records_needing_review(seeds_out, metadata):
    projects, partnerships = _json(seeds_out, "projects.json"), _json(seeds_out, "partnerships.json")
    for below, threshold in (("", 0.8), ("0.95", 0.95)):
        rows = _query(seeds_out, "records_needing_review", metadata, below_confidence=below)
        expected = {p["record_id"] for p in projects if p["confidence"] < threshold or p["possible_duplicates"]}
        assert {r["record_id"] for r in rows if r["kind"] == "project"} == expected
        assert sum(r["kind"] == "partnership" for r in rows) == sum(p["confidence"] < threshold for p in partnerships)
        assert [r["confidence"] for r in rows] == sorted(r["confidence"] for r in rows)
    assert any(p["possible_duplicates"] for p in projects)


# ---------------------------------------------------------------- usage errors

def _one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_serve_usage_errors(seeds_out, tmp_path, monkeypatch):
    runner = CliRunner()
    assert "not found" in _one_error_line(runner.invoke(app, ["serve", str(tmp_path / "missing")]))
    assert "--format sqlite" in _one_error_line(runner.invoke(app, ["serve", str(tmp_path)]))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        line = _one_error_line(runner.invoke(app, ["serve", str(seeds_out), "--port", str(busy.getsockname()[1])]))
        assert "cannot listen on 127.0.0.1" in line
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "datasette" else real(name, *a))
    assert "pip install 'kp_extract[serve]'" in _one_error_line(runner.invoke(app, ["serve", str(seeds_out)]))


def test_datasette_arguments(seeds_out):
    args = datasette_args(seeds_out / DATABASE_FILE)
    assert args[:3] == ["serve", "--immutable", str(seeds_out / DATABASE_FILE)]
    assert args[args.index("--host") + 1] == "127.0.0.1" and args[args.index("--metadata") + 1] == str(metadata_path())


# ---------------------------------------------------------------- a real server in a real browser

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(seeds_out, tmp_path_factory):
    """`kp-extract serve` on a free loopback port, as a subprocess; its base URL once it answers.
    Stopped (SIGTERM, then SIGKILL) whatever the tests do."""
    port = _free_port()
    log = tmp_path_factory.mktemp("serve-log") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "kp_extract.cli", "serve", str(seeds_out), "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.fail(f"kp-extract serve exited with {proc.returncode}: {log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"kp-extract serve did not answer in {SERVER_START_SECONDS} s: {log.read_text()}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw, chromium_page(pw, (server,)) as (page, problems):
        yield page, problems


def _result_rows(page) -> list[dict]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('table.rows-and-columns tbody tr'))
        .map(r => Object.fromEntries(Array.from(r.cells).map(c =>
            [Array.from(c.classList).find(k => k.startsWith('col-')).slice(4), c.textContent.trim()])))""")


def test_browser_home_shows_the_metadata(browser, server, metadata):
    page, problems = browser
    page.goto(f"{server}/")
    assert metadata["title"] in page.title()
    assert "No licence is granted by kp_extract" in page.inner_text("body")
    page.goto(f"{server}/kp_extract")
    text = page.inner_text("body")
    assert "Full-text search (FTS5) covers project titles" in text  # the database's description
    assert "Projects per country and year" in text and "Records needing review" in text
    assert "projects" in text and "partnerships" in text
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "serve.png"))
    assert problems == []


def test_browser_canned_query_with_a_parameter(browser, server, seeds_out):
    page, problems = browser
    page.goto(f"{server}/kp_extract/partnerships_of_municipality")
    page.fill("input[name=municipality]", "0780")
    page.click("input[type=submit][value='Run SQL']")
    page.wait_for_load_state("load")
    assert "municipality=0780" in page.url
    rows = _result_rows(page)
    expected = [p for p in _json(seeds_out, "partnerships.json") if p["swedish_partner_code"] == "0780"]
    assert rows and sorted((r["international_partner"], r["country"]) for r in rows) == sorted(
        (p["international_partner"], p["country"]) for p in expected)
    assert {r["swedish_partner"] for r in rows} == {"Växjö kommun"}
    assert problems == []


def test_browser_full_text_search(browser, server, seeds_out):
    page, problems = browser
    page.goto(f"{server}/kp_extract/projects")
    page.fill("#_search", "gender")
    page.click("form.filters input[type=submit]")
    page.wait_for_load_state("load")
    assert "_search=gender" in page.url
    ids = {r["record_id"] for r in _result_rows(page)}
    projects = _json(seeds_out, "projects.json")
    assert ids == {p["record_id"] for p in projects if "gender" in f"{p['title'] or ''} {p['summary']}".lower()}
    assert "kp-32580081c4c68f45" in ids and len(ids) < len(projects)
    # the same search as a URL, answered as JSON
    with urllib.request.urlopen(f"{server}/kp_extract/projects.json?_search=gender&_shape=array&_col=title") as r:
        assert {row["record_id"] for row in json.load(r)} == ids
    assert problems == []
