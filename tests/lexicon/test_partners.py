"""partners: partners abroad found by context, grouped with the Swedish bodies that work with them."""
from __future__ import annotations

import pytest

from kp_extract.lexicon.partners import (find_pairs, landscape_compound, looks_like_name, partner_key,
                                 split_glued_names, tidy_foreign)


def pairs(text: str, lang: str = "sv", known: dict | None = None) -> list[tuple[list[str], list[str]]]:
    return [([s.partner.name for s in g.swedish], [f.name for f in g.foreign])
            for g in find_pairs(text, lang, known) if g.foreign]


@pytest.mark.parametrize("text, lang, expected", [
    ("Sundsvall municipality, Sweden, together with Kaluma District Council in Zambia, runs the project.", "en",
     [(["Sundsvalls kommun"], ["Kaluma District Council"])]),
    ("The City of Borås continues its partnership with Port Elliot in South Africa.", "en",
     [(["Borås stad"], ["Port Elliot"])]),
    ("Härnösands kommun samt Region Västernorrland i samarbete med Kisii County.", "sv",
     [(["Härnösands kommun", "Region Västernorrland"], ["Kisii County"])]),
    ("Piteå kommun ska tillsammans med sin partnerkommun Rubaga i Uganda genomföra en förstudie.", "sv",
     [(["Piteå kommun"], ["Rubaga"])]),
    ("Sedan 2012 har provinsen Dong Thap i Vietnam och Nässjö kommun haft flera samarbeten.", "sv",
     [(["Nässjö kommun"], ["Dong Thap"])]),
    ("ICLD beviljade medel till samarbeten mellan Kiruna – Gulu, Uganda och Hudiksvall tillsammans med "
     "Mbale och distriktet Tororo i Uganda.", "sv",
     [(["Kiruna kommun"], ["Gulu"]), (["Hudiksvalls kommun"], ["Mbale", "Tororo"])]),
])
def test_pairs_in_prose(text: str, lang: str, expected: list) -> None:
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("text", [
    "Anna Berg, samordnare i Kiruna kommun, berättar om arbetet.",
    "Kommunen samarbetar med Energimyndigheten och ICLD.",
    "Kiruna kommun har kommunala partnerskap med Sydafrika, Vietnam och Kosovo.",
    "Det är Boden, Luleå och Piteå som får ta del av pengarna.",
])
def test_no_partner_abroad_without_context(text: str) -> None:
    assert pairs(text) == []


@pytest.mark.parametrize("text, expected", [
    # a dash after a title is part of the name, no pair link
    ("Projektet Green Streets – Safer Mobility pågår 2022–2024 och Lunds kommun deltar.", []),
    ("The project Open Data – Better Services is run by Umeå kommun.", []),
    # a dash after a Swedish body (or after a partner abroad) links a pair
    ("Samarbetet Tranås kommun – Nyeri startade 2019.", [(["Tranås kommun"], ["Nyeri"])]),
    ("Projekt mellan Kalush – Mora – Chortkiv pågår.", [([], ["Kalush"]), (["Mora kommun"], ["Chortkiv"])]),
])
def test_a_dash_links_a_pair_only_after_a_party(text: str, expected: list) -> None:
    assert pairs(text) == expected


@pytest.mark.parametrize("text, lang, expected", [
    ("Since 2020, Region Örebro län and Rustavi Municipality in the Kvemo Kartli region of Georgia cooperate.", "en",
     [(["Region Örebro län"], ["Rustavi Municipality"])]),
    ("Sedan 2017 har Motala kommun ett partnerskap med Nilüfer Belediyesi i staden Bursa i Turkiet.", "sv",
     [(["Motala kommun"], ["Nilüfer Belediyesi"])]),
    ("Umeå kommun works with Kisumu City in the county of Kisumu, Kenya.", "en", [(["Umeå kommun"], ["Kisumu City"])]),
])
def test_the_place_a_partner_is_in_is_no_partner(text: str, lang: str, expected: list) -> None:
    assert pairs(text, lang) == expected


@pytest.mark.parametrize("text, lang", [
    ("Samverkan med Linköpings universitet och Region Östergötland har fortsatt.", "sv"),
    ("In 2021 the Municipal Council of Umeå kommun decided to go on.", "en"),
    ("Together with the Regional Council, Region Kalmar län plans the work.", "en"),
])
def test_organisations_and_organs_are_no_partners(text: str, lang: str) -> None:
    assert pairs(text, lang) == []


