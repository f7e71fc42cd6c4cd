"""dedupe: the GUIDE's merge rule, near-misses, stable ids, partnerships."""
from __future__ import annotations

import hypothesis.strategies as st
from hypothesis import given, settings

from kp_extract.stages.s6_dedupe import (MAX_POSSIBLE_DUPLICATES, _partners_agree, dedupe, merge_groups, party_key,
                                possible_duplicates, title_key)
from kp_extract.model import Mention, Partner, PartnershipMention, Project, Source
from kp_extract.lexicon.partners import partner_key

BORLANGE = Partner("Borlänge kommun", "2081")
TRANAS = Partner("Tranås kommun", "0687")


def mention(file: str, start: int, **kw) -> Mention:
    m = Mention(file=file, sources=[Source(file, start, start + 10)], languages=kw.pop("languages", ["en"]))
    m.swedish_partners = kw.pop("sw", [BORLANGE])
    m.international_partners = kw.pop("intl", ["Kumasi"])
    for k, v in kw.items():
        setattr(m, k, v)
    return m


def test_same_title_merges_across_case_and_punctuation() -> None:
    a = mention("a.txt", 0, title="Energy Plan in Line with Agenda 2030", start_date="2019", end_date="2020",
                languages=["en"], sdgs=[7])
    b = mention("b.txt", 5, title="Energy plan in line with Agenda 2030.", start_date="2019-01",
                end_date="2020-12", languages=["sv"], duration_years=2)
    projects, _, merged = dedupe([a, b], [])
    assert merged == 1 and len(projects) == 1
    p = projects[0]
    assert p.title == "Energy Plan in Line with Agenda 2030"
    assert (p.start_date, p.end_date, p.duration_years, p.languages) == ("2019-01", "2020-12", 2, ["en", "sv"])
    assert [s.file for s in p.sources] == ["a.txt", "b.txt"]


def test_same_parties_and_explicit_years_merge() -> None:
    a = mention("a.txt", 0, title="Blue Water", start_date="2019", end_date="2021")
    b = mention("b.txt", 0, start_date="2019", end_date="2021", languages=["sv"])
    projects, _, _ = dedupe([a, b], [])
    assert len(projects) == 1 and projects[0].title == "Blue Water"


def test_shared_parties_alone_stay_apart_as_possible_duplicates() -> None:
    a = mention("a.txt", 0, amount_sek=1500000)
    b = mention("a.txt", 50, duration_years=3)
    c = mention("a.txt", 90, amount_sek=700000)  # its amount conflicts with a's
    projects, _, merged = dedupe([a, b, c], [])
    assert merged == 0 and len(projects) == 3
    pa, pb, pc = projects
    assert pa.possible_duplicates == [pb.record_id]
    assert pb.possible_duplicates == sorted([pa.record_id, pc.record_id])
    assert pc.possible_duplicates == [pb.record_id]


def test_different_titles_never_merge_even_with_the_same_years() -> None:
    a = mention("a.txt", 0, title="One", start_date="2019", end_date="2021")
    b = mention("a.txt", 40, title="Two", start_date="2019", end_date="2021")
    assert len(dedupe([a, b], [])[0]) == 2


def test_partner_names_take_the_fullest_form_of_their_own_texts_and_countries_spread() -> None:
    a = mention("a.txt", 0, intl=["Kumasi Metropolitan Assembly"], countries=["GH"],
                partner_countries={"Kumasi Metropolitan Assembly": "GH"})
    b = mention("b.txt", 0, intl=["Kumasi"], title="Safe Streets")
    c = mention("c.txt", 0, intl=["Kumasi"], title="Safe Streets")
    c2 = mention("d.txt", 0, intl=["Kumasi Metropolitan Assembly"], title="Safe Streets")
    projects, partnerships, _ = dedupe([a, b, c, c2], [])
    by_title = {p.title: p for p in projects}
    assert by_title[None].international_partners == ["Kumasi Metropolitan Assembly"]
    # the merged record's own texts give the fuller form
    assert by_title["Safe Streets"].international_partners == ["Kumasi Metropolitan Assembly"]
    assert all(p.countries == ["GH"] for p in projects)
    assert len(partnerships) == 1 and partnerships[0].country == "GH"
    assert partnerships[0].international_partner == "Kumasi Metropolitan Assembly"


