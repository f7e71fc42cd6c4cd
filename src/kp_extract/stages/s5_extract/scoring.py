"""Scoring: the trained model that decides what the rules and the candidates propose.

Two logistic heads read the features of a (Swedish body, partner abroad) pair of a page
(extract/features.py): *partner* scores "these two are partners here" (a partnership record),
*project* scores "the page tells of a project of theirs" (a project record); a third, *title*,
reads a title candidate's (extract/titles.py): "this is a project's own name". Their weights are
a data file, ``data/pair_model.json``, written by ``make train`` (kp_extract.training) from the
gold files; nothing here learns. A feature the file does not know weighs nothing, so a model
trained before a feature was added still loads.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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
        parts = sorted(((self.weights.get(k, 0.0) * v, k) for k, v in features.items()), reverse=True)
        pro = [f"+{k}" for c, k in parts if c > 0][:n]
        con = [f"-{k}" for c, k in reversed(parts) if c < 0][:n // 2]
        return pro + con


@dataclass(frozen=True)
class PairModel:
    """The three heads: partner and project read a pair's features, title a title candidate's."""

    heads: dict[str, Head]
    meta: dict

    @property
    def partner(self) -> Head:
        return self.heads["partner"]

    @property
    def project(self) -> Head:
        return self.heads["project"]

    @property
    def title(self) -> Head:
        return self.heads["title"]

    def to_json(self) -> str:
        def head(h: Head) -> dict:
            return {"bias": round(h.bias, 6), "threshold": round(h.threshold, 4),
                    "weights": {k: round(v, 6) for k, v in sorted(h.weights.items()) if round(v, 6) != 0.0}}
        data = {"meta": self.meta, **{name: head(self.heads[name]) for name in HEADS}}
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, data: dict) -> "PairModel":
        def head(d: dict) -> Head:
            return Head({k: float(v) for k, v in d["weights"].items()}, float(d["bias"]), float(d["threshold"]))
        return cls({name: head(data[name]) for name in HEADS}, dict(data.get("meta", {})))


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
