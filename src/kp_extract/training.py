"""Training and honest evaluation of the pair model: `make train` and `make eval`.

The model (extract/scoring.py) is fitted on the pairs of every page of the gold sets: the real
pages of ``../shared/real`` (when present), the invented fixture pages and the seeds. A pair's
labels come from the gold: *partner* when a gold partnership or project of that page pairs the
same Swedish body with the same partner abroad, *project* when a gold project of that page does.

`train` writes data/pair_model.json; it is deterministic for given gold files and code (sorted
pages, sorted features, a fixed solver; weights rounded). `evaluate` scores the seeds and the
fixture pages with the shipped model, and the real pages **cross-validated by site**: each
site's pages are decided by a model trained on every other site's pages (and on the fixtures and
seeds), so no page is scored by a model that saw it; the out-of-fold records of all sites are
then deduplicated together and scored like a run.

    python -m kp_extract.training train [--out PATH]
    python -m kp_extract.training eval [--json]
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kp_extract.stages.s2_clean import clean_page
from kp_extract.stages.s6_dedupe import dedupe
from kp_extract.review.evaluate import EvaluationReport, evaluate_records, load_gold, partner_key as gold_key, title_similarity
from kp_extract.outputs.records import partnership_to_dict, project_to_dict
from kp_extract.stages.s5_extract import PageAnalysis, analyse, decide
from kp_extract.stages.s5_extract.scoring import HEADS, MODEL_FILE, AnyHead, Head, PairModel, Tree, TreesHead, load_model
from kp_extract.stages.s4_language import assign_languages
from kp_extract.model import Mention, PartnershipMention
from kp_extract.lexicon.partners import generic_words
from kp_extract.stages.s1_read import page_from_bytes
from kp_extract.stages.s3_segment import segment_page

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
C = 0.5            # inverse regularisation strength of the logistic heads (partner, project)
# the title head's boosting: small trees, slowly. Measured on the real pages cross-validated by site (title
# F1 0.685 with a logistic head): 150 trees of depth 3 0.737, 100 of depth 2 and 300 of depth 3 about the same
TITLE_TREES, TITLE_DEPTH, TITLE_RATE = 150, 3, 0.05
REAL_WEIGHT = 2.0  # a real page's pairs count this much more than an invented page's
THRESHOLD = 0.5
PROJECT_ONLY = "unproposed:"  # features only the project head reads (extract/features.py)
TITLE_MATCH = 0.85  # the scorer's title similarity at which a candidate is a gold title


@dataclass(frozen=True)
class GoldSet:
    name: str
    pages: Path
    gold: Path
    manifest: Path | None = None  # file -> site (real pages); without one, each set is one site

    def available(self) -> bool:
        return self.pages.is_dir() and self.gold.is_file()


def gold_sets(repo: Path = REPO, shared: Path = SHARED) -> list[GoldSet]:
    """The gold sets, in a fixed order: seeds, fixture pages, real pages."""
    return [
        GoldSet("seeds", repo / "raw", repo / "tests" / "fixtures" / "seeds.gold.json"),
        GoldSet("fixtures", repo / "tests" / "fixtures" / "pages", repo / "tests" / "fixtures" / "pages.gold.json"),
        GoldSet("real", shared / "real" / "pages", shared / "real" / "real.gold.json",
                shared / "real" / "MANIFEST.tsv"),
    ]


@dataclass
class PageCase:
    """One page of a gold set: its analysis, its site, and the labels of its pairs."""

    set: str
    site: str
    analysis: PageAnalysis
    partner: list[int] = field(default_factory=list)
    project: list[int] = field(default_factory=list)
    title: list[int] = field(default_factory=list)


def _sites(gs: GoldSet) -> dict[str, str]:
    if gs.manifest is None or not gs.manifest.is_file():
        return {}
    with open(gs.manifest, encoding="utf-8", newline="") as fh:
        return {row["file"]: row["site"] for row in csv.DictReader(fh, delimiter="\t")}


def analyse_file(path: Path, root: Path) -> PageAnalysis:
    """read -> clean -> segment -> language -> analyse, for one page dump."""
    page = clean_page(page_from_bytes(path.read_bytes(), path, root))
    return analyse(page, assign_languages(segment_page(page)))


def _same_partner(a: str, b: str) -> bool:
    """Whether two names abroad name one partner: the same scoring key, or keys that differ only by
    local-government words ('Probolinggo' / 'Kota Probolinggo'); never a longer run that only contains
    the name ('Lobatse Bollnäs')."""
    ka, kb = gold_key(a), gold_key(b)
    if ka == kb:
        return True
    wa, wb = set(ka.split()), set(kb.split())
    extra = (wa - wb) | (wb - wa)
    return bool(wa and wb) and (wa <= wb or wb <= wa) and extra <= generic_words()


def load_cases(gs: GoldSet) -> list[PageCase]:
    """Every page of a gold set, analysed and labelled."""
    projects, partnerships = load_gold(gs.gold)
    sites = _sites(gs)
    by_file: dict[str, list[tuple[str, list[str], list[str]]]] = {}
    titles: dict[str, list[str]] = {}
    for p in projects:
        sw = [] if "swedish_partners" in p.get("unscored", []) else list(p.get("swedish_partners") or [])
        for src in p.get("sources") or []:
            by_file.setdefault(_file(src), []).append(("project", sw, list(p.get("international_partners") or [])))
            if p.get("title"):
                titles.setdefault(_file(src), []).append(p["title"])
    for p in partnerships:
        for src in p.get("sources") or []:
            by_file.setdefault(_file(src), []).append(("partner", [p["swedish_partner"]], [p["international_partner"]]))
    cases = []
    for path in sorted(gs.pages.glob("*.txt")):
        analysis = analyse_file(path, gs.pages)
        # the group a page is held out with: its site (real pages), else its author's set ('a'...'g' of the
        # fixture pages, each written by another author) or its gold set
        site = sites.get(path.name, path.name) if sites else f"{gs.name}:{_author_set(path.name, gs.name)}"
        case = PageCase(gs.name, site, analysis)
        gold = by_file.get(path.name, [])
        for pair in analysis.pairs:
            is_project = any(kind == "project" and (not sw or pair.swedish.name in sw)
                             and any(_same_partner(pair.name, f) for f in intl) for kind, sw, intl in gold)
            is_partner = is_project or any(kind == "partner" and pair.swedish.name in sw
                                           and any(_same_partner(pair.name, f) for f in intl)
                                           for kind, sw, intl in gold)
            case.partner.append(int(is_partner))
            case.project.append(int(is_project))
        for t in analysis.titles:
            case.title.append(int(any(title_similarity(t.text, g) >= TITLE_MATCH for g in titles.get(path.name, []))))
        cases.append(case)
    return cases


def _author_set(file: str, default: str) -> str:
    head = file.split("_", 1)[0]
    return head.rstrip("0123456789") or default if "_" in file else default


def _file(src) -> str:
    name = src.get("file", "") if isinstance(src, dict) else str(src).rsplit(":", 1)[0]
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _examples(cases: list[PageCase], head: str, real_weight: float) -> tuple[list[dict], list[int], list[float]]:
    feats: list[dict] = []
    labels: list[int] = []
    weights: list[float] = []
    for case in cases:
        w = real_weight if case.set == "real" else 1.0
        items: list[Any] = case.analysis.titles if head == "title" else case.analysis.pairs
        ys = getattr(case, head)
        for obj, y in zip(items, ys):
            feats.append(obj.features if head != "partner" else
                         {k: v for k, v in obj.features.items() if not k.startswith(PROJECT_ONLY)})
            labels.append(y)
            weights.append(w)
    return feats, labels, weights


def _matrix(feats: list[dict]) -> tuple[list[str], list[list[float]]]:
    """The examples' feature names in sorted order, and a row of their values (0 where absent) per example:
    the same examples give the same columns, so a fit is deterministic."""
    names = sorted({k for f in feats for k in f})
    return names, [[f.get(k, 0.0) for k in names] for f in feats]


def _constant_bias(labels: list[int]) -> float | None:
    """A head's bias when its examples have one label only (nothing to fit): sure of it; else None."""
    return None if len(set(labels)) > 1 else (4.0 if any(labels) else -4.0)


