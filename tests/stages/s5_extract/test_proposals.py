"""extract.proposals: each layout rule of the module docstring, on small invented pages."""
from __future__ import annotations

import pytest

from kp_extract.stages.s2_clean import clean_page
from kp_extract.stages.s5_extract.proposals import (propose, no_record_reason, parse_footer, parse_party_heading,
                                named_in_text, parse_partner_section, project_sentences, since_years,
                                stated_start, states_values_only, text_areas)
from kp_extract.stages.s4_language import assign_languages
from kp_extract.model import Block, Page
from kp_extract.stages.s3_segment import segment_page


def extract(text: str):
    page = clean_page(Page(file="page.txt", text=text, sha256=""))
    blocks = assign_languages(segment_page(page))
    return propose(page, blocks)


def summary(m) -> dict:
    return {"title": m.title, "sw": [p.name for p in m.swedish_partners], "intl": m.international_partners,
            "countries": m.countries, "start": m.start_date, "end": m.end_date, "years": m.duration_years,
            "sek": m.amount_sek, "areas": m.project_areas, "themes": m.themes, "sdgs": m.sdgs, "tags": m.tags,
            "langs": m.languages}


CARD = """Samarbetsland: Kenya

Tranås and Nyeri, Kenya

Project: Clean Markets for All

The two-year project (2022-2023) improves waste handling in two market towns and builds on SDG 12.

Projektområde
Environment/Climate changeUrban planning
Globala mål
11 - Hållbara städer och samhällen6 - Rent vatten och sanitet för alla
Tema
Gender EqualityHuman Rights
Svensk partner
Tranås kommunEksjö kommun
Internationell partner
Nyeri County Government
Etiketter
miljö, Kenya,
"""


def test_card() -> None:
    (m,) = extract(CARD).mentions
    assert summary(m) == {
        "title": "Clean Markets for All", "sw": ["Tranås kommun", "Eksjö kommun"], "intl": ["Nyeri County Government"],
        "countries": ["KE"], "start": "2022", "end": "2023", "years": 2, "sek": None,
        "areas": ["Environment/Climate change", "Urban planning"], "themes": ["Gender Equality", "Human Rights"],
        "sdgs": [6, 11, 12], "tags": ["miljö", "kenya"], "langs": ["en"]}


NEWS = """Nya partnerskap med Moldavien

Två svenska kommuner har inlett samarbeten med moldaviska kommuner.

Tierp och Cahul

Samarbetsområde: Utbildning
Tierp och Cahul vill göra skolan mer jämlik.

Vimmerby och Soroca

Samarbetsområde: Stadsplanering
Vimmerby och Soroca planerar gröna stråk.

Globala mål
4 - God utbildning för alla
Svensk partner
Tierps kommunVimmerby kommun
Internationell partner
Cahul Municipal CouncilSoroca
Etiketter
moldavien,
"""


def test_news_with_sub_headed_pairs_takes_the_footer_labels() -> None:
    mentions = extract(NEWS).mentions
    got = sorted((summary(m) for m in mentions), key=lambda d: d["sw"])
    assert [(d["sw"], d["intl"], d["areas"], d["sdgs"], d["tags"]) for d in got] == [
        (["Tierps kommun"], ["Cahul Municipal Council"], ["Education"], [4], ["moldavien"]),
        (["Vimmerby kommun"], ["Soroca"], ["Urban planning"], [4], ["moldavien"]),
    ]
    # the headline's demonym gives the item's country, a last resort for dedupe
    assert [m.context_country for m in mentions] == ["MD", "MD"]


BULLETS = """Beviljade partnerskapsprojekt

ICLD beviljar sammanlagt 6 miljoner kronor till tre projekt.

  • Sala kommun ska tillsammans med kommunen Kasese i Uganda arbeta i ett tvåårigt projekt. Sala kommun beviljas 1,2 miljoner SEK.
  • Region Jämtland Härjedalen får 800 000 SEK till sitt projekt med Mangaung i Sydafrika.
  • Kommunerna har länge samarbetat.
"""


