"""Extract: turn one page's blocks into project mentions and partnership statements.

The stage reads in data-flow order:

1. proposals: the structure rules (cards, footers, party headings, bullets, title lines, grant
   sentences) propose project mentions and partnership statements.

`extract_page(page, blocks)` is the stage's one entry point; the pipeline only calls it.
"""
from __future__ import annotations

from .proposals import PageResult, extract_page

__all__ = ["PageResult", "extract_page"]
