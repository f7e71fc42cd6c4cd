"""Typed values in a span of Swedish or English text.

Pure functions, no state: each ``find_*`` takes a text and returns a list of
:class:`Found` in text order, with ``start``/``end`` offsets relative to that
text. All regular expressions are compiled once at import. Dates are parsed
with our own month table (sv + en, full and abbreviated names): dateparser
costs ~1 ms per call and cannot report the precision the text gives
("januari 2019" must stay "2019-01"), so it is not used.

Finders only *find* and *flag*; deciding which value belongs to which record
is the caller's job. Flags say what the words around a value imply:

* ``per_year`` - "per år", "per year", "årligen", "annually" (amounts)
* ``range_part`` - one end of "mellan X och Y kronor", "ett till två år"
* ``total`` - "sammanlagt", "totalt", "in total", "a total of" (amounts)
* ``context`` - for dates: why the value is probably not a project period
  ("publication", "decision", "visit", "statistics", "since", "birth"),
  None when nothing argues against it.
* ``kind`` - finder-specific sub-type, documented per finder.
"""
from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kp_extract import DATA_DIR

__all__ = [
    "Found",
    "find_amounts",
    "find_date_ranges",
    "find_single_dates",
    "find_durations",
    "find_sdgs",
    "parse_sdg_footer",
    "find_since_years",
    "since_phrases",
    "SDG_NAMES",
]


@dataclass(frozen=True)
class Found:
    """One value found in a text.

    value: the typed value (int SEK, (start_iso, end_iso), float years,
    int SDG, int year, or an ISO string for single dates).
    start/end: character offsets of the whole expression in the given text.
    kind: finder-specific sub-type ("" when the finder has none).
    per_year / range_part / total: amount and duration flags (see module doc).
    context: for dates and years, a reason the value is probably not a
    project period (e.g. "publication"), else None.
    """

    value: Any
    start: int
    end: int
    kind: str = ""
    per_year: bool = False
    range_part: bool = False
    total: bool = False
    context: str | None = None


_I = re.IGNORECASE
_SENT_END = re.compile(r"[.!?;•](?=\s)|\n")


def _word_trie(words, space: str = r"\s+") -> str:
    """A group matching exactly what the alternation of `words` (literal, lower-case; a space
    matches `space`) sorted longest first matches, trying the same words in the same order.

    Why a trie: an IGNORECASE alternation of many words tries every word at every position (the
    regex engine has no fast first-letter skip for case-insensitive literals); a trie tries each
    first letter once. Same order: of two words matching at one position one is a prefix of the
    other, and both forms try the longer first (the trie by a greedy optional tail)."""
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [(space if ch == " " else re.escape(ch)) + build(node[ch]) for ch in sorted(k for k in node if k)]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return "(?:" + build(root) + ")"


def _sentence_before(text: str, pos: int, limit: int) -> str:
    """The text before `pos`, back to the sentence start, at most `limit` chars."""
    lo = max(0, pos - limit)
    seg = text[lo:pos]
    cut = 0
    for m in _SENT_END.finditer(seg):
        cut = m.end()
    return seg[cut:]


# ---------------------------------------------------------------------------
# Scanning only where a value can be: a cheap key regex (a year, "år",
# "year") marks windows; the expensive regex runs on those windows only.

_YEAR_KEY = re.compile(r"(?:19[5-9]|20\d)\d")


def _windows(text: str, key: re.Pattern, before: int, after: int) -> list[tuple[int, int]]:
    """Merged (start, end) windows around every match of `key`."""
    out: list[tuple[int, int]] = []
    n = len(text)
    cur_s = cur_e = 0
    started = False
    # ends are clipped to len(text) only when a window is closed: clipping commutes with the max
    # and cannot change a merge (a start never exceeds len(text))
    for m in key.finditer(text):
        s, e = m.span()
        s -= before
        e += after
        if started and s <= cur_e:
            if e > cur_e:
                cur_e = e
            continue
        if started:
            out.append((cur_s, min(cur_e, n)))
        cur_s, cur_e, started = max(s, 0), e, True
    if started:
        out.append((cur_s, min(cur_e, n)))
    return out


# re's IGNORECASE matches these to ASCII letters (İ ı to "i", ſ to "s") while str.lower() keeps
# them apart: a text holding one cannot be gated on its lower-cased form.
_CASE_ODD = ("\u0130", "\u0131", "\u017f")


def _may_contain(text: str, fragments: tuple[str, ...]) -> bool:
    """False only when no IGNORECASE regex whose every match holds one of the lower-case
    `fragments` can match `text`: a cheap exact gate before an expensive scan."""
    low = text.lower()
    return any(f in low for f in fragments) or any(c in text for c in _CASE_ODD)


def _scan(rx: re.Pattern, text: str, wins: list[tuple[int, int]]):
    """rx.finditer over each window, in text order (lookbehinds see the real text)."""
    for s, e in wins:
        yield from rx.finditer(text, s, e)


# ---------------------------------------------------------------------------
# Numbers

_WORD_NUM = {
    "en": 1, "ett": 1, "one": 1, "a": 1, "an": 1, "två": 2, "two": 2, "tre": 3, "three": 3,
    "fyra": 4, "four": 4, "fem": 5, "five": 5, "sex": 6, "six": 6, "sju": 7,
    "seven": 7, "åtta": 8, "eight": 8, "nio": 9, "nine": 9, "tio": 10, "ten": 10,
    "elva": 11, "eleven": 11, "tolv": 12, "twelve": 12, "arton": 18, "eighteen": 18,
    "tjugofyra": 24, "twenty-four": 24, "trettiosex": 36, "thirty-six": 36,
}
_WORD_NUM_RE = _word_trie(_WORD_NUM)

_SEP = r"[ \u00a0\u202f\u2009.,']"
# 1-3 digits then thousands groups, or plain digits with an optional decimal part
_NUM = rf"(?<![\d.,])(?:\d{{1,3}}(?:{_SEP}\d{{3}})+(?:[.,]\d{{1,2}})?|\d+(?:[.,]\d+)?)(?![\d])"


_NUM_SEP = re.compile(r"[.,]")


def _parse_number(s: str, has_multiplier: bool) -> float:
    """Parse '1,5' / '450,000' / '700 000' / '1.2'. With a million-type
    multiplier a single , or . is a decimal mark."""
    s = s.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ").replace("'", " ")
    s = s.replace(" ", "")
    seps = [c for c in s if c in ".,"]
    if not seps:
        return float(s)
    if len(seps) == 1:
        head, tail = _NUM_SEP.split(s)
        if len(tail) == 3 and not has_multiplier:
            return float(head + tail)  # thousands separator
        return float(head + "." + tail)
    # several separators: the last one is a decimal mark if it differs from
    # the others or is followed by 1-2 digits
    last = max(s.rfind("."), s.rfind(","))
    tail = s[last + 1:]
    if len(tail) != 3 or s[last] != seps[0]:
        return float(_NUM_SEP.sub("", s[:last]) + "." + tail)
    return float(_NUM_SEP.sub("", s))


# ---------------------------------------------------------------------------
# Amounts

_MILLION = r"(?:miljoner|miljon|milj\.?|millioner|millions?|mln\.?|mn)"
_BILLION = r"(?:miljarder|miljard|billions?|bn)"
_THOUSAND = r"(?:tusen|thousand)"
_CUR_AFTER = r"(?:svenska\s+kronor|kronor|kronors|krona|sek|kr\.?|:-)"
_MSEK = r"(?:msek|mkr|mnkr|mSEK|Mkr|miljoner\s+kronor)"
_KSEK = r"(?:tkr|ksek|tsek)"
_FOREIGN = r"(?:euro|euros|eur|€|usd|us\s*dollars?|dollars?|\$|rand|zar|ugx|shillings?|dong|vnd|pounds?|£|gbp|nok|dkk)"