def test_bullets_give_one_project_each_with_their_own_amount() -> None:
    got = [summary(m) for m in extract(BULLETS).mentions]
    assert [(d["sw"], d["intl"], d["countries"], d["years"], d["sek"]) for d in got] == [
        (["Sala kommun"], ["Kasese"], ["UG"], 2, 1200000),
        (["Region Jämtland Härjedalen"], ["Mangaung"], ["ZA"], None, 800000),
    ]


MUNICIPAL = """Internationellt samarbete

Ljungby kommun arbetar med internationella partnerskap.

Mbombela, Sydafrika (2009 - )

Ljungby kommun har sedan 2011 ett samarbete med Mbombela i Sydafrika. Även Landstinget Kronoberg är part.

Youth Employment Lab

Ett tvåårigt projekt (2015-2017) där Landstingets ungdomsmottagning och den sydafrikanska parten utbyter metoder.

Vänorter

Ljungby har vänortssamarbete med Ribe i Danmark.
"""


def test_municipal_page_partner_section_and_titled_project() -> None:
    res = extract(MUNICIPAL)
    (m,) = res.mentions
    assert summary(m)["title"] == "Youth Employment Lab"
    assert [p.name for p in m.swedish_partners] == ["Ljungby kommun", "Region Kronoberg"]
    assert m.international_partners == ["Mbombela"] and m.countries == ["ZA"]
    assert (m.start_date, m.end_date, m.duration_years) == ("2015", "2017", 2)
    since = {(s.swedish_partner.name, s.international_partner): s.since_year for s in res.partnerships}
    # the heading's "(2009 - )" is the earliest stated year, for every Swedish body of the section
    assert min(y for (sw, i), y in since.items() if sw == "Ljungby kommun" and y) == 2009
    assert min(y for (sw, i), y in since.items() if sw == "Region Kronoberg" and y) == 2009
    assert not any("Ribe" in s.international_partner for s in res.partnerships)


def test_titled_bullet_list() -> None:
    text = "Pågående projekt\n\n  • Safe Streets, januari 2021-juni 2022 (Tekniska förvaltningen, Borlänge/Kumasi)\n"
    (m,) = extract(text).mentions
    assert (m.title, [p.name for p in m.swedish_partners], m.international_partners, m.start_date, m.end_date) == (
        "Safe Streets", ["Borlänge kommun"], ["Kumasi"], "2021-01", "2022-06")
    assert m.other_participants == ["Tekniska förvaltningen"]


@pytest.mark.parametrize("text", [
    "Partnersök\n\nKiambu County seeks a Swedish partner for work on waste.\n",
    "Inga projekt hittades\n",
    "Om programmet\n\nKommunala partnerskap är ett program där svenska kommuner samarbetar med kommuner i andra länder.\n",
])
def test_pages_without_projects(text: str) -> None:
    assert extract(text).mentions == []


@pytest.mark.parametrize("heading, sw, intl, country", [
    ("Växjö and JB Marks, South Africa", ["Växjö kommun"], ["JB Marks"], "ZA"),
    ("Älmhult, Växjö and JB Marks, South Africa", ["Älmhults kommun", "Växjö kommun"], ["JB Marks"], "ZA"),
    ("Falun och Kolomyia", ["Falu kommun"], ["Kolomyia"], None),
    ("Borlänge-Kumasi", ["Borlänge kommun"], ["Kumasi"], None),
    ("Tranås and Chernivtsi, Ukraina", ["Tranås kommun"], ["Chernivtsi"], "UA"),
    ("Sollefteå kommun – Kaluma Town council, Botswana", ["Sollefteå kommun"], ["Kaluma Town Council"], "BW"),
])
def test_party_headings(heading: str, sw: list, intl: list, country) -> None:
    ph = parse_party_heading(heading)
    assert ph and ([p.name for p in ph.swedish], ph.foreign, ph.country) == (sw, intl, country)


@pytest.mark.parametrize("heading", [
    "Med demokrati som motståndskraft – svenska & ukrainska kommuner i partnerskap",
    "Kommunala partnerskap med Sydafrika, Vietnam och Kosovo",
    "Johan Lilja, generalsekreterare ICLD",
])
def test_not_party_headings(heading: str) -> None:
    assert parse_party_heading(heading) is None


