"""run --manifest (issue 15): reading the manifest, and its url and retrieved_at on every source, in
datapackage.json and in the summary; an HTML page's canonical URL where the manifest has no row."""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from kp_extract.cli import app
from kp_extract.run import pipeline
from kp_extract.run.manifest import ManifestError, PageOrigin, origin, read_manifest
from kp_extract.run.summary import summary_rows

HTML_URL = "https://www.example-kommun.se/internationellt/kalush"
HTML_PAGE = f"""<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Partnerskap med Kalush</title>
<link rel="canonical" href="{HTML_URL}"></head>
<body><main><article>
<h1>Partnerskap med Kalush</h1>
<p>Växjö kommun har sedan 2019 ett kommunalt partnerskap med Kalush i Ukraina. Projektet Trygga skolor pågår
2023–2025 och finansieras av ICLD.</p>
<p>Inom projektet arbetar kommunerna tillsammans med skolledare och lärare för att stärka elevinflytande och
demokrati i skolan.</p>
</article></main></body></html>
"""
TEXT_PAGE = """Projekt: Rent vatten i Lusaka

Svensk partner: Umeå kommun
Internationell partner: Lusaka City Council, Zambia
Period: 2022–2024

Umeå kommun och Lusaka City Council i Zambia samarbetar om vattenförsörjning och avloppsrening.
"""


@pytest.fixture()
def crawl(tmp_path) -> Path:
    folder = tmp_path / "crawl"
    (folder / "sub").mkdir(parents=True)
    (folder / "kalush.html").write_text(HTML_PAGE, encoding="utf-8")
    (folder / "sub" / "lusaka.txt").write_text(TEXT_PAGE, encoding="utf-8")
    return folder


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


# ---------------------------------------------------------------- reading

def test_csv_and_tsv_are_sniffed(tmp_path):
    rows = [("sub/lusaka.txt", "https://example.org/lusaka?a=1,2", "2024-05-01T10:00:00Z"),
            ("./kalush.html", "", "2024-05-02")]
    csv_text = "File , URL,retrieved_at,notes\n" + "".join(f'{f},"{u}",{t},x\n' for f, u, t in rows)
    tsv_text = "retrieved_at\tfile\turl\n" + "".join(f"{t}\t{f}\t{u}\n" for f, u, t in rows)
    for name, text, encoding in (("m.csv", csv_text, "utf-8-sig"), ("m.tsv", tsv_text, "utf-8")):
        manifest = read_manifest(write(tmp_path / name, text, encoding))
        assert manifest.rows == {"sub/lusaka.txt": PageOrigin("https://example.org/lusaka?a=1,2",
                                                              "2024-05-01T10:00:00Z"),
                                 "kalush.html": PageOrigin(None, "2024-05-02")}, name
        assert len(manifest.sha256) == 64


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("file,url\na.txt,https://example.org/a\n", "no column retrieved_at"),
    ("path;address;when\n", "no column file, url, retrieved_at"),
    ("file,url,retrieved_at\n,https://example.org/a,2024-01-01\n", "line 2: empty file"),
    ("file,url,retrieved_at\n/abs/a.txt,https://example.org/a,2024-01-01\n", "not relative"),
    ("file,url,retrieved_at\n../a.txt,https://example.org/a,2024-01-01\n", "not relative"),
    ("file,url,retrieved_at\na.txt,https://example.org/a,2024-01-01\n./a.txt,https://example.org/b,2024-01-01\n",
     "line 3: a.txt is named twice"),
    ("file,url,retrieved_at\na.txt,www.example.org/a,2024-01-01\n", "not an absolute URL"),
    ("file,url,retrieved_at\na.txt,https://example.org/a,last Tuesday\n", "not an ISO 8601"),
    ("just one column\n", "cannot tell the delimiter"),
])
def test_bad_manifests_are_one_clear_error(tmp_path, text, message):
    path = write(tmp_path / "m.csv", text)
    with pytest.raises(ManifestError, match=message) as exc:
        read_manifest(path)
    assert "\n" not in str(exc.value) and str(path) in str(exc.value)


def test_unreadable_manifest(tmp_path):
    with pytest.raises(ManifestError, match="cannot read"):
        read_manifest(tmp_path / "missing.csv")
    (tmp_path / "latin1.csv").write_bytes("file,url,retrieved_at\nå.txt,https://e.org/,2024-01-01\n".encode("latin-1"))
    with pytest.raises(ManifestError, match="not UTF-8"):
        read_manifest(tmp_path / "latin1.csv")


