"""Personal contact details: finding, parsing and scrubbing them, in one place.

Contact persons, e-mail addresses and phone numbers are personal data. Every part of kp_extract
that looks for them or removes them asks this module:

* clean (stages/s2_clean.py) marks contact lines, the sentences of a long line that carry an
  address or a number, and the paragraph under a `Kontakt` heading as site chrome
  (`contact_line_marks`, `is_contact_heading`, `is_contact_paragraph`), so that no record is built
  from them;
* `find_contacts` / `parse_contact` read them, structured, from a cleaned page's chrome: what
  `kp-extract run --include-contacts` writes to contacts.json/.csv (and nowhere else);
* `scrub_contacts` removes any that reach a record through other text: e-mail addresses become
  "[e-post]", phone numbers "[telefon]", contact-person phrases and lines that start with a
  contact label are dropped. `scrub` / `scrub_items` apply it to values and lists, and the
  `scrubbed_*` functions to what a page gives (mentions, partnership statements, candidate rows):
  the pipeline scrubs each page's result once (run/pages.digest), so that neither the per-page
  cache nor the main process holds what no output may show; the record dicts
  (outputs/records.py), errors.jsonl, the run summary and the review report scrub what they show
  again, which changes nothing in scrubbed text;
* `contact_spans` tells a viewer (review/highlight.py) which characters to hide while every other
  character keeps its offset.

The patterns and limits are the "contact" section of data/boilerplate.json; the phrase patterns
below are the only other ones.
"""
from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from kp_extract.lexicon.scan import StartFinder
from kp_extract.model import Mention, Page, Partner, PartnershipMention

__all__ = [
    "EMAIL_PLACEHOLDER", "PHONE_PLACEHOLDER", "CONTACT_FIELDS",
    "has_digit", "has_email", "phones", "has_phone", "has_contact_details",
    "contact_line_marks", "is_contact_heading", "is_contact_paragraph",
    "scrub_contacts", "contact_spans", "parse_contact", "find_contacts",
    "scrub", "scrub_items", "scrubbed_partner", "scrubbed_mention", "scrubbed_statement", "scrubbed_candidate",
    "scrub_record",
]

EMAIL_PLACEHOLDER = "[e-post]"
PHONE_PLACEHOLDER = "[telefon]"
# The fields of a find_contacts row, in order.
CONTACT_FIELDS = ("start", "end", "name", "role", "email", "phone")

Span = tuple[int, int]


# --- the rules ---------------------------------------------------------------------------------



@dataclass(frozen=True)
class _Rules:
    """The "contact" section of data/boilerplate.json, compiled."""

    contact_label: re.Pattern[str]  # a line that starts with a contact label ("E-post:", "Tel.")
    email: re.Pattern[str]
    phone: re.Pattern[str]
    phone_starts: StartFinder  # phone.finditer, trying the pattern only where a match can start
    phone_digits: tuple[int, int]  # (min, max) digits of a phone number
    contact_max_len: int  # a contact line is marked whole up to this length


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    contact = json.loads(resources.files("kp_extract").joinpath("data/boilerplate.json").read_text("utf-8"))["contact"]
    return _Rules(
        contact_label=re.compile(contact["label_pattern"], re.IGNORECASE),
        email=re.compile(contact["email_pattern"]),
        phone=re.compile(contact["phone_pattern"]),
        phone_starts=StartFinder(re.compile(contact["phone_pattern"])),
        phone_digits=(int(contact["phone_min_digits"]), int(contact["phone_max_digits"])),
        contact_max_len=int(contact["max_line_len"]),
    )


# A contact-person phrase inside running text, up to the end of its sentence or line.
_CONTACT_PHRASE = re.compile(
    r"(?<![\w-])(?:Kontaktperson(?:er)?|Kontakta|Kontakt|Contact(?:\s+persons?)?|Contacts)\s*:"
    r"[^\n]*?(?:(?<=[.!?])(?=\s+[^\W\d_])|(?=\n)|\Z)",
    re.IGNORECASE,
)
_LABEL_ONLY = re.compile(
    r"^(?:Kontaktperson(?:er)?|Kontakt|Kontakta|Contact(?: person)?s?|E-post|E-mail|Email|Mejl|Mail|Telefon"
    r"|Tel|Tfn|Mobil|Phone|Mobile|Växel|Switchboard)\.?$",
    re.IGNORECASE,
)
_PART_SPLIT = re.compile(r"\s*(?:[,;|/]|\s[–—-]\s)\s*")
# A bare contact heading: the paragraph under it may be a contact person's name and title.
_CONTACT_HEADING = re.compile(
    r"(?:Kontakt(?:person(?:er)?)?|Kontakta oss|Kontaktuppgifter|Contacts?|Contact (?:us|persons?|details))\s*:?\Z",
    re.IGNORECASE,
)
CONTACT_PARAGRAPH_LINES = 8
CONTACT_PARAGRAPH_LINE_LEN = 80
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[^\W\d_]|[\"“”(])")