def fit_head(feats: list[dict], labels: list[int], weights: list[float], c: float) -> Head:
    """One logistic head (scikit-learn's logistic regression, lbfgs), features in sorted order."""
    from sklearn.linear_model import LogisticRegression

    constant = _constant_bias(labels)
    if constant is not None:
        return Head({}, constant, THRESHOLD)
    names, rows = _matrix(feats)
    lr = LogisticRegression(C=c, solver="lbfgs", max_iter=5000)
    lr.fit(rows, labels, sample_weight=weights)
    return Head({k: float(w) for k, w in zip(names, lr.coef_[0])}, float(lr.intercept_[0]), THRESHOLD)


def fit_trees(feats: list[dict], labels: list[int], weights: list[float]) -> TreesHead:
    """One boosted head (scikit-learn's gradient boosting on the log-loss, features in sorted order, no
    sampling: the same examples give the same trees). Each tree's leaves are stored already multiplied
    by the learning rate, and its inner nodes carry the weighted mean of their leaves (TreesHead.reasons)."""
    from sklearn.ensemble import GradientBoostingClassifier

    constant = _constant_bias(labels)
    if constant is not None:
        return TreesHead((), constant, THRESHOLD)
    names, rows = _matrix(feats)
    gb = GradientBoostingClassifier(n_estimators=TITLE_TREES, max_depth=TITLE_DEPTH, learning_rate=TITLE_RATE,
                                    random_state=0)
    gb.fit(rows, labels, sample_weight=weights)
    prior = sum(w for w, y in zip(weights, labels) if y) / sum(weights)
    trees = []
    for (est,) in gb.estimators_:
        t = est.tree_
        leaf = [float(t.value[i].ravel()[0]) * TITLE_RATE for i in range(t.node_count)]
        mass = [float(t.weighted_n_node_samples[i]) for i in range(t.node_count)]
        value = list(leaf)
        for i in reversed(range(t.node_count)):  # children come after their parent in sklearn's arrays
            a, b = int(t.children_left[i]), int(t.children_right[i])
            if a != -1:
                value[i] = (value[a] * mass[a] + value[b] * mass[b]) / (mass[a] + mass[b])
        trees.append(Tree(tuple(names[f] if a != -1 else "" for f, a in zip(t.feature, t.children_left)),
                          tuple(float(x) if a != -1 else 0.0 for x, a in zip(t.threshold, t.children_left)),
                          tuple(int(x) for x in t.children_left), tuple(int(x) for x in t.children_right),
                          tuple(value)))
    return TreesHead(tuple(trees), math.log(prior / (1.0 - prior)), THRESHOLD)


