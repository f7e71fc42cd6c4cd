"""The review report: HTML content, escaping, determinism, the CLI, and a real headless browser."""
from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kp_extract.cli import app
from kp_extract.run.pipeline import run
from kp_extract.stages.s1_read import read_page
from kp_extract.review.report import PageCounts, build_report, sidecar_dir, unpack, write_report
from tests.review.browser import chromium_page

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "raw"
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="session")
def seeds_html(seeds_out) -> str:
    return (seeds_out / "report.html").read_text(encoding="utf-8")


def _projects(out: Path) -> list[dict]:
    return json.loads((out / "projects.json").read_text(encoding="utf-8"))


def report_data(page: str) -> dict:
    """The rows the page's tables are drawn from (its <script id="report-data">)."""
    body = page.split('<script type="application/json" id="report-data">', 1)[1].split("</script>", 1)[0]
    return json.loads(body)


def _calls(report: Path, kind: str, function: str) -> dict[str, Any]:
    """The objects of the sources files SIDECAR/KIND-N.js (each `FUNCTION(N,{...});`), merged in file order."""
    merged: dict[str, Any] = {}
    files = sorted(sidecar_dir(report).glob(f"{kind}-*.js"), key=lambda f: int(f.stem.split("-")[1]))
    for f in files:
        call = f.read_text(encoding="utf-8")
        prefix = re.match(function + r"\((\d+),", call)
        assert prefix and call.endswith(");\n") and int(prefix.group(1)) == int(f.stem.split("-")[1])
        merged.update(unpack(json.loads(call[prefix.end():-3])))
    return merged


def _block_html(text: list, ref: list, fields: list[str]) -> str:
    """A block's <pre> content as the page's script (report.py's JS blockHtml) assembles it."""
    base, out, m, end = text[0], [], 2, -1
    for i in range(1, len(text), 2):
        at, piece = text[i], text[i + 1]
        if end >= 0 and at >= end:
            out.append("</mark>")
            end = -1
        if end < 0 and m < len(ref) and ref[m] == at and not piece.startswith("<"):
            out.append(f'<mark data-field="{fields[ref[m + 2]]}" data-start="{base + at}" data-end="{base + ref[m + 1]}">')
            end = ref[m + 1]
            m += 3
        out.append(piece)
    if end >= 0:
        out.append("</mark>")
    return "".join(out)


def report_sections(report: Path) -> dict[str, str]:
    """Every record's section HTML, by id, as the page's script draws it: from the report's record files
    (kpReportChunk(N,"packed {id: [HTML, refs]}");), each empty <pre> filled with its block's text from the
    text files (kpReportText(N,"packed {ref: segments}");) and the record's marks; in chunk order."""
    fields = report_data(report.read_text(encoding="utf-8"))["fields"]
    texts = _calls(report, "text", "kpReportText")
    sections: dict[str, str] = {}
    for rid, (section, refs) in _calls(report, "chunk", "kpReportChunk").items():
        pieces = section.split("<pre></pre>")
        assert len(pieces) == len(refs) + 1, rid
        sections[rid] = pieces[0] + "".join(f"<pre>{_block_html(texts[str(ref[1])], ref, fields)}</pre>{after}"
                                            for ref, after in zip(refs, pieces[1:]))
    return sections


def report_text(report: Path) -> str:
    """The page and, after it, every record section its sources files hold: all the report shows."""
    return report.read_text(encoding="utf-8") + "\n" + "\n".join(report_sections(report).values())


# ---------------------------------------------------------------- the HTML