# The first letter of every match that does not start with a digit: of pre (msek, mkr, sek, kr), of
# half ("en halv", "halv", "half a", "a half") and of the number words. A leading look-ahead on them
# rules out most positions in one step; it changes no match, as every match starts so.
_AMOUNT_FIRST = "".join(sorted({w[0] for w in _WORD_NUM} | set("mskeha")))
_AMOUNT_RE = re.compile(
    rf"""
    (?=[\d{_AMOUNT_FIRST}])
    (?P<pre>(?<![\w])(?:(?P<pre_m>msek|mkr)|sek|kr\.?)\s*)?          # SEK 450,000 / MSEK 1.2
    (?:
        (?P<num>{_NUM})
      | (?P<half>(?:en\s+)?halv|half\s+a|a\s+half)(?=\s+{_MILLION})
      | (?<![\w-])(?P<word>{_WORD_NUM_RE})(?=\s+{_MILLION}|\s+{_BILLION})
    )
    (?P<unit>
        \s*(?P<k>{_KSEK})(?![\w])
      | \s*(?P<ms>{_MSEK})(?![\w])
      | \s*(?P<mult>{_MILLION}|{_BILLION}|{_THOUSAND})(?![\w])(?:\s*(?P<cur1>{_CUR_AFTER})(?![\w]))?
      | \s*(?P<cur2>{_CUR_AFTER})(?![\w])
    )?
    """,
    _I | re.VERBOSE,
)
_FOREIGN_AFTER = re.compile(rf"^\s*{_FOREIGN}(?![\w])", _I)
_FOREIGN_BEFORE = re.compile(rf"{_FOREIGN}\s*$", _I)
# a bare "X miljoner" is money when what follows is a function word or punctuation
_FUNCTION_AFTER = re.compile(
    r"^(?:\s*$|\s*[.,;:!?)\]–—-]|\s+(?:till|för|i|av|från|att|och|som|har|hade|ska|skall|kommer|"
    r"beviljas|beviljades|beviljats|per|om|via|inom|under|över|på|med|vilket|to|for|in|from|has|"
    r"have|had|was|were|is|are|will|granted|over|per|and|of|which|towards?|each|annually|årligen|"
    r"totalt|sammanlagt)\b)",
    _I,
)
_NON_MONEY_NOUN = re.compile(
    r"^\s+(?:människor|invånare|personer|barn|kvinnor|män|elever|besökare|medborgare|ton|liter|"
    r"kubikmeter|km|kilometer|kvadratmeter|kwh|mwh|resenärer|hushåll|people|persons|inhabitants|"
    r"residents|citizens|children|women|visitors|households|tons|tonnes|litres|liters|"
    r"users|användare|exemplar|copies|views|visningar|år|years)\b",
    _I,
)
_MONEY_CUE = re.compile(
    r"(?:bevilja\w*|medel|bidrag|anslag|stöd|budget\w*|finansier\w*|kostnad\w*|belopp|pengar|"
    r"kronor|grant\w*|fund\w*|award\w*|cost\w*|sek)",
    _I,
)
_PER_YEAR_AFTER = re.compile(
    r"^\s*(?:per\s+år|om\s+året|i\s+året|årligen|/\s*år|per\s+year|a\s+year|each\s+year|every\s+year|"
    r"per\s+annum|annually|yearly|/\s*year|varje\s+år)\b",
    _I,
)
_PER_YEAR_BEFORE = re.compile(r"(?:årligen|årlig[at]?\s+\w+|annually|annual\s+\w+|yearly|per\s+år)\s+(?:\w+\s+){0,3}$", _I)
_TOTAL_BEFORE = re.compile(
    r"(?:sammanlagt|totalt|sammantaget|totalbelopp(?:et)?|totalsumma|i\s+total|in\s+total|a\s+total\s+of|"
    r"the\s+total|total\s+of|totalling|totaling|totally|altogether|combined|överlag)\b",
    _I,
)
_TOTAL_AFTER = re.compile(r"^\s*(?:totalt|sammanlagt|i\s+totalt?|in\s+total|altogether|combined)\b", _I)
# "7,3 miljoner kronor till tre svenska kommuner", "SEK 9 million to 12 projects"
_SHARED_AFTER = re.compile(
    r"^\s*(?:till|to|for|för|fördelat\s+på|fördelade\s+på|shared\s+(?:between|among)|among|between)\s+"
    r"(?:(?:[2-9]|\d\d+|två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve|flera|several|olika|various)\s+)(?:[\w-]+\s+){0,2}?"
    r"(?:projekt|projects|kommuner|municipalities|partnerskap\w*|partnerships|regioner|regions|"
    r"samarbeten|cooperations|organisationer|organisations|organizations)\b",
    _I,
)
_RANGE_START = re.compile(r"(?:mellan|between|från|from)\s+$", _I)
_RANGE_DASH = re.compile(r"[-–—]")
_RANGE_MID = re.compile(r"^\s*(?:och|and|till|to|[-–—])\s*$", _I)
_YEAR_LIKE = re.compile(r"^(?:19[5-9]\d|20\d\d)$")


_AMOUNT_KEY = re.compile(r"\d+|milj|millio|billio", _I)
# An amount is only kept when its match (or, for a range head, the tail's) has a unit or a
# currency: each alternative of pre/_KSEK/_MSEK/_MILLION/_BILLION/_THOUSAND/_CUR_AFTER
# contains one of these lower-case fragments.
_UNIT_FRAGMENTS = ("kr", "sek", "milj", "mill", "mln", "mn", "bn", "billion", "tusen", "thousand", ":-")


def _amount_parts(m: re.Match) -> tuple[float, float, bool, bool]:
    """(number, multiplier, has_unit, explicit_sek) of one amount match."""
    mult_w = (m.group("mult") or "").lower()
    unit_mult, decimal_mult = 1.0, False
    if m.group("k"):
        unit_mult = 1e3
    elif m.group("ms") or m.group("pre_m"):
        unit_mult, decimal_mult = 1e6, True
    if mult_w:
        if re.match(_BILLION, mult_w, _I):
            unit_mult, decimal_mult = 1e9, True
        elif re.match(_THOUSAND, mult_w, _I):
            unit_mult = 1e3
        else:
            unit_mult, decimal_mult = 1e6, True
    if m.group("num"):
        n = _parse_number(m.group("num"), decimal_mult)
    elif m.group("half"):
        n = 0.5
    else:
        n = float(_WORD_NUM[m.group("word").lower()])
    has_unit = bool(m.group("unit") or m.group("pre"))
    explicit = bool(m.group("pre") or m.group("cur1") or m.group("cur2") or m.group("ms") or m.group("k"))
    return n, unit_mult, has_unit, explicit


