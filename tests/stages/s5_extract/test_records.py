"""extract.records: what a model's scores make of a page's proposals. Every test decides with a hand-made
model (tests.extract.pages.model) whose heads read one or two features, so that the outcome is known."""
from __future__ import annotations

import math

import pytest

from kp_extract.stages.s5_extract import decide
from kp_extract.stages.s5_extract.proposals import GUESSED
from kp_extract.model import Block, Mention, Partner, Source
from kp_extract.stages.s5_extract.records import MIN_KEPT, untold_apart

from tests.stages.s5_extract.pages import CARD, analysed, head, model


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def summary(m) -> tuple:
    return (m.via, m.title, [p.name for p in m.swedish_partners], m.international_partners)




@pytest.mark.parametrize("weight, bias", [(2.0, -1.0), (-1.0, 0.5), (0.5, 0.0)])
def test_a_rule_mention_takes_its_pairs_project_probability(weight, bias):
    result = decide(analysed(CARD), model(project=head({"rule_mention": weight}, bias)))
    (m,) = result.mentions
    assert summary(m) == ("card", "Clean Markets for All", ["Tranås kommun"], ["Nyeri County Government"])
    assert m.confidence == pytest.approx(sigmoid(weight + bias))


def test_every_pair_gives_a_statement_with_its_partner_probability_and_a_candidate_row():
    result = decide(analysed(CARD), model(partner=head({"rule_mention": 1.0, "joined": 0.5}, -0.5),
                                          project=head({"rule_mention": 3.0}, -1.0)))
    (s,) = result.partnerships
    assert (s.swedish_partner.name, s.international_partner, s.country) == ("Tranås kommun",
                                                                            "Nyeri County Government", "KE")
    assert s.confidence == pytest.approx(sigmoid(1.0))
    (row,) = result.candidates
    assert (row["swedish_partner"], row["swedish_partner_code"], row["international_partner"]) == (
        "Tranås kommun", "0687", "Nyeri County Government")
    assert row["partner_score"] == round(sigmoid(1.0), 4) and row["project_score"] == round(sigmoid(2.0), 4)
    assert row["evidence"] == ["+rule_mention"]  # the project head's reasons: it scores higher
    assert CARD[row["start"]:row["end"]] == "Tranås and Nyeri, Kenya"


PAIR = "Nyheter\n\nTranås kommun och Kisumu har ett partnerskap sedan 2012. Projektet handlar om avfall.\n"
SENTENCE = "Tranås kommun och Kisumu har ett partnerskap sedan 2012."


def test_a_pair_no_rule_names_becomes_a_pair_mention():
    a = analysed(PAIR)
    assert a.proposed.mentions == []
    result = decide(a, model(project=head({"same_sentence": 3.0}, -1.0)))
    (m,) = result.mentions
    assert summary(m) == ("pair", None, ["Tranås kommun"], ["Kisumu"])
    assert m.countries == ["KE"]
    assert m.confidence == pytest.approx(sigmoid(2.0))
    assert [PAIR[s.start:s.end] for s in m.sources] == [SENTENCE]


def test_a_pair_below_the_threshold_is_kept_as_a_low_mention_and_below_min_kept_not_at_all():
    low = decide(analysed(PAIR), model(project=head({"same_sentence": 1.0}, -2.0)))
    (m,) = low.mentions
    assert m.via == "pair" and m.confidence == pytest.approx(sigmoid(-1.0))  # for candidates.jsonl
    assert sigmoid(-1.0) >= MIN_KEPT
    assert decide(analysed(PAIR), model()).mentions == []  # ~0.00005 on both heads
    assert decide(analysed(PAIR), model()).partnerships == []


def test_a_statement_takes_the_since_year_its_sentences_state():
    a = analysed(PAIR)
    (p,) = a.pairs
    assert p.since_year is None  # no rule stated it: the year comes from the pair's own sentences
    (s,) = decide(a, model(partner=head({"same_sentence": 2.0}, -0.5))).partnerships
    assert (s.swedish_partner.name, s.international_partner, s.since_year) == ("Tranås kommun", "Kisumu", 2012)
    assert s.confidence == pytest.approx(sigmoid(1.5))
    assert PAIR[s.source.start:s.source.end] == SENTENCE