def test_every_project_has_a_row_and_a_record(seeds_out, seeds_html):
    # the rows are JSON in the page (drawn a page at a time in JS), the records' sections are in the
    # sources files (report.sources/chunk-N.js), loaded when a record is opened
    projects = _projects(seeds_out)
    partnerships = json.loads((seeds_out / "partnerships.json").read_text(encoding="utf-8"))
    assert projects and partnerships
    data = report_data(seeds_html)
    rows = [r[0] for r in data["projects"]]
    assert rows == [p["record_id"] for p in projects]
    for p, r in zip(projects, data["projects"]):
        assert r[1] == p["title"] if p["title"] else r[1].startswith("(untitled)")
    sections = report_sections(seeds_out / "report.html")
    text = "\n".join(sections.values())
    assert re.findall(r'<section class="record(?: partnership)?" id="([^"]+)"', text) == rows + [r[0] for r in data["partnerships"]]
    assert len(data["partnerships"]) == len(partnerships)
    # each row names the file that holds its section (a project's 13th field, a partnership's 9th)
    for r, chunk in [(r, r[12]) for r in data["projects"]] + [(r, r[8]) for r in data["partnerships"]]:
        assert r[0] in unpack(json.loads((seeds_out / "report.sources" / f"chunk-{chunk}.js").read_text(
            encoding="utf-8").split(",", 1)[1][:-3]))
    for p in projects:
        if p["title"]:
            assert f"<h2>{p['title']}</h2>" in text.replace("&#x27;", "'")


def test_self_contained(seeds_out, seeds_html):
    # the page and its sources folder: nothing else is loaded, and the CSP allows scripts of the
    # page's own origin (the sources files) besides the inline ones, and nothing else
    sources = "\n".join(report_sections(seeds_out / "report.html").values())
    assert seeds_html.startswith("<!DOCTYPE html>")
    for text in (seeds_html, sources):
        assert "<link" not in text
        assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", text)
        assert "url(" not in text.replace("url(#", "")  # only in-document SVG references
    assert "<script" not in sources
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', seeds_html).group(1)
    assert csp == "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline' 'self'; img-src data:"
    assert "<svg" in seeds_html and "<script>" in seeds_html and "<style>" in seeds_html
    assert "Projects per country" in seeds_html and "Projects per SDG" in seeds_html


def test_marks_carry_page_offsets(seeds_out):
    texts = {}
    marks = []  # (field, file, start, end, text) of every mark, the file from its block
    sections = "\n".join(report_sections(seeds_out / "report.html").values())
    for block in re.findall(r'<div class="block" id="[^"]+" data-file="[^"]+".*?</pre></div>', sections, re.S):
        file = re.match(r'<div class="block" id="[^"]+" data-file="([^"]+)"', block).group(1)
        marks += [(f, file, s, e, t) for f, s, e, t in re.findall(
            r'<mark data-field="([a-z_]+)" data-start="(\d+)" data-end="(\d+)">([^<]*)</mark>', block)]
    assert len(marks) > 50
    fields = Counter(m[0] for m in marks)
    for f in ("title", "swedish_partners", "international_partners", "countries", "sdgs", "start_date"):
        assert fields[f] > 0, f
    import html as html_mod
    for _field, file, start, end, text in marks:
        if file not in texts:
            texts[file] = read_page(RAW / file, RAW).text
        assert texts[file][int(start):int(end)] == html_mod.unescape(text)


def test_byte_identical_and_free_of_paths(seeds_out, tmp_path):
    copy = tmp_path / "elsewhere"
    shutil.copytree(seeds_out, copy)
    (copy / "report.sources" / "chunk-99.js").write_text("stale", encoding="utf-8")  # a bigger report's
    again = write_report(copy, RAW)
    assert again == copy / "report.html"
    assert again.read_bytes() == (seeds_out / "report.html").read_bytes()
    assert _folder_bytes(copy / "report.sources") == _folder_bytes(seeds_out / "report.sources")
    write_report(copy, RAW)
    assert again.read_bytes() == (seeds_out / "report.html").read_bytes()
    text = report_text(again)
    assert str(tmp_path) not in text and str(ROOT) not in text


def _folder_bytes(folder: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted(folder.iterdir())}


HOSTILE = "<script>alert(1)</script>"