# --- finding -----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _digit_chars() -> frozenset[str]:
    """Every character str.isdigit() accepts (decimal digits, superscripts, circled digits ...),
    read from the running Python's own Unicode table (~60 ms, once per process), so that "has a
    digit?" is one C-level set test, not a Python step per character. (A regex character class
    of these ~800 characters is slower than the Python loop: sre tries its ranges one by one.)"""
    return frozenset(filter(str.isdigit, map(chr, range(sys.maxunicode + 1))))


def has_digit(text: str) -> bool:
    """any(c.isdigit() for c in text), in C."""
    return not _digit_chars().isdisjoint(text)


def has_email(text: str) -> bool:
    """True when text holds an e-mail address (the data's pattern has a literal "@", as
    scrub_contacts and parse_contact assume too: no "@", no search)."""
    return "@" in text and _rules().email.search(text) is not None


def phones(text: str) -> Iterator[re.Match[str]]:
    """The phone numbers in text, in order: phone pattern matches with phone_min_digits to
    phone_max_digits digits (without any digit in the text no match can have enough)."""
    r = _rules()
    lo, hi = r.phone_digits
    if lo > 0 and not has_digit(text):
        return iter(())
    return (m for m in r.phone_starts.finditer(text) if lo <= sum(c.isdigit() for c in m.group()) <= hi)


def has_phone(text: str) -> bool:
    """True when text holds a phone number (see phones; stops at the first)."""
    return next(phones(text), None) is not None


def has_contact_details(text: str) -> bool:
    """True when text holds an e-mail address or a phone number."""
    return has_email(text) or has_phone(text)


def contact_line_marks(t: str) -> Literal[True] | list[Span]:
    """True when line t is a contact line to mark whole (a contact label, or an e-mail address or
    phone number in a short line); else the spans, relative to t, of the sentences of a long
    line that carry an address or a number (none for a line without contact details)."""
    r = _rules()
    if not (r.contact_label.match(t) or has_email(t) or has_phone(t)):
        return []
    if len(t) <= r.contact_max_len:
        return True
    # long line: mark only the sentences that carry an address or a number
    spans: list[Span] = []
    pos = 0
    for piece in _SENTENCE_SPLIT.split(t):
        idx = t.find(piece, pos)
        if idx < 0:
            continue
        pos = idx + len(piece)
        if has_email(piece) or has_phone(piece):
            spans.append((idx, idx + len(piece.rstrip())))
    return spans


def is_contact_heading(line: str) -> bool:
    """True for a bare contact heading line ("Kontakt", "Kontaktperson:", "Contact us")."""
    return _CONTACT_HEADING.match(line) is not None


def is_contact_paragraph(lines: Sequence[str]) -> bool:
    """True when the paragraph under a contact heading (its stripped lines) is a contact person's:
    at most CONTACT_PARAGRAPH_LINES lines, none longer than CONTACT_PARAGRAPH_LINE_LEN, one of
    them with an e-mail address or a phone number (name, title, department, number lines)."""
    if (not lines or len(lines) > CONTACT_PARAGRAPH_LINES
            or any(len(t) > CONTACT_PARAGRAPH_LINE_LEN for t in lines)):
        return False
    return any(has_email(t) or has_phone(t) for t in lines)


# --- scrubbing ---------------------------------------------------------------------------------

def scrub_contacts(text: str) -> str:
    """text without personal contact details: e-mail addresses become "[e-post]", phone numbers
    "[telefon]", and contact-person phrases ("Kontaktperson: Anna Ek, projektledare.") and lines
    that start with a contact label ("E-post: …", "Tel. …") are dropped. Text without any is
    returned unchanged (the same object)."""
    if not text:
        return text
    # Records repeat their texts (partner names, areas, themes: ~4 calls per distinct text on a
    # corpus), so texts up to _SCRUB_CACHED_MAX_LEN share one result through a cache.
    out = _scrubbed_cached(text) if len(text) <= _SCRUB_CACHED_MAX_LEN else _scrubbed(text)
    return text if out is None else out


