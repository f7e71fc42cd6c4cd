"""dedupe's fast paths give what the general code they replace gives, on varied inputs."""
from __future__ import annotations

import json
from operator import attrgetter

import hypothesis.strategies as st
from hypothesis import given, settings

from kp_extract.stages.s6_dedupe import (
    Keys,
    _encode_key,
    _order,
    _sorted_sources,
    _union,
    _unique_partners,
    dedupe,
    title_key,
)
from kp_extract.lexicon.gazetteer import place_country
from kp_extract.model import Mention, Partner, Source, unique, unique_partners
from kp_extract.lexicon.partners import partner_key
from kp_extract.run.compact import SummaryStore, compact

WORDS = st.sampled_from(["Kumasi", "kumasi", "Kumasi Metropolitan Assembly", "Nyeri County", "Tema", "Å", "",
                         "the City of Tema", "Green Schools!", "green schools", "?!", "Växjö kommun", "2019"])
SOURCES = st.builds(Source, st.sampled_from(["a.txt", "b.txt", "sub/a.txt"]), st.integers(0, 30), st.integers(0, 30))
PARTNERS = st.one_of(st.none(), st.builds(Partner, st.sampled_from(["Växjö kommun", "Region Skåne", "Borås stad"]),
                                          st.sampled_from([None, "", "0780", "1200"])))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.lists(WORDS, max_size=4), st.lists(WORDS, max_size=4).map(tuple)), min_size=1,
                max_size=4))
def test_union_is_unique_over_the_concatenation(lists) -> None:
    group = [Mention(file="a.txt", countries=values) for values in lists]
    assert _union(group, attrgetter("countries")) == unique(v for values in lists for v in values)


@settings(max_examples=200, deadline=None)
@given(st.lists(PARTNERS, max_size=8))
def test_unique_partners_by_dict_is_model_unique_partners(partners) -> None:
    got, expected = _unique_partners(partners), unique_partners(partners)
    assert [id(p) for p in got] == [id(p) for p in expected]


@settings(max_examples=200, deadline=None)
@given(st.lists(SOURCES, max_size=12))
def test_sources_sorted_by_key_are_sorted_sources(sources) -> None:
    assert _sorted_sources(sources) == sorted(set(sources))
    if sources:
        m = Mention(file="z.txt", sources=sources)
        first = min(sources)
        assert _order(m) == (first.file, first.start, first.end)
    assert _order(Mention(file="z.txt")) == ("z.txt", 0, 0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=8), st.integers(-5, 5), st.none(), st.lists(WORDS, max_size=3)),
                max_size=8))
def test_record_key_encoder_is_json_dumps(key) -> None:
    assert _encode_key(key) == json.dumps(key, ensure_ascii=False)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(WORDS, st.text(max_size=12)), max_size=10))
def test_memoised_keys_are_the_functions(names) -> None:
    keys = Keys()
    for _ in range(2):  # the second round is served from the memo
        assert [keys.partner(n) for n in names] == [partner_key(n) for n in names]
        assert [keys.title(n) for n in names] == [title_key(n) for n in names]
        assert [keys.place(n) for n in names] == [place_country(n) for n in names]


def test_place_country_folds_case_and_accents_and_drops_administrative_words() -> None:
    # the table is built once (a loop tuned for speed) and the administrative words once: same answers
    assert [place_country(n) for n in ("Kumanovo", "Kraków", "krakow", "KRAKÓW", "Kisii County",
                                       "the City of Kumasi")] == ["MK", "PL", "PL", "PL", "KE", "GH"]
    assert place_country("Москва") is None  # names in other scripts are not in the table
    assert place_country("Uppsala") is None  # nor Sweden's own places


def _page_mentions(seed: int) -> list[Mention]:
    """Fresh mentions as a worker hands them over: lists, repeated values, partner countries."""
    areas = ["Miljö", "Demokrati", "Miljö"]
    return [Mention(file=f"p{seed}.txt", title=f"Rent vatten {i % 3}" if i % 4 else None,
                    swedish_partners=[Partner("Växjö kommun", "0780"), Partner("Region Kronoberg", "07", "region")],
                    international_partners=[f"Kisumu County {i % 2}", "Kisumu"], countries=["KE"] if i % 3 else [],
                    project_areas=areas[: i % 4], themes=["vatten"], sdgs=[6, 6, 13][: i % 3], tags=["x"],
                    languages=["sv", "en"][: 1 + i % 2], summary="Sammanfattning " * (i % 3),
                    start_date="2019-05" if i % 2 else None, end_date="2021" if i % 5 else None,
                    sources=[Source(f"p{seed}.txt", 10 * i, 10 * i + 5)], other_participants=["Sida"] * (i % 2),
                    partner_countries={"Kisumu": "KE"} if i % 2 else {}, context_country="KE" if i % 3 == 1 else None)
            for i in range(12)]


def test_compacted_mentions_keep_every_value_and_dedupe_the_same() -> None:
    with SummaryStore() as summaries:
        interned: dict[str, Partner] = {}
        compacted = [m for seed in range(3) for m in compact(_page_mentions(seed), summaries, interned)]
        plain = [m for seed in range(3) for m in _page_mentions(seed)]
        for c, p in zip(compacted, plain):
            for name in Mention.__slots__:
                got, want = getattr(c, name), getattr(p, name)
                if name == "summary":
                    got = summaries.get(got)
                assert (tuple(got) if isinstance(got, tuple) else got) == (
                    tuple(want) if isinstance(want, list) else want), name
        assert len(interned) == 2  # one Partner object per body across pages
        a, b = dedupe(compacted, []), dedupe(plain, [])
        for pa, _pb in zip(a[0], b[0]):
            pa.summary = summaries.get(pa.summary)
        assert a == b