def test_the_earliest_since_year_of_the_pairs_sentences():
    text = ("Nyheter\n\nTranås kommun och Kisumu har ett avtal sedan 2012. "
            "Tranås kommun och Kisumu har samarbetat sedan 2008.\n")
    (s,) = decide(analysed(text), model(partner=head({"same_sentence": 2.0}, 0.0))).partnerships
    assert s.since_year == 2008
    assert len(s.more_sources) == 1  # the other sentence that names the pair


def since_of(text: str) -> dict[str, int | None]:
    """Each partner abroad's since-year, with a model that believes every pair written in one sentence."""
    result = decide(analysed(text), model(partner=head({"same_sentence": 2.0}, 0.0)))
    return {s.international_partner: s.since_year for s in result.partnerships}


def test_a_sentence_below_the_pair_that_refers_back_to_it_gives_its_since_year():
    # a paragraph break between: the rules' own carry (one block) does not reach it
    text = "Nyheter\n\nTranås kommun och Kisumu samarbetar om avfall.\n\nPartnerskapet inleddes 2012 med en förstudie.\n"
    assert analysed(text).pairs[0].since_year is None
    assert since_of(text) == {"Kisumu": 2012}


def test_a_sentence_before_the_pair_that_refers_to_it_gives_its_since_year():
    text = "Nyheter\n\nVi har samarbetat sedan 2012. Tranås kommun och Kisumu arbetar nu med avfall.\n"
    assert since_of(text) == {"Kisumu": 2012}


def test_a_near_sentence_without_an_anaphor_or_a_name_dates_nothing():
    text = "Nyheter\n\nTranås kommun och Kisumu samarbetar om avfall.\n\nEtt annat partnerskap startade 2012.\n"
    assert since_of(text) == {"Kisumu": None}


def test_the_walk_to_near_sentences_stops_at_another_partner():
    # the year follows the second pair: it dates that one, not the first
    text = ("Nyheter\n\nTranås kommun och Kisumu samarbetar om avfall.\n\nTranås kommun och Nyeri arbetar med "
            "vatten.\n\nPartnerskapet inleddes 2012.\n")
    assert since_of(text) == {"Kisumu": None, "Nyeri": 2012}


def test_a_twin_town_year_is_not_the_partnerships():
    text = "Nyheter\n\nTranås kommun och Kisumu har varit vänorter sedan 1994.\n"
    assert since_of(text) == {"Kisumu": None}
    signed = "Nyheter\n\nVänortsavtalet om partnerskap mellan Tranås kommun och Kisumu tecknades 2019.\n"
    assert since_of(signed) == {"Kisumu": 2019}  # a twin-town agreement of the partnership itself


def test_two_partners_abroad_of_one_body_in_one_sentence_are_one_mention():
    text = "Nyheter\n\nTranås kommun samarbetar med Kisumu och Nyeri om avfall.\n"
    a = analysed(text)
    assert a.proposed.mentions == []
    # Kisumu's candidate has context evidence, Nyeri's not: the two pairs score differently
    result = decide(a, model(project=head({"same_sentence": 3.0, "ev_context": 1.0}, -1.0)))
    (m,) = result.mentions
    assert summary(m) == ("pair", None, ["Tranås kommun"], ["Kisumu", "Nyeri"])
    assert m.confidence == pytest.approx(sigmoid(2.0))  # the weaker pair's belief
    assert len(result.partnerships) == 2


def test_partners_abroad_in_separate_sentences_are_separate_mentions():
    text = "Nyheter\n\nTranås kommun samarbetar med Kisumu om avfall. Tranås kommun arbetar också med Nyeri.\n"
    result = decide(analysed(text), model(project=head({"same_sentence": 3.0}, -1.0)))
    assert sorted(m.international_partners[0] for m in result.mentions) == ["Kisumu", "Nyeri"]
    assert all(len(m.international_partners) == 1 and m.via == "pair" for m in result.mentions)


GUESS = """Tranås kommuns logotyp

Vårt partnerskap

Kommunen samarbetar med Kisumu sedan 2012.

Projekt: Rena marknader

Projektet genomförs i staden Nyeri i Kenya under två år.
"""