def _hostile_out(tmp_path: Path) -> tuple[Path, Path]:
    """An output folder whose record and page text are hostile."""
    pages = tmp_path / "pages"
    pages.mkdir()
    page = (f"Project: {HOSTILE}\n\nVäxjö kommun och \"Kalush\" <img src=x onerror=alert(2)> i Ukraina. "
            "Mer information: anna.ek@vaxjo.se eller 0470-41 00 00.\n")
    (pages / "p.txt").write_text(page, encoding="utf-8")
    start = page.index(HOSTILE)
    second = page.index("Växjö")
    record = {
        "record_id": "kp-0000000000000001", "title": HOSTILE, "swedish_partners": ["Växjö kommun"],
        "swedish_partner_codes": ["0780"], "international_partners": ['"Kalush" & co'], "other_participants": [],
        "countries": ["UA"], "project_areas": [], "themes": [], "sdgs": [], "start_date": None, "end_date": None,
        "duration_years": None, "amount_sek": None, "tags": [], "languages": ["sv"],
        "summary": f"{HOSTILE} <b>bold</b>",
        "sources": [{"file": "p.txt", "start": start, "end": start + len(HOSTILE)},
                    {"file": "p.txt", "start": second, "end": len(page) - 1},
                    {"file": "gone.txt", "start": 0, "end": 10}],
        "possible_duplicates": ['x"><script>alert(3)</script>'],
    }
    out = tmp_path / "out"
    out.mkdir()
    (out / "projects.json").write_text(json.dumps([record], ensure_ascii=False), encoding="utf-8")
    (out / "partnerships.json").write_text("[]", encoding="utf-8")
    return out, pages


def test_hostile_text_is_escaped_and_contacts_hidden(tmp_path):
    out, pages = _hostile_out(tmp_path)
    report = write_report(out, pages)
    assert report.read_text(encoding="utf-8").count("<script>") == 1  # the report's own
    text = report_text(report)
    assert HOSTILE not in text
    assert "alert(3)</script>" not in text
    assert "<img" not in text and "<b>bold" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "anna.ek" not in text and "@vaxjo" not in text and "41 00 00" not in text
    assert "[e-post]" in text and "[telefon]" in text
    assert 'data-field="title"' in text  # the hostile title is still marked, escaped
    assert "source not available" in text  # gone.txt
    for f in sidecar_dir(report).iterdir():  # the files as written: text escaped, contacts never stored
        raw = json.dumps(unpack(json.loads(f.read_text(encoding="utf-8").split(",", 1)[1][:-3])), ensure_ascii=False)
        assert HOSTILE not in raw and "<img" not in raw and "anna.ek" not in raw and "41 00 00" not in raw, f.name


def test_hostile_partnership_is_escaped(tmp_path):
    # a partnership's names reach the page twice: in the rows' JSON (inside a <script> element) and
    # in its section in the sources files
    out, pages = _hostile_out(tmp_path)
    page = (pages / "p.txt").read_text(encoding="utf-8")
    partnership = {"swedish_partner": HOSTILE, "swedish_partner_code": None,
                   "international_partner": '</script><script>alert(5)</script>', "country": "UA",
                   "since_year": 2019, "project_ids": ["kp-0000000000000001"],
                   "sources": [{"file": "p.txt", "start": 0, "end": len(page) - 1}], "confidence": 0.9}
    (out / "partnerships.json").write_text(json.dumps([partnership]), encoding="utf-8")
    report = write_report(out, pages)
    html_text = report.read_text(encoding="utf-8")
    assert html_text.count("<script") == 2 and html_text.count("</script>") == 2  # the data and the script
    assert report_data(html_text)["partnerships"][0][1:3] == [HOSTILE, partnership["international_partner"]]
    text = report_text(report)
    assert HOSTILE not in text and "alert(5)</script>" not in text
    assert "&lt;/script&gt;&lt;script&gt;alert(5)&lt;/script&gt;" in text
    assert 'href="#kp-0000000000000001"' in text  # its project