def test_partner_section_heading() -> None:
    ph = parse_partner_section("Tlokwe City Council, Sydafrika (2006 - )")
    assert (ph.foreign, ph.country, ph.since) == (["Tlokwe City Council"], "ZA", 2006)
    assert parse_partner_section("Pågående projekt") is None


def test_footer_values_are_split() -> None:
    text = ("Svensk partner\nFalu kommunLidingö stadronneby kommun\nInternationell partner\nChersonCity of Chortkiv\n"
            "Etiketter\ndemokrati, Ukraina,")
    f = parse_footer(Block("f.txt", 0, len(text), text, "footer"))
    assert [p.name for p in f.swedish] == ["Falu kommun", "Lidingö stad", "Ronneby kommun"]
    assert [p.code for p in f.swedish] == ["2080", "0186", "1081"]
    assert f.international == ["Cherson", "City of Chortkiv"]
    assert f.tags == ["demokrati", "ukraina"]


@pytest.mark.parametrize("text, reason", [
    ("Partnersök\n\nKiambu County seeks a Swedish partner for waste management.", "partner search profile, not a partnership"),
    ("Projekt i Moldavien\n\nInga projekt hittades.", "listing with no cards"),
    ("Utlysning 2025\n\nNästa ansökningsomgång öppnar 1 februari. Sista dag för ansökan är 15 mars.", "call for applications"),
    ("Ansökningsstatistik\n\nAntal ansökningar per land: Kenya 12, Uganda 9.", "application statistics"),
    ("Om programmet\n\nKommunala partnerskap är ett program där kommuner samarbetar. Programmet finansieras av Sida.",
     "programme description"),
    ("Vänorter\n\nKommunen har vänorter i Norden.", "twin towns, not programme partnerships"),
    ("Sommarens öppettider för biblioteket.", None),
])
def test_why_a_page_gives_no_record(text: str, reason) -> None:
    assert no_record_reason(text) == reason


def test_a_conference_report_is_said_to_be_one() -> None:
    text = ("Rapport från årets konferens\n\nÖver 200 deltagare från svenska kommuner samlades på konferensen. "
            "Nästa ansökningsomgång öppnar i september.")
    assert no_record_reason(text) == "conference or event report"


@pytest.mark.parametrize("text, areas", [
    ("Samarbetsområde: Stadsplanering", ["Urban planning"]),
    ("Programområde: Education", ["Education"]),
    ("Area of Cooperation: Technical services and infrastructure", ["Technical Services and Infrastructure"]),
    ("Samarbetsområde: Lokal kultur och idrott", ["Lokal kultur och idrott"]),  # an unknown label as written
    # inside prose: a label (Swedish definite form too) followed by one of the programme's labels
    ("Ett projekt om vatten – 900 000 kronor. Samarbetsområde: Miljö och klimat.", ["Environment/Climate change"]),
    ("Projektet ingår i programområdet Education och kopplar till mål 4.", ["Education"]),
    ("Arbetet ligger inom samarbetsområdet Social omsorg och välbefinnande.", ["Social care and wellbeing"]),
    ("The work falls within the project area Urban planning.", ["Urban planning"]),
    # a topic after an area word is no programme area
    ("Vi arbetar inom området stadsplanering och bostäder.", []),
    ("Samarbetsområdet är stort och omfattar tre byar.", []),
])
def test_areas_from_labels_and_prose(text: str, areas: list) -> None:
    assert text_areas(text) == areas


AREA_AFTER_PROJECT = """Vårt partnerskap med Kisumu

Projektet Trygga torg

Torsås kommun och Kisumu County genomför ett tvåårigt projekt 2021–2022 om belysning på torg.

Samarbetsområde: Urban planning

Projektet bidrar till de globala målen 5 och 11.
"""


def test_a_values_only_paragraph_under_a_project_gives_it_area_and_goals() -> None:
    (m,) = extract(AREA_AFTER_PROJECT).mentions
    assert (m.project_areas, m.sdgs, m.start_date, m.duration_years) == (["Urban planning"], [5, 11], "2021", 2)
    assert len(m.sources) == 3


