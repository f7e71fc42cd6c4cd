"""Record ids survive a re-crawl: what keeps an id and what changes it (README, 'Record ids').

Invented pages: a listing of three untitled cards and a one-sentence news item, run through the whole
pipeline; each test changes the crawl the way a real re-crawl does and compares the ids."""
from __future__ import annotations

import json
from pathlib import Path

from kp_extract.run.pipeline import run

HEADING = "Kommunala partnerskap"
CARDS = [
    "Karlstads kommun och Kericho County i Kenya samarbetar sedan 2019 om avfallshantering. "
    "Projektet pågår 2023–2025.\n\nSvensk partner\nKarlstads kommun\nInternationell partner\n"
    "Kericho County Government",
    "Borås stad och Kisumu County i Kenya har ett partnerskap om hållbar stadsplanering sedan 2021.\n\n"
    "Svensk partner\nBorås stad\nInternationell partner\nKisumu County Government",
    "Region Gävleborg och Vihiga County samarbetar om primärvård 2024–2025.\n\n"
    "Svensk partner\nRegion Gävleborg\nInternationell partner\nVihiga County",
]
NEWS = ("Nyheter\n\nMjölby kommun har beviljats medel från ICLD för ett kommunalt partnerskap med Ungheni i "
        "Moldavien. Projektet löper 2024–2026 och handlar om vattenförsörjning.\n")
CHROME = "Hoppa till innehåll\nMeny\nSök på webbplatsen\nSenast uppdaterad 2026-01-12\n\n"


def listing(cards: list[str]) -> str:
    return "\n\n".join([HEADING, *cards]) + "\n"


def crawl(folder: Path, pages: dict[str, str], tmp_path: Path) -> dict[tuple, str]:
    """Run over pages; (Swedish partners, partners abroad) -> record id, and per partnership its project ids and
    its partnership_id."""
    folder.mkdir()
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    out = tmp_path / f"out-{folder.name}"
    run(folder, out, workers=1)
    projects = json.loads((out / "projects.json").read_text(encoding="utf-8"))
    ids = {(tuple(p["swedish_partners"]), tuple(p["international_partners"])): p["record_id"] for p in projects}
    assert len(ids) == len(projects) == 4, projects  # every card and the news item, one record each
    partnerships = json.loads((out / "partnerships.json").read_text(encoding="utf-8"))
    links = {(p["swedish_partner"], p["international_partner"]): p["project_ids"] for p in partnerships}
    pair_ids = {(p["swedish_partner"], p["international_partner"]): p["partnership_id"] for p in partnerships}
    assert len(set(pair_ids.values())) == len(partnerships) == 4
    return {"ids": ids, "links": links, "partnership_ids": pair_ids}


def test_ids_survive_chrome_renames_reordering_and_a_repeated_card(tmp_path: Path) -> None:
    first = crawl(tmp_path / "first", {"listing.txt": listing(CARDS), "news.txt": NEWS}, tmp_path)
    variants = {
        "chrome": {"listing.txt": CHROME + listing(CARDS), "news.txt": CHROME + NEWS},
        "renamed": {"sida-1.txt": listing(CARDS), "nyhet-2.txt": NEWS},
        "reordered": {"listing.txt": listing([CARDS[2], CARDS[0], CARDS[1]]), "news.txt": NEWS},
        "repeated": {"listing.txt": listing(CARDS), "news.txt": NEWS, "a-repeat.txt": "Om oss\n\n" + CARDS[1]},
    }
    for name, pages in variants.items():
        again = crawl(tmp_path / name, pages, tmp_path)
        assert again == first, name


HEADED = [  # cards each led by a heading naming the pair: the first card's heading is the page's headline
    "Karlstad och Kericho County, Kenya\n\nSamarbetet gäller avfallshantering och återvinning.\n\n"
    "Projektområde\nEnvironment/Climate change",
    "Borås och Kisumu County, Kenya\n\nSamarbetet gäller hållbar stadsplanering.\n\nProjektområde\nUrban planning",
]


def test_ids_of_cards_led_by_their_own_headings_survive_reordering(tmp_path: Path) -> None:
    def ids(name: str, cards: list[str]) -> dict:
        folder = tmp_path / name
        folder.mkdir()
        (folder / "cards.txt").write_text("\n\n".join(cards) + "\n", encoding="utf-8")
        run(folder, tmp_path / f"out-{name}", workers=1)
        projects = json.loads((tmp_path / f"out-{name}" / "projects.json").read_text(encoding="utf-8"))
        return {p["international_partners"][0]: p["record_id"] for p in projects}

    first = ids("first", HEADED)
    assert len(set(first.values())) == 2
    assert ids("reordered", HEADED[::-1]) == first


def test_other_words_or_other_years_give_another_id(tmp_path: Path) -> None:
    first = crawl(tmp_path / "first", {"listing.txt": listing(CARDS), "news.txt": NEWS}, tmp_path)
    edited = [CARDS[0].replace("avfallshantering", "vattenrening"), CARDS[1], CARDS[2].replace("2024–2025", "2024–2026")]
    again = crawl(tmp_path / "edited", {"listing.txt": listing(edited), "news.txt": NEWS}, tmp_path)
    changed = {k for k in first["ids"] if first["ids"][k] != again["ids"][k]}
    assert changed == {(("Karlstads kommun",), ("Kericho County Government",)),
                       (("Region Gävleborg",), ("Vihiga County",))}
    # a partnership is its pair: new ids of its projects do not change its own
    assert again["partnership_ids"] == first["partnership_ids"]
    assert again["links"] != first["links"]
