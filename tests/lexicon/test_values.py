"""Tests for kp_extract.lexicon.values: typed value finders (amounts, dates, durations, SDGs, since-years)."""
from __future__ import annotations

import dataclasses
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kp_extract.lexicon.values import (
    Found,
    find_amounts,
    find_date_ranges,
    find_durations,
    find_sdgs,
    find_since_years,
    find_single_dates,
    parse_sdg_footer,
)


# KP_HYPOTHESIS_EXAMPLES raises the example count for a soak run; no example
# database is written into the tree.
_N = int(os.environ.get("KP_HYPOTHESIS_EXAMPLES", "300"))
_HYP = dict(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def vals(found: list[Found]) -> list:
    return [f.value for f in found]


def test_found_is_frozen_and_has_fields():
    f = Found(1, 0, 1)
    assert {x.name for x in dataclasses.fields(Found)} == {
        "value", "start", "end", "kind", "per_year", "range_part", "total", "context"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.value = 2  # type: ignore[misc]


# ---------------------------------------------------------------- amounts

@pytest.mark.parametrize("text,expected", [
    ("1,5 miljoner SEK", 1_500_000),
    ("2,55 miljoner", 2_550_000),
    ("700 000 SEK", 700_000),
    ("700 000 kronor", 700_000),
    ("8,4 million SEK", 8_400_000),
    ("1.2 million SEK", 1_200_000),
    ("drygt 2,3 miljoner kronor", 2_300_000),
    ("SEK 450,000", 450_000),
    ("450 000 kr", 450_000),
    ("1 miljon kronor", 1_000_000),
    ("en miljon kronor", 1_000_000),
    ("250 000:-", 250_000),
    ("3 mkr", 3_000_000),
    ("MSEK 1.2", 1_200_000),
    ("beviljade medel: 250 000 kronor", 250_000),
    ("Växjö kommun beviljas 2,55 miljoner SEK. Läs mer", 2_550_000),
    ("Lycksele kommun får ytterligare 700 000 SEK till sitt befintliga projekt", 700_000),
    ("The project was granted SEK 1.8 million for three years.", 1_800_000),
    ("ICLD granted 950,000 SEK to the partnership", 950_000),
    ("Projektet får 2\u00a0400\u00a0000 kronor", 2_400_000),
    ("beviljas 1 250 000 kr", 1_250_000),
    ("beviljas 600.000 kr", 600_000),
    ("ett bidrag på 450 tkr", 450_000),
    ("två miljoner kronor", 2_000_000),
    ("half a million SEK", 500_000),
    ("Budget: 1,2 Mkr", 1_200_000),
    ("kommunen beviljas 3 miljoner för projektet", 3_000_000),
])
def test_amounts(text, expected):
    found = find_amounts(text)
    assert vals(found) == [expected]
    f = found[0]
    assert not f.per_year and not f.range_part and not f.total
    assert text[f.start:f.end].strip()


@pytest.mark.parametrize("text", [
    "Det finns 3,5 miljoner människor i regionen.",
    "Kommunen har 2019 invånare per kvadratkilometer",
    "Projektet pågår 2019-2021 och omfattar 15 aktiviteter.",
    "I en radie av 200 km finns 3,5 miljoner människor.",
    "The city has 1.2 million inhabitants.",
    "EU bidrar med 2 miljoner euro.",
    "The budget is EUR 1.5 million",
    "Telefon 0470-77 85 51",
    "år 2019 och 2020",
    "Agenda 2030",
    "Fler än 35 projekt har genomförts",
])
def test_not_amounts(text):
    assert find_amounts(text) == []


@pytest.mark.parametrize("text,expected", [
    ("300 000 kronor per år", 300_000),
    ("SEK 200,000 per year", 200_000),
    ("Kommunen får 150 000 kr årligen", 150_000),
    ("500 000 SEK annually", 500_000),
])
def test_amount_per_year(text, expected):
    (f,) = find_amounts(text)
    assert f.value == expected and f.per_year


@pytest.mark.parametrize("text,expected", [
    ("ICLD beviljar sammanlagt 7,3 miljoner kronor till tre svenska kommuner", 7_300_000),
    ("Totalt har 12 miljoner kronor beviljats till åtta projekt", 12_000_000),
    ("Totalt har ICLD i år beviljat 9 miljoner kronor", 9_000_000),
    ("a total of SEK 5 million was granted to six partnerships", 5_000_000),
    ("In total, 4.5 million SEK goes to the network", 4_500_000),
    ("8 miljoner kronor totalt", 8_000_000),
])
def test_amount_total(text, expected):
    (f,) = find_amounts(text)
    assert f.value == expected and f.total


@pytest.mark.parametrize("text", [
    "ICLD beviljar 7,3 miljoner kronor till tre svenska kommuner och en region",
    "SEK 9 million to 12 projects",
    "45 miljoner kronor fördelat på 30 projekt",
])
def test_amount_shared_among_several_is_total(text):
    (f,) = find_amounts(text)
    assert f.total


def test_project_amount_in_article_not_total():
    text = ("ICLD beviljar sammanlagt 7,3 miljoner kronor till tre kommuner.\n"
            "  • Växjö kommun beviljas 1,5 miljoner SEK för ett treårigt projekt.")
    found = find_amounts(text)
    assert [(f.value, f.total) for f in found] == [(7_300_000, True), (1_500_000, False)]


@pytest.mark.parametrize("text,expected", [
    ("mellan 1 och 2 miljoner kronor", [1_000_000, 2_000_000]),
    ("between SEK 500,000 and 1 million", [500_000, 1_000_000]),
    ("500 000–700 000 kr", [500_000, 700_000]),
    ("projekten får mellan 300 000 och 800 000 kronor", [300_000, 800_000]),
    ("between 1.5 and 2 million SEK", [1_500_000, 2_000_000]),
])
def test_amount_ranges(text, expected):
    found = find_amounts(text)
    assert vals(found) == expected
    assert all(f.range_part for f in found)


def test_amount_offsets_and_order():
    text = "Först 1,5 miljoner SEK, sedan 700 000 kr och sist MSEK 2."
    found = find_amounts(text)
    assert vals(found) == [1_500_000, 700_000, 2_000_000]
    assert [text[f.start:f.end] for f in found] == ["1,5 miljoner SEK", "700 000 kr", "MSEK 2"]
    assert [f.start for f in found] == sorted(f.start for f in found)


# ---------------------------------------------------------------- date ranges

@pytest.mark.parametrize("text,expected", [
    ("(2023-2025)", ("2023", "2025")),
    ("2019-2021", ("2019", "2021")),
    ("2019–2021", ("2019", "2021")),
    ("2019 - 2021", ("2019", "2021")),
    ("2019 — 2021", ("2019", "2021")),
    ("Projektet pågår mellan 2019-2021 med målet", ("2019", "2021")),
    ("januari 2019-december 2021", ("2019-01", "2021-12")),
    ("januari 2020-juni 2020", ("2020-01", "2020-06")),
    ("Projektet har start 1 juli 2016 och pågår till 30 juni 2019.", ("2016-07-01", "2019-06-30")),
    ("juli 2019 till juli 2022", ("2019-07", "2022-07")),
    ("from March 2018 to February 2020", ("2018-03", "2020-02")),
    ("under 2025-2026", ("2025", "2026")),
    ("2019/2020", ("2019", "2020")),
    ("mellan 2019 och 2021", ("2019", "2021")),
    ("between 2019 and 2021", ("2019", "2021")),
    ("from 2017 until 2019", ("2017", "2019")),
    ("januari-juni 2020", ("2020-01", "2020-06")),
    ("Jan 2019 – Dec 2020", ("2019-01", "2020-12")),
    ("sept. 2019 - aug. 2021", ("2019-09", "2021-08")),
    ("1 juli-30 september 2021", ("2021-07-01", "2021-09-30")),
    ("hösten 2018 till våren 2020", ("2018", "2020")),
    ("The project started on 1 March 2018 and ends on 28 February 2020.", ("2018-03-01", "2020-02-28")),
    ("is a two-year project (2019-2020) based on", ("2019", "2020")),
    ("• Title, januari 2019-december 2021 (Växjö/JB Marks)", ("2019-01", "2021-12")),
    ("2018-01-15 – 2019-12-31", ("2018-01-15", "2019-12-31")),
    ("2020-21", ("2020", "2021")),
    ("verksamhetsåret 2019/20", ("2019", "2020")),
    ("mellan januari 2019 och december 2020", ("2019-01", "2020-12")),
    ("under perioden 1 januari 2019 till 31 december 2021", ("2019-01-01", "2021-12-31")),
    ("Project period: Sep 2020 - Aug 2023", ("2020-09", "2023-08")),
    ("Förstudien genomförs mellan mars och oktober 2026.", ("2026-03", "2026-10")),
    ("Kommunen deltog under 2011 och 2012 i ett projekt om vatten.", ("2011", "2012")),
    ("Arbetet påbörjades 2 februari och pågår till sista maj 2027.", ("2027-02-02", "2027-05-31")),
])
def test_date_ranges(text, expected):
    found = find_date_ranges(text)
    assert vals(found) == [expected]
    assert found[0].context is None


@pytest.mark.parametrize("text", [
    "2021-2019",                     # end before start
    "1990-2020",                     # more than 15 years
    "Agenda 2030",
    "2019-01-15",                    # a single ISO date
    "telefon 0470-796720",
    "under 2013 och 2015",           # a list, not a range
    "Vi träffades i mars och oktober 2026.",  # two months, no "mellan": a list
    "Vi ses 2 februari. Arbetet pågår till maj 2027.",  # a yearless day borrows no year across sentences
    "Senast uppdaterad: 4 juli 2018",
    "sedan 2005",
    "https://example.com/videos/723525815140549/",
    "2011-12",                       # could be December 2011
])
def test_not_date_ranges(text):
    assert find_date_ranges(text) == []


@pytest.mark.parametrize("text,context", [
    ("Publicerad 2019-2021", "publication"),
    ("Last updated: March 2018 - April 2018", "publication"),
    ("Styrelsen beslutade i januari 2019-februari 2019", "decision"),
    ("besöket januari 2019-februari 2019", "visit"),
    ("gästerna besöker staden i tre veckor någon gång mellan april 2027- juni 2027", "visit"),
    ("Statistik 2015-2018 visar", "statistics"),
])
def test_date_range_context(text, context):
    (f,) = find_date_ranges(text)
    assert f.context == context


@pytest.mark.parametrize("text,expected,kind", [
    ("hösten 2018", "2018", "season"),
    ("i januari 2019", "2019-01", "month"),
    ("15 mars 2021", "2021-03-15", "day"),
    ("March 15, 2021", "2021-03-15", "day"),
    ("the 3rd of May 2020", "2020-05-03", "day"),
    ("början av 2019", "2019", "season"),
    ("in the spring of 2017", "2017", "season"),
    ("2019-05-03", "2019-05-03", "day"),
    ("results will by 2025 relate", "2025", "year"),
    ("in September 2022", "2022-09", "month"),
    ("sista mars 2026", "2026-03-31", "day"),
    ("the last day of February 2028", "2028-02-29", "day"),
])
def test_single_dates(text, expected, kind):
    found = find_single_dates(text)
    assert [(f.value, f.kind) for f in found] == [(expected, kind)]


@pytest.mark.parametrize("text,context", [
    ("Senast uppdaterad: 31 maj 2024", "publication"),
    ("Publicerad 12 mars 2020", "publication"),
    ("Last updated 3 May 2021", "publication"),
    ("Kommunfullmäktige beslutade i juni 2019", "decision"),
    ("The programme was announced in May 2019", "decision"),
    ("Delegationen besökte Växjö i oktober 2018", "visit"),
    ("The mayor visited JB Marks in March 2019", "visit"),
    ("år 2019 hade kommunen 90 000 invånare", "statistics"),
    ("Sedan 2010 har provinsen", "since"),
    ("sedan sommaren 2018", "since"),
])
def test_single_date_context(text, context):
    (f,) = find_single_dates(text)
    assert f.context == context


def test_single_dates_skip_range_members_and_names():
    text = "Ett tvåårigt projekt (2013-2015) i linje med Agenda 2030, startade hösten 2012."
    assert vals(find_single_dates(text)) == ["2012"]
    assert vals(find_date_ranges(text)) == [("2013", "2015")]


@pytest.mark.parametrize("text", ["31 februari 2019", "Vision 2030", "ISO 2015"])
def test_not_single_dates(text):
    assert find_single_dates(text) == []


# ---------------------------------------------------------------- durations

@pytest.mark.parametrize("text,expected", [
    ("three-year", 3), ("a 3-year project", 3), ("two-year project", 2),
    ("The proposal stretches over three years (2023-2025)", 3),
    ("The project streaches over three years and is based on", 3),
    ("The project is planned to run for three years.", 3),
    ("ett treårigt projekt", 3), ("tvåårigt", 2), ("ett ettårigt utbyte", 1),
    ("det tvååriga projektet", 2), ("Projektet pågår under ett år.", 1),
    ("under två år", 2), ("18 months", 1.5), ("18 månader", 1.5),
    ("This three-year long (2019-2021) project", 3),
    ("a 4-year programme", 4), ("ett 3-årigt projekt", 3),
    ("ett och ett halvt år", 1.5), ("a 24-month project", 2), ("ett femårigt avtal", 5),
    ("The project lasts for two years", 2),
    ("The exchange will last 2 years", 2),
    ("Under inceptionsåret kartläggs behoven.", 1), ("During the inception year, the towns map needs", 1),
    ("ett treårsprojekt", 3), ("ett 3-årsprojekt", 3), ("a three year project", 3),
])
def test_durations(text, expected):
    found = find_durations(text)
    assert vals(found) == [expected]
    assert found[0].kind == "duration" and not found[0].range_part


@pytest.mark.parametrize("text", [
    "for many years", "three years ago", "a 15 year old girl", "för tre år sedan",
    "the project consists of 15 activities", "three goals", "2019-2021",
    "Over the last 12 years the town has grown",
])
def test_not_durations(text):
    assert find_durations(text) == []


@pytest.mark.parametrize("text,expected", [
    ("Projekten pågår under ett till två år", [1, 2]),
    ("Projects run 1-2 years", [1, 2]),
    ("two to three years", [2, 3]),
])
def test_duration_ranges(text, expected):
    found = find_durations(text)
    assert vals(found) == expected and all(f.range_part for f in found)


@pytest.mark.parametrize("text,kind", [
    ("a one-year inception phase", "phase"),
    ("en ettårig förstudie", "phase"),
    ("en förstudie under sex månader", "phase"),
    ("The ambition is to apply for a three-year project", "ambition"),
    ("We hope to continue with a two-year project", "ambition"),
    ("They plan to apply for a three-year project next year", "ambition"),
    ("Parterna vill på sikt söka ett treårigt projekt", "ambition"),
    ("The proposed three-year project", "duration"),
])
def test_duration_kinds(text, kind):
    (f,) = find_durations(text)
    assert f.kind == kind


# ---------------------------------------------------------------- SDGs

@pytest.mark.parametrize("text,expected", [
    ("The project is based on the SDG no 11.", [11]),
    ("SDG 11", [11]),
    ("SDGs 5 and 11", [5, 11]),
    ("the Sustainable Development Goal no 7.", [7]),
    ("with the aim on sustainable development goal number 7 in Agenda 2030", [7]),
    ("a strong connection to goal 17 in the sustainable development goals", [17]),
    ("The project has a strong connection to goal 17.", [17]),
    ("Projektområdet utgår även från Agenda 2030, mål 3 samt mål 11 som", [3, 11]),
    ("Projektet bidrar till mål 3 och 11.", [3, 11]),
    ("Agenda 2030, mål 3", [3]),
    ("globala mål 16", [16]),
    ("Global Goal 5", [5]),
    ("SDG 1, 5, 10 and 16", [1, 5, 10, 16]),
    ("FN:s globala mål nr 6", [6]),
    ("hållbarhetsmål 13", [13]),
    ("SDG #4", [4]),
])
def test_sdgs(text, expected):
    found = [f for f in find_sdgs(text) if f.kind == "number"]
    assert vals(found) == expected


@pytest.mark.parametrize("text", [
    "Agenda 2030", "Development of an Energy Plan in Line with Agenda 2030", "2019-2021",
    "The proposal consists of 15 activities in total.", "The project has three goals.",
    "Mål 1: Stärkt kapacitet hos förvaltningen", "SDG 18", "Målet är 5 workshops per år",
    "Växjö har mål 2030 att bli fossilfritt", "goal 5 years from now",
    "I linje med Agenda 2030 har projektet två mål. Mål 1: Stärkt kapacitet.",
])
def test_not_sdgs(text):
    assert [f for f in find_sdgs(text) if f.kind == "number"] == []


@pytest.mark.parametrize("text,expected", [
    ("SDG no 11. Sustainable cities and communities.", [11, 11]),
    ("Projektet bidrar till Hållbara städer och samhällen", [11]),
    ("peace, justice and strong institutions", [16]),
    ("Gender equality is a theme", []),   # generic names are footer-only, unless a goal word introduces them:
    ("It contributes to the Sustainable Development Goals Quality education and Gender equality.", [4, 5]),
    ("Projektet kopplar också till målet Jämställdhet.", [5]),
    ("Det bidrar till globala målen: jämställdhet och bekämpa klimatförändringarna.", [5, 13]),
    ("SDG 4, Quality education, and SDG 13, Climate action", [4, 4, 13, 13]),
    ("Projektets mål är jämställdhet i skolan.", []),
    ("Målen: jämställdhet och demokrati i byarna.", []),   # a project's own aims
    ("A plan with the goal of gender equality in the council.", []),
])
def test_sdg_names_in_prose(text, expected):
    assert vals(find_sdgs(text)) == expected


@pytest.mark.parametrize("value,expected", [
    ("11 - Hållbara städer och samhällen3 - God hälsa och välbefinnande", [3, 11]),
    ("16 - Fredliga och inkluderande samhällen17 - Genomförande och globalt partnerskap", [16, 17]),
    ("5 - Jämställdhet", [5]),
    ("7 - Affordable and clean energy", [7]),
    ("10 - Minskad ojämlikhet16 - Fredliga och inkluderande samhällen", [10, 16]),
    ("6 - Rent vatten och sanitet för alla", [6]),
    ("1 - Ingen fattigdom17 - Partnerships for the goals", [1, 17]),
    ("Jämställdhet", [5]),
    ("Gender equalityClimate action", [5, 13]),
    ("", []),
])
def test_parse_sdg_footer(value, expected):
    assert parse_sdg_footer(value) == expected


# ---------------------------------------------------------------- since-years

@pytest.mark.parametrize("text,expected", [
    ("sedan 2005", 2005), ("sedan år 2013", 2013), ("Sedan 2010 har", 2010),
    ("sedan sommaren 2018", 2018), ("sedan hösten 2012", 2012),
    ("startade redan 2005", 2005), ("Samarbetet startade 2010 efter ett möte", 2010),
    ("har pågått sedan år 2013.", 2013), ("since 2010", 2010),
    ("The municipalities initiated their partnership in 2013.", 2013),
    ("The cooperation began in 2011", 2011), ("The partnership was established in 2009", 2009),
    ("Tlokwe City Council, Sydafrika (2006 - )", 2006), ("(2006-)", 2006),
    ("An Giang, Vietnam 2006 –\nText", 2006),
    ("Sedan 2005 har fler än 35 projekt och förstudier genomförts", 2005),
    ("ever since the spring of 2014", 2014), ("alltsedan januari 2008", 2008),
    ("Partnerskapet inleddes redan år 2004", 2004), ("(2012 – idag)", 2012),
])
def test_since_years(text, expected):
    found = find_since_years(text)
    assert vals(found) == [expected]
    assert found[0].kind in ("since", "started", "open_range")


def test_since_decade():
    (f,) = find_since_years("partnerskap sedan 1990-talet")
    assert (f.value, f.kind) == (1990, "decade")


@pytest.mark.parametrize("text", [
    "För några år sedan insåg parterna", "sedan många år", "(2019-2021)", "2019 - 2021",
    "Projektet startade. År 2019 kom", "sedan dess", "Agenda 2030",
])
def test_not_since_years(text):
    assert find_since_years(text) == []


# ---------------------------------------------------------------- properties

_FILLER_SV = ["projektet", "kommunen", "samarbetet", "med", "partnerskapet", "kapacitet", "stärka",
              "demokrati", "invånarnas", "delaktighet", "fokus", "ligger", "på", "vatten", "arbete"]
_FILLER_EN = ["project", "the", "municipality", "partnership", "capacity", "citizens", "focus",
              "water", "management", "democracy", "work", "aims", "strengthen", "local"]
filler = st.lists(st.sampled_from(_FILLER_SV + _FILLER_EN), min_size=0, max_size=12).map(" ".join)


def _group(n: int, sep: str) -> str:
    s = str(n)
    parts = []
    while len(s) > 3:
        parts.insert(0, s[-3:])
        s = s[:-3]
    parts.insert(0, s)
    return sep.join(parts)


@st.composite
def plain_amounts(draw):
    n = draw(st.integers(min_value=1_000, max_value=99_999_999))
    sep = draw(st.sampled_from([" ", "\u00a0", "", ".", ","]))
    num = _group(n, sep)
    form = draw(st.sampled_from(["{} SEK", "{} kronor", "{} kr", "{}:-", "SEK {}", "{} svenska kronor"]))
    return form.format(num), n


@st.composite
def million_amounts(draw):
    whole = draw(st.integers(min_value=1, max_value=99))
    decimals = draw(st.sampled_from(["", "5", "25", "3", "75", "05"]))
    mark = draw(st.sampled_from([",", "."]))
    num = f"{whole}{mark}{decimals}" if decimals else str(whole)
    value = round(float(f"{whole}.{decimals or 0}") * 1_000_000)
    unit = draw(st.sampled_from(["miljoner", "million", "millions"]))
    cur = draw(st.sampled_from([" SEK", " kronor", " kr", ""]))
    tail = "" if cur else draw(st.sampled_from([".", ",", " till", " för", " to", " for"]))
    form = draw(st.sampled_from(["{n} {u}{c}", "SEK {n} {u}", "MSEK {n}", "{n} mkr"]))
    return form.format(n=num, u=unit, c=cur) + tail, value


@settings(max_examples=_N, **_HYP)
@given(pre=filler, post=filler, amount=st.one_of(plain_amounts(), million_amounts()))
def test_property_amounts(pre, post, amount):
    text_amount, value = amount
    text = f"{pre} {text_amount} {post}".strip()
    found = find_amounts(text)
    assert vals(found) == [value], text
    f = found[0]
    assert text_amount.startswith(text[f.start:f.end].rstrip(".")) or text[f.start:f.end] in text_amount


_MONTH_NAMES = {
    1: ["januari", "january", "jan"], 2: ["februari", "february", "feb"], 3: ["mars", "march", "mar"],
    4: ["april", "apr"], 5: ["maj", "may"], 6: ["juni", "june", "jun"], 7: ["juli", "july", "jul"],
    8: ["augusti", "august", "aug"], 9: ["september", "sept", "sep"], 10: ["oktober", "october", "okt", "oct"],
    11: ["november", "nov"], 12: ["december", "dec"],
}
# "may"/"mar" are English words, but never directly before a year in the filler
_DASHES = ["-", "–", "—", " - ", " – ", " — ", " till ", " to ", " until "]


@st.composite
def date_ranges(draw):
    y1 = draw(st.integers(min_value=1990, max_value=2035))
    y2 = draw(st.integers(min_value=y1, max_value=y1 + 10))
    sep = draw(st.sampled_from(_DASHES))
    with_months = draw(st.booleans())
    if not with_months:
        if y1 == y2:
            y2 += 1
        return f"{y1}{sep}{y2}", (str(y1), str(y2))
    m1 = draw(st.integers(min_value=1, max_value=12))
    m2 = draw(st.integers(min_value=m1 if y1 == y2 else 1, max_value=12))

    def name(m):
        n = draw(st.sampled_from(_MONTH_NAMES[m]))
        return n.capitalize() if draw(st.booleans()) else n

    return f"{name(m1)} {y1}{sep}{name(m2)} {y2}", (f"{y1}-{m1:02d}", f"{y2}-{m2:02d}")


@settings(max_examples=_N, **_HYP)
@given(pre=filler, post=filler, rng=date_ranges(), paren=st.booleans())
def test_property_date_ranges(pre, post, rng, paren):
    text_range, value = rng
    body = f"({text_range})" if paren else text_range
    text = f"{pre} {body} {post}".strip()
    found = find_date_ranges(text)
    assert vals(found) == [value], text
    assert found[0].context is None
    assert text[found[0].start:found[0].end] == text_range


@settings(max_examples=max(100, _N // 3), **_HYP)
@given(pre=filler, post=filler, n=st.integers(min_value=1, max_value=17),
       form=st.sampled_from(["SDG {}", "SDG no {}", "Sustainable Development Goal {}", "globala mål {}",
                             "Global Goal {}", "Agenda 2030, mål {}"]))
def test_property_sdgs(pre, post, n, form):
    text = f"{pre} {form.format(n)}. {post}".strip()
    assert [f.value for f in find_sdgs(text) if f.kind == "number"] == [n]


@settings(max_examples=max(100, _N // 3), **_HYP)
@given(pre=filler, post=filler, y=st.integers(min_value=1960, max_value=2030),
       form=st.sampled_from(["sedan {}", "sedan år {}", "since {}", "startade redan {}", "began in {}",
                             "sedan hösten {}", "({} - )"]))
def test_property_since_years(pre, post, y, form):
    text = f"{pre} {form.format(y)} {post}".strip()
    assert vals(find_since_years(text)) == [y]


# ---------------------------------------------------------------- whole pages

def test_seed_like_article():
    text = (
        "Internationellt Centrum för Lokal Demokrati, ICLD, beviljar sammanlagt 7,3 miljoner kronor "
        "till tre svenska kommuner och en region.\n\n"
        "  • Kalix kommun ska arbeta i ett treårigt projekt. Kalix kommun beviljas 2,55 miljoner SEK. Läs mer\n"
        "Det ligger mellan två storstadsregioner och i en radie av 200 km finns 3,5 miljoner människor.\n"
        "Senast uppdaterad: 31 maj 2024"
    )
    assert [(f.value, f.total) for f in find_amounts(text)] == [(7_300_000, True), (2_550_000, False)]
    assert vals(find_durations(text)) == [3]
    assert find_date_ranges(text) == []
    (d,) = find_single_dates(text)
    assert d.value == "2024-05-31" and d.context == "publication"


def test_empty_text():
    for fn in (find_amounts, find_date_ranges, find_single_dates, find_durations, find_sdgs,
               find_since_years):
        assert fn("") == []