def test_the_manifest_wins_over_the_page_url(tmp_path):
    manifest = read_manifest(write(tmp_path / "m.csv", "file,url,retrieved_at\n"
                                   "a.html,https://example.org/a,2024-01-01\nb.html,,2024-01-02\n"))
    assert origin(manifest, "a.html", "https://canonical/a") == PageOrigin("https://example.org/a", "2024-01-01")
    assert origin(manifest, "b.html", "https://canonical/b") == PageOrigin("https://canonical/b", "2024-01-02")
    assert origin(manifest, "c.html", "https://canonical/c") == PageOrigin("https://canonical/c", None)
    assert origin(manifest, "c.txt", None) is None
    assert origin(None, "a.html", None) is None


# ---------------------------------------------------------------- a run

def test_run_attaches_origins_to_every_source(crawl, tmp_path):
    manifest = write(tmp_path / "m.tsv", "file\turl\tretrieved_at\n"
                     "sub/lusaka.txt\thttps://www.example.org/lusaka\t2024-05-01T10:00:00+02:00\n"
                     "gone.txt\thttps://www.example.org/gone\t2024-05-01\n"
                     "other/gone.txt\thttps://www.example.org/gone2\t2024-05-01\n")
    out = tmp_path / "out"
    summary = pipeline.run(crawl, out, workers=1, formats="csv,json,parquet", manifest=manifest)
    expected = {"sub/lusaka.txt": {"source_url": "https://www.example.org/lusaka",
                                   "retrieved_at": "2024-05-01T10:00:00+02:00"},
                "kalush.html": {"source_url": HTML_URL}}  # no row: the page's canonical URL, no time
    for stem in ("projects", "partnerships"):
        records = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
        files = {s["file"] for r in records for s in r["sources"]}
        assert files == set(expected), stem  # both pages gave records of both kinds
        for r in records:
            for s in r["sources"]:
                assert s == {"file": s["file"], "start": s["start"], "end": s["end"], **expected[s["file"]]}
        parquet = pq.read_table(out / f"{stem}.parquet").to_pylist()
        for r in parquet:
            for s in r["sources"]:
                want = expected[s["file"]]
                assert (s["source_url"], s["retrieved_at"]) == (want["source_url"], want.get("retrieved_at"))
    prov = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))["kp_extract"]
    assert prov["inputs"] == [{"path": "kalush.html", "sha256": prov["inputs"][0]["sha256"], "source_url": HTML_URL},
                              {"path": "sub/lusaka.txt", "sha256": prov["inputs"][1]["sha256"],
                               **expected["sub/lusaka.txt"]}]
    assert prov["manifest"]["path"] == "m.tsv" and len(prov["manifest"]["sha256"]) == 64
    assert "not the HTML" in prov["source_offsets"]
    # rows for files not in the input and pages without a row are counted, never silent
    assert summary.manifest_rows == 3 and summary.manifest_unmatched == ["gone.txt", "other/gone.txt"]
    assert summary.pages_without_row == 1
    assert dict(summary_rows(summary))["manifest"] == \
        "3 rows, 1 matched; 2 name no input file (gone.txt, other/gone.txt); 1 input files have no row"


def test_without_manifest_or_url_sources_are_unchanged(crawl, tmp_path):
    (crawl / "kalush.html").unlink()
    out = tmp_path / "out"
    summary = pipeline.run(crawl, out, workers=1)
    records = json.loads((out / "projects.json").read_text(encoding="utf-8"))
    assert records and all(set(s) == {"file", "start", "end"} for r in records for s in r["sources"])
    assert summary.manifest_rows is None and "manifest" not in dict(summary_rows(summary))


def test_cli_bad_manifest_is_a_usage_error_before_any_page_is_read(crawl, tmp_path):
    out = tmp_path / "out"
    bad = write(tmp_path / "m.csv", "file,url\nkalush.html,https://example.org/a\n")
    for manifest in (bad, tmp_path / "missing.csv"):
        res = CliRunner().invoke(app, ["run", str(crawl), "--out", str(out), "--manifest", str(manifest)])
        assert res.exit_code == 2, res.output
        assert len(res.output.strip().splitlines()) == 1 and res.output.startswith("error: manifest ")
        assert not out.exists()  # nothing was read or written
    good = write(tmp_path / "m2.csv", "file,url,retrieved_at\nkalush.html,https://example.org/a,2024-01-01\n")
    res = CliRunner().invoke(app, ["run", str(crawl), "--out", str(out), "--workers", "1", "--no-cache",
                                   "--manifest", str(good)])
    assert res.exit_code == 0, res.output
    assert "manifest" in res.output and "1 input files have no row" in res.output
