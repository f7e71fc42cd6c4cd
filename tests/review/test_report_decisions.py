"""The review report's decision controls: a reviewer marks decisions in headless Chromium and downloads
them as a CSV that `run --decisions` reads back."""
from __future__ import annotations

import json
from pathlib import Path


from kp_extract.model import Decision
from kp_extract.review.report import candidate_target
from kp_extract.stages.s7_decide import COLUMNS, read_decisions
from tests.review.browser import LOCAL_PAGES, chromium_page
from tests.review.test_report import report_text


def _candidates(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "candidates.jsonl").read_text(encoding="utf-8").splitlines()]


def test_report_has_the_controls_and_the_csv_header(seeds_out):
    # a record's controls are in its section, in the report's sources files (loaded when it is opened)
    html = report_text(seeds_out / "report.html")
    projects = json.loads((seeds_out / "projects.json").read_text(encoding="utf-8"))
    assert html.count('<div class="decide"') == len(projects)
    for p in projects:
        assert f'<div class="decide" data-target="{p["record_id"]}">' in html
    for control in ('id="d-download"', 'id="d-reviewer"', 'id="d-add"', 'id="decision-table"', 'class="d-promote"'):
        assert control in html
    assert f"var COLUMNS = {json.dumps(list(COLUMNS))};" in html  # the CSV header the script writes
    promotable = {candidate_target(c) for c in _candidates(seeds_out)}
    assert promotable and all(f'data-target="{t}"' in html for t in promotable if '"' not in t and "&" not in t)


def test_browser_download_is_a_decisions_file(seeds_out, tmp_path):
    from playwright.sync_api import sync_playwright

    projects = json.loads((seeds_out / "projects.json").read_text(encoding="utf-8"))
    first, second = projects[0]["record_id"], projects[1]["record_id"]
    # the download is a blob: URL the page makes itself
    with sync_playwright() as pw, chromium_page(pw, LOCAL_PAGES + ("blob:",), accept_downloads=True) as (page,
                                                                                                         problems):
        page.goto((seeds_out / "report.html").as_uri())
        page.fill("#d-reviewer", "Anna Berg")
        page.fill("#d-date", "2026-12-01")

        page.goto((seeds_out / "report.html").as_uri() + "#" + first)
        box = page.locator(f'.decide[data-target="{first}"]')
        box.locator(".d-reject").click()
        box.locator(".d-field").select_option("amount_sek")
        box.locator(".d-value").fill("500000")
        box.locator(".d-set").click()
        box.locator(".d-merge-value").fill(second)
        box.locator(".d-merge").click()

        page.locator(".d-promote").first.click()
        promoted = page.locator(".d-promote").first.get_attribute("data-target")

        page.select_option("#d-action", "reject")
        page.fill("#d-target", "Växjö kommun / JB Marks")
        page.fill("#d-note", 'a "shared" page, not theirs')
        page.click("#d-add")
        assert page.inner_text("#d-count") == "5"

        with page.expect_download() as download:
            page.click("#d-download")
        path = tmp_path / "decisions.csv"
        download.value.save_as(path)
        assert download.value.suggested_filename == "decisions.csv"
    assert problems == []
    data = path.read_bytes()
    assert data.startswith(b"action,target,field,value,reviewer,date,note\r\n")
    assert b'"a ""shared"" page, not theirs"' in data
    signed = {"reviewer": "Anna Berg", "date": "2026-12-01"}
    assert read_decisions(path).decisions == (
        Decision("reject", first, **signed),
        Decision("set", first, "amount_sek", "500000", **signed),
        Decision("merge", first, "", second, **signed),
        Decision("promote", promoted, **signed),
        Decision("reject", "Växjö kommun / JB Marks", note='a "shared" page, not theirs', **signed),
    )
