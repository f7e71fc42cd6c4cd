"""Language of a text or block: Swedish ("sv") or English ("en").

Design (measured on tests/fixtures/language_samples.tsv: 139 hand-labelled
paragraphs and headings from the seed pages, 46 of them under 60 characters):

1. A word profile (data/language_words.json) is the first pass. Swedish and
   English function words ("och", "att", "i" / "and", "the", "of") score 1
   each; frequent domain words of one language only ("projekt", "kommun" /
   "project", "municipality") score 1, but only 0.5 when capitalised inside
   the text, where they are likely part of a name ("JB Marks Local
   Municipality"); a lower-case word with å/ä/ö scores 0.5 for Swedish. The
   higher score wins. This is what makes short headings work: "Falun och
   Kolomyia" -> sv, "Växjö and Kalush" -> en, "Project: Local Coalition
   Work" -> en. In a text of capitalised words only, a capitalised function
   word is part of a name and does not count ("An Giang", "De Aar"). It is
   fast (pure regex + dict look-ups, ~6 MB/s).
2. Only when the profile has no evidence or a tie, and the text has at least
   one lower-case word of three or more letters (so it is not just names),
   lingua (restricted to English and Swedish, deterministic, compiled) is
   asked; its answer is taken only when its confidence is clear.
3. Otherwise the caller's default: a lone name such as "Kalush" or
   "Komuna Vushtrri" carries no language.

Measured figures (one core, 2-core CI-size machine, per call on the fixture's
paragraphs and headings; 12 invented held-out texts in tests/test_language.py):

  candidate                               fixture          held-out  speed
  langdetect, seed 0, sv/en probs only    134/139 (96.4%)  11/12     0.05 MB/s, ~4 ms/call
  lingua, English+Swedish only            134/139 (96.4%)  11/12     ~1.2 MB/s, ~0.17 ms/call
  word profile alone                      139/139 (100%)   12/12     ~6 MB/s, ~0.03 ms/call
  profile + lingua tie-break (chosen)     139/139 (100%)   12/12     ~6 MB/s

Both statistical detectors fail on exactly the short "X and Y" headings of
place names ("Växjö and Kalush" -> sv, "Falun och Kolomyia" -> en), which
the profile decides by its one function word. The profile's content-word list
was written with the seeds in view, so the fixture overstates it; with
function words only (content list emptied) the hybrid still scores 139/139,
which is the figure to trust. langdetect is too slow (and random without a
seed); lingua alone is fast enough but misreads name-heavy headings and gives
a confident guess for lone names (lingua: "Kalush" -> en 0.87, "Kolomyia" ->
en 0.91), where the contract wants the default.
Everything is deterministic: no sampling, no dependence on hash order, the
same answer across processes.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Iterable

from .model import Block

LANGS = ("sv", "en")

# Kinds whose language must not sway the page majority.
_NON_CONTENT_KINDS = frozenset({"footer", "filter", "chrome"})

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Dotted abbreviations ("bl.a.", "m.fl.", "t.ex.", "e.g.") would otherwise
# yield stray one-letter words such as "a".
_ABBREV_RE = re.compile(r"(?:(?<![^\W\d_])[^\W\d_]{1,3}\.){2,}")
# lingua's verdict is used only when it is at least this confident.
_LINGUA_MIN_CONFIDENCE = 0.75


@lru_cache(maxsize=1)
def _profile() -> dict:
    raw = json.loads(
        resources.files("kp_extract").joinpath("data/language_words.json").read_text("utf-8")
    )
    function: dict[str, str] = {}
    content: dict[str, str] = {}
    for lang in LANGS:
        for w in raw["function"][lang]:
            function[w] = lang
        for w in raw["content"][lang]:
            content[w] = lang
    return {
        "function": function,
        "content": content,
        "lowercase_only": frozenset(raw.get("lowercase_only", [])),
        "cap_weight": float(raw.get("capitalised_content_weight", 0.5)),
        "letter_weight": float(raw.get("swedish_letter_word_weight", 0.5)),
        "letters": frozenset(raw.get("swedish_letters", "åäö")),
    }


def profile_scores(text: str) -> dict[str, float]:
    """Word-profile evidence for each language: {"sv": score, "en": score}."""
    p = _profile()
    function, content = p["function"], p["content"]
    lower_only, cap_w = p["lowercase_only"], p["cap_weight"]
    letter_w, letters = p["letter_weight"], p["letters"]
    scores = {"sv": 0.0, "en": 0.0}
    words = _WORD_RE.findall(_ABBREV_RE.sub(" ", text))
    # In a run of capitalised words only ("An Giang", "De Aar") a capitalised
    # function word is part of a name, not evidence.
    names_only = not any(w[0].islower() for w in words)
    first = True
    for word in words:
        low = word.lower()
        is_lower = word[0].islower()
        lang = function.get(low)
        if lang is not None:
            if is_lower or not (names_only or low in lower_only):
                scores[lang] += 1.0
        else:
            lang = content.get(low)
            if lang is not None:
                scores[lang] += 1.0 if (is_lower or first) else cap_w
            elif is_lower and not letters.isdisjoint(low):
                scores["sv"] += letter_w
        first = False
    return scores


def _has_common_word(text: str) -> bool:
    """True when the text has a lower-case word of 3+ letters (not only names)."""
    return any(len(w) >= 3 and w[0].islower() for w in _WORD_RE.findall(text))


@lru_cache(maxsize=1)
def _lingua():
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:  # pragma: no cover - lingua is a declared dependency
        return None
    detector = LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.SWEDISH).build()
    return detector, {Language.ENGLISH: "en", Language.SWEDISH: "sv"}


def _lingua_guess(text: str) -> str | None:
    loaded = _lingua()
    if loaded is None:  # pragma: no cover
        return None
    detector, codes = loaded
    try:
        values = detector.compute_language_confidence_values(text)
    except Exception:  # pragma: no cover - defensive: never fail on odd input
        return None
    if not values:
        return None
    best = values[0]
    if best.value >= _LINGUA_MIN_CONFIDENCE:
        return codes.get(best.language)
    return None


def guess_language(text: str) -> str | None:
    """"sv" or "en" when the text carries evidence of its language, else None.

    None for texts with no letters, lone names, or undecidable mixes.
    """
    if not text or not text.strip():
        return None
    scores = profile_scores(text)
    if scores["sv"] > scores["en"]:
        return "sv"
    if scores["en"] > scores["sv"]:
        return "en"
    if _has_common_word(text):
        return _lingua_guess(text)
    return None


def detect_language(text: str, default: str = "sv") -> str:
    """Return "sv" or "en" for `text`; `default` when the text gives no evidence.

    Deterministic and safe for any string. `default` other than "sv"/"en" is
    treated as "sv".
    """
    if default not in LANGS:
        default = "sv"
    try:
        guess = guess_language(text)
    except Exception:  # pragma: no cover - never raise on arbitrary input
        guess = None
    return guess or default


def _majority(weights: dict[str, float], fallback: str) -> str:
    if weights["sv"] == weights["en"]:
        return fallback
    return "sv" if weights["sv"] > weights["en"] else "en"


def page_language(blocks: Iterable[Block], page_default: str | None = None) -> str:
    """The majority language of the content blocks (not footer/filter/chrome).

    Each block with evidence votes with its number of letters; with no
    evidence at all the answer is `page_default` (or "sv").
    """
    fallback = page_default if page_default in LANGS else "sv"
    weights = {"sv": 0.0, "en": 0.0}
    for b in blocks:
        if b.kind in _NON_CONTENT_KINDS:
            continue
        g = guess_language(b.text)
        if g is not None:
            weights[g] += len(_LETTERS.findall(b.text))
    return _majority(weights, fallback)


_LETTERS = re.compile(r"[^\W\d_]")


def assign_languages(blocks: list[Block], page_default: str | None = None) -> list[Block]:
    """Set `language` on every block (in place) and return the same list.

    A block's own evidence decides its language; blocks without evidence (no
    letters, only names) take the page's majority language, computed over
    content blocks only, so footer/filter/chrome blocks get a language but
    never influence the majority. `page_default` ("sv"/"en") is the majority
    when no content block has evidence; None means "sv".
    """
    fallback = page_default if page_default in LANGS else "sv"
    guesses = [guess_language(b.text) for b in blocks]
    weights = {"sv": 0.0, "en": 0.0}
    for b, g in zip(blocks, guesses):
        if g is not None and b.kind not in _NON_CONTENT_KINDS:
            weights[g] += len(_LETTERS.findall(b.text))
    majority = _majority(weights, fallback)
    for b, g in zip(blocks, guesses):
        b.language = g or majority
    return blocks
