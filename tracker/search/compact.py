"""Compact paper vectors for the site's search: inverted lists (k-means cells) and product-quantised codes.

The site's page cannot download every paper's vector at 250,000 papers, so vectors are grouped into
``lists`` (spherical k-means over the papers' projected vectors, ~sqrt(N) cells) and each paper is stored as
``subspaces`` one-byte codes: its residual to its list's centroid, cut into ``subspaces`` pieces, each replaced
by the nearest of 256 learned pieces (product quantisation, Jégou et al. 2011). A query scores a paper as
``query · centroid + sum over pieces of query_piece · codebook[piece][code]`` from one small table per query,
and reads only the lists whose centroids score best.

Everything shipped is quantised here (centroids and codebooks to int8 with one scale per row or subspace),
and the Python side computes with the same dequantised numbers the browser uses, so both rank alike.
k-means is faiss's, seeded and single-threaded so that a rebuild gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tracker.embedding.static_encoder import quantise_rows

# faiss asks for at least 39 points per centroid; 64 keeps k-means over 250,000 papers to a minute or two.
KMEANS_MAX_POINTS_PER_CENTROID = 64
KMEANS_ITERATIONS = 20
SEED = 1234


def kmeans(points: np.ndarray, k: int, spherical: bool = False) -> np.ndarray:
    """``k`` centroids of ``points`` (faiss k-means, fixed seed, one thread: reproducible)."""
    import faiss

    data = np.ascontiguousarray(points, dtype=np.float32)
    k = max(1, min(k, len(data)))
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        clustering = faiss.Kmeans(data.shape[1], k, niter=KMEANS_ITERATIONS, seed=SEED, spherical=spherical,
                                  max_points_per_centroid=KMEANS_MAX_POINTS_PER_CENTROID, verbose=False)
        clustering.cp.min_points_per_centroid = 1  # tiny stores (tests) still get their k cells, quietly
        clustering.train(data)
    finally:
        faiss.omp_set_num_threads(threads)
    return np.asarray(clustering.centroids, dtype=np.float32).reshape(k, data.shape[1])


def int8_rows(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes and one float32 scale per row; ``dequantise`` gives the numbers both sides compute with.

    The same quantisation as the token table's (``tracker.embedding.static_encoder.quantise_rows``)."""
    return quantise_rows(matrix)


def dequantise(codes: np.ndarray, scales: np.ndarray) -> np.ndarray:
    return (codes.astype(np.float32) * scales[:, None]).astype(np.float32)


@dataclass
class Lists:
    """Inverted lists: ``members[offsets[l]:offsets[l + 1]]`` are the rows of list ``l`` (ascending)."""

    centroid_codes: np.ndarray  # int8 (lists, dims)
    centroid_scales: np.ndarray  # float32 (lists,)
    offsets: np.ndarray  # int64 (lists + 1,)
    members: np.ndarray  # int64 (rows,) rows grouped by list

    @property
    def centroids(self) -> np.ndarray:
        return dequantise(self.centroid_codes, self.centroid_scales)

    def __len__(self) -> int:
        return len(self.centroid_scales)


LIST_MAX = 256  # papers per list at most: what a query reads grows with the lists it reads, not with the store


def list_count(rows: int) -> int:
    """~sqrt(N) lists (the centroids and one list weigh alike), more above 65,536 papers (lists of <= 256)."""
    return max(1, int(round(rows**0.5)), -(-rows // LIST_MAX))


def build_lists(vectors: np.ndarray, lists: int) -> Lists:
    """Spherical k-means cells; a paper goes to the centroid with the highest dot product (as queries probe)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.where(norms > 0, norms, 1.0)
    codes, scales = int8_rows(kmeans(unit, lists, spherical=True))
    centroids = dequantise(codes, scales)
    assigned = np.argmax(unit @ centroids.T, axis=1) if len(vectors) else np.zeros(0, dtype=np.int64)
    members = np.lexsort((np.arange(len(vectors)), assigned)).astype(np.int64)
    offsets = np.searchsorted(assigned[members], np.arange(len(centroids) + 1), side="left").astype(np.int64)
    return Lists(codes, scales, offsets, members)


@dataclass
class ProductQuantizer:
    """``subspaces`` codebooks of up to 256 pieces each, int8 with one scale per subspace."""

    codebook_codes: np.ndarray  # int8 (subspaces, pieces, width)
    codebook_scales: np.ndarray  # float32 (subspaces,)

    @property
    def codebooks(self) -> np.ndarray:
        return (self.codebook_codes.astype(np.float32) * self.codebook_scales[:, None, None]).astype(np.float32)

    @property
    def subspaces(self) -> int:
        return int(self.codebook_codes.shape[0])

    def encode(self, residuals: np.ndarray) -> np.ndarray:
        """uint8 codes (rows, subspaces): the nearest piece of each subspace's codebook."""
        books = self.codebooks
        width = books.shape[2]
        out = np.zeros((len(residuals), self.subspaces), dtype=np.uint8)
        for m in range(self.subspaces):
            part = np.asarray(residuals[:, m * width : (m + 1) * width], dtype=np.float32)
            distance = (part**2).sum(1)[:, None] - 2 * part @ books[m].T + (books[m] ** 2).sum(1)[None, :]
            out[:, m] = np.argmin(distance, axis=1)
        return out

    def tables(self, query: np.ndarray) -> np.ndarray:
        """(subspaces, pieces) dot products of the query's pieces with every codebook piece."""
        books = self.codebooks
        width = books.shape[2]
        pieces = np.asarray(query, dtype=np.float32).reshape(self.subspaces, width)
        return np.einsum("mpw,mw->mp", books, pieces).astype(np.float32)


def train_pq(residuals: np.ndarray, subspaces: int) -> ProductQuantizer:
    residuals = np.asarray(residuals, dtype=np.float32)
    dims = residuals.shape[1]
    if dims % subspaces:
        raise ValueError(f"{dims} dimensions do not split into {subspaces} subspaces")
    width = dims // subspaces
    pieces = min(256, len(residuals))
    books = np.zeros((subspaces, pieces, width), dtype=np.float32)
    for m in range(subspaces):
        part = residuals[:, m * width : (m + 1) * width]
        found = kmeans(part, pieces)
        books[m, : len(found)] = found
    peak = np.abs(books).reshape(subspaces, -1).max(axis=1)
    scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    codes = np.clip(np.rint(books / scales[:, None, None]), -127, 127).astype(np.int8)
    return ProductQuantizer(codes, scales)
