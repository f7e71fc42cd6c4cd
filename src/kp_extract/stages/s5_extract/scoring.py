"""Scoring: the trained model that decides what the rules and the candidates propose.

Two logistic heads read the features of a (Swedish body, partner abroad) pair of a page
(extract/features.py): *partner* scores "these two are partners here" (a partnership record),
*project* scores "the page tells of a project of theirs" (a project record); a third, *title*,
reads a title candidate's (extract/titles.py): "this is a project's own name". The title head is
a sum of small decision trees (gradient boosting): whether a heading names a project depends on
where it stands (a listing's card, a news page's headline), which a sum of weights cannot say.
The heads are a data file, ``data/pair_model.json``, written by ``make train``
(kp_extract.training) from the gold files; nothing here learns. A feature the file does not know
weighs nothing (a tree reads it as 0), so a model trained before a feature was added still loads.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from kp_extract import DATA_DIR
MODEL_FILE = DATA_DIR / "pair_model.json"
HEADS = ("partner", "project", "title")


@dataclass(frozen=True)
class Head:
    """One logistic head: P(yes) = 1 / (1 + exp(-(bias + sum(weight * feature))))."""

    weights: dict[str, float]
    bias: float
    threshold: float

    def margin(self, features: dict[str, float]) -> float:
        w = self.weights
        return self.bias + sum(w.get(k, 0.0) * v for k, v in features.items())

    def probability(self, features: dict[str, float]) -> float:
        z = self.margin(features)
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0

    def reasons(self, features: dict[str, float], n: int = 4) -> list[str]:
        """The features that weigh most for (+) and against (-) this pair, strongest first."""
        return _strongest([(self.weights.get(k, 0.0) * v, k) for k, v in features.items()], n)

    def to_dict(self) -> dict:
        return {"bias": round(self.bias, 6), "threshold": round(self.threshold, 4),
                "weights": {k: round(v, 6) for k, v in sorted(self.weights.items()) if round(v, 6) != 0.0}}


def _strongest(parts: list[tuple[float, str]], n: int) -> list[str]:
    """'+feature' for the n that count most for, '-feature' for the n // 2 that count most against."""
    parts = sorted(parts, reverse=True)
    pro = [f"+{k}" for c, k in parts if c > 0][:n]
    con = [f"-{k}" for c, k in reversed(parts) if c < 0][:n // 2]
    return pro + con


@dataclass(frozen=True)
class Tree:
    """One regression tree, its nodes in arrays: node i splits on feature[i] at threshold[i] (the left child
    takes values <= it) unless left[i] is -1 (a leaf); value[i] is the node's output (a leaf's) or the
    sample-weighted mean of the leaves under it (an inner node's, for the reasons)."""

    feature: tuple[str, ...]   # "" at a leaf
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]

    def path(self, features: dict[str, float]) -> list[int]:
        """The nodes from the root to the leaf the features reach."""
        i, out = 0, [0]
        while self.left[i] != -1:
            i = self.left[i] if features.get(self.feature[i], 0.0) <= self.threshold[i] else self.right[i]
            out.append(i)
        return out

    def to_dict(self) -> dict:
        return {"feature": list(self.feature), "threshold": [round(t, 6) for t in self.threshold],
                "left": list(self.left), "right": list(self.right), "value": [round(v, 6) for v in self.value]}

    @classmethod
    def from_dict(cls, d: dict) -> "Tree":
        return cls(tuple(d["feature"]), tuple(float(t) for t in d["threshold"]), tuple(d["left"]), tuple(d["right"]),
                   tuple(float(v) for v in d["value"]))


@dataclass(frozen=True)
class TreesHead:
    """A boosted head: P(yes) = 1 / (1 + exp(-(bias + the sum of each tree's leaf)))."""

    trees: tuple[Tree, ...]
    bias: float
    threshold: float

    def margin(self, features: dict[str, float]) -> float:
        return self.bias + sum(t.value[t.path(features)[-1]] for t in self.trees)

    def probability(self, features: dict[str, float]) -> float:
        z = self.margin(features)
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0

    def reasons(self, features: dict[str, float], n: int = 4) -> list[str]:
        """The features whose splits moved this candidate's score most, up (+) and down (-): each step
        down a tree counts the change of the node's value for the feature it split on. Unlike a logistic
        head's, a feature the candidate lacks can be a reason: '+names_country' then says that naming no
        country raised it."""
        moved: dict[str, float] = {}
        for t in self.trees:
            path = t.path(features)
            for a, b in zip(path, path[1:]):
                moved[t.feature[a]] = moved.get(t.feature[a], 0.0) + t.value[b] - t.value[a]
        return _strongest([(v, k) for k, v in moved.items()], n)

    def to_dict(self) -> dict:
        return {"bias": round(self.bias, 6), "threshold": round(self.threshold, 4),
                "trees": [t.to_dict() for t in self.trees]}


class AnyHead(Protocol):
    """What the records read of a head (Head and TreesHead)."""

    @property
    def threshold(self) -> float: ...
    def margin(self, features: dict[str, float]) -> float: ...
    def probability(self, features: dict[str, float]) -> float: ...
    def reasons(self, features: dict[str, float], n: int = 4) -> list[str]: ...
    def to_dict(self) -> dict: ...


def head_from_dict(d: dict) -> AnyHead:
    """A head as to_dict wrote it: trees when it has them, else weights."""
    if "trees" in d:
        return TreesHead(tuple(Tree.from_dict(t) for t in d["trees"]), float(d["bias"]), float(d["threshold"]))
    return Head({k: float(v) for k, v in d["weights"].items()}, float(d["bias"]), float(d["threshold"]))


@dataclass(frozen=True)
class PairModel:
    """The three heads: partner and project read a pair's features, title a title candidate's."""

    heads: dict[str, AnyHead]
    meta: dict

    @property
    def partner(self) -> AnyHead:
        return self.heads["partner"]

    @property
    def project(self) -> AnyHead:
        return self.heads["project"]

    @property
    def title(self) -> AnyHead:
        return self.heads["title"]

    def to_json(self) -> str:
        """The model as the data file holds it: one key per line, except a tree, which is one line of its own
        (a boosted head has a hundred of them: a line per number would bury the weights)."""
        data = {"meta": self.meta, **{name: self.heads[name].to_dict() for name in HEADS}}
        trees: list[str] = []
        for d in data.values():
            for i, t in enumerate(d.get("trees", ())):
                d["trees"][i] = f"@tree{len(trees)}@"
                trees.append(json.dumps(t, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
        out = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        return re.sub(r'"@tree(\d+)@"', lambda m: trees[int(m.group(1))], out)

    @classmethod
    def from_dict(cls, data: dict) -> "PairModel":
        return cls({name: head_from_dict(data[name]) for name in HEADS}, dict(data.get("meta", {})))


class ModelError(RuntimeError):
    """The model file is missing or not a model."""


def load_model(path: Path | str | None = None) -> PairModel:
    """The model in `path` (default: the package's data/pair_model.json)."""
    return _load(str(path or MODEL_FILE))


@lru_cache(maxsize=4)
def _load(path: str) -> PairModel:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return PairModel.from_dict(data)
    except FileNotFoundError:
        raise ModelError(f"no model file at {path}: run `make train`") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{path} is not a pair model: {exc}") from None
