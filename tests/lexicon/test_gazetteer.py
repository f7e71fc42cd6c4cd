"""Tests for kp_extract.lexicon.gazetteer: data completeness and the matchers."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kp_extract.lexicon.gazetteer import (
    area_label,
    country_code,
    find_countries,
    find_swedish_bodies,
    is_admin_word,
    load_gazetteer,
    organisation_kind,
    resolve_swedish,
    sdg_by_name,
    split_glued_labels,
    split_glued_swedish,
    theme_label,
)

GAZ = load_gazetteer()
SHARED = Path(__file__).resolve().parents[1] / "fixtures" / "reference"  # a copy of ../shared/data
MUNIS = GAZ.municipalities
REGIONS = GAZ.regions


def _one(text: str):
    found = find_swedish_bodies(text)
    assert len(found) == 1, (text, found)
    return found[0]


def _names(text: str) -> list[tuple[str, str | None]]:
    return [(m.partner.name, m.partner.code) for m in find_swedish_bodies(text)]


# ---------------------------------------------------------------- data completeness

def test_counts():
    assert len(MUNIS) == 290
    assert len({m.code for m in MUNIS}) == 290
    assert len(REGIONS) == 21
    assert len(GAZ.sdgs) == 17
    # 193 UN member states + Kosovo + Palestine
    assert len(GAZ.countries) == 195
    assert {"XK", "PS", "SE", "ZA", "UA", "VN", "KE", "UG", "TZ", "BW"} <= {c.iso2 for c in GAZ.countries}


def test_data_matches_shared_reference():
    """The package's tables against the project's reference copy of ../shared/data."""
    with open(SHARED / "municipalities.csv", encoding="utf-8") as fh:
        ref = [(r["kommunkod"], r["kommun"], r["official_name"], r["lanskod"], r["lan"]) for r in csv.DictReader(fh)]
    assert [(m.code, m.name, m.official_name, m.lanskod, m.lan) for m in MUNIS] == ref
    with open(SHARED / "regions.csv", encoding="utf-8") as fh:
        ref_r = [(r["lanskod"], r["region"], r["record_code"]) for r in csv.DictReader(fh)]
    assert [(r.lanskod, r.name, r.code) for r in REGIONS] == ref_r


def test_stems():
    by_name = {m.name: m for m in MUNIS}
    assert by_name["Falun"].stem == "Falu"
    assert by_name["Salem"].stem == "Salems"
    assert by_name["Stockholm"].stem == "Stockholms"
    assert by_name["Gotland"].stem == "Gotland"


# ---------------------------------------------------------------- Swedish bodies

@pytest.mark.parametrize("m", MUNIS, ids=lambda m: m.code)
def test_every_municipality_official_name(m):
    hit = _one(f"Samarbete med {m.official_name} sedan 2005.")
    assert hit.surface == m.official_name
    assert (hit.partner.name, hit.partner.code) == (m.official_name, m.code)


@pytest.mark.parametrize("m", MUNIS, ids=lambda m: m.code)
def test_every_municipality_short_name(m):
    hit = _one(f"Projektet i {m.name} pågår.")
    assert hit.surface == m.name
    assert (hit.partner.name, hit.partner.code) == (m.official_name, m.code)
    assert resolve_swedish(m.name).code == m.code
    assert resolve_swedish(m.official_name).code == m.code


@pytest.mark.parametrize("m", MUNIS, ids=lambda m: m.code)
def test_every_municipality_english_forms(m):
    for text in (f"{m.name} municipality", f"{m.name} Municipality", f"City of {m.name}",
                 f"Municipality of {m.name}"):
        hit = _one(f"The {text} works with partners.")
        assert hit.surface == text
        assert hit.partner.code == m.code


@pytest.mark.parametrize("r", REGIONS, ids=lambda r: r.lanskod)
def test_every_region(r):
    hit = _one(f"Samarbete med {r.name} sedan 2005.")
    assert hit.surface == r.name
    assert (hit.partner.name, hit.partner.code) == (r.name, r.code)
    for stem in r.stems:
        for form in (f"Region {stem}", f"Landstinget {stem}", f"{stem} County Council"):
            hit = _one(f"Med {form} och andra.")
            assert hit.surface == form
            assert hit.partner.code == r.code, form
    for gen in r.genitives:
        form = f"{gen} läns landsting"
        hit = _one(f"Med {form} och andra.")
        assert (hit.surface, hit.partner.code) == (form, r.code)


@pytest.mark.parametrize("text", [
    "Landstinget Kronoberg", "Kronobergs läns landsting", "Region Kronoberg",
    "The County of Kronoberg", "Kronoberg County Council", "Landstinget i Kronobergs län",
    "region kronoberg", "Region Kronobergs",
])
def test_kronoberg_variants(text):
    hit = _one(f"Projektet drivs av {text} och partners.")
    assert hit.surface == text
    assert (hit.partner.name, hit.partner.code, hit.partner.kind) == ("Region Kronoberg", "07", "region")


@pytest.mark.parametrize("text,name,code", [
    ("Västra Götalandsregionen", "Västra Götalandsregionen", "14"),
    ("Region Västra Götaland", "Västra Götalandsregionen", "14"),
    ("Region Jämtland Härjedalen", "Region Jämtland Härjedalen", "23"),
    ("Jämtlands läns landsting", "Region Jämtland Härjedalen", "23"),
    ("Region Jönköpings län", "Region Jönköpings län", "06"),
    ("Region Jönköping County", "Region Jönköpings län", "06"),
    ("Landstinget i Jönköpings län", "Region Jönköpings län", "06"),
    ("Region Kalmar län", "Region Kalmar län", "08"),
    ("Region Örebro län", "Region Örebro län", "18"),
    ("Landstinget Sörmland", "Region Sörmland", "04"),
    ("Stockholms läns landsting", "Region Stockholm", "01"),
    ("Region Gotland", "Region Gotland", "0980"),
    ("Gotland", "Region Gotland", "0980"),
    ("Gotlands kommun", "Region Gotland", "0980"),
    ("Gotland Municipality", "Region Gotland", "0980"),
    ("Region Västerbotten", "Region Västerbotten", "24"),
])
def test_region_forms(text, name, code):
    hit = _one(f"Samarbetet med {text} fortsätter.")
    assert hit.surface == text
    assert (hit.partner.name, hit.partner.code) == (name, code)


@pytest.mark.parametrize("text,surface,name,code", [
    ("Växjö and JB Marks, South Africa", "Växjö", "Växjö kommun", "0780"),
    ("Växjös samarbete", "Växjös", "Växjö kommun", "0780"),
    ("Växjö Kommun", "Växjö Kommun", "Växjö kommun", "0780"),
    ("inom Växjö kommuns förvaltning", "Växjö kommuns", "Växjö kommun", "0780"),
    ("Lidingö stad", "Lidingö stad", "Lidingö stad", "0186"),
    ("the City of Växjö", "City of Växjö", "Växjö kommun", "0780"),
    ("Falun och Kolomyia", "Falun", "Falu kommun", "2080"),
    ("Falu kommun", "Falu kommun", "Falu kommun", "2080"),
    ("Falu municipality", "Falu municipality", "Falu kommun", "2080"),
    ("Salems kommun", "Salems kommun", "Salems kommun", "0128"),
    ("Stockholms stad", "Stockholms stad", "Stockholms stad", "0180"),
    ("ronneby kommun", "ronneby kommun", "Ronneby kommun", "1081"),
    ("Upplands Väsby", "Upplands Väsby", "Upplands Väsby kommun", "0114"),
    ("Malung-Sälens kommun", "Malung-Sälens kommun", "Malung-Sälens kommun", "2023"),
    ("City of Gothenburg", "City of Gothenburg", "Göteborgs stad", "1480"),
    ("Vaxjo Municipality", "Vaxjo Municipality", "Växjö kommun", "0780"),
])
def test_municipality_forms(text, surface, name, code):
    hit = _one(text)
    assert hit.surface == surface
    assert (hit.partner.name, hit.partner.code, hit.partner.kind) == (name, code, "municipality")
    assert text[hit.start:hit.end] == surface


@pytest.mark.parametrize("name", ["Mark", "Bjuv", "Sala", "Vara", "Ale", "Bollebygd"])
def test_short_common_names_match_in_context(name):
    found = find_swedish_bodies(f"Partner: {name}, i samarbete med kommuner.")
    assert [f.surface for f in found] == [name]


@pytest.mark.parametrize("text", [
    "JB Marks",
    "JB Marks Local Municipality",
    "JB Marks kommun",
    "Kronoberg",
    "Kronoberg har många sjöar.",
    "Kronobergs sjöar",
    "Falunbo",
    "Länsstyrelsen i Kronobergs län",
    "att vara kommunens",
    "vi ska vara med",
    "marken är blöt",
    "Mark Twain",
    "Stockholms universitet",
    "Stockholmsregionen",
])
def test_no_swedish_match(text):
    assert find_swedish_bodies(text) == []


def test_longest_and_order():
    text = ("Municipality of Älmhult and City of Växjö and JB Marks Local Municipality; "
            "Region Jämtland Härjedalen, Härjedalens kommun.")
    assert _names(text) == [("Älmhults kommun", "0765"), ("Växjö kommun", "0780"),
                            ("Region Jämtland Härjedalen", "23"), ("Härjedalens kommun", "2361")]


def test_glued_case_change_in_find():
    assert _names("Växjö KommunÄlmhults kommun") == [("Växjö kommun", "0780"), ("Älmhults kommun", "0765")]
    assert _names("Kalix kommunLycksele kommunRegion GotlandVäxjö Kommun") == [
        ("Kalix kommun", "2514"), ("Lycksele kommun", "2481"), ("Region Gotland", "0980"), ("Växjö kommun", "0780")]


def test_offsets_are_into_text():
    text = "Intro.\nVäxjö och Falun samarbetar med Region Kronoberg.\n"
    for m in find_swedish_bodies(text):
        assert text[m.start:m.end] == m.surface


# ---------------------------------------------------------------- glued footers

@pytest.mark.parametrize("value,expected", [
    ("Falu kommunKarlskrona kommunLidingö stadronneby kommunUmeå kommunVäxjö Kommun",
     [("Falu kommun", "2080"), ("Karlskrona kommun", "1080"), ("Lidingö stad", "0186"),
      ("Ronneby kommun", "1081"), ("Umeå kommun", "2480"), ("Växjö kommun", "0780")]),
    ("Växjö KommunÄlmhults kommun", [("Växjö kommun", "0780"), ("Älmhults kommun", "0765")]),
    ("Kalix kommunLycksele kommunRegion GotlandVäxjö Kommun",
     [("Kalix kommun", "2514"), ("Lycksele kommun", "2481"), ("Region Gotland", "0980"), ("Växjö kommun", "0780")]),
    ("Växjö Kommun", [("Växjö kommun", "0780")]),
    ("Landstinget KronobergVäxjö kommun", [("Region Kronoberg", "07"), ("Växjö kommun", "0780")]),
    ("Växjö kommun, Älmhults kommun", [("Växjö kommun", "0780"), ("Älmhults kommun", "0765")]),
])
def test_split_glued_swedish(value, expected):
    got = split_glued_swedish(value)
    assert [(m.partner.name, m.partner.code) for m in got] == expected
    for m in got:
        assert value[m.start:m.end] == m.surface


def test_split_glued_keeps_unresolved():
    got = split_glued_swedish("Växjö KommunSydarkivera förbundÄlmhults kommun")
    assert [m.surface for m in got] == ["Växjö Kommun", "Sydarkivera förbund", "Älmhults kommun"]
    assert [m.partner is None for m in got] == [False, True, False]
    got = split_glued_swedish("Foo kommunBar stad")
    assert [(m.surface, m.partner) for m in got] == [("Foo kommun", None), ("Bar stad", None)]


OFFICIAL = [(m.official_name, m.code) for m in MUNIS] + [(r.name, r.code) for r in REGIONS]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(OFFICIAL), st.booleans()), min_size=1, max_size=7))
def test_split_glued_swedish_roundtrip(items):
    parts = []
    for (name, _code), lower in items:
        parts.append(name[0].lower() + name[1:] if lower else name)
    value = "".join(parts)
    got = split_glued_swedish(value)
    assert [m.surface for m in got] == parts
    assert [m.partner.code if m.partner else None for m in got] == [code for (_n, code), _l in items]
    canonical = {code: name for name, code in OFFICIAL}
    assert [m.partner.name for m in got] == [canonical[code] for (_n, code), _l in items]


# ---------------------------------------------------------------- countries

@pytest.mark.parametrize("name,code", [
    ("Sydafrika", "ZA"), ("South Africa", "ZA"), ("Republic of South Africa", "ZA"),
    ("Ukraina", "UA"), ("Ukraine", "UA"), ("Vitryssland", "BY"), ("Belarus", "BY"),
    ("Moçambique", "MZ"), ("Mozambique", "MZ"), ("Mocambique", "MZ"), ("Tanzania", "TZ"),
    ("Kosovo", "XK"), ("Palestina", "PS"), ("Palestine", "PS"), ("Kenya", "KE"), ("Uganda", "UG"),
    ("Botswana", "BW"), ("Vietnam", "VN"), ("Viet Nam", "VN"), ("Elfenbenskusten", "CI"),
    ("Côte d'Ivoire", "CI"), ("the Netherlands", "NL"), ("Nordmakedonien", "MK"), ("USA", "US"),
    ("sydafrikanska", "ZA"), ("sydafrikansk", "ZA"), ("South African", "ZA"), ("ukrainska", "UA"),
    ("Ukrainian", "UA"), ("kenyanska", "KE"), ("Kenyan", "KE"), ("vietnamesiska", "VN"),
    ("Vietnamese", "VN"), ("kosovanska", "XK"), ("Kosovar", "XK"), ("SYDAFRIKA", "ZA"),
    ("tanzaniska", "TZ"), ("ugandiska", "UG"), ("botswanska", "BW"),
])
def test_country_code(name, code):
    assert country_code(name) == code


@pytest.mark.parametrize("name", ["Sverige", "Sweden", "svenska", "Swedish", "Atlantis", "", "us", "Congo"])
def test_country_code_none(name):
    assert country_code(name) is None


def test_country_code_sweden_on_request():
    assert country_code("Sverige", allow_sweden=True) == "SE"
    assert country_code("Sweden", allow_sweden=True) == "SE"


def test_every_country_resolves_from_its_names():
    for c in GAZ.countries:
        allow = c.iso2 == "SE"
        assert country_code(c.name_en, allow_sweden=allow) == c.iso2, c
        assert country_code(c.name_sv, allow_sweden=allow) == c.iso2, c


def test_find_countries():
    text = ("Växjö and JB Marks, South Africa. Samarbete i Sverige med kenyanska kommuner "
            "och Ukraina; Kosovar partners; Sweden; Guinea-Bissau; Papua New Guinea; Island communities.")
    got = [(text[s:e], code, dem) for s, e, code, dem in find_countries(text)]
    assert got == [("South Africa", "ZA", False), ("kenyanska", "KE", True), ("Ukraina", "UA", False),
                   ("Kosovar", "XK", True), ("Guinea-Bissau", "GW", False), ("Papua New Guinea", "PG", False)]
    assert [c for *_x, c, _d in find_countries("Sverige och Sweden", allow_sweden=True)] == ["SE", "SE"]


def test_country_of_two_parts_found_however_they_are_joined():
    for text in ("Bosnia Herzegovina", "Bosnia & Herzegovina", "Trinidad och Tobago", "Trinidad and Tobago"):
        assert [(s, e) for s, e, *_ in find_countries(text)] == [(0, len(text))], text


def test_find_countries_word_bounded():
    assert find_countries("Nigeria") == [(0, 7, "NG", False)]
    assert find_countries("Ukrainaresan, sydafrikanskan") == []
    assert find_countries("the chad in us") == []


# ---------------------------------------------------------------- SDGs

SDG_SV = ["Ingen fattigdom", "Ingen hunger", "God hälsa och välbefinnande", "God utbildning för alla",
          "Jämställdhet", "Rent vatten och sanitet för alla", "Hållbar energi för alla",
          "Anständiga arbetsvillkor och ekonomisk tillväxt", "Hållbar industri, innovationer och infrastruktur",
          "Minskad ojämlikhet", "Hållbara städer och samhällen", "Hållbar konsumtion och produktion",
          "Bekämpa klimatförändringarna", "Hav och marina resurser", "Ekosystem och biologisk mångfald",
          "Fredliga och inkluderande samhällen", "Genomförande och globalt partnerskap"]


@pytest.mark.parametrize("number,name", list(enumerate(SDG_SV, start=1)))
def test_sdg_swedish(number, name):
    assert sdg_by_name(f"{number} - {name}", include_generic=True) == [(len(f"{number} - "), len(f"{number} - {name}"), number)]


@pytest.mark.parametrize("sdg", GAZ.sdgs, ids=lambda g: str(g.number))
def test_sdg_english(sdg):
    assert [n for *_x, n in sdg_by_name(f"Goal: {sdg.name_en}.", include_generic=True)] == [sdg.number]
    assert [n for *_x, n in sdg_by_name(f"Mål: {sdg.name_sv.upper()}!", include_generic=True)] == [sdg.number]


def test_sdg_long_and_glued():
    text = ("The project will Ensure access to affordable, reliable, sustainable and\nmodern energy for all. "
            "11 - Hållbara städer och samhällen3 - God hälsa och välbefinnande")
    assert [n for *_x, n in sdg_by_name(text)] == [7, 11, 3]
    assert sdg_by_name("Gender equality is a priority.") == []
    assert [n for *_x, n in sdg_by_name("Gender equality", include_generic=True)] == [5]
    assert [n for *_x, n in sdg_by_name("Good health and wellbeing")] == [3]


# ---------------------------------------------------------------- programme labels

@pytest.mark.parametrize("text,label", [
    ("Urban planning", "Urban planning"), ("Stadsplanering", "Urban planning"),
    ("Samhällsplanering", "Urban planning"),
    ("Inclusive leadership and governance", "Inclusive leadership and governance"),
    ("Inkluderande ledarskap och styrning", "Inclusive leadership and governance"),
    ("Fostering Inclusive Leadership and Governance", "Inclusive leadership and governance"),
    ("Social omsorg och välfärd", "Social care and wellbeing"),
    ("Social omsorg och välbefinnande", "Social care and wellbeing"),
    ("Miljö/Klimatförändringar", "Environment/Climate change"),
    ("Miljö / klimatförändringar", "Environment/Climate change"),
    ("Environment and climate change", "Environment/Climate change"),
    ("Tekniska tjänster och infrastruktur", "Technical Services and Infrastructure"),
    ("technical services  and infrastructure", "Technical Services and Infrastructure"),
    ("Utbildning", "Education"), ("EDUCATION", "Education"), ("Utbildning.", "Education"),
])
def test_area_label(text, label):
    assert area_label(text) == label


def test_area_label_unknown():
    assert area_label("Rymdfart") is None
    assert area_label("") is None


@pytest.mark.parametrize("text,label", [
    ("Jämställdhet", "Gender Equality"), ("Gender equality", "Gender Equality"),
    ("Mänskliga rättigheter", "Human Rights"),
    ("Child rights and youth participation", "Child rights and youth participation"),
    ("Digitalization and e-governance", "Digitalisation and e-governance"),
    ("Participatory democracy, citizen dialogues and budgeting",
     "Participatory democracy, citizen dialogues and budgeting"),
])
def test_theme_label(text, label):
    assert theme_label(text) == label


@pytest.mark.parametrize("value,expected", [
    ("Inclusive leadership and governanceSocial care and wellbeing",
     ["Inclusive leadership and governance", "Social care and wellbeing"]),
    ("Gender EqualityHuman Rights", ["Gender Equality", "Human Rights"]),
    ("Digitalisation and e-governanceParticipatory democracy, citizen dialogues and budgeting",
     ["Digitalisation and e-governance", "Participatory democracy, citizen dialogues and budgeting"]),
    ("Technical Services and Infrastructure", ["Technical Services and Infrastructure"]),
    ("Urban planningEnvironment/Climate changeEducation", ["Urban planning", "Environment/Climate change", "Education"]),
    ("Human RightsSome new themeOther label", ["Human Rights", "Some new theme", "Other label"]),
    ("Education", ["Education"]),
    ("", []),
])
def test_split_glued_labels(value, expected):
    assert split_glued_labels(value) == expected


def test_split_glued_labels_given_labels_no_case_change():
    labels = ["Urban planning", "education"]
    assert split_glued_labels("Urban planningeducation", labels) == ["Urban planning", "education"]


# ---------------------------------------------------------------- admin words, organisations

@pytest.mark.parametrize("word", ["Municipality", "Local Municipality", "City", "Town", "Council", "District",
                                  "County", "Province", "Region", "Oblast", "Hromada", "Komuna", "Opština",
                                  "Rayon", "City Council", "Town Council", "District Council", "kommunen",
                                  "provinsen", "distriktet", "staden", "regionen", "partnerkommun",
                                  "partnerkommunen", "partnerregionen", "local municipality"])
def test_admin_words(word):
    assert is_admin_word(word)


def test_admin_words_negative_and_roles():
    assert not is_admin_word("Växjö")
    assert not is_admin_word("Kalush")
    assert is_admin_word("Local Municipality", role="suffix")
    assert is_admin_word("partnerkommunen", role="sv_prefix")
    assert not is_admin_word("partnerkommunen", role="suffix")


@pytest.mark.parametrize("name,kind", [
    ("ICLD", "programme"), ("Internationellt centrum för lokal demokrati", "programme"),
    ("International Centre for Local Democracy", "programme"), ("Sida", "agency"),
    ("SKR", "national_association"), ("SALAR", "national_association"),
    ("Sveriges Kommuner och Regioner", "national_association"), ("EU", "intergovernmental"),
    ("European Union", "intergovernmental"), ("UN", "intergovernmental"), ("FN", "intergovernmental"),
    ("Länsstyrelsen i Kronobergs län", "agency"), ("Länsstyrelsen", "agency"),
    ("Energimyndigheten", "agency"), ("Regionförbundet i Kalmar län", "association"),
    ("Kommunalförbundet Sydarkivera", "association"), ("Kalmarsunds gymnasieförbund", "association"),
    ("Linnéuniversitetet", "university"), ("Uppsala universitet", "university"),
    ("University of Nairobi", "university"), ("Entreprenörsregionen", "network"),
])
def test_organisation_kind(name, kind):
    assert organisation_kind(name) == kind


@pytest.mark.parametrize("name", ["Växjö kommun", "JB Marks Local Municipality", "sida", "un", "Kalush", ""])
def test_organisation_kind_none(name):
    assert organisation_kind(name) is None


# ---------------------------------------------------------------- caching and speed

def test_loader_is_cached():
    assert load_gazetteer() is load_gazetteer()


def test_find_on_a_long_text_finds_every_occurrence():
    """Half a megabyte in one call (speed is measured by `make bench`, not here)."""
    chunk = ("Växjö kommun och JB Marks Local Municipality i Sydafrika har ett partnerskap sedan 2005. "
             "Projektet drivs av Falu kommun, Region Gotland och Landstinget Kronoberg med stöd från ICLD. "
             "Det pågår mellan 2019-2021 och syftar till att stärka demokratin.\n")
    text = chunk * (500_000 // len(chunk))
    found = find_swedish_bodies(text)
    assert len(found) == 4 * (500_000 // len(chunk))
    assert [m.partner.name for m in found[:4]] == ["Växjö kommun", "Falu kommun", "Region Gotland", "Region Kronoberg"]
