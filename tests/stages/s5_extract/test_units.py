"""extract.units: the sentences of a page with the line, block, section and item each lies in."""
from __future__ import annotations

from kp_extract.stages.s5_extract.units import page_units

from tests.stages.s5_extract.pages import block_of, prepare

PAGE = """Eksjö kommuns logotyp
Skriv ut

Vårt partnerskap

Kommunen samarbetar med Nyeri sedan 2014. Vi har haft många besök
Nästa år reser en delegation dit; den stannar en vecka.

Projektområde
Urban planning
Svensk partner
Eksjö kommun

Ett nytt år

Arbetet fortsätter med skolorna.
"""


def units_of(text: str):
    page, blocks = prepare(text)
    return page, blocks, page_units(blocks)


def texts(page, pu) -> list[str]:
    return [pu.text(page.text, u) for u in pu.units]


def test_a_single_newline_ends_a_sentence_but_keeps_the_block():
    page, blocks, pu = units_of(PAGE)
    prose = block_of(blocks, "Kommunen samarbetar")
    here = [u for u in pu.units if u.block == prose]
    assert [pu.text(page.text, u) for u in here] == [
        "Kommunen samarbetar med Nyeri sedan 2014.", "Vi har haft många besök",
        "Nästa år reser en delegation dit", "den stannar en vecka."]
    # one block, consecutive sentence numbers; the line break moves the line on, the full stop does not
    assert [u.index for u in here] == list(range(here[0].index, here[0].index + 4))
    assert here[0].line == here[1].line and here[2].line == here[1].line + 1 == here[3].line
    assert {u.kind for u in here} == {"prose"}


def test_footer_lines_are_one_unit_each():
    page, blocks, pu = units_of(PAGE)
    footer = block_of(blocks, "Projektområde")
    assert blocks[footer].kind == "footer"
    here = [u for u in pu.units if u.block == footer]
    assert [pu.text(page.text, u) for u in here] == ["Projektområde", "Urban planning", "Svensk partner",
                                                     "Eksjö kommun"]
    assert [u.line for u in here] == list(range(here[0].line, here[0].line + 4))
    assert {u.kind for u in here} == {"footer"}


def test_chrome_gives_no_unit():
    page, blocks, pu = units_of(PAGE)
    chrome = [b for b in blocks if b.kind == "chrome"]
    assert [b.text for b in chrome] == ["Skriv ut"]
    assert "Skriv ut" not in texts(page, pu)
    assert all(u.block != blocks.index(chrome[0]) for u in pu.units)


def test_at_finds_the_sentence_and_returns_none_for_chrome_and_gaps():
    page, blocks, pu = units_of(PAGE)
    at = page.text.index("delegation")
    u = pu.at(at)
    assert u is not None and pu.text(page.text, u) == "Nästa år reser en delegation dit"
    assert pu.at(u.start) is u  # the first character belongs to it
    chrome = next(b for b in blocks if b.kind == "chrome")
    assert pu.at(chrome.start) is None and pu.at(chrome.start + 3) is None
    gap = page.text.index("\n\nVårt partnerskap")  # the blank line between two blocks
    assert pu.at(gap) is None and pu.at(gap + 1) is None
    # the space between two sentences of one line lies in no sentence either
    first = pu.at(page.text.index("Kommunen"))
    assert pu.at(first.end) is None
    assert pu.at(len(page.text) + 10) is None
    assert pu.at(-1) is None


def test_units_carry_the_item_and_section_of_their_block():
    page, blocks, pu = units_of(PAGE)
    by_text = {pu.text(page.text, u): u for u in pu.units}
    logo, head, footer_line, after = (by_text["Eksjö kommuns logotyp"], by_text["Vårt partnerskap"],
                                      by_text["Eksjö kommun"], by_text["Arbetet fortsätter med skolorna."])
    # a heading opens a section; a footer closes an item, so the text after it is another item
    assert head.section == logo.section + 1 and by_text["Kommunen samarbetar med Nyeri sedan 2014."].section == head.section
    assert footer_line.item == head.item == 0
    assert after.item == 1 and by_text["Ett nytt år"].item == 1
    assert after.block == block_of(blocks, "Arbetet")
    assert after.kind == "prose" and by_text["Ett nytt år"].kind == "heading"


def test_units_are_in_page_order_with_running_numbers():
    page, blocks, pu = units_of(PAGE)
    assert [u.index for u in pu.units] == list(range(len(pu.units)))
    assert pu.starts == [u.start for u in pu.units] == sorted(pu.starts)
    assert all(u.start < u.end <= v.start for u, v in zip(pu.units, pu.units[1:]))
    lines = [u.line for u in pu.units]
    assert lines == sorted(lines)


def test_a_blocks_language_goes_to_its_units_and_the_page_language_fills_in():
    page, blocks = prepare("Nyheter\n\nThe project in Nyeri is about clean water for two schools.\n")
    assert blocks[1].language == "en"
    pu = page_units(blocks, "sv")
    assert pu.units[-1].language == "en"
    for b in blocks:
        b.language = None
    assert {u.language for u in page_units(blocks, "sv").units} == {"sv"}
    assert {u.language for u in page_units(blocks, "en").units} == {"en"}