def test_a_guessed_partner_is_replaced_by_the_pair_the_model_believes_in():
    a = analysed(GUESS)
    (proposed,) = a.proposed.mentions
    assert proposed.via == "title_line" + GUESSED and proposed.international_partners == ["Kisumu"]
    # Kisumu's pair is the one a partnership statement backs; this model believes in the other one
    doubt = head({"rule_statement": -3.0}, 1.0)
    result = decide(analysed(GUESS), model(partner=doubt, project=doubt))
    m = next(m for m in result.mentions if m.title == "Rena marknader")
    assert summary(m)[1:] == ("Rena marknader", ["Tranås kommun"], ["Nyeri"])
    assert m.countries == ["KE"]
    assert m.confidence == pytest.approx(sigmoid(1.0))


def test_a_guessed_partner_the_model_believes_in_stays():
    trust = head({"rule_statement": 3.0}, -1.0)
    result = decide(analysed(GUESS), model(partner=trust, project=trust))
    m = next(m for m in result.mentions if m.title == "Rena marknader")
    assert m.international_partners == ["Kisumu"] and m.confidence == pytest.approx(sigmoid(2.0))


TITLED = """Nyheter

Tranås kommun och Kisumu har ett partnerskap.

Tema
Gender Equality

Gröna Parker

Tranås kommun och Nyeri planterar träd i parkerna.
"""


def test_a_title_the_title_head_accepts_names_a_project_of_a_pair_in_its_own_item():
    result = decide(analysed(TITLED), model(partner=head({"same_sentence": 10.0}, -5.0),
                                            title=head({"kind_heading": 2.0}, -1.0)))
    (m,) = result.mentions
    assert summary(m) == ("title", "Gröna Parker", ["Tranås kommun"], ["Nyeri"])  # not Kisumu of item 0
    assert m.confidence == pytest.approx(sigmoid(1.0))  # min(title 0.73, pair 0.99)
    assert [TITLED[s.start:s.end] for s in m.sources] == ["Gröna Parker",
                                                           "Tranås kommun och Nyeri planterar träd i parkerna."]


def test_a_title_whose_item_pairs_nobody_the_model_believes_in_names_no_project():
    result = decide(analysed(TITLED), model(partner=head({"same_sentence": 10.0}, -15.0),
                                            title=head({"kind_heading": 2.0}, -1.0)))
    assert result.mentions == []


def test_a_title_goes_to_the_untitled_rule_mention_of_its_item():
    text = ("Tranås and Nyeri, Kenya\n\nThe project (Clean Markets) improves waste handling for three years.\n\n"
            "Svensk partner\nTranås kommun\nInternationell partner\nNyeri County Government\n")
    a = analysed(text)
    assert [summary(m) for m in a.proposed.mentions] == [
        ("card", None, ["Tranås kommun"], ["Nyeri County Government"])]
    result = decide(a, model(partner=head({"same_item": 10.0}, -5.0), project=head({"rule_mention": 2.0}, -1.0),
                             title=head({"kind_paren": 10.0}, -5.0)))
    (m,) = result.mentions
    assert summary(m) == ("card", "Clean Markets", ["Tranås kommun"], ["Nyeri County Government"])
    assert m.confidence == pytest.approx(sigmoid(5.0))  # the title's belief, above the card's own 0.73


CARDS_OF_ONE_BODY = ("Svensk partner: Tranås kommun\n\nTranås and Nyeri\n\nDuring the inception year Tranås and Nyeri "
                     "study how young people take part in local democracy.\n\nClean Water Plan\n\nAfter an earlier "
                     "project the partners in Kisumu measured the water quality of three rivers.\n")


def test_a_headings_name_goes_to_the_pair_written_under_it_not_to_the_items_likeliest():
    a = analysed(CARDS_OF_ONE_BODY)
    assert len({b.item for b in a.blocks}) == 1  # a listing filtered by its Swedish body: one item, two sections
    # Nyeri's pair is written in one sentence (0.99), Kisumu's only under the heading, with the owner (0.62)
    result = decide(a, model(partner=head({"same_sentence": 10.0}, 0.5),
                             title=head({"block_heading": 10.0, "names_swedish": -20.0}, -5.0)))
    assert [(m.via, m.title, m.international_partners) for m in result.mentions] == [
        ("card", None, ["Nyeri"]), ("title", "Clean Water Plan", ["Kisumu"])]


QUOTED = """Tranås and Nyeri, Kenya

Project: Clean Markets for All

The work builds on the earlier "Green Schools" and improves waste handling.

Svensk partner
Tranås kommun
Internationell partner
Nyeri County Government

Nyheter

Tranås kommun och Kisumu startar "Green Schools" i år.
"""