def _scrubbed(text: str) -> str | None:
    """scrub_contacts(text) for a non-empty text, or None when that is the text unchanged (so a
    cached result never hands back another, equal string object)."""
    r = _rules()
    out = text
    if "@" in out:
        out = r.email.sub(EMAIL_PLACEHOLDER, out)
    found = list(phones(out))
    if found:
        parts, pos = [], 0
        for m in found:
            parts.append(out[pos:m.start()])
            parts.append(PHONE_PLACEHOLDER)
            pos = m.end()
        parts.append(out[pos:])
        out = "".join(parts)
    # _CONTACT_PHRASE has a literal ":": no colon, no contact phrase (the cheap tests first)
    if "\n" in out or r.contact_label.search(out) or (":" in out and _CONTACT_PHRASE.search(out)):
        lines = [ln for ln in out.split("\n") if not r.contact_label.match(ln.strip())]
        out = "\n".join(lines)
        if ":" in out:  # _CONTACT_PHRASE has a literal ":"
            out = _CONTACT_PHRASE.sub("", out)
        if out != text:
            out = re.sub(r"[ \t]{2,}", " ", out).strip()
    return None if out == text else out


_SCRUB_CACHED_MAX_LEN = 1000
_scrubbed_cached = lru_cache(maxsize=16384)(_scrubbed)


def scrub(value: Any) -> Any:
    """value with personal contact details removed (scrub_contacts) from every string in it:
    e-mail addresses become "[e-post]", phone numbers "[telefon]", contact-person phrases go.
    Lists are scrubbed item by item; other values are returned as they are."""
    if isinstance(value, str):
        return scrub_contacts(value)
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    return value


_ONLY_STR = frozenset((str,)).issuperset


def scrub_items(values) -> list:
    """scrub(list(values)): a new list, each item scrubbed; exact strs (nearly every item) go
    straight to scrub_contacts, which is what scrub does with them."""
    items = values if type(values) in (list, tuple) else list(values)
    if _ONLY_STR(map(type, items)):
        return list(map(scrub_contacts, items))
    return [scrub(v) for v in items]


def scrubbed_partner(p: Partner) -> Partner:
    """p, or a copy with its name scrubbed when scrubbing changes it."""
    name = scrub(p.name)
    return p if name == p.name else dataclasses.replace(p, name=name)


def scrubbed_mention(m: Mention) -> Mention:
    """A copy of m whose text fields (the ones the records show, and the partner names keying
    partner_countries) are scrubbed of contact details."""
    return dataclasses.replace(
        m, title=scrub(m.title), swedish_partners=[scrubbed_partner(p) for p in m.swedish_partners],
        international_partners=scrub(m.international_partners), other_participants=scrub(m.other_participants),
        project_areas=scrub(m.project_areas), themes=scrub(m.themes), tags=scrub(m.tags), summary=scrub(m.summary),
        partner_countries={scrub(name): iso for name, iso in m.partner_countries.items()})


def scrubbed_statement(s: PartnershipMention) -> PartnershipMention:
    """A copy of s with its partner names scrubbed of contact details."""
    return dataclasses.replace(s, swedish_partner=scrubbed_partner(s.swedish_partner),
                               international_partner=scrub(s.international_partner))


def scrubbed_candidate(row: dict) -> dict:
    """A candidate row (extract.records) with its names scrubbed of contact details."""
    return dict(row, swedish_partner=scrub(row["swedish_partner"]),
                international_partner=scrub(row["international_partner"]))


def scrub_record(record: dict) -> dict:
    """A record dict as read from an output file, with contact details scrubbed from every string in
    it, nested lists and objects included, except record_id and sources (the writer scrubbed them
    already; a reader that shows records does not rely on it)."""
    def clean(v: Any) -> Any:
        if isinstance(v, str):
            return scrub_contacts(v)
        if isinstance(v, list):
            return [clean(x) for x in v]
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        return v
    return {k: (v if k in ("record_id", "sources") else clean(v)) for k, v in record.items()}