def find_amounts(text: str) -> list[Found]:
    """SEK amounts in `text`, value an int number of kronor.

    A number is an amount when a SEK currency ("SEK", "kr", "kronor", ":-",
    "MSEK", "mkr", "tkr") or a million word ("miljoner", "million") stands with
    it; a bare "X miljoner" needs money context (function word or
    punctuation after it, or a money word such as "beviljas" before it in the
    sentence) and is rejected before counted nouns ("3,5 miljoner
    människor") and foreign currencies ("2 million EUR"). Years are never
    amounts. Flags: per_year; range_part (both ends of "mellan X och Y
    kronor", "1-2 miljoner kronor"; a bare head inherits the tail's unit);
    total (an article's sum: "sammanlagt", "totalt", "a total of").
    """
    if not _may_contain(text, _UNIT_FRAGMENTS):
        return []  # no unit or currency word: no match has one, and every amount needs one
    wins = _windows(text, _AMOUNT_KEY, 20, 45)
    matches = [m for m in _scan(_AMOUNT_RE, text, wins) if m.group("num") or m.group("half") or m.group("word")]
    out: list[Found] = []
    skip_next = False
    for i, m in enumerate(matches):
        if skip_next:
            skip_next = False
            continue
        n, mult, has_unit, explicit = _amount_parts(m)
        s, e = m.start(), m.end()
        before = text[max(0, s - 14):s]
        after = text[e:e + 40]
        if _FOREIGN_AFTER.match(after) or _FOREIGN_BEFORE.search(before):
            continue
        # ranges: "mellan 1 och 2 miljoner kronor", "500 000-700 000 kr"
        if i + 1 < len(matches) and _RANGE_MID.match(text[e:matches[i + 1].start()]):
            nm = matches[i + 1]
            tn, tmult, thas, texp = _amount_parts(nm)
            dash = _RANGE_DASH.search(text[e:nm.start()]) is not None
            if thas and (texp or tmult > 1) and (dash or _RANGE_START.search(before)) \
                    and not _FOREIGN_AFTER.match(text[nm.end():nm.end() + 40]):
                if has_unit:
                    head = n * mult
                else:
                    head = n * tmult if n < 1000 else n
                if not (not has_unit and _YEAR_LIKE.match((m.group("num") or "").strip())):
                    out.append(_mk_amount(text, s, e, head, range_part=True))
                    out.append(_mk_amount(text, nm.start(), nm.end(), tn * tmult, range_part=True))
                    skip_next = True
                    continue
        if not has_unit:
            continue
        if _YEAR_LIKE.match((m.group("num") or "").strip()) and not explicit and mult == 1:
            continue
        if not explicit:
            # bare "X miljoner"
            if _NON_MONEY_NOUN.match(after):
                continue
            if not _FUNCTION_AFTER.match(after) and not _MONEY_CUE.search(_sentence_before(text, s, 120)):
                continue
        out.append(_mk_amount(text, s, e, n * mult))
    return out


def _mk_amount(text: str, s: int, e: int, val: float, range_part: bool = False) -> Found:
    before = _sentence_before(text, s, 160)
    after = text[e:e + 40]
    # "(X kronor) per år" / "1 miljon kronor per år"
    per_year = bool(_PER_YEAR_AFTER.match(after) or _PER_YEAR_BEFORE.search(before[-60:]))
    total = bool(_TOTAL_BEFORE.search(before[-90:]) or _TOTAL_AFTER.match(after)
                 or _SHARED_AFTER.match(text[e:e + 80]))
    return Found(int(round(val)), s, e, kind="sek", per_year=per_year, range_part=range_part, total=total)


# ---------------------------------------------------------------------------
# Dates

_MONTHS: dict[str, int] = {}
for _n, _names in enumerate(
    [
        ("januari", "january", "jan"),
        ("februari", "february", "feb"),
        ("mars", "march", "mar"),
        ("april", "apr"),
        ("maj", "may"),
        ("juni", "june", "jun"),
        ("juli", "july", "jul"),
        ("augusti", "august", "aug"),
        ("september", "sept", "sep"),
        ("oktober", "october", "okt", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ],
    start=1,
):
    for _w in _names:
        _MONTHS[_w] = _n
_MONTH = _word_trie(_MONTHS) + r"\.?"
_YEAR = r"(?<![\d.,:])(?:19[5-9]\d|20\d\d)(?![\d])"
_SEASONS = {
    "våren": "spring", "vår": "spring", "sommaren": "summer", "sommar": "summer",
    "hösten": "autumn", "höst": "autumn", "vintern": "winter", "vinter": "winter",
    "spring": "spring", "summer": "summer", "autumn": "autumn", "fall": "autumn", "winter": "winter",
    "början av": "early", "slutet av": "late", "mitten av": "mid", "early": "early", "late": "late",
    "mid": "mid", "the beginning of": "early", "the end of": "late", "the middle of": "mid",
    "beginning of": "early", "end of": "late", "first half of": "early", "second half of": "late",
    "första halvan av": "early", "andra halvan av": "late", "halvåret": "mid",
}
_SEASON = _word_trie(_SEASONS)
_ORD = r"(?:\.|:e|:a|st|nd|rd|th)?"

# One date expression: named groups d/mo/y for the precise forms.
# the first letters of the month and season words: the letters a date can start with
_DATE_FIRST = "".join(sorted({w[0] for w in (*_MONTHS, *_SEASONS)}))
# The branches that need a word start share one lookbehind (tried once per position, not four
# times); iso moves after se and mo, which start with a letter where iso needs a digit, so no
# position can match both and the order of the alternatives is unchanged wherever it matters.
_DATE = rf"""
(?=[\d{_DATE_FIRST}])  # every date starts so: a one-step test that rules out most positions
(?:
    (?<![\w])(?:
        (?P<{{p}}dd>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<{{p}}dmo>{_MONTH})(?![\w]),?\s+(?P<{{p}}dy>{_YEAR})
      | (?P<{{p}}mdmo>{_MONTH})\s+(?P<{{p}}mdd>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<{{p}}mdy>{_YEAR})
      | (?P<{{p}}se>{_SEASON})\s+(?:of\s+|år\s+)?(?P<{{p}}sy>{_YEAR})
      | (?P<{{p}}mo>{_MONTH})(?![\w]),?\s+(?:of\s+)?(?P<{{p}}my>{_YEAR})
    )
  | (?P<{{p}}iso>(?<![\d])(?:19[5-9]\d|20\d\d)-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\d]))
  | (?P<{{p}}y>{_YEAR})
)
"""


def _date_pat(prefix: str) -> str:
    return _DATE.replace("{p}", prefix)


_SINGLE_DATE_RE = re.compile(_date_pat(""), _I | re.VERBOSE)

_DASH = r"\s*[-–—‐‑−]\s*"
_RANGE_SEP = (
    rf"(?:{_DASH}(?:\s*(?:till|to)\s+)?|\s*/\s*"
    r"|\s+(?:till\s+och\s+med|t\.\s?o\.\s?m\.?|tom|fram\s+till|till|to|until|till|through|thru|up\s+to|and|och)\s+)"
)
# "januari-december 2021": a lone month before a dash and a month+year
_MONTH_RANGE_RE = re.compile(
    rf"(?<![\w])(?P<m1>{_MONTH})(?P<sep>{_DASH}|\s+(?:till|to|until|through|och|and)\s+)(?P<m2>{_MONTH})(?![\w]),?\s+(?P<y>{_YEAR})",
    _I,
)
# "1-15 mars 2021" / "1 juli-30 september 2021"
_DAY_RANGE_RE = re.compile(
    rf"(?<![\w])(?P<d1>\d{{1,2}}){_ORD}(?:\s+(?P<m1>{_MONTH}))?{_DASH}(?P<d2>\d{{1,2}}){_ORD}\s+(?P<m2>{_MONTH})(?![\w]),?\s+(?P<y>{_YEAR})",
    _I,
)
_RANGE_RE = re.compile(
    rf"(?P<a>{_date_pat('a_')})(?P<sep>{_RANGE_SEP})(?P<b>{_date_pat('b_')})",
    _I | re.VERBOSE,
)
# "2020-21", "2019/20": a two-digit end year (not an ISO month: > 12, or a slash)
_SHORT_RANGE_RE = re.compile(
    rf"(?P<y1>{_YEAR})(?P<sep>{_DASH}|/)(?P<y2>\d\d)(?![\d]|[-–]\d|\.\d|,\d)", _I)
_BETWEEN_BEFORE = re.compile(r"(?:mellan|between)\s+(?:år(?:en)?\s+|the\s+years\s+)?$", _I)
# "under 2005 och 2006": two years in a row that the work spans are one period ("under 2013 och 2015" is a list)
_DURING_BEFORE = re.compile(r"(?:under|during)\s+(?:år(?:en)?\s+|the\s+years\s+)?$", _I)
_NOT_A_YEAR_BEFORE = re.compile(
    r"(?<![\w])(?:agenda|vision|horizon|horisont|europa|europe|strategi|strategy|iso|en|ss|sfs|nr|no|nummer|number|"
    r"kapitel|chapter|sida|page|version|v|lag|law|plan|program|programme)[\s.:]*$",
    _I,
)
_CONTEXT_BEFORE = [
    ("publication", re.compile(
        r"(?:publicera\w*|senast\s+(?:uppdaterad|ändrad|granskad)\w*|uppdaterad|sidan\s+uppdaterades|"
        r"last\s+(?:updated|modified|reviewed)|updated|published|posted|datum|date|skriven|written)\b[^\n]{0,12}$",
        _I)),
    ("decision", re.compile(
        r"(?:beslut\w*|fattade|decided|decision|announced|announce|tillkännag\w*|meddelade|antog|antogs|"
        r"adopted|approved)\b[^\n]{0,25}$",
        _I)),
    ("visit", re.compile(
        # "reser till X under några dagar mellan …": a visit's dates, unless a project comes between
        r"(?:besök\w*|visit\w*|resa|reste|resan|trip|study\s+tour|studieresa)\b(?:(?!projekt|project)[^\n]){0,50}$",
        _I)),
    ("statistics", re.compile(
        r"(?:statisti\w*|invånare|befolkning\w*|population|census|folkmängd)\b[^\n]{0,30}$", _I)),
    ("since", re.compile(r"(?:sedan|since|alltsedan)\s+(?:\w+\s+){0,2}$", _I)),
    ("birth", re.compile(r"(?:född|born)\s+(?:\w+\s+){0,2}$", _I)),
]
# "1990-talet", "the 1990s": a decade, not a year
_DECADE_AFTER = re.compile(r"(?:-talet|-tal\b|s\b|'s\b)", _I)
_STAT_AFTER = re.compile(r"^,?\s*(?:hade|fanns|bodde|uppgick|var\s+det|had|there\s+(?:were|was)|lived)\b", _I)
_STAT_YEAR_BEFORE = re.compile(r"(?:^|\s)(?:år|i|in|during|under)\s+$", _I)
_START_CUE = re.compile(
    r"(?:start(?:ar|ade|ades|ed|s|ing)?|inleds|inleddes|påbörja\w*|från|from|began|begins|beginning|"
    r"commenced|commences|kicked\s+off|launched)\s+(?:\w+\s+){0,2}$",
    _I,
)
_END_CUE = re.compile(
    r"(?:till\s+och\s+med|t\.\s?o\.\s?m\.?|fram\s+till|till|until|to|through|avslutas|avslutades|slutar|"
    r"ends?|ended|ending|concludes?|completed|slut(?:datum)?|end\s+date)\s+(?:\w+\s+){0,2}$",
    _I,
)


def _iso_from(m: re.Match, p: str) -> tuple[str, str] | None:
    """(iso, kind) of one matched date expression with group prefix `p`."""
    g = m.groupdict()
    try:
        if g.get(p + "dd"):
            y, mo, d = int(g[p + "dy"]), _MONTHS[g[p + "dmo"].lower().rstrip(".")], int(g[p + "dd"])
        elif g.get(p + "mdmo"):
            y, mo, d = int(g[p + "mdy"]), _MONTHS[g[p + "mdmo"].lower().rstrip(".")], int(g[p + "mdd"])
        elif g.get(p + "iso"):
            y, mo, d = (int(x) for x in g[p + "iso"].split("-"))
        elif g.get(p + "se"):
            return g[p + "sy"], "season"
        elif g.get(p + "mo"):
            return f"{int(g[p + 'my']):04d}-{_MONTHS[g[p + 'mo'].lower().rstrip('.')]:02d}", "month"
        elif g.get(p + "y"):
            return g[p + "y"], "year"
        else:
            return None
    except KeyError:
        return None
    if not 1 <= d <= calendar.monthrange(y, mo)[1]:
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}", "day"