def test_a_title_inside_the_text_of_a_titled_rule_mention_names_no_other_project():
    a = analysed(QUOTED)
    quoted = [t for t in a.titles if t.text == "Green Schools"]
    assert len(quoted) == 2 and "kind_quoted" in quoted[0].features
    card = a.proposed.mentions[0]
    assert card.title == "Clean Markets for All"
    assert any(s.start <= quoted[0].start < s.end for s in card.sources)
    result = decide(a, model(partner=head({"same_sentence": 10.0}, -5.0), title=head({"kind_quoted": 10.0}, -5.0)))
    titled = [m for m in result.mentions if m.via == "title"]
    # the name inside the card stays a name the card mentions; written again in the news item, it is a project
    (m,) = titled
    assert summary(m) == ("title", "Green Schools", ["Tranås kommun"], ["Kisumu"])
    assert all(s.start > quoted[0].end for s in m.sources)
    assert [x.title for x in result.mentions if x.via == "card"] == ["Clean Markets for All"]


STRETCH = ("Nyheter\n\nTranås kommun och Kisumu samarbetar om avfall.\n\nAvfallet sorteras nu i tre fraktioner.\n\n"
           "Projektet pågår 2025-2027\n\nProjektet är treårigt och leds av en styrgrupp.\n\nÖvrigt\n\n"
           "Projektet startade i mars 2019.\n")


def test_a_pair_mention_takes_dates_and_length_its_item_states_about_the_project():
    (m,) = decide(analysed(STRETCH), model(project=head({"same_sentence": 3.0}, -1.0))).mentions
    assert (m.via, m.start_date, m.end_date, m.duration_years) == ("pair", "2025", "2027", 3)


def test_a_pair_mention_takes_no_project_sentence_after_a_heading_on_another_topic():
    text = STRETCH.replace("Projektet pågår 2025-2027\n\nProjektet är treårigt och leds av en styrgrupp.\n\n", "")
    (m,) = decide(analysed(text), model(project=head({"same_sentence": 3.0}, -1.0))).mentions
    assert (m.via, m.start_date, m.end_date, m.duration_years) == ("pair", None, None, None)


def test_the_walk_to_near_sentences_stops_at_another_swedish_body():
    # the next sentence dates the partner's partnership with the other Swedish body, not this pair's
    text = ("Nyheter\n\nTranås kommun ingår i ett partnerskap med Kisumu och Eksjö kommun. "
            "Partnerskapet mellan Kisumu och Eksjö startade 2005.\n")
    result = decide(analysed(text), model(partner=head({"same_sentence": 2.0}, 0.0)))
    since = {(s.swedish_partner.name, s.international_partner): s.since_year for s in result.partnerships}
    assert since[("Tranås kommun", "Kisumu")] is None
# one accepted pair and two names listed with it: the list is the page's own word that they are one cooperation
LISTED = ("Nyheter\n\nTranås kommun driver ett projekt om avfall. Projektet genomförs av kommunerna Kisumu, Nyeri "
          "och Moberg Vattenfors (Kenya) tillsammans med Tranås kommun.\n")


def test_names_listed_with_a_projects_partner_abroad_join_its_mention():
    a = analysed(LISTED)
    assert {p.name for p in a.pairs} == {"Kisumu", "Nyeri", "Moberg Vattenfors"}
    # the project head accepts only the one name with context evidence; the partner head believes in the others
    result = decide(a, model(partner=head({"ev_lexicon_city": 4.0}, -3.0), project=head({"ev_context": 3.0}, -1.0)))
    (m,) = result.mentions
    assert summary(m) == ("pair", None, ["Tranås kommun"], ["Moberg Vattenfors", "Kisumu", "Nyeri"])
    assert m.countries == ["KE"]
    assert m.confidence == pytest.approx(sigmoid(2.0))


def test_a_listed_name_the_partner_head_all_but_rules_out_does_not_join():
    result = decide(analysed(LISTED), model(partner=head({"ev_context": 5.0}, -3.0),
                                            project=head({"ev_context": 3.0}, -1.0)))
    accepted = [m for m in result.mentions if m.confidence >= 0.5]
    (m,) = accepted
    assert m.international_partners == ["Moberg Vattenfors"]  # the others score sigmoid(-3) < LIST_SIBLING_MIN