def test_a_record_keeps_the_name_its_own_texts_give() -> None:
    a = mention("a.txt", 0, intl=["Kutaisi City Hall"], title="One")
    b = mention("b.txt", 0, intl=["Kutaisi"], title="Two")
    projects, _, _ = dedupe([a, b], [])
    assert {p.title: p.international_partners[0] for p in projects} == {"One": "Kutaisi City Hall", "Two": "Kutaisi"}


def test_partnership_since_is_the_earliest_stated_and_lists_projects() -> None:
    a = mention("a.txt", 0, title="Safe Streets")
    s1 = PartnershipMention("b.txt", BORLANGE, "Kumasi", "GH", 2012, Source("b.txt", 0, 5))
    s2 = PartnershipMention("c.txt", BORLANGE, "Kumasi", None, 2009, Source("c.txt", 0, 5))
    s3 = PartnershipMention("c.txt", TRANAS, "Nyeri County", "KE", None, Source("c.txt", 9, 20))
    projects, partnerships, _ = dedupe([a], [s1, s2, s3])
    by = {(p.swedish_partner, p.international_partner): p for p in partnerships}
    assert by[("Borlänge kommun", "Kumasi")].since_year == 2009
    assert by[("Borlänge kommun", "Kumasi")].project_ids == [projects[0].record_id]
    assert by[("Tranås kommun", "Nyeri County")].project_ids == []


def test_record_ids_do_not_depend_on_input_order() -> None:
    ms = [mention("a.txt", 0, title="X"), mention("b.txt", 0), mention("c.txt", 3, amount_sek=5)]
    ids = {p.record_id for p in dedupe(ms, [])[0]}
    ms2 = [mention("c.txt", 3, amount_sek=5), mention("b.txt", 0), mention("a.txt", 0, title="X")]
    assert ids == {p.record_id for p in dedupe(ms2, [])[0]}
    assert len(ids) == 3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "c", None]), st.sampled_from([None, "2019", "2020"])),
                min_size=1, max_size=8))
def test_merging_is_idempotent_and_loses_no_source(spec) -> None:
    ms = [mention(f"f{i}.txt", i, title=t, start_date=y, end_date=y) for i, (t, y) in enumerate(spec)]
    projects, _, merged = dedupe(ms, [])
    assert sum(len(p.sources) for p in projects) == len(spec)
    assert len(projects) + merged == len(spec)
    titles = [title_key(p.title) for p in projects if p.title]
    assert len(titles) == len(set(titles))


def test_a_repeated_item_merges_but_a_pair_in_other_words_stays_apart() -> None:
    a = mention("a.txt", 0, fingerprint="same words")
    b = mention("b.txt", 50, fingerprint="same words")
    c = mention("c.txt", 0, fingerprint="other words")
    d = mention("d.txt", 0, fingerprint="same words", start_date="2019", end_date="2020")
    projects, _, merged = dedupe([a, b, c, d], [])
    assert merged == 1
    assert sorted(len(p.sources) for p in projects) == [1, 1, 2]
    assert sorted(projects[0].possible_duplicates) == sorted(p.record_id for p in projects[1:])


def test_an_untitled_id_is_its_parties_years_and_text_not_its_file_or_offset() -> None:
    def rid(m):
        return dedupe([m], [])[0][0].record_id

    base = rid(mention("a.txt", 0, fingerprint="f", start_date="2020-03", end_date="2021"))
    assert rid(mention("renamed.txt", 900, fingerprint="f", start_date="2020", end_date="2021-12")) == base
    assert rid(mention("a.txt", 0, fingerprint="g", start_date="2020", end_date="2021")) != base
    assert rid(mention("a.txt", 0, fingerprint="f", start_date="2019", end_date="2021")) != base
    assert rid(mention("a.txt", 0, fingerprint="f", start_date="2020", end_date="2021", intl=["Kisumu"])) != base
    assert rid(mention("a.txt", 0, fingerprint="f", start_date="2020", end_date="2021", sw=[TRANAS])) != base


