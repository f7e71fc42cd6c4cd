"""Helpers of the extract tests: an invented page text through read's model, clean, segment and language,
as the pipeline prepares it for the extract stage."""
from __future__ import annotations

from kp_extract.stages.s2_clean import clean_page
from kp_extract.stages.s5_extract import PageAnalysis, analyse
from kp_extract.stages.s5_extract.scoring import Head, PairModel
from kp_extract.stages.s4_language import assign_languages
from kp_extract.model import Block, Page
from kp_extract.stages.s3_segment import segment_page


# an invented listing card: parties heading, title line, body and a footer naming the parties
CARD = """Tranås and Nyeri, Kenya

Project: Clean Markets for All

The two-year project (2022-2023) improves waste handling in two market towns.

Svensk partner
Tranås kommun
Internationell partner
Nyeri County Government
"""


def prepare(text: str, file: str = "page.txt") -> tuple[Page, list[Block]]:
    """The cleaned page and its blocks (kinds, items, sections, languages)."""
    page = clean_page(Page(file=file, text=text, sha256=""))
    return page, assign_languages(segment_page(page))


def analysed(text: str, file: str = "page.txt") -> PageAnalysis:
    """Stages 1-6 of extract (no model) for an invented page."""
    return analyse(*prepare(text, file))


def head(weights: dict[str, float] | None = None, bias: float = 0.0, threshold: float = 0.5) -> Head:
    return Head(dict(weights or {}), bias, threshold)


def model(partner: Head | None = None, project: Head | None = None, title: Head | None = None) -> PairModel:
    """A hand-made model; a head left out rejects everything (probability ~0.00005)."""
    never = head(bias=-10.0)
    return PairModel({"partner": partner or never, "project": project or never, "title": title or never},
                     {"hand_made": True})


def block_of(blocks: list[Block], text: str) -> int:
    """The index of the one block whose text starts with `text`."""
    (i,) = [i for i, b in enumerate(blocks) if b.text.startswith(text)]
    return i