def _date_context(text: str, s: int, e: int) -> str | None:
    before = _sentence_before(text, s, 60)
    for name, rx in _CONTEXT_BEFORE:
        if rx.search(before):
            return name
    if _STAT_AFTER.match(text[e:e + 30]) and (_STAT_YEAR_BEFORE.search(text[max(0, s - 12):s]) or s == 0):
        return "statistics"
    return None


def _year_ok(text: str, s: int) -> bool:
    """False for 'Agenda 2030', 'ISO 2015' and the like."""
    return not _NOT_A_YEAR_BEFORE.search(text[max(0, s - 14):s])


def _range_ok(a: str, b: str) -> bool:
    ya, yb = int(a[:4]), int(b[:4])
    if yb < ya or yb - ya > 15:
        return False
    # compare on the common precision
    n = min(len(a), len(b))
    return b[:n] >= a[:n]


def _direct_ranges(text: str, wins: list[tuple[int, int]]) -> list[Found]:
    found: list[Found] = []
    for m in _scan(_DAY_RANGE_RE, text, wins):
        y = int(m.group("y"))
        m2 = _MONTHS[m.group("m2").lower().rstrip(".")]
        m1 = _MONTHS[m.group("m1").lower().rstrip(".")] if m.group("m1") else m2
        d1, d2 = int(m.group("d1")), int(m.group("d2"))
        try:
            a = f"{y:04d}-{m1:02d}-{d1:02d}"
            b = f"{y:04d}-{m2:02d}-{d2:02d}"
            if d1 > calendar.monthrange(y, m1)[1] or d2 > calendar.monthrange(y, m2)[1] or d1 < 1 or d2 < 1:
                continue
        except calendar.IllegalMonthError:
            continue
        if b > a:
            found.append(Found((a, b), m.start(), m.end(), kind="range"))
    for m in _scan(_SHORT_RANGE_RE, text, wins):
        y1 = int(m.group("y1"))
        y2 = y1 - y1 % 100 + int(m.group("y2"))
        if y1 < y2 <= y1 + 15 and (int(m.group("y2")) > 12 or m.group("sep").strip() == "/") \
                and _year_ok(text, m.start()):
            found.append(Found((str(y1), str(y2)), m.start(), m.end(), kind="range"))
    for m in _scan(_MONTH_RANGE_RE, text, wins):
        y = m.group("y")
        m1 = _MONTHS[m.group("m1").lower().rstrip(".")]
        m2 = _MONTHS[m.group("m2").lower().rstrip(".")]
        if m.group("sep").strip().lower() in ("och", "and") \
                and not _BETWEEN_BEFORE.search(text[max(0, m.start() - 20):m.start()]):
            continue  # "i mars och juni 2025": two months, not a period
        if m2 >= m1:
            found.append(Found((f"{y}-{m1:02d}", f"{y}-{m2:02d}"), m.start(), m.end(), kind="range"))
    for m in _range_matches(text, wins):
        sep = m.group("sep").strip().lower()
        first = _iso_from(m, "a_")
        last = _iso_from(m, "b_")
        if not first or not last:
            continue
        if sep in ("och", "and") and not _BETWEEN_BEFORE.search(text[max(0, m.start() - 20):m.start()]) \
                and not (first[1] == last[1] == "year" and int(last[0]) == int(first[0]) + 1
                         and _DURING_BEFORE.search(text[max(0, m.start() - 20):m.start()])):
            continue
        if sep == "/" and not (first[1] == "year" and last[1] == "year"):
            continue
        if first[1] == "year" and not _year_ok(text, m.start()):
            continue
        # "2019-01-15" must not read as 2019 - 01... (ISO handled in the alternatives)
        if not _range_ok(first[0], last[0]):
            continue
        s = m.start()
        found.append(Found((first[0], last[0]), s, m.end(), kind="range"))
    return found


def _range_matches(text: str, wins: list[tuple[int, int]]):
    """Every _RANGE_RE match, also overlapping ones (a failed candidate must
    not hide a range starting one token later)."""
    for ws, we in wins:
        pos = ws
        while True:
            m = _RANGE_RE.search(text, pos, we)
            if not m:
                break
            yield m
            pos = m.start() + 1


