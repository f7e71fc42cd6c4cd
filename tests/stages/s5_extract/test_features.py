"""extract.features: every (Swedish body, partner abroad) pair of a page, described for the model."""
from __future__ import annotations

import json

import pytest

from kp_extract.stages.s5_extract import features, parties, programme_countries
from kp_extract.stages.s5_extract.features import PER_SENTENCE, page_pairs
from kp_extract.stages.s5_extract.proposals import GUESSED
from kp_extract.model import Mention

from tests.stages.s5_extract.pages import CARD, analysed


def pairs_of(text: str) -> dict[tuple[str, str], object]:
    return {(p.swedish.name, p.key): p for p in analysed(text).pairs}


def repaired(analysis, mentions) -> dict[tuple[str, str], object]:
    """The page's pairs again, as if the structure rules had proposed `mentions`."""
    a = analysis
    found = page_pairs(a.page, a.blocks, a.units, a.parties, a.candidates, mentions, a.proposed.partnerships,
                       programme_countries())
    return {(p.swedish.name, p.key): p for p in found}


def unproposed(p) -> dict[str, float]:
    return {k: v for k, v in p.features.items() if k.startswith("unproposed:")}


def test_a_pair_joined_by_och_in_one_sentence():
    text = "Nyheter\n\nTranås kommun och Kisumu har ett partnerskap sedan 2012. Projektet handlar om avfall.\n"
    (p,) = analysed(text).pairs
    assert (p.swedish.name, p.key, p.name) == ("Tranås kommun", "kisumu", "Kisumu")
    f = p.features
    for name in ("joined", "same_sentence", "mutual_nearest", "link_between", "alone_in_sentence", "same_line",
                 "same_block", "same_section", "same_item"):
        assert f[name] == 1.0, name
    assert f["sentence_gap"] == 0.0 and f["names_between"] == 0.0
    sentence = "Tranås kommun och Kisumu har ett partnerskap sedan 2012."
    assert [text[a:b] for a, b in p.units] == [sentence] and text[slice(*p.focus)] == sentence


def test_a_pair_far_apart_in_one_sentence_is_not_joined():
    text = ("Nyheter\n\nTranås kommun har under många år haft besök från flera länder, bland annat från "
            "staden Kisumu.\n")
    (p,) = analysed(text).pairs
    assert p.features["same_sentence"] == 1.0
    assert p.features["joined"] == 0.0 and p.features["link_between"] == 0.0
    assert p.features["words_between"] > 0.5


def test_a_crossed_pair_of_one_sentence_is_neither_joined_nor_mutual_nearest():
    pairs = pairs_of("Nyheter\n\nTranås kommun och Kisumu samt Eksjö kommun och Nyeri deltog i mötet.\n")
    assert set(pairs) == {("Tranås kommun", "kisumu"), ("Tranås kommun", "nyeri"), ("Eksjö kommun", "kisumu"),
                          ("Eksjö kommun", "nyeri")}
    far, near = pairs[("Tranås kommun", "nyeri")].features, pairs[("Eksjö kommun", "nyeri")].features
    assert far["same_sentence"] == near["same_sentence"] == 1.0
    assert (far["joined"], far["mutual_nearest"], far["link_between"]) == (0.0, 0.0, 0.0)
    assert (near["joined"], near["link_between"]) == (1.0, 1.0)
    assert far["names_between"] > near["names_between"] == 0.0
    assert all(p.features["alone_in_sentence"] == 0.0 for p in pairs.values())  # four parties in the sentence


ITEMS = """{head}

Nyheter

Ljungby kommun har ett nytt projekt om avfall med Nyeri.

Tema
Gender Equality

Kisumu har fått en ny park i år, berättar tidningen.

Tema
Human Rights
"""


def test_a_pair_in_different_items_is_not_proposed():
    pairs = pairs_of(ITEMS.format(head="Veckans nyheter"))
    assert set(pairs) == {("Ljungby kommun", "nyeri")}  # Kisumu's item names no Swedish body


