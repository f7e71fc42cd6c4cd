"""extract.titles: every span that could be a project's own name, and how it is written."""
from __future__ import annotations

import pytest

from kp_extract.stages.s5_extract.titles import is_label, title_candidates

from tests.stages.s5_extract.pages import analysed, prepare


def candidates(text: str):
    a = analysed(text)
    return a.page, {c.text: c for c in a.titles}


def kinds(text: str) -> dict[str, set[str]]:
    return {t: c.kinds for t, c in candidates(text)[1].items()}


PROJECTS = """Våra projekt

Projekt: Rena torg i Nyeri

Tranås kommun driver projektet ”Grön skola
för alla” tillsammans med Nyeri sedan 2020.

• Säkrare vatten 2011-2012
• Unga ledare, 2009

Förstudien (Smarta Kvarter) beviljades medel av ICLD.

Samarbetet syftar till projektet Levande Gator i centrum.

Cykla till skolan
Eleverna cyklar nu varje dag, året om.
"""


@pytest.mark.parametrize("title, kind", [
    ("Våra projekt", "headline"),            # the page's first heading
    ("Rena torg i Nyeri", "labelled"),       # 'Projekt: X'
    ("Grön skola för alla", "quoted"),       # a quoted name wrapped over one line break
    ("Säkrare vatten", "bullet"),            # 'Title 2011-2012'
    ("Unga ledare", "bullet"),               # 'Title, 2009'
    ("Smarta Kvarter", "paren"),             # in brackets after a project word
    ("Levande Gator", "named"),              # a title-case name the text gives a project
    ("Cykla till skolan", "line"),           # the short first line of a paragraph
])
def test_each_kind_of_candidate_and_the_text_it_extracts(title, kind):
    page, found = candidates(PROJECTS)
    assert kind in found[title].kinds
    c = found[title]
    assert " ".join(page.text[c.start:c.end].split()) == title  # the span is where the name is written


def test_a_wrapped_quoted_name_keeps_its_page_span_over_the_line_break():
    page, found = candidates(PROJECTS)
    c = found["Grön skola för alla"]
    assert page.text[c.start:c.end] == "Grön skola\nför alla"


def test_a_heading_after_the_first_is_a_heading_and_a_year_range_is_no_part_of_a_bullets_title():
    text = ("Nyheter från Nyeri\n\nTranås kommun och Nyeri har ett partnerskap.\n\nRent Vatten\n\n"
            "Projektet förbättrar vattnet i två byar.\n\n• Öppna Data 2011-2012 (Tranås/Nyeri)\n\n"
            "• Kenya – Governance for Youth, 2019-2021\n")
    got = kinds(text)
    assert got["Nyheter från Nyeri"] == {"headline"} and got["Rent Vatten"] == {"heading"}
    assert got["Öppna Data"] == {"bullet"}
    assert got["Governance for Youth"] == {"bullet"}  # a bullet's lead ('Kenya –') is dropped
    assert not [t for t in got if "2011" in t or "2019" in t or "Kenya" in t]


def test_the_same_name_in_one_block_is_one_candidate_of_several_kinds():
    page, found = candidates("Nyheter\n\nProjekt: ”Rena Torg”\n\nTranås kommun och Nyeri ska jobba vidare.\n")
    c = found["Rena Torg"]
    assert c.kinds == {"labelled", "quoted"}
    assert page.text[c.start:c.end] == "Rena Torg"
    assert c.features["kind_labelled"] == c.features["kind_quoted"] == 1.0


def test_no_candidates_from_footers_chrome_or_names_too_short_or_too_long():
    long_heading = " ".join(["ord"] * 30)
    text = (f"Svensk partner: Tranås kommun\n\nAB\n\n{long_heading}\n\nTranås and Nyeri, Kenya\n\n"
            "The project improves two markets.\n\nTema\nGender Equality\nSvensk partner\nTranås kommun\n")
    got = kinds(text)
    assert "Svensk partner: Tranås kommun" not in got and "Gender Equality" not in got and "Tema" not in got
    assert "AB" not in got and long_heading not in got
    assert "Tranås and Nyeri, Kenya" in got


