"""The cheap pre-checks (gates) in values and gazetteer only skip work that cannot produce a result:
on varied text, whenever a gate says "nothing here", the full regex scan indeed finds nothing."""
from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kp_extract.stages.s5_extract import proposals as ex
from kp_extract.lexicon import gazetteer
from kp_extract.lexicon import values
from kp_extract.stages.s5_extract.proposals import paragraph_kind
from kp_extract.lexicon.partners import sentences

# words that make or nearly make the gated expressions, odd-case letters re's IGNORECASE equates
# with ASCII ones (İ ı ſ, the Kelvin sign), whitespace of several kinds, digits and punctuation
_TOKENS = [
    "kr", "Kr.", "SEK", "sek", "MSEK", "mkr", "tkr", "kronor", "krona", "svenska kronor", ":-", "miljoner",
    "milj.", "million", "MILLIONS", "mln", "mn", "bn", "billion", "miljarder", "tusen", "thousand", "halv",
    "en", "två", "tre", "ſek", "\u212ar", "İngen", "ıngen", "mellan", "och", "-", "–", "beviljas", "medel",
    "SDG", "SDGs", "sdg:s", "Goal", "goals", "mål", "målen", "MÅL", "target", "no.", "nr", "#", "Agenda 2030",
    "Globala målen", "Sustainable", "cities", "and", "communities", "Hållbara", "städer", "samhällen",
    "Ingen", "fattigdom", "Zero", "hunger", "Good", "health", "well-being", "Peace,", "justice", "strong",
    "institutions", "Life", "below", "water", "Rent", "vatten", "sanitet", "för", "alla",
    "Gender", "equality", "Jämställdhet", "Climate", "action",
    "Växjö", "kommun", "Kommun", "Falu", "stad", "Region", "Kronoberg", "Landstinget", "i", "Halmstad",
    "Lidingö", "ronneby", "Mark", "Twain", "JB", "Marks", "Gotland", "Kalmar", "läns", "landsting",
    "0", "1", "3", "11", "17", "450", "000", "2019", "1,5", "700 000", "12",
    " ", "  ", "\t", "\n", "\u00a0", "\u2009", ",", ".", ";", "/", "&", ":", "(", ")", "ß", "ﬁ",
]
texts = st.lists(st.tuples(st.sampled_from(["", " ", " ", "\t"]), st.sampled_from(_TOKENS)), max_size=14).map(
    lambda parts: "".join(sep + w for sep, w in parts))


def _has_unit(m: re.Match) -> bool:
    return bool(m.group("unit") or m.group("pre"))


@settings(max_examples=600, deadline=None)
@given(texts)
def test_amount_gate_is_exact(text: str) -> None:
    if not values._may_contain(text, values._UNIT_FRAGMENTS):
        assert not any(_has_unit(m) for m in values._AMOUNT_RE.finditer(text))
        assert values.find_amounts(text) == []


def test_amount_gate_passes_odd_case_letters() -> None:
    # "ſek" matches "sek" under IGNORECASE although str.lower() leaves it apart
    assert values._may_contain("500 ſek", values._UNIT_FRAGMENTS)
    assert any(_has_unit(m) for m in values._AMOUNT_RE.finditer("500 ſek"))
    assert not values._may_contain("500 personer", values._UNIT_FRAGMENTS)


@settings(max_examples=600, deadline=None)
@given(texts)
def test_sdg_gates_are_exact(text: str) -> None:
    if values._sdg_statements(text) == ():
        assert list(values._SDG_RE.finditer(text)) == []
    if values._prose_names(text) == ():
        assert list(values._PROSE_NAME_RE.finditer(text)) == []
    if values._generic_names(text) == ():
        assert list(values._GENERIC_NAME_RE.finditer(text)) == []


def test_sdg_gates_let_statements_and_names_through() -> None:
    assert [f.value for f in values.find_sdgs("Projektet bidrar till SDG 11 och 5.")] == [11, 5]
    assert [f.value for f in values.find_sdgs("Hållbara  städer och samhällen")] == [11]
    assert values.find_sdgs("Målgruppen är 30 lärare och ungdomar.") == []


def _brute_ends(text: str, i: int) -> set[int]:
    """Every end j that the unpruned search would look up and find in full_forms."""
    idx = gazetteer._swedish_index()
    out = set()
    for L in idx.form_lengths:
        j = i + L
        if j > len(text):
            continue
        seg = text[i:j]
        if not (seg[0].isalnum() and seg[-1].isalnum()) or "\n" in seg:
            continue
        key = seg.casefold()
        if "  " in key or "\t" in key or "\u00a0" in key:
            key = re.sub(r"\s+", " ", key)
        if key in idx.full_forms:
            out.add(j)
    return out


@settings(max_examples=400, deadline=None)
@given(texts)
@example("Växjö\tkommun")
@example("Växjö\u00a0kommunFalu  kommun")
@example("Landstinget i\u2009Kronoberg\nGotland")
@example("VÄXJÖ KOMMUNßLidingö stad")
def test_glued_swedish_candidates_cover_every_key(text: str) -> None:
    idx = gazetteer._swedish_index()
    fold = [c.casefold() for c in text]
    nl, odd = gazetteer._next_positions(text)
    for i in range(len(text)):
        if text[i].isalnum():
            assert _brute_ends(text, i) <= set(gazetteer._form_ends(idx, fold, i, min(len(text), nl[i]), odd[i]))