def test_input_folder_without_a_recorded_one(tmp_path, monkeypatch):
    # issue 15: no ./raw fallback any more. Without datapackage.json (or one that is not JSON) and
    # without --input no page can be shown: the working directory is never searched
    out, pages = _hostile_out(tmp_path)
    monkeypatch.chdir(tmp_path)
    shutil.copytree(pages, tmp_path / "raw")
    for package in (None, "{not json"):
        if package is not None:
            (out / "datapackage.json").write_text(package, encoding="utf-8")
        result = build_report(out)
        text = report_text(result.path)
        assert text.count("source not available: the run recorded no input folder") == 3
        records = "\n".join(report_sections(result.path).values())  # the page's script builds marks: not it
        assert "<mark" not in records and "<pre>" not in records
        assert result.pages == PageCounts(total=2, gone=2)


# ---------------------------------------------------------------- the pages are the run's (issue 15)

PAGE_A = """Projekt: Rent vatten i Lusaka

Svensk partner: Umeå kommun
Internationell partner: Lusaka City Council, Zambia
Period: 2022–2024

Umeå kommun och Lusaka City Council i Zambia samarbetar om vattenförsörjning och avloppsrening.
"""
PAGE_B = """Projekt: Trygga skolor i Kalush

Svensk partner: Växjö kommun
Internationell partner: Kalush City Council, Ukraina
Period: 2023–2025

Växjö kommun och Kalush City Council i Ukraina arbetar med elevinflytande i skolan.
"""
OTHER_TEXT = "Helt annan text om Malmö stad och Kisumu County i Kenya, som ingen körning läste.\n"


@pytest.fixture()
def small_run(tmp_path) -> tuple[Path, Path]:
    """(output folder, input folder) of a run over two invented pages, side by side under tmp_path."""
    crawl = tmp_path / "work" / "crawl"
    crawl.mkdir(parents=True)
    (crawl / "a.txt").write_text(PAGE_A, encoding="utf-8")
    (crawl / "b.txt").write_text(PAGE_B, encoding="utf-8")
    out = tmp_path / "work" / "out"
    run(crawl, out, workers=1)
    files = {s["file"] for p in _projects(out) for s in p["sources"]}
    assert files == {"a.txt", "b.txt"}  # the fixture is only useful when both pages gave records
    return out, crawl


def _report(out: Path, *args: str):
    res = CliRunner().invoke(app, ["report", str(out), *args])
    return res, report_text(out / "report.html") if (out / "report.html").exists() else ""


def _shown_files(text: str) -> set[str]:
    """The pages whose text the report shows (blocks with a <pre>)."""
    return set(re.findall(r'data-file="([^"]+)"[^>]*data-status="(?:ok|unchecked)">', text))


def test_report_from_another_working_directory(small_run, tmp_path, monkeypatch):
    out, crawl = small_run
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    res, text = _report(out)
    assert res.exit_code == 0, res.output
    assert "sources: 2 of 2 pages match the run" in res.output
    assert _shown_files(text) == {"a.txt", "b.txt"}
    assert "Lusaka City Council" in text and 'data-field="international_partners"' in text
    assert "badge-" not in text.split("</style>")[1]


def test_moved_input_is_found_with_input_option(small_run, tmp_path):
    out, crawl = small_run
    moved = tmp_path / "archive" / "crawl-2024"
    moved.parent.mkdir()
    crawl.rename(moved)
    res, text = _report(out)
    assert res.exit_code == 1, res.output  # written, but none of the cited pages could be shown
    assert "sources: 2 of 2 pages gone" in res.output
    assert _shown_files(text) == set() and text.count('class="badge badge-gone"') >= 2
    res, text = _report(out, "--input", str(moved))
    assert res.exit_code == 0, res.output
    assert "sources: 2 of 2 pages match the run" in res.output and _shown_files(text) == {"a.txt", "b.txt"}


