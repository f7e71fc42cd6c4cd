"""The fast paths of clean, language and scrubbing give exactly what the plain algorithms give.

Each test runs a straightforward reference (the algorithm as it was before the gates, caches and
counting were added) next to the module's function on varied generated inputs and asserts equal
results, so a gate that skips work that could produce something fails here."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kp_extract.stages import s4_language as language
from kp_extract.stages.s4_language import profile_scores

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
    from tests.stages.test_s4_language import SAMPLES

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


def test_latin1_word_pattern_has_the_letters_of_the_general_one() -> None:
    for code in range(256):
        c = chr(code)
        text = f"x{c}y'{c}z {c}"
        assert language._LATIN1_WORD_RE.findall(text) == language._WORD_RE.findall(text), repr(c)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(alphabet=st.characters(max_codepoint=0xFF), max_size=80),
                 st.text(alphabet=st.characters(max_codepoint=0x24F), max_size=80), _texts, st.text(max_size=80)))
def test_find_words_equals_the_general_word_pattern(text: str) -> None:
    assert language._find_words(text) == language._WORD_RE.findall(text)


_letter_texts = st.lists(st.tuples(_word, st.sampled_from(["'", "’", "''", " '", "’ ", "_", "2", "bl.a.", " "])),
                         max_size=20).map(lambda xs: "".join(a + b for a, b in xs))


@settings(max_examples=500, deadline=None)
@given(st.one_of(_texts, _letter_texts, st.text(max_size=120)))
def test_guess_and_letters_read_once_equal_the_two_plain_calls(text: str) -> None:
    """assign_languages reads a block's words once for its guess and its letter count (counted
    from the words when no abbreviation was cut out): the same as guess_language and
    _letter_count, whenever there is a guess (the count is asked for only then)."""
    guess, letters = language._guess_and_letters(text)
    assert guess == language.guess_language(text)
    if guess is not None:
        assert letters == len(re.findall(r"[^\W\d_]", text))


def test_assign_languages_weighs_blocks_by_their_letters() -> None:
    """The page majority weighs each guessed content block by its letters (apostrophes and
    abbreviation dots not counted), so a long English block outweighs two short Swedish ones."""
    from kp_extract.model import Block

    texts = ["Kommunen och staden.", "Vi ska och vill.", "The city’s people and the council's work, e.g. here",
             "Kalush"]
    blocks = [Block("p.txt", 0, len(t), t, "prose", 0, 0) for t in texts]
    blocks = language.assign_languages(blocks)
    assert [b.language for b in blocks] == ["sv", "sv", "en", "en"]
    blocks = [Block("p.txt", 0, len(t), t, "prose", 0, 0) for t in texts[:2] + ["The city and", "Kalush"]]
    blocks = language.assign_languages(blocks)
    assert [b.language for b in blocks] == ["sv", "sv", "en", "sv"]


def test_profile_scores_stay_the_same_when_the_word_cache_overflows(monkeypatch) -> None:
    texts = ["Växjö och Kalush ska arbeta tillsammans.", "The project and the city of Kalush.",
             "Projektet Kalush Växjö år", "An Giang De Aar"]
    expected = [reference_profile_scores(t) for t in texts]
    monkeypatch.setattr(language, "_WORD_CACHE_MAX", 3)
    for _ in range(3):
        assert [profile_scores(t) for t in texts] == expected
    assert len(language._profile()["codes"]) <= 6


# --- clean: gates and the per-line cache ----------------------------------------------------------

import dataclasses  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from kp_extract import privacy  # noqa: E402
from kp_extract.privacy import find_contacts, scrub_contacts  # noqa: E402
from kp_extract.lexicon import scan  # noqa: E402
from kp_extract.stages import s2_clean as clean  # noqa: E402
from kp_extract.stages.s2_clean import find_chrome  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "tests" / "fixtures" / "pages").glob("*.txt")) + sorted((ROOT / "raw").glob("*.txt"))


def test_has_digit_is_str_isdigit_for_every_character() -> None:
    digits = privacy._digit_chars()
    assert all((chr(c) in digits) == chr(c).isdigit() for c in range(sys.maxunicode + 1))
    assert privacy.has_digit("tel ²") and privacy.has_digit("år 2024") and not privacy.has_digit("inga siffror")


@given(st.text(max_size=80))
def test_has_digit_matches_the_loop(text: str) -> None:
    assert privacy.has_digit(text) == any(c.isdigit() for c in text)


# Patterns of the shapes the data uses, and some with the characters whose case partners
# str.lower() does not give as re does ("İ", "ı", "ſ", the Kelvin sign, final sigma).
NEEDLE_PATTERNS = [
    r"\((?:Länk till annan webbplats|Extern länk|Öppnas i (?:ett )?nytt fönster)\.?\)|(?:Extern länk)\.?",
    r"(?:(?<=[.!?:…)])\s+)(?P<chrome>(?:Läs mer|Read more)(?:\s+(?:om|about)\b[^.!?\n]{0,20})?\s*[.!…]?)\s*$",
    r"(?<=\S)\s+(?P<chrome>(?:Läs mer|Read more)\s*[…»›→]?)\s*$",
    r"Kiosk(?:er)+ i Sista\b", r"(?:İstanbul|Çay|ſpel|Kelvin)\d?", r"ÆØÅ(?:ab|cd){2,}",
    r"x[ab]c(?:ett|två)?", r"(?>atom)ic(?-i:Case)", r"(?:Läs mer|\d{3}|[åä]+)",
]


@pytest.mark.parametrize("source", NEEDLE_PATTERNS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_needles_hold_whenever_the_pattern_matches(source: str, data) -> None:
    pattern = re.compile(source, re.IGNORECASE)
    needles = scan.needles(pattern)
    prefix = data.draw(st.text(max_size=5))
    match = data.draw(st.from_regex(pattern, fullmatch=False))
    swapped = data.draw(st.sampled_from([str.upper, str.lower, str.swapcase, str.title, lambda s: s]))(match)
    for text in (prefix + match, swapped, match.replace("i", "İ").replace("s", "ſ").replace("k", "\u212a")):
        if pattern.search(text):
            assert scan.may_match(needles, text.lower()), (needles, text)


def test_needles_of_the_data_rules_gate_something() -> None:
    """The phrase rules of boilerplate.json all get needles (else the gate would be idle)."""
    assert all(n for n in clean._rules().phrase_needles)
    assert scan.needles(re.compile(r"\d+|[a-z]")) is None
    assert scan.needles(re.compile(r"(?:ab)?c?")) is None


def _ungated(monkeypatch) -> None:
    """Turn every gate and cache of clean and privacy off: phrase rules always tried, every line a
    block-rule candidate, digits found by the plain loop, phone numbers searched at every position,
    no per-line or per-text cache."""
    rules = clean._rules()
    off = dataclasses.replace(rules, phrase_needles=(None,) * len(rules.phrase_needles),
                              any_block_start=re.compile(r"(?s).*"))
    monkeypatch.setattr(clean, "_rules", lambda: off)
    monkeypatch.setattr(privacy, "has_digit", lambda text: any(c.isdigit() for c in text))
    monkeypatch.setattr(clean, "_cached_line_marks", clean._line_marks)
    monkeypatch.setattr(privacy, "_scrubbed_cached", privacy._scrubbed)
    contact_rules = privacy._rules()

    class PlainFinditer:  # phone numbers searched at every position
        finditer = contact_rules.phone.finditer

    plain = dataclasses.replace(contact_rules, phone_starts=PlainFinditer())
    monkeypatch.setattr(privacy, "_rules", lambda: plain)


def _texts() -> list[str]:
    from kp_extract.stages.s1_read import read_page

    return [read_page(p, p.parent).text for p in PAGES]


def test_find_chrome_and_contacts_same_with_and_without_gates(monkeypatch) -> None:
    texts = _texts()
    assert len(texts) > 40
    gated = [find_chrome(t) for t in texts] + [find_chrome(t) for t in texts]  # second round: cache hits
    pages = [clean.clean_page(clean.Page(f"p{i}.txt", t, "")) for i, t in enumerate(texts)]
    contacts = [find_contacts(p) for p in pages]
    scrubbed = [scrub_contacts(t) for t in texts] + [scrub_contacts(ln) for t in texts for ln in t.split("\n")]
    _ungated(monkeypatch)
    assert [find_chrome(t) for t in texts] * 2 == gated
    assert [find_contacts(p) for p in pages] == contacts
    assert [scrub_contacts(t) for t in texts] + [scrub_contacts(ln) for t in texts for ln in t.split("\n")] == scrubbed


_LINES = st.sampled_from([
    "Läs mer", "Projektet pågår. Läs mer", "Se film (Länk till annan webbplats)", "Extern länk.",
    "Kontakt", "Anna Ek, projektledare", "anna.ek@vaxjo.se", "Tel. 0470-123 45", "Ring 0470 - 41 000",
    "Stäng", "Stäng meddelandet", "Viktigt meddelande", "Vi använder kakor för att webbplatsen ska fungera.",
    "Godkänn alla kakor", "Hjälpte sidan dig?", "Ja", "Nej", "Senast uppdaterad: 4 juli 2018", "Publicerad 2024-05-31",
    "Dela", "Skriv ut", "Svensk partner: Växjö kommun", "Miljö", "Kultur", "Växjö and Kalush will work together.",
    "Kontaktperson: Anna Ek, ¹²³ 4567 890", "ſe İstanbul Kelvin read MORE", "", "   ", "Start > Projekt > Kalush",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(_LINES, max_size=25), st.text(max_size=60))
def test_find_chrome_same_with_and_without_gates_on_mixed_lines(lines: list[str], noise: str) -> None:
    text = "\n".join(lines + [noise])
    gated = find_chrome(text)
    with pytest.MonkeyPatch.context() as mp:
        _ungated(mp)
        assert find_chrome(text) == gated
        ungated_scrub = scrub_contacts(text)
    assert scrub_contacts(text) == ungated_scrub


START_PATTERNS = [
    privacy._rules().phone.pattern, r"(?<![\w+.,])(?:\+\d{1,3}|0\d{1,3})(?:[\s-]?\d{2,4}){1,5}(?![\w-])",
    r"(?:ab|a)c", r"(?<!x)(?:0|\+)+\d", r"(?:\(0\))+\d?", r"(?i)(?:\+|0)\d\b", r"(?i)ab", r"a?b",
]
_phone_text = st.text(alphabet="0123456789 +-().,aAbBcx\u00b2", max_size=60)


@pytest.mark.parametrize("source", START_PATTERNS)
@settings(max_examples=300, deadline=None)
@given(text=_phone_text)
def test_starts_finditer_finds_what_finditer_finds(source: str, text: str) -> None:
    pattern = re.compile(source)
    assert [m.span() for m in scan.StartFinder(pattern).finditer(text)] == [m.span() for m in pattern.finditer(text)]


def test_the_phone_pattern_gets_its_start_characters() -> None:
    assert privacy._rules().phone_starts.first is not None
    assert scan.StartFinder(re.compile(r"a?b")).first is None
    assert scan.StartFinder(re.compile(r"(?i)ab")).first is None


# --- segment.footer_field ---------------------------------------------------------------------

from kp_extract.stages.s3_segment import footer_field, load_layout  # noqa: E402


@given(st.one_of(st.text(max_size=40), st.sampled_from(sorted(load_layout().footer_labels)).flatmap(
    lambda lab: st.tuples(st.sampled_from(["", " ", "  "]), st.sampled_from([lab, lab.upper(), lab.title()]),
                          st.sampled_from(["", ":", " :", ": ", "x", "ß"])).map("".join))))
def test_footer_field_length_gate_is_exact(line: str) -> None:
    assert footer_field(line) == load_layout().footer_labels.get(line.strip().rstrip(":").strip().casefold())


def reference_inline_field(line: str) -> tuple[str, str, int] | None:
    """inline_field with the pattern tried on every line (no colon gate)."""
    layout = load_layout()
    m = layout.inline_re.match(line)
    if not m:
        return None
    field = layout.inline_labels[m.group("label").casefold()]
    if field == "title" and re.search(r"[.!?]\s+[A-ZÅÄÖ]", m.group("value")):
        return None
    return field, m.group("value"), m.start("value")


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=40), st.sampled_from(sorted(load_layout().inline_labels)).flatmap(
    lambda lab: st.tuples(st.sampled_from(["", " ", "\t"]), st.sampled_from([lab, lab.upper(), lab.title()]),
                          st.sampled_from(["", ":", " :", ": ", "：", " ; "]),
                          st.sampled_from(["", "Kalush", "x. Y", " vatten "])).map("".join))))
def test_inline_field_colon_gate_is_exact(line: str) -> None:
    from kp_extract.stages.s3_segment import inline_field

    assert inline_field(line) == reference_inline_field(line)


@given(st.text())
def test_casefold_never_shortens(text: str) -> None:
    """What the footer_field length gate rests on (casefold maps each character to one or more)."""
    assert len(text.casefold()) >= len(text)
    assert all(chr(c).casefold() for c in range(0, sys.maxunicode + 1, 7))


# --- privacy.scrub_contacts: the per-text cache ---------------------------------------------------

_contact_texts = st.lists(st.sampled_from([
    "Växjö kommun", "anna.ek@vaxjo.se", "Tel. 0470-123 45", "Kontaktperson: Anna Ek, projektledare.",
    "E-post: a@b.se", "\n", " ", "  ", "Kalush", "0470 - 41 000", "2023", ":", "Kontakt",
]), max_size=8).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_contact_texts, st.text(max_size=80)))
def test_scrub_contacts_cached_equals_uncached(text: str) -> None:
    first = scrub_contacts(text)
    again = scrub_contacts("".join(list(text)))  # an equal, distinct string object: a cache hit
    plain = privacy._scrubbed(text) if text else None
    assert first == again == (text if plain is None else plain)


def test_scrub_contacts_returns_the_same_object_when_nothing_changes() -> None:
    a = "".join(["Växjö ", "kommun"])
    b = "".join(["Växjö", " kommun"])
    assert a == b and a is not b
    assert scrub_contacts(a) is a
    assert scrub_contacts(b) is b  # a cache hit still returns the caller's own object
    long = "Växjö kommun " * 200
    assert scrub_contacts(long) is long


# --- segment.split_lines: lines between chrome spans skip the covering test -----------------------


def reference_split_lines(page) -> list[tuple[int, int, str, bool]]:
    """split_lines as (start, end, text, chrome), every line's coverage worked out in full."""
    out = []
    chrome = sorted(page.chrome)
    pos = 0
    for raw in page.text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        is_chrome = False
        if raw.strip():
            s = start + len(raw) - len(raw.lstrip())
            e = start + len(raw.rstrip())
            covered = s
            for cs, ce in chrome:  # spans in order; a gap before `covered` ends the cover
                if ce <= start:
                    continue
                if cs > covered or covered >= e:
                    break
                covered = max(covered, ce)
            is_chrome = covered >= e
        out.append((start, end, raw, is_chrome))
    return out


@st.composite
def _pages_with_chrome(draw):
    text = draw(st.text(alphabet="ab \n\t", max_size=60))
    bounds = st.integers(0, len(text))
    spans = draw(st.lists(st.tuples(bounds, bounds).map(sorted).map(tuple), max_size=6))
    return clean.Page("p.txt", text, "", chrome=spans)


@settings(max_examples=600, deadline=None)
@given(_pages_with_chrome())
def test_split_lines_marks_chrome_lines_as_the_full_coverage_test_does(page) -> None:
    from kp_extract.stages.s3_segment import split_lines

    got = [(ln.start, ln.end, ln.text, ln.chrome) for ln in split_lines(page)]
    assert got == reference_split_lines(page)
