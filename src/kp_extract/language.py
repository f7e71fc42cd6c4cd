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
# The same words in a text of Latin-1 characters only (most Swedish and English texts): sre tests
# a spelled-out character set faster than the category tests of [^\W\d_] (~20% less time). The
# set is read from the running re engine itself, so on such texts both patterns find the same.
_LATIN1_LETTERS = re.escape("".join(c for c in map(chr, range(256)) if re.fullmatch(r"[^\W\d_]", c)))
_LATIN1_WORD_RE = re.compile(f"[{_LATIN1_LETTERS}]+(?:['’][{_LATIN1_LETTERS}]+)?")
_NON_LATIN1 = re.compile(r"[^\x00-\xff]")
# Dotted abbreviations ("bl.a.", "m.fl.", "t.ex.", "e.g.") would otherwise
# yield stray one-letter words such as "a".
_ABBREV_RE = re.compile(r"(?:(?<![^\W\d_])[^\W\d_]{1,3}\.){2,}")
# lingua's verdict is used only when it is at least this confident.
_LINGUA_MIN_CONFIDENCE = 0.75


# Every abbreviation _ABBREV_RE removes has two or more "letters + dot" groups, so it holds a
# dot, one to three letters and a dot in a row: a text without that (most texts) cannot hold
# one, and this literal-led search is ~30x cheaper than the substitution it gates.
_ABBREV_GATE = re.compile(r"\.[^\W\d_]{1,3}\.")
# Weights must be multiples of this, so that summing them in any order gives the same float
# (profile_scores adds count * weight per word code, not weight per word in text order).
_WEIGHT_UNIT = 2.0 ** -10
# Word kinds: how a word counts, decided by the word alone (see _word_code). Lower-case kinds
# are even, capitalised ones odd.
_FUNCTION, _FUNCTION_CAP, _CONTENT, _CONTENT_CAP, _LETTER, _FUNCTION_CAP_LOWER_ONLY, _NONE, _NONE_CAP = range(8)
# Bound of the per-process word -> code cache: a pure function of the word, so the bound only
# limits memory, never changes a result.
_WORD_CACHE_MAX = 200_000


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
    cap_w = float(raw.get("capitalised_content_weight", 0.5))
    letter_w = float(raw.get("swedish_letter_word_weight", 0.5))
    for name, w in (("capitalised_content_weight", cap_w), ("swedish_letter_word_weight", letter_w)):
        if w / _WEIGHT_UNIT != int(w / _WEIGHT_UNIT) or abs(w) > 1024:
            raise ValueError(f"language_words.json: {name} must be a multiple of 1/1024 up to 1024, not {w}")
    return {
        "function": function,
        "content": content,
        "lowercase_only": frozenset(raw.get("lowercase_only", [])),
        "cap_weight": cap_w,
        "letter_weight": letter_w,
        "letters": frozenset(raw.get("swedish_letters", "åäö")),
        "codes": {},  # word -> _word_code(word): the per-process cache
    }


def _word_code(word: str, p: dict) -> int:
    """How one word found by _WORD_RE counts, as kind * 2 + (1 for English, 0 for Swedish).

    Kinds: _FUNCTION (lower-case function word: always 1), _FUNCTION_CAP (capitalised: 1 unless
    the text is names only), _FUNCTION_CAP_LOWER_ONLY (capitalised lowercase_only word: never),
    _CONTENT / _CONTENT_CAP (lower-case / capitalised content word: 1 / cap_weight, but 1 as the
    text's first word), _LETTER (lower-case word with a Swedish letter: letter_weight for "sv"),
    _NONE / _NONE_CAP (lower-case / capitalised word that counts for nothing)."""
    low = word.lower()
    is_lower = word[0].islower()
    lang = p["function"].get(low)
    if lang is not None:
        if is_lower:
            kind = _FUNCTION
        else:
            kind = _FUNCTION_CAP_LOWER_ONLY if low in p["lowercase_only"] else _FUNCTION_CAP
    else:
        lang = p["content"].get(low)
        if lang is not None:
            kind = _CONTENT if is_lower else _CONTENT_CAP
        elif is_lower and not p["letters"].isdisjoint(low):
            kind, lang = _LETTER, "sv"
        else:
            kind, lang = (_NONE if is_lower else _NONE_CAP), "sv"
    return kind * 2 + (lang == "en")


def _words(text: str) -> tuple[list[str], bool]:
    """The words of text as profile_scores reads them, and whether they are the text's own words
    (False when dotted abbreviations were taken out first)."""
    if _ABBREV_GATE.search(text):
        cut = _ABBREV_RE.sub(" ", text)
        if cut != text:
            return _find_words(cut), False
    return _find_words(text), True


def _find_words(text: str) -> list[str]:
    """_WORD_RE.findall(text), by the Latin-1 pattern when the text has no other character."""
    return (_WORD_RE if _NON_LATIN1.search(text) else _LATIN1_WORD_RE).findall(text)


