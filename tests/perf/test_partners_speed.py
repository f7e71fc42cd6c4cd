"""partners and partnership statements: the caches, tables and skips that save time give the same answers
as computing everything afresh."""
from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kp_extract.lexicon import partners
from kp_extract.lexicon.partners import (CONNECTOR_SET, NAME_TOKEN_RE, SENTENCE_END, SwedishMention, _countries,
                                 _foreign_names, _parties, foreign_names, norm_key, partner_key, swedish_bodies,
                                 tidy_foreign)

PIECES = ["Tranås kommun", "Nyeri County", "i Kenya", "tillsammans med", "Kisumu", "Botkyrka", "och", "sedan 2017",
          "The City of", "Borås stad", "partnership with", "Port Elliot", "in South Africa", ".", ",", "Kalushs",
          "Kalush", "Region Jönköpings län", "provinsen An Giang", "Vietnam", "–", "Anna Berg", "samordnare",
          "\n", ";", "med sin partnerkommun", "Rubaga", "i Uganda", "the", "Zhovkva City Council"]
KNOWN = st.dictionaries(st.sampled_from(["kisumu", "kalush", "rubaga", "nyeri", "port elliot", "zhovkva"]),
                        st.sampled_from(["Kisumu", "Kalush", "Rubaga", "Nyeri County", "Port Elliot", "Zhovkva"]),
                        max_size=3)


def _fresh(text: str, lang: str, known: dict[str, str]) -> list:
    swedish = [SwedishMention(p, a, b, s) for p, a, b, s in swedish_bodies(text)]
    return foreign_names(text, lang, known, swedish, list(_countries(text)))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=14), st.sampled_from(["sv", "en"]),
       st.lists(KNOWN, min_size=1, max_size=3))
def test_cached_partners_abroad_match_a_fresh_reading(words: list[str], lang: str, knowns: list[dict]) -> None:
    """_foreign_names is cached by (text, lang, known items): asked again with another `known` (the page
    learns partners as it is read) it must answer for that `known`, exactly as an uncached reading."""
    text = " ".join(words)
    for known in knowns + knowns[:1]:
        assert list(_foreign_names(text, lang, frozenset(known.items()))) == _fresh(text, lang, known)
        assert _parties(text, lang, known)[1] == _fresh(text, lang, known)


def test_parties_returns_fresh_lists() -> None:
    """Callers may extend the lists _parties returns: that must not leak into the cache."""
    text = "Tranås kommun tillsammans med Nyeri County i Kenya."
    first = _parties(text, "sv", {})[1]
    first.append("junk")
    assert _parties(text, "sv", {})[1] == _fresh(text, "sv", {})


@given(st.text(alphabet="abcKÅé -'’.,&()Of", max_size=40) | st.sampled_from(
    ["County", "kommun", "Local Municipality", "district", "Town council", "Oblast", "Kisumu", "City"]))
def test_cached_keys_and_names_are_pure(name: str) -> None:
    """The candidate scan's cached keys, administrative-word test and tidy_foreign answer as the computed
    ones, asked twice."""
    for cached, fn in ((partners._norm_key, norm_key), (partners._partner_key, partner_key),
                       (tidy_foreign, tidy_foreign.__wrapped__), (partners._is_admin, partners.is_admin_word)):
        assert cached(name) == fn(name) == cached(name)
        assert cached(name.casefold()) == fn(name.casefold())


def test_reset_caches_clears_the_new_caches() -> None:
    partners._partner_key("Kisumu County")
    _foreign_names("Tranås kommun med Nyeri County i Kenya.", "sv", frozenset())
    partners.reset_caches()
    assert partners._partner_key.cache_info().currsize == 0 and _foreign_names.cache_info().currsize == 0


# ---------------------------------------------------------------- name runs and sentences

def _reference_runs(doc) -> list[tuple[int, int]]:
    """name_runs the plain way: every token classed by its own text."""
    runs, first, last = [], None, None
    for tok in list(doc) + [None]:
        kind = None if tok is None else (
            "name" if NAME_TOKEN_RE.match(tok.text) else "conn" if tok.text in CONNECTOR_SET else "other")
        if kind == "name":
            first = tok if first is None else first
            last = tok
        elif kind != "conn" and first is not None:
            runs.append((first.idx, last.idx + len(last.text)))
            first = None
    return runs


TEXT = st.text(alphabet="abcKÅÉé Ölde-&of,.;!?()\n\t«»\"'’:/", max_size=80) | \
    st.lists(st.sampled_from(PIECES), max_size=12).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.sampled_from(["sv", "en"]))