@pytest.mark.parametrize("text, expected", [
    ("Area of Cooperation: Education", True),
    ("The project contributes to SDG 4 and SDG 10.", True),
    ("Projektet bidrar till de globala målen 11 och 12.", True),
    ("Kommunen arbetar med de globala målen 11 och 12 i hela sin verksamhet.", False),  # not the project's
    ("Projektet har gett många nya kontakter.", False),
])
def test_values_only_paragraphs(text: str, expected: bool) -> None:
    assert states_values_only(text) is expected


NEWS_WITH_EARLIER_YEAR = """Nyhet

Budgetmöten i byarna

Partnerskapet mellan Tranås och Nyeri inleddes 2019. Under 2020 träffades politikerna för första gången.

Nu pågår projektet ”Öppna budgetmöten” från mars 2021 till februari 2023 och har fått 900 000 kronor.

Svensk partner
Tranås kommun
Internationell partner
Nyeri County Government
"""


def test_a_stated_period_wins_over_an_earlier_single_year() -> None:
    (m,) = extract(NEWS_WITH_EARLIER_YEAR).mentions
    assert (m.title, m.start_date, m.end_date, m.amount_sek) == ("Öppna budgetmöten", "2021-03", "2023-02", 900000)


def test_a_title_lines_language_gives_way_to_its_body() -> None:
    text = ("Vårt partnerskap med Nyeri\n\nProject: Safe Market Streets\n"
            "Projektet pågår 2021–2023 och förbättrar belysningen på marknaden i Nyeri och i Tranås centrum.\n")
    page = clean_page(Page(file="page.txt", text=text, sha256=""))
    blocks = assign_languages(segment_page(page))
    title = next(b for b in blocks if b.kind == "title")
    title.language = "en"  # an English name over a Swedish text
    (m,) = propose(page, blocks).mentions
    assert (m.title, m.languages) == ("Safe Market Streets", ["sv"])


BLOG = """Hemma igen efter en vecka i Nyeri

Sedan 2015 har Tranås ett kommunalt partnerskap med Nyeri County Government.

Vårt nuvarande projekt, ”Unga röster”, pågår från 2021 till 2023 och handlar om ungas inflytande.

Kategorier: Internationellt, Demokrati
Etiketter: Nyeri, Kenya, unga röster

Skriv en kommentar
"""


def test_a_blogs_tag_line_gives_tags_to_the_text_above_it() -> None:
    (m,) = extract(BLOG).mentions
    assert (m.title, m.tags) == ("Unga röster", ["nyeri", "kenya", "unga röster"])


PRESTUDY_NEWS = """Nyhet

Förstudie ska ge Alingsås och Gori bättre vattenplanering

Alingsås kommun och Gori Municipality i Georgien har fått 300 000 kr från ICLD för en förstudie om dagvatten. Förstudien pågår från mars 2024 till oktober 2024.

Under förstudien besöker tekniker från Gori Alingsås. Förstudien ska lägga grunden för en gemensam projektansökan.

Fakta
Förstudie: Rain Gardens for Gori
Partner: Gori Municipality, Georgien
Period: mars 2024–oktober 2024
Bidrag: 300 000 kronor från ICLD till kommunerna
"""


def test_a_fact_box_names_the_prestudy_a_grant_sentence_funds() -> None:
    found = [summary(m) for m in extract(PRESTUDY_NEWS).mentions]
    # the fact box's 'Förstudie: X' line is the name (not its 'Fakta' heading); the paragraph about
    # 'förstudien' and its aim (an application) says more of the funded pre-study, it is no new record
    assert [f["title"] for f in found] == [None, "Rain Gardens for Gori"]
    assert all((f["start"], f["end"], f["intl"]) == ("2024-03", "2024-10", ["Gori Municipality"]) for f in found)
    assert found[1]["langs"] == ["sv"]  # the body's language, not the English name's


PARTNER_PAGE = """Partnerskap med Kutaisi, Georgien

Sedan 2019 har Mölndals stad ett kommunalt partnerskap med Kutaisi Municipality i Georgien.

Inledande fas

Under 2020 genomfördes en förstudie där parterna kartlade skolgårdarna. ICLD beviljade 200 000 kr för förstudien.

Projektet Green Schoolyards for All

Projektet är treårigt och genomförs av förvaltningen för skola i Mölndal och Kutaisis skolavdelning.

Fakta
Projektnamn: Green Schoolyards for All
Projektperiod: 2021-01-01 – 2023-12-31
Beviljat belopp: 1 500 000 kronor

Nyheter

Green Schoolyards for All: Mölndal och Kutaisi får 1,5 miljoner
12 mars 2021
Mölndals stad och Kutaisi Municipality har beviljats 1 500 000 kronor från ICLD för ett treårigt projekt. Läs mer
"""