def fit(cases: list[PageCase], c: float = C, real_weight: float = REAL_WEIGHT) -> PairModel:
    """The three heads, fitted on the cases' pairs and title candidates. Each head decides at
    probability THRESHOLD: a threshold picked for the best pair-level F1 on inner folds favoured recall
    so much that records lost more precision than they gained recall (measured: seeds 0.980 -> 0.953,
    fixture pages 0.960 -> 0.945, real pages' record F1 0.698 -> 0.697)."""
    heads: dict[str, AnyHead] = {}
    meta: dict[str, Any] = {"pages": len(cases), "C": c, "real_weight": real_weight}
    for h in HEADS:
        feats, labels, weights = _examples(cases, h, real_weight)
        if h == "title":
            trees = fit_trees(feats, labels, weights)
            heads[h] = trees
            used = len({f for t in trees.trees for f in t.feature if f})
        else:
            logistic = fit_head(feats, labels, weights, c)
            heads[h] = logistic
            used = len(logistic.weights)
        meta[h] = {"examples": len(labels), "positives": int(sum(labels)), "features": used}
    return PairModel(heads, meta)


def records(results: list, min_confidence: float | None = None, model: PairModel | None = None
            ) -> tuple[list[dict], list[dict]]:
    """The records a run would write from these page results, as dicts."""
    mentions: list[Mention] = []
    statements: list[PartnershipMention] = []
    for r, m in results:
        t_project = min_confidence if min_confidence is not None else m.project.threshold
        t_partner = min_confidence if min_confidence is not None else m.partner.threshold
        mentions.extend(x for x in r.mentions if x.confidence >= t_project)
        statements.extend(s for s in r.partnerships if s.confidence >= t_partner)
    projects, partnerships, _ = dedupe(mentions, statements)
    return [project_to_dict(p) for p in projects], [partnership_to_dict(p) for p in partnerships]