def test_name_runs_match_a_token_by_token_reading(text: str, lang: str) -> None:
    """name_runs classes each distinct word once (tables by orth id): the runs must be those of reading
    every token's own text, on capitals, connectors, punctuation and line breaks."""
    doc = partners._nlp(lang).make_doc(text)
    assert partners.name_runs(doc) == _reference_runs(doc)


STRETCH_TEXT = TEXT | st.text(alphabet="aoeldsvnKÅÉŁŽĐ- &,.()\n\t\u00a0\u2009:'’«»0123", max_size=120) | \
    st.lists(st.sampled_from(PIECES + ["de", "of", "-", "&", "de-la", "of,", "x-Kalamba", "van der", "  ", "\u00a0",
                                       "e-tjänster", "(Kalamba)", "dos Santos", "ÅÄÖ", "2021-", "al-Fatah"]),
             max_size=16).map(lambda ws: " ".join(ws))


@settings(max_examples=500, deadline=None)
@given(STRETCH_TEXT, st.sampled_from(["sv", "en"]))
@example("Kalamba of& Kisumu", "sv")  # a chunk of two connector tokens keeps the run open
@example("Rio\u00a0de Janeiro i Brasilien", "sv")
@example("x-Kalamba och Port -Elliot", "en")
def test_runs_from_stretches_equal_runs_from_the_whole_text(text: str, lang: str) -> None:
    """The blank pipeline tokenizes only the stretches that can hold a run (NAME_STRETCH): the runs and
    their offsets must be those of tokenizing the whole text, on capitals, connectors, glued hyphens,
    odd whitespace (double spaces, tabs, non-breaking spaces) and punctuation."""
    nlp = partners._nlp(lang)
    assert partners.stretch_name_runs(nlp, text) == partners.name_runs(nlp.make_doc(text))


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_sentences_are_stripped_non_empty_pieces(text: str) -> None:
    """Each sentence is a piece between SENTENCE_END matches with its edge whitespace removed; pieces of
    only whitespace are dropped."""
    expected, start = [], 0
    for m in list(SENTENCE_END.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        piece = text[start:end]
        if piece.strip():
            lead = next(i for i, c in enumerate(piece) if not c.isspace())
            trail = next(i for i in range(len(piece), 0, -1) if not piece[i - 1].isspace())
            expected.append((start + lead, start + trail))
        start = m.end() if m else start
    assert partners.sentences(text) == expected


# ---------------------------------------------------------------- partnership statements

SENTENCES = ["Tranås kommun tillsammans med Nyeri County i Kenya.", "Samarbetet är gott.",
             "Vänorten Kisumu besöktes.", "Sedan 2017 har de samarbetat.", "Partnerskapet inleddes 2019.",
             "Botkyrka och Kisumu har samarbetat sedan 2015.", "Vi twinning med Kisumu County i Kenya.",
             "Region Jönköpings län anslöt till partnerskapet 2021.", "Projektet startade 2020.",
             "Det var en bra dag; alla kom.", "The City of Borås continues its partnership with Port Elliot in "
             "South Africa since 2012."]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=5).map(" ".join), min_size=1,
                max_size=4), st.sampled_from(["", "## Kisumu County, Kenya\n\n"]))
def test_sentences_without_parties_are_skipped_exactly(paragraphs: list[str], heading: str) -> None:
    """partnership_statements skips a sentence with no party, no open pair and no partner section. With
    an empty group added to every sentence (so nothing is skipped) the statements must be the same."""
    from kp_extract.stages.s5_extract import proposals as ex
    from kp_extract.lexicon.partners import PairGroup

    text = "# Partnerskap\n\n" + heading + "\n\n".join(paragraphs) + "\n"
    gated = [(s.swedish_partner.name, s.international_partner, s.since_year, s.source)
             for s in _extract(text).partnerships]
    real = ex.sentence_pairs
    try:
        ex.sentence_pairs = lambda *a, **k: [(s, e, g + [PairGroup()]) for s, e, g in real(*a, **k)]
        ungated = [(s.swedish_partner.name, s.international_partner, s.since_year, s.source)
                   for s in _extract(text).partnerships]
    finally:
        ex.sentence_pairs = real
    assert gated == ungated


def _extract(text: str):
    from kp_extract.stages.s2_clean import clean_page
    from kp_extract.stages.s5_extract.proposals import propose
    from kp_extract.stages.s4_language import assign_languages
    from kp_extract.model import Page
    from kp_extract.stages.s3_segment import segment_page

    page = clean_page(Page(file="page.txt", text=text, sha256=""))
    return propose(page, assign_languages(segment_page(page)))
