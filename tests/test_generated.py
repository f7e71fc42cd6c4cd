"""Property tests: cards, news items and bullets generated from the gazetteers come back exactly from the
structure rules (extract.proposals; whether an invented partner name is a partner is the model's call).

Each strategy writes a page the way the programme site or a news article
would, from random municipalities, invented partners abroad, partner
countries, SDG sets, areas, themes, dates, durations and amounts in every
format the extractor knows, and asserts the extracted mention holds exactly
the generated values.
"""
from __future__ import annotations

from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from kp_extract.stages.s2_clean import clean_page
from kp_extract.stages.s6_dedupe import dedupe
from kp_extract.stages.s5_extract.proposals import propose
from kp_extract.lexicon.gazetteer import country_code, find_swedish_bodies, load_gazetteer, organisation_kind
from kp_extract.stages.s4_language import assign_languages
from kp_extract.model import Page
from kp_extract.stages.s3_segment import segment_page

DATA = Path(__file__).resolve().parent.parent / "src" / "kp_extract" / "data"
GAZ = load_gazetteer()
MUNICIPALITIES = [m for m in GAZ.municipalities if not m.bare_ambiguous]
REGIONS = [r for r in GAZ.regions if r.name.startswith("Region ") and r.name != "Region Gotland"]
PARTNER_COUNTRIES = ["ZA", "KE", "UG", "TZ", "BW", "ZM", "UA", "MD", "GE", "XK", "RS", "MK", "VN", "ID", "AL", "BA"]
COUNTRY = {c.iso2: c for c in GAZ.countries}
SDG_SV = {s.number: s.name_sv for s in GAZ.sdgs}
AREAS = [a.label for a in GAZ.areas]
THEMES = [t.label for t in GAZ.themes]
SYLLABLES = ["ka", "lu", "ma", "ny", "eri", "to", "ro", "sa", "ba", "ki", "mu", "zi", "wa", "go", "da", "vo", "len",
             "tar", "bo", "che", "rin", "sko", "pol", "dar", "mbe", "ha", "nu"]
SUFFIXES = ["", " District Council", " County", " Municipality", " Town Council", " City Council",
            " Local Municipality", " Province"]
MONTHS_SV = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
             "november", "december"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
WORDS = {"en": ["three", "two", "one", "four"], "sv": ["treårig", "tvåårig", "ettårig", "fyraårig"]}
YEARS_OF = {"three": 3, "two": 2, "one": 1, "four": 4, "treårig": 3, "tvåårig": 2, "ettårig": 1, "fyraårig": 4}


def _acceptable_partner(name: str) -> bool:
    return (not find_swedish_bodies(name) and not country_code(name) and not organisation_kind(name)
            and not any(find_swedish_bodies(w) or country_code(w) for w in name.split()))


@st.composite
def partner_abroad(draw) -> str:
    words = draw(st.lists(st.lists(st.sampled_from(SYLLABLES), min_size=2, max_size=3), min_size=1, max_size=2))
    name = " ".join("".join(w).capitalize() for w in words) + draw(st.sampled_from(SUFFIXES))
    if not _acceptable_partner(name):
        return draw(partner_abroad())
    return name


@st.composite
def swedish_bodies(draw, max_size: int = 2) -> list:
    munis = draw(st.lists(st.sampled_from(MUNICIPALITIES), min_size=1, max_size=max_size,
                          unique_by=lambda m: m.code))
    return munis


@st.composite
def period(draw, lang: str) -> tuple[str, tuple[str, str]]:
    start = draw(st.integers(2008, 2026))
    end = start + draw(st.integers(1, 4))
    style = draw(st.sampled_from(["years", "paren", "months", "till", "under", "days"]))
    if style == "years":
        return f"{start}-{end}", (str(start), str(end))
    if style == "paren":
        return f"({start}–{end})", (str(start), str(end))
    if style == "under":  # "under 2025-2026"
        return (f"under {start}-{end}" if lang == "sv" else f"during {start}-{end}"), (str(start), str(end))
    if style == "days":  # "start 1 juli 2016 … till 30 juni 2019"
        d1, d2 = draw(st.integers(1, 28)), draw(st.integers(1, 28))
        m1, m2 = draw(st.integers(1, 12)), draw(st.integers(1, 12))
        names = MONTHS_SV if lang == "sv" else MONTHS_EN
        word = ("från", "till") if lang == "sv" else ("from", "to")
        return (f"{word[0]} {d1} {names[m1 - 1]} {start} {word[1]} {d2} {names[m2 - 1]} {end}",
                (f"{start}-{m1:02d}-{d1:02d}", f"{end}-{m2:02d}-{d2:02d}"))
    if style == "till":  # "juli 2019 till juli 2022"
        m1, m2 = draw(st.integers(1, 12)), draw(st.integers(1, 12))
        names = MONTHS_SV if lang == "sv" else MONTHS_EN
        joint = "till" if lang == "sv" else "to"
        return f"{names[m1 - 1]} {start} {joint} {names[m2 - 1]} {end}", (f"{start}-{m1:02d}", f"{end}-{m2:02d}")
    m1, m2 = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    months = MONTHS_SV if lang == "sv" else MONTHS_EN
    return (f"{months[m1 - 1]} {start}-{months[m2 - 1]} {end}",
            (f"{start}-{m1:02d}", f"{end}-{m2:02d}"))