def test_changed_page_is_marked_and_not_shown(small_run):
    out, crawl = small_run
    (crawl / "b.txt").write_text(PAGE_B.replace("elevinflytande", "elevråd och elevinflytande"), encoding="utf-8")
    res, text = _report(out, "--quiet")
    assert res.exit_code == 0, res.output  # a.txt still matches
    assert res.output.strip() == "sources: 1 of 2 pages changed since the run"
    assert _shown_files(text) == {"a.txt"}
    assert 'class="badge badge-changed"' in text and "page changed since the run" in text
    assert "elevråd" not in text  # the changed text is not shown as the source
    blocks_b = re.findall(r'<div class="block"[^>]*data-status="changed">.*?</p></div>', text, flags=re.S)
    assert blocks_b and not any("<mark" in b for b in blocks_b)  # no highlights on it
    summary = text.split('<section class="stats"')[1].split("</section>")[0]
    assert "pages changed since the run" in summary


def test_same_named_files_in_working_directory_are_not_the_source(small_run, tmp_path, monkeypatch):
    # the trap of issue 15: the run's input is gone, and ./raw (the old default) holds files of the
    # same names with other content: they must not be shown as the records' source
    out, crawl = small_run
    shutil.rmtree(crawl)
    monkeypatch.chdir(tmp_path)
    for folder in (tmp_path / "raw", out / "raw"):
        folder.mkdir()
        for name in ("a.txt", "b.txt"):
            (folder / name).write_text(OTHER_TEXT, encoding="utf-8")
    res, text = _report(out)
    assert res.exit_code == 1, res.output
    assert "Kisumu" not in text and _shown_files(text) == set()
    # and named explicitly, a folder of other bytes is "changed", not the source
    res, text = _report(out, "--input", str(tmp_path / "raw"))
    assert res.exit_code == 1 and "sources: 2 of 2 pages changed since the run" in res.output
    assert "Kisumu" not in text and _shown_files(text) == set()


def test_source_links(tmp_path):
    out, pages = _hostile_out(tmp_path)
    records = json.loads((out / "projects.json").read_text(encoding="utf-8"))
    records[0]["sources"][0].update(source_url="https://example.org/p?a=1&b=2", retrieved_at="2024-05-01")
    records[0]["sources"][1].update(source_url="javascript:alert(4)")
    (out / "projects.json").write_text(json.dumps(records), encoding="utf-8")
    text = report_text(write_report(out, pages))
    assert '<a class="url" href="https://example.org/p?a=1&amp;b=2" rel="noopener noreferrer nofollow">' in text
    assert "retrieved 2024-05-01" in text
    assert 'href="javascript' not in text and '<span class="url">javascript:alert(4)</span>' in text
    assert text.count('class="badge badge-unchecked"') == 2  # no datapackage.json: no sha256 to compare with


def test_no_projects_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="projects.json"):
        write_report(tmp_path)


# ---------------------------------------------------------------- the CLI

def test_cli_report(seeds_out, seeds_html, tmp_path):
    runner = CliRunner()
    target = tmp_path / "r.html"
    res = runner.invoke(app, ["report", str(seeds_out), "--input", str(RAW), "--out", str(target)])
    assert res.exit_code == 0, res.output
    # the same page, but for the name of its sources folder (r.sources/ beside r.html)
    page = target.read_text(encoding="utf-8")
    assert '"sidecar":"r.sources"' in page
    assert page.replace('"sidecar":"r.sources"', '"sidecar":"report.sources"') == seeds_html
    assert _folder_bytes(tmp_path / "r.sources") == _folder_bytes(seeds_out / "report.sources")
    res = runner.invoke(app, ["report", str(tmp_path / "missing")])
    assert res.exit_code == 2
    assert "output folder not found" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["report", str(seeds_out), "--input", str(tmp_path / "nope")])
    assert res.exit_code == 2 and "input folder not found" in res.output
    res = runner.invoke(app, ["report", "--help"])
    assert res.exit_code == 0 and "--input" in res.output


