"""highlight.find_value_spans: a record's values located in a source block's text."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kp_extract.lexicon import values
from kp_extract.privacy import contact_spans, scrub_contacts
from kp_extract.lexicon.gazetteer import area_label, country_code, resolve_swedish, sdg_by_name, theme_label
from kp_extract.review.highlight import FIELDS, ValueSpan, find_value_spans, non_overlapping, render_segments


def _ws(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip().casefold()


def normalises(span: ValueSpan, text: str) -> bool:
    """Does the marked text read as the span's value, by the project's own parsers?"""
    surface = text[span.start:span.end]
    v = span.value
    if span.field in ("title", "tags"):
        return _ws(surface) == _ws(str(v))
    if span.field == "swedish_partners":
        partner = resolve_swedish(surface)
        return partner is not None and partner.name == v
    if span.field in ("international_partners", "other_participants"):
        return _ws(surface) in _ws(v)
    if span.field == "countries":
        return country_code(surface) == v
    if span.field in ("start_date", "end_date"):
        if any(f.value == v for f in values.find_single_dates(surface)):
            return True
        # a bare month before a dash ("januari-juni 2020"): the month of the value, in the table of values.py
        return len(v) == 7 and values._MONTHS.get(surface.lower().rstrip(".")) == int(v[5:7])
    if span.field == "amount_sek":
        return any(f.value == v for f in values.find_amounts(surface)) or int(re.sub(r"\D", "", surface)) == v
    if span.field == "sdgs":
        found = ({f.value for f in values.find_sdgs(surface)} | set(values.parse_sdg_footer(surface))
                 | {n for _, _, n in sdg_by_name(surface, include_generic=True)})
        tail = re.search(r"(\d+)\s*$", surface)
        return v in found or (tail is not None and int(tail.group(1)) == v)
    if span.field == "duration_years":
        # a noun form ("three years") is read with the cue the finder looked at before it
        return any(abs(f.value - v) < 1e-9 for t in (surface, f"over {surface}") for f in values.find_durations(t))
    if span.field == "project_areas":
        return area_label(surface) == v
    if span.field == "themes":
        return theme_label(surface) == v
    raise AssertionError(f"unknown field {span.field}")


def marked(text: str, record: dict) -> list[tuple[str, str]]:
    return [(s.field, text[s.start:s.end]) for s in find_value_spans(text, record)]


CASES = [
    # Swedish partners: official, short, genitive, prefixed, glued at a case change
    ("Växjö kommun och Växjös partner samt City of Växjö.", {"swedish_partners": ["Växjö kommun"]},
     [("swedish_partners", "Växjö kommun"), ("swedish_partners", "Växjös"), ("swedish_partners", "City of Växjö")]),
    ("Svensk partner\nVäxjö KommunÄlmhults kommun", {"swedish_partners": ["Växjö kommun", "Älmhults kommun"]},
     [("swedish_partners", "Växjö Kommun"), ("swedish_partners", "Älmhults kommun")]),
    ("Älmhult, Växjö and JB Marks", {"swedish_partners": ["Älmhults kommun"]}, [("swedish_partners", "Älmhult")]),
    ("Falun och Kolomyia", {"swedish_partners": ["Falu kommun"]}, [("swedish_partners", "Falun")]),
    ("Region Gotland och Kibaha Town Council", {"swedish_partners": ["Region Gotland"],
                                               "international_partners": ["Kibaha Town Council"]},
     [("swedish_partners", "Region Gotland"), ("international_partners", "Kibaha Town Council")]),
    # a partner abroad in full and without its administrative word
    ("JB Marks Local Municipality; later just JB Marks.", {"international_partners": ["JB Marks Local Municipality"]},
     [("international_partners", "JB Marks Local Municipality"), ("international_partners", "JB Marks")]),
    # countries by English and Swedish name and by demonym
    ("South Africa, Sydafrika and sydafrikanska kommuner", {"countries": ["ZA"]},
     [("countries", "South Africa"), ("countries", "Sydafrika"), ("countries", "sydafrikanska")]),
    # title: case and whitespace may differ
    ("Project: Development of an Energy  Plan in line with Agenda 2030",
     {"title": "Development of an Energy Plan in Line with Agenda 2030"},
     [("title", "Development of an Energy  Plan in line with Agenda 2030")]),
    # dates: years, months, a month before a dash
    ("The proposal stretches over three years (2023-2025).", {"start_date": "2023", "end_date": "2025",
                                                              "duration_years": 3},
     [("duration_years", "three years"), ("start_date", "2023"), ("end_date", "2025")]),
    ("• Public skills, januari 2019-december 2021 (Växjö)", {"start_date": "2019-01", "end_date": "2021-12"},
     [("start_date", "januari 2019"), ("end_date", "december 2021")]),
    ("Mental Health, januari-juni 2020 (Älmhult)", {"start_date": "2020-01", "end_date": "2020-06"},
     [("start_date", "januari"), ("end_date", "juni 2020")]),
    # amounts with separators and million words
    ("Beviljas 1,5 miljoner SEK.", {"amount_sek": 1500000}, [("amount_sek", "1,5 miljoner SEK")]),
    ("Budget: 1 500 000 kronor eller 1.500.000 kr", {"amount_sek": 1500000},
     [("amount_sek", "1 500 000 kronor"), ("amount_sek", "1.500.000 kr")]),
    ("Budget: 700\u00a0000 SEK", {"amount_sek": 700000}, [("amount_sek", "700\u00a0000 SEK")]),
    # SDGs: statements, lists, footers, goal names
    ("Projektet utgår från Agenda 2030, mål 3 samt mål 11.", {"sdgs": [3, 11]},
     [("sdgs", "Agenda 2030, mål 3"), ("sdgs", "mål 11")]),
    ("It supports SDG 5 and Goal 16.", {"sdgs": [5, 16]}, [("sdgs", "SDG 5"), ("sdgs", "Goal 16")]),
    ("Globala mål\n11 - Hållbara städer och samhällen3 - God hälsa och välbefinnande", {"sdgs": [3, 11]},
     [("sdgs", "11 - Hållbara städer och samhällen"), ("sdgs", "3 - God hälsa och välbefinnande")]),
    ("Globala mål\n5 - Jämställdhet", {"sdgs": [5], "themes": ["Gender Equality"]}, [("sdgs", "5 - Jämställdhet")]),
    # durations, areas and themes in either language, tags
    ("Det tvååriga projektet", {"duration_years": 2}, [("duration_years", "tvååriga")]),
    ("Projektområde\nStadsplanering\nTema\nGender EqualityHuman Rights",
     {"project_areas": ["Urban planning"], "themes": ["Gender Equality", "Human Rights"]},
     [("project_areas", "Stadsplanering"), ("themes", "Gender Equality"), ("themes", "Human Rights")]),
    ("Etiketter: demokrati, ukraina", {"tags": ["demokrati", "ukraina"]}, [("tags", "demokrati"), ("tags", "ukraina")]),
]


@pytest.mark.parametrize("text,record,expected", CASES)
def test_values_are_found_where_the_text_writes_them(text, record, expected):
    assert marked(text, record) == expected
    for span in find_value_spans(text, record):
        assert normalises(span, text), (span, text[span.start:span.end])


@pytest.mark.parametrize("text,record", [
    ("Växjöbor och Växjö", {"swedish_partners": ["Växjö kommun"]}),  # inside a longer word
    ("Agenda 2030", {"end_date": "2030", "sdgs": [3]}),                 # a name, not a year or a goal
    ("phone 0470 41 000, 15000000 people", {"amount_sek": 1500000}),    # other numbers
    ("gender equality is a value", {"sdgs": [5]}),                      # an everyday phrase, no number
    ("SDG 5", {"sdgs": [6]}),                                             # another goal
])
def test_no_false_marks(text, record):
    spans = find_value_spans(text, record)
    assert all(normalises(s, text) for s in spans)
    if "Växjöbor" in text:
        assert marked(text, record) == [("swedish_partners", "Växjö")]
        assert spans[0].start == text.rindex("Växjö")
    else:
        assert spans == []


def test_longest_wins_and_title_outranks_names_inside_it():
    text = "Växjö and JB Marks: Växjö Traffic Plan"
    record = {"title": "Växjö Traffic Plan", "swedish_partners": ["Växjö kommun"],
              "international_partners": ["JB Marks"]}
    assert marked(text, record) == [("swedish_partners", "Växjö"), ("international_partners", "JB Marks"),
                                    ("title", "Växjö Traffic Plan")]


def test_empty_inputs():
    assert find_value_spans("", {"title": "x"}) == []
    assert find_value_spans("some text", {}) == []
    assert find_value_spans("some text", {"title": None, "sdgs": None, "countries": None}) == []


PIECES = st.sampled_from([
    "Växjö kommun", "Växjös", "Älmhult", "JB Marks", "JB Marks Local Municipality", "Sydafrika", "South Africa",
    "1,5 miljoner kronor", "1 500 000 SEK", "(2023-2025)", "januari 2019-december 2021", "SDG 5", "mål 11",
    "Agenda 2030", "5 - Jämställdhet", "three years", "tvååriga", "Stadsplanering", "Urban planning", "demokrati",
    "Partnership to fight violence", "och", "and", ",", ".", "\n", " ", "Kontakt: anna@example.se", "0470-41 00 00",
])
RECORD = {
    "title": "Partnership to fight violence", "swedish_partners": ["Växjö kommun", "Älmhults kommun"],
    "international_partners": ["JB Marks Local Municipality"], "countries": ["ZA"], "start_date": "2023",
    "end_date": "2025", "amount_sek": 1500000, "sdgs": [5, 11], "duration_years": 3,
    "project_areas": ["Urban planning"], "themes": [], "tags": ["demokrati"],
}


@settings(max_examples=150, deadline=None)
@given(st.lists(PIECES, max_size=14).map(" ".join))
def test_spans_are_ordered_disjoint_deterministic_and_read_as_their_value(text):
    spans = find_value_spans(text, RECORD)
    assert spans == find_value_spans(text, RECORD)
    assert spans == sorted(spans)
    for a, b in zip(spans, spans[1:]):
        assert a.end <= b.start
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        assert s.field in FIELDS
        assert normalises(s, text), (s, text[s.start:s.end])


def test_non_overlapping_merges_several_records():
    text = "Växjö och Kalush, Ukraina"
    a = find_value_spans(text, {"swedish_partners": ["Växjö kommun"], "countries": ["UA"]})
    b = find_value_spans(text, {"international_partners": ["Kalush"], "countries": ["UA"]})
    assert [(s.field, text[s.start:s.end]) for s in non_overlapping(a + b)] == [
        ("swedish_partners", "Växjö"), ("international_partners", "Kalush"), ("countries", "Ukraina")]


@pytest.mark.parametrize("text", [
    "Växjö kommun leder projektet. Kontakt: Anna Ek, anna.ek@vaxjo.se, 0470-41 00 00.",
    "Växjö kommun\nE-post: info@vaxjo.se\nTel. 0470-410 00\nSydafrika",
    "Ring 070-123 45 67 eller mejla x@y.se om Växjö.",
])
def test_render_hides_contact_details_and_keeps_offsets(text):
    spans = find_value_spans(text, {"swedish_partners": ["Växjö kommun"], "countries": ["ZA"]})
    segments = render_segments(text, spans)
    shown = "".join(t for _, t, _ in segments)
    assert "@" not in shown
    assert not re.search(r"\d{3}[- ]?\d{2}", shown)
    assert scrub_contacts(shown).count("@") == 0
    marks = [(t, s) for kind, t, s in segments if kind == "mark"]
    assert marks, "the partner is still marked"
    for t, s in marks:
        assert text[s.start:s.end] == t
    # text segments are the page text at their place: walking the segments never loses offsets
    pos = 0
    hidden = contact_spans(text)
    for kind, t, _s in segments:
        if kind == "redacted":
            start, end, rep = next(h for h in hidden if h[0] >= pos)
            assert t == (rep or "[kontakt]")
            pos = end
        else:
            assert text[pos:pos + len(t)] == t
            pos += len(t)
    assert pos == len(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([
    "anna@example.se", "0470-41 00 00", "+46 70 123 45 67", "Kontaktperson: Anna Ek, projektledare.", "\n",
    "E-post: x@y.se", "Tel. 08-123 456", "Växjö kommun", "2019-2021", "1 500 000 kr", ".",
]), max_size=12).map(" ".join))
def test_contact_spans_cover_what_scrub_removes(text):
    hidden = contact_spans(text)
    for (_s1, e1, _), (s2, _, _) in zip(hidden, hidden[1:]):
        assert e1 <= s2
    out, pos = [], 0
    for s, e, rep in hidden:
        out.append(text[pos:s])
        out.append(rep)
        pos = e
    out.append(text[pos:])
    shown = "".join(out)
    assert "@" not in shown
    again = scrub_contacts(shown)  # nothing left that scrub_contacts would still replace
    assert again.count("[telefon]") == shown.count("[telefon]")
    assert again.count("[e-post]") == shown.count("[e-post]")