def test_a_rule_title_that_is_the_programmes_label_is_no_title():
    text = "Nyheter\n\nTranås kommun driver projektet ”Kommunalt partnerskap” tillsammans med Nyeri sedan 2020.\n"
    a = analysed(text)
    assert [m.title for m in a.proposed.mentions] == ["Kommunalt partnerskap"]  # the rules read it as a name
    result = decide(a, model(project=head({"rule_mention": 2.0}, -1.0)))
    assert [summary(m) for m in result.mentions] == [("paragraph", None, ["Tranås kommun"], ["Nyeri"])]


@pytest.mark.parametrize("heading, title", [("Gröna Parker", "Gröna Parker"), ("Kommunalt partnerskap", None)])
def test_a_title_the_head_accepts_that_is_the_programmes_label_gives_its_project_no_name(heading, title):
    a = analysed(f"Nyheter\n\n{heading}\n\nTranås kommun och Nyeri planterar träd i parkerna.\n")
    assert heading in {t.text for t in a.titles}  # a candidate, judged like any other
    result = decide(a, model(partner=head({"same_sentence": 10.0}, -5.0), title=head({"kind_heading": 2.0}, -1.0)))
    assert [summary(m) for m in result.mentions] == [("title", title, ["Tranås kommun"], ["Nyeri"])]



# one pair's card whose text tells of its inception phase and of the project it led to (invented)
INCEPTION = ("Tranås kommun och Kisumu County\n\n"
             "Since an inception phase carried out in 2019, when both towns studied their markets, the "
             "municipalities have run a two-year project on market waste.\n")
# a paragraph the rules read as a pre-study's, that goes on to the project (invented)
PRESTUDY_FIRST = ("Tranås kommun och Kisumu County samarbetar om vattenförsörjningen.\n\n"
                  "Förstudien genomfördes 2021 och kartlade läckorna. Nu har parterna beviljats ett treårigt "
                  "projekt om vatten.\n")


def believing_model():
    return model(partner=head({"same_sentence": 3.0}, -1.0), project=head({"same_sentence": 3.0}, -1.0))


def kinds_and_text(text: str) -> list[tuple[str, str]]:
    return sorted((m.kind, text[m.sources[0].start:m.sources[0].end])
                  for m in decide(analysed(text), believing_model()).mentions)


def test_a_phase_with_an_act_of_its_own_beside_the_project_is_a_record_of_its_own():
    assert [(m.kind, m.via) for m in analysed(INCEPTION).proposed.mentions] == [("project", "card")]
    mentions = decide(analysed(INCEPTION), believing_model()).mentions
    (phase,) = [m for m in mentions if m.via == "phase"]
    assert phase.kind == "prestudy"
    assert INCEPTION[phase.sources[0].start:phase.sources[0].end] == (
        "Since an inception phase carried out in 2019, when both towns studied their markets")
    assert ([p.name for p in phase.swedish_partners], phase.international_partners) == (
        ["Tranås kommun"], ["Kisumu County"])
    assert phase.confidence == pytest.approx(max(m.confidence for m in mentions if m.via == "card"))


def test_the_project_a_rules_pre_study_paragraph_goes_on_to_is_a_record_of_its_own():
    assert [m.kind for m in analysed(PRESTUDY_FIRST).proposed.mentions] == ["prestudy"]
    mentions = decide(analysed(PRESTUDY_FIRST), believing_model()).mentions
    (project,) = [m for m in mentions if m.via == "phase"]
    assert project.kind == "project" and project.duration_years == 3
    assert PRESTUDY_FIRST[project.sources[0].start:project.sources[0].end] == (
        "Nu har parterna beviljats ett treårigt projekt om vatten.")


def test_a_phase_told_only_as_background_is_no_record_of_its_own():
    text = INCEPTION.replace(" carried out in 2019", "")
    assert [k for k, _t in kinds_and_text(text)] == ["project"]


def test_a_count_of_phases_is_no_phase():
    text = INCEPTION.replace("an inception phase", "several inception phases")
    assert [k for k, _t in kinds_and_text(text)] == ["project"]


def test_a_project_that_is_only_a_prospect_is_no_record_of_its_own():
    text = PRESTUDY_FIRST.replace("Nu har parterna beviljats ett treårigt projekt om vatten.",
                                  "Förstudien ska visa om parterna kan söka ett längre projekt.")
    assert [k for k, _t in kinds_and_text(text)] == ["prestudy"]


