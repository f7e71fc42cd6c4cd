"""values builds its word alternations (months, seasons, number words) as tries for speed: a trie must
match exactly what the plain longest-first alternation of the same words matches, trying the words
in the same order (the order decides which match a backtracking regex keeps)."""
from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from kp_extract.lexicon import values


def _flat(words) -> str:
    """The plain alternation the tries replace: escaped words, longest first, a space matching \\s+."""
    return "(?:" + "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words), key=len, reverse=True)) + ")"


def _same_match_at_every_position(new: re.Pattern, old: re.Pattern, text: str) -> None:
    """new.match and old.match give the same span and groups at every position of text."""
    for pos in range(len(text) + 1):
        a, b = new.match(text, pos), old.match(text, pos)
        assert (a and (a.span(), a.groupdict())) == (b and (b.span(), b.groupdict())), (pos, text)


def _without_lookahead(pattern: re.Pattern, lead: str) -> re.Pattern:
    """pattern with its first-letter look-ahead `lead` taken out (it must be there)."""
    plain = re.compile(pattern.pattern.replace(lead, "", 1), pattern.flags)
    assert plain.pattern != pattern.pattern
    return plain


def _same_matches(new: re.Pattern, old: re.Pattern, text: str) -> None:
    """new.finditer and old.finditer give the same spans and groups over text."""
    assert [(m.span(), m.groupdict()) for m in new.finditer(text)] == [
        (m.span(), m.groupdict()) for m in old.finditer(text)]


def _same_everywhere(alt_a: str, alt_b: str, text: str) -> None:
    """Both alternations, alone and followed by something that forces backtracking into them,
    match the same span and groups at every position of text, case-insensitively."""
    for tail in ("", r"(?P<t>\s*[a-c]?\d)", r"(?![\w])"):
        a = re.compile(f"(?P<w>{alt_a}){tail}", re.IGNORECASE)
        b = re.compile(f"(?P<w>{alt_b}){tail}", re.IGNORECASE)
        _same_match_at_every_position(a, b, text)


words = st.lists(st.text(alphabet="abcå -", min_size=1, max_size=5).map(str.strip).filter(bool), min_size=1,
                 max_size=8, unique=True)


@settings(max_examples=300, deadline=None)
@given(words, st.text(alphabet="abcåABCÅ -1\t", max_size=16))
@example(["sep", "sept", "september"], "September 1")
@example(["a", "ab", "abc"], "ABC1")
@example(["a b", "a"], "a  b1")
def test_word_trie_matches_like_the_longest_first_alternation(ws: list[str], text: str) -> None:
    _same_everywhere(values._word_trie(ws), _flat(ws), text)


_VOCAB = [*values._MONTHS, *values._SEASONS, *values._DUR_WORD, *values._WORD_NUM, "Sept.", "MAJ", "Hösten",
          "twenty  four", "Första\thalvan av", "en", "ett", "2019", "12", "-", " ", "  ", ",", "\n", "x"]
vocab_texts = st.lists(st.sampled_from(_VOCAB), max_size=8).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(vocab_texts)
@example("första halvan av 2019")
@example("sept. 2019 september 2020")
@example("twenty four months, twenty-four")
def test_value_word_tries_match_like_their_alternations(text: str) -> None:
    _same_everywhere(values._MONTH[:-len(r"\.?")], _flat(values._MONTHS), text)
    _same_everywhere(values._SEASON, _flat(values._SEASONS), text)
    _same_everywhere(values._word_trie(values._DUR_WORD), _flat(values._DUR_WORD), text)
    _same_everywhere(values._WORD_NUM_RE, _flat(values._WORD_NUM), text)


def _plain_date(p: str) -> str:
    """The date expression with every branch in its original order and its own lookbehind."""
    m, s, y, o = values._MONTH, values._SEASON, values._YEAR, values._ORD
    return (rf"(?:(?<![\w])(?P<{p}dd>\d{{1,2}}){o}\s+(?:of\s+)?(?P<{p}dmo>{m})(?![\w]),?\s+(?P<{p}dy>{y})"
            rf"|(?<![\w])(?P<{p}mdmo>{m})\s+(?P<{p}mdd>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<{p}mdy>{y})"
            rf"|(?P<{p}iso>(?<![\d])(?:19[5-9]\d|20\d\d)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\d]))"
            rf"|(?<![\w])(?P<{p}se>{s})\s+(?:of\s+|år\s+)?(?P<{p}sy>{y})"
            rf"|(?<![\w])(?P<{p}mo>{m})(?![\w]),?\s+(?:of\s+)?(?P<{p}my>{y})"
            rf"|(?P<{p}y>{y}))")


