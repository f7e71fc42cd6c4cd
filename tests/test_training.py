"""kp_extract.training: labels from gold files, deterministic fitting, cross-validation by site.

Every gold set here is a tiny invented one written under tmp_path."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kp_extract import training
from kp_extract.stages.s5_extract.scoring import HEADS, Head, PairModel, TreesHead
from kp_extract.training import GoldSet, _author_set, _file, _same_partner, cross_validate, fit, load_cases
from tests.stages.s5_extract.pages import CARD


@pytest.mark.parametrize("a, b", [
    ("Kisumu", "Kisumu"),
    ("Kisumu", "KISUMU"),                          # the same scoring key
    ("Kisumu", "Kisumu County"),                   # local-government words aside
    ("Kisumu County Government", "County Government of Kisumu"),
    ("Probolinggo", "Kota Probolinggo"),
    ("Lusaka City Council", "Lusaka"),
])
def test_same_partner(a, b):
    assert _same_partner(a, b) and _same_partner(b, a)


@pytest.mark.parametrize("a, b", [
    ("Lobatse", "Lobatse Bollnäs"),                # a longer run that merely contains the name
    ("Nyeri", "Nyeri Kisumu"),
    ("Kisumu", "Nyeri"),
    ("Kisumu", ""),
    ("Nyeri County", "Kisumu County"),             # sharing only the local-government word
])
def test_not_the_same_partner(a, b):
    assert not _same_partner(a, b) and not _same_partner(b, a)


def test_author_set_and_source_file():
    assert _author_set("g12_listing.txt", "fixtures") == "g"
    assert _author_set("listing.txt", "fixtures") == "fixtures"
    assert _author_set("12_listing.txt", "seeds") == "seeds"
    assert _file({"file": "sub/dir/a01_card.txt", "start": 0, "end": 9}) == "a01_card.txt"
    assert _file("sub\\a01_card.txt:10-20") == "a01_card.txt"


PAGES = {
    "a01_card.txt": CARD,
    "a02_partner.txt": """Tranås kommuns logotyp

Vårt partnerskap

Tranås kommun och Kisumu har ett partnerskap sedan 2012. Vi besökte också Nyeri i fjol.
""",
    "b01_news.txt": """Nyheter