def _cue_ranges(text: str, singles: list[Found], taken: list[tuple[int, int]]) -> list[Found]:
    """'start 1 juli 2016 och pågår till 30 juni 2019': a start-cued date and
    an end-cued date later in the same sentence."""
    out: list[Found] = []
    free = [f for f in singles if not any(a <= f.start < b for a, b in taken)]
    for i, f in enumerate(free):
        if not _START_CUE.search(_sentence_before(text, f.start, 40)):
            continue
        for g in free[i + 1:]:
            if g.start - f.end > 120:
                break
            between = text[f.end:g.start]
            if re.search(r"[.!?](?:\s|$)|\n", between):
                break
            if _END_CUE.search(text[max(f.end, g.start - 40):g.start]):
                if _range_ok(f.value, g.value):
                    out.append(Found((f.value, g.value), f.start, g.end, kind="range"))
                break
    return out


def _all_single_dates(text: str, wins: list[tuple[int, int]]) -> list[Found]:
    out = []
    for m in _scan(_SINGLE_DATE_RE, text, wins):
        r = _iso_from(m, "")
        if not r:
            continue
        if r[1] == "year" and not _year_ok(text, m.start()):
            continue
        kind = "decade" if r[1] == "year" and _DECADE_AFTER.match(text, m.end()) else r[1]
        start, value = m.start(), r[0]
        last = _LAST_DAY_BEFORE.search(text, max(0, start - 20), start) if kind == "month" else None
        if last:  # "sista maj 2019": the month's last day
            y, mo = int(value[:4]), int(value[5:7])
            start, value, kind = last.start(), f"{value}-{calendar.monthrange(y, mo)[1]:02d}", "day"
        out.append(Found(value, start, m.end(), kind=kind))
    return out


_LAST_DAY_BEFORE = re.compile(r"(?<![\w])(?:sista|(?:the\s+)?last\s+day\s+of)\s+$", _I)
# "1 januari" with no year of its own
_YEARLESS_DAY_RE = re.compile(
    rf"(?<![\w\d])(?P<d>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<mo>{_MONTH})(?![\w])(?!,?\s+(?:of\s+)?\d)", _I)


def _yearless_cue_ranges(text: str, singles: list[Found], taken: list[tuple[int, int]]) -> list[Found]:
    """'startade 1 mars och pågår till sista maj 2019': a start-cued day and month with no year,
    and an end-cued date later in the same sentence that gives the year."""
    out: list[Found] = []
    for g in singles:
        if g.kind not in ("day", "month") or any(a <= g.start < b for a, b in taken) \
                or not _END_CUE.search(text[max(0, g.start - 40):g.start]):
            continue
        before = _sentence_before(text, g.start, 120)
        lo = g.start - len(before)
        for d in _YEARLESS_DAY_RE.finditer(text, lo, g.start):
            if not _START_CUE.search(_sentence_before(text, d.start(), 40)):
                continue
            y, mo, day = int(str(g.value)[:4]), _MONTHS[d.group("mo").lower().rstrip(".")], int(d.group("d"))
            if not 1 <= day <= calendar.monthrange(y, mo)[1]:
                continue
            first = f"{y:04d}-{mo:02d}-{day:02d}"
            if _range_ok(first, str(g.value)):
                out.append(Found((first, g.value), d.start(), g.end, kind="range"))
            break
    return out


def _dedupe_spans(items: list[Found]) -> list[Found]:
    """Keep the longest of overlapping finds, in text order."""
    items = sorted(items, key=lambda f: (f.start, -(f.end - f.start)))
    out: list[Found] = []
    for f in items:
        if out and f.start < out[-1].end:
            continue
        out.append(f)
    return out


def find_date_ranges(text: str, lang: str | None = None) -> list[Found]:
    """Date ranges, value (start_iso, end_iso) as precise as the text.

    "(2023-2025)" -> ("2023", "2025"); "januari 2019-december 2021" ->
    ("2019-01", "2021-12"); "januari-juni 2020" -> ("2020-01", "2020-06");
    "mellan 2019 och 2021", "from March 2018 to February 2020", "2019/2020";
    "start 1 juli 2016 och pågår till 30 juni 2019" (start and end cue in one
    sentence). The end must not precede the start and the span is at most 15
    years. `context` names a cue just before ("publication", "decision",
    "visit", "statistics", "since") that argues against a project period.
    `lang` is accepted for symmetry; both languages are always recognised.
    """
    return list(_ranges_and_singles(text)[0])


def _date_windows(text: str) -> list[tuple[int, int]]:
    return _windows(text, _YEAR_KEY, 45, 10)


@lru_cache(maxsize=4096)
def _ranges_and_singles(text: str) -> tuple[tuple[Found, ...], tuple[Found, ...]]:
    """(ranges, singles) of a text; cached, as find_date_ranges and find_single_dates often get
    the same text (Found is frozen, so sharing is safe)."""
    wins = _date_windows(text)
    singles = _all_single_dates(text, wins)
    direct = _dedupe_spans(_direct_ranges(text, wins))
    taken = [(f.start, f.end) for f in direct]
    cued = _cue_ranges(text, singles, taken)
    cued += _yearless_cue_ranges(text, singles, taken + [(f.start, f.end) for f in cued])
    res = _dedupe_spans(direct + cued)
    ranges = [
        Found(f.value, f.start, f.end, kind="range", context=_date_context(text, f.start, f.end))
        for f in res
    ]
    return tuple(ranges), tuple(singles)


def find_single_dates(text: str) -> list[Found]:
    """Lone dates (not part of a range found by find_date_ranges).

    value is ISO: "hösten 2018" -> "2018" (kind "season", also "början av
    2019"), "i januari 2019" -> "2019-01" (kind "month"), "15 mars 2021" ->
    "2021-03-15" (kind "day"), "2019" (kind "year"). Years in names such as
    "Agenda 2030" are skipped. `context` as for find_date_ranges.
    """
    ranges, singles = _ranges_and_singles(text)
    spans = [(f.start, f.end) for f in ranges]
    out = []
    for f in singles:
        if any(a <= f.start < b for a, b in spans):
            continue
        out.append(Found(f.value, f.start, f.end, kind=f.kind, context=_date_context(text, f.start, f.end)))
    return out


# ---------------------------------------------------------------------------
# Durations

_DUR_WORD = {
    "ett": 1, "en": 1, "one": 1, "a": 1, "an": 1, "två": 2, "two": 2, "tre": 3, "three": 3,
    "fyra": 4, "four": 4, "fem": 5, "five": 5, "sex": 6, "six": 6, "sju": 7, "seven": 7,
    "åtta": 8, "eight": 8, "nio": 9, "nine": 9, "tio": 10, "ten": 10, "tolv": 12, "twelve": 12,
    "arton": 18, "eighteen": 18, "tjugofyra": 24, "twenty-four": 24, "twenty four": 24,
    "trettiosex": 36, "thirty-six": 36, "halvt": 0.5, "half": 0.5,
}
_DNUM = r"(?:\d+(?:[.,]5)?|" + _word_trie(_DUR_WORD) + r")"
_HALF = r"(?:\s+(?:och\s+ett\s+halvt|and\s+a\s+half))?"
_PHASE_WORDS = (
    r"(?:inception|pre-?study|prestudy|preparatory|preparation|pilot|start-?up|feasibility|"
    r"förstudie\w*|förberedelse\w*|inledande|uppstart\w*|fas\w*|phase)"
)
# The words that introduce a stated duration ("runs over three years"). Each must be followed by
# whitespace in _DUR_RE, and of two cue words matching at one position at most one can be: so the
# trie, however it orders them, matches exactly what a plain alternation does.
_DUR_CUE = _word_trie(("stretch", "stretches", "stretched", "streach", "streaches", "streached", "span", "spans",
                       "spanning", "run", "runs", "running", "ran", "last", "lasts", "lasting", "continue",
                       "continues", "continued", "extend", "extends", "extending", "over", "for", "during",
                       "duration of", "period of", "under", "över", "i", "på", "period på", "löptid på",
                       "sträcker sig över", "pågår", "pågå", "löper"))
