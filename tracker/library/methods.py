"""The rankings tried for "For you", over arrays: candidates' and the library's unit MiniLM vectors.

Each method gives every candidate a score from its cosines to the library's papers (``because`` names the
closest ones whatever the method); the evaluation (``scripts/eval_recommend.py``, README "For you") chose the
default. What they model:

- ``mean``: cosine to the mean of the library's vectors, the plain baseline (zotero-arxiv-daily's score, up to
  its recency weights): one interest, the library's centre;
- ``max``: the nearest library paper (arxiv-sanity's "more like this" for a whole library): every paper an
  interest of its own, and one stray paper pulls in its neighbourhood;
- ``topk``: the mean of the ``topk`` nearest library papers: like ``max``, but a candidate must be near a few of
  them, so one stray paper counts less;
- ``clusters``: k-means of the library (``cluster_count`` interests), cosine to the nearest interest's centre;
- ``mix``: the same interests, each given a share of the list in proportion to its papers (a library of two
  interests gets both in its top 20, whichever is larger);
- ``recency``: ``mean`` with each library paper weighted ``0.5 ** (age / half_life)``, age in days before the
  library's newest paper: interests drift;
- ``bm25``: the lexical baseline: each library paper's words as a BM25 query, the scores summed.

Scores are computed in chunks of candidates, so "all time" against a library of 2,000 papers stays within a few
hundred MB.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tracker.search.compact import kmeans
from tracker.search.index import top_rows
from tracker.search.lexical import LexicalIndex

VECTOR_METHODS = ("mean", "max", "topk", "clusters", "mix", "recency")
CHUNK = 4096  # candidates scored at once: CHUNK x library cosines in memory


@dataclass(frozen=True)
class MethodSettings:
    """Chosen on the dev split of the evaluation (``scripts/eval_recommend.py --tune``, README "For you"): top-3
    (2 was as good, within 0.01, and 3 is ahead by 0.02-0.05 on small topic libraries; 1 = max, 5 and 8 are
    behind); a half-life of 90 days beat 30, 180 and 365; an interest per 2 library papers beat one per 4 and 8."""

    topk: int = 3
    half_life_days: float = 90.0
    max_clusters: int = 8
    papers_per_cluster: int = 2  # k = ceil(papers / this) interests, at most max_clusters
    because: int = 2


DEFAULT_SETTINGS = MethodSettings()


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    out = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return (out / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def _chunks(count: int) -> range:
    return range(0, count, CHUNK)


def cluster_count(papers: int, settings: MethodSettings = DEFAULT_SETTINGS) -> int:
    return max(1, min(settings.max_clusters, math.ceil(papers / settings.papers_per_cluster)))


def interests(library: np.ndarray, settings: MethodSettings = DEFAULT_SETTINGS) -> tuple[np.ndarray, np.ndarray]:
    """``(centres, sizes)``: spherical k-means of the library (fixed seed), each centre of unit length."""
    count = cluster_count(len(library), settings)
    if count == 1:
        return unit_rows(library.mean(axis=0, keepdims=True)), np.array([len(library)])
    centres = unit_rows(kmeans(library, count, spherical=True))
    assigned = np.argmax(library @ centres.T, axis=1)
    sizes = np.bincount(assigned, minlength=count)
    keep = sizes > 0
    return centres[keep], sizes[keep]


def recency_weights(ages_days: np.ndarray, settings: MethodSettings = DEFAULT_SETTINGS) -> np.ndarray:
    ages = np.asarray(ages_days, dtype=np.float64)
    return np.power(0.5, np.maximum(ages, 0.0) / settings.half_life_days)


def vector_scores(method: str, candidates: np.ndarray, library: np.ndarray, ages_days: np.ndarray | None = None,
                  settings: MethodSettings = DEFAULT_SETTINGS) -> np.ndarray:
    """float32 score per candidate (rows of unit vectors) for a method other than ``mix`` and ``bm25``."""
    if method in ("mean", "recency"):
        weights = np.ones(len(library)) if method == "mean" or ages_days is None else recency_weights(ages_days,
                                                                                                     settings)
        centre = (library * (weights / weights.sum())[:, None].astype(np.float32)).sum(axis=0)
        return (candidates @ centre).astype(np.float32)
    if method == "clusters":
        centres, _ = interests(library, settings)
        return (candidates @ centres.T).max(axis=1).astype(np.float32)
    out = np.zeros(len(candidates), dtype=np.float32)
    take = min(settings.topk, len(library))
    for start in _chunks(len(candidates)):
        sims = candidates[start : start + CHUNK] @ library.T
        if method == "max":
            out[start : start + CHUNK] = sims.max(axis=1)
        elif method == "topk":
            best = np.partition(sims, len(library) - take, axis=1)[:, len(library) - take :]
            out[start : start + CHUNK] = best.mean(axis=1)
        else:
            raise ValueError(f"unknown ranking {method!r}")
    return out


def mix_ranking(candidates: np.ndarray, library: np.ndarray, k: int,
                settings: MethodSettings = DEFAULT_SETTINGS) -> list[tuple[int, float]]:
    """``[(position, cosine to its interest)]``: each interest fills its share of the list (largest share of the
    slots still owed first: Sainte-Laguë), taking its best candidate not yet listed."""
    centres, sizes = interests(library, settings)
    k = min(k, len(candidates))
    sims = candidates @ centres.T
    queues = [top_rows(sims[:, j], k) for j in range(len(centres))]
    cursor = [0] * len(centres)
    taken = [0] * len(centres)
    listed: set[int] = set()
    out: list[tuple[int, float]] = []
    while len(out) < k:
        open_ = [j for j in range(len(centres)) if cursor[j] < len(queues[j])]
        if not open_:
            break
        j = max(open_, key=lambda c: (sizes[c] / (2 * taken[c] + 1), -c))
        while cursor[j] < len(queues[j]) and int(queues[j][cursor[j]]) in listed:
            cursor[j] += 1
        if cursor[j] == len(queues[j]):
            continue
        position = int(queues[j][cursor[j]])
        listed.add(position)
        taken[j] += 1
        out.append((position, float(sims[position, j])))
    return out


def bm25_scores(lexical: LexicalIndex, texts: Sequence[tuple[str, str]]) -> np.ndarray:
    """BM25 of every indexed document against each library text as a query (each word once), summed."""
    weight: dict[int, int] = {}
    for title, abstract in texts:
        for token in set(lexical.tokens(f"{title} {abstract}")):
            column = lexical.vocabulary.get(token)
            if column is not None:
                weight[column] = weight.get(column, 0) + 1
    out = np.zeros(len(lexical.ids), dtype=np.float32)
    for column, count in weight.items():
        start, end = lexical.indptr[column], lexical.indptr[column + 1]
        out[lexical.indices[start:end]] += count * lexical.data[start:end]
    return out


def because(candidate: np.ndarray, library: np.ndarray, count: int) -> list[int]:
    """Positions of the ``count`` library papers closest to one candidate, closest first (ties: lower first)."""
    return [int(i) for i in top_rows((library @ candidate).astype(np.float32), count)]