Mora kommun fick besök från Lusaka i maj.
""",
}
GOLD = {
    "projects": [
        {"title": "Clean Markets for All", "swedish_partners": ["Tranås kommun"],
         "international_partners": ["Nyeri County Government"], "sources": [{"file": "a01_card.txt"}]},
        {"title": None, "swedish_partners": ["Falu kommun"], "unscored": ["swedish_partners"],
         "international_partners": ["Lusaka City Council"], "sources": [{"file": "pages/b01_news.txt"}]},
    ],
    "partnerships": [
        {"swedish_partner": "Tranås kommun", "international_partner": "Kisumu County",
         "sources": [{"file": "a02_partner.txt"}]},
    ],
}


def write_gold_set(root, name: str = "fixtures", sites: dict[str, str] | None = None) -> GoldSet:
    pages = root / f"{name}-pages"
    pages.mkdir()
    for file, text in PAGES.items():
        (pages / file).write_text(text, encoding="utf-8")
    gold = root / f"{name}.gold.json"
    gold.write_text(json.dumps(GOLD, ensure_ascii=False), encoding="utf-8")
    manifest = None
    if sites:
        manifest = root / f"{name}-MANIFEST.tsv"
        manifest.write_text("file\tsite\n" + "".join(f"{f}\t{s}\n" for f, s in sites.items()), encoding="utf-8")
    return GoldSet(name, pages, gold, manifest)


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    return load_cases(write_gold_set(tmp_path_factory.mktemp("gold")))


def labels(case) -> dict[tuple[str, str], tuple[int, int]]:
    return {(p.swedish.name, p.key): (case.partner[i], case.project[i]) for i, p in enumerate(case.analysis.pairs)}


def test_load_cases_reads_every_page_in_order_with_its_author_set(cases):
    assert [c.analysis.page.file for c in cases] == ["a01_card.txt", "a02_partner.txt", "b01_news.txt"]
    assert [c.site for c in cases] == ["fixtures:a", "fixtures:a", "fixtures:b"]
    assert {c.set for c in cases} == {"fixtures"}
    for c in cases:
        assert len(c.partner) == len(c.project) == len(c.analysis.pairs)
        assert len(c.title) == len(c.analysis.titles)


def test_a_gold_project_labels_its_pair_partner_and_project(cases):
    assert labels(cases[0]) == {("Tranås kommun", "nyeri"): (1, 1)}


def test_a_gold_partnership_labels_its_pair_partner_only_and_only_on_its_page(cases):
    # Nyeri is a gold project's partner of Tranås, but on another page: no label here
    assert labels(cases[1]) == {("Tranås kommun", "kisumu"): (1, 0), ("Tranås kommun", "nyeri"): (0, 0)}


def test_unscored_swedish_partners_let_any_body_of_the_page_match(cases):
    assert labels(cases[2]) == {("Mora kommun", "lusaka"): (1, 1)}


def test_title_labels(cases):
    titles = {t.text: y for t, y in zip(cases[0].analysis.titles, cases[0].title)}
    assert titles == {"Tranås and Nyeri, Kenya": 0, "Clean Markets for All": 1}
    assert not any(cases[1].title) and not any(cases[2].title)


def test_a_manifest_gives_each_page_its_site(tmp_path):
    gs = write_gold_set(tmp_path, "real", {"a01_card.txt": "tranas.se", "a02_partner.txt": "tranas.se",
                                           "b01_news.txt": "mora.se"})
    assert gs.available()
    assert [(c.set, c.site) for c in load_cases(gs)] == [("real", "tranas.se"), ("real", "tranas.se"),
                                                         ("real", "mora.se")]


def test_a_gold_set_without_its_pages_is_not_available(tmp_path):
    assert not GoldSet("real", tmp_path / "none", tmp_path / "none.gold.json").available()


def test_fit_is_deterministic(cases):
    first, second = fit(cases), fit(cases)
    assert first.to_json() == second.to_json()
    assert first.meta["pages"] == 3
    assert first.meta["partner"] == {"examples": 4, "positives": 3, "features": len(first.partner.weights)}
    assert first.meta["project"]["positives"] == 2 and first.meta["title"]["positives"] == 1
    assert all(first.heads[h].threshold == training.THRESHOLD for h in HEADS)


def test_fit_learns_the_labels_direction(cases):
    m = fit(cases)
    pairs = {(p.swedish.name, p.key): p for c in cases for p in c.analysis.pairs}
    yes, no = pairs[("Tranås kommun", "kisumu")], pairs[("Tranås kommun", "nyeri")]
    assert m.partner.probability(yes.features) > m.partner.probability(no.features)


def test_the_partner_head_never_reads_unproposed_features(cases):
    m = fit(cases)
    assert m.partner.weights and not [k for k in m.partner.weights if k.startswith(training.PROJECT_ONLY)]
    assert [k for k in m.project.weights if k.startswith(training.PROJECT_ONLY)]


def test_the_title_head_is_boosted_trees_that_are_sklearns_own(cases):
    from sklearn.ensemble import GradientBoostingClassifier

    feats = [{"a": 1.0, "b": 0.2}, {"a": 1.0}, {"b": 0.9}, {}, {"a": 0.3, "b": 0.5}, {"b": 0.1}]
    labels, weights = [1, 1, 0, 0, 1, 0], [1.0, 2.0, 1.0, 2.0, 1.0, 1.0]
    head = training.fit_trees(feats, labels, weights)
    assert isinstance(head, TreesHead) and len(head.trees) == training.TITLE_TREES
    gb = GradientBoostingClassifier(n_estimators=training.TITLE_TREES, max_depth=training.TITLE_DEPTH,
                                    learning_rate=training.TITLE_RATE, random_state=0)
    rows = [[f.get("a", 0.0), f.get("b", 0.0)] for f in feats]
    gb.fit(rows, labels, sample_weight=weights)
    for f, p in zip(feats, gb.predict_proba(rows)[:, 1]):
        assert head.probability(f) == pytest.approx(p, abs=1e-9)
    assert head.probability({"a": 1.0}) > 0.5 > head.probability({"b": 0.9})
    assert isinstance(fit(cases).title, TreesHead)
    assert training.fit_trees([{"a": 1.0}], [0], [1.0]) == TreesHead((), -4.0, training.THRESHOLD)


def test_a_head_with_one_label_only_is_a_constant():
    h = training.fit_head([{"a": 1.0}, {"b": 1.0}], [0, 0], [1.0, 1.0], 0.5)
    assert h == Head({}, -4.0, training.THRESHOLD)
    assert training.fit_head([{"a": 1.0}], [1], [1.0], 0.5).bias == 4.0


def test_cross_validate_never_scores_a_page_with_a_model_trained_on_its_site(tmp_path, monkeypatch, cases):
    real = load_cases(write_gold_set(tmp_path, "real", {"a01_card.txt": "tranas.se", "a02_partner.txt": "tranas.se",
                                                        "b01_news.txt": "mora.se"}))
    others = cases
    trained: dict[int, list[tuple[str, str]]] = {}
    decided: list[tuple[str, str, int]] = []

    def fake_fit(train, **_kw):
        m = PairModel({h: Head({}, 0.0, 0.5) for h in HEADS}, {"fold": len(trained)})
        trained[id(m)] = [(c.set, c.analysis.page.file) for c in train]
        return m

    real_decide = training.decide

    def spy_decide(analysis, model):
        site = next(c.site for c in real if c.analysis is analysis)
        decided.append((analysis.page.file, site, id(model)))
        return real_decide(analysis, model)

    monkeypatch.setattr(training, "fit", fake_fit)
    monkeypatch.setattr(training, "decide", spy_decide)
    results, stage = cross_validate(real, others)
    assert len(trained) == 2  # one fold per site
    assert sorted(f for f, _s, _m in decided) == ["a01_card.txt", "a02_partner.txt", "b01_news.txt"]
    site_of = {c.analysis.page.file: c.site for c in real}
    for file, site, model_id in decided:
        train = trained[model_id]
        real_files = {f for s, f in train if s == "real"}
        assert not {f for f in real_files if site_of[f] == site}, f"{file} scored by a model that saw its site"
        assert real_files == {f for f, s in site_of.items() if s != site}  # every other site's pages
        assert sum(1 for s, _f in train if s == "fixtures") == len(others)  # and all the other sets
    assert len(results) == 3 and stage["pairs"] == sum(len(c.analysis.pairs) for c in real)


def test_the_band_cross_validates_the_real_pages_once_per_strength(monkeypatch, cases):
    seen: list[float] = []

    def fake_cross_validate(real, others, **fit_args):
        seen.append(fit_args["c"])
        return [], {}

    monkeypatch.setattr(training, "cross_validate", fake_cross_validate)
    monkeypatch.setattr(training, "score_set", lambda gold, results: f"scored {seen[-1]}")
    gold = GoldSet("real", Path("pages"), Path("gold.json"))
    assert training.cross_validated_band(cases, [], gold, (0.35, 0.7)) == {0.35: "scored 0.35", 0.7: "scored 0.7"}
    assert seen == [0.35, 0.7]


@pytest.mark.parametrize("value", ["x", "0.5,-1", ","])
def test_the_band_takes_positive_numbers_only(value, capsys):
    with pytest.raises(SystemExit) as exc:
        training.main(["eval", "--band", value])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "--band" in err and ("positive numbers" in err or "not a list of numbers" in err)
