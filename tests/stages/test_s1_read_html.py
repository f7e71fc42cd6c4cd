"""Tests for HTML input (kp_extract.stages.s1_read_html, dispatched by kp_extract.stages.s1_read).

The five seed pages (raw/*.txt) are wrapped, at test time, in realistic HTML (`seed_html`): headings
as <h1>/<h2>, paragraphs as <p> (a line break inside one as <br>), bullets as <ul><li>, label/value
footers as <dl>, inside a page with chrome trafilatura must strip (a breadcrumb and a menu <nav>, two
cookie banners, a <footer> with an address), a <title>, a canonical link, og:url and a date meta.
The pipeline over the HTML versions must give the same records as over the text seeds.

The extracted text equals the seed text except for whitespace HTML itself does not keep: runs of
spaces collapse, no-break spaces become spaces, trailing spaces go (trafilatura normalises them as a
browser does). So offsets (`sources` start/end) differ and are compared through the text they span,
every other field of every record is compared as it is.
"""
from __future__ import annotations

import builtins
import html
import json
import shutil
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from kp_extract.model import FileError, Page
from kp_extract.stages.s1_read import ReadError, list_page_files, read_page, read_pages

pytest.importorskip("trafilatura")

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "raw"
SEEDS = sorted(RAW.glob("*.txt"))
DATE = "2024-05-31"


# ------------------------------------------------------------------ seed pages as HTML

@lru_cache(maxsize=1)
def footer_labels() -> frozenset[str]:
    raw = json.loads((ROOT / "src/kp_extract/data/layout.json").read_text(encoding="utf-8"))
    return frozenset(label.casefold() for labels in raw["footer_labels"].values() for label in labels)


def is_label(line: str) -> bool:
    return line.strip().casefold() in footer_labels()


def seed_blocks(text: str) -> list[list[str]]:
    """The seed's blocks: runs of non-blank lines."""
    blocks, current = [], []
    for line in text.split("\n"):
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def is_heading(block: list[str]) -> bool:
    line = block[0].strip()
    return len(block) == 1 and len(line) < 100 and not line.endswith((".", ":", "?", "!", ",")) and ":" not in line


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def body_markup(text: str) -> tuple[str, str]:
    """(the seed's text as article markup, its first heading)."""
    parts: list[str] = []
    first_heading = ""
    for block in seed_blocks(text):
        if all(line.lstrip().startswith("•") for line in block):
            items = "".join(f"\n  <li>{esc(line.lstrip()[1:].strip())}</li>" for line in block)
            parts.append(f'<ul class="project-list">{items}\n</ul>')
        elif is_label(block[0]):
            rows = "".join(f"\n  <{'dt' if is_label(line) else 'dd'}>{esc(line)}</{'dt' if is_label(line) else 'dd'}>"
                           for line in block)
            parts.append(f'<dl class="project-facts">{rows}\n</dl>')
        elif len(block) > 1:
            parts.append("<p>" + "<br>\n".join(esc(line) for line in block) + "</p>")
        elif is_heading(block):
            tag = "h2" if first_heading else "h1"
            first_heading = first_heading or block[0]
            parts.append(f"<{tag}>{esc(block[0])}</{tag}>")
        else:
            parts.append(f"<p>{esc(block[0])}</p>")
    return "\n".join(parts), first_heading