def test_one_title_for_two_partners_abroad_gives_ids_that_do_not_depend_on_order() -> None:
    a = mention("a.txt", 0, title="Green Schools", intl=["Kumasi"], fingerprint="x")
    b = mention("b.txt", 0, title="Green Schools", intl=["Nyeri County"], fingerprint="y")
    forward = {p.international_partners[0]: p.record_id for p in dedupe([a, b], [])[0]}
    a2, b2 = mention("z.txt", 0, title="Green Schools", intl=["Kumasi"], fingerprint="x"), \
        mention("a.txt", 0, title="Green Schools", intl=["Nyeri County"], fingerprint="y")
    backward = {p.international_partners[0]: p.record_id for p in dedupe([a2, b2], [])[0]}
    assert forward == backward and len(set(forward.values())) == 2
    assert all("-" not in rid[3:] for rid in forward.values())


def test_one_title_for_two_different_partners_abroad_is_two_projects() -> None:
    a = mention("a.txt", 0, title="Green Schools", intl=["Kumasi"])
    b = mention("b.txt", 0, title="Green Schools", intl=["Nyeri County"])
    c = mention("c.txt", 0, title="Green schools", intl=[])
    projects, _, merged = dedupe([a, b, c], [])
    assert merged == 1 and len(projects) == 2
    assert sorted(len(p.sources) for p in projects) == [1, 2]


def _compatible_pairs(projects) -> dict[str, list[str]]:
    """The GUIDE's near-miss rule, pair by pair: same parties, and no title, start year, end year or
    amount that both state and that differ."""
    def agree(x, y) -> bool:
        return not (x and y and x != y)

    def key(p):
        return (tuple(sorted(p.swedish_partners)), tuple(sorted(partner_key(n) for n in p.international_partners)))

    out = {}
    for a in projects:
        out[a.record_id] = sorted(
            b.record_id for b in projects
            if b is not a and a.international_partners and key(a) == key(b)
            and (not (a.title and b.title) or title_key(a.title) == title_key(b.title))
            and agree((a.start_date or "")[:4], (b.start_date or "")[:4])
            and agree((a.end_date or "")[:4], (b.end_date or "")[:4]) and agree(a.amount_sek, b.amount_sek))
    return out


def _project(i: int, title, start, end, amount, intl) -> Project:
    return Project(f"kp-{i:03d}", title, ["Borlänge kommun"], ["2081"], intl, [], [], [], [], [], start, end,
                   None, amount, [], [], "", [])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([None, "", "Safe Streets", "safe streets!", "Green", "?!"]),
                          st.sampled_from([None, "", "2019", "2019-05", "2020"]),
                          st.sampled_from([None, "2021", "2021-12", "2022"]),
                          st.sampled_from([None, 0, 500_000, 750_000]),
                          st.sampled_from([["Kumasi"], ["Kumasi Metropolitan Assembly"], ["Nyeri County"], []])),
                min_size=1, max_size=25),
       st.sampled_from([1, 2, 5, MAX_POSSIBLE_DUPLICATES]), st.randoms(use_true_random=False))
def test_possible_duplicates_are_every_compatible_record_up_to_the_cap(spec, limit, rnd) -> None:
    projects = [_project(i, *fields) for i, fields in enumerate(spec)]
    rnd.shuffle(projects)  # the lists do not depend on the order of the records
    possible_duplicates(projects, limit)
    expected = _compatible_pairs(projects)
    for p in projects:
        assert p.possible_duplicates == expected[p.record_id][:limit]