def score_set(gs: GoldSet, results: list) -> EvaluationReport:
    projects, partnerships = records(results)
    gold_projects, gold_partnerships = load_gold(gs.gold)
    return evaluate_records(projects, gold_projects, partnerships, gold_partnerships)


def cross_validate(real: list[PageCase], others: list[PageCase], **fit_args) -> tuple[list, dict]:
    """Out-of-fold results of the real pages (one fold per site) and per-stage counts."""
    results = []
    stage = {"pairs": 0, "partner_right": 0, "project_right": 0}
    for site in sorted({c.site for c in real}):
        train = others + [c for c in real if c.site != site]
        model = fit(train, **fit_args)
        for case in (c for c in real if c.site == site):
            res = decide(case.analysis, model)
            results.append((res, model))
            for i, p in enumerate(case.analysis.pairs):
                stage["pairs"] += 1
                stage["partner_right"] += int((model.partner.probability(p.features) >= model.partner.threshold)
                                              == bool(case.partner[i]))
                stage["project_right"] += int((model.project.probability(p.features) >= model.project.threshold)
                                              == bool(case.project[i]))
    return results, stage


def candidate_recall(gs: GoldSet, cases: list[PageCase]) -> tuple[int, int, int]:
    """(gold partners abroad written on their page that are among the page's candidates, those written,
    all gold partners abroad of the pages) over distinct (file, partner key)."""
    from kp_extract.review.evaluate import norm

    projects, partnerships = load_gold(gs.gold)
    wanted: set[tuple[str, str]] = set()
    for p in projects:
        for src in p.get("sources") or []:
            wanted.update((_file(src), gold_key(n)) for n in p.get("international_partners") or [])
    for p in partnerships:
        for src in p.get("sources") or []:
            wanted.add((_file(src), gold_key(p["international_partner"])))
    found: dict[str, set[str]] = {}
    written: set[tuple[str, str]] = set()
    for case in cases:
        f = case.analysis.page.file
        found[f] = {gold_key(c.name) for c in case.analysis.candidates}
        text = norm(case.analysis.page.text)
        written.update((f, k) for ff, k in wanted if ff == f and f" {k} " in f" {text} ")
    hit = sum(1 for f, k in written if any(k == c or set(k.split()) <= set(c.split()) for c in found.get(f, ())))
    return hit, len(written), len(wanted)


class GoldMissing(RuntimeError):
    """A gold set the model is trained on is not where it should be."""


def fitted_model(sets: list[GoldSet] | None = None) -> PairModel:
    """The model fitted on every gold set, with what it was fitted on in its meta (the gold files' hash).
    Every set must be there: a model fitted without the real pages would silently be another model."""
    sets = gold_sets() if sets is None else sets
    missing = [gs for gs in sets if not gs.available()]
    if missing:
        raise GoldMissing("gold set(s) not found: " + ", ".join(f"{gs.name} ({gs.pages})" for gs in missing)
                          + "; the model is trained on all of them (../shared/real sits beside the repository)")
    model = fit([c for gs in sets for c in load_cases(gs)])
    digest = hashlib.sha256()
    for gs in sets:
        digest.update(gs.gold.read_bytes())
    return PairModel(model.heads, dict(model.meta, gold_sha256=digest.hexdigest(), sets=[gs.name for gs in sets]))


def train(out: Path = MODEL_FILE) -> PairModel:
    """Fit the model (fitted_model) and write it to `out`."""
    model = fitted_model()
    Path(out).write_text(model.to_json(), encoding="utf-8")
    return model


def cross_validated_band(real: list[PageCase], others: list[PageCase], gold: GoldSet,
                         cs: tuple[float, ...]) -> dict[float, EvaluationReport]:
    """The real pages cross-validated by site again at each regularisation strength in cs. Why: on 112
    pages the cross-validated figure moves by about 0.01 when one pair's feature changes (a few pairs
    weigh a lot), so a change judged by the one figure at C alone can be judged by chance; the figures
    at neighbouring strengths, and their mean, say whether it moved them all."""
    return {c: score_set(gold, cross_validate(real, others, c=c)[0]) for c in cs}


