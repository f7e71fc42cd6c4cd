"""Tests for kp_extract.stages.s2_clean: chrome spans and page metadata.

Snippets are invented (Swedish and English) in the shape of real municipal and
programme pages; each case states exactly which text is marked.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kp_extract.stages.s2_clean import clean_page, find_chrome, is_chrome, parse_date, strip_chrome
from kp_extract.model import Page


def _page(text: str) -> Page:
    return Page(file="t.txt", text=text, sha256="0")


def marked(text: str) -> list[str]:
    return [text[s:e] for s, e in clean_page(_page(text)).chrome]


PROSE_SV = "Växjö och Kalush vill arbeta tillsammans för att göra ledarskap mer inkluderande."
PROSE_EN = "Växjö and Kalush prioritize collaboration and focus on crisis preparedness."

CASES = [
    # alert banner, Swedish: heading, text and close line
    pytest.param(
        "Eldningsförbud i länet\n\nLänsstyrelsen har beslutat om eldningsförbud. Det råder hög brandrisk.\n\n"
        "Stäng meddelande\n\nKommunala partnerskap\n\n" + PROSE_SV,
        ["Eldningsförbud i länet\n\nLänsstyrelsen har beslutat om eldningsförbud. Det råder hög brandrisk.\n\n"
         "Stäng meddelande"],
        id="alert-sv",
    ),
    pytest.param(
        "Water outage\nThe water supply is interrupted on Main Street today.\nClose message\n\n"
        "Our partnerships\n\n" + PROSE_EN,
        ["Water outage\nThe water supply is interrupted on Main Street today.\nClose message"],
        id="alert-en",
    ),
    pytest.param(
        "Trafikstörning\n\nVägen är avstängd.\n\nStäng\n\nPartnerskap\n\n" + PROSE_SV,
        ["Trafikstörning\n\nVägen är avstängd.\n\nStäng"],
        id="alert-bare-close-at-top",
    ),
    pytest.param(
        PROSE_SV + "\n\nKontakt\n\nSkriv ut\nDela\n",
        ["Kontakt", "Skriv ut", "Dela"],
        id="print-share-contact-sv",
    ),
    pytest.param(
        PROSE_EN + "\n\nContact\nPrint\nShare\n",
        ["Contact", "Print", "Share"],
        id="print-share-contact-en",
    ),
    pytest.param(
        PROSE_SV + "\n\nSenast uppdaterad: 4 juli 2018\nPolitik och demokrati",
        ["Senast uppdaterad: 4 juli 2018", "Politik och demokrati"],
        id="last-updated-and-category",
    ),
    pytest.param(
        "Politik och demokrati\n\n" + PROSE_SV + "\n\nSenast uppdaterad 2024-05-31\n",
        ["Senast uppdaterad 2024-05-31"],
        id="category-before-dateline-kept",
    ),
    pytest.param(
        PROSE_SV + "\n\nSenast uppdaterad: 4 juli 2018\nFalun och Kolomyia\n\n" + PROSE_SV,
        ["Senast uppdaterad: 4 juli 2018"],
        id="content-after-dateline-kept",
    ),
    pytest.param(
        PROSE_EN + "\n\nRelated links\n\nLast updated: 31 May 2024",
        ["Related links", "Last updated: 31 May 2024"],
        id="related-links-en",
    ),
    pytest.param(
        "Svensk partner: Växjö Kommun\n\nVäxjö and Kalush\n\n" + PROSE_EN,
        ["Svensk partner: Växjö Kommun"],
        id="listing-filter-sv",
    ),
    pytest.param(
        "Samarbetsland: Ukraina\n\nFalun och Kolomyia\n\n" + PROSE_SV,
        ["Samarbetsland: Ukraina"],
        id="listing-filter-country",
    ),
    pytest.param(
        "• Växjö kommun beviljas 1,5 miljoner SEK för ett treårigt projekt. Läs mer\n",
        ["Läs mer"],
        id="read-more-trailing-sv",
    ),
    pytest.param(
        "The project runs 2019-2021 with JB Marks. Read more\n",
        ["Read more"],
        id="read-more-trailing-en",
    ),
    pytest.param(
        "Kommunala partnerskap ger svenska kommuner möjlighet att bidra. Läs mer om kommunala partnerskap.",
        ["Läs mer om kommunala partnerskap."],
        id="read-more-about-sentence",
    ),
    pytest.param(
        "Partnerskapet samordnas av Institutet (ID) Länk till annan webbplats. för Växjö kommuns räkning.",
        ["Länk till annan webbplats."],
        id="external-link-annotation-sv",
    ),
    pytest.param(
        "The network is run by ICLD (Link to another website) together with SALAR.",
        ["(Link to another website)"],
        id="external-link-annotation-en",
    ),
    pytest.param(
        PROSE_SV + "\n\nKontaktperson: Anna Andersson, Exempel kommun, e-post anna.andersson@example.se, "
        "telefon 0470-12 34 56.\n",
        ["Kontaktperson: Anna Andersson, Exempel kommun, e-post anna.andersson@example.se, telefon 0470-12 34 56."],
        id="contact-person-sv",
    ),
    pytest.param(
        PROSE_EN + "\nFor questions, email jane.doe@example.org\n",
        ["For questions, email jane.doe@example.org"],
        id="email-line-en",
    ),
    pytest.param(
        "Ring oss på 08-123 456 78\n" + PROSE_SV,
        ["Ring oss på 08-123 456 78"],
        id="phone-line",
    ),
    pytest.param(
        "Contact: John Smith\n" + PROSE_EN,
        ["Contact: John Smith"],
        id="contact-label-en",
    ),
    pytest.param(
        PROSE_SV + "\n\nKontakta Servicecenter\n\nVi svarar på frågor om kommunens service, ring eller skicka e-post.\n\n"
        "Stängt Öppnar 26 jul kl 08.00\n",
        ["Kontakta Servicecenter\n\nVi svarar på frågor om kommunens service, ring eller skicka e-post.\n\n"
         "Stängt Öppnar 26 jul kl 08.00"],
        id="service-center-and-hours",
    ),
    pytest.param(
        PROSE_SV + "\n\nÖppet idag 08-17\nHjälpte informationen på sidan dig?\nJa\nNej\n",
        ["Öppet idag 08-17", "Hjälpte informationen på sidan dig?\nJa\nNej"],
        id="opening-hours-feedback-sv",
    ),
    pytest.param(
        PROSE_EN + "\n\nOpening hours\nMonday–Friday 8.00–17.00\n\nWas this page helpful?\nYes\nNo\n",
        ["Opening hours", "Monday–Friday 8.00–17.00", "Was this page helpful?\nYes\nNo"],
        id="opening-hours-feedback-en",
    ),
    pytest.param(
        "Vi använder kakor för att förbättra webbplatsen.\nGodkänn alla\nEndast nödvändiga\n\n" + PROSE_SV,
        ["Vi använder kakor för att förbättra webbplatsen.\nGodkänn alla\nEndast nödvändiga"],
        id="cookie-sv",
    ),
    pytest.param(
        "We use cookies to give you the best experience.\nAccept all cookies\n\n" + PROSE_EN,
        ["We use cookies to give you the best experience.\nAccept all cookies"],
        id="cookie-en",
    ),
    pytest.param(
        "Start > Kommun och politik > Internationellt samarbete\n\n" + PROSE_SV,
        ["Start > Kommun och politik > Internationellt samarbete"],
        id="breadcrumb-chevrons",
    ),
    pytest.param(
        "You are here: Home / International cooperation\n\n" + PROSE_EN,
        ["You are here: Home / International cooperation"],
        id="breadcrumb-en",
    ),
    pytest.param(
        "Meny\nSök\n\n" + PROSE_SV,
        ["Meny", "Sök"],
        id="menu-lines",
    ),
    pytest.param(
        PROSE_SV + "\nhttps://www.example.org/videos/123/\n",
        ["https://www.example.org/videos/123/"],
        id="bare-url",
    ),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_marks_exactly(text: str, expected: list[str]) -> None:
    assert marked(text) == expected


NEVER_MARKED = [
    PROSE_SV,
    PROSE_EN,
    "Falun och Kolomyia",
    "Växjö and JB Marks, South Africa",
    "Project: Local Coalition Work for Improved Governance",
    "Projekt: Efficient and Responsive Traffic Planning",
    "Samarbetsområde: Tekniska tjänster och infrastruktur",
    "Open spaces in growing cities are planned together with JB Marks (2019-2021).",
    "Samarbetet startade 2010 och projektet pågår 2019-2021 med 700 000 SEK.",
    "Kontakten mellan kommunerna har stärkts genom projektet.",
    "Share of women in leadership increased in both municipalities.",
    "Print media and communication training for municipal staff",
    "Dela kunskap och erfarenheter om vattenhantering",
    "• Public skills-training to create new job opportunities, januari 2019-december 2021 (Växjö/JB Marks)",
    "• Region Gotland beviljas 1,5 miljoner SEK för ett treårigt projekt (2023-2025).",
    "Tlokwe City Council, Sydafrika (2006 - )",
    "Projektområde\nUrban planning\nGlobala mål\n11 - Hållbara städer och samhällen\nSvensk partner\nVäxjö Kommun",
    "Ett tvåårigt projekt (2013-2015) med fokus på intern kommunikation.",
    "Stäng av kranen: projektet minskar vattenförbrukningen i Long Xuyen.",
]


@pytest.mark.parametrize("text", NEVER_MARKED)
def test_project_prose_never_marked(text: str) -> None:
    page = clean_page(_page("Rubrik\n\n" + text + "\n"))
    assert page.chrome == []


def test_bare_close_in_page_body_is_not_a_banner() -> None:
    body = "\n\n".join(f"Stycke {i} om projektet med Kalush och Växjö." for i in range(14))
    text = body + "\n\nProjekt A\n\nProjektet pågår 2019-2021.\n\nStäng\n"
    assert marked(text) == []


def test_long_line_marks_only_contact_sentence() -> None:
    prose = "Projektet pågår mellan 2019 och 2021 och omfattar vattenfrågor i båda kommunerna. " * 4
    text = prose + "Frågor besvaras av Anna på anna@example.se. " + prose.strip()
    assert marked(text) == ["Frågor besvaras av Anna på anna@example.se."]


@pytest.mark.parametrize(
    "text,key,value",
    [
        ("Senast uppdaterad: 4 juli 2018", "last_updated", "2018-07-04"),
        ("Senast uppdaterad 2024-05-31", "last_updated", "2024-05-31"),
        ("Last updated: 31 May 2024", "last_updated", "2024-05-31"),
        ("Page last updated: May 31, 2024", "last_updated", "2024-05-31"),
        ("Uppdaterad: 2 april 2023", "last_updated", "2023-04-02"),
        ("Publicerad: 12 mars 2023", "published", "2023-03-12"),
        ("Published 2022-11-05", "published", "2022-11-05"),
        ("Sidan uppdaterades 31.05.2024", "last_updated", "2024-05-31"),
    ],
)
def test_date_metadata(text: str, key: str, value: str) -> None:
    page = clean_page(_page(PROSE_SV + "\n\n" + text + "\n"))
    assert page.metadata[key] == value
    assert [page.text[s:e] for s, e in page.chrome] == [text]


def test_published_and_updated_on_one_line() -> None:
    page = clean_page(_page("Publicerad 2023-03-12, uppdaterad 2023-04-02\n\n" + PROSE_SV))
    assert page.metadata["published"] == "2023-03-12"
    assert page.metadata["last_updated"] == "2023-04-02"


def test_date_word_in_prose_is_not_metadata() -> None:
    text = "Uppdaterad information om projektet finns hos ICLD, som publicerade en rapport 2020-05-01 om arbetet."
    page = clean_page(_page(text))
    assert "last_updated" not in page.metadata and "published" not in page.metadata
    assert page.chrome == []


def test_listing_filter_metadata() -> None:
    page = clean_page(_page("Svensk partner: Växjö Kommun\n\nVäxjö and Kalush\n"))
    assert page.metadata["listing_filter"] == "Svensk partner: Växjö Kommun"
    page = clean_page(_page("Växjö and Kalush\n\nSvensk partner: Växjö Kommun\n"))
    assert "listing_filter" not in page.metadata


def test_parse_date_forms() -> None:
    assert parse_date("4 juli 2018") == "2018-07-04"
    assert parse_date("31 May 2024") == "2024-05-31"
    assert parse_date("juni 2020") == "2020-06"
    assert parse_date("2024-02-30") is None
    assert parse_date("inget datum") is None


def test_clean_is_idempotent_and_keeps_other_metadata() -> None:
    page = _page("Skriv ut\n" + PROSE_SV + "\nSenast uppdaterad: 4 juli 2018")
    page.metadata["source_url"] = "x"
    first = clean_page(page)
    again = clean_page(first)
    assert again.chrome == first.chrome and first.chrome
    assert again.metadata == first.metadata == {"source_url": "x", "last_updated": "2018-07-04"}


def test_clean_leaves_the_page_it_is_given_as_it_was() -> None:
    page = _page("Skriv ut\n" + PROSE_SV + "\nSenast uppdaterad: 4 juli 2018")
    page.metadata["last_updated"] = "1999-01-01"  # a stale value clean replaces in its copy only
    cleaned = clean_page(page)
    assert cleaned is not page and cleaned.chrome and cleaned.metadata["last_updated"] == "2018-07-04"
    assert page.chrome == [] and page.metadata == {"last_updated": "1999-01-01"}


def test_is_chrome_and_strip_chrome() -> None:
    text = PROSE_SV + "\n\nKontakt\n\nSkriv ut\n"
    page = clean_page(_page(text))
    tail = text.index("Kontakt")
    assert is_chrome(page, tail, len(text))
    assert not is_chrome(page, 0, len(text))
    stripped = strip_chrome(page)
    assert len(stripped) == len(text)
    assert stripped.strip() == PROSE_SV


SEEDS = Path(__file__).resolve().parents[2] / "raw"


def test_seed_pages_chrome_is_short_and_never_a_long_paragraph() -> None:
    assert sorted(SEEDS.glob("*.txt"))
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text("utf-8")
        spans, _ = find_chrome(text)
        for s, e in spans:
            chunk = text[s:e]
            # only whole banners/widgets are long; never a single long prose line
            for line in chunk.split("\n"):
                assert len(line) <= 300, (path.name, line[:80])


# --- property tests ----------------------------------------------------------

CHROME_BITS = [
    "Skriv ut", "Dela", "Kontakt", "Stäng", "Stäng meddelande", "Close message", "Läs mer",
    "Senast uppdaterad: 4 juli 2018", "Last updated: 31 May 2024", "Svensk partner: X",
    "Hjälpte informationen på sidan dig?", "Ja", "Nej", "Vi använder kakor.", "Godkänn alla",
    "Kontakta Servicecenter", "ring oss", "Stängt Öppnar 26 jul kl 08.00", "a@b.se", "0470-12 34 56",
    "https://x.se", "Start > A > B", "Länk till annan webbplats.", "", " ", "Politik och demokrati",
    PROSE_SV, PROSE_EN,
]

texts = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(st.sampled_from(CHROME_BITS), st.text(max_size=30)), max_size=25).map("\n".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_chrome_spans_are_valid(text: str) -> None:
    page = clean_page(_page(text))
    prev_end = -1
    for s, e in page.chrome:
        assert isinstance(s, int) and isinstance(e, int)
        assert 0 <= s < e <= len(text)
        assert s > prev_end  # sorted, non-overlapping, non-touching
        prev_end = e
    assert clean_page(page).chrome == page.chrome
    for value in page.metadata.values():
        assert isinstance(value, str)