@st.composite
def amount(draw, lang: str) -> tuple[str, int]:
    style = draw(st.sampled_from(["millions", "plain", "decimal_en", "drygt", "medel", "parts"]))
    if style == "drygt":  # "drygt 2,3 miljoner kronor"
        whole, dec = draw(st.integers(1, 9)), draw(st.integers(1, 9))
        return (f"drygt {whole},{dec} miljoner kronor" if lang == "sv" else f"just over {whole}.{dec} million SEK",
                whole * 1_000_000 + dec * 100_000)
    if style == "medel":  # "beviljade medel: 250 000 kronor"
        n = draw(st.integers(100, 990)) * 1000
        return (f"beviljade medel: {n:,} kronor".replace(",", " ") if lang == "sv"
                else f"granted funds: SEK {n:,}"), n
    if style == "parts":  # "275 000 kronor i bidrag, varav 120 000 kronor för … och 155 000 kronor för …"
        a, b = draw(st.integers(50, 400)) * 1000, draw(st.integers(50, 400)) * 1000
        fmt = (lambda n: f"{n:,}".replace(",", " ") + " kronor") if lang == "sv" else (lambda n: f"SEK {n:,}")
        joint = (" i bidrag, varav ", " för resor och ", " för workshops") if lang == "sv" else \
            (" in grants, of which ", " for travel and ", " for workshops")
        return f"{fmt(a + b)}{joint[0]}{fmt(a)}{joint[1]}{fmt(b)}{joint[2]}", a + b
    if style == "millions":
        whole, dec = draw(st.integers(1, 9)), draw(st.integers(1, 9))
        word = "miljoner SEK" if lang == "sv" else "million SEK"
        sep = "," if lang == "sv" else "."
        return f"{whole}{sep}{dec} {word}", whole * 1_000_000 + dec * 100_000
    if style == "plain":
        n = draw(st.integers(100, 990)) * 1000
        return f"{n:,}".replace(",", " ") + (" kronor" if lang == "sv" else " SEK"), n
    n = draw(st.integers(1, 9))
    return f"SEK {n},250,000" if lang == "en" else f"{n} 250 000 kronor", n * 1_000_000 + 250_000


def run_page(text: str):
    page = clean_page(Page(file="gen.txt", text=text, sha256=""))
    return propose(page, assign_languages(segment_page(page)))


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(data=st.data())
def test_generated_cards(data) -> None:
    lang = data.draw(st.sampled_from(["en", "sv"]))
    munis = data.draw(swedish_bodies())
    partner = data.draw(partner_abroad())
    iso = data.draw(st.sampled_from(PARTNER_COUNTRIES))
    title = data.draw(st.sampled_from(["Safer Streets", "Green Schools", "Open Budgets", "Clean Water Now",
                                       "Digital Archives for Citizens", "Youth Voices in Planning"]))
    span_text, span = data.draw(period(lang))
    word = data.draw(st.sampled_from(WORDS[lang]))
    money_text, money = data.draw(amount(lang))
    sdgs = sorted(data.draw(st.sets(st.integers(1, 17), min_size=1, max_size=3)))
    areas = data.draw(st.lists(st.sampled_from(AREAS), min_size=1, max_size=2, unique=True))
    themes = data.draw(st.lists(st.sampled_from(THEMES), min_size=0, max_size=2, unique=True))
    tags = data.draw(st.lists(st.sampled_from(["demokrati", "miljö", "jämställdhet", "unga"]), max_size=2, unique=True))
    country_name = COUNTRY[iso].name_en if lang == "en" else COUNTRY[iso].name_sv
    heading = " and ".join(m.name for m in munis) + f" and {partner.split(' ')[0]}, {country_name}"
    short = partner.split(" ")[0]
    if lang == "en":
        body = (f"The {word}-year project ({span_text.strip('()')}) between the partners focuses on {title.lower()}. "
                f"It has been granted {money_text}.") if "-" in span_text and not any(
            c.isalpha() for c in span_text) else (
                f"The {word}-year project runs {span_text} and focuses on {title.lower()}. "
                f"It has been granted {money_text}.")
    else:
        body = (f"Det {word}a projektet pågår {span_text} och handlar om {title.lower()}. "
                f"Projektet har beviljats {money_text}.")
    footer = ["Projektområde", "".join(areas), "Globala mål", "".join(f"{n} - {SDG_SV[n]}" for n in sdgs)]
    if themes:
        footer += ["Tema", "".join(themes)]
    footer += ["Svensk partner", "".join(m.official_name for m in munis), "Internationell partner", partner]
    if tags:
        footer += ["Etiketter", ", ".join(tags) + ","]
    prefix = "Project" if lang == "en" else "Projekt"
    text = "\n\n".join([heading, f"{prefix}: {title}", body, "\n".join(footer)]) + "\n"
    (m,) = run_page(text).mentions
    assert m.title == title
    assert [p.name for p in m.swedish_partners] == [x.official_name for x in munis]
    assert [p.code for p in m.swedish_partners] == [x.code for x in munis]
    assert m.international_partners == [partner]
    assert m.countries == [iso]
    assert (m.start_date, m.end_date) == span
    assert m.duration_years == YEARS_OF[word]
    assert m.amount_sek == money
    assert m.sdgs == sdgs
    assert m.project_areas == areas
    assert m.themes == themes
    assert m.tags == tags
    assert m.languages == [lang]
    assert short  # the heading's short form resolved to the footer's full name above