_DUR_RE = re.compile(
    rf"""
    (?<![\w-])
    (?:
        # sv adjective: treårigt, tvååriga, 3-årigt, ettårig
        (?P<sva>{_DNUM})[-\s]?åri(?:g|gt|ga|ge)(?![\w])
      | (?P<svc>{_DNUM})-?års(?=projekt|period|program|avtal|plan|förstudie|fas|satsning)
      # sv months adjective: 18-månaders
      | (?P<svm>{_DNUM})[-\s]?månaders(?![\w])
      # en adjective: three-year, 3-year, two year project, 18-month
      | (?P<ena>{_DNUM})(?:-(?P<enu>year|month)s?(?![\w])|\s(?P<enu2>year|month)(?=[-\s](?:long\s+|lång\s+)?[\w(]))
        (?![-\s]old)
      # nouns with a cue: over three years, under två år, 18 månader
      | (?P<cue>{_DUR_CUE}
              (?:\s+(?:a\s+)?(?:period\s+of|the\s+next|the\s+coming|de\s+kommande|kommande|the\s+course\s+of|
                 totalt|ungefär|approximately|about|cirka|ca\.?))*\s+)
        (?P<nn>{_DNUM}){_HALF}\s+(?P<nu>years?|år|months?|månader|månad)(?![\w])(?!\s+(?:ago|sedan|old|gammal))
      | (?P<bare_m>{_DNUM}){_HALF}\s+(?P<bmu>months|månader)(?![\w])(?!\s+(?:ago|sedan|old|gammal))
      | (?P<bare_h>{_DNUM})(?P<h>\s+(?:och\s+ett\s+halvt|and\s+a\s+half))\s+(?:years|år)(?![\w])
    )
    """,
    _I | re.VERBOSE,
)
_DUR_RANGE_RE = re.compile(
    rf"(?<![\w-])(?P<a>{_DNUM})\s*(?:[-–—]|\s+(?:till|to|or|eller)\s+)\s*(?P<b>{_DNUM})"
    rf"(?:[-\s]?(?P<u>år|years?|månader|months?|åriga?|årigt)(?![\w]))",
    _I,
)
_AMBITION = re.compile(
    r"(?:ambition\w*|hope[sd]?\s+to|hoping\s+to|hoppas|plan(?:s|ned)?\s+to\s+apply|planerar\s+att\s+söka|"
    r"intends?\s+to\s+apply|aims?\s+to\s+apply|apply\s+for|söka\s+(?:medel|\w*projekt)|"
    r"vill\s+på\s+sikt|på\s+sikt|in\s+the\s+future|i\s+framtiden|framtida|future|long-term\s+goal|"
    r"next\s+step|nästa\s+steg|would\s+like\s+to|skulle\s+vilja)",
    _I,
)


_LOOKBACK_BEFORE = re.compile(r"(?<![\w])the\s+$", _I)  # "the last ten years"
_DUR_KEY = re.compile(r"år|year|month|månad", _I)


def _dur_num(s: str) -> float | None:
    s = re.sub(r"\s+", " ", s.lower())
    if s in _DUR_WORD:
        return float(_DUR_WORD[s])
    try:
        return float(s.replace(",", "."))
    except ValueError:
        return None


def find_durations(text: str) -> list[Found]:
    """Stated durations, value float years.

    "three-year", "3-year", "treårigt", "tvååriga", "ettårigt", "stretches
    over three years", "under två år", "18 months"/"18 månader" -> 1.5.
    Ranges ("ett till två år", "2-3 years") give both ends with
    range_part=True. kind is "duration", or "phase" when the unit is a
    phase ("one-year inception phase", "ettårig förstudie"), or "ambition"
    when a future ambition introduces it ("the ambition is to apply for a
    three-year project"); ambition wins over phase.
    """
    out: list[Found] = []
    wins = _windows(text, _DUR_KEY, 90, 45)
    for m in _scan(_DUR_RANGE_RE, text, wins):
        a, b = _dur_num(m.group("a")), _dur_num(m.group("b"))
        if a is None or b is None or b <= a:
            continue
        div = 12.0 if m.group("u").lower().startswith(("mån", "month")) else 1.0
        kind = _dur_kind(text, m.start(), m.end())
        out.append(Found(a / div, m.start(), m.end(), kind=kind, range_part=True))
        out.append(Found(b / div, m.start(), m.end(), kind=kind, range_part=True))
    taken = [(f.start, f.end) for f in out]
    for m in _scan(_DUR_RE, text, wins):
        s, e = m.start(), m.end()
        if m.group("cue"):
            s = m.start("nn")
            if _LOOKBACK_BEFORE.search(text[max(0, m.start() - 12):m.start()]) \
                    and m.group("cue").lower().startswith("last"):
                continue  # "over the last 10 years": time looked back on, no duration
        if any(a <= s < b or a < e <= b for a, b in taken):
            continue
        if m.group("svc"):
            n, months = _dur_num(m.group("svc")), False
        elif m.group("sva"):
            n, months = _dur_num(m.group("sva")), False
        elif m.group("svm"):
            n, months = _dur_num(m.group("svm")), True
        elif m.group("ena"):
            n, months = _dur_num(m.group("ena")), (m.group("enu") or m.group("enu2")).lower() == "month"
        elif m.group("nn"):
            n, months = _dur_num(m.group("nn")), m.group("nu").lower().startswith(("mån", "month"))
        elif m.group("bare_m"):
            n, months = _dur_num(m.group("bare_m")), True
        else:
            n, months = _dur_num(m.group("bare_h")), False
        if n is None or n <= 0:
            continue
        if "halv" in m.group(0).lower() or "and a half" in m.group(0).lower():
            n += 0.5
        years = n / 12.0 if months else n
        if years > 15:
            continue
        out.append(Found(years, s, e, kind=_dur_kind(text, s, e)))
    for m in _scan(_INCEPTION_YEAR_RE, text, wins):
        if not any(a <= m.start() < b for a, b in taken):
            out.append(Found(1.0, m.start(), m.end(), kind=_dur_kind(text, m.start(), m.end())))
    out.sort(key=lambda f: (f.start, f.end))
    return out


# the programme's one-year inception phase, named by its length: "during the inception year"
_INCEPTION_YEAR_RE = re.compile(r"(?<![\w])(?:inception[-\s]year|inceptionsåret|inceptionsår)(?![\w])", _I)
_PHASE_BEFORE = re.compile(rf"(?<![\w]){_PHASE_WORDS}\s+(?:\w+\s+){{0,3}}$", _I)


def _dur_kind(text: str, s: int, e: int) -> str:
    if _AMBITION.search(_sentence_before(text, s, 100)):
        return "ambition"
    if re.match(rf"^[-\s]*(?:long\s+|lång\s+)?(?:\w+\s+)?{_PHASE_WORDS}", text[e:e + 40], _I):
        return "phase"
    if _PHASE_BEFORE.search(_sentence_before(text, s, 50)):
        return "phase"
    return "duration"


# ---------------------------------------------------------------------------
# SDGs

