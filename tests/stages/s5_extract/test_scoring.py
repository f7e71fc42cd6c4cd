"""extract.scoring: the logistic and boosted heads and the model file."""
from __future__ import annotations

import json
import math

import pytest

from kp_extract.stages.s5_extract.scoring import HEADS, MODEL_FILE, Head, ModelError, PairModel, Tree, TreesHead, load_model


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


HEAD = Head({"joined": 2.0, "cue_twin_near": -1.5, "s_owner": 0.5}, -0.25, 0.5)


def test_margin_is_bias_plus_weighted_features():
    assert HEAD.margin({}) == -0.25
    assert HEAD.margin({"joined": 1.0, "cue_twin_near": 1.0}) == pytest.approx(-0.25 + 2.0 - 1.5)
    assert HEAD.margin({"joined": 0.5, "s_owner": 2.0}) == pytest.approx(-0.25 + 1.0 + 1.0)


def test_a_feature_the_head_does_not_know_weighs_nothing():
    known = {"joined": 1.0, "s_owner": 1.0}
    assert HEAD.margin(dict(known, brand_new_feature=100.0)) == HEAD.margin(known)
    assert HEAD.probability(dict(known, brand_new_feature=100.0)) == HEAD.probability(known)


def test_probability_is_the_logistic_of_the_margin():
    f = {"joined": 1.0, "cue_twin_near": 1.0}
    assert HEAD.probability(f) == pytest.approx(sigmoid(0.25))
    assert HEAD.probability({}) == pytest.approx(sigmoid(-0.25)) and HEAD.probability({}) < 0.5
    assert HEAD.probability({"joined": 100.0}) == pytest.approx(1.0)


def test_a_very_negative_margin_is_probability_zero_without_overflow():
    assert HEAD.probability({"cue_twin_near": 1000.0}) == 0.0
    assert 0.0 < HEAD.probability({"cue_twin_near": 30.0}) < 1e-15