def evaluate_all(verbose: bool = True, band: tuple[float, ...] = ()) -> dict:
    """Scores of the seeds and fixtures (shipped model) and of the real pages (cross-validated by site),
    and, for each C of band, the real pages cross-validated at that C (cross_validated_band)."""
    out: dict = {}
    sets = {gs.name: gs for gs in gold_sets()}
    cases = {name: load_cases(gs) for name, gs in sets.items() if gs.available()}
    shipped = load_model()
    for name in ("seeds", "fixtures"):
        if name in cases:
            rep = score_set(sets[name], [(decide(c.analysis, shipped), shipped) for c in cases[name]])
            out[name] = rep
    if "real" in cases:
        others = cases.get("seeds", []) + cases.get("fixtures", [])
        results, stage = cross_validate(cases["real"], others)
        out["real (cross-validated by site)"] = score_set(sets["real"], results)
        for c, rep in cross_validated_band(cases["real"], others, sets["real"], band).items():
            out[f"real (cross-validated, C {c:g})"] = rep
        hit, written, wanted = candidate_recall(sets["real"], cases["real"])
        out["stages"] = dict(stage, candidate_hit=hit, candidate_written=written, candidate_wanted=wanted)
    elif verbose:
        print(f"real pages not found at {sets['real'].pages}: cross-validated evaluation skipped", file=sys.stderr)
    return out


def _strengths(text: str) -> tuple[float, ...]:
    """--band's value: positive numbers separated by commas."""
    try:
        cs = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r} (write e.g. 0.35,0.7)") from None
    if not cs or any(c <= 0 for c in cs):
        raise argparse.ArgumentTypeError(f"regularisation strengths are positive numbers: {text!r}")
    return cs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kp_extract.training", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="fit the pair model on every gold set and write it")
    t.add_argument("--out", type=Path, default=MODEL_FILE)
    e = sub.add_parser("eval", help="score seeds and fixtures, and the real pages cross-validated by site")
    e.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    e.add_argument("--show-misses", action="store_true")
    e.add_argument("--band", type=_strengths, default=(), metavar="C[,C...]",
                   help=f"also cross-validate the real pages at these regularisation strengths (the model's is "
                        f"{C:g}) and print the mean of the figures at all of them: a change that is real moves "
                        f"them all, one that only moves the figure at {C:g} may be chance")
    a = ap.parse_args(argv)
    if a.cmd == "train":
        try:
            model = train(a.out)
        except GoldMissing as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"wrote {a.out}: {model.meta['pages']} pages; " + ", ".join(
            f"{h}: {model.meta[h]['examples']} examples, {model.meta[h]['positives']} positive" for h in HEADS))
        return 0
    res = evaluate_all(band=a.band)
    if a.json:
        print(json.dumps({k: (v.to_dict() if isinstance(v, EvaluationReport) else v) for k, v in res.items()},
                         indent=1))
        return 0
    for name, rep in res.items():
        if isinstance(rep, EvaluationReport):
            print(f"{name:32} {rep.summary_line()}")
            if a.show_misses:
                print("\n".join("    " + m for m in rep.misses))
    real = [rep for name, rep in res.items() if name.startswith("real (cross-validated")]
    if a.band and len(real) > 1:
        field, record, part = (sum(getattr(r, k).f1 for r in real) / len(real)
                               for k in ("overall", "records", "partnerships"))
        print(f"{'real (cross-validated), mean':32} over C {', '.join(f'{c:g}' for c in (C, *a.band))}: field "
              f"micro-F1 {field:.3f}, record F1 {record:.3f}, partnerships F1 {part:.3f}")
    st = res.get("stages")
    if st:
        print(f"real pages, stages: candidate recall {st['candidate_hit']}/{st['candidate_written']} "
              f"(partners written on their page; {st['candidate_wanted']} in the gold), "
              f"pairs scored right as partners {st['partner_right']}/{st['pairs']}, "
              f"as projects {st['project_right']}/{st['pairs']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