SDG_NAMES: dict[int, tuple[str, ...]] = {
    1: ("Ingen fattigdom", "No poverty", "End poverty"),
    2: ("Ingen hunger", "Zero hunger", "End hunger"),
    3: ("God hälsa och välbefinnande", "Good health and well-being", "Good health and wellbeing"),
    4: ("God utbildning för alla", "Quality education"),
    5: ("Jämställdhet", "Gender equality"),
    6: ("Rent vatten och sanitet för alla", "Rent vatten och sanitet", "Clean water and sanitation"),
    7: ("Hållbar energi för alla", "Affordable and clean energy",
        "Ensure access to affordable, reliable, sustainable and modern energy for all"),
    8: ("Anständiga arbetsvillkor och ekonomisk tillväxt", "Decent work and economic growth"),
    9: ("Hållbar industri, innovationer och infrastruktur", "Industry, innovation and infrastructure"),
    10: ("Minskad ojämlikhet", "Reduced inequalities", "Reduced inequality"),
    11: ("Hållbara städer och samhällen", "Sustainable cities and communities"),
    12: ("Hållbar konsumtion och produktion", "Responsible consumption and production"),
    13: ("Bekämpa klimatförändringarna", "Climate action"),
    14: ("Hav och marina resurser", "Life below water"),
    15: ("Ekosystem och biologisk mångfald", "Life on land"),
    16: ("Fredliga och inkluderande samhällen", "Peace, justice and strong institutions",
         "Peace and justice strong institutions"),
    17: ("Genomförande och globalt partnerskap", "Partnerships for the goals", "Partnership for the goals"),
}
# names that are ordinary words in prose: only trusted in footers
_GENERIC_NAMES = {"jämställdhet", "gender equality", "climate action", "quality education", "no poverty",
                  "end poverty", "end hunger", "life on land"}


def _name_rx(name: str) -> str:
    parts = re.split(r"\s+", name.strip())
    return r"\s+".join(re.escape(p).replace(r"\-", r"[-\s]?") for p in parts).replace(",", ",?")


_NAME_TO_SDG = {n.lower(): k for k, ns in SDG_NAMES.items() for n in ns}
_PROSE_NAME_RE = re.compile(
    r"(?<![\w])(?:" + "|".join(
        _name_rx(n) for n in sorted(_NAME_TO_SDG, key=len, reverse=True) if n not in _GENERIC_NAMES
    ) + r")(?![\w])",
    _I,
)
_ANY_NAME_RE = re.compile(
    r"(?:" + "|".join(_name_rx(n) for n in sorted(_NAME_TO_SDG, key=len, reverse=True)) + r")", _I
)

_NAME_AFTER_RE = re.compile(r"^[\s:.\-–—]*(?:" + _ANY_NAME_RE.pattern + ")", _I)

_GOALNUM = r"(?:(?:no\.?|nr\.?|number|nummer|num\.?|\#)\s*)?(?<![\d])(?P<{g}>1[0-7]|0?[1-9])(?![\d.,]\d|\d|\s*%)"
_SDG_STRONG = (
    r"(?:SDGs?|SDG:s|SDG:|UN\s+SDGs?|sustainable\s+development\s+goals?|global(?:a)?\s+goals?|"
    r"globala\s+mål(?:en)?|globalt\s+mål|hållbarhetsmål(?:en)?|FN:s\s+(?:globala\s+)?mål|"
    r"agenda\s+2030[-\s]*(?:mål(?:en)?|goals?)|agenda\s+2030,?\s+(?:mål|goals?))"
)
_SDG_WEAK = r"(?:mål(?:en)?|målet|goals?|target)"
_LIST_JOIN = r"(?:\s*(?:,|&|\+|\band\b|\boch\b|\bsamt\b|\bas\s+well\s+as\b|\bsom\b)\s*(?:(?:mål|goals?|SDGs?)\s*)?)"
_SDG_RE = re.compile(
    rf"""
    (?=[sughfamt])  # the first letters of the strong and weak cues: rules out most positions in one step
    (?<![\w])(?:(?P<strong>{_SDG_STRONG})|(?P<weak>{_SDG_WEAK}))[\s:,]*
    {_GOALNUM.format(g="n1")}
    (?P<more>(?:{_LIST_JOIN}{_GOALNUM.format(g="nx")})*)
    """.replace("(?P<nx>", "(?:"),
    _I | re.VERBOSE,
)
_NUM_IN_LIST = re.compile(r"(?<![\d])(1[0-7]|0?[1-9])(?![\d])")
_SDG_CONTEXT = re.compile(
    r"(?:SDG|sustainable\s+development|hållbar\w*\s+utveckling|global(?:a)?\s+(?:mål|goals?)|agenda\s*2030|"
    r"FN:s|\bUN\b|hållbarhetsmål)",
    _I,
)
_WEAK_CUE_BEFORE = re.compile(
    r"(?:connection\s+to|connected\s+to|linked\s+to|link\s+to|contribut\w*\s+to|relat\w*\s+to|based\s+on|"
    r"in\s+line\s+with|koppling\s+till|kopplat?\s+till|kopplas\s+till|bidra\w*\s+till|utgår\s+(?:\w+\s+)?från|"
    r"relaterar\s+till|i\s+linje\s+med)\s+(?:the\s+)?$",
    _I,
)


# Every _SDG_RE match ends its strong or weak cue in one of these words before the number.
_SDG_FRAGMENTS = ("sdg", "goal", "mål", "target")


def _name_words(name: str) -> tuple[str, ...]:
    """The words of a goal name that _name_rx matches literally (no hyphen, no comma)."""
    return tuple(sorted((w for w in name.split() if "-" not in w and "," not in w), key=len, reverse=True))


# Every _PROSE_NAME_RE match holds all the literal words of the name it matched.
_PROSE_NAME_WORDS = tuple(sorted({_name_words(n) for n in _NAME_TO_SDG if n not in _GENERIC_NAMES}))


_DIGIT = re.compile(r"\d")

# A generic goal name ("Gender equality", "Jämställdhet") is a goal in prose only where a goal
# word introduces it, directly or through a list of goal names and numbers: "the Sustainable
# Development Goals Good health and well-being and Gender equality", "till målet Jämställdhet".
_GENERIC_NAME_RE = re.compile(
    r"(?<![\w])(?:" + "|".join(_name_rx(n) for n in sorted(_GENERIC_NAMES & set(_NAME_TO_SDG), key=len, reverse=True))
    + r")(?![\w])", _I)
_GENERIC_NAME_WORDS = tuple(sorted({_name_words(n) for n in _GENERIC_NAMES & set(_NAME_TO_SDG)}))
_GOAL_ITEM = rf"(?:{_ANY_NAME_RE.pattern}|(?:1[0-7]|[1-9])(?:\s*[,:.\-–]?\s*(?:{_ANY_NAME_RE.pattern}))?)"
_GOAL_JOIN = r"\s*(?:,|&|\band\b|\boch\b|\bsamt\b)\s*(?:(?:the\s+)?(?:goals?|mål(?:et|en)?|SDGs?)\s+)?"
_GOAL_LIST_BEFORE = re.compile(
    rf"(?<![\w])(?:(?:SDGs?|SDG:s|global(?:a)?\s+(?:mål(?:en)?|goals?)|sustainable\s+development\s+goals?)[\s:,]*"
    rf"|(?:goals?|mål(?:et|en)?)[\s,]*)(?:{_GOAL_ITEM}{_GOAL_JOIN})*$", _I)  # 'Målen: x' may be the project's own


def _has_all_words_of_one(low: str, names: tuple[tuple[str, ...], ...]) -> bool:
    """True if every word of one of `names` (longest word first) occurs in `low`."""
    for words in names:
        for w in words:
            if w not in low:
                break
        else:
            return True
    return False


def _sdg_statements(text: str):
    """_SDG_RE.finditer(text), skipped when no cue word or no digit can start one."""
    if not _DIGIT.search(text) or not _may_contain(text, _SDG_FRAGMENTS):
        return ()
    return _SDG_RE.finditer(text)


def _names_in(text: str, rx: re.Pattern, names: tuple[tuple[str, ...], ...]):
    """rx.finditer(text) for a goal-name pattern, skipped when no name of `names` has all its literal
    words in the text (every match of rx holds one name's words)."""
    if not _has_all_words_of_one(text.lower(), names) and not any(c in text for c in _CASE_ODD):
        return ()
    return rx.finditer(text)


