"""extract.parties: the Swedish bodies a page names, its owner, and the anaphors resolved to the owner."""
from __future__ import annotations

from kp_extract.stages.s5_extract.parties import cue_patterns, find_parties, page_owner

from tests.stages.s5_extract.pages import prepare


def parties_of(text: str):
    page, blocks = prepare(text)
    return page, find_parties(page, blocks)


def spans(page, parties, via: str) -> list[tuple[str, str]]:
    return [(page.text[m.start:m.end], m.partner.name) for m in parties.mentions if m.via == via]


def test_owner_from_a_listing_filter():
    page, p = parties_of("Svensk partner: Tranås kommun\n\nTranås and Nyeri, Kenya\n\n"
                         "The project improves two markets. We work with the county government.\n")
    assert page.metadata["listing_filter"] == "Svensk partner: Tranås kommun"
    assert (p.owner.name, p.owner.code, p.owner_evidence) == ("Tranås kommun", "0687", "filter")
    assert spans(page, p, "anaphor") == [("We", "Tranås kommun")]


def test_the_filter_wins_over_a_heading_naming_another_body():
    page, p = parties_of("Svensk partner: Tranås kommun\n\nEksjö kommuns nyheter\n\nEksjö kommun och Nyeri har ett "
                         "nytt projekt.\n")
    assert (p.owner.name, p.owner_evidence) == ("Tranås kommun", "filter")


def test_owner_from_a_site_line_with_a_logo():
    page, p = parties_of("Eksjö kommuns logotyp\n\nNyheter\n\nKommunen har ett partnerskap med Nyeri. "
                         "Vi reste dit i maj.\n")
    assert (p.owner.name, p.owner_evidence) == ("Eksjö kommun", "site_line")
    assert spans(page, p, "anaphor") == [("Kommunen", "Eksjö kommun"), ("Vi", "Eksjö kommun")]
    assert spans(page, p, "name") == [("Eksjö kommuns", "Eksjö kommun")]


def test_owner_from_a_line_that_is_only_the_bodys_name():
    page, p = parties_of("Mora kommun\n\nNyheter\n\nKommunen har ett partnerskap med Nyeri.\n")
    assert (p.owner.name, p.owner_evidence) == ("Mora kommun", "site_line")


def test_owner_from_the_first_heading():
    page, p = parties_of("Falu kommuns samarbete med Kolomyia\n\n"
                         "Kommunen har sedan 2015 ett partnerskap med Kolomyia. Vi reste dit i maj.\n")
    assert (p.owner.name, p.owner_evidence) == ("Falu kommun", "heading")
    assert [t for t, _ in spans(page, p, "anaphor")] == ["Kommunen", "Vi"]


def test_a_heading_naming_two_bodies_gives_no_owner():
    page, p = parties_of("Falun och Borlänge i Ukraina\n\nKommunen har ett partnerskap med Kolomyia.\n")
    assert p.owner is None and p.owner_evidence == ""
    assert {name for _t, name in spans(page, p, "name")} == {"Falu kommun", "Borlänge kommun"}
    assert spans(page, p, "anaphor") == []


def test_no_owner_leaves_anaphors_unresolved():
    page, p = parties_of("Nyheter om partnerskap\n\nKommunen har ett partnerskap med Kisumu. Vi reste dit i maj. "
                         "Gävle kommun deltar också.\n")
    assert p.owner is None and p.owner_evidence == ""
    assert page_owner(page, prepare(page.text)[1]) == (None, "")
    assert spans(page, p, "anaphor") == []
    # a body the text names is still found: it just is not the page's owner
    assert spans(page, p, "name") == [("Gävle kommun", "Gävle kommun")]


def test_kommunen_before_a_name_is_no_anaphor():
    page, p = parties_of("Bollnäs kommuns logotyp\n\nPartnerskap\n\nKommunen Lobatse i Botswana tog emot kommunen "
                         "i fjol.\n")
    assert p.owner.name == "Bollnäs kommun"
    anaphors = [m for m in p.mentions if m.via == "anaphor"]
    assert [page.text[m.start:m.end] for m in anaphors] == ["kommunen"]
    assert anaphors[0].start == page.text.index("kommunen i fjol")


def test_a_regions_page_resolves_regionen_and_not_kommunen():
    page, p = parties_of("Region Kronobergs logotyp\n\nNyheter\n\nRegionen samarbetar med Kisumu. Kommunen i Kisumu "
                         "tar emot oss.\n")
    assert (p.owner.name, p.owner.kind, p.owner_evidence) == ("Region Kronoberg", "region", "site_line")
    assert [t for t, _ in spans(page, p, "anaphor")] == ["Regionen"]


def test_no_anaphor_in_chrome_or_footers():
    page, p = parties_of("Svensk partner: Tranås kommun\n\nTranås and Nyeri, Kenya\n\nWe improve two markets.\n\n"
                         "Svensk partner\nTranås kommun\nInternationell partner\nNyeri County Government\n"
                         "Etiketter\nvi, kommunen,\n")
    assert [t for t, _ in spans(page, p, "anaphor")] == ["We"]


def test_mentions_are_in_page_order_with_page_offsets():
    page, p = parties_of("Eksjö kommuns logotyp\n\nNyheter\n\nVi och Tranås kommun besökte Nyeri. Sedan kom "
                         "Region Jönköpings län med.\n")
    starts = [m.start for m in p.mentions]
    assert starts == sorted(starts)
    assert [(page.text[m.start:m.end], m.via) for m in p.mentions][1:] == [
        ("Vi", "anaphor"), ("Tranås kommun", "name"), ("Region Jönköpings län", "name")]
    assert p.mentions[-1].partner.kind == "region"


def test_anaphor_cues_are_case_sensitive_and_others_are_not():
    cues = cue_patterns()
    # anaphors keep their case rule (so 'Kommunen Lobatse' is told from 'kommunen'); 'vi' only as a word
    assert cues["anaphor_municipality"].search("vi reste") and not cues["anaphor_municipality"].search("VI reste")
    assert not cues["anaphor_municipality"].search("vinter och vind")
    assert "_comment" not in cues
    assert cues["grant"].search("PROJEKTET BEVILJADES MEDEL")
