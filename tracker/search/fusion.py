"""Reciprocal-rank fusion: combine rankings by rank, not by their incomparable scores (Cormack et al. 2009)."""

from __future__ import annotations

from collections.abc import Sequence

# Chosen on the dev queries (scripts/tune_search.py): k = 10 with equal weights beat the classic k = 60 there
# (nDCG@10 0.759 vs 0.753 averaged over the two known-item sets; BM25 weight 0.5-1.5 tried).
RRF_K = 10
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 1.0


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], weights: Sequence[float] | None = None,
                           k: int = RRF_K) -> list[tuple[int, float]]:
    """Fuse rankings (each a list of item ids, best first) into ``[(item, score)]``, best first.

    An item scores ``sum(weight / (k + rank))`` over the rankings that hold it (rank from 1). Ties are broken
    by the item id so the order is deterministic.
    """
    weights = list(weights) if weights is not None else [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return sorted(fused.items(), key=lambda pair: (-pair[1], pair[0]))