def seed_html(text: str, stem: str) -> str:
    """A realistic HTML page around the seed's lines."""
    body, heading = body_markup(text)
    url = f"https://www.vaxjo.se/internationellt/{stem}"
    return f"""<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(heading or stem)} - Växjö kommun</title>
<link rel="canonical" href="{url}">
<meta property="og:url" content="{url}?utm_source=share">
<meta property="og:title" content="{esc(heading or stem)}">
<meta property="article:published_time" content="{DATE}T09:30:00+02:00">
<link rel="stylesheet" href="/css/site.css">
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
</head>
<body class="page cookies-not-set">
<div id="CybotCookiebotDialog" role="dialog">
  <h2>Denna webbplats använder kakor</h2>
  <p>Vi använder kakor för att anpassa innehållet och för att analysera vår trafik.</p>
  <button>Tillåt alla</button> <button>Neka</button>
</div>
<div class="cookie-banner" id="cookie-consent">
  <p>Vi använder kakor (cookies) för att förbättra webbplatsen. <a href="/kakor">Läs om kakor</a></p>
  <button>Acceptera alla</button>
</div>
<header class="site-header">
  <a class="logo" href="/">Växjö kommun</a>
  <nav class="main-menu" aria-label="Huvudmeny">
    <ul>
      <li><a href="/">Start</a></li>
      <li><a href="/omsorg">Omsorg och stöd</a></li>
      <li><a href="/bygga">Bygga, bo och miljö</a></li>
      <li><a href="/kommun-och-politik">Kommun och politik</a></li>
      <li><a href="/internationellt">Internationellt samarbete</a></li>
    </ul>
  </nav>
  <form class="search" action="/sok"><input name="q" placeholder="Sök på webbplatsen"><button>Sök</button></form>
</header>
<nav class="breadcrumb" aria-label="Du är här"><a href="/">Start</a> / <a href="/kommun-och-politik">Kommun och politik</a> / <a href="/internationellt">Internationellt</a></nav>
<main id="content">
<article class="page-content">
{body}
</article>
</main>
<footer class="site-footer">
  <p>Växjö kommun, Box 1222, 351 12 Växjö</p>
  <p>Besöksadress: Västra Esplanaden 18</p>
  <ul><li><a href="/tillganglighet">Tillgänglighetsredogörelse</a></li><li><a href="/personuppgifter">Personuppgifter</a></li></ul>
</footer>
</body>
</html>
"""