date_texts = st.lists(st.sampled_from(["2019", "2019-05-12", "12", "3", "5th", "of", "maj", "May", "Sept.",
                                       "hösten", "the end of", "år", ",", "-", "–", "x2019", "a", "till", "och",
                                       "mellan", " ", "\n", "1999"]), max_size=9).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(date_texts)
@example("5th of May, 2019 - hösten 2020")
@example("2019-05-12 till maj 2020")
def test_date_expressions_match_like_the_plain_branch_order(text: str) -> None:
    single = re.compile(_plain_date(""), re.IGNORECASE)
    ranged = re.compile(rf"(?P<a>{_plain_date('a_')})(?P<sep>{values._RANGE_SEP})(?P<b>{_plain_date('b_')})",
                        re.IGNORECASE)
    for new, old in ((values._SINGLE_DATE_RE, single), (values._RANGE_RE, ranged)):
        _same_match_at_every_position(new, old, text)


_PLAIN_CUE = (r"(?:stretch(?:es|ed)?|streach(?:es|ed)?|spans?|spanning|runs?|running|ran|lasts?|lasting|"
              r"last|continue[sd]?|extends?|extending|over|for|during|duration\s+of|period\s+of|"
              r"under|över|i|på|period\s+på|löptid\s+på|sträcker\s+sig\s+över|pågår|pågå|löper)")
cue_texts = st.lists(st.sampled_from(["runs", "run", "running", "Lasting", "last", "lasts", "period", "of", "på",
                                      "pågå", "pågår", "PÅGÅR", "i", "in", "över", "sträcker", "sig", "continued",
                                      "continue", "span", "spanning", "3", "år", "over", "for", "x", "  ", "\t"]),
                     max_size=8).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(cue_texts)
@example("sträcker sig över 3 år")
@example("period på  3 år, period of 3")
def test_duration_cue_trie_matches_like_the_plain_cue_alternation(text: str) -> None:
    # in _DUR_RE a cue word is always followed by whitespace: compare them so
    for tail in (r"\s+", r"\s+(?P<n>\d|år|of)"):
        new = re.compile(rf"(?P<w>{values._DUR_CUE}){tail}", re.IGNORECASE)
        old = re.compile(rf"(?P<w>{_PLAIN_CUE}){tail}", re.IGNORECASE)
        _same_match_at_every_position(new, old, text)


amount_texts = st.lists(st.sampled_from(["en", "halv", "half", "a", "an", "miljon", "miljoner", "million", "MSEK",
                                         "mkr", "sek", "ſek", "\u212ar", "kr.", "kronor", "tre", "Three", "åtta",
                                         "eleven", "450", "000", "1,5", "-", "och", "x", "tusen", "bn", ":-"]),
                        max_size=8).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(amount_texts)
@example("en halv miljon kronor")
@example("a half million, half a million, åtta miljoner, MSEK 1,5")
def test_amount_first_letter_lookahead_changes_no_match(text: str) -> None:
    plain = _without_lookahead(values._AMOUNT_RE, rf"(?=[\d{values._AMOUNT_FIRST}])")
    _same_matches(values._AMOUNT_RE, plain, text)


sdg_texts = st.lists(st.sampled_from(["SDG", "sdgs", "SDG:s", "UN", "SDGs", "Sustainable", "development", "goals",
                                      "globala", "mål", "målen", "Goal", "target", "Hållbarhetsmål", "FN:s", "Agenda",
                                      "2030", "3", "11", "och", "and", "ſdg", "x", ",", ":", "17", "no."]),
                     max_size=9).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(sdg_texts)
@example("FN:s globala mål 3, Agenda 2030 mål 5, UN SDG 11, target 4, hållbarhetsmål 7")
def test_sdg_first_letter_lookahead_changes_no_match(text: str) -> None:
    plain = _without_lookahead(values._SDG_RE, "(?=[sughfamt])")
    _same_matches(values._SDG_RE, plain, text)