def test_a_role_named_after_the_project_is_no_project():
    text = PRESTUDY_FIRST.replace("Nu har parterna beviljats ett treårigt projekt om vatten.",
                                  "Our project manager met the mayor.")
    assert [k for k, _t in kinds_and_text(text)] == ["prestudy"]


def test_a_phase_clause_naming_another_partner_abroad_is_not_the_pairs():
    text = INCEPTION.replace("an inception phase carried out", "an inception phase with Nakuru carried out")
    mentions = decide(analysed(text), believing_model()).mentions
    assert [m.via for m in mentions if m.international_partners == ["Kisumu County"]] == ["card"]
    assert "prestudy" not in [m.kind for m in mentions]


def test_a_phase_clause_naming_another_swedish_body_is_not_the_pairs():
    text = INCEPTION.replace("carried out in 2019", "carried out in 2019 by Kungsbacka kommun")
    # a model that believes in no pair of Kungsbacka's: the clause's Swedish body alone tells it is not the pair's
    strict = model(partner=head({"same_sentence": 5.0}, -4.0), project=head({"same_sentence": 5.0}, -4.0))
    mentions = decide(analysed(text), strict).mentions
    assert [m.via for m in mentions if m.confidence >= 0.5] == ["card"]
    assert "prestudy" not in [m.kind for m in mentions]


def test_a_project_sentence_that_does_not_speak_of_the_pair_is_not_its_project():
    text = PRESTUDY_FIRST.replace("Nu har parterna beviljats", "Nu har kommunen beviljats")
    assert [k for k, _t in kinds_and_text(text)] == ["prestudy"]


def test_in_an_item_about_two_pairs_only_a_mentions_own_text_tells_of_its_phase_or_project():
    text = PRESTUDY_FIRST + ("\nTranås kommun och Nakuru County har också ett partnerskap. Under 2020 genomfördes "
                             "en förstudie i Nakuru om avfall.\n")
    a = analysed(text)
    assert len({b.item for b in a.blocks}) == 1
    mentions = decide(a, believing_model()).mentions
    assert [(m.kind, m.international_partners) for m in mentions if m.via == "phase"] == []
    assert sorted((m.kind, m.international_partners[0]) for m in mentions) == [
        ("prestudy", "Nakuru County"), ("project", "Kisumu County")]


def _mention(start: int, kind: str = "prestudy", **values) -> Mention:
    m = Mention("p.txt", swedish_partners=[Partner("Tranås kommun", "0687")], international_partners=["Kisumu"],
                sources=[Source("p.txt", start, start + 10)], kind=kind, confidence=0.9)
    for k, v in values.items():
        setattr(m, k, v)
    return m


def _blocks(*items: int) -> list[Block]:
    """One 90-character paragraph per item number given, 100 characters apart."""
    return [Block("p.txt", i * 100, i * 100 + 90, "x" * 90, "prose", item=item) for i, item in enumerate(items)]


def test_one_untitled_project_told_in_two_paragraphs_of_an_item_is_one_record_with_both_sources():
    a, b = _mention(0), _mention(100, duration_years=2.0)
    (m,) = untold_apart([a, b], _blocks(0, 0), 0.5)
    assert m is a
    assert [(s.start, s.end) for s in m.sources] == [(0, 10), (100, 110)]
    assert m.duration_years == 2.0  # a value only the other stated is kept


@pytest.mark.parametrize("second, start, items", [
    (dict(start_date="2019"), 100, (0, 0)),      # a date of its own tells them apart
    (dict(kind="project"), 100, (0, 0)),         # a phase and its project are two
    (dict(title="Rena gator"), 100, (0, 0)),     # a named project is its own
    (dict(confidence=0.2), 100, (0, 0)),         # a mention the model does not believe goes to review as it is
    ({}, 100, (0, 1)),                           # two cards of a listing are two
    ({}, 50, (0, 0)),                            # two grants in one paragraph are two
])
def test_mentions_the_text_tells_apart_stay_apart(second, start, items):
    a = _mention(0, start_date="2018")
    b = _mention(start, **{k: v for k, v in second.items() if k != "kind"}, kind=second.get("kind", "prestudy"))
    assert untold_apart([a, b], _blocks(*items), 0.5) == [a, b]
