"""The fast paths of clean, language and scrubbing give exactly what the plain algorithms give.

Each test runs a straightforward reference (the algorithm as it was before the gates, caches and
counting were added) next to the module's function on varied generated inputs and asserts equal
results, so a gate that skips work that could produce something fails here."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kp_extract import language
from kp_extract.language import profile_scores

# --- language.profile_scores -------------------------------------------------------------------


def reference_profile_scores(text: str) -> dict[str, float]:
    """profile_scores as a word-by-word loop in text order."""
    p = language._profile()
    scores = {"sv": 0.0, "en": 0.0}
    words = language._WORD_RE.findall(language._ABBREV_RE.sub(" ", text))
    names_only = not any(w[0].islower() for w in words)
    first = True
    for word in words:
        low = word.lower()
        is_lower = word[0].islower()
        lang = p["function"].get(low)
        if lang is not None:
            if is_lower or not (names_only or low in p["lowercase_only"]):
                scores[lang] += 1.0
        else:
            lang = p["content"].get(low)
            if lang is not None:
                scores[lang] += 1.0 if (is_lower or first) else p["cap_weight"]
            elif is_lower and not p["letters"].isdisjoint(low):
                scores["sv"] += p["letter_weight"]
        first = False
    return scores


def _profile_words() -> list[str]:
    p = language._profile()
    words = sorted(p["function"])[:40] + sorted(p["content"])[:40] + sorted(p["lowercase_only"])
    return words + ["Växjö", "år", "Kalush", "bl.a.", "t.ex.", "e.g.", "m.fl.", "don't", "o'a.b.", "x.yz.w"]


_WORDS = _profile_words()
_word = st.sampled_from(_WORDS).flatmap(
    lambda w: st.sampled_from([w, w.capitalize(), w.upper()]))
_sep = st.sampled_from([" ", "  ", ". ", ", ", "\n", ".", "’", "'", "2", " (", ") ", "-"])
_texts = st.lists(st.tuples(_word, _sep), max_size=30).map(lambda xs: "".join(a + b for a, b in xs))


@settings(max_examples=600, deadline=None)
@given(st.one_of(_texts, st.text(max_size=120)))
def test_profile_scores_match_the_word_by_word_loop(text: str) -> None:
    assert profile_scores(text) == reference_profile_scores(text)


def test_profile_scores_match_on_the_language_fixture() -> None:
    from tests.test_language import SAMPLES

    for text, _ in SAMPLES:
        assert profile_scores(text) == reference_profile_scores(text), text


@given(st.text(max_size=200))
def test_abbreviation_gate_is_exact(text: str) -> None:
    """No gate hit means the abbreviation pattern has nothing to remove."""
    if not language._ABBREV_GATE.search(text):
        assert language._ABBREV_RE.search(text) is None


@given(st.text(max_size=200))
def test_letter_count_counts_letters(text: str) -> None:
    assert language._letter_count(text) == len(re.findall(r"[^\W\d_]", text))


def test_profile_scores_stay_the_same_when_the_word_cache_overflows(monkeypatch) -> None:
    texts = ["Växjö och Kalush ska arbeta tillsammans.", "The project and the city of Kalush.",
             "Projektet Kalush Växjö år", "An Giang De Aar"]
    expected = [reference_profile_scores(t) for t in texts]
    monkeypatch.setattr(language, "_WORD_CACHE_MAX", 3)
    for _ in range(3):
        assert [profile_scores(t) for t in texts] == expected
    assert len(language._profile()["codes"]) <= 6