# Codes of lower-case kinds (kind even): a text with none of them is names only.
_LOWER_CODES = tuple(kind * 2 + lang for kind in (_FUNCTION, _CONTENT, _LETTER, _NONE) for lang in (0, 1))


def _codes_of(words: list[str], p: dict) -> bytes:
    """The words' codes (see _word_code), one byte per word in text order. Each distinct word is
    weighed once per process (cached code); mapping the words to codes and counting them is done
    in C (map, bytes, bytes.count), not looped over in Python."""
    codes = p["codes"]
    try:
        return bytes(map(codes.__getitem__, words))
    except KeyError:  # words not weighed yet in this process
        new = set(words).difference(codes)
        if len(codes) + len(new) > _WORD_CACHE_MAX:
            codes.clear()
            new = set(words)
        for word in new:
            codes[word] = _word_code(word, p)
        return bytes(map(codes.__getitem__, words))


def _scores_of(words: list[str]) -> dict[str, float]:
    """profile_scores of a text with these words (see there)."""
    scores = {"sv": 0.0, "en": 0.0}
    if not words:
        return scores
    p = _profile()
    b = _codes_of(words, p)
    n = b.count
    cap_w, letter_w = p["cap_weight"], p["letter_weight"]
    # Weights are multiples of _WEIGHT_UNIT, so these sums are exact whatever their order.
    sv = n(_FUNCTION * 2) + n(_CONTENT * 2) + cap_w * n(_CONTENT_CAP * 2) + letter_w * n(_LETTER * 2)
    en = n(_FUNCTION * 2 + 1) + n(_CONTENT * 2 + 1) + cap_w * n(_CONTENT_CAP * 2 + 1) + letter_w * n(_LETTER * 2 + 1)
    cap_sv, cap_en = n(_FUNCTION_CAP * 2), n(_FUNCTION_CAP * 2 + 1)
    # In a run of capitalised words only ("An Giang", "De Aar") a capitalised
    # function word is part of a name, not evidence.
    if (cap_sv or cap_en) and any(code in b for code in _LOWER_CODES):
        sv += cap_sv
        en += cap_en
    # A capitalised content word counts fully as the text's first word.
    if b[0] == _CONTENT_CAP * 2:
        sv += 1.0 - cap_w
    elif b[0] == _CONTENT_CAP * 2 + 1:
        en += 1.0 - cap_w
    scores["sv"] += sv
    scores["en"] += en
    return scores


def profile_scores(text: str) -> dict[str, float]:
    """Word-profile evidence for each language: {"sv": score, "en": score}.

    Function words score 1 (a capitalised one only when the text has a lower-case word and the
    word is not lowercase_only); content words 1, or cap_weight when capitalised and not the
    text's first word; other lower-case words with a Swedish letter letter_weight for "sv".
    Dotted abbreviations ("bl.a.", "e.g.") are no words."""
    return _scores_of(_words(text)[0])


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
    if not text or text.isspace():  # the same test as "not text.strip()", without the copy
        return None
    return _guess_of(text, _words(text)[0])


def _guess_of(text: str, words: list[str]) -> str | None:
    """guess_language(text) for a text with some non-space character, given its _words."""
    scores = _scores_of(words)
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
            weights[g] += _letter_count(b.text)
    return _majority(weights, fallback)


_LETTER_RUNS = re.compile(r"[^\W\d_]+")


def _letter_count(text: str) -> int:
    """Number of letters in text (counted per run of letters: one string per word, not per letter)."""
    return sum(map(len, _LETTER_RUNS.findall(text)))


def _letters_of(words: list[str]) -> int:
    """_letter_count of a text whose own _WORD_RE words these are: every letter of the text is in
    exactly one word (a word match takes whole runs of letters), and a word is letters plus at
    most one apostrophe."""
    joined = "".join(words)
    return len(joined) - joined.count("'") - joined.count("’")


def _guess_and_letters(text: str) -> tuple[str | None, int]:
    """(guess_language(text), _letter_count(text)), reading the text's words once."""
    if not text or text.isspace():
        return None, 0
    words, own = _words(text)
    guess = _guess_of(text, words)
    if guess is None:
        return None, 0  # the letter count of a text without a guess is never asked for
    return guess, (_letters_of(words) if own else _letter_count(text))


def assign_languages(blocks: list[Block], page_default: str | None = None) -> list[Block]:
    """Set `language` on every block (in place) and return the same list.

    A block's own evidence decides its language; blocks without evidence (no
    letters, only names) take the page's majority language, computed over
    content blocks only, so footer/filter/chrome blocks get a language but
    never influence the majority. `page_default` ("sv"/"en") is the majority
    when no content block has evidence; None means "sv".
    """
    fallback = page_default if page_default in LANGS else "sv"
    guesses = []
    weights = {"sv": 0.0, "en": 0.0}
    for b in blocks:
        g, letters = _guess_and_letters(b.text)
        guesses.append(g)
        if g is not None and b.kind not in _NON_CONTENT_KINDS:
            weights[g] += letters
    majority = _majority(weights, fallback)
    for b, g in zip(blocks, guesses):
        b.language = g or majority
    return blocks
