"""Work grows linearly with pathological pages (issue 5): one huge paragraph, thousands of mentions of
one partner pair, a page of empty cards.

Wall-clock ratios are flaky on a shared machine, so work is counted instead: every call of a Python
function, every call into a C function and every resumption of a generator while the stage runs
(sys.setprofile). The count is deterministic for a given input. Linear work gives a ratio of about 4
between an input and one 4 times its size; a stage that compares every sentence, name or record
with every other gives about 16. The bound (6) leaves room for n log n.
"""
from __future__ import annotations

import random
import sys
from collections.abc import Callable

import pytest

from kp_extract.run import pages
from kp_extract.stages.s6_dedupe import MAX_POSSIBLE_DUPLICATES, dedupe, merge_groups, possible_duplicates
from kp_extract.model import Mention, Page, Partner, Project, Source

GROWTH = 4
MAX_RATIO = 6.0

SENTENCES = (
    "Växjö kommun samarbetar med Kisumu County i Kenya inom miljö och klimat.",
    "Östersunds kommun har under flera år arbetat med avfallshantering tillsammans med partners i regionen.",
    "The City of Borås and Kutaisi in Georgia work together on local democracy and citizen dialogue.",
    "Karlstads kommun deltar i ett utbyte om hållbar stadsplanering och offentliga miljöer.",
    "Municipal staff from Norrköping visited schools and met teachers to discuss inclusive education.",
    "Härnösands kommun och partnern diskuterade jämställdhet, styrning och transparens i förvaltningen.",
    "Projektet handlar om vattenförsörjning och sanitet i stadens östra delar.",
    "Mölndal stad presenterade erfarenheter från sitt arbete med klimatanpassning.",
)


def operations(fn: Callable[[], object]) -> int:
    """Calls (Python and C functions, generator resumptions) made while fn() runs."""
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(previous)
    return count


def growth(make: Callable[[int], str], n: int, name: str) -> float:
    """Operations of process_page on make(GROWTH * n) over those on make(n). Both texts must be new to
    this process: the per-text parse caches would serve a text seen before."""
    pages.warm_up()
    small = operations(lambda: pages.process_page(Page(f"{name}-small.txt", make(n), "")))
    large = operations(lambda: pages.process_page(Page(f"{name}-large.txt", make(GROWTH * n), "")))
    return large / small


def paragraph(chars: int, line_breaks: bool = False) -> str:
    """One paragraph of about `chars` characters of ordinary sentences (single line breaks keep it
    one block, as a file with lines under read.MAX_LINE_CHARS would)."""
    rnd = random.Random(chars)
    parts, size = [], 0
    while size < chars:
        parts.append(rnd.choice(SENTENCES))
        size += len(parts[-1]) + 1
    text = " ".join(parts)
    if line_breaks:
        text = "\n".join(text[i:i + 400] for i in range(0, len(text), 400))
    return text


def grant_sentences(k: int) -> str:
    """k sentences, in one paragraph, each naming the same Swedish/foreign pair and a grant."""
    return " ".join(f"Växjö kommun och Kisumu County i Kenya beviljades {100 + i % 900} 000 kronor för samarbetet."
                    for i in range(k))


def empty_cards(k: int) -> str:
    return "Växjö and X, Kenya\n\nProjektområde\nUrban planning\n\n" * k


@pytest.mark.parametrize("line_breaks", [False, True], ids=["one-line", "short-lines"])
def test_one_long_paragraph_is_linear(line_breaks):
    ratio = growth(lambda n: paragraph(n, line_breaks), 25_000, f"para-{line_breaks}")
    assert ratio < MAX_RATIO, ratio


def test_many_mentions_of_one_pair_are_linear():
    ratio = growth(grant_sentences, 300, "grants")
    out = pages.process_page(Page("grants.txt", grant_sentences(250), ""))
    assert len(out.result.mentions) == 250  # one mention per sentence: the input is what it is meant to be
    assert ratio < MAX_RATIO, ratio


def test_many_empty_cards_are_linear_up_to_the_block_bound():
    # 4 * 1 000 cards are 8 000 blocks: past MAX_PAGE_BLOCKS, so the larger run also cuts and reports
    ratio = growth(empty_cards, 1_000, "cards")
    assert ratio < MAX_RATIO, ratio
    out = pages.process_page(Page("cards.txt", empty_cards(4_000), ""))
    assert len(out.blocks) == pages.MAX_PAGE_BLOCKS and out.warnings


# ------------------------------------------------------------------ dedup of one partner pair

def pair_projects(k: int, seed: int = 0) -> list[Project]:
    """k records of one partner pair that state nothing that could tell them apart, and some with
    conflicting facts (titles, years, amounts)."""
    rnd = random.Random(seed)
    out = []
    for i in range(k):
        title = rnd.choice([None, None, None, f"Projekt {i % 7}"])
        start = rnd.choice([None, None, "2019", "2020-03"])
        amount = rnd.choice([None, None, 500_000, 750_000])
        out.append(Project(f"kp-{rnd.getrandbits(64):016x}", title, ["Växjö kommun"], ["0780"], ["Kisumu County"],
                           [], ["KE"], [], [], [], start, None, None, amount, [], ["sv"], "", []))
    return out


def test_possible_duplicates_of_one_pair_are_linear_and_capped():
    small, large = pair_projects(500), pair_projects(GROWTH * 500, seed=1)
    ratio = operations(lambda: possible_duplicates(large)) / operations(lambda: possible_duplicates(small))
    assert ratio < MAX_RATIO, ratio
    assert max(len(p.possible_duplicates) for p in large) == MAX_POSSIBLE_DUPLICATES
    # the cap keeps the first ids in id order of those the record is compatible with
    bare = [p for p in large if not (p.title or p.start_date or p.amount_sek)]
    everyone = sorted(p.record_id for p in large)
    for p in bare[:20]:  # a record stating nothing is compatible with every other
        assert p.possible_duplicates == [i for i in everyone if i != p.record_id][:MAX_POSSIBLE_DUPLICATES]


def test_8000_mentions_of_one_pair_dedupe_within_the_cap():
    # 8 000 grant sentences of one pair: no title or years to merge them by, and not one sentence
    # repeated (which would be one item again), so all are near-misses of each other
    text = " ".join(f"Växjö kommun och Kisumu County i Kenya beviljades medel för samarbetet (ärende {i})."
                    for i in range(8_000))
    out = pages.process_page(Page("grants.txt", text, ""))
    projects, _, merged = dedupe(list(out.result.mentions), list(out.result.partnerships))
    assert (len(projects), merged) == (8_000, 0)
    assert {len(p.possible_duplicates) for p in projects} == {MAX_POSSIBLE_DUPLICATES}


def one_title_many_partners(k: int) -> list[Mention]:
    """k mentions of one title, each with its own partner abroad: k projects that merge_groups must
    keep apart (one name for two partners abroad is two projects)."""
    return [Mention(file="p.txt", title="Rent vatten", swedish_partners=[Partner("Växjö kommun", "0780")],
                    international_partners=[f"Partner {i:05d} County"], sources=[Source("p.txt", 10 * i, 10 * i + 5)])
            for i in range(k)]


def test_one_title_for_many_partners_merges_linearly():
    small, large = one_title_many_partners(500), one_title_many_partners(GROWTH * 500)
    ratio = operations(lambda: merge_groups(large)) / operations(lambda: merge_groups(small))
    assert ratio < MAX_RATIO, ratio
    assert len(merge_groups(large)) == GROWTH * 500
