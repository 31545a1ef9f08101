"""Fuse lexical and dense candidate scores: weighted normalised scores (default) or RRF."""
from __future__ import annotations

RRF_K = 60


def weighted(lexical: dict[int, float], dense: dict[int, float], lexical_weight: float) -> dict[int, float]:
    """Lexical scaled by its best score; cosines min-max scaled over the dense candidates.

    Lexical stays in charge: a passage with no lexical match can only win on a strong dense lead.
    """
    top = max(lexical.values(), default=0.0) or 1.0
    low, high = min(dense.values(), default=0.0), max(dense.values(), default=0.0)
    span = (high - low) or 1.0
    rows = lexical.keys() | dense.keys()
    return {
        r: lexical_weight * lexical.get(r, 0.0) / top
        + (1 - lexical_weight) * max(0.0, dense.get(r, low) - low) / span
        for r in rows
    }


def rrf(*rankings: dict[int, float]) -> dict[int, float]:
    fused: dict[int, float] = {}
    for scores in rankings:
        for rank, row in enumerate(sorted(scores, key=scores.get, reverse=True)):
            fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank + 1)
    return fused