def test_the_owner_pairs_with_a_partner_of_another_item():
    pairs = pairs_of(ITEMS.format(head="Tranås kommuns logotyp"))
    assert set(pairs) == {("Ljungby kommun", "nyeri"), ("Tranås kommun", "nyeri"), ("Tranås kommun", "kisumu")}
    owned = pairs[("Tranås kommun", "kisumu")].features
    assert (owned["s_owner"], owned["s_owner_site"], owned["s_owner_filter"]) == (1.0, 1.0, 0.0)
    assert owned["same_item"] == 0.0 and owned["same_sentence"] == 0.0
    assert pairs[("Tranås kommun", "kisumu")].units == []
    assert pairs[("Ljungby kommun", "nyeri")].features["s_owner"] == 0.0


CARD = "Samarbetsland: Kenya\n\n" + CARD + "Etiketter\nmiljö, Kenya,\n\nEksjö kommun och Kisumu har ett partnerskap.\n"


def test_a_rule_mentions_pair_carries_the_rule_and_its_via():
    a = analysed(CARD)
    assert [(m.via, m.title) for m in a.proposed.mentions] == [("card", "Clean Markets for All")]
    pairs = {(p.swedish.name, p.key): p for p in a.pairs}
    p = pairs[("Tranås kommun", "nyeri")]
    assert p.name == "Nyeri County Government"  # the fullest form the page gives
    assert p.rule_mentions == [0]
    f = p.features
    assert (f["rule_mention"], f["rule_via_card"], f["rule_mention_titled"], f["rule_mention_dated"]) == (1, 1, 1, 1)
    assert f["s_owner_filter"] == 0.0  # the filter names a country, not a body
    other = pairs[("Eksjö kommun", "kisumu")]
    assert other.rule_mentions == [] and other.features["rule_mention"] == 0.0
    assert not [k for k in other.features if k.startswith("rule_via_")]


def test_unproposed_copies_only_for_pairs_no_rule_mention_names():
    pairs = {(p.swedish.name, p.key): p for p in analysed(CARD).pairs}
    ruled, free = pairs[("Tranås kommun", "nyeri")], pairs[("Eksjö kommun", "kisumu")]
    assert unproposed(ruled) == {}
    copies = unproposed(free)
    plain = {k: v for k, v in free.features.items() if not k.startswith("unproposed:")}
    assert copies == {f"unproposed:{k}": v for k, v in plain.items()}
    assert copies["unproposed:same_sentence"] == 1.0


GUESS = """Tranås kommuns logotyp

Vårt partnerskap

Kommunen samarbetar med Kisumu sedan 2012.

Projekt: Rena marknader

Projektet förbättrar avfallshanteringen på två torg.
"""


def test_a_guessed_partner_backs_no_pair():
    a = analysed(GUESS)
    (m,) = a.proposed.mentions
    assert m.via == "title_line" + GUESSED and m.international_partners == ["Kisumu"]
    (p,) = a.pairs
    f = p.features
    assert f["rule_mention"] == 0.0 and p.rule_mentions == []
    assert not [k for k in f if k.startswith("rule_via_")]
    assert f["page_guessed_projects"] > 0.0
    assert unproposed(p)  # to the model it is a pair no rule proposed
    # the same mention, had the rules read its partner in its own text, backs the pair
    sure = Mention(file=m.file, title=m.title, swedish_partners=list(m.swedish_partners),
                   international_partners=["Kisumu"], sources=list(m.sources), via="title_line")
    (q,) = repaired(a, [sure]).values()
    assert q.features["rule_mention"] == 1.0 and q.features["rule_via_title_line"] == 1.0
    assert q.features["page_guessed_projects"] == 0.0 and q.rule_mentions == [0]
    assert unproposed(q) == {}


def test_a_partnership_statement_gives_its_since_year():
    a = analysed(GUESS)
    assert [(s.international_partner, s.since_year) for s in a.proposed.partnerships] == [("Kisumu", 2012)]
    (p,) = a.pairs
    assert p.since_year == 2012
    assert p.features["rule_statement"] == 1.0 and p.features["rule_since"] == 1.0
    # the owner is named only in the site line; its anaphor shares the sentence with the partner
    assert p.features["anaphor_same_sentence"] == 1.0 and p.features["same_sentence"] == 0.0


def test_no_pairs_without_a_swedish_body_or_without_a_partner_abroad():
    assert analysed("Nyheter\n\nKisumu fick en ny park i år, berättar tidningen.\n").pairs == []
    assert analysed("Nyheter\n\nTranås kommun fick en ny park i år.\n").pairs == []