def _prose_names(text: str):
    """The goal names (but the everyday ones) in text: _PROSE_NAME_RE matches."""
    return _names_in(text, _PROSE_NAME_RE, _PROSE_NAME_WORDS)


def _generic_names(text: str):
    """The everyday goal names ('Gender equality') in text: _GENERIC_NAME_RE matches."""
    return _names_in(text, _GENERIC_NAME_RE, _GENERIC_NAME_WORDS)


def _goal_of_name(written: str) -> int | None:
    """The goal number of a goal name as a name pattern matched it (spacing, commas, variants)."""
    key = re.sub(r"\s+", " ", written.lower())
    n = _NAME_TO_SDG.get(key) or _NAME_TO_SDG.get(key.replace(",", ""))
    if n is None:
        for name, k in _NAME_TO_SDG.items():
            if re.fullmatch(_name_rx(name), written, _I):
                return k
    return n


def find_sdgs(text: str) -> list[Found]:
    """SDG numbers 1-17 from explicit statements, value int.

    kind "number": "SDG no 11", "SDGs 5 and 11", "Sustainable Development
    Goal no 7", "Global Goal 5", "globala mål 16", "Agenda 2030, mål 3"; a
    plain "mål 3"/"goal 17" counts only with SDG words nearby ("Agenda
    2030", "sustainable development goals"), a cue before it ("connection
    to goal 17"), an official goal name after it, or a list ("mål 3 och
    11") - a project's own "Mål 1: ..." does not. Never fires on "Agenda
    2030" itself, years or counts.
    kind "name": a distinctive official goal name in prose ("Sustainable
    cities and communities", "Hållbara städer och samhällen").
    One Found per number; listed numbers share the statement's span.
    """
    out: list[Found] = []
    for m in _sdg_statements(text):
        nums = [int(m.group("n1"))]
        more = m.group("more") or ""
        nums += [int(x) for x in _NUM_IN_LIST.findall(more)]
        if m.group("weak"):
            ok = len(nums) > 1
            # a project's own numbered objectives: "Mål 1: Stärkt kapacitet"
            labelled = not ok and re.match(r"^\s*[:)]", text[m.end():m.end() + 3]) is not None
            if not ok and not labelled:
                window = text[max(0, m.start() - 150):m.end() + 150]
                ok = bool(_SDG_CONTEXT.search(window))
            if not ok and not labelled:
                ok = bool(_WEAK_CUE_BEFORE.search(text[max(0, m.start() - 40):m.start()]))
            if not ok:
                ok = bool(_NAME_AFTER_RE.match(text[m.end():m.end() + 80]))
            if not ok:
                continue
            # "mål 2019", "goal 5 years"
            if re.match(r"^\s*(?:år|years?|months?|månader|%|procent|per\s*cent)\b", text[m.end():m.end() + 12], _I):
                continue
        for n in nums:
            if 1 <= n <= 17:
                out.append(Found(n, m.start(), m.end(), kind="number"))
    for m in _prose_names(text):
        goal = _goal_of_name(m.group(0))
        if goal:
            out.append(Found(goal, m.start(), m.end(), kind="name"))
    for m in _generic_names(text):
        if _GOAL_LIST_BEFORE.search(text, max(0, m.start() - 200), m.start()):
            goal = _goal_of_name(m.group(0))
            if goal:
                out.append(Found(goal, m.start(), m.end(), kind="name"))
    out.sort(key=lambda f: (f.start, f.end))
    return out


_FOOTER_NUM = re.compile(r"(?<![\d])(1[0-7]|[1-9])\s*[-–—:.]\s*(?=[^\d\s])|(?<![\d])(1[0-7]|[1-9])\s+(?=[A-ZÅÄÖ])")


def parse_sdg_footer(value: str) -> list[int]:
    """SDG numbers from a glued `Globala mål` footer value, ascending, unique.

    "11 - Hållbara städer och samhällen3 - God hälsa och välbefinnande" ->
    [3, 11]. Falls back to official goal names (sv or en) when the value
    carries no numbers ("Jämställdhet" -> [5]).
    """
    nums = {int(a or b) for a, b in _FOOTER_NUM.findall(value)}
    if not nums:
        for m in _ANY_NAME_RE.finditer(value):
            for name, k in _NAME_TO_SDG.items():
                if re.fullmatch(_name_rx(name), m.group(0), _I):
                    nums.add(k)
                    break
    return sorted(n for n in nums if 1 <= n <= 17)


# ---------------------------------------------------------------------------
# Since-years

@lru_cache(maxsize=1)
def since_phrases() -> dict[str, str]:
    """data/since_phrases.json: each list of fragments as one alternation."""
    with open(DATA_DIR / "since_phrases.json", encoding="utf-8") as fh:
        data = json.load(fh)
    return {k: "|".join(v) for k, v in data.items() if not k.startswith("_")}


_SY_LEAD = (
    rf"(?:(?:år|year|the\s+year)\s+|(?:{_SEASON})\s+(?:of\s+)?(?:år\s+)?|(?:{_MONTH})\s+|"
    rf"\d{{1,2}}{_ORD}\s+(?:{_MONTH})\s+|(?:the\s+)?(?:spring|summer|autumn|fall|winter)\s+of\s+)?"
)
_SINCE_RE = re.compile(
    rf"""
    (?P<since>(?<![\w])(?:ända\s+sedan|alltsedan|sedan|ever\s+since|since)\s+{_SY_LEAD}(?P<y1>{_YEAR}))
  | (?P<start>(?<![\w])(?:start(?:ade|ades|ad|ed)|började|inleddes|inledde|påbörjades|etablerades|grundades|
        initierades|ingicks|tecknades|bildades|anslöt|gick\s+med|began|begun|begin|initiated|established|launched|commenced|joined|
        formed|founded|signed|created|dates\s+back\s+to|goes\s+back\s+to|went\s+back\s+to|was\s+set\s+up|
        were\s+set\s+up|set\s+up)
        (?:\s+(?!sedan\b|since\b)[\w’'-]+){{0,4}}?
        \s+(?:redan\s+|already\s+)?(?:(?:i|in|under|during|back\s+in|år|year|as\s+early\s+as|så\s+tidigt\s+som)\s+)*
        {_SY_LEAD}(?P<y2>{_YEAR}))
  | (?P<open>(?P<y3>{_YEAR})\s*[-–—]\s*(?:(?:nu|idag|i\s+dag|pågående|present|today|now|ongoing)\s*)?
        (?=\)|[ \t]*$))
    """,
    _I | re.VERBOSE | re.MULTILINE,
)


_GAP_SENTENCE_END = re.compile(r"[.!?;]\s|\n")


def find_since_years(text: str) -> list[Found]:
    """Years a partnership is said to date from, value int year.

    kind "since": "sedan 2005", "sedan år 2013", "sedan sommaren 2018",
    "since 2010"; kind "started": "startade redan 2005", "startade 2010",
    "initiated their partnership in 2013", "began in 2011", "established in
    2009"; kind "open_range": "(2006 - )", "(2006-)", "(2006 – idag)" and
    "2006 –" ending a line; kind "decade" for "sedan 1990-talet". Whether the year belongs to a partnership or to a
    project is the caller's decision.
    """
    out: list[Found] = []
    for m in _scan(_SINCE_RE, text, _windows(text, _YEAR_KEY, 100, 12)):
        if m.group("since"):
            y, kind = m.group("y1"), "since"
        elif m.group("start"):
            y, kind = m.group("y2"), "started"
            # the gap words between verb and year must stay in one sentence
            if _GAP_SENTENCE_END.search(text[m.start():m.start("y2")]):
                continue
        else:
            # "(2006 - )": the lookahead already rules out "2019-2021"
            y, kind = m.group("y3"), "open_range"
        if _DECADE_AFTER.match(text, m.end()):
            kind = "decade"
        out.append(Found(int(y), m.start(), m.end(), kind=kind))
    return out