def test_candidates_are_in_page_order():
    a = analysed(PROJECTS)
    assert [c.start for c in a.titles] == sorted(c.start for c in a.titles)
    assert a.titles[0].text == "Våra projekt"


HEADLINES = """Eksjö bidrar med kunskap om vatten

Eksjö kommun har ett partnerskap med Nyeri.

Bakgrund och syfte

Samarbetet började 2015.

Rent Vatten Nyeri

Projektet förbättrar vattnet i två byar.

Gröna Parker

Parkerna är gröna.
"""


def test_finite_verb_descriptive_and_project_opening():
    _page, found = candidates(HEADLINES)
    news, background, named, plain = (found[t].features for t in ("Eksjö bidrar med kunskap om vatten",
                                                                   "Bakgrund och syfte", "Rent Vatten Nyeri",
                                                                   "Gröna Parker"))
    assert news["finite_verb"] == 1.0 and news["descriptive"] == 0.0 and news["names_swedish"] == 1.0
    assert background["descriptive"] == 1.0 and background["finite_verb"] == 0.0
    assert named["project_opening"] == 1.0 and named["finite_verb"] == 0.0 and named["descriptive"] == 0.0
    assert plain["project_opening"] == 0.0  # 'Parkerna är gröna.' does not open a project's description
    assert all(f["prose_follows"] == 1.0 and f["whole_block"] == 1.0 and f["block_heading"] == 1.0
               for f in (news, background, named, plain))
    assert named["kind_heading"] == 1.0 and news["kind_headline"] == 1.0 and "kind_heading" not in news


def test_how_the_name_is_written():
    _page, found = candidates(PROJECTS)
    labelled, wrapped, bullet = found["Rena torg i Nyeri"].features, found["Grön skola för alla"].features, \
        found["Säkrare vatten"].features
    assert labelled["intro_before"] == 1.0  # 'Projekt:' stands before it
    assert wrapped["intro_before"] == 1.0 and wrapped["grant_near"] == 0.0
    assert found["Smarta Kvarter"].features["grant_near"] == 1.0  # 'beviljades medel' in its paragraph
    assert found["Smarta Kvarter"].features["capitalised"] == 1.0 and wrapped["capitalised"] == 0.25
    assert bullet["one_word"] == 0.0 and bullet["has_digit"] == 0.0
    assert all(c.features["page_labelled"] == 1.0 for c in found.values())  # one labelled name on the page
    assert found["Våra projekt"].features["ends_project_word"] == 1.0 and bullet["ends_project_word"] == 0.0


def test_a_repeated_name_and_a_page_with_no_label():
    text = ("Nyheter\n\nRent Vatten\n\nProjektet pågår.\n\nMer om Rent Vatten\n\nRent Vatten\nEtt år till.\n")
    _page, found = candidates(text)
    assert found["Rent Vatten"].features["repeated"] == 1.0  # a heading here, a paragraph's first line there
    assert found["Nyheter"].features["repeated"] == 0.0
    assert all(c.features["page_labelled"] == 0.0 for c in found.values())


def test_listing_headings_that_name_no_pair():
    text = ("Svensk partner: Tranås kommun\n\nRena Torg\n\nThe project improves two markets in Nyeri.\n\n"
            "Tranås and Nyeri, Kenya\n\nThe partnership started 2015.\n")
    _page, found = candidates(text)
    card_title, parties = found["Rena Torg"].features, found["Tranås and Nyeri, Kenya"].features
    assert card_title["page_listing"] == parties["page_listing"] == 1.0
    assert card_title["listing_heading"] == 1.0 and parties["listing_heading"] == 0.0
    assert parties["names_country"] == 1.0 and parties["names_swedish"] == 1.0
    page, blocks = prepare(text)
    unlisted = {c.text: c for c in title_candidates(blocks, [], listing=False)}
    assert unlisted["Rena Torg"].features["listing_heading"] == 0.0
    assert unlisted["Rena Torg"].features["page_listing"] == 0.0