def _merge_groups_pairwise(mentions: list[Mention]) -> list[list[Mention]]:
    """merge_groups as the GUIDE states it, each mention compared with every earlier one of its title."""
    mentions = sorted(mentions, key=lambda m: (m.sources[0].file, m.sources[0].start, m.sources[0].end))
    group_of = list(range(len(mentions)))

    def find(i):
        while group_of[i] != i:
            i = group_of[i]
        return i

    def union(i, j):
        a, b = find(i), find(j)
        group_of[max(a, b)] = min(a, b)

    for i, m in enumerate(mentions):
        tk = title_key(m.title)
        earlier = [j for j in range(i) if tk and title_key(mentions[j].title) == tk]
        match = next((j for j in earlier if _partners_agree(mentions[j], m)), None)
        if match is not None:
            union(match, i)
    def dated(m):  # same parties and explicit years merge, unless two different titles tell them apart
        return (party_key(m) + (m.start_date[:4], m.end_date[:4])
                if m.start_date and m.end_date and m.international_partners else None)

    for i, m in enumerate(mentions):
        first = next((j for j in range(i) if dated(m) and dated(mentions[j]) == dated(m)), None)
        ta, tb = title_key(mentions[first].title) if first is not None else None, title_key(m.title)
        if first is not None and not (ta and tb and ta != tb):
            union(first, i)

    def item(m):  # the same pair in the same words with the same years is the same item again
        return (party_key(m) + ((m.start_date or "")[:4], (m.end_date or "")[:4], m.fingerprint)
                if m.fingerprint and m.international_partners else None)

    for i, m in enumerate(mentions):
        first = next((j for j in range(i) if item(m) and item(mentions[j]) == item(m)), None)
        ta, tb = title_key(mentions[first].title) if first is not None else None, title_key(m.title)
        if first is not None and not (ta and tb and ta != tb):
            union(first, i)
    groups: dict[int, list[Mention]] = {}
    for i, m in enumerate(mentions):
        groups.setdefault(find(i), []).append(m)
    return [groups[k] for k in sorted(groups)]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([None, "Green Schools", "green schools!", "Blue"]),
                          st.sampled_from([[], ["Kumasi"], ["Kumasi", "Nyeri County"], ["Nyeri"], ["Tema"]]),
                          st.sampled_from([None, "2019"]), st.sampled_from(["", "f1", "f2"])),
                min_size=1, max_size=20))
def test_merge_groups_agree_with_the_pairwise_rule(spec) -> None:
    ms = [mention(f"f{i % 3}.txt", i, title=t, intl=intl, start_date=y, end_date=y, fingerprint=fp)
          for i, (t, intl, y, fp) in enumerate(spec)]
    got = [[id(m) for m in g] for g in merge_groups(ms)]
    assert got == [[id(m) for m in g] for g in _merge_groups_pairwise(ms)]


def test_a_partnership_id_is_its_code_and_partner_key_not_its_projects_or_sources() -> None:
    def pid(swedish: Partner, abroad: str, file: str = "a.txt", title: str = "Safe Streets") -> str:
        (p,) = dedupe([mention(file, 0, title=title, sw=[swedish], intl=[abroad])], [])[1]
        return p.partnership_id

    base = pid(BORLANGE, "Kumasi")
    assert base.startswith("kp-p-") and len(base) == len("kp-p-") + 16
    # another page, another project, another spelling of the partner abroad and of the Swedish name: same pair
    assert pid(BORLANGE, "Kumasi", file="other.txt", title="Clean Water") == base
    assert pid(BORLANGE, "KUMASI Municipality") == base
    assert pid(Partner("Borlänge", "2081"), "Kumasi") == base
    # another code, or another partner abroad: another pair
    assert pid(TRANAS, "Kumasi") != base
    assert pid(BORLANGE, "Kisumu") != base
    # a body without code is keyed on its name, case and punctuation aside
    assert pid(Partner("Region Nord", None), "Kumasi") == pid(Partner("REGION NORD.", None), "Kumasi")


def test_partnerships_sharing_a_code_get_distinct_ids_whatever_the_order() -> None:
    town, company = Partner("Borlänge kommun", "2081"), Partner("Borlänge Energi", "2081")
    s1 = PartnershipMention("a.txt", town, "Kumasi", "GH", None, Source("a.txt", 0, 5))
    s2 = PartnershipMention("b.txt", company, "Kumasi", "GH", None, Source("b.txt", 0, 5))
    forward = {p.swedish_partner: p.partnership_id for p in dedupe([], [s1, s2])[1]}
    s1b = PartnershipMention("z.txt", town, "Kumasi", "GH", None, Source("z.txt", 0, 5))
    backward = {p.swedish_partner: p.partnership_id for p in dedupe([], [s2, s1b])[1]}
    assert forward == backward and len(set(forward.values())) == 2
    assert all(pid.startswith("kp-p-") and "-" not in pid[5:] for pid in forward.values())