CUES = """Nyheter

{first} Det regnade hela veckan.

Skolorna i Kisumu fick bidrag i fjol.

Något helt annat hände också.

Kontoret har skickat ansökan om stöd.
"""


def test_cue_words_count_where_they_stand():
    (p,) = analysed(CUES.format(first="Tranås kommun och Kisumu träffades i maj.")).pairs
    cues = {k for k in p.features if k.startswith("cue_")}
    assert "cue_grant_either" in cues  # 'bidrag' in a sentence that names Kisumu
    assert "cue_grant_sent" not in cues and "cue_grant_near" not in cues
    assert "cue_application_page" in cues and "cue_application_either" not in cues  # 'ansökan': no party near
    (q,) = analysed(CUES.format(first="Tranås kommun och Kisumu har fått bidrag.")).pairs
    assert {"cue_grant_sent", "cue_grant_near", "cue_grant_either"} <= set(q.features)
    (r,) = analysed(CUES.format(first="Tranås kommun och Kisumu träffades i maj. Arbetet beviljades medel.")
                    .replace(" Det regnade hela veckan.", "")).pairs
    assert "cue_grant_near" in r.features and "cue_grant_sent" not in r.features


@pytest.fixture
def custom_cues(tmp_path, monkeypatch):
    """data/pair_cues.json with an invented grant word, read afresh (the compiled cues are cached)."""
    data = json.loads((parties.DATA_DIR / "pair_cues.json").read_text(encoding="utf-8"))
    data["grant"] = data["grant"] + [r"\bzorblaxa\w*"]
    (tmp_path / "pair_cues.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(parties, "DATA_DIR", tmp_path)
    parties.cue_patterns.cache_clear()
    yield
    parties.cue_patterns.cache_clear()


def test_cue_features_come_from_the_data_file(custom_cues):
    (p,) = analysed("Nyheter\n\nTranås kommun och Kisumu zorblaxade i maj.\n").pairs
    assert p.features.get("cue_grant_sent") == 1.0


def test_the_shipped_cues_do_not_know_the_invented_word():
    (p,) = analysed("Nyheter\n\nTranås kommun och Kisumu zorblaxade i maj.\n").pairs
    assert "cue_grant_sent" not in p.features


def test_the_page_owner_through_a_filter():
    text = ("Svensk partner: Tranås kommun\n\nTranås and Nyeri, Kenya\n\nThe project improves two markets.\n\n"
            "Svensk partner\nTranås kommun\nInternationell partner\nNyeri County Government\n")
    (p,) = analysed(text).pairs
    assert (p.features["s_owner"], p.features["s_owner_filter"], p.features["s_owner_site"]) == (1.0, 1.0, 0.0)


# ---------------------------------------------------------------- size

def _repeated(sentences: int) -> str:
    para = " ".join("Tranås kommun och Kisumu samarbetar." for _ in range(20))
    return "Nyheter\n\n" + "\n\n".join(para for _ in range(sentences // 20)) + "\n"


def test_features_stay_linear_for_a_page_naming_one_pair_thousands_of_times(monkeypatch):
    calls = []
    link = features._link_between
    monkeypatch.setattr(features, "_link_between", lambda gap: calls.append(gap) or link(gap))
    small, big = analysed(_repeated(20)), analysed(_repeated(2000))
    assert len(small.pairs) == len(big.pairs) == 1
    (p,) = big.pairs
    assert len(p.units) == 2000 == len(big.units.units) - 1  # one unit per sentence naming both, no more
    assert set(p.features) == set(small.pairs[0].features)  # a fixed description, whatever the page's length
    # the words between the two are read once per shared sentence: linear, not (mentions of one) x (the other)
    calls.clear()
    repaired(big, big.proposed.mentions)
    assert len(calls) == 2000


def test_a_sentence_naming_one_pair_hundreds_of_times_is_read_a_bounded_number_of_times(monkeypatch):
    calls = []
    link = features._link_between
    monkeypatch.setattr(features, "_link_between", lambda gap: calls.append(gap) or link(gap))
    a = analysed("Nyheter\n\n" + "Tranås kommun och Kisumu, " * 500 + "samarbetar.\n")
    (p,) = a.pairs
    assert len(p.units) == 1
    calls.clear()
    repaired(a, a.proposed.mentions)
    assert 0 < len(calls) <= PER_SENTENCE * PER_SENTENCE


def test_mutual_nearest_goes_to_the_pairs_the_sentence_joins():
    pairs = pairs_of("Nyheter\n\nEksjö kommun och Nyeri, liksom Tranås kommun och Kisumu, deltog i mötet.\n")
    joined = {k for k, p in pairs.items() if p.features["joined"]}
    assert joined == {("Eksjö kommun", "nyeri"), ("Tranås kommun", "kisumu")}  # this part holds today
    nearest = {k for k, p in pairs.items() if p.features["mutual_nearest"]}
    assert nearest == joined  # today: {("Tranås kommun", "nyeri")}


def test_short_form_of_a_partner_makes_no_pair_of_its_own():
    # 'Homa bay' (lower-case bay) and 'Homa' are read as the lexicon place 'Homa'; the page names the partner
    # in full too, so the short form is the same partner: one key, the full name
    a = analysed("Tranås kommun i Kenya\n\nTranås kommun samarbetar med Homa Bay County i Kenya sedan 2019.\n\n"
                 "Mötet mellan Tranås och Homa bay blev lyckat, och nästa år reser politiker från Homa till Tranås.\n")
    assert {(p.swedish.name, p.key) for p in a.pairs} == {("Tranås kommun", "homa bay")}
    assert {c.name for c in a.candidates} == {"Homa Bay County"}


ITEM_VALUES = ("item_period", "item_duration", "item_amount", "item_project_sentence")


def item_values(p) -> set[str]:
    return {k for k in ITEM_VALUES if p.features.get(k)}


def test_a_pairs_item_that_tells_of_a_project_of_its_own():
    text = ("Nyheter\n\nTranås kommun och Kisumu samarbetar om avfall.\n\n"
            "Projektet pågår 2022–2024 och får 450 000 kronor. Det är ett treårigt arbete.\n")
    (p,) = analysed(text).pairs
    assert item_values(p) == set(ITEM_VALUES)
    assert {k for k in unproposed(p) if k.removeprefix("unproposed:") in ITEM_VALUES} == {
        f"unproposed:{k}" for k in ITEM_VALUES}


def test_a_partnership_told_only_as_a_tie_has_no_project_values():
    (p,) = analysed("Nyheter\n\nTranås kommun och Kisumu har samarbetat sedan 2008 och träffas varje vår.\n").pairs
    assert item_values(p) == set()


def test_project_values_count_in_the_items_that_write_the_partner_abroad_only():
    text = ("Tranås kommuns logotyp\n\nNyheter\n\nTranås kommun och Kisumu träffas varje vår.\n\nTema\nGender Equality\n\n"
            "Projektet med Nyeri pågår 2022–2024.\n\nTema\nHuman Rights\n")
    a = analysed(text)
    assert len({b.item for b in a.blocks if b.kind != "chrome"}) == 2
    got = {p.key: item_values(p) for p in a.pairs}
    assert got == {"kisumu": set(), "nyeri": {"item_period", "item_project_sentence"}}


# an invented listing of one Swedish body's projects: a heading and text per project
SECTIONS = ("Svensk partner: Tranås kommun\n\n"
            "Rena marknader\n\n"
            "Projektet i Nyeri förbättrar avfallshanteringen. Nyeri har tre marknader, som Karatina.\n\n"
            "Vatten för alla\n\n"
            "I Kisumu bygger projektet vattenkiosker.\n")


def test_the_partner_a_section_under_a_heading_is_most_about_is_its_section_top():
    tops = {p.key: p.features["f_section_top"] for p in analysed(SECTIONS).pairs}
    assert tops["nyeri"] == tops["kisumu"] == 1.0  # each its own heading's section's most written
    assert tops["karatina"] == 0.0                  # written once where Nyeri is written twice


def test_no_section_top_where_no_heading_leads_the_section():
    text = "Tranås kommun samarbetar med Nyeri. Nyeri och Karatina ligger i Kenya.\n"
    assert {p.key: p.features["f_section_top"] for p in analysed(text).pairs} == {"nyeri": 0.0, "karatina": 0.0}
