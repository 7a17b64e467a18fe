"""For you, as the site's page ranks it: the Python the page's JavaScript mirrors, line for line.

CONTRACT with ``tracker/site/web/`` (the For-you page). Everything here is computed from the files the page
downloads, nothing else; ``llm-atlas recommend --method site`` runs exactly this (``tracker.library.recommend``),
so the page's ranking is measured (README "For you"). Keep it small: every rule below has a JavaScript twin.

**Data** (the search bundle, ``docs/generated/search/``; written by ``tracker.site.search_bundle``):

- ``manifest.json`` → ``"codes"``: ``{"chunk": 256, "row_bytes": 34, "hashes": "<8 hex chars per chunk>",
  "residual_scale": 1.25, "method": "topk", "topk": 3, "weeks": [[ISO week, first row, end row], ...]}`` (the
  three settings are this file's ``RESIDUAL_SCALE``, ``METHOD`` and ``TOPK``, so the page follows them). Rows
  are *site rows*: papers in (date, id) order, the same rows as the search metadata (``p/`` files). Chunk ``c``
  holds rows ``256 c`` to ``256 c + 255`` and is the file ``r/<c>.<hashes[8c : 8c + 8]>.gz`` (gzipped).
  ``weeks`` gives each ISO week's rows ``first <= row < end``, oldest week first, every calendar week (an empty
  one too), so "the newest 4 weeks" is the row range of the last 4 entries.
- A row in a chunk file (``row_bytes`` = 34 bytes, rows back to back): the paper's inverted list as uint16
  little-endian, then its 32 product-quantisation codes (uint8, one per subspace).
- ``centroids`` (``manifest.files.centroids``) and ``codebook`` (``manifest.files.codebook``), already
  fetched by the search page: dequantised as ``Math.fround(code * scale)`` (``ranking.js: dequantise``).

**A paper's vector** (``rank`` = 256 numbers, float32): ``v[j] = fround(centroid[list][j] +
fround(residual_scale * codebook[m][code[m]][j - m * width]))`` for ``j`` in subspace ``m`` (``width`` = rank /
subspaces = 8; ``residual_scale`` = ``manifest.codes.residual_scale``, ``RESIDUAL_SCALE``). The scale undoes the
quantiser's shrinking: a PQ-decoded residual is the mean of the residuals that share its codes, ~0.83 of the
true residual's length here, so two quantised papers look closer to their lists' centres, and to each other,
than they are (measured: README "For you").

**Ranking** (float64 from here on; the order of additions does not matter at float64's precision):

1. Every vector is scaled to unit length (a zero vector stays zero).
2. ``sims[c][l]`` = dot product of candidate ``c`` and library paper ``l``.
3. ``score(c)`` by ``METHOD`` with ``TOPK`` (settled by the evaluation, README "For you";
   ``scripts/eval_recommend.py``): see ``scores`` below.
4. Candidates are the window's rows (default: the newest ``WEEKS`` weeks' rows) less the library's own rows;
   best ``score`` first, ties to the lower row; the first ``k`` are shown.
5. ``because(c)``: the ``BECAUSE`` library papers with the highest ``sims[c][l]``, ties to the lower row.

Only the window's chunks and the library's own chunks are fetched: a library of 2,000 papers spread over a
year of 40,000 papers touches at most 157 chunks.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass

import numpy as np

ROW_CHUNK = 256  # site rows per codes file
LIST_BYTES = 2  # uint16 LE list id, then the PQ codes
WEEKS = 4  # the default window: the newest 4 ISO weeks of the store (its newest, partial week included)
BECAUSE = 2  # library papers named as the reason for each result
# The scale whose ranking agrees best with the same ranking on the exact vectors (scripts/eval_recommend.py
# --tune: top-10 overlap 0.55-0.70 against 0.49-0.66 unscaled and 0.43-0.57 at 1.75; ~ the true residual's
# length over the decoded one's, 0.99 / 0.83). A sum of powers of two, so that float32 and the page's
# Math.fround give the same product. The manifest carries it.
RESIDUAL_SCALE = 1.25
# The measured default (README "For you"); "mean" is the plain baseline, "max" the nearest library paper,
# "topk" the mean of the TOPK nearest library papers' similarities.
METHOD = "topk"
METHODS = ("mean", "max", "topk")
TOPK = 3  # README "For you": 2 and 3 within 0.01 on the dev split, 3 ahead on small topic libraries; 5, 8, 1 behind


# -- the files ----------------------------------------------------------------------------------------
def row_bytes(subspaces: int) -> int:
    return LIST_BYTES + subspaces


def encode_rows(lists: np.ndarray, codes: np.ndarray) -> bytes:
    """One codes file's bytes (before gzip): per row, its list (uint16 LE) then its PQ codes (uint8)."""
    lists = np.asarray(lists)
    if len(lists) and int(lists.max()) > 0xFFFF:
        raise ValueError(f"{int(lists.max()) + 1} lists do not fit the codes files' uint16 list ids")
    rows = np.zeros((len(lists), row_bytes(codes.shape[1])), dtype=np.uint8)
    rows[:, :LIST_BYTES] = np.asarray(lists, dtype="<u2").reshape(-1, 1).view(np.uint8)
    rows[:, LIST_BYTES:] = codes
    return rows.tobytes()