def contact_spans(text: str) -> list[tuple[int, int, str]]:
    """The parts of `text` that scrub_contacts would replace or drop, as sorted, non-overlapping
    (start, end, replacement) spans, so that a viewer can hide contact details while every other
    character keeps its offset: e-mail addresses -> "[e-post]", phone numbers -> "[telefon]",
    lines that start with a contact label and contact-person phrases -> "" (dropped). The same
    rules as scrub_contacts; its whitespace tidying is left out (it hides nothing)."""
    if not text:
        return []
    r = _rules()
    spans: list[tuple[int, int, str]] = []
    masked = text
    if "@" in text:
        for m in r.email.finditer(text):
            spans.append((m.start(), m.end(), EMAIL_PLACEHOLDER))
        # phones are looked for with the addresses gone, as scrub_contacts does
        for s, e, _ in spans:
            masked = masked[:s] + "\x00" * (e - s) + masked[e:]
    spans += [(m.start(), m.end(), PHONE_PLACEHOLDER) for m in phones(masked)]
    pos = 0
    for line in text.split("\n"):
        if r.contact_label.match(line.strip()):
            spans.append((pos, pos + len(line), ""))
        pos += len(line) + 1
    spans += [(m.start(), m.end(), "") for m in _CONTACT_PHRASE.finditer(text) if m.end() > m.start()]
    merged: list[tuple[int, int, str]] = []
    for s, e, rep in sorted(spans, key=lambda t: (t[0], -t[1])):
        if merged and s < merged[-1][1]:
            ps, pe, prep = merged[-1]
            # a dropped span swallows the placeholders inside it
            merged[-1] = (ps, max(pe, e), "" if (prep == "" or rep == "") else prep)
        else:
            merged.append((s, e, rep))
    return merged


# --- parsing -----------------------------------------------------------------------------------

def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 4 and all(w[0].isupper() or w in ("af", "von", "de", "van", "bin") for w in words)


def parse_contact(line: str) -> dict[str, str | None] | None:
    """name, role (title or organisation), email and phone of one contact line, or None when the
    line carries none of them ("Kontaktperson: Anna Ek, projektledare, anna.ek@vaxjo.se, 0470-123 45")."""
    r = _rules()
    text = line.strip()
    if not text:
        return None
    email_m = r.email.search(text) if "@" in text else None
    found = list(phones(text))
    labelled = r.contact_label.match(text)
    rest = text
    if email_m:
        rest = rest.replace(email_m.group(), " ")
    for m in found:
        rest = rest.replace(m.group(), " ")
    if labelled:
        rest = rest[labelled.end():] if rest.startswith(labelled.group()) else rest
    parts = []
    for part in _PART_SPLIT.split(rest):
        part = re.sub(r"^(?:[\w-]+\s*[.:]\s*)+(?=\s|$)", "", part).strip(" .:;,–-")
        part = re.sub(r"\s{2,}", " ", part)
        if (part and any(c.isalpha() for c in part) and not _LABEL_ONLY.match(part)
                and not r.contact_label.match(part + ":")):
            parts.append(part)
    name = None
    if parts and (labelled or _looks_like_name(parts[0])):
        name = parts[0]
    role = ", ".join(parts[1:] if name else parts) or None
    if not labelled and len(text) > 120:  # a sentence that carries an address: no fields from its words
        name = role = None
    email = email_m.group() if email_m else None
    phone = found[0].group() if found else None
    if not (email or phone or (labelled and name)):
        return None
    return {"name": name, "role": role, "email": email, "phone": phone}


def find_contacts(page: Page) -> list[tuple]:
    """(start, end, name, role, email, phone) for every contact line inside page.chrome, in page
    order (None for a field the line does not give). Run after clean_page."""
    r = _rules()
    text = page.text
    out: list[tuple] = []
    for s, e in page.chrome:
        chunk = text[s:e]
        if "@" not in chunk and not has_digit(chunk) and not r.contact_label.search(
                chunk.replace("\n", " ")) and "\n" not in chunk:
            continue
        pos = s
        for raw in chunk.split("\n"):
            start = pos + len(raw) - len(raw.lstrip())
            end = pos + len(raw.rstrip())
            pos += len(raw) + 1
            if end <= start:
                continue
            fields = parse_contact(raw)
            if not fields:
                continue
            row = (start, end, fields["name"], fields["role"], fields["email"], fields["phone"])
            prev = out[-1] if out else None
            if (prev is not None and text.count("\n", prev[1], start) == 1 and not text[prev[1]:start].strip()
                    and all(a is None or b is None for a, b in zip(prev[2:], row[2:]))):
                # the next line of the same contact ("Anna Ek, projektledare" / "anna.ek@…" / "0470-…")
                row = (prev[0], end) + tuple(a if a is not None else b for a, b in zip(prev[2:], row[2:]))
                out[-1] = row
            else:
                out.append(row)
    return out
