"""Fast gates for regex searches: what a pattern's matches must contain or start with, read from the
pattern itself, so that a search that cannot match is skipped and one that can is tried only where
a match can start.

Two questions, one mechanism (CPython's own regex parser, `re._parser`, read once per pattern):

* `needles(pattern)`: lower-case strings one of which the lower-cased text holds whenever the
  pattern matches in it; `may_match(needles, lowered)` is the gate (stages/s2_clean.py runs its
  phrase rules only on lines that pass it);
* `StartFinder(pattern)`: the characters every match starts with, found by one character-class
  search; the pattern is tried only there (privacy.py's phone pattern over whole pages).

Both answer "don't know" (None: no gate, the pattern is always tried) for any shape they do not
recognise, so a gate can only skip work, never a match; tests/perf/test_fast_paths.py checks both
against the plain search on generated texts. The parser is CPython-private (3.11+): without it
nothing is gated.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

try:  # the regex parser and sre's case table (CPython 3.11+); without them nothing is gated
    from re import _casefix, _constants as _sre, _parser as _sre_parse  # type: ignore[attr-defined]  # no stubs
except ImportError:  # pragma: no cover - other Python implementations
    _sre_parse = None

__all__ = ["Needles", "needles", "may_match", "StartFinder"]

Needles = tuple[str, ...] | None


def _needle_char(code: int) -> str | None:
    """The lower-cased literal character `code` when a needle may hold it, else None.

    Only Latin-1 characters whose case partners are found by str.lower() alone: for them "text
    char c matches this literal, case-insensitively as re does it" implies c.lower() == the
    needle's character (re compares simple lower cases, which str.lower() gives for every
    character but "İ" and a final "Σ", neither a partner of a Latin-1 letter). Characters with
    extra case partners in re ("i"/"ı", "s"/"ſ", "µ"/"μ") are left out."""
    if code > 0xFF:
        return None
    low = chr(code).lower()
    if len(low) != 1 or ord(low) > 0xFF or ord(low) in _casefix._EXTRA_CASES:
        return None
    return low


def _better(a: tuple[str, ...], b: tuple[str, ...] | None) -> bool:
    """True when needle set a is more selective than b: longer shortest needle, then fewer needles."""
    return b is None or (min(map(len, a)), -len(a)) > (min(map(len, b)), -len(b))


def _seq_needles(items: Any) -> Needles:
    """Needles of a parsed regex sequence: every match of the sequence holds one of them."""
    best: Needles = None
    run: list[str] = []

    def consider(found: Needles) -> None:
        nonlocal best
        if found and _better(found, best):
            best = found

    for op, av in items:
        if op is _sre.LITERAL:
            ch = _needle_char(av)
            if ch is not None:
                run.append(ch)
                continue
        # anything else ends the run of literal characters; each item of a sequence is matched,
        # so each item's own needles (if any) are needles of the sequence
        if run:
            consider(("".join(run),))
            run = []
        if op is _sre.SUBPATTERN:
            consider(_seq_needles(av[3]))
        elif op is _sre.ATOMIC_GROUP:
            consider(_seq_needles(av))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            consider(_seq_needles(av[2]))
        elif op is _sre.BRANCH:
            alternatives = [_seq_needles(alt) for alt in av[1]]
            if all(alternatives):  # a match takes one alternative: one of its needles is there
                consider(tuple(sorted(set().union(*(a for a in alternatives if a is not None)))))
    if run:
        consider(("".join(run),))
    return best


def needles(pattern: re.Pattern[str]) -> Needles:
    """Lower-case strings at least one of which the lower-cased text holds whenever `pattern`
    matches in it (case-insensitive or not), taken from the pattern's literal characters; None
    when the pattern has no such literal, or cannot be analysed: then it is always tried."""
    if _sre_parse is None:  # pragma: no cover
        return None
    try:
        return _seq_needles(_sre_parse.parse(pattern.pattern, pattern.flags))
    except Exception:  # pragma: no cover - an unknown parser shape: no gate, never a wrong skip
        return None


def may_match(needles: Needles, lowered: str) -> bool:
    """False only when the pattern with these needles cannot match the text lowered from."""
    # map over the bound __contains__: the substring tests run without a generator frame
    return needles is None or any(map(lowered.__contains__, needles))


# --- where a match can start ---------------------------------------------------------------------

def _first_chars(items: Any, ignorecase: bool) -> frozenset[str] | None:
    """The characters a match of a parsed regex sequence can start with (zero-width assertions
    skipped), or None when that set is not plainly known. Only caseless literal characters are
    taken under IGNORECASE, and only items that always consume a character."""
    for op, av in items:
        if op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):
            continue  # zero-width: the match starts with what follows
        if op is _sre.LITERAL:
            c = chr(av)
            return frozenset(c) if not ignorecase or c.lower() == c.upper() == c else None
        if op is _sre.IN:
            if not all(o is _sre.LITERAL for o, _ in av):
                return None
            chars = [chr(a) for _, a in av]
            return frozenset(chars) if not ignorecase or all(c.lower() == c.upper() == c for c in chars) else None
        if op is _sre.BRANCH:
            sets = [_first_chars(alt, ignorecase) for alt in av[1]]
            return None if not all(sets) else frozenset().union(*(s for s in sets if s is not None))
        if op is _sre.SUBPATTERN and av[3].getwidth()[0] > 0:
            return _first_chars(av[3], ignorecase)
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[0] >= 1 and av[2].getwidth()[0] > 0:
            return _first_chars(av[2], ignorecase)
        return None
    return None


class StartFinder:
    """finditer for a pattern whose matches all start with one of a few characters: the pattern
    is tried (Pattern.match at a position, which sees the text before it as search does) only
    where such a character is, found by one character-class search, instead of at every
    position. Same matches as pattern.finditer for a pattern that cannot match empty."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        first = None
        if _sre_parse is not None:
            try:
                parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
                if parsed.getwidth()[0] > 0:
                    first = _first_chars(parsed, bool(pattern.flags & re.IGNORECASE))
            except Exception:  # pragma: no cover - an unknown parser shape: plain finditer
                first = None
        self.first = re.compile("[" + "".join(re.escape(c) for c in sorted(first)) + "]") if first else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        if self.first is None:
            yield from self.pattern.finditer(text)
            return
        find, match = self.first.search, self.pattern.match
        pos = 0
        while True:
            c = find(text, pos)
            if c is None:
                return
            m = match(text, c.start())
            if m is None:
                pos = c.start() + 1
            else:
                yield m
                pos = m.end()