def decode_rows(blob: bytes, subspaces: int) -> tuple[np.ndarray, np.ndarray]:
    """``(lists, codes)`` of one codes file (gzipped or not): uint16 (rows,), uint8 (rows, subspaces)."""
    if blob[:2] == b"\x1f\x8b":
        blob = gzip.decompress(blob)
    width = row_bytes(subspaces)
    if len(blob) % width:
        raise ValueError(f"a codes file of {len(blob)} bytes is not whole rows of {width} bytes")
    rows = np.frombuffer(blob, dtype=np.uint8).reshape(-1, width)
    lists = rows[:, :LIST_BYTES].copy().view("<u2").reshape(-1).astype(np.int64)
    return lists, rows[:, LIST_BYTES:].copy()


def chunks_of(rows: np.ndarray) -> list[int]:
    """The codes files a set of rows needs, ascending."""
    return sorted({int(r) // ROW_CHUNK for r in np.asarray(rows).reshape(-1)})


def week_rows(weeks: list[list[object]], newest: int | None = WEEKS) -> tuple[int, int]:
    """``(first, end)`` rows of the newest ``newest`` weeks (``None``: all time)."""
    if not weeks:
        return 0, 0
    picked = weeks if newest is None else weeks[-newest:]
    return int(picked[0][1]), int(picked[-1][2])  # type: ignore[call-overload]


# -- vectors ------------------------------------------------------------------------------------------
def site_vectors(lists: np.ndarray, codes: np.ndarray, centroids: np.ndarray, codebooks: np.ndarray,
                 residual_scale: float = RESIDUAL_SCALE) -> np.ndarray:
    """float32 (rows, rank): dequantised centroid of the row's list plus its PQ-decoded residual, scaled.

    ``centroids``: float32 (lists, rank), ``codebooks``: float32 (subspaces, pieces, width), both dequantised.
    """
    subspaces = codebooks.shape[0]
    books = (np.float32(residual_scale) * np.asarray(codebooks, dtype=np.float32)).astype(np.float32)
    residual = books[np.arange(subspaces)[None, :], np.asarray(codes, dtype=np.int64)]  # (rows, m, width)
    return (centroids[np.asarray(lists, dtype=np.int64)] + residual.reshape(len(codes), -1)).astype(np.float32)


def unit(vectors: np.ndarray) -> np.ndarray:
    """float64 rows scaled to length 1 (zero rows stay zero)."""
    out = np.asarray(vectors, dtype=np.float64)
    norms = np.sqrt((out * out).sum(axis=1, keepdims=True))
    return out / np.where(norms > 0, norms, 1.0)


# -- ranking ------------------------------------------------------------------------------------------
def scores(candidates: np.ndarray, library: np.ndarray, method: str = METHOD, topk: int = TOPK) -> np.ndarray:
    """float64 score per candidate; both arguments are unit vectors (``unit``).

    - ``mean``: the candidate's dot product with the mean of the library's unit vectors (the baseline);
    - ``max``: its highest similarity to one library paper;
    - ``topk``: the mean of its ``topk`` highest similarities (all of them when the library is smaller).
    """
    if method == "mean":
        return candidates @ library.mean(axis=0)
    sims = candidates @ library.T
    if method == "max":
        return sims.max(axis=1)
    if method == "topk":
        take = min(topk, library.shape[0])
        return -np.sort(-sims, axis=1)[:, :take].mean(axis=1)
    raise ValueError(f"unknown site ranking {method!r}; one of {', '.join(METHODS)}")


def order(values: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` best values, best first, ties to the lower row."""
    return np.lexsort((np.asarray(rows), -np.asarray(values)))[:k]


def because(candidate: np.ndarray, library: np.ndarray, library_rows: np.ndarray, count: int = BECAUSE) -> list[int]:
    """The rows of the ``count`` library papers most similar to one candidate (unit vectors)."""
    return [int(library_rows[i]) for i in order(library @ candidate, library_rows, count)]


@dataclass(frozen=True)
class Ranked:
    row: int
    score: float
    because: list[int]  # library rows, most similar first


def rank(candidate_rows: np.ndarray, candidate_vectors: np.ndarray, library_rows: np.ndarray,
         library_vectors: np.ndarray, k: int, method: str = METHOD, topk: int = TOPK) -> list[Ranked]:
    """The page's For-you list: the ``k`` best candidates (library rows left out), each with its reasons.

    Vectors are ``site_vectors`` (float32, not yet unit); rows are site rows, in any order."""
    candidate_rows = np.asarray(candidate_rows, dtype=np.int64)
    library_rows = np.asarray(library_rows, dtype=np.int64)
    keep = ~np.isin(candidate_rows, library_rows)
    rows, cands = candidate_rows[keep], unit(candidate_vectors[keep])
    lib = unit(library_vectors)
    if not len(rows) or not len(lib):
        return []
    values = scores(cands, lib, method, topk)
    return [Ranked(int(rows[i]), float(values[i]), because(cands[i], lib, library_rows))
            for i in order(values, rows, k)]