@SETTINGS
@given(data=st.data())
def test_generated_news_with_sub_headed_pairs(data) -> None:
    n = data.draw(st.integers(1, 4))
    munis = data.draw(st.lists(st.sampled_from(MUNICIPALITIES), min_size=n, max_size=n, unique_by=lambda m: m.code))
    partners = data.draw(st.lists(partner_abroad(), min_size=n, max_size=n,
                                  unique_by=lambda p: p.split(" ")[0]))
    iso = data.draw(st.sampled_from(PARTNER_COUNTRIES))
    areas = data.draw(st.lists(st.sampled_from(AREAS), min_size=n, max_size=n))
    sv_area = {a.label: (a.variants[0] if a.variants else a.label) for a in GAZ.areas}
    sdgs = sorted(data.draw(st.sets(st.integers(1, 17), min_size=1, max_size=2)))
    parts = [f"Nya partnerskap med {COUNTRY[iso].name_sv}",
             f"Flera svenska kommuner har inlett samarbeten med kommuner i {COUNTRY[iso].name_sv}."]
    for muni, partner, area in zip(munis, partners, areas):
        short = partner.split(" ")[0]
        parts.append(f"{muni.name} och {short}")
        parts.append(f"Samarbetsområde: {sv_area[area]}\n{muni.name} och {short} vill arbeta tillsammans.")
    parts.append("\n".join(["Globala mål", "".join(f"{k} - {SDG_SV[k]}" for k in sdgs), "Svensk partner",
                            "".join(m.official_name for m in munis), "Internationell partner", "".join(partners)]))
    result = run_page("\n\n".join(parts) + "\n")
    projects = dedupe(result.mentions, result.partnerships)[0]
    got = [(p.swedish_partners, p.international_partners, p.countries, p.project_areas, p.sdgs) for p in projects]
    assert got == [([mu.official_name], [pa], [iso], [ar], sdgs) for mu, pa, ar in zip(munis, partners, areas)]


@SETTINGS
@given(data=st.data())
def test_generated_grant_bullets(data) -> None:
    n = data.draw(st.integers(1, 4))
    munis = data.draw(st.lists(st.sampled_from(MUNICIPALITIES), min_size=n, max_size=n, unique_by=lambda m: m.code))
    partners = data.draw(st.lists(partner_abroad(), min_size=n, max_size=n, unique_by=lambda p: p.split(" ")[0]))
    isos = data.draw(st.lists(st.sampled_from(PARTNER_COUNTRIES), min_size=n, max_size=n))
    words = data.draw(st.lists(st.sampled_from(WORDS["sv"]), min_size=n, max_size=n))
    moneys = [data.draw(amount("sv")) for _ in range(n)]
    lines = ["Beviljade partnerskapsprojekt", "Följande kommuner har fått sina projekt beviljade:"]
    bullets = []
    for muni, partner, iso, word, (money_text, _) in zip(munis, partners, isos, words, moneys):
        bullets.append(f"  • {muni.official_name} ska tillsammans med {partner} i {COUNTRY[iso].name_sv} arbeta i "
                       f"ett {word}t projekt om lokal demokrati. {muni.official_name} beviljas {money_text}.")
    mentions = run_page("\n\n".join(lines) + "\n\n" + "\n".join(bullets) + "\n").mentions
    got = [([p.name for p in m.swedish_partners], m.international_partners, m.countries, m.duration_years,
            m.amount_sek) for m in mentions]
    assert got == [([mu.official_name], [pa], [iso], YEARS_OF[w], mo[1])
                   for mu, pa, iso, w, mo in zip(munis, partners, isos, words, moneys)]
