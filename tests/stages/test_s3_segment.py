"""segment: blocks, kinds, items closed by footers, sections led by headings, exact offsets."""
from __future__ import annotations

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from kp_extract.stages.s2_clean import clean_page
from kp_extract.model import Page
from kp_extract.stages.s3_segment import footer_field, glued_title_at, inline_field, is_heading_text, segment_page


def page(text: str) -> Page:
    return clean_page(Page(file="p.txt", text=text, sha256=""))


LISTING = """Samarbetsland: Kenya

Nyeri and Tranås, Kenya

Project: Clean Markets for All

The three-year project improves waste handling in two market towns.

Projektområde
Environment/Climate change
Globala mål
11 - Hållbara städer och samhällen
Svensk partner
Tranås kommun
Internationell partner
Nyeri County

Kisumu och Borlänge

Projekt: Unga röster

Projektet stärker ungas inflytande.
"""


def test_cards_are_items_closed_by_their_footers() -> None:
    blocks = segment_page(page(LISTING))
    kinds = [(b.kind, b.item) for b in blocks]
    assert kinds == [("chrome", 0), ("heading", 0), ("title", 0), ("prose", 0), ("footer", 0),
                     ("heading", 1), ("title", 1), ("prose", 1)]


def test_block_text_is_the_page_slice() -> None:
    p = page(LISTING)
    for b in segment_page(p):
        assert p.text[b.start:b.end] == b.text
        assert b.text == b.text.strip()


def test_headings_start_sections() -> None:
    text = "Intro\n\nText one.\n\nNext part\n\nText two.\n\n• A bullet line\n"
    blocks = segment_page(page(text))
    assert [(b.kind, b.section) for b in blocks] == [
        ("heading", 0), ("prose", 0), ("heading", 1), ("prose", 1), ("bullet", 1)]


def test_a_paragraph_keeps_its_lines_together() -> None:
    text = "Samarbetsområde: Utbildning\nBoden och Gulu arbetar med skolan.\n"
    blocks = segment_page(page(text))
    assert len(blocks) == 1 and blocks[0].kind == "prose"


def test_footer_labels_need_a_value_line() -> None:
    text = "Tema\n\nNågot om temat.\n"
    assert all(b.kind != "footer" for b in segment_page(page(text)))


def test_chrome_lines_become_chrome_blocks() -> None:
    text = "Skriv ut\n\nKommunen har ett partnerskap.\n\nSenast uppdaterad: 4 juli 2018\n"
    kinds = [b.kind for b in segment_page(page(text))]
    assert kinds[0] == "chrome" and kinds[-1] == "chrome" and "prose" in kinds


def test_label_lookups() -> None:
    assert footer_field("Globala mål") == "sdgs"
    assert footer_field("Internationell partner") == "international_partners"
    assert footer_field("Globala mål för hållbar utveckling handlar om") is None
    assert inline_field("Project: Green Parks")[:2] == ("title", "Green Parks")
    assert inline_field("Samarbetsområde: Utbildning")[:2] == ("project_areas", "Utbildning")


def test_a_heading_glued_to_its_title_line_is_cut() -> None:
    text = "Boden and Can Tho, VietnamProject: Clean Canals in Can Tho\n\nThe two towns work together (2021–2022).\n"
    blocks = [(b.kind, b.text) for b in segment_page(page(text))]
    assert blocks[:2] == [("heading", "Boden and Can Tho, Vietnam"), ("title", "Project: Clean Canals in Can Tho")]


@pytest.mark.parametrize("line", [
    "Project: Clean Canals",  # a label at the start is an ordinary title line
    "Read more about the Project: it starts soon.",  # not a heading before it
    "Kontakt: projektledare",
])
def test_no_glued_title(line: str) -> None:
    assert glued_title_at(line) is None


def test_heading_shape() -> None:
    assert is_heading_text("Borlänge och Kisumu")
    assert is_heading_text("Tlokwe City Council, Sydafrika (2006 - )")
    assert not is_heading_text("Det här är en mening.")
    assert not is_heading_text("lower case start")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_blocks_are_ordered_in_bounds_and_disjoint(text: str) -> None:
    p = page(text)
    blocks = segment_page(p)
    last = 0
    for b in blocks:
        assert last <= b.start < b.end <= len(p.text)
        assert p.text[b.start:b.end] == b.text
        last = b.end