def test_a_page_names_its_phases_and_repeats_its_project() -> None:
    found = [summary(m) for m in extract(PARTNER_PAGE).mentions]
    titles = sorted((f["title"] or "") for f in found)
    # 'Inledande fas' is a phase, not a name; 'Projektet X' names X; the teaser writes the title and the
    # grant sentence under it states the titled project's amount: both repeat that project
    assert titles == [""] + ["Green Schoolyards for All"] * (len(found) - 1)
    phase = next(f for f in found if not f["title"])
    assert (phase["start"], phase["sek"]) == ("2020", 200000)


def test_a_same_pair_mention_with_another_amount_keeps_apart() -> None:
    text = PARTNER_PAGE.replace("har beviljats 1 500 000 kronor", "har beviljats 900 000 kronor").replace(
        "Green Schoolyards for All: Mölndal", "Nytt projekt: Mölndal")
    found = [summary(m) for m in extract(text).mentions]
    assert sum(1 for f in found if f["sek"] == 900000 and not f["title"]) == 1


@pytest.mark.parametrize("sentence, years", [
    ("I maj 2021 beslutade kommunstyrelsen att inleda ett partnerskap med Gori Municipality.", [2021]),
    ("In autumn 2020 the City Council decided to enter into a partnership with Kutaisi.", [2020]),
    ("Kommunfullmäktige beslutade 2019 om ett partnerskap med Nyeri.", [2019]),
    ("Kommunstyrelsen beslutade att inleda ett partnerskap med Nyeri.", []),  # no year
    ("I maj 2021 beslutade kommunstyrelsen om en ny budget för 2022.", []),  # no partnership
    ("I maj 2021 beslutade nämnden att inleda ett partnerskap som ska börja 2022.", []),  # which year?
])
def test_a_decided_partnership_dates_from_the_decision(sentence: str, years: list) -> None:
    assert since_years(sentence) == years


def test_the_page_owner_is_the_swedish_side_of_a_dated_partnership() -> None:
    text = ("Internationellt arbete\n\nLidköpings kommun arbetar internationellt. Lidköpings kommun har vänorter.\n\n"
            "Partnerskapet med Komuna Gjakova i Kosovo, som inleddes 2015, fortsatte under året.\n\n"
            "I maj 2022 beslutade kommunstyrelsen att inleda ett partnerskap med Bucha City Council i Ukraina.")
    got = {(p.swedish_partner.name, p.international_partner, p.since_year) for p in extract(text).partnerships}
    assert ("Lidköpings kommun", "Komuna Gjakova", 2015) in got
    assert ("Lidköpings kommun", "Bucha City Council", 2022) in got


def test_a_year_after_a_pair_dates_it_unless_the_sentence_is_about_a_party_of_its_own() -> None:
    def since(second: str) -> set:
        text = f"Nyheter\n\nTranås kommun och Kisumu County har ett partnerskap. {second}"
        return {p.since_year for p in extract(text).partnerships if p.since_year
                and (p.swedish_partner.name, p.international_partner) == ("Tranås kommun", "Kisumu County")}
    assert since("Sedan 2012 har fler än tio projekt genomförts.") == {2012}  # no party named: the pair's
    assert since("Kisumu har tagit emot många nya invånare sedan 2015.") == set()  # the city's own history
    assert since("Kisumu har varit en del av partnerskapet sedan 2014.") == {2014}  # said of the partnership


@pytest.mark.parametrize("text, title", [
    ("When the Green Market Streets project closed, the town had a plan.", "Green Market Streets"),
    ("ICLD granted SEK 2 million for the three-year project Safer School Routes in 2021.", "Safer School Routes"),
    ("Vårt nuvarande projekt, Open Council Data, pågår från 2021 till 2023.", "Open Council Data"),
    ("Projektet, Joint Fire Safety in the Drina Valley, startar i januari.", "Joint Fire Safety in the Drina Valley"),
    ("The Växjö Kalush project started in 2019.", None),  # the parties, not a name
    ("Projektet är treårigt och genomförs av förvaltningen.", None),
])
def test_a_name_the_running_text_gives(text: str, title) -> None:
    assert named_in_text(text) == title