def write_html_seeds(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for seed in SEEDS:
        (folder / f"{seed.stem}.html").write_text(seed_html(seed.read_text(encoding="utf-8"), seed.stem),
                                                  encoding="utf-8")


def squash(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------ the pipeline over text and HTML

@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Outputs of the pipeline over the text seeds and over their HTML versions (workers=1)."""
    from kp_extract.run.pipeline import run

    base = tmp_path_factory.mktemp("html-seeds")
    txt_in, html_in = base / "txt", base / "html"
    txt_in.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, txt_in / seed.name)
    write_html_seeds(html_in)
    out = {}
    for name, folder in (("txt", txt_in), ("html", html_in)):
        dest = base / f"out-{name}"
        run(folder, dest, workers=1)
        out[name] = {
            "in": folder,
            "projects": json.loads((dest / "projects.json").read_text(encoding="utf-8")),
            "partnerships": json.loads((dest / "partnerships.json").read_text(encoding="utf-8")),
            "errors": (dest / "errors.jsonl").read_text(encoding="utf-8"),
        }
    return out


def without_offsets(record: dict) -> dict:
    """The record with each source reduced to its page (file stem): file names and offsets differ."""
    return {**record, "sources": [Path(s["file"]).stem for s in record["sources"]]}


def test_html_seed_pages_are_read_whole(tmp_path):
    """Each HTML version gives the seed's text exactly (the seeds' runs of spaces are no-break spaces,
    which HTML keeps), and nothing of the chrome (menus, cookie banners, footer)."""
    write_html_seeds(tmp_path)
    for seed in SEEDS:
        page = read_page(tmp_path / f"{seed.stem}.html", tmp_path)
        assert page.text == seed.read_text(encoding="utf-8"), seed.name
        for chrome in ("kakor", "Huvudmeny", "Box 1222", "Tillgänglighetsredogörelse", "Sök på webbplatsen",
                       "Omsorg och stöd"):
            assert chrome not in page.text, (seed.name, chrome)


def test_html_records_equal_text_records(runs):
    """projects.json and partnerships.json over the HTML pages equal those over the text seeds in every
    field; sources name the same pages in the same order (their offsets are checked below)."""
    txt, htm = runs["txt"], runs["html"]
    assert txt["projects"] and txt["partnerships"]
    assert htm["errors"] == txt["errors"] == ""
    assert [without_offsets(r) for r in htm["projects"]] == [without_offsets(r) for r in txt["projects"]]
    assert [without_offsets(r) for r in htm["partnerships"]] == [without_offsets(r) for r in txt["partnerships"]]
    for kind in ("projects", "partnerships"):
        for record in htm[kind]:
            assert all(s["file"].endswith(".html") for s in record["sources"])


def span_texts(run: dict, record: dict) -> list[str]:
    pages: dict[str, str] = {}
    out = []
    for s in record["sources"]:
        if s["file"] not in pages:
            pages[s["file"]] = read_page(run["in"] / s["file"], run["in"]).text
        out.append(pages[s["file"]][s["start"]:s["end"]])
    return out


def test_html_sources_index_the_extracted_text(runs):
    """Every source span of the HTML run, cut from the HTML page's extracted text (Page.text), holds the
    text the same source spans in the text run (whitespace aside); and a record's spans name its title
    or its partners."""
    txt, htm = runs["txt"], runs["html"]
    for kind in ("projects", "partnerships"):
        for t_rec, h_rec in zip(txt[kind], htm[kind], strict=True):
            h_spans, t_spans = span_texts(htm, h_rec), span_texts(txt, t_rec)
            assert [squash(s) for s in h_spans] == [squash(s) for s in t_spans]
            joined = squash(" ".join(h_spans)).casefold()
            if kind == "projects":
                names = ([h_rec["title"]] if h_rec["title"] else []) + h_rec["international_partners"]
            else:
                names = [h_rec["international_partner"]]
            words = {w.strip(".,()").casefold() for name in names for w in name.split() if len(w) > 3}
            assert any(w in joined for w in words), (h_rec, h_spans)


# ------------------------------------------------------------------ metadata

def test_title_url_date_metadata(tmp_path):
    seed = SEEDS[2]  # 002: a municipal page led by a heading
    write_html_seeds(tmp_path)
    page = read_page(tmp_path / f"{seed.stem}.html", tmp_path)
    heading = seed.read_text(encoding="utf-8").split("\n", 1)[0]
    assert page.title == heading  # the <title> without its site name
    assert page.url == f"https://www.vaxjo.se/internationellt/{seed.stem}"  # canonical before og:url
    assert page.date == DATE
    assert page.encoding == "utf-8"
    text_page = read_page(seed, RAW)
    assert (text_page.title, text_page.url, text_page.date) == (None, None, None)


PAGE = """<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title>{head}</head>
<body><nav><a href="/">Start</a> <a href="/om">Om oss</a></nav>
<main><h1>Partnerskap med Kalush</h1>
<p>Växjö kommun och Kalush i Ukraina har sedan 2023 ett kommunalt partnerskap om inkluderande ledarskap och
styrning. Samarbetet finansieras av ICLD och pågår till och med 2025, med besök i båda kommunerna.</p>
<p>Projektet ska stärka medborgardialogen i Kalush och ge Växjö nya erfarenheter av arbete i kris.</p>
</main><footer>Växjö kommun, Box 1222</footer></body></html>"""


def html_page(tmp_path: Path, name: str = "page.html", charset: str = "utf-8", title: str = "Kalush - Växjö kommun",
              head: str = "", encoding: str | None = None) -> Path:
    path = tmp_path / name
    path.write_bytes(PAGE.format(charset=charset, title=title, head=head).encode(encoding or charset))
    return path


def test_url_falls_back_to_og_url_and_relative_canonical(tmp_path):
    og = '<meta property="og:url" content="https://www.vaxjo.se/kalush">'
    assert read_page(html_page(tmp_path, head=og), tmp_path).url == "https://www.vaxjo.se/kalush"
    both = '<link rel="canonical" href="/internationellt/kalush">' + og
    assert read_page(html_page(tmp_path, head=both), tmp_path).url == "https://www.vaxjo.se/internationellt/kalush"
    none = read_page(html_page(tmp_path), tmp_path)
    assert (none.url, none.date) == (None, None)
    assert none.title == "Partnerskap med Kalush"  # trafilatura's choice: the <h1> over "X - site" titles
    og_title = '<meta property="og:title" content="Kalush – Växjö">'
    assert read_page(html_page(tmp_path, head=og_title), tmp_path).title == "Kalush – Växjö"


def test_main_text_shape(tmp_path):
    page = read_page(html_page(tmp_path), tmp_path)
    lines = page.text.split("\n")
    assert lines[0] == "Partnerskap med Kalush"
    assert lines[1] == ""
    assert lines[2].startswith("Växjö kommun och Kalush") and lines[2].endswith("i båda kommunerna.")
    assert lines[3] == "" and lines[4].startswith("Projektet ska")
    assert "Start" not in page.text and "Box 1222" not in page.text


def test_lists_tables_and_breaks_render_as_dump_lines(tmp_path):
    body = """<main><h1>Projekt</h1><p>Växjö kommun driver flera projekt med sina partner i Sydafrika, Vietnam
    och Kosovo. Här är de projekt som pågår just nu och de som avslutats under de senaste åren.</p>
    <ul><li>Traffic <b>planning</b></li><li>Water<br>management</li></ul>
    <ol><li>First</li><li>Second</li></ol>
    <table><tr><th>Projektområde</th><td>Urban planning</td></tr><tr><th>Svensk partner</th><td>Växjö kommun</td></tr></table>
    <p>Samarbetsområde: Utbildning<br>Lidingö och Slavuta vill minska skillnaderna i skolan.</p></main>"""
    path = tmp_path / "p.html"
    path.write_text(f"<html><head><title>T</title></head><body>{body}</body></html>", encoding="utf-8")
    text = read_page(path, tmp_path).text
    assert "  • Traffic planning\n  • Water management" in text
    assert "  1. First\n  2. Second" in text
    assert "Projektområde\nUrban planning\nSvensk partner\nVäxjö kommun" in text
    assert "Samarbetsområde: Utbildning\nLidingö och Slavuta" in text


def test_same_bytes_same_text(tmp_path):
    write_html_seeds(tmp_path)
    for seed in SEEDS:
        a = read_page(tmp_path / f"{seed.stem}.html", tmp_path)
        b = read_page(tmp_path / f"{seed.stem}.html", tmp_path)
        assert (a.text, a.title, a.url, a.date) == (b.text, b.title, b.url, b.date)


# ------------------------------------------------------------------ decoding

def test_declared_charset_is_respected(tmp_path):
    """A cp1252 page that says so; an ISO-8859-1 label (read as windows-1252, as browsers do); a BOM
    over a declaration; cp1252 bytes declared UTF-8 (a wrong declaration: read by detection)."""
    page = read_page(html_page(tmp_path, charset="windows-1252"), tmp_path)
    assert page.encoding == "cp1252" and "Växjö kommun och Kalush" in page.text
    og_title = '<meta property="og:title" content="Kalush – Växjö">'
    page = read_page(html_page(tmp_path, charset="iso-8859-1", head=og_title, encoding="cp1252"), tmp_path)
    assert page.encoding == "cp1252" and page.title == "Kalush – Växjö"  # – is 0x96: windows-1252, not latin-1
    path = tmp_path / "bom.html"
    path.write_bytes(b"\xef\xbb\xbf" + PAGE.format(charset="iso-8859-1", title="T", head="").encode("utf-8"))
    page = read_page(path, tmp_path)
    assert page.encoding == "utf-8-sig" and "Växjö kommun och Kalush" in page.text  # the BOM wins
    page = read_page(html_page(tmp_path, charset="utf-8", encoding="cp1252"), tmp_path)
    assert page.encoding == "cp1252" and "Växjö kommun och Kalush" in page.text  # wrong declaration
    # latin-1 declared on UTF-8 bytes decodes (every byte is latin-1), as a browser would show it
    page = read_page(html_page(tmp_path, charset="latin-1", encoding="utf-8"), tmp_path)
    assert page.encoding == "cp1252" and "VÃ¤xjÃ¶" in page.text


def test_utf16_with_bom(tmp_path):
    path = tmp_path / "wide.html"
    path.write_bytes(b"\xff\xfe" + PAGE.format(charset="utf-16", title="T", head="").encode("utf-16-le"))
    page = read_page(path, tmp_path)
    assert page.encoding == "utf-16-le" and "Växjö kommun och Kalush" in page.text


# ------------------------------------------------------------------ files and errors

def test_htm_and_upper_case_suffixes_are_listed_and_read(tmp_path):
    html_page(tmp_path, "a.htm")
    html_page(tmp_path, "B.HTML")
    (tmp_path / "c.txt").write_text("Växjö kommun\n", encoding="utf-8")
    (tmp_path / "d.xhtml").write_text("<html></html>", encoding="utf-8")
    assert [p.name for p in list_page_files(tmp_path)] == ["B.HTML", "a.htm", "c.txt"]
    pages = list(read_pages(tmp_path))
    assert all(isinstance(p, Page) for p in pages)
    assert "Partnerskap med Kalush" in pages[1].text


def test_binary_html_is_an_error_not_a_crash(tmp_path):
    (tmp_path / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (tmp_path / "noise.htm").write_bytes(bytes(range(32)) * 64)
    html_page(tmp_path, "ok.html")
    with pytest.raises(ReadError, match="binary content"):
        read_page(tmp_path / "image.html", tmp_path)
    results = list(read_pages(tmp_path))
    errors = [r for r in results if isinstance(r, FileError)]
    assert sorted(e.file for e in errors) == ["image.html", "noise.htm"]
    assert all(e.stage == "read" and "binary content" in e.reason for e in errors)
    assert [r.file for r in results if isinstance(r, Page)] == ["ok.html"]


def test_html_without_main_text_is_reported(tmp_path):
    """An HTML page with nothing but chrome gives no text and a warning the pipeline turns into a
    skipped file ("no text left: ...")."""
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>T</title></head><body><nav><a href='/'>Start</a></nav></body></html>",
                    encoding="utf-8")
    page = read_page(path, tmp_path)
    assert page.text.strip() == ""
    assert "no main text found in the HTML" in page.metadata["read_warning"]


@pytest.fixture
def no_trafilatura(monkeypatch):
    """trafilatura not installed: its import fails."""
    monkeypatch.setitem(sys.modules, "trafilatura", None)
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "trafilatura" or name.startswith("trafilatura."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)


def test_without_trafilatura_html_is_a_per_file_error(tmp_path, no_trafilatura):
    html_page(tmp_path, "page.html")
    (tmp_path / "seed.txt").write_text("Växjö kommun\n", encoding="utf-8")
    with pytest.raises(ReadError) as info:
        read_page(tmp_path / "page.html", tmp_path)
    assert info.value.reason == "HTML input needs the 'html' extra: pip install 'kp_extract[html]'"
    assert info.value.sha256  # the bytes were read: datapackage.json lists them
    results = list(read_pages(tmp_path))
    assert [type(r).__name__ for r in results] == ["FileError", "Page"]
    assert results[0] == FileError("page.html", "read", info.value.reason)


def test_without_trafilatura_the_run_goes_on(tmp_path, no_trafilatura):
    from kp_extract.run.pipeline import run

    src = tmp_path / "in"
    src.mkdir()
    html_page(src, "page.html")
    shutil.copy(SEEDS[2], src / SEEDS[2].name)
    out = tmp_path / "out"
    summary = run(src, out, workers=1)
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert errors == [{"file": "page.html", "stage": "read",
                       "reason": "HTML input needs the 'html' extra: pip install 'kp_extract[html]'"}]
    assert json.loads((out / "partnerships.json").read_text(encoding="utf-8"))
    assert summary is not None