def test_a_candidate_is_judged_without_asking_whether_a_rule_took_it():
    page, blocks = prepare(PROJECTS)
    a = analysed(PROJECTS)
    assert any(m.title for m in a.proposed.mentions)
    with_rules = {c.text: c.features for c in title_candidates(blocks, a.proposed.mentions)}
    without = {c.text: c.features for c in title_candidates(blocks, [])}
    assert with_rules == without



@pytest.mark.parametrize("title, label", [
    ("Kommunalt partnerskap", True),                          # the programme's label, as a whole
    ("”Kommunala partnerskap.”", True),                       # quotes and a stop aside
    ("Internationellt centrum för lokal demokrati", True),    # the programme organisation's name
    ("Sida", True),                                           # a funder (data/organisations.csv)
    ("Kommunala partnerskap i Nyeri", False),                 # more than the label: the model judges it
    ("Rena Torg", False),
    ("Letter of intent", True),                               # an agreement's kind, as a whole
    ("avsiktsförklaringen", True),
    ("Avtal om rent vatten i Nyeri", False),                  # more than the kind: the model judges it
])
def test_whether_a_would_be_title_is_the_programmes_label_an_organisations_name_or_an_agreements_kind(title, label):
    assert is_label(title) is label


@pytest.mark.parametrize("title, sequel, digit", [
    ("“Rent vatten 2.0”", 1.0, 0.0),                # a version number
    ("“Gröna torg III Skolor”", 1.0, 0.0),          # a roman numeral
    ("“Samarbete Del 2 – Turism”", 1.0, 0.0),       # 'Part 2'
    ("“TRAVA36”", 1.0, 0.0),                        # a code's number, written onto its letters
    ("“Möte i Nyeri 14 mars 2021”", 0.0, 1.0),      # a date's day and year are dates, not sequels
    ("“Besök 2021 i Nyeri”", 0.0, 1.0),             # a year
    ("“Rent vatten”", 0.0, 0.0),
])
def test_a_sequels_number_is_told_from_the_numbers_of_dates(title, sequel, digit):
    _page, found = candidates(f"Nyheter\n\nVi arbetar med {title} i Nyeri.\n")
    f = found[title.strip("“”")].features
    assert (f["sequel_number"], f["has_digit"]) == (sequel, digit)


def test_the_next_name_of_a_quoted_list_takes_the_first_names_intro_word():
    names = ("Rena Torg i hela Nyeri", "Gröna Parker för alla barn", "Rent Vatten i två byar", "Säkra Skolor")
    _page, found = candidates(f"Nyheter\n\nTranås driver projekt ”{names[0]}” & ”{names[1]}” och ”{names[2]}” "
                              f"(Dnr 12) samt ”{names[3]}” med Nyeri. Kommunen gillar ”Blå Dagar”.\n")
    assert all(found[t].features["intro_before"] == 1.0 for t in names)
    assert found["Blå Dagar"].features["intro_before"] == 0.0  # a sentence, not a list joiner, stands between


def test_a_quote_left_open_before_a_lists_next_name_ends_at_the_lists_joiner():
    page, found = candidates("Nyheter\n\nSamarbetet ledde till “Rena Torg i Nyeri (Dnr 2011-01 + 2011) and "
                             "“Gröna Parker” (Dnr 2014-02). Det gick bra.\n")
    assert "Rena Torg i Nyeri" in found and "Gröna Parker" in found
    assert not [t for t in found if "Dnr" in t]
    c = found["Rena Torg i Nyeri"]
    assert page.text[c.start:c.end] == "Rena Torg i Nyeri"