def test_reasons_strongest_first_pros_before_cons():
    head = Head({"a": 3.0, "b": 1.0, "c": -2.0, "d": -0.5, "e": 0.0, "f": 0.2}, 0.0, 0.5)
    features = {"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0, "e": 1.0, "f": 1.0, "unknown": 5.0}
    assert head.reasons(features) == ["+a", "+b", "+f", "-c", "-d"]
    assert head.reasons(features, n=2) == ["+a", "+b", "-c"]
    # a feature's value counts, not only its weight; what weighs nothing is no reason either way
    assert head.reasons(dict(features, b=5.0), n=2) == ["+b", "+a", "-c"]
    assert head.reasons({"e": 1.0, "unknown": 1.0}) == []
    assert head.reasons({"d": 10.0, "c": 1.0}) == ["-d", "-c"]


# a stump on 'kind_quoted' and a tree that splits 'words' at 0.5, then 'whole_block' at 0.5
STUMP = Tree(("kind_quoted", "", ""), (0.5, 0.0, 0.0), (1, -1, -1), (2, -1, -1), (0.1, -0.4, 0.7))
TREE = Tree(("words", "", "whole_block", "", ""), (0.5, 0.0, 0.5, 0.0, 0.0), (1, -1, 3, -1, -1), (2, -1, 4, -1, -1),
            (0.0, -1.0, 0.5, 1.5, -0.5))
TREES = TreesHead((STUMP, TREE), -0.2, 0.5)


def test_a_boosted_margin_is_bias_plus_the_leaf_each_tree_reaches():
    assert TREES.margin({}) == pytest.approx(-0.2 - 0.4 - 1.0)                        # both left
    assert TREES.margin({"kind_quoted": 1.0, "words": 0.7}) == pytest.approx(-0.2 + 0.7 + 1.5)
    assert TREES.margin({"words": 0.7, "whole_block": 1.0}) == pytest.approx(-0.2 - 0.4 - 0.5)
    # a value equal to the threshold goes left, as in the trees it was fitted as
    assert TREES.margin({"words": 0.5}) == TREES.margin({})
    assert TREES.probability({"kind_quoted": 1.0, "words": 0.7}) == pytest.approx(sigmoid(2.0))


def test_a_boosted_head_reads_an_unknown_feature_as_nothing():
    assert TREES.margin({"brand_new": 9.0}) == TREES.margin({})
    assert TreesHead((), -4.0, 0.5).probability({"a": 1.0}) == pytest.approx(sigmoid(-4.0))


def test_a_boosted_heads_reasons_are_the_splits_that_moved_it():
    # kind_quoted 0.1 -> 0.7 (+0.6); words 0.0 -> 0.5 (+0.5), whole_block 0.5 -> -0.5 (-1.0)
    assert TREES.reasons({"kind_quoted": 1.0, "words": 0.7, "whole_block": 1.0}) == [
        "+kind_quoted", "+words", "-whole_block"]
    assert TREES.reasons({}) == ["-words", "-kind_quoted"]


def model() -> PairModel:
    return PairModel({"partner": Head({"joined": 1.25, "s_owner": -0.5, "zero": 0.0}, -1.0, 0.5),
                      "project": Head({"rule_mention": 2.123456789}, 0.3, 0.4),
                      "title": Head({"kind_labelled": 3.0}, -2.0, 0.6)},
                     {"pages": 3, "note": "hand-made"})


def test_to_json_and_from_dict_round_trip():
    m = model()
    data = json.loads(m.to_json())
    assert set(data) == set(HEADS) | {"meta"}
    assert data["partner"]["weights"] == {"joined": 1.25, "s_owner": -0.5}  # a zero weight is not written
    assert data["project"]["weights"] == {"rule_mention": 2.123457}  # rounded to 6 decimals
    again = PairModel.from_dict(data)
    assert again.meta == m.meta
    assert again.partner == Head({"joined": 1.25, "s_owner": -0.5}, -1.0, 0.5)
    assert again.title == m.title and again.project.threshold == 0.4
    assert again.to_json() == m.to_json()
    f = {"joined": 1.0, "s_owner": 1.0, "zero": 1.0, "rule_mention": 1.0}
    assert again.partner.probability(f) == pytest.approx(m.partner.probability(f))


def test_a_boosted_head_round_trips_one_line_per_tree():
    m = PairModel(dict(model().heads, title=TREES), {"pages": 1})
    text = m.to_json()
    again = PairModel.from_dict(json.loads(text))
    assert again.title == TREES and again.to_json() == text
    tree_lines = [line for line in text.splitlines() if '"feature"' in line]
    assert len(tree_lines) == 2 and all(line.strip().startswith("{") for line in tree_lines)
    assert json.loads(text)["title"]["trees"][1]["left"] == [1, -1, 3, -1, -1]


def test_to_json_is_stable_text():
    text = model().to_json()
    assert text.endswith("\n")
    assert text == PairModel.from_dict(json.loads(text)).to_json()
    assert list(json.loads(text)) == sorted(json.loads(text))  # keys sorted: a retrain diffs cleanly


def test_the_heads_by_name():
    m = model()
    assert (m.partner, m.project, m.title) == (m.heads["partner"], m.heads["project"], m.heads["title"])


def test_load_model_reads_a_file(tmp_path):
    path = tmp_path / "model.json"
    path.write_text(model().to_json(), encoding="utf-8")
    loaded = load_model(path)
    assert loaded.project.weights == {"rule_mention": 2.123457}
    assert load_model(str(path)).meta == {"pages": 3, "note": "hand-made"}


def test_load_model_of_a_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "pair_model.json"
    with pytest.raises(ModelError, match=r"no model file at .*pair_model\.json: run `make train`"):
        load_model(path)


@pytest.mark.parametrize("content", [
    "not json at all",
    json.dumps({"partner": {"bias": 0, "threshold": 0.5, "weights": {}}}),           # heads missing
    json.dumps([1, 2, 3]),                                                                 # no object
    json.dumps({h: {"bias": 0, "threshold": 0.5, "weights": {"a": "heavy"}} for h in HEADS}),  # no number
])
def test_load_model_of_a_file_that_is_no_model(tmp_path, content):
    path = tmp_path / "pair_model.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ModelError, match=r"pair_model\.json is not a pair model: "):
        load_model(path)


def test_the_shipped_model_has_three_heads_with_thresholds():
    m = load_model()
    assert load_model(MODEL_FILE) == m
    for h in HEADS:
        assert 0.0 < m.heads[h].threshold < 1.0
        assert 0.0 <= m.heads[h].probability({}) <= 1.0