def test_a_named_project_in_a_blog_and_an_application_being_written() -> None:
    text = ("Kommunalrådsbloggen\n\nSedan 2015 har Bodens kommun ett kommunalt partnerskap med Gulu City Council.\n\n"
            "Vårt nuvarande projekt, Clean Water Kiosks, pågår från 2021 till 2023. Det går bra.\n\n"
            "Just nu skriver vi tillsammans med Gulu en ansökan till ICLD om ett nytt projekt om e-tjänster.")
    found = [summary(m) for m in extract(text).mentions]
    assert [(f["title"], f["intl"], f["start"]) for f in found] == [
        ("Clean Water Kiosks", ["Gulu City Council"], "2021"), (None, ["Gulu City Council"], None)]


SEARCH_RESULTS = """Sökresultat för "partnerskap"

Din sökning gav 4 träffar

Projekt
Trygga skolvägar
Nacka och Gori, Georgien
Nacka kommun och Gori Municipality arbetar sedan 2021 med trygga skolvägar. I det tvååriga projektet …

Projekt
Boden och Gulu, Uganda
Bodens kommun och Gulu City Council genomför en förstudie om avfall, januari 2024 – juni 2025 …

Nyhet
ICLD beviljar 9,6 miljoner kronor till nya projekt
Fem kommuner får dela på sammanlagt 9,6 miljoner kronor …

Sida
Partnersökning
Kommuner som söker en svensk partner …
"""


def test_search_result_teasers() -> None:
    found = [summary(m) for m in extract(SEARCH_RESULTS).mentions]
    # a project teaser: its title line and parties line; a news or page teaser repeats no project
    assert [(f["title"], f["sw"], f["intl"], f["sek"]) for f in found] == [
        ("Trygga skolvägar", ["Nacka kommun"], ["Gori Municipality"], None),
        (None, ["Bodens kommun"], ["Gulu City Council"], None)]
    assert (found[1]["start"], found[1]["end"]) == ("2024-01", "2025-06")


@pytest.mark.parametrize("label", ["Nyhet", "News", "Pressmeddelande"])
def test_an_article_under_its_content_type_line_keeps_its_project(label) -> None:
    """Only a cut-off teaser under a news or page label repeats no project: an article whose text
    follows its own content-type line (one block, single line breaks) is read like any other."""
    article = (f"{label}\nLidköpings kommun och Kabale Municipal Council i Uganda har beviljats 950 000 kronor "
               "för ett projekt om avfallshantering 2024–2026.\nProjektet ska minska nedskräpningen.")
    (m,) = extract(article).mentions
    assert (m.swedish_partners[0].name, m.international_partners, m.amount_sek) == (
        "Lidköpings kommun", ["Kabale Municipal Council"], 950000)
    teaser = (f"{label}\nLidköpings kommun och Kabale Municipal Council i Uganda har beviljats 950 000 kronor "
              "för ett projekt om …")
    assert extract(teaser).mentions == []


def test_a_card_takes_the_fullest_name_its_body_gives() -> None:
    text = ("Projektområde: Social care and wellbeing\n\nLund and Sleman, Indonesia\n\nProject: Active Ageing Together\n\n"
            "Lund Municipality and Kabupaten Sleman share a concern: how can older people stay active?")
    (m,) = extract(text).mentions
    assert m.international_partners == ["Kabupaten Sleman"]


PARTY_SECTIONS = """Länets kommuner och deras partner

Falun och Kolomyia, Ukraina

Falu kommun och Kolomyia City Council har samarbetat sedan 2015. Under 2016–2018 drevs projektet ”Clean Water for Schools”, där även dåvarande Landstinget Dalarna deltog med kompetens inom hygien.

Nu pågår projektet ”Healthy Ageing at Home” (2023–2025), ett treårigt projekt som har beviljats 1,5 miljoner kronor.

Mora och Gori, Georgien

Mora kommun inledde 2022 ett partnerskap med Gori Municipality. I augusti beviljades Mora 900 000 kronor för ett projekt om brandskydd, där även grannkommunen Opština Kaspi deltar.
"""


