"""The README's archivist's loop, end to end on the seed pages: crawl -> run -> review -> decide ->
crawl again -> diff. What each step keeps for the next is what the loop relies on: stable ids, the
decisions re-applied, the pages' origins, the archivist's metadata and a content-only diff."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from kp_extract.cli import app
from tests.conftest import RAW

runner = CliRunner()


def manifest(crawl: Path, day: str) -> Path:
    path = crawl.parent / f"manifest-{crawl.name}.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        rows = csv.writer(fh)
        rows.writerow(["file", "url", "retrieved_at"])
        for page in sorted(crawl.iterdir()):
            rows.writerow([page.name, f"https://example.org/{page.stem}", f"{day}T10:00:00Z"])
    return path


def run(crawl: Path, out: Path, *extra: str) -> None:
    got = runner.invoke(app, ["run", str(crawl), "--out", str(out), "-q", "--workers", "1", "--no-cache",
                              "--manifest", str(manifest(crawl, "2026-11-20")),
                              "--package-meta", str(crawl.parent / "package.yaml"),
                              "--format", "json,csv", "--report", *extra])
    assert got.exit_code == 0, got.output


def records(out: Path, kind: str) -> list[dict]:
    return json.loads((out / f"{kind}.json").read_text(encoding="utf-8"))


def test_the_archivists_loop(tmp_path):
    crawl = tmp_path / "crawl-1"
    shutil.copytree(RAW, crawl)
    (tmp_path / "package.yaml").write_text("title: Municipal partnerships archive\nversion: '2026.1'\n",
                                           encoding="utf-8")
    archive = tmp_path / "archive"
    run(crawl, archive)  # 2. run
    first = records(archive, "projects")
    assert (archive / "report.html").is_file() and (archive / "pages.csv").is_file()
    package = json.loads((archive / "datapackage.json").read_text(encoding="utf-8"))
    assert package["title"] == "Municipal partnerships archive"
    assert all(s["source_url"].startswith("https://example.org/") for p in first for s in p["sources"])

    # 3.-4. review and decide: reject one record, correct another's amount
    rejected, corrected = first[0], first[1]
    decisions = tmp_path / "decisions.csv"
    decisions.write_text("action,target,field,value,reviewer,date,note\n"
                         f"reject,{rejected['record_id']},,,A. Archivist,2026-12-01,a visit\n"
                         f"set,{corrected['record_id']},amount_sek,123000,A. Archivist,2026-12-01,letter\n",
                         encoding="utf-8")
    run(crawl, archive, "--decisions", str(decisions))
    decided = {p["record_id"]: p for p in records(archive, "projects")}
    assert rejected["record_id"] not in decided and decided[corrected["record_id"]]["amount_sek"] == 123000

    # 5. crawl again: every file renamed, a site menu above every page
    crawl2 = tmp_path / "crawl-2"
    crawl2.mkdir()
    for page in sorted(crawl.iterdir()):
        (crawl2 / f"2027_{page.name}").write_text("Meny | Sök | Kontakt\n\n" + page.read_text(encoding="utf-8"),
                                                  encoding="utf-8")
    archive2 = tmp_path / "archive-2"
    run(crawl2, archive2, "--decisions", str(decisions), "--compare", str(archive))
    again = {p["record_id"]: p for p in records(archive2, "projects")}
    assert again.keys() == decided.keys()  # the same records, the decisions applied again
    assert again[corrected["record_id"]]["amount_sek"] == 123000
    changes = json.loads((archive2 / "changes.json").read_text(encoding="utf-8"))
    assert changes["counts"]["projects"]["new"] == changes["counts"]["projects"]["gone"] == 0

    # 6. diff: the sources moved with the files; the content did not
    got = runner.invoke(app, ["diff", str(archive), str(archive2), "--json", "--ignore", "sources,confidence"])
    assert got.exit_code == 0, got.output
    counts = json.loads(got.stdout)["counts"]
    assert counts["projects"] == {"new": 0, "gone": 0, "altered": 0, "unchanged": len(decided)}
    assert counts["partnerships"]["new"] == counts["partnerships"]["gone"] == 0
