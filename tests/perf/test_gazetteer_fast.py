"""find_countries searches lower-cased text case-sensitively (faster) unless the text holds a char for
which that search can differ from an IGNORECASE search of the text itself: both must give the same."""
from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kp_extract.lexicon import gazetteer

_TOKENS = ["Kenya", "KENYA", "kenya", "South Africa", "South  Africa", "Sydafrika", "sydafrikanska", "Bosnia and",
           "Herzegovina", "USA", "Usa", "DRC", "Israel", "Iſrael", "ıSRAEL", "İsrael", "Vietnam", "Viet Nam",
           "Sverige", "Sweden", "svenska", "Côte", "d'Ivoire", "Cote d'Ivoire", "Tanzania", "Moçambique", "Ukraina",
           "ukrainska", "\u212aenya", "\u212bland", "Åland", "Straße", "ﬁ", "Kenyaﬁ", "x", "och", "and", "-", ",",
           "(", ")", " ", "\n", "\u00a0", "\t", "2019", "𝐊enya", "Georgia", "Georgien", "Irak", "Iraq"]
texts = st.lists(st.tuples(st.sampled_from(["", " ", "\n"]), st.sampled_from(_TOKENS)), max_size=10).map(
    lambda parts: "".join(sep + w for sep, w in parts))


@settings(max_examples=500, deadline=None)
@given(texts, st.booleans())
@example("Iſrael och Kenya", False)
@example("İsrael, Irak", False)
@example("\u212aenya (2019)", True)
def test_lower_cased_country_search_finds_what_the_case_insensitive_one_finds(text: str, sweden: bool) -> None:
    slow = [m.span() for m in gazetteer._country_regex(sweden, True).finditer(text)]
    assert gazetteer._country_spans(text, sweden) == slow


def test_case_odd_chars_are_the_ones_ignorecase_equates_differently() -> None:
    odd = gazetteer._country_index().odd
    for c in ("\u0131", "\u017f", "\u0130", "\U0001d40a"):  # ı ſ İ and a char beyond the BMP
        assert odd.search(c)
    for c in "aZåÄöÉ\u212a\u212b -'.\n":  # the Kelvin and Ångström signs lower-case to k and å
        assert not odd.search(c)