def test_run_with_report(tmp_path, seeds_out):
    # at the depth of seeds_out: the report shows the input folder as the output records it, relative to
    # the output when the two share a folder (a clone under /tmp)
    out = tmp_path
    res = CliRunner().invoke(app, ["run", str(RAW), "--out", str(out), "--workers", "1", "--no-cache", "--report"])
    assert res.exit_code == 0, res.output
    assert (out / "report.html").read_bytes() == (seeds_out / "report.html").read_bytes()
    assert _folder_bytes(out / "report.sources") == _folder_bytes(seeds_out / "report.sources")
    out2 = tmp_path / "out2"
    res = CliRunner().invoke(app, ["run", str(RAW), "--out", str(out2), "--workers", "1", "--no-cache"])
    assert res.exit_code == 0 and not (out2 / "report.html").exists()


# ---------------------------------------------------------------- a real browser

@pytest.fixture(scope="module")
def browser_page(seeds_out):
    """The seeds' report open in headless Chromium, with console errors and page errors collected."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw, chromium_page(pw) as (page, problems):
        page.goto((seeds_out / "report.html").as_uri())
        page.wait_for_load_state("load")
        yield page, problems


def _visible_rows(page) -> list[dict]:
    return page.evaluate("""() => Array.from(document.querySelectorAll('#project-table tbody tr'))
        .filter(r => !r.hidden && r.offsetParent !== null)
        .map(r => ({id: r.dataset.id, cells: Array.from(r.cells).map(c => c.textContent)}))""")


def test_browser_loads_cleanly(browser_page, seeds_out):
    page, problems = browser_page
    assert page.title() == "kp_extract review report"
    assert len(_visible_rows(page)) == len(_projects(seeds_out))
    assert page.locator("#charts svg").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report.png"))
    assert problems == []


def test_browser_filter_by_country(browser_page, seeds_out):
    page, problems = browser_page
    projects = _projects(seeds_out)
    per_country = Counter(c for p in projects for c in p["countries"])
    # a country present in the data that not every record has
    code = min((c for c, n in per_country.items() if n < len(projects)), key=lambda c: (-per_country[c], c))
    page.select_option("#f-country", code)
    rows = _visible_rows(page)
    assert len(rows) == per_country[code]
    assert all(code in row["cells"][3].split(", ") for row in rows)
    assert page.inner_text("#f-count") == f"{per_country[code]} of {len(projects)} projects"
    page.select_option("#f-country", "")
    partner = projects[0]["swedish_partners"][0]
    page.fill("#f-text", partner.upper())
    rows = _visible_rows(page)
    assert rows and all(partner.casefold() in " ".join(r["cells"]).casefold() for r in rows)
    named = [p for p in projects if any(partner.casefold() in name.casefold() for name in
                                        [p["title"] or "", *p["swedish_partners"], *p["international_partners"]])]
    assert len(rows) == len(named)
    page.fill("#f-text", "")
    assert len(_visible_rows(page)) == len(projects)
    assert problems == []


def test_browser_sort(browser_page, seeds_out):
    page, problems = browser_page
    header = page.locator("#project-table th", has_text="Sources")
    header.click()
    counts = [int(r["cells"][7]) for r in _visible_rows(page)]
    assert counts == sorted(counts) and counts[0] < counts[-1]
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    counts = [int(r["cells"][7]) for r in _visible_rows(page)]
    assert counts == sorted(counts, reverse=True)
    assert header.get_attribute("aria-sort") == "descending"
    assert problems == []


def test_browser_record_marks_match_the_source(browser_page, seeds_out):
    page, problems = browser_page
    projects = _projects(seeds_out)
    record = max((p for p in projects if p["title"]), key=lambda p: (len(p["sources"]), p["record_id"]))
    rid = record["record_id"]
    assert not page.locator(f"section[id='{rid}']").is_visible()
    page.locator(f"#project-table a[href='#{rid}']").click()
    section = page.locator(f"section[id='{rid}']")
    section.wait_for(state="visible", timeout=10_000)  # its sources file is loaded when it is opened
    marks = page.evaluate("""id => Array.from(document.getElementById(id).querySelectorAll('mark[data-start]'))
        .map(m => ({field: m.dataset.field, file: m.closest('.block').dataset.file, start: +m.dataset.start,
                    end: +m.dataset.end,
                    text: m.textContent}))""", rid)
    assert marks
    texts = {}
    for m in marks:
        if m["file"] not in texts:
            texts[m["file"]] = read_page(RAW / m["file"], RAW).text
        assert texts[m["file"]][m["start"]:m["end"]] == m["text"], m
    assert any(m["field"] == "title" and m["text"].casefold() == record["title"].casefold() for m in marks)
    assert section.locator(".block").count() == len(record["sources"])
    ARTIFACTS.mkdir(exist_ok=True)
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "report-record.png"))
    # a possible duplicate links to the other record
    dup = next(p for p in projects if p["possible_duplicates"])
    page.goto((seeds_out / "report.html").as_uri() + f"#{dup['record_id']}")
    other = dup["possible_duplicates"][0]
    page.locator(f"section[id='{dup['record_id']}'] ul.dups a[href='#{other}']").click()
    page.locator(f"section[id='{other}']").wait_for(state="visible", timeout=10_000)
    assert page.locator(f"section[id='{dup['record_id']}']").count() == 0  # one record at a time
    assert problems == []


def test_browser_partnership_with_its_sources(browser_page, seeds_out):
    page, problems = browser_page
    partnerships = json.loads((seeds_out / "partnerships.json").read_text(encoding="utf-8"))
    page.goto((seeds_out / "report.html").as_uri() + "#partnerships")
    rows = page.evaluate("""() => Array.from(document.querySelectorAll('#partnership-table tbody tr'))
        .map(r => ({id: r.dataset.id, cells: Array.from(r.cells).map(c => c.textContent)}))""")
    assert len(rows) == len(partnerships)
    assert page.inner_text("#g-count") == f"{len(partnerships)} of {len(partnerships)} partnerships"
    best = max(partnerships, key=lambda pt: (len(pt["sources"]), pt["swedish_partner"], pt["international_partner"]))
    row = next(r for r in rows if r["cells"][:3] == [best["swedish_partner"], best["international_partner"],
                                                      best["country"]])
    assert int(row["cells"][5]) == len(best["sources"])
    page.locator(f"#partnership-table a[href='#{row['id']}']").click()
    section = page.locator(f"section[id='{row['id']}']")
    section.wait_for(state="visible", timeout=10_000)
    assert section.locator(".block").count() == len(best["sources"])
    assert section.locator("ul.dups a").count() == len(best["project_ids"])
    marks = page.evaluate("""id => Array.from(document.getElementById(id).querySelectorAll('mark[data-start]'))
        .map(m => ({field: m.dataset.field, file: m.closest('.block').dataset.file, start: +m.dataset.start,
                    end: +m.dataset.end, text: m.textContent}))""", row["id"])
    assert {m["field"] for m in marks} >= {"swedish_partners", "international_partners"}
    for m in marks:
        assert read_page(RAW / m["file"], RAW).text[m["start"]:m["end"]] == m["text"], m
    # a project of the partnership opens that project
    first = best["project_ids"][0]
    section.locator(f"ul.dups a[href='#{first}']").click()
    page.locator(f"section[id='{first}']").wait_for(state="visible", timeout=10_000)
    assert problems == []


def test_progress_bar_draws_on_a_terminal_only():
    import io

    from rich.console import Console

    from kp_extract.review.report import ReportProgressBar

    for terminal in (True, False):
        sink = io.StringIO()
        with ReportProgressBar(Console(file=sink, force_terminal=terminal, width=100)) as bar:
            bar("pages", 5, 5)
            bar("records", 7, 12)
            bar.progress.refresh()
        drawn = sink.getvalue()
        if terminal:
            assert "report: writing records" in drawn and "7/12" in drawn
        else:
            assert drawn == ""