def test_a_local_government_word_that_opens_a_name_marks_it() -> None:
    text = "Projektet leds av Mora kommun, och även grannkommunen Opština Kaspi deltar."
    assert pairs(text) == [(["Mora kommun"], ["Opština Kaspi"])]


@pytest.mark.parametrize("text, country", [
    ("Umeå kommun samarbetar med Lutsk City Council i nordvästra Ukraina.", "UA"),
    ("Umeå kommun works with Lutsk City Council in north-western Ukraine.", "UA"),
    ("Umeå kommun samarbetar med Opština Bijeljina i norra Bosnien och Hercegovina.", "BA"),
])
def test_a_country_after_a_direction_word_is_recorded(text: str, country: str) -> None:
    (g,) = [g for g in find_pairs(text) if g.foreign]
    assert [f.country for f in g.foreign] == [country]


def test_a_known_name_needs_no_context_and_takes_its_full_form() -> None:
    known = {partner_key("Gulu District Local Government"): "Gulu District Local Government"}
    assert pairs("Styrgruppen består av företrädare från Kiruna och Gulu.", "sv", known) == [
        (["Kiruna kommun"], ["Gulu District Local Government"])]


def test_a_country_after_the_name_is_recorded() -> None:
    groups = find_pairs("Lidköpings kommun och Kavala, Grekland, har ett nytt projekt med kommunen Cetinje i Montenegro.")
    countries = {f.name: f.country for g in groups for f in g.foreign}
    assert countries.get("Cetinje") == "ME"


def test_offsets_point_at_the_names() -> None:
    text = "Vi vill tacka. Tranås kommun tillsammans med Nyeri County i Kenya."
    groups = find_pairs(text, "sv", base=100)
    f = groups[0].foreign[0]
    assert text[f.start - 100:f.end - 100] == "Nyeri County"


@pytest.mark.parametrize("name, key", [
    ("JB Marks Local Municipality", "jb marks"),
    ("City of Chortkiv", "chortkiv"),
    ("Masaka District Local Government Council", "masaka"),
    ("Komuna Vushtrri", "vushtrri"),
    ("Kisii County", "kisii"),
    ("Kissi County", "kissi"),
])
def test_partner_key(name: str, key: str) -> None:
    assert partner_key(name) == key


@pytest.mark.parametrize("raw, tidy", [
    ("  Kaluma Town council ", "Kaluma Town Council"),
    ("the City of Gulu", "City of Gulu"),
    ("“Rubaga”", "Rubaga"),
    ("ternopil", "Ternopil"),
])
def test_tidy_foreign(raw: str, tidy: str) -> None:
    assert tidy_foreign(raw) == tidy


def test_split_glued_names() -> None:
    value = "Homa BayJB Marks Local MunicipalityCity of Chortkiv"
    assert [value[s:e] for s, e in split_glued_names(value)] == [
        "Homa Bay", "JB Marks Local Municipality", "City of Chortkiv"]


@pytest.mark.parametrize("text, ok", [
    ("Kaluma Town council", True), ("Sundays River Valley", True), ("City of Gulu", True),
    ("Med demokrati som motståndskraft", False), ("of Gulu", False), ("", False),
])
def test_looks_like_name(text: str, ok: bool) -> None:
    assert looks_like_name(text) is ok


def test_an_installed_pipeline_can_be_plugged_in(tmp_path, monkeypatch) -> None:
    """A saved spaCy pipeline (here a blank one with a sentencizer) is used when named."""
    import spacy

    from kp_extract.lexicon import partners

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "pipeline")
    monkeypatch.setenv(partners.MODEL_ENV, str(tmp_path / "pipeline"))
    partners.reset_caches()
    try:
        loaded = partners._nlp("sv")
        assert loaded.lang == "en" and "sentencizer" in loaded.pipe_names
        assert pairs("Tranås kommun tillsammans med Nyeri County i Kenya.") == [(["Tranås kommun"], ["Nyeri County"])]
        monkeypatch.setenv(partners.MODEL_ENV, str(tmp_path / "missing"))
        partners.reset_caches()
        with pytest.raises(RuntimeError, match="not installed"):
            partners._nlp("sv")
    finally:
        monkeypatch.delenv(partners.MODEL_ENV)
        partners.reset_caches()


def test_landscape_compound_is_a_name_glued_to_a_landscape_noun():
    assert landscape_compound("Zorrodeltat") and landscape_compound("Zembalasjön")
    assert not landscape_compound("Dalen") and not landscape_compound("Zorro") and not landscape_compound("Zorro-dalen")