def test_a_parties_section_with_two_named_projects_and_a_second_partner() -> None:
    found = {f["title"]: f for f in map(summary, extract(PARTY_SECTIONS).mentions)}
    assert set(found) == {"Clean Water for Schools", "Healthy Ageing at Home", None}
    # the former county council takes part in the first project only, as today's region
    assert found["Clean Water for Schools"]["sw"] == ["Falu kommun", "Region Dalarna"]
    assert (found["Clean Water for Schools"]["start"], found["Clean Water for Schools"]["sek"]) == ("2016", None)
    assert (found["Healthy Ageing at Home"]["sw"], found["Healthy Ageing at Home"]["sek"]) == (["Falu kommun"], 1500000)
    # a neighbouring municipality abroad that takes part is a second partner abroad
    assert found[None]["intl"] == ["Gori Municipality", "Opština Kaspi"]


PRESTUDY_ARTICLE = """Reportage

Öppna möten i Gori

Partnerskapet mellan Mölndals stad och Gori Municipality inleddes 2020. Under 2021 genomförde kommunerna en förstudie, som fick 150 000 kronor från ICLD, där de jämförde sina budgetprocesser.

After a pre-study from March to June 2021, in which the two towns mapped their meetings, ICLD granted SEK 1.5 million for the project that followed.

Projektområde
Inclusive leadership and governance
Svensk partner
Mölndals stad
Internationell partner
Gori Municipality
"""


def test_an_article_tells_of_pre_studies_with_their_own_period_or_grant() -> None:
    found = [summary(m) for m in extract(PRESTUDY_ARTICLE).mentions]
    got = sorted((f["start"], f["end"], f["sek"]) for f in found)
    # the article's project, and each pre-study over its own clauses (the grant that follows it is the
    # project's, not the pre-study's)
    assert ("2021", "2021", 150000) in got and ("2021-03", "2021-06", None) in got
    assert len(found) == 3 and all(f["intl"] == ["Gori Municipality"] for f in found)


def test_a_new_partner_under_a_later_heading_does_not_take_the_section_country() -> None:
    text = ("International cooperation\n\nMunicipal partnership with Gori, Georgia\n\n"
            "Since 2019, Region Kalmar län and Gori Municipality have cooperated.\n\n"
            "New partnership with Ukraine\n\n"
            "In spring 2023 the Regional Council decided to enter into a partnership with Lutsk City Council in "
            "north-western Ukraine. The two regions are currently preparing a joint project application.")
    (m,) = [m for m in extract(text).mentions if "Lutsk City Council" in m.international_partners]
    assert m.countries == ["UA"]


def test_a_titled_bullet_with_one_year_runs_that_year() -> None:
    text = "Projekt inom partnerskapet (Tranås/Nyeri)\n\n  • Clean Markets, 2014 (Tranås/Nyeri)\n"
    (m,) = extract(text).mentions
    assert (m.title, m.start_date, m.end_date) == ("Clean Markets", "2014", "2014")


@pytest.mark.parametrize("sentence, start", [
    ("En delegation från kommunen reste i början av mars 2027 till Nyeri.", None),  # a trip's "från", no start
    ("Arbetet pågår från och med mars 2027.", "2027-03"),
    ("Projektet startade i mars 2027 med ett möte.", "2027-03"),
    ("A pre-study initiated in 2027 mapped the town's wells.", "2027"),  # 'initiated' starts it too
    ("Förstudien initierades i maj 2027.", "2027-05"),
])
def test_a_start_preposition_stands_just_before_its_date(sentence: str, start) -> None:
    assert stated_start(sentence) == start


def test_project_sentences_are_those_about_the_project_itself() -> None:
    text = ("Kommunen får dela på pengarna. Projektet är treårigt. The project runs until 2027.\nVi ses snart. "
            "During the two-year project (2026–2027) we meet. Kommunen har 3 000 anställda.")
    assert project_sentences(text) == ["Projektet är treårigt.", "The project runs until 2027.",
                                       "During the two-year project (2026–2027) we meet."]