def test_glued_swedish_with_folded_whitespace() -> None:
    got = gazetteer.split_glued_swedish("Växjö  kommunLidingö stadronneby kommun")
    assert [m.partner.name if m.partner else None for m in got] == ["Växjö kommun", "Lidingö stad", "Ronneby kommun"]


# --------------------------------------------------------------------------- extract reuse

_PARAGRAPHS = [
    "Ett tvåårigt projekt (2019–2021) om avfall. Projektet leds av Växjö kommun.",
    "The project runs 2020-2022. The municipality of Falun takes part in the project; it is funded by ICLD.",
    "Beviljade medel: 250 000 kronor.\nProjektet fortsätter.",
    "Region Kronoberg deltar i förstudien. Förstudien pågår under hösten 2021!",
    "Kommunerna ansöker om en förstudie.\nDen ska vara klar 2023.",
    "Vi träffas två gånger per år. Inget projekt här.",
    "Project name: Clean Water for All. It ran from March 2018 to February 2020.",
]


@pytest.mark.parametrize("text", _PARAGRAPHS)
def test_paragraph_kind_does_not_depend_on_the_analysis_language(text: str) -> None:
    # paragraph_kind reuses the block language's cached sentence analysis: sentence bounds must be
    # the same whichever language's analysis gives them
    assert sentences(text, "sv") == sentences(text, "en")
    assert paragraph_kind(text, "sv") == paragraph_kind(text, "en") == paragraph_kind(text)


def test_paragraph_kinds() -> None:
    assert [paragraph_kind(t) for t in _PARAGRAPHS] == [
        ("new", "project"), ("continue", "project"), ("continue", "any"), ("continue", "prestudy"),
        ("new", "prestudy"), None, ("new", "project")]


def _body_title_ungated(text: str) -> str | None:
    m = ex.LABELLED_TITLE.search(text)
    if m:
        return ex._clean_title(m.group("t"))
    lead = ex.LEAD_TITLE.search(text.strip())
    if lead and ex.is_title_line(lead.group("t")) and not ex.DESCRIPTIVE_HEADING.search(lead.group("t")):
        return ex._clean_title(lead.group("t"))
    return ex.quoted_title(text)


_TITLE_TOKENS = ["The", "name", "NAME", "of", "the", "project", "Project", "is", ":", "projektets", "namn",
                 "Projektnamn", "projektet", "heter", "kallat", "“", "”", "\"", "«", "»", "„", "(", ")", "2017",
                 "–", "2019", ".", "\n", "E-tjänster", "för", "bygglov", "Vatten", "i", "Kisumu", "ett",
                 "projekt", "named", "Clean", "Water", ",", "a", "pre-study"]
title_texts = st.lists(st.tuples(st.sampled_from(["", " "]), st.sampled_from(_TITLE_TOKENS)), max_size=16).map(
    lambda parts: "".join(sep + w for sep, w in parts))


@settings(max_examples=600, deadline=None)
@given(title_texts)
@example("The name of the project: Clean Water for All.")
@example("Projektet heter „Vatten i Kisumu”.")
@example("E-tjänster för bygglov (2017–2019). Projektet …")
@example("med projektet «Rent vatten för alla» i Kisumu")
def test_body_title_gates_keep_its_result(text: str) -> None:
    assert ex.body_title(text) == _body_title_ungated(text)


_GRANT_TOKENS = ["Växjö", "kommun", "beviljades", "medel", "ICLD", "har", "fått", "bidrag", "för", "projektet",
                 "med", "Kisumu", ".", "!", "\n", ";", "500", "000", "kronor", "SEK", "2 miljoner", "krav",
                 "granted", "funding", "The", "project", "in", "Kenya", "ſek", "år", "2019"]
grant_texts = st.lists(st.tuples(st.sampled_from(["", " ", " "]), st.sampled_from(_GRANT_TOKENS)), max_size=18).map(
    lambda parts: "".join(sep + w for sep, w in parts))


@settings(max_examples=400, deadline=None)
@given(grant_texts, st.sampled_from(["sv", "en"]))
@example("Växjö kommun har fått medel för projektet med Kisumu.", "sv")
@example("Projektet med Kisumu kostar 500 000 kronor.", "sv")
def test_grant_gate_only_skips_paragraphs_without_grant_sentences(text: str, lang: str) -> None:
    grant = ex.triggers()["grant"]
    possible = any(grant.search(text[s:e]) or values.find_amounts(text[s:e]) for s, e in sentences(text, lang))
    if possible:
        assert ex._may_hold_grant(text, lang)


def _windows_reference(text: str, key: re.Pattern, before: int, after: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for m in key.finditer(text):
        s, e = max(0, m.start() - before), min(len(text), m.end() + after)
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab 1\n", max_size=90), st.integers(0, 50), st.integers(0, 50))
def test_windows_merge_like_the_plain_loop(text: str, before: int, after: int) -> None:
    key = re.compile(r"1+")
    assert values._windows(text, key, before, after) == _windows_reference(text, key, before, after)
